// Codegen and in-process lld on a hand-built LLVM module: the .so loads with dlopen, exports only
// pyvc_* symbols, carries the manifest in its section, needs only libc/libm, and is the same
// bytes every time. The aarch64 build must be an AArch64 ELF. Codegen units keep internal
// functions with their users and link into a library that works.
#include "HandBuiltModule.h"
#include "TestSupport.h"
#include "compiler/Codegen.h"
#include "compiler/CodegenUnits.h"
#include "compiler/Linker.h"
#include "compiler/Manifest.h"
#include "compiler/Optimizer.h"
#include "compiler/Targets.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Target/TargetMachine.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <dlfcn.h>

using namespace pyvc::compiler;
using namespace pyvc::compiler::testing;

namespace {

const char *kManifest = "{\"format\": \"pyvc-manifest\", \"functions\": []}\n";

// Builds, optimises, codegens and links the hand-built module for `targetName`.
std::string buildLibrary(const std::string &targetName, int optLevel = 2) {
  auto target = findTarget(targetName);
  EXPECT_TRUE(target.ok());
  auto machine = createTargetMachine(target.value(), optLevel);
  EXPECT_TRUE(machine.ok());
  llvm::LLVMContext context;
  auto module = buildHypotModule(context);
  module->setDataLayout(machine.value()->createDataLayout());
  module->setTargetTriple(target->triple);
  embedManifest(*module, kManifest);
  optimizeModule(*module, *machine.value(), optLevel);
  auto object = emitMachineCode(*module, *machine.value(), MachineCodeKind::Object);
  EXPECT_TRUE(object.ok()) << (object.ok() ? "" : object.error().message);
  auto library = linkSharedLibrary(object.value(), "libhypot.so");
  EXPECT_TRUE(library.ok()) << (library.ok() ? "" : library.error().message);
  return library.ok() ? library.value() : std::string();
}

// Loads the hand-built hypot2 library with dlopen, calls pyvc_fn_hypot2(a, b) and checks the
// answer, the exports and the manifest.
void expectHypotLibraryWorks(const std::string &library, double a, double b, double expected) {
  TemporaryDirectory directory;
  std::string path = directory.path() + "/libhypot.so";
  writeBytes(path, library);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  using Kernel = int (*)(double, double, double *, const char **);
  auto kernel = reinterpret_cast<Kernel>(dlsym(handle, "pyvc_fn_hypot2"));
  ASSERT_NE(kernel, nullptr);
  double result = 0;
  EXPECT_EQ(kernel(a, b, &result, nullptr), 0);
  EXPECT_EQ(result, expected);
  EXPECT_NE(dlsym(handle, "pyvc_free"), nullptr);
  EXPECT_EQ(dlsym(handle, "square_helper"), nullptr) << "only pyvc_* symbols are exported";
  auto *manifest = static_cast<const char *>(dlsym(handle, "pyvc_manifest"));
  ASSERT_NE(manifest, nullptr);
  EXPECT_STREQ(manifest, kManifest);
  dlclose(handle);
}

} // namespace

TEST(CodegenLink, HostLibraryLoadsAndComputes) {
  expectHypotLibraryWorks(buildLibrary("host"), 3.0, 4.0, 5.0);
}

TEST(CodegenLink, ManifestSectionNeededAndSoname) {
  TemporaryDirectory directory;
  std::string path = directory.path() + "/libhypot.so";
  writeBytes(path, buildLibrary("x86-64"));
  EXPECT_EQ(readElfSection(path, ".pyvc_manifest"), std::string(kManifest) + '\0');
  std::string dynamic = runCommand("llvm-readelf-19 -d " + path);
  EXPECT_EQ(neededLibraries(dynamic), (std::vector<std::string>{"libc.so.6", "libm.so.6"})) << dynamic;
  EXPECT_NE(dynamic.find("Library soname: [libhypot.so]"), std::string::npos) << dynamic;
  std::string symbols = runCommand("llvm-readelf-19 --dyn-syms " + path);
  EXPECT_EQ(symbols.find("square_helper"), std::string::npos) << symbols;
  EXPECT_NE(symbols.find("pyvc_manifest"), std::string::npos) << symbols;
}

TEST(CodegenLink, SameInputSameBytes) {
  std::string first = buildLibrary("x86-64-v3");
  std::string second = buildLibrary("x86-64-v3");
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(first == second) << "two links of the same module differ";
}

TEST(CodegenLink, Aarch64LibraryIsAnAarch64Elf) {
  std::string library = buildLibrary("aarch64-cortex-a72");
  ASSERT_GE(library.size(), 64u);
  EXPECT_EQ(library.substr(0, 4), "\x7f" "ELF");
  EXPECT_EQ(static_cast<unsigned char>(library[18]) | (static_cast<unsigned char>(library[19]) << 8),
            183) << "e_machine must be EM_AARCH64";
  EXPECT_EQ(library[16], 3) << "e_type must be ET_DYN";
}

TEST(CodegenLink, AssemblyIsText) {
  auto target = findTarget("aarch64");
  ASSERT_TRUE(target.ok());
  auto machine = createTargetMachine(target.value(), 2);
  ASSERT_TRUE(machine.ok());
  llvm::LLVMContext context;
  auto module = buildHypotModule(context);
  auto assembly = emitMachineCode(*module, *machine.value(), MachineCodeKind::Assembly);
  ASSERT_TRUE(assembly.ok());
  EXPECT_NE(assembly->find("pyvc_fn_hypot2:"), std::string::npos);
  EXPECT_NE(assembly->find("fmul"), std::string::npos) << "AArch64 float multiply expected";
}

