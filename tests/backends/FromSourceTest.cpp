// From Python source: the frontend's buildIR, the IR passes the compiler runs by default, then
// this backend, compiled for the host and called. Expected values are CPython's, from
//   python3 -c 'from k import *; xs = [0.25, -1.5, 2.0, 0.75, -0.125, 3.5]; print(mean(xs).hex(), ...)'
#include "KernelTestSupport.h"

#include "frontend-py/Frontend.h"
#include "ir/passes/RecognizeAccumulationLoops.h"
#include "ir/passes/SelectReductionOrder.h"

#include <cmath>
#include <cstring>
#include <regex>

namespace pyvc::backends::test {
namespace {

const char *const KernelSource = R"(import math

def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)

def sum_gt(xs: list[float], t: float) -> float:
    return sum(x for x in xs if x > t)

def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [min(max(x, lo), hi) for x in xs]

def zero_crossings(xs: list[float]) -> int:
    n = 0
    for i in range(1, len(xs)):
        if (xs[i - 1] < 0.0) != (xs[i] < 0.0):
            n += 1
    return n

def ewma(xs: list[float], alpha: float) -> float:
    s = xs[0]
    for x in xs[1:]:
        s = alpha * x + (1.0 - alpha) * s
    return s

def rule(temp: float, limit: float) -> bool:
    return temp > limit and not math.isnan(temp)

def fdiv(a: int, b: int) -> int:
    return a // b

def fact(n: int) -> int:
    if n <= 1:
        return 1
    return n * fact(n - 1)

def stats(xs: list[float]) -> tuple[float, float]:
    return min(xs), max(xs)

def accumulate(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        if x > 0.5:
            total += x * x
    return total
)";

class FromSource : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    DiagnosticEngine diagnostics;
    module_ = frontend::buildIR("kernels.py", KernelSource, diagnostics).release();
    if (!module_) {
      for (const Diagnostic &diagnostic : diagnostics.diagnostics())
        ADD_FAILURE() << diagnostic.code << ": " << diagnostic.message << " at line " << diagnostic.primary.span.line;
      return;
    }
    ir::recognizeAccumulationLoops(*module_, false);
    ir::selectReductionOrder(*module_, false);
    library_ = compileForHost(*module_).release();
  }
  static void TearDownTestSuite() {
    delete library_;
    delete module_;
  }
  void SetUp() override { ASSERT_NE(library_, nullptr); }
  static ir::Module *module_;
  static NativeLibrary *library_;
  const std::vector<double> xs_ = {0.25, -1.5, 2.0, 0.75, -0.125, 3.5};
  const double *data() const { return xs_.data(); }
  int64_t size() const { return int64_t(xs_.size()); }
};
ir::Module *FromSource::module_ = nullptr;
NativeLibrary *FromSource::library_ = nullptr;

TEST_F(FromSource, KernelsGiveCPythonsResults) {
  EXPECT_FLOAT_RESULT(callKernel<double>(*library_, "mean", data(), size()), 0x1.a000000000000p-1);
  EXPECT_FLOAT_RESULT(callKernel<double>(*library_, "sum_gt", data(), size(), 0.5), 6.25);
  EXPECT_RESULT(callKernel<int64_t>(*library_, "zero_crossings", data(), size()), 4);
  EXPECT_FLOAT_RESULT(callKernel<double>(*library_, "ewma", data(), size(), 0.25), 0x1.1bd0000000000p+0);
  EXPECT_RESULT(callKernel<uint8_t>(*library_, "rule", 5.0, 1.0), 1);
  EXPECT_RESULT(callKernel<int64_t>(*library_, "fdiv", int64_t(-7), int64_t(2)), -4);
  EXPECT_RESULT(callKernel<int64_t>(*library_, "fact", int64_t(20)), 2432902008176640000LL);
  EXPECT_FLOAT_RESULT(callKernel<double>(*library_, "accumulate", data(), size()), 16.8125);
}

TEST_F(FromSource, ListAndTupleResults) {
  auto clamp = library_->symbol<int32_t (*)(const double *, int64_t, double, double, double **, int64_t *, const char **)>(
      "pyvc_kernels_fn_clamp");
  ASSERT_NE(clamp, nullptr);
  double *out = nullptr;
  int64_t length = 0;
  ASSERT_EQ(clamp(data(), size(), -1.0, 1.0, &out, &length, nullptr), PYVC_OK);
  EXPECT_EQ(std::vector<double>(out, out + length), (std::vector<double>{0.25, -1.0, 1.0, 0.75, -0.125, 1.0}));
  library_->symbol<void (*)(void *)>("pyvc_kernels_free")(out);
  auto stats = library_->symbol<int32_t (*)(const double *, int64_t, double *, double *, const char **)>("pyvc_kernels_fn_stats");
  ASSERT_NE(stats, nullptr);
  double low = 0, high = 0;
  ASSERT_EQ(stats(data(), size(), &low, &high, nullptr), PYVC_OK);
  EXPECT_EQ(low, -1.5);
  EXPECT_EQ(high, 3.5);
}

