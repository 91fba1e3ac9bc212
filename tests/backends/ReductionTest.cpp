// Reductions: FixedLanes float sums against the plain C++ model of the order (and identical at
// -O0 and -O3), sequential sums equal to CPython's, checked int sums, min/max/any/all with
// Python's semantics. Values checked with python3 when written, e.g.
//   python3 -c 'print(min([1.0, float("nan"), 0.5]), sum([-0.0]*20, -0.0), sum([0.1]*10))'
#include "KernelTestSupport.h"
#include "ReductionKernels.h"

#include <cmath>

namespace pyvc::backends::test {
namespace {

using ir::BinaryOp;
using ir::CompareOp;
using ir::Type;
using ir::TypeKind;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

void buildOtherReductions(ir::Module &module) {
  KernelBuilder k(module);
  const Type floatList = Type::list(TypeKind::Float), intList = Type::list(TypeKind::Int);
  { // def isum(xs: list[int]) -> int: return sum(x for x in xs)
    k.function("isum", Type::integer());
    ir::LocalId xs = k.param("xs", intList), x = k.local("x", Type::integer());
    auto *sum = k.comprehension(ir::ComprehensionKind::Sum, Type::integer(), k.over({k.ref(xs)}, {x}), k.ref(x));
    sum->start = k.i64(0);
    k.ret(sum);
  }
  { // def start_sum(xs: list[float], s: float) -> float: return sum((x for x in xs), s)   FixedLanes
    k.function("start_sum", Type::floating());
    ir::LocalId xs = k.param("xs", floatList), s = k.param("s", Type::floating()), x = k.local("x", Type::floating());
    auto *sum = k.comprehension(ir::ComprehensionKind::Sum, Type::floating(), k.over({k.ref(xs)}, {x}), k.ref(x));
    sum->start = k.ref(s);
    sum->order = ir::ReductionOrder::FixedLanes;
    k.ret(sum);
  }
  { // def range_lanes(n: int) -> float: return sum(float(i) * 0.5 for i in range(n) if i % 3 != 0)
    k.function("range_lanes", Type::floating());
    ir::LocalId n = k.param("n", Type::integer()), i = k.local("i", Type::integer());
    auto *sum = k.comprehension(
        ir::ComprehensionKind::Sum, Type::floating(), k.range(k.i64(0), k.ref(n), k.i64(1), i),
        k.binary(BinaryOp::Mul, k.convert(ir::ConvertOp::IntToFloat, k.ref(i)), k.f64(0.5)),
        {k.compare(CompareOp::Ne, k.binary(BinaryOp::Mod, k.ref(i), k.i64(3)), k.i64(0))});
    sum->start = k.f64(0.0);
    sum->order = ir::ReductionOrder::FixedLanes;
    k.ret(sum);
  }
  { // def log_sum(xs: list[float]) -> float: return sum(math.log(x) for x in xs)   FixedLanes
    k.function("log_sum", Type::floating());
    ir::LocalId xs = k.param("xs", floatList), x = k.local("x", Type::floating());
    auto *sum = k.comprehension(ir::ComprehensionKind::Sum, Type::floating(), k.over({k.ref(xs)}, {x}),
                                k.intrinsic(ir::IntrinsicOp::Log, Type::floating(), {k.ref(x)}));
    sum->start = k.f64(0.0);
    sum->order = ir::ReductionOrder::FixedLanes;
    k.ret(sum);
  }
  for (auto [name, kind] : {std::pair{"fmin", ir::ComprehensionKind::Min}, std::pair{"fmax", ir::ComprehensionKind::Max}}) {
    k.function(name, Type::floating()); // return min(x for x in xs)
    ir::LocalId xs = k.param("xs", floatList), x = k.local("x", Type::floating());
    k.ret(k.comprehension(kind, Type::floating(), k.over({k.ref(xs)}, {x}), k.ref(x)));
  }
  k.function("imax", Type::integer());
  {
    ir::LocalId xs = k.param("xs", intList), x = k.local("x", Type::integer());
    k.ret(k.comprehension(ir::ComprehensionKind::Max, Type::integer(), k.over({k.ref(xs)}, {x}), k.ref(x)));
  }
  for (auto [name, kind, limit] : {std::tuple{"any_big", ir::ComprehensionKind::Any, 10},
                                   std::tuple{"all_big", ir::ComprehensionKind::All, 1}}) {
    // def any_big(xs: list[int]) -> bool: return any(100 // x > 10 for x in xs)   (all_big: > 1)
    k.function(name, Type::boolean());
    ir::LocalId xs = k.param("xs", intList), x = k.local("x", Type::integer());
    k.ret(k.comprehension(kind, Type::boolean(), k.over({k.ref(xs)}, {x}),
                          k.compare(CompareOp::Gt, k.binary(BinaryOp::FloorDiv, k.i64(100), k.ref(x)), k.i64(limit))));
  }
}

class ReductionKernels : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    for (int level : {0, 3}) {
      modules_[level] = new ir::Module;
      buildReductionKernels(*modules_[level]);
      buildOtherReductions(*modules_[level]);
      libraries_[level] = compileForHost(*modules_[level], level).release();
    }
  }
  static void TearDownTestSuite() {
    for (int level : {0, 3}) {
      delete libraries_[level];
      delete modules_[level];
    }
  }
  void SetUp() override {
    ASSERT_NE(libraries_[0], nullptr);
    ASSERT_NE(libraries_[3], nullptr);
  }
  const NativeLibrary &lib(int level = 3) { return *libraries_[level]; }

