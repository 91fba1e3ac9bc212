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

#include <llvm/AsmParser/Parser.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Support/SourceMgr.h>
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
  embedManifest(*module, "hypot", kManifest);
  optimizeModule(*module, *machine.value(), optLevel);
  auto object = emitMachineCode(*module, *machine.value(), MachineCodeKind::Object);
  EXPECT_TRUE(object.ok()) << (object.ok() ? "" : object.error().message);
  auto library = linkSharedLibrary(object.value(), "libhypot.so");
  EXPECT_TRUE(library.ok()) << (library.ok() ? "" : library.error().message);
  return library.ok() ? library.value() : std::string();
}

// Loads the hand-built hypot2 library with dlopen, calls pyvc_hypot_fn_hypot2(a, b) and checks the
// answer, the exports and the manifest.
void expectHypotLibraryWorks(const std::string &library, double a, double b, double expected) {
  TemporaryDirectory directory;
  std::string path = directory.path() + "/libhypot.so";
  writeBytes(path, library);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  using Kernel = int (*)(double, double, double *, const char **);
  auto kernel = reinterpret_cast<Kernel>(dlsym(handle, "pyvc_hypot_fn_hypot2"));
  ASSERT_NE(kernel, nullptr);
  double result = 0;
  EXPECT_EQ(kernel(a, b, &result, nullptr), 0);
  EXPECT_EQ(result, expected);
  EXPECT_NE(dlsym(handle, "pyvc_hypot_free"), nullptr);
  EXPECT_EQ(dlsym(handle, "square_helper"), nullptr) << "only pyvc_* symbols are exported";
  auto *manifest = static_cast<const char *>(dlsym(handle, "pyvc_hypot_manifest"));
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
  EXPECT_NE(symbols.find("pyvc_hypot_manifest"), std::string::npos) << symbols;
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
  EXPECT_NE(assembly->find("pyvc_hypot_fn_hypot2:"), std::string::npos);
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

// The names of the functions each unit defines, in unit order: `module` holds the unit left in
// place, `units` the others as bitcode.
std::vector<std::vector<std::string>> unitDefinitions(const llvm::Module &module, const CodegenUnits &units) {
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
  names.insert(names.begin() + static_cast<std::ptrdiff_t>(units.inPlacePosition), definedFunctions(module));
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
    embedManifest(*module, "hypot", kManifest);
    units = splitIntoUnits(*module, CodegenUnitCount);
  }

  std::vector<std::vector<std::string>> definitionsPerUnit() const { return unitDefinitions(*module, units); }
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
    bool hypot = std::find(names.begin(), names.end(), "pyvc_hypot_fn_hypot2") != names.end();
    bool helper = std::find(names.begin(), names.end(), "square_helper") != names.end();
    EXPECT_EQ(hypot, helper) << "an internal helper must be in its caller's unit";
    unitsWithHypot += hypot;
    unitsWithFree += std::find(names.begin(), names.end(), "pyvc_hypot_free") != names.end();
  }
  EXPECT_EQ(unitsWithHypot, 1) << "each definition is in exactly one unit";
  EXPECT_EQ(unitsWithFree, 1) << "each definition is in exactly one unit";
  EXPECT_FALSE(llvm::verifyModule(*split.module, &llvm::errs())) << "the unit left in place is valid IR";
}

