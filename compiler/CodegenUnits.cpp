// Codegen units: SplitModule with local-preserving partitions, a bitcode round trip per unit so
// each thread owns its LLVMContext (contexts are not thread-safe), and a fixed unit order.
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
#include <llvm/Transforms/Utils/SplitModule.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace pyvc::compiler {

namespace {

bool definesAnything(const llvm::Module &module) {
  for (const llvm::GlobalValue &value : module.global_values())
    if (!value.isDeclaration())
      return true;
  return false;
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
  std::vector<std::string> bitcode;
  llvm::SplitModule(
      module, units,
      [&](std::unique_ptr<llvm::Module> part) {
        if (!definesAnything(*part))
          return; // every cluster went to the other units
        std::string bytes;
        llvm::raw_string_ostream stream(bytes);
        llvm::WriteBitcodeToFile(*part, stream);
        stream.flush();
        bitcode.push_back(std::move(bytes));
      },
      /*PreserveLocals=*/true);
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