  static ir::Module *modules_[4];
  static NativeLibrary *libraries_[4];
};

ir::Module *ReductionKernels::modules_[4] = {};
NativeLibrary *ReductionKernels::libraries_[4] = {};

TEST_F(ReductionKernels, FixedLanesFollowTheDocumentedOrderAtEveryLevel) {
  for (size_t count : {0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 4099}) {
    std::vector<double> xs = pseudoRandomDoubles(count, count + 1);
    double expected = fixedLaneReference(xs, 0.0);
    for (int level : {0, 3}) {
      SCOPED_TRACE("n=" + std::to_string(count) + " -O" + std::to_string(level));
      EXPECT_FLOAT_RESULT(callKernel<double>(lib(level), "fsum_lanes", xs.data(), int64_t(count)), expected);
    }
    std::vector<double> kept;
    for (double x : xs)
      kept.push_back(x > 100.0 ? x : -0.0);
    double expectedGt = fixedLaneReference(kept, 0.0);
    for (int level : {0, 3}) {
      SCOPED_TRACE("sum_gt n=" + std::to_string(count) + " -O" + std::to_string(level));
      EXPECT_FLOAT_RESULT(callKernel<double>(lib(level), "sum_gt", xs.data(), int64_t(count), 100.0), expectedGt);
    }
  }
}

TEST_F(ReductionKernels, FixedLanesOverNestedGeneratorsAndRanges) {
  std::vector<double> xs = pseudoRandomDoubles(7, 3), ys = pseudoRandomDoubles(5, 4), products;
  for (double x : xs)
    for (double y : ys)
      products.push_back(x * y);
  double expected = fixedLaneReference(products, 0.0);
  for (int level : {0, 3})
    EXPECT_FLOAT_RESULT(callKernel<double>(lib(level), "sum_products", xs.data(), int64_t(7), ys.data(), int64_t(5)),
                        expected);
  std::vector<double> halves;
  for (int64_t i = 0; i < 50; ++i)
    halves.push_back(i % 3 != 0 ? double(i) * 0.5 : -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "range_lanes", int64_t(50)), fixedLaneReference(halves, 0.0));
  // sum([-0.0] * 20, -0.0) is -0.0 in CPython; the lanes start at -0.0 so they keep it.
  std::vector<double> zeros(20, -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "start_sum", zeros.data(), int64_t(20), -0.0), -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "start_sum", zeros.data(), int64_t(20), 0.0), 0.0);
}

