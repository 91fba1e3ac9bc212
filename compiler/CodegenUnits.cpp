// Codegen units: clusters of global values that must stay together, spread over the units by
// estimated compile cost, with small helpers and constants copied to every unit that uses them;
// the largest unit stays in the module's own context, the others make a bitcode round trip so
// each helper thread owns its LLVMContext (contexts are not thread-safe); fixed unit order.
#include "compiler/CodegenUnits.h"

#include "compiler/AlternateSignalStack.h"
#include "compiler/Codegen.h"
#include "compiler/Optimizer.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/InstIterator.h>
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

// Values copied into every unit that uses them, rather than gluing their users into one unit:
//  - a private constant that only instructions use, such as an error message;
//  - a small local function that is only called (the list and arithmetic helpers of the support
//    library, small user functions), whose local references are all copied values too.
// A copy is what inlining makes of such a function anyway, and each unit then optimises its
// callers exactly as the whole module would have, inlined helpers included.
constexpr unsigned CopiedFunctionLimit = 80; // instructions; LLVM inlines up to ~225 at -O2

bool isCopyCandidate(const llvm::GlobalValue &value) {
  if (!value.hasLocalLinkage() || value.isDeclaration())
    return false;
  if (auto *variable = llvm::dyn_cast<llvm::GlobalVariable>(&value))
    return variable->isConstant() &&
           llvm::all_of(variable->users(), [](const llvm::User *user) { return llvm::isa<llvm::Instruction>(user); });
  auto *function = llvm::dyn_cast<llvm::Function>(&value);
  if (!function || function->hasFnAttribute(llvm::Attribute::NoInline) ||
      function->getInstructionCount() > CopiedFunctionLimit)
    return false;
  return llvm::all_of(function->uses(), [&](const llvm::Use &use) {
    auto *call = llvm::dyn_cast<llvm::CallBase>(use.getUser());
    return call && call->isCallee(&use) && call->getFunction() != function;
  });
}

// The local globals that the constants in `pending` refer to, through constant expressions too.
std::vector<const llvm::GlobalValue *> referencedLocals(std::vector<const llvm::Value *> pending) {
  std::vector<const llvm::GlobalValue *> locals;
  std::unordered_set<const llvm::Value *> seen;
  while (!pending.empty()) {
    const llvm::Value *value = pending.back();
    pending.pop_back();
    if (!seen.insert(value).second)
      continue;
    if (auto *global = llvm::dyn_cast<llvm::GlobalValue>(value)) {
      if (global->hasLocalLinkage())
        locals.push_back(global);
    } else if (auto *constant = llvm::dyn_cast<llvm::Constant>(value)) {
      for (const llvm::Value *operand : constant->operands())
        pending.push_back(operand);
    }
  }
  return locals;
}

// The local globals `function`'s instructions refer to.
std::vector<const llvm::GlobalValue *> referencedLocals(const llvm::Function &function) {
  std::vector<const llvm::Value *> constants;
  for (const llvm::Instruction &instruction : llvm::instructions(function))
    for (const llvm::Value *operand : instruction.operands())
      if (llvm::isa<llvm::Constant>(operand))
        constants.push_back(operand);
  return referencedLocals(std::move(constants));
}

// The local globals a constant's initializer refers to.
std::vector<const llvm::GlobalValue *> referencedLocals(const llvm::Constant &initializer) {
  std::vector<const llvm::Value *> operands(initializer.op_begin(), initializer.op_end());
  return referencedLocals(std::move(operands));
}

