// Linked into the static-LLVM pyvc-driver only (compiler/LlvmLibraries.cmake). lld's ELF driver
// initialises every LLVM target before each link and its LTO backend registers Polly, although
// pyvc never hands lld bitcode. Defining those entry points here, as no-ops, keeps the archives
// of 18 unused targets and of Polly out of the driver: a third of its size and of its start time.
#include <llvm/Config/llvm-config.h>
#include <llvm/Passes/PassPlugin.h>

// The targets lld initialises that pyvc does not generate code for. X86 and AArch64 are real.
#define PYVC_UNUSED_TARGET(Name)                                                                   \
  extern "C" void LLVMInitialize##Name##TargetInfo() {}                                            \
  extern "C" void LLVMInitialize##Name##Target() {}                                                \
  extern "C" void LLVMInitialize##Name##TargetMC() {}                                              \
  extern "C" void LLVMInitialize##Name##AsmPrinter() {}                                            \
  extern "C" void LLVMInitialize##Name##AsmParser() {}

PYVC_UNUSED_TARGET(AMDGPU)
PYVC_UNUSED_TARGET(ARM)
PYVC_UNUSED_TARGET(AVR)
PYVC_UNUSED_TARGET(BPF)
PYVC_UNUSED_TARGET(Hexagon)
PYVC_UNUSED_TARGET(Lanai)
PYVC_UNUSED_TARGET(LoongArch)
PYVC_UNUSED_TARGET(M68k)
PYVC_UNUSED_TARGET(MSP430)
PYVC_UNUSED_TARGET(Mips)
PYVC_UNUSED_TARGET(NVPTX)
PYVC_UNUSED_TARGET(PowerPC)
PYVC_UNUSED_TARGET(RISCV)
PYVC_UNUSED_TARGET(Sparc)
PYVC_UNUSED_TARGET(SystemZ)
PYVC_UNUSED_TARGET(VE)
PYVC_UNUSED_TARGET(WebAssembly)
PYVC_UNUSED_TARGET(XCore)
PYVC_UNUSED_TARGET(Xtensa)

// LLVM's LTO backend registers the statically built extensions (Debian's: Polly) with every pass
// builder it makes. pyvc's links carry no bitcode, so LTO never runs; an empty plugin suffices.
llvm::PassPluginLibraryInfo getPollyPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "pyvc-no-polly", LLVM_VERSION_STRING, [](llvm::PassBuilder &) {}};
}
