// pyvc-call as a real process: the JSON line protocol, exit codes, and the aarch64 build of
// pyvc-call running the aarch64 test library under qemu-aarch64.
#include "LoaderTestSupport.h"

#include <sys/wait.h>

#include <fstream>
#include <sstream>

using namespace pyvc::loader::testing;

namespace {

struct ProcessResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

std::string quoteShell(const std::string &word) {
  std::string quoted = "'";
  for (char c : word)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string readText(const std::string &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs `command` with `input` on stdin, through files in a temporary directory.
ProcessResult run(const std::vector<std::string> &command, const std::string &input = "") {
  TemporaryDirectory directory;
  std::ofstream(directory.file("in")) << input;
  std::string line;
  for (const std::string &word : command)
    line += quoteShell(word) + " ";
  line += "<" + quoteShell(directory.file("in")) + " >" + quoteShell(directory.file("out")) +
          " 2>" + quoteShell(directory.file("err"));
  int status = std::system(line.c_str());
  ProcessResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = readText(directory.file("out"));
  result.err = readText(directory.file("err"));
  return result;
}

ProcessResult callHost(const std::string &function, const std::string &input) {
  return run({PYVC_CALL, PYVC_TEST_KERNELS, function}, input);
}

// The protocol exchange both the host and the aarch64 build must answer identically.
const char *const ClampInput = "[[-5.0, 0.5, 9, NaN], 0, 1.0]\n"
                               "\n"
                               "[[], 0.0, 1.0]\n"
                               "[[1e300, -Infinity, -0.0], -1e-05, 1e+16]\n"
                               "not json\n"
                               "[[1.0], 0.0]\n"
                               "[[\"a\"], 0.0, 1.0]\n"
                               "[[1.0, 2], 1, 2]\n";
const char *const ClampOutput =
    "{\"ok\": [0.0, 0.5, 1.0, NaN]}\n"
    "{\"ok\": []}\n"
    "{\"ok\": [1e+16, -1e-05, -0.0]}\n"
    "{\"error\": \"InputError\", \"message\": \"expected a JSON array of arguments at column 1\"}\n"
    "{\"error\": \"TypeError\", \"message\": \"clamp() missing 1 required positional argument: "
    "'hi'\"}\n"
    "{\"error\": \"TypeError\", \"message\": \"argument 1 must be a number, a bool or a list, not "
    "str\"}\n"
    "{\"ok\": [1.0, 2.0]}\n";

const char *const MeanInput = "[[1, 2, 4.5]]\n[[]]\n[[0.1, 0.2]]\n[[1.0]] trailing\n";
const char *const MeanOutput =
    "{\"ok\": 2.5}\n"
    "{\"error\": \"ZeroDivisionError\", \"message\": \"division by zero\"}\n"
    "{\"ok\": 0.15000000000000002}\n"
    "{\"error\": \"InputError\", \"message\": \"extra data after the argument array at column "
    "9\"}\n";

const char *const SplitInput = "[2.75]\n[-0.5]\n[NaN]\n[Infinity]\n[1e300]\n";
const char *const SplitOutput =
    "{\"ok\": [2, 0.75]}\n"
    "{\"ok\": [-1, 0.5]}\n"
    "{\"error\": \"ValueError\", \"message\": \"cannot convert float NaN to integer\"}\n"
    "{\"error\": \"OverflowError\", \"message\": \"cannot convert float infinity to integer\"}\n"
    "{\"error\": \"OverflowError\", \"message\": \"int too large to fit in 64 bits\"}\n";

const char *const DivInput = "[7, -2]\n[7.0, 2]\n[1, 0]\n[-9223372036854775808, -1]\n"
                             "[9223372036854775808, 1]\n[true, true]\n";
const char *const DivOutput =
    "{\"ok\": -4}\n"
    "{\"error\": \"TypeError\", \"message\": \"div() argument 'a' must be int, not float\"}\n"
    "{\"error\": \"ZeroDivisionError\", \"message\": \"integer division or modulo by zero\"}\n"
    "{\"error\": \"OverflowError\", \"message\": \"int too large to fit in 64 bits\"}\n"
    "{\"error\": \"OverflowError\", \"message\": \"argument 1: int 9223372036854775808 does not "
    "fit in 64 bits\"}\n"
    "{\"ok\": 1}\n";

} // namespace

TEST(LoaderPyvcCall, LineProtocolWithListsAndSpecialFloats) {
  ProcessResult result = callHost("clamp", ClampInput);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.out, ClampOutput);
}

TEST(LoaderPyvcCall, ErrorsAndMalformedLinesDoNotStopTheStream) {
  ProcessResult mean = callHost("mean", MeanInput);
  EXPECT_EQ(mean.exitCode, 0);
  EXPECT_EQ(mean.out, MeanOutput);
  ProcessResult div = callHost("div", DivInput);
  EXPECT_EQ(div.exitCode, 0);
  EXPECT_EQ(div.out, DivOutput);
}

TEST(LoaderPyvcCall, TupleResultsPrintAsArrays) {
  ProcessResult result = callHost("split", SplitInput);
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.out, SplitOutput);
}