TEST(CodegenUnits, ExternalFunctionsSpreadOverUnitsAndStillLink) {
  auto target = findTarget("host");
  ASSERT_TRUE(target.ok());
  // Three external definitions (square_helper, pyvc_hypot_fn_hypot2, pyvc_hypot_free) and the manifest: two
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

namespace {

// `count` dependent adds on %x, ending in %v<count>: a function body of a chosen size.
std::string addChain(int count) {
  std::string body = "  %v0 = add i64 %x, 1\n";
  for (int i = 1; i <= count; ++i)
    body += "  %v" + std::to_string(i) + " = add i64 %v" + std::to_string(i - 1) + ", " + std::to_string(i) + "\n";
  return body;
}

// An external function of about `size` instructions that calls each of `callees` (i64 -> i64).
std::string caller(const std::string &name, int size, const std::vector<std::string> &callees = {}) {
  std::string text = "define i64 @" + name + "(i64 %x) {\n" + addChain(size);
  std::string last = "%v" + std::to_string(size);
  for (size_t i = 0; i < callees.size(); ++i) {
    std::string result = "%c" + std::to_string(i);
    text += "  " + result + " = call i64 @" + callees[i] + "(i64 " + last + ")\n";
    last = result;
  }
  return text + "  ret i64 " + last + "\n}\n";
}

// A function whose body is a counted loop of about `size` instructions; with `fixedLanes` its
// latch carries llvm.loop.unroll.disable, as the backend marks its fixed-lane reductions.
std::string looping(const std::string &name, int size, bool fixedLanes) {
  std::string text = "define i64 @" + name + "(i64 %n) {\nentry:\n  br label %loop\nloop:\n"
                     "  %i = phi i64 [ 0, %entry ], [ %next, %loop ]\n  %x = add i64 %i, %n\n" +
                     addChain(size) + "  %next = add i64 %v" + std::to_string(size) +
                     ", 1\n  %done = icmp sge i64 %next, %n\n  br i1 %done, label %exit, label %loop" +
                     (fixedLanes ? ", !llvm.loop !0" : "") + "\nexit:\n  ret i64 %next\n}\n";
  if (fixedLanes)
    text += "!0 = distinct !{!0, !1}\n!1 = !{!\"llvm.loop.unroll.disable\"}\n";
  return text;
}

struct SplitText {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module;
  CodegenUnits units;
  std::vector<std::vector<std::string>> definitions;

  explicit SplitText(const std::string &text) {
    llvm::SMDiagnostic error;
    module = llvm::parseAssemblyString(text, error, context);
    EXPECT_TRUE(module) << error.getMessage().str();
    if (!module)
      return;
    units = splitIntoUnits(*module, CodegenUnitCount);
    definitions = unitDefinitions(*module, units);
    EXPECT_FALSE(llvm::verifyModule(*module, &llvm::errs())) << "the unit left in place is valid IR";
  }

  // The units that define `name`.
  std::vector<size_t> unitsOf(const std::string &name) const {
    std::vector<size_t> found;
    for (size_t unit = 0; unit < definitions.size(); ++unit)
      if (std::find(definitions[unit].begin(), definitions[unit].end(), name) != definitions[unit].end())
        found.push_back(unit);
    return found;
  }
};

} // namespace

TEST(CodegenUnits, SmallLocalHelpersAreCopiedIntoEachCallersUnit) {
  // Without the copies, the one helper would glue both kernels into one unit.
  SplitText split("define internal i64 @small(i64 %x) {\n" + addChain(3) + "  ret i64 %v3\n}\n" +
                  caller("kernel_a", 40, {"small"}) + caller("kernel_b", 40, {"small"}));
  ASSERT_EQ(split.definitions.size(), 2u);
  EXPECT_NE(split.unitsOf("kernel_a"), split.unitsOf("kernel_b"));
  EXPECT_EQ(split.unitsOf("small"), (std::vector<size_t>{0, 1}));
}

TEST(CodegenUnits, CopiesTakeTheSmallHelpersTheyCallAlong) {
  SplitText split("define internal i64 @inner(i64 %x) {\n" + addChain(3) + "  ret i64 %v3\n}\n" +
                  "define internal i64 @outer(i64 %x) {\n  %r = call i64 @inner(i64 %x)\n  ret i64 %r\n}\n" +
                  caller("kernel_a", 40, {"outer"}) + caller("kernel_b", 40, {"outer"}));
  ASSERT_EQ(split.definitions.size(), 2u);
  EXPECT_NE(split.unitsOf("kernel_a"), split.unitsOf("kernel_b"));
  EXPECT_EQ(split.unitsOf("outer"), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(split.unitsOf("inner"), (std::vector<size_t>{0, 1}));
}

TEST(CodegenUnits, LargeOrRecursiveLocalFunctionsStillGlueTheirCallers) {
  for (const std::string &helper :
       {"define internal i64 @helper(i64 %x) {\n" + addChain(120) + "  ret i64 %v120\n}\n",
        std::string("define internal i64 @helper(i64 %x) {\n  %r = call i64 @helper(i64 %x)\n  ret i64 %r\n}\n")}) {
    SplitText split(helper + caller("kernel_a", 40, {"helper"}) + caller("kernel_b", 40, {"helper"}) +
                    caller("kernel_c", 30));
    EXPECT_EQ(split.unitsOf("kernel_a"), split.unitsOf("kernel_b")) << helper;
    EXPECT_EQ(split.unitsOf("helper"), split.unitsOf("kernel_a")) << "defined once, with its callers";
    EXPECT_NE(split.unitsOf("kernel_c"), split.unitsOf("kernel_a"));
  }
}

TEST(CodegenUnits, LoopsLeftToTheVectorizerWeighTwice) {
  // Instructions alone: the two flat functions (55 each) take a unit each and the loop (~45)
  // joins one of them. Counted twice, the vectorizer's loop outweighs either and gets a unit of
  // its own. A fixed-lane loop (marked) counts once, like straight-line code.
  SplitText weighed(looping("looped", 40, /*fixedLanes=*/false) + caller("flat_a", 55) + caller("flat_b", 55));
  ASSERT_EQ(weighed.definitions.size(), 2u);
  EXPECT_EQ(weighed.definitions[weighed.unitsOf("looped").at(0)], (std::vector<std::string>{"looped"}));

  SplitText marked(looping("looped", 40, /*fixedLanes=*/true) + caller("flat_a", 55) + caller("flat_b", 55));
  ASSERT_EQ(marked.definitions.size(), 2u);
  EXPECT_EQ(marked.definitions[marked.unitsOf("looped").at(0)].size(), 2u);
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
