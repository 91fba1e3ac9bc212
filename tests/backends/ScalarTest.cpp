// Scalar kernels through the C ABI: Python's arithmetic, comparisons, conversions, math.*, the
// error statuses with CPython's messages, calls, tuples and recursion. Every expected value was
// checked with python3 (CPython 3.11) when the test was written, e.g.
//   python3 -c 'print(-7 // 2, 7 % -3, -7.0 % 2.0, round(2.5), (2**62+1)/3)'
#include "KernelBuilder.h"
#include "KernelTestSupport.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace pyvc::backends::test {
namespace {

using ir::BinaryOp;
using ir::CompareOp;
using ir::IntrinsicOp;
using ir::Type;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

class ScalarKernels : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    module_ = new ir::Module;
    module_->sourcePath = "scalar.py";
    buildModule(*module_);
    library_ = compileForHost(*module_).release();
  }
  static void TearDownTestSuite() {
    delete library_;
    delete module_;
  }
  void SetUp() override { ASSERT_NE(library_, nullptr); }

  // def name(a: T, b: T) -> R: return a OP b
  static void binaryFunction(KernelBuilder &k, const std::string &name, BinaryOp op, Type type) {
    Type result = op == BinaryOp::TrueDiv ? Type::floating() : type;
    k.function(name, result);
    ir::LocalId a = k.param("a", type), b = k.param("b", type);
    k.ret(k.binary(op, k.ref(a), k.ref(b)));
  }
  // def name(x: T) -> R: return OP(x)
  static void intrinsicFunction(KernelBuilder &k, const std::string &name, IntrinsicOp op, Type argument,
                                Type result, int arity = 1) {
    k.function(name, result);
    ir::LocalId a = k.param("a", argument);
    if (arity == 1) {
      k.ret(k.intrinsic(op, result, {k.ref(a)}));
      return;
    }
    ir::LocalId b = k.param("b", argument);
    k.ret(k.intrinsic(op, result, {k.ref(a), k.ref(b)}));
  }

  static void buildModule(ir::Module &module) {
    KernelBuilder k(module);
    const std::pair<const char *, BinaryOp> ops[] = {
        {"add", BinaryOp::Add},           {"sub", BinaryOp::Sub}, {"mul", BinaryOp::Mul},
        {"truediv", BinaryOp::TrueDiv},   {"floordiv", BinaryOp::FloorDiv},
        {"mod", BinaryOp::Mod},           {"pow", BinaryOp::Pow}};
    for (auto &[name, op] : ops) {
      binaryFunction(k, std::string("int_") + name, op, Type::integer());
      binaryFunction(k, std::string("float_") + name, op, Type::floating());
    }
    k.function("int_neg", Type::integer());
    k.ret(k.unary(ir::UnaryOp::Neg, k.ref(k.param("x", Type::integer()))));
    k.function("float_neg", Type::floating());
    k.ret(k.unary(ir::UnaryOp::Neg, k.ref(k.param("x", Type::floating()))));
    k.function("not_", Type::boolean());
    k.ret(k.unary(ir::UnaryOp::Not, k.ref(k.param("x", Type::boolean()))));
    k.function("pos", Type::integer());
    k.ret(k.unary(ir::UnaryOp::Pos, k.ref(k.param("x", Type::integer()))));

    // Comparisons, mixed and chained.
    const std::pair<const char *, CompareOp> compares[] = {{"lt", CompareOp::Lt}, {"le", CompareOp::Le},
                                                           {"gt", CompareOp::Gt}, {"ge", CompareOp::Ge},
                                                           {"eq", CompareOp::Eq}, {"ne", CompareOp::Ne}};
    for (auto &[name, op] : compares) {
      k.function(std::string("int_float_") + name, Type::boolean());
      ir::LocalId a = k.param("a", Type::integer()), b = k.param("b", Type::floating());
      k.ret(k.compare(op, k.ref(a), k.ref(b)));
      k.function(std::string("float_int_") + name, Type::boolean());
      a = k.param("a", Type::floating()), b = k.param("b", Type::integer());
      k.ret(k.compare(op, k.ref(a), k.ref(b)));
      k.function(std::string("float_float_") + name, Type::boolean());
      a = k.param("a", Type::floating()), b = k.param("b", Type::floating());
      k.ret(k.compare(op, k.ref(a), k.ref(b)));
    }
    { // def chain(a: int, b: int) -> bool: return a < b < 100 // a
      k.function("chain", Type::boolean());
      ir::LocalId a = k.param("a", Type::integer()), b = k.param("b", Type::integer());
      k.ret(k.compare({k.ref(a), k.ref(b), k.binary(BinaryOp::FloorDiv, k.i64(100), k.ref(a))},
                      {CompareOp::Lt, CompareOp::Lt}));
    }
    { // def and_(a: int, b: int) -> int: return a and b   (and `or_`)
      k.function("and_", Type::integer());
      ir::LocalId a = k.param("a", Type::integer()), b = k.param("b", Type::integer());
      k.ret(k.logical(ir::LogicalOp::And, k.ref(a), k.ref(b)));
      k.function("or_", Type::integer());
      a = k.param("a", Type::integer()), b = k.param("b", Type::integer());
      k.ret(k.logical(ir::LogicalOp::Or, k.ref(a), k.ref(b)));
      // def and_div(a: int) -> int: return a and 100 // a   (division only when a is true)
      k.function("and_div", Type::integer());
      a = k.param("a", Type::integer());
      k.ret(k.logical(ir::LogicalOp::And, k.ref(a), k.binary(BinaryOp::FloorDiv, k.i64(100), k.ref(a))));
    }
    { // def select_div(c: bool, a: int) -> int: return 100 // a if c else a
      k.function("select_div", Type::integer());
      ir::LocalId c = k.param("c", Type::boolean()), a = k.param("a", Type::integer());
      k.ret(k.select(k.ref(c), k.binary(BinaryOp::FloorDiv, k.i64(100), k.ref(a)), k.ref(a)));
    }
    // Conversions.
    k.function("to_int", Type::integer());
    k.ret(k.convert(ir::ConvertOp::FloatToInt, k.ref(k.param("x", Type::floating()))));
    k.function("to_float", Type::floating());
    k.ret(k.convert(ir::ConvertOp::IntToFloat, k.ref(k.param("x", Type::integer()))));
    k.function("bool_to_float", Type::floating());
    k.ret(k.convert(ir::ConvertOp::BoolToFloat, k.ref(k.param("x", Type::boolean()))));
    k.function("bool_to_int", Type::integer());
    k.ret(k.convert(ir::ConvertOp::BoolToInt, k.ref(k.param("x", Type::boolean()))));
    k.function("float_truth", Type::boolean());
    k.ret(k.convert(ir::ConvertOp::Truth, k.ref(k.param("x", Type::floating()))));
    k.function("int_truth", Type::boolean());
    k.ret(k.convert(ir::ConvertOp::Truth, k.ref(k.param("x", Type::integer()))));

    // math.* and scalar builtins.
    const std::tuple<const char *, IntrinsicOp, int> floatMath[] = {
        {"sqrt", IntrinsicOp::Sqrt, 1},   {"exp", IntrinsicOp::Exp, 1},     {"log", IntrinsicOp::Log, 1},
        {"log2", IntrinsicOp::Log2, 1},   {"log10", IntrinsicOp::Log10, 1}, {"sin", IntrinsicOp::Sin, 1},
        {"cos", IntrinsicOp::Cos, 1},     {"tan", IntrinsicOp::Tan, 1},     {"fabs", IntrinsicOp::Fabs, 1},
        {"logbase", IntrinsicOp::LogBase, 2}, {"atan2", IntrinsicOp::Atan2, 2}, {"hypot", IntrinsicOp::Hypot, 2},
        {"mathpow", IntrinsicOp::MathPow, 2}, {"fmin", IntrinsicOp::Min, 2}, {"fmax", IntrinsicOp::Max, 2},
        {"fabs_builtin", IntrinsicOp::Abs, 1}};
    for (auto &[name, op, arity] : floatMath)
      intrinsicFunction(k, name, op, Type::floating(), Type::floating(), arity);
    intrinsicFunction(k, "floor", IntrinsicOp::Floor, Type::floating(), Type::integer());
    intrinsicFunction(k, "ceil", IntrinsicOp::Ceil, Type::floating(), Type::integer());
    intrinsicFunction(k, "round_", IntrinsicOp::Round, Type::floating(), Type::integer());
    intrinsicFunction(k, "isnan", IntrinsicOp::IsNan, Type::floating(), Type::boolean());
    intrinsicFunction(k, "isinf", IntrinsicOp::IsInf, Type::floating(), Type::boolean());
    intrinsicFunction(k, "isfinite", IntrinsicOp::IsFinite, Type::floating(), Type::boolean());
    intrinsicFunction(k, "abs_int", IntrinsicOp::Abs, Type::integer(), Type::integer());
    intrinsicFunction(k, "imin", IntrinsicOp::Min, Type::integer(), Type::integer(), 2);
    intrinsicFunction(k, "round_int", IntrinsicOp::Round, Type::integer(), Type::integer());

    // Calls, tuples and recursion.
    uint32_t helper = k.function("reciprocal_floor", Type::integer()); // return 100 // x
    k.ret(k.binary(BinaryOp::FloorDiv, k.i64(100), k.ref(k.param("x", Type::integer()))));
    k.function("calls_helper", Type::integer()); // return reciprocal_floor(x) + 1
    k.ret(k.binary(BinaryOp::Add, k.call(helper, {k.ref(k.param("x", Type::integer()))}), k.i64(1)));
    uint32_t divmod = k.function("divmod_", Type::tuple({ir::TypeKind::Int, ir::TypeKind::Int}));
    {
      ir::LocalId a = k.param("a", Type::integer()), b = k.param("b", Type::integer());
      k.ret(k.tuple({k.binary(BinaryOp::FloorDiv, k.ref(a), k.ref(b)), k.binary(BinaryOp::Mod, k.ref(a), k.ref(b))}));
    }
    { // def remainder_of(a: int, b: int) -> int: t = divmod_(a, b); return t[1]   (via a tuple local)
      k.function("remainder_of", Type::integer());
      ir::LocalId a = k.param("a", Type::integer()), b = k.param("b", Type::integer());
      ir::LocalId t = k.local("t", Type::tuple({ir::TypeKind::Int, ir::TypeKind::Int}));
      k.assign(t, k.call(divmod, {k.ref(a), k.ref(b)}));
      k.ret(k.tupleGet(k.ref(t), 1));
    }
    uint32_t factorial = k.function("factorial", Type::integer());
    { // return 1 if n <= 1 else n * factorial(n - 1)
      ir::LocalId n = k.param("n", Type::integer());
      k.ret(k.select(k.compare(CompareOp::Le, k.ref(n), k.i64(1)), k.i64(1),
                     k.binary(BinaryOp::Mul, k.ref(n),
                              k.call(factorial, {k.binary(BinaryOp::Sub, k.ref(n), k.i64(1))}))));
    }
    uint32_t depth = k.function("depth", Type::integer());
    { // if n == 0: return 0 \n return depth(n - 1) + 1
      ir::LocalId n = k.param("n", Type::integer());
      ir::IfStmt *base = k.ifStmt(k.compare(CompareOp::Eq, k.ref(n), k.i64(0)));
      k.ret(k.i64(0), &base->thenBody);
      k.ret(k.binary(BinaryOp::Add, k.call(depth, {k.binary(BinaryOp::Sub, k.ref(n), k.i64(1))}), k.i64(1)));
    }
    k.function("bool_identity", Type::boolean());
    k.ret(k.ref(k.param("x", Type::boolean())));
  }

  static ir::Module *module_;
  static NativeLibrary *library_;
  const NativeLibrary &lib() { return *library_; }
};

