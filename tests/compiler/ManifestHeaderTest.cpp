// The manifest JSON (docs/ABI.md fields) and the C header, from hand-built, analysed IR.
#include "SampleModules.h"
#include "TestSupport.h"
#include "compiler/Header.h"
#include "compiler/Manifest.h"
#include "compiler/Sha256.h"
#include "compiler/Targets.h"
#include "ir/analysis/Classification.h"
#include "ir/analysis/PossibleErrors.h"

#include <gtest/gtest.h>
#include <llvm/Target/TargetMachine.h>
#include <nlohmann/json.hpp>

using namespace pyvc;
using namespace pyvc::compiler;
using namespace pyvc::ir::testing;
using namespace pyvc::compiler::testing;

namespace {

std::unique_ptr<ir::Module> analysedSamples() {
  auto module = std::make_unique<ir::Module>();
  module->sourcePath = "kernels/stats.py";
  addMean(*module);
  uint32_t fact = addFactorial(*module);
  addScaledFactorial(*module, fact);
  // def minmax(a: float, default: int) -> tuple[float, int]: return (a, default)
  FunctionBuilder pair(*module, "minmax", ir::Type::tuple({ir::TypeKind::Float, ir::TypeKind::Int}));
  ir::LocalId a = pair.param("a", ir::Type::floating());
  ir::LocalId keyword = pair.param("default", ir::Type::integer());
  auto *tuple = module->make<ir::TupleMakeExpr>(pair.fn().returnType, pair.at(2));
  tuple->members = {pair.ref(a), pair.ref(keyword)};
  pair.fn().body = {pair.ret(tuple)};
  module->functions[0].docstring = "Average of the readings.";
  ir::classifyFunctions(*module);
  ir::computePossibleErrors(*module);
  return module;
}

} // namespace

TEST(Manifest, FieldsFollowTheAbiDocument) {
  auto module = analysedSamples();
  auto target = findTarget("aarch64-cortex-a72");
  ASSERT_TRUE(target.ok());
  std::string text = buildManifest(
      *module, {"stats", target.value(), {"fp-armv8", "neon"}, 3, true, "kernels/stats.py", sha256Hex("src")});
  auto manifest = nlohmann::json::parse(text);
  EXPECT_EQ(manifest["format"], "pyvc-manifest");
  EXPECT_EQ(manifest["abi_version"], 2);
  EXPECT_EQ(manifest["compiler"], compilerVersion());
  EXPECT_EQ(manifest["module"], "stats");
  EXPECT_EQ(manifest["target"]["features"], nlohmann::json::parse(R"(["fp-armv8", "neon"])"));
  EXPECT_EQ(compilerVersion().rfind("pyvc 0.1.0 (LLVM 19.1.", 0), 0u);
  EXPECT_EQ(manifest["target"]["name"], "aarch64-cortex-a72");
  EXPECT_EQ(manifest["target"]["triple"], "aarch64-unknown-linux-gnu");
  EXPECT_EQ(manifest["target"]["cpu"], "cortex-a72");
  EXPECT_EQ(manifest["options"]["opt_level"], 3);
  EXPECT_EQ(manifest["options"]["strict_fp"], true);
  EXPECT_EQ(manifest["source"]["path"], "kernels/stats.py");
  EXPECT_EQ(manifest["source"]["sha256"], sha256Hex("src"));
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  const auto &functions = manifest["functions"];
  ASSERT_EQ(functions.size(), 4u);
  const auto &mean = functions[0];
  EXPECT_EQ(mean["name"], "mean");
  EXPECT_EQ(mean["symbol"], "pyvc_stats_fn_mean");
  EXPECT_TRUE(mean["batch_symbol"].is_null());
  EXPECT_EQ(mean["params"], nlohmann::json::parse(R"([{"name": "xs", "type": "list[float]"}])"));
  EXPECT_EQ(mean["returns"], "float");
  EXPECT_EQ(mean["classification"], "kernel");
  EXPECT_EQ(mean["errors"], nlohmann::json::parse(R"(["ZeroDivisionError"])"));
  EXPECT_EQ(mean["line"], 1);
  EXPECT_EQ(mean["doc"], "Average of the readings.");
  const auto &fact = functions[1];
  EXPECT_EQ(fact["batch_symbol"], "pyvc_stats_batch_fact");
  EXPECT_EQ(fact["classification"], "scalar");
  EXPECT_EQ(fact["errors"], nlohmann::json::parse(R"(["OverflowError", "RecursionError"])"));
  EXPECT_EQ(functions[3]["returns"], "tuple[float, int]");
  EXPECT_EQ(functions[3]["batch_symbol"], "pyvc_stats_batch_minmax");
}

