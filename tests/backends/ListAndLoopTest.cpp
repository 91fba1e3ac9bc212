// Loops (while/for over range, lists, zip, enumerate; break/continue) and lists (append, index,
// store, slices, literals, repeat, sorted, comprehensions, aliasing, copy on write, list results
// freed with pyvc_kernels_free). Expected values checked with python3 when written, e.g.
//   python3 -c 'print(len(range(-2**63, 2**63-1, 2**62)), sum(range(10, 0, -3)))'  ->  4 22
#include "KernelBuilder.h"
#include "KernelTestSupport.h"

#include <cmath>
#include <vector>

namespace pyvc::backends::test {
namespace {

using ir::BinaryOp;
using ir::CompareOp;
using ir::Type;
using ir::TypeKind;

const Type IntList = Type::list(TypeKind::Int);
const Type FloatList = Type::list(TypeKind::Float);

class ListAndLoopKernels : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    module_ = new ir::Module;
    module_->sourcePath = "lists.py";
    buildModule(*module_);
    library_ = compileForHost(*module_).release();
  }
  static void TearDownTestSuite() {
    delete library_;
    delete module_;
  }
  void SetUp() override { ASSERT_NE(library_, nullptr); }

  static void buildModule(ir::Module &module) {
    KernelBuilder k(module);
    { // def collatz(n: int) -> int: steps = 0; while n != 1: (n = n // 2 if n % 2 == 0 else 3 * n + 1); steps += 1
      k.function("collatz", Type::integer());
      ir::LocalId n = k.param("n", Type::integer()), steps = k.local("steps", Type::integer());
      k.assign(steps, k.i64(0));
      ir::WhileStmt *loop = k.whileStmt(k.compare(CompareOp::Ne, k.ref(n), k.i64(1)));
      ir::IfStmt *even = k.ifStmt(k.compare(CompareOp::Eq, k.binary(BinaryOp::Mod, k.ref(n), k.i64(2)), k.i64(0)),
                                  &loop->body);
      k.assign(n, k.binary(BinaryOp::FloorDiv, k.ref(n), k.i64(2)), &even->thenBody);
      k.assign(n, k.binary(BinaryOp::Add, k.binary(BinaryOp::Mul, k.i64(3), k.ref(n)), k.i64(1)), &even->elseBody);
      k.assign(steps, k.binary(BinaryOp::Add, k.ref(steps), k.i64(1)), &loop->body);
      k.ret(k.ref(steps));
    }
    { // def range_count(a, b, c) -> int: n = 0; for i in range(a, b, c): n += 1; return n
      k.function("range_count", Type::integer());
      ir::LocalId a = k.param("a", Type::integer()), b = k.param("b", Type::integer()), c = k.param("c", Type::integer());
      ir::LocalId n = k.local("n", Type::integer()), i = k.local("i", Type::integer());
      k.assign(n, k.i64(0));
      ir::ForStmt *loop = k.forStmt(k.range(k.ref(a), k.ref(b), k.ref(c), i));
      k.assign(n, k.binary(BinaryOp::Add, k.ref(n), k.i64(1)), &loop->body);
      k.ret(k.ref(n));
      // def range_sum(a, b, c) -> int: same with t += i
      k.function("range_sum", Type::integer());
      a = k.param("a", Type::integer()), b = k.param("b", Type::integer()), c = k.param("c", Type::integer());
      n = k.local("t", Type::integer()), i = k.local("i", Type::integer());
      k.assign(n, k.i64(0));
      loop = k.forStmt(k.range(k.ref(a), k.ref(b), k.ref(c), i));
      k.assign(n, k.binary(BinaryOp::Add, k.ref(n), k.ref(i)), &loop->body);
      k.ret(k.ref(n));
    }
    { // for i in range(10): if i == 3: continue; if i == 6: break; t += i
      k.function("break_continue", Type::integer());
      ir::LocalId t = k.local("t", Type::integer()), i = k.local("i", Type::integer());
      k.assign(t, k.i64(0));
      ir::ForStmt *loop = k.forStmt(k.range(k.i64(0), k.i64(10), k.i64(1), i));
      k.continueStmt(&k.ifStmt(k.compare(CompareOp::Eq, k.ref(i), k.i64(3)), &loop->body)->thenBody);
      k.breakStmt(&k.ifStmt(k.compare(CompareOp::Eq, k.ref(i), k.i64(6)), &loop->body)->thenBody);
      k.assign(t, k.binary(BinaryOp::Add, k.ref(t), k.ref(i)), &loop->body);
      k.ret(k.ref(t));
    }
    { // def dot_zip(xs, ws) -> float: t = 0.0; for x, w in zip(xs, ws): t += x * w
      k.function("dot_zip", Type::floating());
      ir::LocalId xs = k.param("xs", FloatList), ws = k.param("ws", FloatList);
      ir::LocalId t = k.local("t", Type::floating()), x = k.local("x", Type::floating()), w = k.local("w", Type::floating());
      k.assign(t, k.f64(0.0));
      ir::ForStmt *loop = k.forStmt(k.over({k.ref(xs), k.ref(ws)}, {x, w}));
      k.assign(t, k.binary(BinaryOp::Add, k.ref(t), k.binary(BinaryOp::Mul, k.ref(x), k.ref(w))), &loop->body);
      k.ret(k.ref(t));
    }
    { // def enumerated(xs) -> float: t = 0.0; for i, x in enumerate(xs, 1): t += float(i) * x
      k.function("enumerated", Type::floating());
      ir::LocalId xs = k.param("xs", FloatList);
      ir::LocalId t = k.local("t", Type::floating()), i = k.local("i", Type::integer()), x = k.local("x", Type::floating());
      k.assign(t, k.f64(0.0));
      ir::IterationSpace space = k.over({k.ref(xs)}, {i, x});
      space.withIndex = true;
      space.indexStart = k.i64(1);
      ir::ForStmt *loop = k.forStmt(std::move(space));
      k.assign(t, k.binary(BinaryOp::Add, k.ref(t),
                           k.binary(BinaryOp::Mul, k.convert(ir::ConvertOp::IntToFloat, k.ref(i)), k.ref(x))),
               &loop->body);
      k.ret(k.ref(t));
    }
    { // def squares(n) -> list[int]: out = []; for i in range(n): out.append(i * i); return out
      k.function("squares", IntList);
      ir::LocalId n = k.param("n", Type::integer()), out = k.local("out", IntList), i = k.local("i", Type::integer());
      k.assign(out, k.listLiteral(TypeKind::Int, {}));
      ir::ForStmt *loop = k.forStmt(k.range(k.i64(0), k.ref(n), k.i64(1), i));
      k.append(out, k.binary(BinaryOp::Mul, k.ref(i), k.ref(i)), &loop->body);
      k.ret(k.ref(out));
    }
    { // def grow_while_iterating(xs) -> int: ys = [1, 2]; n = 0; for y in ys: (if n < 5: ys.append(y)); n += 1
      k.function("grow_while_iterating", Type::integer());
      ir::LocalId ys = k.local("ys", IntList), n = k.local("n", Type::integer()), y = k.local("y", Type::integer());
      k.assign(ys, k.listLiteral(TypeKind::Int, {k.i64(1), k.i64(2)}));
      k.assign(n, k.i64(0));
      ir::ForStmt *loop = k.forStmt(k.over({k.ref(ys)}, {y}));
      k.append(ys, k.ref(y), &k.ifStmt(k.compare(CompareOp::Lt, k.ref(n), k.i64(5)), &loop->body)->thenBody);
      k.assign(n, k.binary(BinaryOp::Add, k.ref(n), k.i64(1)), &loop->body);
      k.ret(k.ref(n));
    }
    { // def at(xs: list[int], i: int) -> int: return xs[i]
      k.function("at", Type::integer());
      ir::LocalId xs = k.param("xs", IntList), i = k.param("i", Type::integer());
      k.ret(k.index(k.ref(xs), k.ref(i)));
    }
    { // def middle(xs: list[int], a: int, b: int) -> list[int]: return xs[a:b]   (and head: xs[:b])
      k.function("middle", IntList);
      ir::LocalId xs = k.param("xs", IntList), a = k.param("a", Type::integer()), b = k.param("b", Type::integer());
      k.ret(k.slice(k.ref(xs), k.ref(a), k.ref(b)));
      k.function("head", IntList);
      xs = k.param("xs", IntList), b = k.param("b", Type::integer());
      k.ret(k.slice(k.ref(xs), nullptr, k.ref(b)));
    }
    { // def patched(xs: list[int], i: int) -> list[int]: ys = xs; ys[i] = 99; return ys
      k.function("patched", IntList);
      ir::LocalId xs = k.param("xs", IntList), i = k.param("i", Type::integer()), ys = k.local("ys", IntList);
      k.assign(ys, k.ref(xs));
      k.storeIndex(ys, k.ref(i), k.i64(99));
      k.ret(k.ref(ys));
    }
    { // def extended(xs: list[int]) -> list[int]: ys = xs; ys.append(7); return ys
      k.function("extended", IntList);
      ir::LocalId xs = k.param("xs", IntList), ys = k.local("ys", IntList);
      k.assign(ys, k.ref(xs));
      k.append(ys, k.i64(7));
      k.ret(k.ref(ys));
    }
    { // def identity(xs: list[int]) -> list[int]: return xs
      k.function("identity", IntList);
      k.ret(k.ref(k.param("xs", IntList)));
    }
    { // def aliasing() -> int: a = [1, 2]; b = a; b.append(3); return len(a)
      k.function("aliasing", Type::integer());
      ir::LocalId a = k.local("a", IntList), b = k.local("b", IntList);
      k.assign(a, k.listLiteral(TypeKind::Int, {k.i64(1), k.i64(2)}));
      k.assign(b, k.ref(a));
      k.append(b, k.i64(3));
      k.ret(k.length(k.ref(a)));
    }
    { // def repeated(n: int) -> list[float]: return [0.5, 1.5] * n
      k.function("repeated", FloatList);
      ir::LocalId n = k.param("n", Type::integer());
      k.ret(k.repeat(k.listLiteral(TypeKind::Float, {k.f64(0.5), k.f64(1.5)}), k.ref(n)));
    }
    { // def sorted_(xs: list[float]) -> list[float]: return sorted(xs)
      k.function("sorted_", FloatList);
      k.ret(k.sorted(k.ref(k.param("xs", FloatList))));
      k.function("sorted_int", IntList);
      k.ret(k.sorted(k.ref(k.param("xs", IntList))));
    }
    { // def doubled_positive(xs) -> list[float]: return [x * 2.0 for x in xs if x > 0.0]
      k.function("doubled_positive", FloatList);
      ir::LocalId xs = k.param("xs", FloatList), x = k.local("x", Type::floating());
      k.ret(k.comprehension(ir::ComprehensionKind::List, FloatList, k.over({k.ref(xs)}, {x}),
                            k.binary(BinaryOp::Mul, k.ref(x), k.f64(2.0)),
                            {k.compare(CompareOp::Gt, k.ref(x), k.f64(0.0))}));
    }
    { // def signs(xs: list[float]) -> list[bool]: return [x > 0.0 for x in xs]
      k.function("signs", Type::list(TypeKind::Bool));
      ir::LocalId xs = k.param("xs", FloatList), x = k.local("x", Type::floating());
      k.ret(k.comprehension(ir::ComprehensionKind::List, Type::list(TypeKind::Bool), k.over({k.ref(xs)}, {x}),
                            k.compare(CompareOp::Gt, k.ref(x), k.f64(0.0))));
    }
    uint32_t squares = uint32_t(module.findFunction("squares"));
    { // def total_of_squares(n: int) -> int: ys = squares(n); return sum(y for y in ys) if ys else -1
      k.function("total_of_squares", Type::integer());
      ir::LocalId n = k.param("n", Type::integer()), ys = k.local("ys", IntList), y = k.local("y", Type::integer());
      k.assign(ys, k.call(squares, {k.ref(n)}));
      ir::Expr *sum = k.comprehension(ir::ComprehensionKind::Sum, Type::integer(), k.over({k.ref(ys)}, {y}), k.ref(y));
      static_cast<ir::ComprehensionExpr *>(sum)->start = k.i64(0);
      k.ret(k.select(k.convert(ir::ConvertOp::ListTruth, k.ref(ys)), sum, k.i64(-1)));
    }
  }

