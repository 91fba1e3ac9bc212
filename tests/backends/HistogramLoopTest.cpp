// The hot loop of the `histogram` benchmark kernel, read from the assembly: the list header's
// data pointer and length are loaded once before the loop, not once per element, and on x86-64
// int() of a float is cvttsd2si and an integer compare, not two float range compares. Then the
// kernel is called on the edges those two changes touch (-2^63, NaN, infinities, negative and
// out-of-range indices). Python semantics come from the diff corpus; this pins the code shape.
#include "KernelTestSupport.h"

#include "frontend-py/Frontend.h"
#include "ir/analysis/Classification.h"
#include "ir/analysis/PossibleErrors.h"
#include "ir/passes/EliminateBoundsChecks.h"
#include "ir/passes/ProveNoOverflow.h"
#include "ir/passes/RecognizeAccumulationLoops.h"
#include "ir/passes/SelectReductionOrder.h"

#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

namespace pyvc::backends::test {
namespace {

const char *const KernelSource = R"(
def histogram(xs: list[float], lo: float, hi: float, bins: int) -> list[int]:
    counts = [0] * bins
    width = (hi - lo) / bins
    for x in xs:
        if lo <= x < hi:
            counts[int((x - lo) / width)] += 1
    return counts

def bin_unfiltered(xs: list[float], lo: float, width: float) -> list[int]:
    counts = [0] * 8
    for x in xs:
        counts[int((x - lo) / width)] += 1
    return counts

def truncate(x: float) -> int:
    return int(x)

def _fresh(n: int) -> list[int]:
    return [0] * n

def histogram_of_call(xs: list[float], lo: float, hi: float, bins: int) -> list[int]:
    counts = _fresh(bins)
    width = (hi - lo) / bins
    for x in xs:
        if lo <= x < hi:
            counts[int((x - lo) / width)] += 1
    return counts
)";

// The listing of one exported function, from its label to its end.
std::string functionAssembly(const std::string &assembly, const std::string &name) {
  size_t start = assembly.find("\n" + name + ":");
  if (start == std::string::npos)
    return "";
  return assembly.substr(start, assembly.find(".Lfunc_end", start) - start);
}

std::vector<std::string> linesOf(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);
  return lines;
}

// The instructions of the innermost loop that contains `division`: the lines from a label to
// the first branch back to it, for the first such pair that holds the division. Empty if none.
std::vector<std::string> loopWith(const std::string &assembly, const std::regex &division) {
  std::vector<std::string> lines = linesOf(assembly);
  std::regex label(R"(^(\.LBB\w+):)");
  std::regex branch(R"(^\s+(j\w+|b\.\w+|b|cbn?z|tbn?z)\s+(?:\w+,\s*)*(\.LBB\w+)\s*$)");
  std::map<std::string, size_t> labelLine;
  for (size_t index = 0; index < lines.size(); ++index) {
    std::smatch match;
    if (std::regex_search(lines[index], match, label))
      labelLine[match[1]] = index;
    if (!std::regex_search(lines[index], match, branch))
      continue;
    auto target = labelLine.find(match[2]);
    if (target == labelLine.end())
      continue; // a forward branch
    std::vector<std::string> loop(lines.begin() + target->second, lines.begin() + index + 1);
    for (const std::string &line : loop)
      if (std::regex_search(line, division))
        return loop;
  }
  return {};
}

size_t countMatching(const std::vector<std::string> &lines, const std::regex &pattern) {
  size_t count = 0;
  for (const std::string &line : lines)
    count += std::regex_search(line, pattern) ? 1 : 0;
  return count;
}

std::string joined(const std::vector<std::string> &lines) {
  std::string text;
  for (const std::string &line : lines)
    text += line + "\n";
  return text;
}