ir::Module *ScalarKernels::module_ = nullptr;
NativeLibrary *ScalarKernels::library_ = nullptr;

TEST_F(ScalarKernels, IntArithmeticIsCheckedAndFloors) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_add", int64_t(7), int64_t(3)), 10);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_add", INT64_MAX, int64_t(1)), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_sub", INT64_MIN, int64_t(1)), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_mul", int64_t(1) << 32, int64_t(1) << 31), PYVC_OVERFLOW_ERROR,
                "integer overflow");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_floordiv", int64_t(-7), int64_t(2)), -4);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_floordiv", int64_t(7), int64_t(-2)), -4);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_floordiv", int64_t(-7), int64_t(-2)), 3);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_floordiv", INT64_MIN, int64_t(-1)), PYVC_OVERFLOW_ERROR,
                "integer overflow");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_floordiv", int64_t(1), int64_t(0)), PYVC_ZERO_DIVISION_ERROR,
                "integer division or modulo by zero");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_mod", int64_t(7), int64_t(-3)), -2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_mod", int64_t(-7), int64_t(3)), 2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_mod", INT64_MIN, int64_t(-1)), 0);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_mod", int64_t(5), int64_t(0)), PYVC_ZERO_DIVISION_ERROR,
                "integer modulo by zero");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_pow", int64_t(3), int64_t(4)), 81);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_pow", int64_t(-2), int64_t(63)), INT64_MIN);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_pow", int64_t(2), int64_t(63)), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_EQ(callKernel<int64_t>(lib(), "int_pow", int64_t(2), int64_t(-1)).status, PYVC_VALUE_ERROR);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "int_neg", int64_t(5)), -5);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "int_neg", INT64_MIN), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "pos", int64_t(-5)), -5);
}