// --batch gives the same answers through the batch variant, errors and malformed lines included.
TEST(LoaderPyvcCall, BatchModeAnswersLikeTheLineByLineMode) {
  ProcessResult div = run({PYVC_CALL, PYVC_TEST_KERNELS, "div", "--batch"}, DivInput);
  EXPECT_EQ(div.exitCode, 0) << div.err;
  EXPECT_EQ(div.out, DivOutput);
  ProcessResult split = run({PYVC_CALL, PYVC_TEST_KERNELS, "split", "--batch"},
                            std::string(SplitInput) + "\nnot json\n[1.5]\n");
  EXPECT_EQ(split.exitCode, 0) << split.err;
  EXPECT_EQ(split.out, std::string(SplitOutput) +
                           "{\"error\": \"InputError\", \"message\": \"expected a JSON array of "
                           "arguments at column 1\"}\n{\"ok\": [1, 0.5]}\n");
  ProcessResult clamp = run({PYVC_CALL, PYVC_TEST_KERNELS, "clamp", "--batch"}, ClampInput);
  EXPECT_EQ(clamp.exitCode, 2);
  EXPECT_NE(clamp.err.find("all scalars"), std::string::npos) << clamp.err;
}

TEST(LoaderPyvcCall, FloatsRoundTripThroughTheProcess) {
  // select(True, x, 0.0) returns x: what goes in must come out spelled as Python's repr.
  const char *spellings[] = {"0.1",
                             "1e+300",
                             "2.0",
                             "-0.0",
                             "5e-324",
                             "1e-05",
                             "0.0001",
                             "1e+16",
                             "NaN",
                             "Infinity",
                             "-Infinity",
                             "1.7976931348623157e+308",
                             "0.30000000000000004"};
  std::string input, expected;
  for (const char *spelling : spellings) {
    input += std::string("[true, ") + spelling + ", 0.0]\n";
    expected += std::string("{\"ok\": ") + spelling + "}\n";
  }
  ProcessResult result = callHost("select", input);
  EXPECT_EQ(result.out, expected);
  ProcessResult ints = callHost("select", "[true, 3, 0.0]\n[false, 0, 12345678901]\n");
  EXPECT_EQ(ints.out, "{\"ok\": 3.0}\n{\"ok\": 12345678901.0}\n");
}

TEST(LoaderPyvcCall, NoneAndBoolResults) {
  EXPECT_EQ(callHost("nothing", "[1.5]\n").out, "{\"ok\": null}\n");
  EXPECT_EQ(callHost("is_positive", "[0.5]\n[-0.0]\n").out, "{\"ok\": true}\n{\"ok\": false}\n");
  EXPECT_EQ(callHost("negate_all", "[[true, false]]\n").out, "{\"ok\": [false, true]}\n");
}

TEST(LoaderPyvcCall, UnknownFunctionIsAUsageErrorListingTheFunctions) {
  ProcessResult result = callHost("median", "");
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("has no function `median`"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("mean(xs: list[float]) -> float"), std::string::npos) << result.err;
  EXPECT_EQ(run({PYVC_CALL}).exitCode, 2);
  EXPECT_EQ(run({PYVC_CALL, PYVC_TEST_KERNELS, "mean", "--bogus"}).exitCode, 2);
}

