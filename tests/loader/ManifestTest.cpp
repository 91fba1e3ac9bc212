// Manifest: parsing and validating the JSON document of docs/ABI.md.
#include "LoaderTestSupport.h"

#include "loader/Manifest.h"

using namespace pyvc::loader;

namespace {

// A valid manifest with one function; `functionJson` replaces that function when given.
std::string manifestWith(const std::string &functionJson = "", int abiVersion = 2) {
  std::string function = functionJson.empty()
                             ? R"({"name": "mean", "symbol": "pyvc_rules_fn_mean", "batch_symbol": null,
                                   "params": [{"name": "xs", "type": "list[float]"}],
                                   "returns": "float", "classification": "kernel",
                                   "errors": ["ZeroDivisionError"], "line": 3,
                                   "doc": "Average of the readings."})"
                             : functionJson;
  return R"({"format": "pyvc-manifest", "abi_version": )" + std::to_string(abiVersion) +
         R"json(, "compiler": "pyvc 0.1.0 (LLVM 19.1.7)", "module": "rules",
           "target": {"name": "aarch64-cortex-a72", "triple": "aarch64-unknown-linux-gnu",
                      "cpu": "cortex-a72", "features": ["fp-armv8", "neon"]},
           "options": {"opt_level": 2, "strict_fp": false},
           "source": {"path": "examples/rules.py", "sha256": "abc"},
           "functions": [)json" +
         function + "]}";
}

std::string errorOf(const std::string &json) {
  auto manifest = parseManifest(json);
  return manifest.ok() ? "accepted" : manifest.error().message;
}

} // namespace

TEST(LoaderManifest, ParsesTheDocumentedExample) {
  auto manifest = parseManifest(manifestWith());
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->abiVersion, 2);
  EXPECT_EQ(manifest->module, "rules");
  EXPECT_EQ(manifest->target.features, (std::vector<std::string>{"fp-armv8", "neon"}));
  EXPECT_EQ(manifest->compiler, "pyvc 0.1.0 (LLVM 19.1.7)");
  EXPECT_EQ(manifest->target.architecture(), "aarch64");
  EXPECT_EQ(manifest->target.cpu, "cortex-a72");
  EXPECT_EQ(manifest->sourcePath, "examples/rules.py");
  ASSERT_EQ(manifest->functions.size(), 1u);
  const FunctionDescription &mean = manifest->functions[0];
  EXPECT_EQ(mean.signatureText(), "mean(xs: list[float]) -> float");
  EXPECT_FALSE(mean.batchSymbol.has_value());
  EXPECT_EQ(mean.classification, Classification::Kernel);
  EXPECT_EQ(mean.errors, std::vector<std::string>{"ZeroDivisionError"});
  EXPECT_EQ(mean.line, 3);
  EXPECT_EQ(mean.doc, "Average of the readings.");
  EXPECT_EQ(manifest->find("mean"), &mean);
  EXPECT_EQ(manifest->find("median"), nullptr);
}

TEST(LoaderManifest, UnknownKeysAreIgnored) {
  std::string json = manifestWith(R"({"name": "f", "symbol": "pyvc_rules_fn_f", "params": [],
                                      "returns": "int", "classification": "scalar",
                                      "batch_symbol": "pyvc_rules_batch_f", "errors": [],
                                      "vectorized_loops": [{"line": 4}], "cost": 12})");
  json.insert(1, R"("added_in_a_later_compiler": {"x": [1, 2]}, )");
  auto manifest = parseManifest(json);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->functions[0].batchSymbol, "pyvc_rules_batch_f");
}

TEST(LoaderManifest, WrongAbiVersionIsRefused) {
  EXPECT_EQ(errorOf(manifestWith("", 1)),
            "manifest: the library was built for kernel ABI 1, this loader needs ABI 2: recompile "
            "it with a pyvc of ABI 2");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": "1"})"),
            "manifest: missing integer `abi_version`");
}

TEST(LoaderManifest, MalformedDocumentsAreRefused) {
  EXPECT_EQ(errorOf(""), "manifest: not valid JSON");
  EXPECT_EQ(errorOf("{\"format\": "), "manifest: not valid JSON");
  EXPECT_EQ(errorOf("[1, 2]"), "manifest: the document must be a JSON object");
  EXPECT_EQ(errorOf(R"({"format": "other", "abi_version": 2})"),
            "manifest: `format` must be \"pyvc-manifest\"");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": 2, "functions": []})"),
            "manifest: missing string `module`");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": 2, "module": "a-b"})"),
            "manifest: module `a-b` is not a C identifier");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": 2, "module": "m",
                        "functions": []})"),
            "manifest: missing object `target`");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": 2, "module": "m",
                        "target": {"triple": "x86_64-pc-linux-gnu"}})"),
            "manifest target: missing array `features`");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": 2, "module": "m",
                        "target": {"triple": "x86_64-pc-linux-gnu", "features": ["avx", 2]}})"),
            "manifest target: `features` must be an array of strings");
  EXPECT_EQ(errorOf(R"({"format": "pyvc-manifest", "abi_version": 2, "module": "m",
                        "target": {"triple": "x86_64-pc-linux-gnu", "features": []}})"),
            "manifest: missing array `functions`");
}

TEST(LoaderManifest, FunctionTypesAreValidated) {
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s",
                                     "params": [{"name": "x", "type": "complex"}]})")),
            "function `f` parameter 1: unsupported parameter type `complex`");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s",
                                     "params": [{"name": "x", "type": "tuple[int, int]"}]})")),
            "function `f` parameter 1: unsupported parameter type `tuple[int, int]`");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s", "params": [],
                                     "returns": "list[list[int]]"})")),
            "function `f`: unsupported return type `list[list[int]]`");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s", "params": [],
                                     "returns": "int", "classification": "vector"})")),
            "function `f`: classification must be `scalar` or `kernel`, not `vector`");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s", "batch_symbol": "b",
                                     "params": [{"name": "x", "type": "list[int]"}],
                                     "returns": "int"})")),
            "function `f`: has a batch variant but takes or returns a list");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "params": []})")),
            "function `f`: missing string `symbol`");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "2f", "symbol": "s", "params": []})")),
            "function 1: `2f` is not a Python identifier");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s",
                                     "params": [{"name": "x", "type": "int"},
                                                {"name": "x", "type": "int"}]})")),
            "function `f` parameter 2: duplicate parameter name `x`");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s", "params": [],
                                     "errors": "ValueError"})")),
            "function `f`: `errors` must be an array of exception names");
  EXPECT_EQ(errorOf(manifestWith(R"({"name": "f", "symbol": "s", "params": []},
                                    {"name": "f", "symbol": "t", "params": []})")),
            "manifest: function `f` is listed twice");
}

TEST(LoaderManifest, TypeSpellingsRoundTrip) {
  for (const char *spelling : {"float", "int", "bool", "None", "list[float]", "list[int]",
                               "list[bool]", "tuple[float]", "tuple[float, int, bool]"}) {
    auto type = ValueType::parse(spelling);
    ASSERT_TRUE(type.has_value()) << spelling;
    EXPECT_EQ(type->str(), spelling);
  }
  EXPECT_EQ(ValueType::parse("tuple[int,float]")->str(), "tuple[int, float]");
  for (const char *bad : {"", "list", "list[]", "tuple[]", "tuple[int,]", "list[float", "Float",
                          "list[tuple[int]]", "dict[int, int]"})
    EXPECT_FALSE(ValueType::parse(bad).has_value()) << bad;
}