  // Calls a list[int] -> list[int] style kernel and copies the result out, freeing it.
  template <typename Element, typename... Arguments>
  int32_t callList(const std::string &name, std::vector<Element> &result, std::string &message, Arguments... arguments) {
    using Function = int32_t (*)(Arguments..., Element **, int64_t *, const char **);
    auto function = library_->symbol<Function>("pyvc_kernels_fn_" + name);
    auto release = library_->symbol<void (*)(void *)>("pyvc_kernels_free");
    EXPECT_NE(function, nullptr) << name;
    Element *data = nullptr;
    int64_t length = -1;
    const char *text = nullptr;
    int32_t status = function(arguments..., &data, &length, &text);
    message = text ? text : "";
    result.clear();
    if (status == PYVC_OK) {
      EXPECT_EQ(data == nullptr, length == 0) << "an empty result has NULL data, others not";
      result.assign(data, data + length);
      release(data);
    }
    return status;
  }

  static ir::Module *module_;
  static NativeLibrary *library_;
  const NativeLibrary &lib() { return *library_; }
};

ir::Module *ListAndLoopKernels::module_ = nullptr;
NativeLibrary *ListAndLoopKernels::library_ = nullptr;

TEST_F(ListAndLoopKernels, WhileAndIfFollowPython) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "collatz", int64_t(27)), 111);
}