// The copy candidates whose local references (a function's instructions, a constant's
// initializer) are all copied as well, so a copy never needs a definition that another unit
// holds; to a fixed point.
std::unordered_set<const llvm::GlobalValue *> findCopiedValues(const llvm::Module &module) {
  std::unordered_set<const llvm::GlobalValue *> copied;
  std::unordered_map<const llvm::GlobalValue *, std::vector<const llvm::GlobalValue *>> references;
  for (const llvm::GlobalValue &value : module.global_values()) {
    if (!isCopyCandidate(value))
      continue;
    copied.insert(&value);
    if (auto *function = llvm::dyn_cast<llvm::Function>(&value))
      references[&value] = referencedLocals(*function);
    else
      references[&value] = referencedLocals(*llvm::cast<llvm::GlobalVariable>(value).getInitializer());
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto &[value, locals] : references) {
      if (!copied.count(value) ||
          llvm::all_of(locals, [&](const llvm::GlobalValue *local) { return copied.count(local) != 0; }))
        continue;
      copied.erase(value);
      changed = true;
    }
  }
  return copied;
}

// For each global value, the units its definition goes to. A value with local linkage joins the
// cluster of every global that uses it (copied values aside); clusters go, costliest first, to
// the unit with the lowest compile cost so far. Everything is ordered by module order, so the
// assignment is too.
struct UnitAssignment {
  std::unordered_map<const llvm::GlobalValue *, std::vector<bool>> in;
  std::vector<size_t> size; // compile cost per unit (compileCost); 0 for a unit with nothing to define
};

// The global value whose definition holds `user`, an instruction or a global's initializer.
const llvm::GlobalValue *definitionOf(const llvm::User *user) {
  if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(user))
    return instruction->getFunction();
  return llvm::cast<llvm::GlobalValue>(user);
}

// What optimising and compiling `function` costs, in instructions: each instruction once, and
// those of loops the loop vectorizer and unroller work on (all but the fixed-lane reductions,
// which arrive vectorized and marked llvm.loop.unroll.disable) twice. Measured on the benchmark
// kernels: ~0.045 ms per instruction for clamp, zero_crossings and histogram against ~0.025 ms
// for the fixed-lane sums, which is what balances the two units of bench/kernels/kernels.py.
size_t compileCost(const llvm::Function &function) {
  size_t cost = function.getInstructionCount() + 1;
  if (function.isDeclaration())
    return cost;
  llvm::DominatorTree dominators(const_cast<llvm::Function &>(function));
  llvm::LoopInfo loops(dominators);
  auto worked = [](const llvm::Loop *loop) {
    return !llvm::findOptionMDForLoop(loop, "llvm.loop.unroll.disable");
  };
  for (const llvm::Loop *loop : loops.getLoopsInPreorder()) {
    if (!worked(loop) || (loop->getParentLoop() && worked(loop->getParentLoop())))
      continue; // counted with the outermost worked loop around it
    for (const llvm::BasicBlock *block : loop->blocks())
      cost += block->size();
  }
  return cost;
}

