// Semantic analysis on valid kernels: the IR shape of representative constructs (conversions,
// desugaring, loops, comprehensions, inference of locals), checked node by node; every module
// also passes the IR verifier (compileValid).
#include "FrontendTestSupport.h"

#include <cmath>

namespace pyvc::frontend::testing {
namespace {

using namespace ir;

// The value of the function's last statement, which must be a Return.
const Expr *returned(const Function &function) {
  const ReturnStmt *last = function.body.back()->as<ReturnStmt>();
  EXPECT_NE(last, nullptr);
  return last ? last->value : nullptr;
}

const Local &localNamed(const Function &function, const std::string &name) {
  for (const Local &local : function.locals)
    if (local.name == name)
      return local;
  ADD_FAILURE() << "no local " << name;
  return function.locals.front();
}

TEST(Sema, EmptyFileIsAModuleWithoutFunctions) {
  auto compiled = compileValid("");
  ASSERT_TRUE(compiled->module);
  EXPECT_TRUE(compiled->module->functions.empty());
  EXPECT_EQ(compiled->module->sourcePath, "test.py");
}

TEST(Sema, SignatureDocstringAndParameters) {
  auto compiled = compileValid("def f(xs: list[float], n: int, ok: bool) -> tuple[float, int]:\n"
                               "    \"\"\"Sums.\n\n    More text.\n    \"\"\"\n    return 1.0, n\n");
  const Function &f = compiled->function("f");
  EXPECT_EQ(f.docstring, "Sums.\n\nMore text.");
  ASSERT_EQ(f.parameters.size(), 3u);
  EXPECT_EQ(f.locals[f.parameters[0]].type, Type::list(TypeKind::Float));
  EXPECT_TRUE(f.locals[f.parameters[1]].isParameter);
  EXPECT_EQ(f.returnType, Type::tuple({TypeKind::Float, TypeKind::Int}));
  EXPECT_EQ(f.span.line, 1u);
}

TEST(Sema, MixedArithmeticInsertsConversions) {
  auto compiled = compileValid("def f(a: float, b: int, c: bool) -> float:\n    return a + b * c\n");
  const BinaryExpr *add = returned(compiled->function("f"))->as<BinaryExpr>();
  ASSERT_TRUE(add);
  EXPECT_EQ(add->op, BinaryOp::Add);
  EXPECT_TRUE(add->type.isFloat());
  const ConvertExpr *widened = add->rhs->as<ConvertExpr>();
  ASSERT_TRUE(widened);
  EXPECT_EQ(widened->op, ConvertOp::IntToFloat);
  const BinaryExpr *mul = widened->operand->as<BinaryExpr>();
  ASSERT_TRUE(mul);
  EXPECT_TRUE(mul->type.isInt());
  ASSERT_TRUE(mul->rhs->as<ConvertExpr>());
  EXPECT_EQ(mul->rhs->as<ConvertExpr>()->op, ConvertOp::BoolToInt);
}

TEST(Sema, IntTrueDivisionKeepsIntOperandsAndGivesFloat) {
  auto compiled = compileValid("def f(a: int, b: int) -> float:\n    return a / b\n");
  const BinaryExpr *div = returned(compiled->function("f"))->as<BinaryExpr>();
  ASSERT_TRUE(div);
  EXPECT_EQ(div->op, BinaryOp::TrueDiv);
  EXPECT_TRUE(div->type.isFloat());
  EXPECT_TRUE(div->lhs->type.isInt());
  EXPECT_TRUE(div->rhs->type.isInt());
}

TEST(Sema, PowerIsIntOnlyForTwoInts) {
  auto compiled = compileValid("def f(a: int, b: int) -> int:\n    return a ** b\n\n"
                               "def g(a: float, b: int) -> float:\n    return a ** b\n");
  EXPECT_TRUE(returned(compiled->function("f"))->type.isInt());
  const BinaryExpr *pow = returned(compiled->function("g"))->as<BinaryExpr>();
  ASSERT_TRUE(pow);
  EXPECT_TRUE(pow->type.isFloat());
  EXPECT_TRUE(pow->rhs->is<ConvertExpr>());
}

TEST(Sema, ConditionsUseTruthConversions) {
  auto compiled = compileValid("def f(n: int, xs: list[float], x: float) -> int:\n"
                               "    if n and xs:\n        return 1\n    while x:\n        x = x - 1\n    return 0\n");
  const IfStmt *branch = compiled->function("f").body[0]->as<IfStmt>();
  ASSERT_TRUE(branch);
  const LogicalExpr *both = branch->condition->as<LogicalExpr>();
  ASSERT_TRUE(both);
  EXPECT_TRUE(both->type.isBool());
  EXPECT_EQ(both->lhs->as<ConvertExpr>()->op, ConvertOp::Truth);
  EXPECT_EQ(both->rhs->as<ConvertExpr>()->op, ConvertOp::ListTruth);
  const WhileStmt *loop = compiled->function("f").body[1]->as<WhileStmt>();
  ASSERT_TRUE(loop);
  EXPECT_EQ(loop->condition->as<ConvertExpr>()->op, ConvertOp::Truth);
}

TEST(Sema, LogicalValuesJoinTheirTypes) {
  auto compiled = compileValid("def f(a: int, b: float) -> float:\n    return a or b\n");
  const LogicalExpr *either = returned(compiled->function("f"))->as<LogicalExpr>();
  ASSERT_TRUE(either);
  EXPECT_EQ(either->op, LogicalOp::Or);
  EXPECT_TRUE(either->type.isFloat());
  EXPECT_TRUE(either->lhs->is<ConvertExpr>());
}

TEST(Sema, ChainedComparisonIsOneCompareChain) {
  auto compiled = compileValid("def f(lo: int, v: float, hi: int) -> bool:\n    return lo <= v < hi\n");
  const CompareChainExpr *chain = returned(compiled->function("f"))->as<CompareChainExpr>();
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->operands.size(), 3u);
  EXPECT_EQ(chain->ops, (std::vector<CompareOp>{CompareOp::Le, CompareOp::Lt}));
  EXPECT_TRUE(chain->operands[0]->type.isInt()); // compared exactly, not converted
}

TEST(Sema, SwapEvaluatesTheRightSideIntoTemporariesFirst) {
  auto compiled = compileValid("def f(a: int, b: int) -> int:\n    a, b = b, a\n    return a\n");
  const Function &f = compiled->function("f");
  ASSERT_EQ(f.body.size(), 5u);
  const AssignStmt *first = f.body[0]->as<AssignStmt>();
  const AssignStmt *third = f.body[2]->as<AssignStmt>();
  ASSERT_TRUE(first && third);
  EXPECT_EQ(f.locals[first->target].name[0], '$');
  EXPECT_EQ(first->value->as<LocalRefExpr>()->local, f.parameters[1]);
  EXPECT_EQ(third->target, f.parameters[0]);
  EXPECT_EQ(third->value->as<LocalRefExpr>()->local, first->target);
}

TEST(Sema, TupleResultsUnpackThroughATupleLocal) {
  auto compiled = compileValid("def pair(x: float) -> tuple[float, int]:\n    return x, 1\n\n"
                               "def f(x: float) -> float:\n    a, b = pair(x)\n    return a + b\n");
  const Function &f = compiled->function("f");
  const AssignStmt *call = f.body[0]->as<AssignStmt>();
  ASSERT_TRUE(call);
  EXPECT_TRUE(f.locals[call->target].type.isTuple());
  EXPECT_EQ(call->value->as<CallExpr>()->callee, 0u);
  const AssignStmt *second = f.body[2]->as<AssignStmt>();
  ASSERT_TRUE(second && second->value->is<TupleGetExpr>());
  EXPECT_EQ(second->value->as<TupleGetExpr>()->member, 1u);
}

TEST(Sema, AugmentedStoreEvaluatesTheIndexOnce) {
  auto compiled = compileValid("def f(n: int, i: int) -> list[int]:\n    xs = [0] * n\n    xs[i - 1] += 2\n    return xs\n");
  const Function &f = compiled->function("f");
  const AssignStmt *index = f.body[1]->as<AssignStmt>();
  const StoreIndexStmt *store = f.body[2]->as<StoreIndexStmt>();
  ASSERT_TRUE(index && store);
  EXPECT_EQ(f.locals[index->target].name.substr(0, 6), "$index");
  EXPECT_EQ(store->index->as<LocalRefExpr>()->local, index->target);
  const BinaryExpr *add = store->value->as<BinaryExpr>();
  ASSERT_TRUE(add);
  EXPECT_EQ(add->lhs->as<IndexExpr>()->index->as<LocalRefExpr>()->local, index->target);
}

TEST(Sema, StoreEvaluatesTheValueBeforeTheIndex) {
  auto compiled = compileValid("def f(xs: list[float], k: int) -> list[float]:\n    ys = xs[:]\n    ys[k // 2] = xs[k] / 2\n    return ys\n");
  const Function &f = compiled->function("f");
  ASSERT_EQ(f.body.size(), 4u);
  const AssignStmt *value = f.body[1]->as<AssignStmt>();
  const StoreIndexStmt *store = f.body[2]->as<StoreIndexStmt>();
  ASSERT_TRUE(value && store);
  EXPECT_TRUE(value->value->is<BinaryExpr>());
  EXPECT_EQ(store->value->as<LocalRefExpr>()->local, value->target);
  EXPECT_TRUE(store->index->is<BinaryExpr>());
}

TEST(Sema, LocalsWidenAcrossTheFunction) {
  auto compiled = compileValid("def f(xs: list[float]) -> float:\n    acc = 0\n    for x in xs:\n        acc += x\n    return acc\n");
  const Function &f = compiled->function("f");
  EXPECT_TRUE(localNamed(f, "acc").type.isFloat());
  const AssignStmt *init = f.body[0]->as<AssignStmt>();
  ASSERT_TRUE(init);
  EXPECT_EQ(init->value->as<ConvertExpr>()->op, ConvertOp::IntToFloat);
}

TEST(Sema, EmptyListsTakeTheirTypeFromUseOrReturn) {
  auto compiled = compileValid("def f(n: int) -> list[float]:\n    out = []\n    return out\n\n"
                               "def g(n: int) -> list[int]:\n    out = []\n    out.append(n)\n    return out\n\n"
                               "def h(n: int) -> list[float]:\n    out = [0] * n\n    out[0] = 0.5\n    return out\n");
  EXPECT_EQ(localNamed(compiled->function("f"), "out").type, Type::list(TypeKind::Float));
  EXPECT_EQ(localNamed(compiled->function("g"), "out").type, Type::list(TypeKind::Int));
  const Function &h = compiled->function("h");
  EXPECT_EQ(localNamed(h, "out").type, Type::list(TypeKind::Float));
  const ListRepeatExpr *repeat = h.body[0]->as<AssignStmt>()->value->as<ListRepeatExpr>();
  ASSERT_TRUE(repeat);
  EXPECT_TRUE(repeat->list->as<ListLiteralExpr>()->elements[0]->type.isFloat());
}

TEST(Sema, ForLoopsBecomeIterationSpaces) {
  auto compiled = compileValid("def f(xs: list[float], ys: list[float], n: int) -> float:\n"
                               "    t = 0.0\n"
                               "    for i in range(n):\n        t += i\n"
                               "    for i, x in enumerate(xs, 1):\n        t += x\n"
                               "    for x, y in zip(xs, ys):\n        t += x * y\n"
                               "    return t\n");
  const Function &f = compiled->function("f");
  const ForStmt *range = f.body[1]->as<ForStmt>();
  ASSERT_TRUE(range);
  EXPECT_EQ(range->space.kind, IterationSpace::Kind::Range);
  EXPECT_EQ(range->space.start->as<ConstantExpr>()->intValue, 0);
  EXPECT_EQ(range->space.step->as<ConstantExpr>()->intValue, 1);
  const ForStmt *enumerated = f.body[2]->as<ForStmt>();
  ASSERT_TRUE(enumerated);
  EXPECT_TRUE(enumerated->space.withIndex);
  EXPECT_EQ(enumerated->space.indexStart->as<ConstantExpr>()->intValue, 1);
  EXPECT_EQ(enumerated->space.targets.size(), 2u);
  const ForStmt *zipped = f.body[3]->as<ForStmt>();
  ASSERT_TRUE(zipped);
  EXPECT_EQ(zipped->space.lists.size(), 2u);
  EXPECT_FALSE(zipped->space.withIndex);
}

TEST(Sema, GeneratorsBecomeComprehensionsWithTypedStart) {
  auto compiled = compileValid("def f(xs: list[float], t: float) -> float:\n    return sum(x for x in xs if x > t)\n\n"
                               "def g(ns: list[int]) -> int:\n    return sum(ns)\n\n"
                               "def h(xs: list[float]) -> list[float]:\n    return [x * y for x in xs for y in xs if y > 0]\n");
  const ComprehensionExpr *sum = returned(compiled->function("f"))->as<ComprehensionExpr>();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->comprehensionKind, ComprehensionKind::Sum);
  EXPECT_TRUE(sum->type.isFloat());
  ASSERT_TRUE(sum->start->is<ConvertExpr>());
  EXPECT_EQ(sum->start->as<ConvertExpr>()->operand->as<ConstantExpr>()->intValue, 0);
  EXPECT_EQ(sum->generators[0].conditions.size(), 1u);
  EXPECT_EQ(sum->order, ReductionOrder::Sequential); // analyses pick the order, not the frontend
  const ComprehensionExpr *intSum = returned(compiled->function("g"))->as<ComprehensionExpr>();
  ASSERT_TRUE(intSum);
  EXPECT_TRUE(intSum->start->is<ConstantExpr>());
  const ComprehensionExpr *list = returned(compiled->function("h"))->as<ComprehensionExpr>();
  ASSERT_TRUE(list);
  EXPECT_EQ(list->generators.size(), 2u);
  EXPECT_EQ(list->type, Type::list(TypeKind::Float));
}