TEST(LoaderPyvcCall, UnloadableLibraryIsAnEnvironmentError) {
  TemporaryDirectory directory;
  ProcessResult missing = run({PYVC_CALL, directory.file("absent.so"), "mean"});
  EXPECT_EQ(missing.exitCode, 3);
  EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;
  ProcessResult noManifest = run({PYVC_CALL, PYVC_TEST_NO_MANIFEST, "something"});
  EXPECT_EQ(noManifest.exitCode, 3);
  EXPECT_NE(noManifest.err.find("no .pyvc_manifest section"), std::string::npos);
  ProcessResult oldAbi = run({PYVC_CALL, PYVC_TEST_KERNELS_ABI1, "mean"});
  EXPECT_EQ(oldAbi.exitCode, 3);
  EXPECT_NE(oldAbi.err.find("recompile it"), std::string::npos) << oldAbi.err;
  ProcessResult unknownFeature = run({PYVC_CALL, PYVC_TEST_KERNELS_UNKNOWN_FEATURE, "mean"});
  EXPECT_EQ(unknownFeature.exitCode, 3);
  EXPECT_NE(unknownFeature.err.find("needs CPU feature teleportation"), std::string::npos)
      << unknownFeature.err;
}

TEST(LoaderPyvcCall, HelpListAndManifest) {
  ProcessResult help = run({PYVC_CALL, "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("JSON"), std::string::npos);
  ProcessResult list = run({PYVC_CALL, PYVC_TEST_KERNELS, "--list"});
  EXPECT_EQ(list.exitCode, 0);
  EXPECT_NE(list.out.find("  div(a: int, b: int) -> int  [batch]\n"), std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("  minmax(xs: list[float]) -> tuple[float, float]\n"), std::string::npos);
  ProcessResult manifest = run({PYVC_CALL, PYVC_TEST_KERNELS, "--manifest"});
  EXPECT_EQ(manifest.exitCode, 0);
  EXPECT_EQ(manifest.out.rfind("{\"format\": \"pyvc-manifest\"", 0), 0u);
}

// The aarch64 pyvc-call (scripts/build-aarch64.sh) on the aarch64 test library, under qemu: the
// same exchanges must give byte-identical answers.
TEST(LoaderPyvcCall, Aarch64BuildUnderQemuAnswersLikeTheHost) {
  const char *overridePath = std::getenv("PYVC_AARCH64_CALL");
  std::string call = overridePath ? overridePath : PYVC_AARCH64_CALL;
  if (!std::ifstream(call))
    GTEST_SKIP() << call << " is absent: run `bash scripts/build-aarch64.sh` first";
  ASSERT_TRUE(std::ifstream(PYVC_TEST_KERNELS_AARCH64).good())
      << "the aarch64 test library was not built";
  auto callAarch64 = [&](const std::string &function, const std::string &input) {
    return run(
        {"qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", call, PYVC_TEST_KERNELS_AARCH64, function},
        input);
  };
  const std::pair<const char *, std::pair<const char *, const char *>> exchanges[] = {
      {"clamp", {ClampInput, ClampOutput}},
      {"mean", {MeanInput, MeanOutput}},
      {"split", {SplitInput, SplitOutput}},
      {"div", {DivInput, DivOutput}},
  };
  for (const auto &[function, exchange] : exchanges) {
    ProcessResult result = callAarch64(function, exchange.first);
    EXPECT_EQ(result.exitCode, 0) << function << ": " << result.err;
    EXPECT_EQ(result.out, exchange.second) << function;
  }
  for (const auto &[function, exchange] :
       {std::pair{"split", std::pair{SplitInput, SplitOutput}}, {"div", {DivInput, DivOutput}}}) {
    ProcessResult batched = run({"qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", call,
                                 PYVC_TEST_KERNELS_AARCH64, function, "--batch"},
                                exchange.first);
    EXPECT_EQ(batched.out, exchange.second) << function << " --batch: " << batched.err;
  }
  ProcessResult mix = callAarch64("mix", "[1, 1.0, true, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1, "
                                         "true]\n");
  EXPECT_EQ(mix.out, "{\"ok\": 8191.0}\n") << mix.err;
  ProcessResult unknown = callAarch64("median", "");
  EXPECT_EQ(unknown.exitCode, 2);
}
