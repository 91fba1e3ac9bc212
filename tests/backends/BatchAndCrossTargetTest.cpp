// Batch variants (pyvc_kernels_batch_<name>: element-wise over arrays, stopping at the first error) and
// cross-target bit identity: the same FixedLanes sums and batch results computed by an aarch64
// build run under qemu-aarch64 must equal the x86-64 ones bit for bit.
#include "KernelTestSupport.h"
#include "ReductionKernels.h"

#include <fstream>
#include <map>
#include <sstream>

namespace pyvc::backends::test {
namespace {

using ir::BinaryOp;
using ir::Type;

void buildBatchKernels(ir::Module &module) {
  buildReductionKernels(module); // includes scaled(x, a) = x * a + 1.0
  KernelBuilder k(module);
  k.function("inverse", Type::floating()); // return 1.0 / x
  k.ret(k.binary(BinaryOp::TrueDiv, k.f64(1.0), k.ref(k.param("x", Type::floating()))));
  // def split(x: float) -> tuple[int, bool]: return (int(x), x > 0.0)
  k.function("split", Type::tuple({ir::TypeKind::Int, ir::TypeKind::Bool}));
  ir::LocalId x = k.param("x", Type::floating());
  k.ret(k.tuple({k.convert(ir::ConvertOp::FloatToInt, k.ref(x)), k.compare(ir::CompareOp::Gt, k.ref(x), k.f64(0.0))}));
  // def choose(c: bool, a: int) -> int: return a if c else -a
  k.function("choose", Type::integer());
  ir::LocalId c = k.param("c", Type::boolean()), a = k.param("a", Type::integer());
  k.ret(k.select(k.ref(c), k.ref(a), k.unary(ir::UnaryOp::Neg, k.ref(a))));
  // def listy(xs: list[float]) -> float: return 0.0   (no batch variant: a list parameter)
  k.function("listy", Type::floating());
  k.param("xs", Type::list(ir::TypeKind::Float));
  k.ret(k.f64(0.0));
}

class BatchKernels : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    module_ = new ir::Module;
    buildBatchKernels(*module_);
    library_ = compileForHost(*module_).release();
  }
  static void TearDownTestSuite() {
    delete library_;
    delete module_;
  }
  void SetUp() override { ASSERT_NE(library_, nullptr); }
  static ir::Module *module_;
  static NativeLibrary *library_;
};
ir::Module *BatchKernels::module_ = nullptr;
NativeLibrary *BatchKernels::library_ = nullptr;

TEST_F(BatchKernels, EvaluatesEveryElement) {
  auto scaled = library_->symbol<int32_t (*)(const double *, const double *, int64_t, double *, int64_t *, const char **)>(
      "pyvc_kernels_batch_scaled");
  ASSERT_NE(scaled, nullptr);
  std::vector<double> xs = pseudoRandomDoubles(1003, 1), as = pseudoRandomDoubles(1003, 2), out(1003);
  int64_t errorIndex = -1;
  EXPECT_EQ(scaled(xs.data(), as.data(), 1003, out.data(), &errorIndex, nullptr), PYVC_OK);
  EXPECT_EQ(errorIndex, -1) << "untouched on success";
  for (size_t i = 0; i < xs.size(); ++i)
    ASSERT_EQ(bitsOf(out[i]), bitsOf(xs[i] * as[i] + 1.0)) << i;
  EXPECT_EQ(scaled(nullptr, nullptr, 0, nullptr, nullptr, nullptr), PYVC_OK);
}

TEST_F(BatchKernels, StopsAtTheFirstError) {
  auto inverse = library_->symbol<int32_t (*)(const double *, int64_t, double *, int64_t *, const char **)>(
      "pyvc_kernels_batch_inverse");
  ASSERT_NE(inverse, nullptr);
  std::vector<double> xs = {2.0, 4.0, 0.0, 8.0, 0.0}, out(5, 7.0);
  int64_t errorIndex = -1;
  const char *message = nullptr;
  EXPECT_EQ(inverse(xs.data(), 5, out.data(), &errorIndex, &message), PYVC_ZERO_DIVISION_ERROR);
  EXPECT_EQ(errorIndex, 2);
  EXPECT_STREQ(message, "float division by zero");
  EXPECT_EQ(out[0], 0.5);
  EXPECT_EQ(out[1], 0.25);
  EXPECT_EQ(out[3], 7.0) << "nothing after the failing element is written";
  EXPECT_EQ(inverse(xs.data(), 5, out.data(), nullptr, nullptr), PYVC_ZERO_DIVISION_ERROR);
}

TEST_F(BatchKernels, TupleResultsAndBoolArguments) {
  auto split = library_->symbol<int32_t (*)(const double *, int64_t, int64_t *, uint8_t *, int64_t *, const char **)>(
      "pyvc_kernels_batch_split");
  ASSERT_NE(split, nullptr);
  std::vector<double> xs = {2.5, -1.5, 0.0};
  std::vector<int64_t> whole(3);
  std::vector<uint8_t> positive(3);
  EXPECT_EQ(split(xs.data(), 3, whole.data(), positive.data(), nullptr, nullptr), PYVC_OK);
  EXPECT_EQ(whole, (std::vector<int64_t>{2, -1, 0}));
  EXPECT_EQ(positive, (std::vector<uint8_t>{1, 0, 0}));
  auto choose = library_->symbol<int32_t (*)(const uint8_t *, const int64_t *, int64_t, int64_t *, int64_t *, const char **)>(
      "pyvc_kernels_batch_choose");
  ASSERT_NE(choose, nullptr);
  std::vector<uint8_t> conditions = {1, 0, 1};
  std::vector<int64_t> values = {5, 6, INT64_MIN}, out(3);
  int64_t errorIndex = -1;
  EXPECT_EQ(choose(conditions.data(), values.data(), 3, out.data(), &errorIndex, nullptr), PYVC_OK);
  EXPECT_EQ(out, (std::vector<int64_t>{5, -6, INT64_MIN}));
  conditions[2] = 0; // -INT64_MIN overflows
  EXPECT_EQ(choose(conditions.data(), values.data(), 3, out.data(), &errorIndex, nullptr), PYVC_OVERFLOW_ERROR);
  EXPECT_EQ(errorIndex, 2);
  EXPECT_EQ(library_->rawSymbol("pyvc_kernels_batch_listy"), nullptr) << "list parameters get no batch variant";
  EXPECT_NE(library_->rawSymbol("pyvc_kernels_fn_listy"), nullptr);
}