TEST_F(ReductionKernels, SequentialSumIsCPythonsSum) {
  std::vector<double> tenths(10, 0.1);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fsum_sequential", tenths.data(), int64_t(10)), 0.9999999999999999);
  std::vector<double> xs = pseudoRandomDoubles(1000, 9);
  double expected = 0.0;
  for (double x : xs)
    expected = expected + x;
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(0), "fsum_sequential", xs.data(), int64_t(1000)), expected);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(3), "fsum_sequential", xs.data(), int64_t(1000)), expected);
}

TEST_F(ReductionKernels, ErrorsInsideReductionsStopThem) {
  std::vector<int64_t> big = {INT64_MAX, 1};
  EXPECT_RAISES(callKernel<int64_t>(lib(), "isum", big.data(), int64_t(2)), PYVC_OVERFLOW_ERROR, "integer overflow");
  std::vector<double> xs(40, 2.0);
  xs[20] = 0.0;
  for (int level : {0, 3})
    EXPECT_RAISES(callKernel<double>(lib(level), "log_sum", xs.data(), int64_t(40)), PYVC_VALUE_ERROR,
                  "math domain error");
  xs[20] = 1.0;
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "log_sum", xs.data(), int64_t(4)), fixedLaneReference(std::vector<double>(4, std::log(2.0)), 0.0));
}

TEST_F(ReductionKernels, MinMaxKeepTheFirstOfEqualsAndRaiseWhenEmpty) {
  std::vector<double> xs = {1.0, NaN, 0.5};
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fmin", xs.data(), int64_t(3)), 0.5);
  std::vector<double> nanFirst = {NaN, 1.0};
  EXPECT_TRUE(std::isnan(callKernel<double>(lib(), "fmin", nanFirst.data(), int64_t(2)).value));
  std::vector<double> zeros = {0.0, -0.0};
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fmax", zeros.data(), int64_t(2)), 0.0);
  EXPECT_RAISES(callKernel<double>(lib(), "fmin", xs.data(), int64_t(0)), PYVC_VALUE_ERROR,
                "min() arg is an empty sequence");
  EXPECT_RAISES(callKernel<double>(lib(), "fmax", xs.data(), int64_t(0)), PYVC_VALUE_ERROR,
                "max() arg is an empty sequence");
  std::vector<int64_t> ints = {3, -7, 12, 12};
  EXPECT_RESULT(callKernel<int64_t>(lib(), "imax", ints.data(), int64_t(4)), 12);
}

TEST_F(ReductionKernels, AnyAndAllShortCircuit) {
  std::vector<int64_t> stopsBeforeZero = {5, 0};
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "any_big", stopsBeforeZero.data(), int64_t(2)), 1);
  EXPECT_RAISES(callKernel<uint8_t>(lib(), "all_big", stopsBeforeZero.data(), int64_t(2)), PYVC_ZERO_DIVISION_ERROR,
                "integer division or modulo by zero");
  std::vector<int64_t> falseFirst = {50, 0}; // 100 // 50 == 2, not > 10... all_big uses > 1: 2 > 1
  EXPECT_RAISES(callKernel<uint8_t>(lib(), "all_big", falseFirst.data(), int64_t(2)), PYVC_ZERO_DIVISION_ERROR,
                "integer division or modulo by zero");
  std::vector<int64_t> stops = {200, 0}; // 100 // 200 == 0: all() is decided before the zero
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "all_big", stops.data(), int64_t(2)), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "any_big", stops.data(), int64_t(1)), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "all_big", stops.data(), int64_t(0)), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "any_big", stops.data(), int64_t(0)), 0);
}

} // namespace
} // namespace pyvc::backends::test