TEST_F(ScalarKernels, IntTrueDivisionIsCorrectlyRounded) {
  // (a, b, a / b) from python3, as float.hex().
  const std::tuple<int64_t, int64_t, double> cases[] = {
      {4611686018427387905LL, 3, 0x1.5555555555555p+60},
      {INT64_MAX, 9007199254740993LL, 0x1.fffffffffffffp+9},
      {123456789012345678LL, 1000003, 0x1.cbe93735316fap+36},
      {INT64_MIN, 7, -0x1.2492492492492p+60},
      {INT64_MAX, INT64_MIN, -0x1.0000000000000p+0},
      {5, 1152921504606846979LL, 0x1.4000000000000p-58},
      {-9007199254740995LL, 18014398509481985LL, -0x1.0000000000001p-1},
      {INT64_MAX, 9223372036854775806LL, 0x1.0000000000000p+0},
      {18014398509481985LL, 2, 0x1.0000000000000p+53},
      {9007199254740993LL, 1, 0x1.0000000000000p+53},
      {7, 2, 3.5},
      {0, -5, -0.0},
  };
  for (auto &[a, b, expected] : cases)
    EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "int_truediv", a, b), expected);
  EXPECT_RAISES(callKernel<double>(lib(), "int_truediv", int64_t(1), int64_t(0)), PYVC_ZERO_DIVISION_ERROR,
                "division by zero");
}