TEST(Manifest, KeyOrderIsStableAndInvalidUtf8IsReplaced) {
  auto module = analysedSamples();
  module->functions[0].docstring = "bad \xff byte";
  auto target = findTarget("x86-64");
  std::string text = buildManifest(*module, {"a", target.value(), {}, 2, false, "a.py", "00"});
  EXPECT_LT(text.find("\"format\""), text.find("\"abi_version\""));
  EXPECT_LT(text.find("\"abi_version\""), text.find("\"functions\""));
  EXPECT_TRUE(nlohmann::json::accept(text));
  EXPECT_EQ(text, buildManifest(*module, {"a", target.value(), {}, 2, false, "a.py", "00"}));
}

TEST(Header, DeclaresEveryExportAndCompilesWithGcc) {
  auto module = analysedSamples();
  std::string header = emitHeader(*module, "stats");
  EXPECT_NE(header.find("pyvc_status pyvc_stats_fn_mean(const double *xs_data, int64_t xs_length, double *out, "
                        "const char **message);"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("pyvc_status pyvc_stats_batch_fact(const int64_t *n, int64_t count, int64_t *out, "
                        "int64_t *error_index, const char **message);"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("pyvc_status pyvc_stats_fn_minmax(double a, int64_t default_, double *out0, int64_t *out1, "
                        "const char **message);"),
            std::string::npos)
      << header;
  EXPECT_EQ(header.find("pyvc_stats_batch_mean"), std::string::npos);
  EXPECT_NE(header.find("void pyvc_stats_free(void *data);\nextern const char pyvc_stats_manifest[];\n"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("#ifndef PYVC_KERNELS_STATS_H"), std::string::npos);

  TemporaryDirectory directory;
  std::string path = directory.path() + "/stats.h";
  writeBytes(path, header);
  // On its own (inline typedef), with the ABI header on the path, and as C++.
  for (std::string flags : {std::string("-x c -std=c99"),
                            "-x c -std=c11 -I" + std::string(PYVC_TEST_ABI_INCLUDE_DIR),
                            std::string("-x c++ -std=c++17")}) {
    CommandResult result = runShell("gcc -fsyntax-only -Wall -Wextra -Werror " + flags + " " + path + " 2>&1");
    EXPECT_EQ(result.exitCode, 0) << flags << "\n" << result.output;
  }
}

TEST(Manifest, ModuleNameIsTheFileNameMadeACIdentifier) {
  EXPECT_EQ(moduleNameFromPath("windows.py"), "windows");
  EXPECT_EQ(moduleNameFromPath("kernels/sensor-rules.py"), "sensor_rules");
  EXPECT_EQ(moduleNameFromPath("/tmp/a.b/2x.v2.py"), "_2x_v2");
  EXPECT_EQ(moduleNameFromPath("rules"), "rules");
  EXPECT_EQ(moduleNameFromPath("dir/.py"), "_py");
  CompileOptions options;
  options.sourcePath = "kernels/windows.py";
  EXPECT_EQ(moduleNameFor(options), "windows");
  options.moduleName = "gateway_rules";
  EXPECT_EQ(moduleNameFor(options), "gateway_rules");
}

// The features recorded are those the target machine has enabled: a CPU's implied ones included
// (x86-64-v3 implies avx2, fma and the SSE levels), not what this build machine has.
TEST(Manifest, CpuFeaturesComeFromTheTargetMachine) {
  auto featuresOf = [](const std::string &name) {
    auto target = findTarget(name);
    EXPECT_TRUE(target.ok()) << name;
    auto machine = createTargetMachine(target.value(), 2);
    EXPECT_TRUE(machine.ok()) << name;
    return enabledCpuFeatures(*machine.value());
  };
  EXPECT_EQ(featuresOf("x86-64"), (std::vector<std::string>{"cmov", "cx8", "sse", "sse2"}));
  EXPECT_EQ(featuresOf("x86-64-v3"),
            (std::vector<std::string>{"cmov", "cx8", "sse", "sse2", "sse3", "ssse3", "sse4.1", "sse4.2",
                                      "popcnt", "cx16", "movbe", "avx", "fma", "f16c", "sahf", "lzcnt",
                                      "bmi", "bmi2", "avx2"}));
  EXPECT_EQ(featuresOf("aarch64"), (std::vector<std::string>{"fp-armv8", "neon"}));
  EXPECT_EQ(featuresOf("aarch64-cortex-a72"), (std::vector<std::string>{"fp-armv8", "neon"}));
  EXPECT_EQ(featuresOf("aarch64-cortex-a76"),
            (std::vector<std::string>{"fp-armv8", "neon", "lse", "fullfp16", "rdm", "rcpc", "dotprod"}));
}