class HistogramLoop : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    DiagnosticEngine diagnostics;
    module_ = frontend::buildIR("histogram.py", KernelSource, diagnostics).release();
    for (const Diagnostic &diagnostic : diagnostics.diagnostics())
      ADD_FAILURE() << diagnostic.code << ": " << diagnostic.message << " at line " << diagnostic.primary.span.line;
    if (!module_)
      return;
    // The analyses and passes `pyvc compile` runs (compiler/Phases.cpp): the proven `+ 1` of
    // the count is what leaves one read-modify-write in the loop.
    ir::classifyFunctions(*module_);
    ir::selectReductionOrder(*module_, false);
    ir::recognizeAccumulationLoops(*module_, false);
    ir::eliminateBoundsChecks(*module_);
    ir::proveNoOverflow(*module_);
    ir::computePossibleErrors(*module_);
    library_ = compileForHost(*module_, 3).release();
  }
  static void TearDownTestSuite() {
    delete library_;
    delete module_;
  }
  void SetUp() override { ASSERT_NE(library_, nullptr); }

  using ListKernel = int32_t (*)(const double *, int64_t, double, double, int64_t, int64_t **, int64_t *,
                                 const char **);
  using UnfilteredKernel = int32_t (*)(const double *, int64_t, double, double, int64_t **, int64_t *,
                                       const char **);
  // The counts, or the status and message when the call raised.
  struct Counts {
    int32_t status = -1;
    std::vector<int64_t> values;
    std::string message;
  };
  static Counts histogram(const std::vector<double> &xs, double lo, double hi, int64_t bins) {
    auto kernel = library_->symbol<ListKernel>("pyvc_kernels_fn_histogram");
    return collect([&](int64_t **data, int64_t *length, const char **message) {
      return kernel(xs.data(), int64_t(xs.size()), lo, hi, bins, data, length, message);
    });
  }
  static Counts unfiltered(const std::vector<double> &xs, double lo, double width) {
    auto kernel = library_->symbol<UnfilteredKernel>("pyvc_kernels_fn_bin_unfiltered");
    return collect([&](int64_t **data, int64_t *length, const char **message) {
      return kernel(xs.data(), int64_t(xs.size()), lo, width, data, length, message);
    });
  }
  template <typename Call> static Counts collect(Call call) {
    Counts counts;
    int64_t *data = nullptr, length = 0;
    const char *message = nullptr;
    counts.status = call(&data, &length, &message);
    counts.message = message ? message : "";
    if (counts.status == PYVC_OK) {
      counts.values.assign(data, data + length);
      library_->symbol<void (*)(void *)>("pyvc_kernels_free")(data);
    }
    return counts;
  }

  static ir::Module *module_;
  static NativeLibrary *library_;
};
ir::Module *HistogramLoop::module_ = nullptr;
NativeLibrary *HistogramLoop::library_ = nullptr;

TEST_F(HistogramLoop, X86LoopLoadsOnlyTheElementAndTheCount) {
  for (int level : {2, 3}) {
    std::vector<std::string> loop = loopWith(functionAssembly(emitAssembly(*module_, {}, level), "pyvc_kernels_fn_histogram"),
                                             std::regex(R"(\bv?divsd\b)"));
    ASSERT_FALSE(loop.empty()) << "no loop with a division at -O" << level;
    // xs[i] and counts[k] (one read-modify-write): no reload of the header's data or length.
    EXPECT_EQ(countMatching(loop, std::regex(R"(\(%\w+)")), 2u) << "-O" << level << "\n" << joined(loop);
    // int() is the conversion and an integer check: no float compare after the division.
    EXPECT_EQ(countMatching(loop, std::regex(R"(cvttsd2si)")), 1u) << joined(loop);
    bool afterDivision = false;
    for (const std::string &line : loop) {
      afterDivision = afterDivision || std::regex_search(line, std::regex(R"(\bv?divsd\b)"));
      EXPECT_FALSE(afterDivision && std::regex_search(line, std::regex(R"(ucomisd)"))) << line << "\n" << joined(loop);
    }
  }
}

// The list comes back from a call, so LLVM sees no stores that made its header: only the
// backend's assumption that a live header is dereferenceable lets it read data and length once.
// (The count's `+ 1` is not proven here, so the count is read, checked, then stored.)
TEST_F(HistogramLoop, X86LoopOverAListFromACallLoadsNoHeader) {
  std::vector<std::string> loop = loopWith(functionAssembly(emitAssembly(*module_, {}, 3), "pyvc_kernels_fn_histogram_of_call"),
                                           std::regex(R"(\bv?divsd\b)"));
  ASSERT_FALSE(loop.empty());
  EXPECT_EQ(countMatching(loop, std::regex(R"(\(%\w+)")), 3u) << joined(loop);
}

TEST_F(HistogramLoop, Aarch64LoopLoadsOnlyTheElementAndTheCount) {
  std::vector<std::string> loop =
      loopWith(functionAssembly(emitAssembly(*module_, {"aarch64-unknown-linux-gnu", "cortex-a76", "+neon"}, 3),
                                "pyvc_kernels_fn_histogram"),
               std::regex(R"(\bfdiv\s+d)"));
  ASSERT_FALSE(loop.empty());
  // ldr of xs[i], ldr and str of counts[k].
  EXPECT_EQ(countMatching(loop, std::regex(R"(\[)")), 3u) << joined(loop);
  EXPECT_EQ(countMatching(loop, std::regex(R"(\bfcvtzs\b)")), 1u) << joined(loop);
}