TEST_F(ScalarKernels, FloatDivisionAndModuloFollowCPython) {
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_mod", -7.0, 2.0), 1.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_mod", 7.0, -2.0), -1.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_mod", -0.0, 5.0), 0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_mod", 0.0, -5.0), -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_floordiv", -7.0, 2.0), -4.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_floordiv", -0.0, 5.0), -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_floordiv", 0.0, -5.0), -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_truediv", 1.0, 4.0), 0.25);
  EXPECT_RAISES(callKernel<double>(lib(), "float_truediv", 1.0, 0.0), PYVC_ZERO_DIVISION_ERROR, "float division by zero");
  EXPECT_RAISES(callKernel<double>(lib(), "float_floordiv", 1.0, -0.0), PYVC_ZERO_DIVISION_ERROR,
                "float floor division by zero");
  EXPECT_RAISES(callKernel<double>(lib(), "float_mod", 1.0, 0.0), PYVC_ZERO_DIVISION_ERROR, "float modulo");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_add", 0.1, 0.2), 0.30000000000000004);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_sub", 0.0, 0.0), 0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_mul", -0.0, 3.0), -0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_neg", 0.0), -0.0);
}

TEST_F(ScalarKernels, FloatPowFollowsCPython) {
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_pow", 2.0, 0.5), 1.4142135623730951);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_pow", -2.0, 3.0), -8.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_pow", NaN, 0.0), 1.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "float_pow", 1.5, -2.0), 0.4444444444444444);
  EXPECT_RAISES(callKernel<double>(lib(), "float_pow", 0.0, -1.0), PYVC_ZERO_DIVISION_ERROR,
                "0.0 cannot be raised to a negative power");
  EXPECT_RAISES(callKernel<double>(lib(), "float_pow", 10.0, 400.0), PYVC_OVERFLOW_ERROR,
                "(34, 'Numerical result out of range')");
  EXPECT_EQ(callKernel<double>(lib(), "float_pow", -8.0, 1.0 / 3.0).status, PYVC_VALUE_ERROR);
}

