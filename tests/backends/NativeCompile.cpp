// Test-only compilation of lowered modules to assembly, objects and loaded shared libraries.
#include "NativeCompile.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>

namespace pyvc::backends::test {

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "pyvc-backend-XXXXXX").string();
  char *made = mkdtemp(pattern.data());
  path_ = made ? made : "";
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  if (!path_.empty())
    std::filesystem::remove_all(path_, ignored);
}

NativeLibrary::~NativeLibrary() {
  if (handle_)
    dlclose(handle_);
}

void *NativeLibrary::rawSymbol(const std::string &name) const { return dlsym(handle_, name.c_str()); }

int runCommand(const std::string &command, std::string *output) {
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  std::array<char, 4096> buffer;
  std::string text;
  while (size_t read = fread(buffer.data(), 1, buffer.size(), pipe))
    text.append(buffer.data(), read);
  int status = pclose(pipe);
  if (output)
    *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static std::unique_ptr<llvm::TargetMachine> makeTargetMachine(const TargetSpec &spec, int optLevel) {
  static bool initialised = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)initialised;
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(spec.triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  auto level = optLevel == 0 ? llvm::CodeGenOptLevel::None
               : optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : optLevel == 3 ? llvm::CodeGenOptLevel::Aggressive
                               : llvm::CodeGenOptLevel::Default;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      spec.triple, spec.cpu, spec.features, options, llvm::Reloc::PIC_, std::nullopt, level));
}

static void optimize(llvm::Module &module, llvm::TargetMachine &machine, int optLevel) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  llvm::OptimizationLevel level = optLevel == 0 ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 3 ? llvm::OptimizationLevel::O3
                                                  : llvm::OptimizationLevel::O2;
  llvm::ModulePassManager pipeline = optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                                                   : builder.buildPerModuleDefaultPipeline(level);
  pipeline.run(module, modules);
}

// Lowers and optimises; calls `use` with the module and machine while they are alive.
template <typename Use>
static bool withOptimizedModule(const ir::Module &source, const TargetSpec &spec, int optLevel, Use use) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::TargetMachine> machine = makeTargetMachine(spec, optLevel);
  if (!machine)
    return false;
  LoweringOptions options;
  options.optLevel = optLevel;
  std::unique_ptr<llvm::Module> module = lowerModule(source, context, *machine, options);
  std::string problems;
  llvm::raw_string_ostream problemStream(problems);
  if (llvm::verifyModule(*module, &problemStream)) {
    ADD_FAILURE() << "lowering produced an invalid module:\n" << problems;
    return false;
  }
  optimize(*module, *machine, optLevel);
  return use(*module, *machine);
}

static bool emitFile(llvm::Module &module, llvm::TargetMachine &machine, llvm::CodeGenFileType type,
                     llvm::raw_pwrite_stream &out) {
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, out, nullptr, type))
    return false;
  passes.run(module);
  return true;
}

std::string optimizedIR(const ir::Module &source, const TargetSpec &spec, int optLevel) {
  std::string text;
  withOptimizedModule(source, spec, optLevel, [&](llvm::Module &module, llvm::TargetMachine &) {
    llvm::raw_string_ostream out(text);
    module.print(out, nullptr);
    return true;
  });
  return text;
}

std::string emitAssembly(const ir::Module &source, const TargetSpec &spec, int optLevel) {
  llvm::SmallString<0> text;
  withOptimizedModule(source, spec, optLevel, [&](llvm::Module &module, llvm::TargetMachine &machine) {
    llvm::raw_svector_ostream out(text);
    return emitFile(module, machine, llvm::CodeGenFileType::AssemblyFile, out);
  });
  return std::string(text.str());
}

bool emitObject(const ir::Module &source, const TargetSpec &spec, int optLevel, const std::string &path) {
  return withOptimizedModule(source, spec, optLevel, [&](llvm::Module &module, llvm::TargetMachine &machine) {
    std::error_code error;
    llvm::raw_fd_ostream out(path, error);
    if (error)
      return false;
    return emitFile(module, machine, llvm::CodeGenFileType::ObjectFile, out);
  });
}

std::unique_ptr<NativeLibrary> compileForHost(const ir::Module &module, int optLevel, const std::string &cpu) {
  auto library = std::make_unique<NativeLibrary>();
  std::string object = library->directory_.path() + "/kernel.o";
  library->path_ = library->directory_.path() + "/kernel.so";
  TargetSpec spec;
  spec.cpu = cpu;
  if (!emitObject(module, spec, optLevel, object)) {
    ADD_FAILURE() << "object emission failed";
    return nullptr;
  }
  std::string output;
  int status = runCommand("ld.lld-19 -shared -o " + library->path_ + " " + object + " -lm -lc -L/usr/lib/x86_64-linux-gnu", &output);
  if (status != 0) {
    ADD_FAILURE() << "linking failed: " << output;
    return nullptr;
  }
  library->handle_ = dlopen(library->path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library->handle_) {
    ADD_FAILURE() << "dlopen failed: " << dlerror();
    return nullptr;
  }
  return library;
}

} // namespace pyvc::backends::test