// A C program, built for aarch64, prints "name n bits" lines for the kernels on the same data.
const char *const CrossTargetDriver = R"(
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int32_t pyvc_kernels_fn_fsum_lanes(const double *, int64_t, double *, const char **);
int32_t pyvc_kernels_fn_sum_gt(const double *, int64_t, double, double *, const char **);
int32_t pyvc_kernels_batch_scaled(const double *, const double *, int64_t, double *, int64_t *, const char **);
static void fill(double *values, size_t count, uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = 0; i < count; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    values[i] = (double)(state >> 11) * 0x1p-53 * 2000.0 - 1000.0;
  }
}
static unsigned long long bits(double value) { unsigned long long b; memcpy(&b, &value, 8); return b; }
int main(void) {
  static const size_t counts[] = {0, 1, 15, 16, 17, 100, 1000, 100003};
  for (size_t c = 0; c < sizeof counts / sizeof *counts; ++c) {
    size_t n = counts[c];
    double *xs = malloc((n + 1) * sizeof *xs), *as = malloc((n + 1) * sizeof *as), *out = malloc((n + 1) * sizeof *out);
    fill(xs, n, n + 1);
    fill(as, n, n + 2);
    double sum = 0, gt = 0, batch = 0;
    if (pyvc_kernels_fn_fsum_lanes(xs, (int64_t)n, &sum, 0) || pyvc_kernels_fn_sum_gt(xs, (int64_t)n, 100.0, &gt, 0) ||
        pyvc_kernels_batch_scaled(xs, as, (int64_t)n, out, 0, 0))
      return 2;
    for (size_t i = 0; i < n; ++i) /* fold the batch outputs into one checksum of bits */
      batch = batch * 0.5 + out[i];
    printf("fsum_lanes %zu %016llx\nsum_gt %zu %016llx\nbatch %zu %016llx\n", n, bits(sum), n, bits(gt), n, bits(batch));
    free(xs), free(as), free(out);
  }
  return 0;
}
)";

TEST(CrossTarget, FixedLaneSumsAndBatchesAreBitIdenticalOnAarch64) {
  if (runCommand("command -v qemu-aarch64 && command -v aarch64-linux-gnu-gcc") != 0)
    GTEST_SKIP() << "qemu-aarch64 or aarch64-linux-gnu-gcc missing";
  ir::Module module;
  buildReductionKernels(module);
  TemporaryDirectory directory;
  std::string object = directory.path() + "/kernel.o", driver = directory.path() + "/driver.c";
  std::string program = directory.path() + "/driver";
  ASSERT_TRUE(emitObject(module, {"aarch64-unknown-linux-gnu", "cortex-a72", "+neon"}, 2, object));
  std::ofstream(driver) << CrossTargetDriver;
  std::string output;
  // -ffp-contract=off: gcc must not fuse the driver's own arithmetic either.
  ASSERT_EQ(runCommand("aarch64-linux-gnu-gcc -O1 -std=c11 -ffp-contract=off -static -o " + program + " " + driver + " " +
                           object + " -lm",
                       &output),
            0)
      << output;
  ASSERT_EQ(runCommand("timeout 120 qemu-aarch64 -L /usr/aarch64-linux-gnu " + program, &output), 0) << output;

  // The same computation on the host, through the x86-64 build of the same module.
  std::unique_ptr<NativeLibrary> host = compileForHost(module, 2, "x86-64-v3");
  ASSERT_NE(host, nullptr);
  auto scaled = host->symbol<int32_t (*)(const double *, const double *, int64_t, double *, int64_t *, const char **)>(
      "pyvc_kernels_batch_scaled");
  std::istringstream lines(output);
  std::string name;
  size_t count = 0, checked = 0;
  std::string hexBits;
  while (lines >> name >> count >> hexBits) {
    std::vector<double> xs = pseudoRandomDoubles(count, count + 1), as = pseudoRandomDoubles(count, count + 2);
    double value = 0;
    if (name == "fsum_lanes") {
      value = callKernel<double>(*host, "fsum_lanes", xs.data(), int64_t(count)).value;
      EXPECT_EQ(bitsOf(value), bitsOf(fixedLaneReference(xs, 0.0))) << count;
    } else if (name == "sum_gt") {
      value = callKernel<double>(*host, "sum_gt", xs.data(), int64_t(count), 100.0).value;
    } else {
      std::vector<double> out(count);
      ASSERT_EQ(scaled(xs.data(), as.data(), int64_t(count), out.data(), nullptr, nullptr), PYVC_OK);
      for (double element : out)
        value = value * 0.5 + element;
    }
    EXPECT_EQ(std::stoull(hexBits, nullptr, 16), bitsOf(value)) << name << " n=" << count;
    ++checked;
  }
  EXPECT_EQ(checked, 24u) << output;
}

} // namespace
} // namespace pyvc::backends::test
