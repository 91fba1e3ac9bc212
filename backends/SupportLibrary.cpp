// Links the embedded support bitcode into a lowered module. The bitcode is compiled by CMake
// with clang-19 per triple (backends/CMakeLists.txt) and read lazily; target-cpu/features
// attributes are dropped so support code is compiled for exactly the CPU the compiler targets.
#include "backends/SupportLibrary.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <cstddef>
#include <string>
#include <vector>

namespace pyvc::backends {

extern const unsigned char supportBitcode_x86_64_data[];
extern const size_t supportBitcode_x86_64_size;
extern const unsigned char supportBitcode_aarch64_data[];
extern const size_t supportBitcode_aarch64_size;

namespace {

// clang's CPU choice for the support code: pyvc compiles it for the CPU of --target instead.
void dropTargetAttributes(llvm::Function &function) {
  function.removeFnAttr("target-cpu");
  function.removeFnAttr("target-features");
  function.removeFnAttr("tune-cpu");
  function.removeFnAttr(llvm::Attribute::UWTable);
}

} // namespace

void linkSupportLibrary(llvm::Module &module, llvm::TargetMachine &target) {
  llvm::Triple::ArchType arch = target.getTargetTriple().getArch();
  assert((arch == llvm::Triple::x86_64 || arch == llvm::Triple::aarch64) &&
         "pyvc embeds its support library for x86-64 and aarch64 only");
  const unsigned char *data =
      arch == llvm::Triple::aarch64 ? supportBitcode_aarch64_data : supportBitcode_x86_64_data;
  size_t size = arch == llvm::Triple::aarch64 ? supportBitcode_aarch64_size : supportBitcode_x86_64_size;
  llvm::MemoryBufferRef buffer(llvm::StringRef(reinterpret_cast<const char *>(data), size), "pyvc_support");
  // Read lazily: only the bodies of the functions the linker takes are parsed (a kernel file
  // uses a handful of the library's functions, and parsing all of them was most of lowering).
  // The bitcode is built with this very LLVM: failing to read it is a broken build (invariant).
  std::unique_ptr<llvm::Module> support = llvm::cantFail(llvm::getLazyBitcodeModule(buffer, module.getContext()));
  support->setTargetTriple(module.getTargetTriple());
  support->setDataLayout(module.getDataLayout());
  support->setModuleInlineAsm("");
  // Module flags such as "PIC Level" or "uwtable" come from clang's defaults, not from pyvc.
  llvm::cantFail(support->materializeMetadata());
  if (llvm::NamedMDNode *flags = support->getModuleFlagsMetadata())
    support->eraseNamedMetadata(flags);
  if (llvm::NamedMDNode *ident = support->getNamedMetadata("llvm.ident"))
    support->eraseNamedMetadata(ident);
  // Declarations can lose their attributes now; bodies are read when the linker takes them,
  // so the functions with a body lose theirs after linking.
  std::vector<std::string> supportDefinitions;
  for (llvm::Function &function : *support) {
    if (function.isMaterializable())
      supportDefinitions.push_back(function.getName().str());
    else
      dropTargetAttributes(function);
  }

  bool failed = llvm::Linker::linkModules(module, std::move(support), llvm::Linker::Flags::LinkOnlyNeeded);
  assert(!failed && "linking the support library failed");
  (void)failed;
  for (const std::string &name : supportDefinitions)
    if (llvm::Function *function = module.getFunction(name); function && !function->isDeclaration())
      dropTargetAttributes(*function);
  for (llvm::Function &function : module)
    if (!function.isDeclaration() && function.getName().starts_with("pyvc_rt_"))
      function.setLinkage(llvm::GlobalValue::InternalLinkage);
}

void keepPowCallsExact(llvm::Module &module) {
  // The support library is built with -fno-math-errno, so its pow calls are llvm.pow.f64
  // intrinsics, which LLVM simplifies freely: each becomes a call of libm's pow itself.
  llvm::Function *intrinsic = module.getFunction("llvm.pow.f64");
  llvm::Type *doubleType = llvm::Type::getDoubleTy(module.getContext());
  llvm::FunctionCallee libmPow =
      module.getOrInsertFunction("pow", llvm::FunctionType::get(doubleType, {doubleType, doubleType}, false));
  std::vector<llvm::CallInst *> calls;
  if (intrinsic)
    for (llvm::User *user : intrinsic->users())
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(user))
        calls.push_back(call);
  for (llvm::CallInst *call : calls) {
    llvm::CallInst *exact = llvm::CallInst::Create(libmPow, {call->getArgOperand(0), call->getArgOperand(1)}, "pow", call);
    exact->setDebugLoc(call->getDebugLoc());
    call->replaceAllUsesWith(exact);
    call->eraseFromParent();
  }
  // A call marked nobuiltin is opaque to the library-call simplifier and constant folding.
  if (auto *function = llvm::dyn_cast<llvm::Function>(libmPow.getCallee())) {
    for (llvm::User *user : function->users())
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(user))
        call->addFnAttr(llvm::Attribute::NoBuiltin);
    function->setDoesNotThrow();
    function->setOnlyAccessesInaccessibleMemory(); // errno only
  }
}

} // namespace pyvc::backends
