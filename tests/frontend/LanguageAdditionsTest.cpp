// The constructs added for real-world kernels (issue 13): bitwise operators, loop `else`,
// `assert` and `raise`, `list(...)`, `pow`, string statements; the evaluation-order rules
// (`n * [v]`, reductions of list comprehensions); and the frontend crash found by random
// programs (a reference into the locals held across the lowering of an expression).
// The values themselves are checked against CPython by the differential corpus
// (tests/diff/corpus/bitwise_order.py, control_loops.py, lists_dynamic.py).
#include "FrontendTestSupport.h"
#include "ir/analysis/PossibleErrors.h"

namespace pyvc::frontend::testing {
namespace {

using namespace ir;

const Stmt *lastStatement(const Function &function) { return function.body.back(); }

// Random programs crashed (exit 3) when `ys.append(e)`, `ys[i] = e` or `ys[i] += e` lowered an
// `e` that made temporaries after many locals: the list's type was read through a reference
// into the vector of locals, which the temporaries reallocated. Each count of locals moves the
// reallocation to another point; under ASan (scripts/sanitize.sh) any stale read fails.
TEST(LanguageAdditions, StoresWhoseValueMakesTemporariesAfterManyLocals) {
  for (int locals = 0; locals < 40; ++locals) {
    std::string source = "def f(xs: list[float]) -> list[float]:\n    ys = xs[:]\n";
    std::string total = "sum(xs)";
    for (int i = 0; i < locals; ++i) {
      source += "    v" + std::to_string(i) + " = " + std::to_string(i) + ".5\n";
      total += " + v" + std::to_string(i);
    }
    source += "    ys.append(" + total + " + sum([x * 2.0 for x in xs]))\n";
    source += "    ys[0] = sum([x for x in xs if x > 0.0]) + min(x for x in xs)\n";
    source += "    ys[-1] += sum(x * x for x in ys)\n";
    source += "    for x in sorted(ys):\n        ys.append(x)\n        break\n";
    source += "    return ys\n";
    auto compiled = compileValid(source);
    ASSERT_TRUE(compiled->module) << locals;
  }
}

TEST(LanguageAdditions, BitwiseOperatorTypes) {
  auto compiled = compileValid("def f(a: bool, b: bool, n: int) -> tuple[bool, int, int, int]:\n"
                               "    return a & b, a | n, a << 2, ~a\n");
  const auto *tuple = lastStatement(compiled->function("f"))->as<ReturnStmt>()->value->as<TupleMakeExpr>();
  ASSERT_NE(tuple, nullptr);
  const auto *both = tuple->members[0]->as<BinaryExpr>();
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->op, BinaryOp::BitAnd);
  EXPECT_TRUE(both->type.isBool()); // True & False is a bool in Python
  EXPECT_TRUE(tuple->members[1]->type.isInt());
  EXPECT_EQ(tuple->members[2]->as<BinaryExpr>()->op, BinaryOp::LShift);
  EXPECT_TRUE(tuple->members[2]->type.isInt()); // a shift of a bool is an int
  EXPECT_EQ(tuple->members[3]->as<UnaryExpr>()->op, UnaryOp::Invert);
}

TEST(LanguageAdditions, BitwiseOperatorsRefuseFloats) {
  auto compiled = compile("def f(x: float, n: int) -> int:\n    return (n & 1) + int(x) | ~n + (x << 1)\n");
  EXPECT_EQ(compiled->codes(), std::vector<std::string>{"E0311"}) << compiled->rendered();
  auto inverted = compile("def f(x: float) -> int:\n    return ~x\n");
  EXPECT_EQ(inverted->codes(), std::vector<std::string>{"E0311"}) << inverted->rendered();
}

TEST(LanguageAdditions, LoopElseJoinsTheBreaksAndTheElse) {
  // `found` is assigned on the break and at the end of the else: assigned after the loop.
  compileValid("def f(xs: list[float]) -> int:\n"
               "    for i in range(len(xs)):\n"
               "        if xs[i] > 0.0:\n            found = i\n            break\n"
               "    else:\n        found = -1\n"
               "    return found\n");
  // Not assigned when the loop ends normally and the else does not assign it.
  auto missing = compile("def f(xs: list[float]) -> int:\n"
                         "    for i in range(len(xs)):\n"
                         "        if xs[i] > 0.0:\n            found = i\n            break\n"
                         "    else:\n        pass\n"
                         "    return found\n");
  EXPECT_EQ(missing->codes(), std::vector<std::string>{"E0308"}) << missing->rendered();
  // A `while True` with an else that returns: only the break leaves, and it assigns.
  compileValid("def g(n: int) -> int:\n"
               "    while True:\n        k = n\n        break\n"
               "    else:\n        return 0\n"
               "    return k\n");
}

TEST(LanguageAdditions, AssertIsAnIfThatRaises) {
  auto compiled = compileValid("def f(x: float) -> float:\n    assert x > 0.0, \"positive\"\n    return x\n");
  const auto *check = compiled->function("f").body.front()->as<IfStmt>();
  ASSERT_NE(check, nullptr);
  ASSERT_EQ(check->thenBody.size(), 1u);
  const auto *raise = check->thenBody[0]->as<RaiseStmt>();
  ASSERT_NE(raise, nullptr);
  EXPECT_EQ(raise->error, ErrorKind::Assertion);
  EXPECT_EQ(raise->message, "positive");
  EXPECT_EQ(errorsOfStmt(*raise), std::vector<ErrorKind>{ErrorKind::Assertion});
}

TEST(LanguageAdditions, RaiseEndsTheFunction) {
  auto compiled = compileValid("def f(x: float) -> float:\n    if x > 1.0:\n        return x\n"
                               "    raise ValueError(\"too small\")\n");
  const Function &f = compiled->function("f");
  const auto *raise = lastStatement(f)->as<RaiseStmt>();
  ASSERT_NE(raise, nullptr) << ir::printModule(*compiled->module); // no missing-return error, no extra return
  EXPECT_EQ(raise->error, ErrorKind::Value);
  auto refused = compile("def f(x: float) -> float:\n    if x > 1.0:\n        raise KeyError(\"k\")\n"
                         "    raise\n");
  EXPECT_EQ(refused->codes(), (std::vector<std::string>{"E0205", "E0204"})) << refused->rendered();
}

TEST(LanguageAdditions, RepeatWrittenCountFirstEvaluatesTheCountFirst) {
  auto compiled = compileValid("def f(n: int, v: float) -> list[float]:\n    return n * [v]\n"
                               "def g(n: int, v: float) -> list[float]:\n    return [v] * n\n");
  auto repeat = [&](const char *name) {
    return lastStatement(compiled->function(name))->as<ReturnStmt>()->value->as<ListRepeatExpr>();
  };
  ASSERT_NE(repeat("f"), nullptr);
  ASSERT_NE(repeat("g"), nullptr);
  EXPECT_TRUE(repeat("f")->countFirst);
  EXPECT_FALSE(repeat("g")->countFirst);
}

// any/all/sum over a list comprehension read a list CPython builds whole first; fusing them is
// exact only when no element can raise (or, for min/max/float sums, when the reduction reads
// every element anyway).
TEST(LanguageAdditions, ReductionsFuseListComprehensionsOnlyWhenExact) {
  auto compiled = compileValid("def raising(xs: list[int]) -> bool:\n    return any([10 // x > 0 for x in xs])\n"
                               "def safe(xs: list[int]) -> bool:\n    return any([x > 0 for x in xs])\n"
                               "def int_sum(xs: list[int]) -> int:\n    return sum([100 // x for x in xs])\n"
                               "def float_min(xs: list[int]) -> int:\n    return min([100 // x for x in xs])\n");
  auto reduction = [&](const char *name) {
    return lastStatement(compiled->function(name))->as<ReturnStmt>()->value->as<ComprehensionExpr>();
  };
  auto readsABuiltList = [](const ComprehensionExpr *reduction) {
    const IterationSpace &space = reduction->generators[0].space;
    return space.kind == IterationSpace::Kind::Sequences && space.lists[0]->is<ComprehensionExpr>();
  };
  ASSERT_NE(reduction("raising"), nullptr);
  EXPECT_TRUE(readsABuiltList(reduction("raising")));
  EXPECT_FALSE(readsABuiltList(reduction("safe")));
  EXPECT_TRUE(readsABuiltList(reduction("int_sum")));
  EXPECT_FALSE(readsABuiltList(reduction("float_min")));
}

TEST(LanguageAdditions, ListAndPowBuiltinsAndStringStatements) {
  auto compiled = compileValid("def f(n: int, x: float) -> list[float]:\n"
                               "    \"the docstring\"\n"
                               "    \"a comment written as a string\"\n"
                               "    ys = list(range(n))\n"
                               "    zs = list()\n"
                               "    for y in ys:\n        \"another\"\n        zs.append(pow(x, y))\n"
                               "    return list(zs)\n");
  bool listLocal = false;
  for (const Local &local : compiled->function("f").locals)
    listLocal = listLocal || (local.name == "ys" && local.type == Type::list(TypeKind::Int));
  EXPECT_TRUE(listLocal) << ir::printModule(*compiled->module);
  auto refused = compile("def f(x: int) -> int:\n    return pow(x, 2, 5)\n");
  EXPECT_EQ(refused->codes(), std::vector<std::string>{"E0305"}) << refused->rendered();
}

} // namespace
} // namespace pyvc::frontend::testing
