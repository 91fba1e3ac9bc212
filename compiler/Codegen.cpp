// Codegen: the legacy pass manager is still what drives LLVM's code generators.
#include "compiler/Codegen.h"

#include <llvm/ADT/SmallVector.h>
#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

namespace pyvc::compiler {

Result<std::string> emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                                    MachineCodeKind kind) {
  llvm::StripDebugInfo(module);
  // Debug-info module flags survive StripDebugInfo only as flags; drop the producer metadata
  // that names the build machine as well.
  if (auto *ident = module.getNamedMetadata("llvm.ident"))
    module.eraseNamedMetadata(ident);
  module.setDataLayout(machine.createDataLayout());
  module.setTargetTriple(machine.getTargetTriple().str());

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  auto fileType = kind == MachineCodeKind::Object ? llvm::CodeGenFileType::ObjectFile
                                                  : llvm::CodeGenFileType::AssemblyFile;
  if (machine.addPassesToEmitFile(passes, stream, nullptr, fileType))
    return makeError("the " + machine.getTargetTriple().str() +
                     " code generator cannot emit this file type");
  passes.run(module);
  return std::string(buffer.begin(), buffer.end());
}

} // namespace pyvc::compiler