UnitAssignment assignUnits(const llvm::Module &module, unsigned units) {
  std::vector<const llvm::GlobalValue *> values;
  std::unordered_map<const llvm::GlobalValue *, size_t> position;
  for (const llvm::GlobalValue &value : module.global_values()) {
    position[&value] = values.size();
    values.push_back(&value);
  }
  std::unordered_set<const llvm::GlobalValue *> copied = findCopiedValues(module);
  Clusters clusters(values.size());
  for (const llvm::GlobalValue *value : values) {
    if (!value->hasLocalLinkage() || copied.count(value))
      continue;
    std::unordered_set<const llvm::Value *> seen;
    std::vector<const llvm::GlobalValue *> users;
    collectUsingGlobals(value, seen, users);
    for (const llvm::GlobalValue *user : users)
      clusters.join(position.at(value), position.at(user));
  }

  auto sizeOf = [](const llvm::GlobalValue *value) -> size_t {
    auto *function = llvm::dyn_cast<llvm::Function>(value);
    return function ? compileCost(*function) : 1;
  };
  std::vector<size_t> clusterSize(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!copied.count(values[i])) {
      clusterSize[clusters.find(i)] += sizeOf(values[i]);
      continue;
    }
    // A copied function costs each cluster that calls it what inlining it there costs.
    for (const llvm::User *user : values[i]->users())
      if (const llvm::GlobalValue *definition = definitionOf(user); !copied.count(definition))
        clusterSize[clusters.find(position.at(definition))] += sizeOf(values[i]);
  }
  std::vector<size_t> leaders;
  for (size_t i = 0; i < values.size(); ++i)
    if (clusters.find(i) == i && !values[i]->isDeclaration() && !copied.count(values[i]))
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
  assignment.size = unitSize;
  for (size_t i = 0; i < values.size(); ++i) {
    std::vector<bool> &in = assignment.in[values[i]];
    in.assign(units, false);
    if (!copied.count(values[i]))
      in[unitOfLeader[clusters.find(i)]] = true;
  }
  // A copied value goes wherever a user's definition goes; users may be copied values too.
  for (bool changed = true; changed;) {
    changed = false;
    for (const llvm::GlobalValue *value : values) {
      if (!copied.count(value))
        continue;
      std::vector<bool> &in = assignment.in[value];
      for (const llvm::User *user : value->users()) {
        const std::vector<bool> &userIn = assignment.in[definitionOf(user)];
        for (unsigned unit = 0; unit < units; ++unit)
          if (userIn[unit] && !in[unit])
            in[unit] = changed = true;
      }
    }
  }
  for (const llvm::GlobalValue *value : values) {
    std::vector<bool> &in = assignment.in[value];
    if (copied.count(value) && std::none_of(in.begin(), in.end(), [](bool b) { return b; }))
      in[0] = true; // unused: where the whole module would have kept it, once
  }
  return assignment;
}

// Turns `module` into the unit `unit`: the definitions of the other units become declarations,
// and their locals (unused once those bodies are gone) are erased. What CloneModule does for
// the other units, done in place.
void keepOnlyUnit(llvm::Module &module, const UnitAssignment &assignment, unsigned unit) {
  assert(module.alias_empty() && module.ifunc_empty() && "pyvc modules have no aliases or ifuncs");
  std::vector<llvm::GlobalValue *> otherLocals;
  for (llvm::Function &function : module) {
    if (function.isDeclaration() || assignment.in.at(&function)[unit])
      continue;
    if (function.hasLocalLinkage())
      otherLocals.push_back(&function);
    function.deleteBody();
    function.setComdat(nullptr);
  }
  for (llvm::GlobalVariable &variable : module.globals()) {
    if (variable.isDeclaration() || assignment.in.at(&variable)[unit])
      continue;
    if (variable.hasLocalLinkage())
      otherLocals.push_back(&variable);
    variable.setInitializer(nullptr);
    variable.setLinkage(llvm::GlobalValue::ExternalLinkage);
    variable.setComdat(nullptr);
  }
  for (llvm::GlobalValue *local : otherLocals) {
    assert(local->use_empty() && "a local is used outside the units it was given to");
    local->eraseFromParent();
  }
}

// One unit, start to finish, in a context of its own.
// Optimises `module` and makes `product` of it.
Result<std::string> finishUnit(llvm::Module &module, llvm::TargetMachine &machine, int optLevel,
                               UnitProduct product, std::vector<VectorizerRemark> *remarks) {
  optimizeModule(module, machine, optLevel, remarks);
  if (product != UnitProduct::LlvmIr)
    return emitMachineCode(module, machine,
                           product == UnitProduct::Object ? MachineCodeKind::Object : MachineCodeKind::Assembly);
  std::string text;
  llvm::raw_string_ostream stream(text);
  module.print(stream, nullptr);
  stream.flush();
  return text;
}

Result<std::string> compileUnit(const std::string &bitcode, const TargetDescription &target, int optLevel,
                                UnitProduct product, std::vector<VectorizerRemark> *remarks) {
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
  return finishUnit(**module, *machine.value(), optLevel, product, remarks);
}

} // namespace