TEST_F(ListAndLoopKernels, RangeCountsWithoutOverflow) {
  EXPECT_RESULT(callKernel<int64_t>(lib(), "range_sum", int64_t(10), int64_t(0), int64_t(-3)), 22);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "range_count", INT64_MIN, INT64_MAX, int64_t(1) << 62), 4);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "range_count", INT64_MAX - 10, INT64_MAX, int64_t(5)), 2);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "range_count", int64_t(5), int64_t(5), int64_t(1)), 0);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "range_count", int64_t(0), int64_t(10), int64_t(-1)), 0);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "range_count", int64_t(0), int64_t(1), int64_t(0)), PYVC_VALUE_ERROR,
                "range() arg 3 must not be zero");
  EXPECT_RESULT(callKernel<int64_t>(lib(), "break_continue"), 12);
}

TEST_F(ListAndLoopKernels, ZipStopsAtTheShortestAndEnumerateCounts) {
  std::vector<double> xs = {1.5, -2.0, 3.25}, ws = {2.0, 0.5};
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "dot_zip", xs.data(), int64_t(3), ws.data(), int64_t(2)), 2.0);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "enumerated", xs.data(), int64_t(3)), 7.25);
  EXPECT_FLOAT_RESULT(callKernel<double>(lib(), "enumerated", static_cast<const double *>(nullptr), int64_t(0)), 0.0);
}