// CPython's two-argument max and min: the first argument unless the second compares greater
// (smaller), so a NaN first argument and the sign of a zero survive exactly as they do there.
double pythonMax(double a, double b) { return b > a ? b : a; }
double pythonMin(double a, double b) { return b < a ? b : a; }

// clamp is a list comprehension of known length whose element cannot raise: it is lowered as a
// counted fill loop (no append), which must give CPython's values bit for bit at every length
// around the vector width, including NaN and signed zeros.
TEST_F(FromSource, CountedListComprehensionMatchesCPythonAtEveryLength) {
  auto clamp = library_->symbol<int32_t (*)(const double *, int64_t, double, double, double **, int64_t *, const char **)>(
      "pyvc_kernels_fn_clamp");
  ASSERT_NE(clamp, nullptr);
  std::vector<double> xs;
  for (int i = 0; i < 41; ++i)
    xs.push_back(i % 7 == 3 ? std::nan("") : i % 5 == 1 ? -0.0 : (i - 20) * 0.125);
  for (int64_t length = 0; length <= int64_t(xs.size()); ++length) {
    double *out = nullptr;
    int64_t outLength = -1;
    ASSERT_EQ(clamp(xs.data(), length, 0.0, 1.5, &out, &outLength, nullptr), PYVC_OK) << length;
    ASSERT_EQ(outLength, length);
    for (int64_t i = 0; i < length; ++i) {
      double expected = pythonMin(pythonMax(xs[i], 0.0), 1.5);
      EXPECT_EQ(std::memcmp(&out[i], &expected, sizeof(double)), 0) << "length " << length << " index " << i;
    }
    library_->symbol<void (*)(void *)>("pyvc_kernels_free")(out);
  }
}

// The body of one function in an assembly listing (from its label to the next .size).
std::string functionBody(const std::string &assembly, const std::string &name) {
  size_t start = assembly.find("\n" + name + ":");
  if (start == std::string::npos)
    return "";
  return assembly.substr(start, assembly.find(".size\t" + name, start) - start);
}

TEST_F(FromSource, CountedListComprehensionVectorizes) {
  std::string aarch64 = functionBody(
      emitAssembly(*module_, {"aarch64-unknown-linux-gnu", "generic", "+neon"}, 2), "pyvc_kernels_fn_clamp");
  ASSERT_FALSE(aarch64.empty());
  EXPECT_TRUE(std::regex_search(aarch64, std::regex(R"((fcm\w+|fmax\w*|fmin\w*)\s+v\d+\.2d)"))) << aarch64;
  std::string x86 = functionBody(emitAssembly(*module_, {"x86_64-unknown-linux-gnu", "x86-64-v3", ""}, 2),
                                 "pyvc_kernels_fn_clamp");
  ASSERT_FALSE(x86.empty());
  EXPECT_TRUE(std::regex_search(x86, std::regex(R"(v(max|min|cmp\w*|blendv)pd\s+.*ymm)"))) << x86;
}

TEST_F(FromSource, ErrorsMatchCPythonsExceptions) {
  EXPECT_EQ(callKernel<double>(*library_, "mean", data(), int64_t(0)).status, PYVC_ZERO_DIVISION_ERROR);
  EXPECT_RAISES(callKernel<double>(*library_, "ewma", data(), int64_t(0), 0.5), PYVC_INDEX_ERROR,
                "list index out of range");
  EXPECT_RAISES(callKernel<int64_t>(*library_, "fdiv", int64_t(1), int64_t(0)), PYVC_ZERO_DIVISION_ERROR,
                "integer division or modulo by zero");
  EXPECT_RAISES(callKernel<int64_t>(*library_, "fact", int64_t(21)), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_NE(library_->rawSymbol("pyvc_kernels_batch_rule"), nullptr);
  EXPECT_EQ(library_->rawSymbol("pyvc_kernels_batch_mean"), nullptr);
}

} // namespace
} // namespace pyvc::backends::test
