// Codegen units: clusters of global values that must stay together, spread over the units by
// size, a bitcode round trip per unit so each thread owns its LLVMContext (contexts are not
// thread-safe), and a fixed unit order.
#include "compiler/CodegenUnits.h"

#include "compiler/Codegen.h"
#include "compiler/Optimizer.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <unordered_map>
#include <unordered_set>
#include <thread>

namespace pyvc::compiler {

namespace {

// Union-find over the module's global values, numbered in module order.
class Clusters {
public:
  explicit Clusters(size_t count) : parent_(count) { std::iota(parent_.begin(), parent_.end(), 0); }
  size_t find(size_t value) {
    while (parent_[value] != value)
      value = parent_[value] = parent_[parent_[value]];
    return value;
  }
  // The earlier value stays the leader, so leaders follow module order.
  void join(size_t a, size_t b) {
    a = find(a), b = find(b);
    if (a != b)
      parent_[std::max(a, b)] = std::min(a, b);
  }

private:
  std::vector<size_t> parent_;
};

// The global values whose definitions use `value`: the function of an instruction, the global of
// an initializer, reached through any constant expressions in between.
void collectUsingGlobals(const llvm::Value *value, std::unordered_set<const llvm::Value *> &seen,
                         std::vector<const llvm::GlobalValue *> &users) {
  for (const llvm::User *user : value->users()) {
    if (!seen.insert(user).second)
      continue;
    if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(user))
      users.push_back(instruction->getFunction());
    else if (auto *global = llvm::dyn_cast<llvm::GlobalValue>(user))
      users.push_back(global);
    else
      collectUsingGlobals(user, seen, users);
  }
}

// A private constant that only instructions use, such as an error message: every unit that
// uses it gets its own copy, so shared messages do not glue all kernels into one unit.
bool isCopiedConstant(const llvm::GlobalValue &value) {
  auto *variable = llvm::dyn_cast<llvm::GlobalVariable>(&value);
  if (!variable || !variable->hasLocalLinkage() || !variable->isConstant() || !variable->hasInitializer())
    return false;
  return llvm::all_of(variable->users(), [](const llvm::User *user) { return llvm::isa<llvm::Instruction>(user); });
}

// For each global value, the units its definition goes to. A value with local linkage joins the
// cluster of every global that uses it (copied constants aside); clusters go, largest first, to
// the unit with the fewest instructions so far. Everything is ordered by module order, so the
// assignment is too.
using UnitAssignment = std::unordered_map<const llvm::GlobalValue *, std::vector<bool>>;

UnitAssignment assignUnits(const llvm::Module &module, unsigned units) {
  std::vector<const llvm::GlobalValue *> values;
  std::unordered_map<const llvm::GlobalValue *, size_t> position;
  for (const llvm::GlobalValue &value : module.global_values()) {
    position[&value] = values.size();
    values.push_back(&value);
  }
  Clusters clusters(values.size());
  for (const llvm::GlobalValue *value : values) {
    if (!value->hasLocalLinkage() || isCopiedConstant(*value))
      continue;
    std::unordered_set<const llvm::Value *> seen;
    std::vector<const llvm::GlobalValue *> users;
    collectUsingGlobals(value, seen, users);
    for (const llvm::GlobalValue *user : users)
      clusters.join(position.at(value), position.at(user));
  }

  std::vector<size_t> clusterSize(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    auto *function = llvm::dyn_cast<llvm::Function>(values[i]);
    clusterSize[clusters.find(i)] += function ? function->getInstructionCount() + 1 : 1;
  }
  std::vector<size_t> leaders;
  for (size_t i = 0; i < values.size(); ++i)
    if (clusters.find(i) == i && !values[i]->isDeclaration() && !isCopiedConstant(*values[i]))
      leaders.push_back(i);
  std::stable_sort(leaders.begin(), leaders.end(),
                   [&](size_t a, size_t b) { return clusterSize[a] > clusterSize[b]; });
  std::vector<size_t> unitSize(units, 0);
  std::vector<unsigned> unitOfLeader(values.size(), 0);
  for (size_t leader : leaders) {
    auto smallest = static_cast<unsigned>(std::min_element(unitSize.begin(), unitSize.end()) - unitSize.begin());
    unitOfLeader[leader] = smallest;
    unitSize[smallest] += clusterSize[leader];
  }

  UnitAssignment assignment;
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<bool> &in = assignment[values[i]];
    in.assign(units, false);
    if (!isCopiedConstant(*values[i])) {
      in[unitOfLeader[clusters.find(i)]] = true;
      continue;
    }
    for (const llvm::User *user : values[i]->users())
      in[unitOfLeader[clusters.find(position.at(llvm::cast<llvm::Instruction>(user)->getFunction()))]] = true;
    if (values[i]->use_empty())
      in[0] = true; // unused: where the whole module would have kept it, once
  }
  return assignment;
}