TEST_F(ScalarKernels, IntFloatComparisonsAreExact) {
  const int64_t twoTo53Plus1 = (int64_t(1) << 53) + 1;
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_gt", twoTo53Plus1, 0x1p53), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_eq", twoTo53Plus1, 0x1p53), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_ne", twoTo53Plus1, 0x1p53), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_lt", INT64_MAX, 0x1p63), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_ge", int64_t(-3), -3.5), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_le", int64_t(-3), -3.5), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_int_lt", 0.5, int64_t(1)), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_int_ge", 0.5, int64_t(1)), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_int_eq", 2.0, int64_t(2)), 1);
  // NaN is unordered: only != holds.
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_lt", int64_t(1), NaN), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_float_ne", int64_t(1), NaN), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_float_eq", NaN, NaN), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_float_ne", NaN, NaN), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_float_ge", NaN, 1.0), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_float_le", -0.0, 0.0), 1);
}

TEST_F(ScalarKernels, ShortCircuitSkipsRaisingOperands) {
  // 0 < -1 < 100 // 0 is False without evaluating the division; 0 < 1 < 100 // 0 raises.
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "chain", int64_t(0), int64_t(-1)), 0);
  EXPECT_RAISES(callKernel<uint8_t>(lib(), "chain", int64_t(0), int64_t(1)), PYVC_ZERO_DIVISION_ERROR,
                "integer division or modulo by zero");
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "chain", int64_t(5), int64_t(10)), 1); // 5 < 10 < 20
  EXPECT_RESULT(callKernel<int64_t>(lib(), "and_", int64_t(0), int64_t(5)), 0);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "and_", int64_t(3), int64_t(5)), 5);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "or_", int64_t(0), int64_t(5)), 5);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "or_", int64_t(3), int64_t(5)), 3);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "and_div", int64_t(0)), 0);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "and_div", int64_t(7)), 14);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "select_div", uint8_t(0), int64_t(0)), 0);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "select_div", uint8_t(1), int64_t(-3)), -34);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "not_", uint8_t(0)), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "not_", uint8_t(1)), 0);
}

TEST_F(ScalarKernels, ConversionsCheckLikeInt) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "to_int", 2.7), 2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "to_int", -2.7), -2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "to_int", -0x1p63), INT64_MIN);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "to_int", NaN), PYVC_VALUE_ERROR, "cannot convert float NaN to integer");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "to_int", -Inf), PYVC_OVERFLOW_ERROR,
                "cannot convert float infinity to integer");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "to_int", 1e19), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "to_float", int64_t(9007199254740993LL)), 9007199254740992.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "bool_to_float", uint8_t(1)), 1.0);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "bool_to_int", uint8_t(1)), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_truth", NaN), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "float_truth", -0.0), 0);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "int_truth", int64_t(-1)), 1);
  // A bool parameter is any non-zero byte; results are exactly 0 or 1.
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "bool_identity", uint8_t(2)), 1);
}