CodegenUnits splitIntoUnits(llvm::Module &module, unsigned units) {
  UnitAssignment assignment = assignUnits(module, units);
  // The largest unit stays, for the calling thread: a helper thread first reads its unit's
  // bitcode and builds a target machine, a few milliseconds the calling thread does not spend.
  CodegenUnits result;
  result.inPlace = 0;
  for (unsigned unit = 1; unit < units; ++unit)
    if (assignment.size[unit] > assignment.size[result.inPlace])
      result.inPlace = unit;
  for (unsigned unit = 0; unit < units; ++unit) {
    if (assignment.size[unit] == 0 || unit == result.inPlace)
      continue; // a module with fewer clusters than units
    // Definitions of other units become declarations. The locals among them are not used in
    // this unit: drop them rather than leave external declarations of them behind.
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part = llvm::CloneModule(
        module, map, [&](const llvm::GlobalValue *value) { return assignment.in.at(value)[unit]; });
    for (const auto &[value, in] : assignment.in) {
      if (in[unit] || !value->hasLocalLinkage())
        continue;
      auto *copy = llvm::cast<llvm::GlobalValue>(static_cast<llvm::Value *>(map[value]));
      assert(copy->use_empty() && "a local is used outside the units it was given to");
      copy->eraseFromParent();
    }
    if (unit < result.inPlace)
      ++result.inPlacePosition;
    std::string bytes;
    llvm::raw_string_ostream stream(bytes);
    llvm::WriteBitcodeToFile(*part, stream);
    stream.flush();
    result.bitcode.push_back(std::move(bytes));
  }
  keepOnlyUnit(module, assignment, result.inPlace);
  return result;
}

Result<std::vector<std::string>> compileUnits(llvm::Module &module, llvm::TargetMachine &machine,
                                              const CodegenUnits &units, const TargetDescription &target,
                                              int optLevel, UnitProduct product,
                                              std::vector<VectorizerRemark> *remarks) {
  std::vector<Result<std::string>> objects(units.bitcode.size(), makeError("not compiled"));
  // Each unit collects its remarks on its own thread; they are joined in unit order below.
  std::vector<std::vector<VectorizerRemark>> unitRemarks(units.bitcode.size() + 1);
  auto remarksOf = [&](size_t slot) { return remarks ? &unitRemarks[slot] : nullptr; };
  // Helper threads take the next unit until none is left; which thread compiles which unit does
  // not change any unit's object, and the objects stay in unit order.
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t unit = next++; unit < units.bitcode.size(); unit = next++)
      objects[unit] = compileUnit(units.bitcode[unit], target, optLevel, product, remarksOf(unit));
  };
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> helpers;
  for (size_t i = 0; i < units.bitcode.size() && i + 1 < cores; ++i)
    helpers.emplace_back([&] {
      installAlternateSignalStack();
      work();
    });
  // This thread owns the module's context: it compiles the unit left in place, then helps.
  Result<std::string> inPlaceObject =
      finishUnit(module, machine, optLevel, product, remarksOf(units.bitcode.size()));
  work();
  for (std::thread &helper : helpers)
    helper.join();

  if (!inPlaceObject)
    return inPlaceObject.error();
  std::vector<std::string> result;
  for (Result<std::string> &object : objects) {
    if (!object)
      return object.error();
    result.push_back(std::move(object.value()));
  }
  assert(units.inPlacePosition <= result.size() && "the unit left in place has a position in unit order");
  result.insert(result.begin() + static_cast<std::ptrdiff_t>(units.inPlacePosition),
                std::move(inPlaceObject.value()));
  if (remarks) {
    std::vector<VectorizerRemark> inPlaceRemarks = std::move(unitRemarks.back());
    unitRemarks.pop_back();
    unitRemarks.insert(unitRemarks.begin() + static_cast<std::ptrdiff_t>(units.inPlacePosition),
                       std::move(inPlaceRemarks));
    for (std::vector<VectorizerRemark> &unit : unitRemarks)
      remarks->insert(remarks->end(), unit.begin(), unit.end());
  }
  return result;
}

} // namespace pyvc::compiler