TEST(CodegenLink, LinkerRejectsNonElfInput) {
  auto library = linkSharedLibrary("not an object at all, just text", "x.so");
  ASSERT_FALSE(library.ok());
  EXPECT_NE(library.error().message.find("not a 64-bit ELF"), std::string::npos);
  // A truncated object reaches lld, which must fail cleanly rather than crash.
  std::string truncated = buildLibrary("x86-64").substr(0, 200);
  auto broken = linkSharedLibrary(truncated, "x.so");
  EXPECT_FALSE(broken.ok());
}

namespace {

std::vector<std::string> definedFunctions(const llvm::Module &module) {
  std::vector<std::string> names;
  for (const llvm::Function &function : module)
    if (!function.isDeclaration())
      names.push_back(function.getName().str());
  return names;
}

// The hand-built module split into units: the one left in the module and the others as bitcode.
struct SplitHypot {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module;
  CodegenUnits units;

  SplitHypot(const TargetDescription &target, bool internalHelper) {
    module = buildHypotModule(context);
    module->setTargetTriple(target.triple);
    if (internalHelper)
      module->getFunction("square_helper")->setLinkage(llvm::GlobalValue::InternalLinkage);
    embedManifest(*module, kManifest);
    units = splitIntoUnits(*module, CodegenUnitCount);
  }

  // The names of the functions each unit defines, in unit order.
  std::vector<std::vector<std::string>> definitionsPerUnit() const {
    std::vector<std::vector<std::string>> names;
    for (const std::string &bitcode : units.bitcode) {
      llvm::LLVMContext unitContext;
      auto unit = llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "unit"), unitContext);
      EXPECT_TRUE(static_cast<bool>(unit));
      if (!unit) {
        llvm::consumeError(unit.takeError());
        continue;
      }
      names.push_back(definedFunctions(**unit));
    }
    names.insert(names.begin() + static_cast<std::ptrdiff_t>(units.inPlacePosition), definedFunctions(*module));
    return names;
  }
};

} // namespace

TEST(CodegenUnits, InternalFunctionsStayWithTheirUsers) {
  auto target = findTarget("x86-64");
  ASSERT_TRUE(target.ok());
  SplitHypot split(target.value(), /*internalHelper=*/true);
  std::vector<std::vector<std::string>> units = split.definitionsPerUnit();
  ASSERT_LE(units.size(), CodegenUnitCount);
  int unitsWithHypot = 0, unitsWithFree = 0;
  for (const std::vector<std::string> &names : units) {
    bool hypot = std::find(names.begin(), names.end(), "pyvc_fn_hypot2") != names.end();
    bool helper = std::find(names.begin(), names.end(), "square_helper") != names.end();
    EXPECT_EQ(hypot, helper) << "an internal helper must be in its caller's unit";
    unitsWithHypot += hypot;
    unitsWithFree += std::find(names.begin(), names.end(), "pyvc_free") != names.end();
  }
  EXPECT_EQ(unitsWithHypot, 1) << "each definition is in exactly one unit";
  EXPECT_EQ(unitsWithFree, 1) << "each definition is in exactly one unit";
  EXPECT_FALSE(llvm::verifyModule(*split.module, &llvm::errs())) << "the unit left in place is valid IR";
}

TEST(CodegenUnits, ExternalFunctionsSpreadOverUnitsAndStillLink) {
  auto target = findTarget("host");
  ASSERT_TRUE(target.ok());
  // Three external definitions (square_helper, pyvc_fn_hypot2, pyvc_free) and the manifest: two
  // units, and the kernel calls square_helper across units if they were split apart.
  auto build = [&] {
    SplitHypot split(target.value(), /*internalHelper=*/false);
    EXPECT_EQ(split.units.bitcode.size() + 1, CodegenUnitCount);
    auto machine = createTargetMachine(target.value(), 2);
    EXPECT_TRUE(machine.ok());
    auto objects = compileUnits(*split.module, *machine.value(), split.units, target.value(), 2);
    EXPECT_TRUE(objects.ok()) << (objects.ok() ? "" : objects.error().message);
    EXPECT_EQ(objects.ok() ? objects->size() : 0u, CodegenUnitCount);
    auto library = linkSharedLibrary(objects.ok() ? objects.value() : std::vector<std::string>{}, "libhypot.so");
    EXPECT_TRUE(library.ok()) << (library.ok() ? "" : library.error().message);
    return library.ok() ? library.value() : std::string();
  };
  std::string library = build();
  ASSERT_FALSE(library.empty());
  EXPECT_TRUE(library == build()) << "the same module must link to the same bytes";

  expectHypotLibraryWorks(library, 6.0, 8.0, 10.0);
}

TEST(CodegenUnits, LinkerRejectsObjectsOfTwoMachines) {
  std::string x86 = buildLibrary("x86-64"), arm = buildLibrary("aarch64");
  auto library = linkSharedLibrary(std::vector<std::string>{x86, arm}, "x.so");
  ASSERT_FALSE(library.ok());
  EXPECT_NE(library.error().message.find("same machine"), std::string::npos) << library.error().message;
}

TEST(Targets, TableAndUnknownNames) {
  EXPECT_EQ(targetNames().front(), "host");
  for (const std::string &name : targetNames())
    EXPECT_TRUE(findTarget(name).ok()) << name << " is listed but not in the table";
  auto a76 = findTarget("aarch64-cortex-a76");
  ASSERT_TRUE(a76.ok());
  EXPECT_EQ(a76->triple, "aarch64-unknown-linux-gnu");
  EXPECT_EQ(a76->cpu, "cortex-a76");
  auto unknown = findTarget("riscv64");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown target `riscv64`"), std::string::npos);
}