TEST_F(ScalarKernels, RoundFloorCeilGiveInts) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "round_", 2.5), 2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "round_", 3.5), 4);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "round_", -2.5), -2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "round_", 0.49999999999999994), 0);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "round_", NaN), PYVC_VALUE_ERROR, "cannot convert float NaN to integer");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "round_", Inf), PYVC_OVERFLOW_ERROR, "cannot convert float infinity to integer");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "round_int", int64_t(-7)), -7);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "floor", -2.5), -3);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "ceil", 2.1), 3);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "floor", NaN), PYVC_VALUE_ERROR, "cannot convert float NaN to integer");
}

TEST_F(ScalarKernels, MathFunctionsRaiseLikeTheMathModule) {
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "sqrt", 2.0), 1.4142135623730951);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "sqrt", -0.0), -0.0);
  EXPECT_RAISES(callKernel<double>(lib(), "sqrt", -1.0), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "exp", 1.5), 4.4816890703380645);
  EXPECT_RAISES(callKernel<double>(lib(), "exp", 1000.0), PYVC_OVERFLOW_ERROR, "math range error");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "exp", -Inf), 0.0);
  EXPECT_RAISES(callKernel<double>(lib(), "log", 0.0), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_RAISES(callKernel<double>(lib(), "log", -Inf), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "log", Inf), Inf);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "log2", 1024.0), 10.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "log10", 0.001), -3.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "sin", 1.0), 0.8414709848078965);
  EXPECT_RAISES(callKernel<double>(lib(), "sin", Inf), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_RAISES(callKernel<double>(lib(), "cos", -Inf), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "tan", 0.0), 0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fabs", -0.0), 0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fabs_builtin", -2.5), 2.5);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "logbase", 8.0, 2.0), 3.0);
  EXPECT_RAISES(callKernel<double>(lib(), "logbase", 2.0, 1.0), PYVC_ZERO_DIVISION_ERROR, "float division by zero");
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "atan2", 1.0, 2.0), 0.4636476090008061);
  // math.hypot as CPython 3.11 computes it (python3: math.hypot(a, b).hex()), subnormals included.
  const std::tuple<double, double, double> hypotCases[] = {
      {0x1.1ccf385ebc8a0p+1023, 0x1.1ccf385ebc8a0p+1023, 0x1.92c80954c51f5p+1023},
      {3.0, 4.0, 5.0},
      {0x0.00000000007e8p-1022, 0x0.00000000007e8p-1022, 0x0.0000000000b2ep-1022},
      {0x1.999999999999ap-4, 0x1.999999999999ap-3, 0x1.c9f25c5bfeddap-3},
      {0x0.01b9cd1295941p-1022, 0x0.02e055c9a3f6cp-1022, 0x0.035ab4f89f9b2p-1022},
      {0x1.e240c9fbe76c9p+16, 0x1.01f31f46ed246p-13, 0x1.e240c9fbe76c9p+16},
      {-5.0, 12.0, 13.0},
      {0.0, -0.0, 0.0},
      {0x0.0000000000001p-1022, 0x0.0000000000001p-1022, 0x0.0000000000001p-1022},
      {Inf, NaN, Inf}};
  for (auto &[a, b, expected] : hypotCases)
    EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "hypot", a, b), expected);
  EXPECT_TRUE(std::isnan(callKernel<double>(lib(), "hypot", NaN, 1.0).value));
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "mathpow", 2.0, 0.5), 1.4142135623730951);
  EXPECT_RAISES(callKernel<double>(lib(), "mathpow", 0.0, -1.0), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_RAISES(callKernel<double>(lib(), "mathpow", 10.0, 400.0), PYVC_OVERFLOW_ERROR, "math range error");
  EXPECT_RAISES(callKernel<double>(lib(), "mathpow", -8.0, 0.5), PYVC_VALUE_ERROR, "math domain error");
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "isnan", NaN), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "isinf", -Inf), 1);
  EXPECT_RESULT(callKernel<uint8_t>(lib(), "isfinite", NaN), 0);
}