TEST(Sema, CallsMayComeBeforeTheDefinitionAndRecurse) {
  auto compiled = compileValid("def f(n: int) -> int:\n    return g(n) + f(n - 1) if n > 0 else 0\n\n"
                               "def g(n: int) -> int:\n    return n\n");
  const SelectExpr *select = returned(compiled->function("f"))->as<SelectExpr>();
  ASSERT_TRUE(select);
  const BinaryExpr *add = select->ifTrue->as<BinaryExpr>();
  ASSERT_TRUE(add);
  EXPECT_EQ(add->lhs->as<CallExpr>()->callee, 1u);
  EXPECT_EQ(add->rhs->as<CallExpr>()->callee, 0u);
}

TEST(Sema, EveryPathEndsInAReturn) {
  auto compiled = compileValid("def f(n: int) -> int:\n    i = 0\n    while True:\n        i += 1\n        if i > n:\n            return i\n");
  const Function &f = compiled->function("f");
  EXPECT_TRUE(f.body.back()->is<ReturnStmt>()); // unreachable, keeps the block shape uniform
}

TEST(Sema, ConstantsMathAndSpecialFloats) {
  auto compiled = compileValid("import math\nfrom math import sqrt as root, pi\n\nK = 2 ** 10 - 1\nLOW = -9223372036854775808\n\n"
                               "def f(x: float) -> float:\n    return K + root(x) + pi + math.floor(3) + float(\"-inf\") + LOW\n");
  std::string ir = compiled->ir();
  EXPECT_NE(ir.find("1023"), std::string::npos) << ir;
  EXPECT_NE(ir.find("math.sqrt"), std::string::npos) << ir;
  EXPECT_NE(ir.find("-9223372036854775808"), std::string::npos) << ir;
  EXPECT_EQ(ir.find("math.floor"), std::string::npos) << ir; // floor of an int is the int
}

TEST(Sema, ScalarBuiltins) {
  auto compiled = compileValid("def f(x: float, n: int, b: bool) -> int:\n    return round(x) + int(x) + abs(n) + min(n, b, 3) + len([x])\n");
  std::string ir = compiled->ir();
  for (const char *piece : {"round(", "float_to_int(", "abs(", "min(", "len("})
    EXPECT_NE(ir.find(piece), std::string::npos) << piece << "\n" << ir;
}

} // namespace
} // namespace pyvc::frontend::testing