TEST_F(ListAndLoopKernels, ListResultsAreOwnedByTheCaller) {
  std::vector<int64_t> result;
  std::string message;
  ASSERT_EQ(callList<int64_t>("squares", result, message, int64_t(5)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<int64_t>{0, 1, 4, 9, 16}));
  ASSERT_EQ(callList<int64_t>("squares", result, message, int64_t(0)), PYVC_OK);
  EXPECT_TRUE(result.empty());
  ASSERT_EQ(callList<int64_t>("squares", result, message, int64_t(1000)), PYVC_OK);
  EXPECT_EQ(result.back(), 999 * 999);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "total_of_squares", int64_t(4)), 14);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "total_of_squares", int64_t(0)), -1);
}

TEST_F(ListAndLoopKernels, IterationRereadsTheLength) {
  // ys = [1, 2]; appending while iterating extends the loop, as CPython's list iterator does.
  EXPECT_RESULT(callKernel<int64_t>(lib(), "grow_while_iterating"), 7);
}

TEST_F(ListAndLoopKernels, IndexingCountsFromTheEnd) {
  std::vector<int64_t> xs = {1, 2, 3};
  EXPECT_RESULT(callKernel<int64_t>(lib(), "at", xs.data(), int64_t(3), int64_t(-1)), 3);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "at", xs.data(), int64_t(3), int64_t(-3)), 1);
  EXPECT_RAISES(callKernel<int64_t>(lib(), "at", xs.data(), int64_t(3), int64_t(3)), PYVC_INDEX_ERROR,
                "list index out of range");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "at", xs.data(), int64_t(3), int64_t(-4)), PYVC_INDEX_ERROR,
                "list index out of range");
  EXPECT_RAISES(callKernel<int64_t>(lib(), "at", static_cast<const int64_t *>(nullptr), int64_t(0), int64_t(0)),
                PYVC_INDEX_ERROR, "list index out of range");
}