TEST_F(ScalarKernels, BuiltinMinMaxAbsKeepPythonsChoice) {
  EXPECT_TRUE(std::isnan(callKernel<double>(lib(), "fmin", NaN, 1.0).value)); // min(nan, 1.0) is nan
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fmin", 1.0, NaN), 1.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fmax", 0.0, -0.0), 0.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "fmax", -0.0, 0.0), -0.0);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "imin", int64_t(3), int64_t(-4)), -4);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "abs_int", int64_t(-4)), 4);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "abs_int", INT64_MIN), PYVC_OVERFLOW_ERROR, "integer overflow");
}

TEST_F(ScalarKernels, ErrorsPropagateThroughCalls) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "calls_helper", int64_t(7)), 15);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "calls_helper", int64_t(0)), PYVC_ZERO_DIVISION_ERROR,
                "integer division or modulo by zero");
  // A NULL message pointer is allowed.
  auto function = lib().symbol<int32_t (*)(int64_t, int64_t *, const char **)>("pyvc_kernels_fn_calls_helper");
  int64_t out = 0;
  EXPECT_EQ(function(0, &out, nullptr), PYVC_ZERO_DIVISION_ERROR);
}

TEST_F(ScalarKernels, TupleResultsUseOneOutPointerPerMember) {
  auto divmod = lib().symbol<int32_t (*)(int64_t, int64_t, int64_t *, int64_t *, const char **)>("pyvc_kernels_fn_divmod_");
  ASSERT_NE(divmod, nullptr);
  int64_t quotient = 0, remainder = 0;
  EXPECT_EQ(divmod(-7, 2, &quotient, &remainder, nullptr), PYVC_OK);
  EXPECT_EQ(quotient, -4);
  EXPECT_EQ(remainder, 1);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "remainder_of", int64_t(7), int64_t(-3)), -2);
}

TEST_F(ScalarKernels, RecursionIsCheckedAndBounded) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "factorial", int64_t(20)), 2432902008176640000LL);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "factorial", int64_t(21)), PYVC_OVERFLOW_ERROR, "integer overflow");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "depth", int64_t(990)), 990);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "depth", int64_t(1000000)), PYVC_RECURSION_ERROR,
                "maximum recursion depth exceeded");
}

TEST_F(ScalarKernels, ExportsExactlyTheAbiSymbols) {
  std::string symbols;
  ASSERT_EQ(runCommand("nm -D --defined-only " + lib().path(), &symbols), 0);
  EXPECT_NE(symbols.find(" T pyvc_kernels_fn_int_add"), std::string::npos);
  EXPECT_NE(symbols.find(" T pyvc_kernels_batch_int_add"), std::string::npos);
  EXPECT_NE(symbols.find(" T pyvc_kernels_free"), std::string::npos);
  EXPECT_EQ(symbols.find("pyvc_impl_"), std::string::npos) << symbols;
  EXPECT_EQ(symbols.find("pyvc_rt_"), std::string::npos) << symbols;
  std::string needed;
  ASSERT_EQ(runCommand("readelf -d " + lib().path() + " | grep NEEDED", &needed), 0);
  // Only libc and libm may be needed.
  std::istringstream lines(needed);
  for (std::string line; std::getline(lines, line);)
    EXPECT_TRUE(line.find("[libm.so.6]") != std::string::npos || line.find("[libc.so.6]") != std::string::npos)
        << line;
}

} // namespace
} // namespace pyvc::backends::test