// One unit, start to finish, in a context of its own.
Result<std::string> compileUnit(const std::string &bitcode, const TargetDescription &target, int optLevel) {
  llvm::LLVMContext context;
  llvm::MemoryBufferRef buffer(bitcode, "pyvc-codegen-unit");
  llvm::Expected<std::unique_ptr<llvm::Module>> module = llvm::parseBitcodeFile(buffer, context);
  // Written by this process a moment ago: unreadable bitcode is a compiler bug.
  assert(module && "a codegen unit's bitcode does not read back");
  if (!module)
    return makeError("internal compiler error: a codegen unit does not read back: " +
                     llvm::toString(module.takeError()));
  auto machine = createTargetMachine(target, optLevel);
  if (!machine)
    return machine.error();
  optimizeModule(**module, *machine.value(), optLevel);
  return emitMachineCode(**module, *machine.value(), MachineCodeKind::Object);
}

} // namespace

std::vector<std::string> splitIntoUnits(llvm::Module &module, unsigned units) {
  UnitAssignment assignment = assignUnits(module, units);
  std::vector<std::string> bitcode;
  for (unsigned unit = 0; unit < units; ++unit) {
    bool definesAnything = false;
    for (const auto &[value, in] : assignment)
      definesAnything |= in[unit] && !value->isDeclaration() && !isCopiedConstant(*value);
    if (!definesAnything)
      continue; // a module with fewer clusters than units
    // Definitions of other units become declarations. The locals among them are not used in
    // this unit: drop them rather than leave external declarations of them behind.
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part = llvm::CloneModule(
        module, map, [&](const llvm::GlobalValue *value) { return assignment.at(value)[unit]; });
    for (const auto &[value, in] : assignment) {
      if (in[unit] || !value->hasLocalLinkage())
        continue;
      auto *copy = llvm::cast<llvm::GlobalValue>(static_cast<llvm::Value *>(map[value]));
      assert(copy->use_empty() && "a local is used outside the units it was given to");
      copy->eraseFromParent();
    }
    std::string bytes;
    llvm::raw_string_ostream stream(bytes);
    llvm::WriteBitcodeToFile(*part, stream);
    stream.flush();
    bitcode.push_back(std::move(bytes));
  }
  return bitcode;
}

Result<std::vector<std::string>> compileUnits(const std::vector<std::string> &unitBitcode,
                                              const TargetDescription &target, int optLevel) {
  std::vector<Result<std::string>> objects(unitBitcode.size(), makeError("not compiled"));
  // Workers take the next unit until none is left; which thread compiles which unit does not
  // change any unit's object, and the objects stay in unit order.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t unit = next++; unit < unitBitcode.size(); unit = next++)
      objects[unit] = compileUnit(unitBitcode[unit], target, optLevel);
  };
  unsigned threads = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, unitBitcode.size());
  std::vector<std::thread> helpers;
  for (unsigned i = 1; i < threads; ++i)
    helpers.emplace_back(work);
  work();
  for (std::thread &helper : helpers)
    helper.join();

  std::vector<std::string> result;
  for (Result<std::string> &object : objects) {
    if (!object)
      return object.error();
    result.push_back(std::move(object.value()));
  }
  return result;
}

} // namespace pyvc::compiler