TEST_F(ListAndLoopKernels, SlicesClamp) {
  std::vector<int64_t> xs = {1, 2, 3, 4}, result;
  std::string message;
  ASSERT_EQ(callList<int64_t>("middle", result, message, xs.data(), int64_t(4), int64_t(1), int64_t(-1)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(callList<int64_t>("middle", result, message, xs.data(), int64_t(4), int64_t(-100), int64_t(100)), PYVC_OK);
  EXPECT_EQ(result, xs);
  ASSERT_EQ(callList<int64_t>("middle", result, message, xs.data(), int64_t(4), int64_t(3), int64_t(1)), PYVC_OK);
  EXPECT_TRUE(result.empty());
  ASSERT_EQ(callList<int64_t>("middle", result, message, xs.data(), int64_t(4), INT64_MIN, INT64_MAX), PYVC_OK);
  EXPECT_EQ(result, xs);
  ASSERT_EQ(callList<int64_t>("head", result, message, xs.data(), int64_t(4), int64_t(-1)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(ListAndLoopKernels, WritesCopyBorrowedParameters) {
  std::vector<int64_t> xs = {1, 2, 3}, result;
  std::string message;
  ASSERT_EQ(callList<int64_t>("patched", result, message, xs.data(), int64_t(3), int64_t(-3)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<int64_t>{99, 2, 3}));
  EXPECT_EQ(xs, (std::vector<int64_t>{1, 2, 3})) << "the caller's list must not change";
  EXPECT_EQ(callList<int64_t>("patched", result, message, xs.data(), int64_t(3), int64_t(3)), PYVC_INDEX_ERROR);
  EXPECT_EQ(message, "list assignment index out of range");
  ASSERT_EQ(callList<int64_t>("extended", result, message, xs.data(), int64_t(3)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<int64_t>{1, 2, 3, 7}));
  ASSERT_EQ(callList<int64_t>("identity", result, message, xs.data(), int64_t(3)), PYVC_OK);
  EXPECT_EQ(result, xs);
  EXPECT_RESULT(callKernel<int64_t>(lib(), "aliasing"), 3);
}

TEST_F(ListAndLoopKernels, RepeatAndSorted) {
  std::vector<double> result;
  std::string message;
  ASSERT_EQ(callList<double>("repeated", result, message, int64_t(2)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<double>{0.5, 1.5, 0.5, 1.5}));
  ASSERT_EQ(callList<double>("repeated", result, message, int64_t(-1)), PYVC_OK);
  EXPECT_TRUE(result.empty());
  EXPECT_EQ(callList<double>("repeated", result, message, int64_t(1) << 62), PYVC_MEMORY_ERROR);
  // sorted([3.0, -1.0, 2.0, -0.0, 0.0]) == [-1.0, -0.0, 0.0, 2.0, 3.0]: stable, -0.0 stays first.
  std::vector<double> xs = {3.0, -1.0, 2.0, -0.0, 0.0};
  ASSERT_EQ(callList<double>("sorted_", result, message, xs.data(), int64_t(xs.size())), PYVC_OK);
  ASSERT_EQ(result.size(), 5u);
  EXPECT_EQ(bitsOf(result[1]), bitsOf(-0.0));
  EXPECT_EQ(bitsOf(result[2]), bitsOf(0.0));
  EXPECT_EQ(result[0], -1.0);
  EXPECT_EQ(result[4], 3.0);
  // sorted([3.0, 2.0, nan, 1.0]) == [1.0, 2.0, 3.0, nan] in CPython: the run [3.0, 2.0] ends at
  // nan (nan < 2.0 is false) and is reversed; binary insertion puts nan after 3.0, then 1.0 first.
  std::vector<double> withNan = {3.0, 2.0, std::nan(""), 1.0};
  ASSERT_EQ(callList<double>("sorted_", result, message, withNan.data(), int64_t(4)), PYVC_OK);
  ASSERT_EQ(result.size(), 4u);
  EXPECT_EQ(result[0], 1.0);
  EXPECT_EQ(result[1], 2.0);
  EXPECT_EQ(result[2], 3.0);
  EXPECT_TRUE(std::isnan(result[3]));
  std::vector<int64_t> ints = {5, -2, 9, 0, -2}, sortedInts;
  ASSERT_EQ(callList<int64_t>("sorted_int", sortedInts, message, ints.data(), int64_t(5)), PYVC_OK);
  EXPECT_EQ(sortedInts, (std::vector<int64_t>{-2, -2, 0, 5, 9}));
}

TEST_F(ListAndLoopKernels, ListComprehensionsFilter) {
  std::vector<double> xs = {1.5, -2.0, 3.25}, result;
  std::string message;
  ASSERT_EQ(callList<double>("doubled_positive", result, message, xs.data(), int64_t(3)), PYVC_OK);
  EXPECT_EQ(result, (std::vector<double>{3.0, 6.5}));
  std::vector<uint8_t> signs;
  ASSERT_EQ(callList<uint8_t>("signs", signs, message, xs.data(), int64_t(3)), PYVC_OK);
  EXPECT_EQ(signs, (std::vector<uint8_t>{1, 0, 1}));
}

} // namespace
} // namespace pyvc::backends::test