TEST_F(HistogramLoop, CountsLikeCPython) {
  // Every x of [lo, hi) lands in its bin; the rest are skipped.
  std::vector<double> xs;
  for (int i = -40; i < 440; ++i)
    xs.push_back(i * 0.0125 - 1.0);
  xs.push_back(std::nan(""));
  xs.push_back(std::numeric_limits<double>::infinity());
  Counts counts = histogram(xs, -1.0, 4.0, 16);
  ASSERT_EQ(counts.status, PYVC_OK) << counts.message;
  std::vector<int64_t> expected(16, 0);
  for (double x : xs)
    if (-1.0 <= x && x < 4.0)
      ++expected[int64_t((x - -1.0) / (5.0 / 16))];
  EXPECT_EQ(counts.values, expected);
  EXPECT_EQ(histogram({}, 0.0, 1.0, -3).values, std::vector<int64_t>{}); // [0] * -3 == []
  EXPECT_EQ(histogram({0.5}, 0.0, 1.0, 0).status, PYVC_ZERO_DIVISION_ERROR);
  auto ofCall = library_->symbol<ListKernel>("pyvc_kernels_fn_histogram_of_call");
  Counts fromCall = collect([&](int64_t **data, int64_t *length, const char **message) {
    return ofCall(xs.data(), int64_t(xs.size()), -1.0, 4.0, 16, data, length, message);
  });
  EXPECT_EQ(fromCall.values, expected);
}

TEST_F(HistogramLoop, IntOfFloatIndexKeepsPythonsErrors) {
  // q = (x - 0) / 1: -0.5 truncates to 0, -1 and -8 count from the end, -9 and 8 are out of range.
  EXPECT_EQ(unfiltered({-0.5, -1.0, -8.0, 7.9}, 0.0, 1.0).values, (std::vector<int64_t>{2, 0, 0, 0, 0, 0, 0, 2}));
  Counts outside = unfiltered({1.0, 8.0}, 0.0, 1.0);
  EXPECT_EQ(outside.status, PYVC_INDEX_ERROR);
  EXPECT_EQ(outside.message, "list index out of range"); // `+=` reads counts[k] first
  EXPECT_EQ(unfiltered({-9.0}, 0.0, 1.0).status, PYVC_INDEX_ERROR);
  Counts nan = unfiltered({1.0, std::nan("")}, 0.0, 1.0);
  EXPECT_EQ(nan.status, PYVC_VALUE_ERROR);
  EXPECT_EQ(nan.message, "cannot convert float NaN to integer");
  Counts infinity = unfiltered({-std::numeric_limits<double>::infinity()}, 0.0, 1.0);
  EXPECT_EQ(infinity.status, PYVC_OVERFLOW_ERROR);
  EXPECT_EQ(infinity.message, "cannot convert float infinity to integer");
  EXPECT_EQ(unfiltered({0x1p63}, 0.0, 1.0).status, PYVC_OVERFLOW_ERROR);
  // int(-2^63) is a valid int (cvttsd2si's out-of-range answer too), so this is an IndexError.
  EXPECT_EQ(unfiltered({-0x1p63}, 0.0, 1.0).status, PYVC_INDEX_ERROR);
}

TEST_F(HistogramLoop, TruncationAtTheEdgesOfInt64) {
  EXPECT_RESULT(callKernel<int64_t>(*library_, "truncate", -0x1p63), std::numeric_limits<int64_t>::min());
  EXPECT_RESULT(callKernel<int64_t>(*library_, "truncate", 0x1p63 - 1024), int64_t(0x7ffffffffffffc00));
  EXPECT_RESULT(callKernel<int64_t>(*library_, "truncate", -2.75), -2);
  EXPECT_RESULT(callKernel<int64_t>(*library_, "truncate", -0.0), 0);
  EXPECT_RAISES(callKernel<int64_t>(*library_, "truncate", 0x1p63), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_RAISES(callKernel<int64_t>(*library_, "truncate", -0x1p63 - 2048), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_RAISES(callKernel<int64_t>(*library_, "truncate", std::nan("")), PYVC_VALUE_ERROR,
                "cannot convert float NaN to integer");
  EXPECT_RAISES(callKernel<int64_t>(*library_, "truncate", std::numeric_limits<double>::infinity()),
                PYVC_OVERFLOW_ERROR, "cannot convert float infinity to integer");
}

} // namespace
} // namespace pyvc::backends::test
