// The IR passes: each rewrite where it is legal, and no rewrite where one condition fails.
#include "SampleModules.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "ir/passes/EliminateBoundsChecks.h"
#include "ir/passes/ProveNoOverflow.h"
#include "ir/passes/RecognizeAccumulationLoops.h"
#include "ir/passes/SelectReductionOrder.h"

#include <gtest/gtest.h>

using namespace pyvc::ir;
using namespace pyvc::ir::testing;

TEST(SelectReductionOrder, FloatSumsGetFixedLanesUnlessStrict) {
  Module module;
  uint32_t mean = addMean(module);
  FunctionBuilder b(module, "count", Type::integer());
  LocalId n = b.param("n", Type::integer());
  LocalId i = b.local("i", Type::integer());
  ComprehensionExpr *intSum =
      b.sum(FunctionBuilder::rangeSpace(i, b.i64(0), b.ref(n), b.i64(1)), b.ref(i));
  b.fn().body = {b.ret(intSum)};
  selectReductionOrder(module, /*strictFp=*/false);
  EXPECT_NE(printFunction(module, module.functions[mean]).find("sum[fixed_lanes]"), std::string::npos);
  EXPECT_EQ(intSum->order, ReductionOrder::Sequential);
  selectReductionOrder(module, /*strictFp=*/true);
  EXPECT_NE(printFunction(module, module.functions[mean]).find("sum[sequential]"), std::string::npos);
  EXPECT_TRUE(verifyModule(module).empty());
}

TEST(RecognizeAccumulationLoops, FilteredLoopBecomesFixedLaneSum) {
  Module module;
  uint32_t function = addSumSquaresAbove(module);
  EXPECT_EQ(recognizeAccumulationLoops(module, /*strictFp=*/false), 1);
  EXPECT_EQ(printFunction(module, module.functions[function]),
            "def sum_sq_gt(xs#0: list[float], t#1: float) -> float:  # scalar; errors: none; "
            "line 1\n"
            "    # locals: acc#2: float, x#3: float\n"
            "    acc#2 = 0.0\n"
            "    acc#2 = sum[fixed_lanes]((x#3 * x#3) for x#3 in xs#0 if (x#3 > t#1); "
            "start=acc#2)\n"
            "    return acc#2\n");
  EXPECT_TRUE(verifyModule(module).empty());
}

TEST(RecognizeAccumulationLoops, StrictFpKeepsTheLoop) {
  Module module;
  addSumSquaresAbove(module);
  EXPECT_EQ(recognizeAccumulationLoops(module, /*strictFp=*/true), 0);
  EXPECT_NE(printModule(module).find("for x#3 in xs#0"), std::string::npos);
}

TEST(RecognizeAccumulationLoops, IllegalShapesStay) {
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId acc = b.local("acc", Type::floating());
  LocalId x = b.local("x", Type::floating());
  // acc = acc + acc * x: the addend reads the accumulator.
  Stmt *selfRead = b.assign(acc, b.binary(BinaryOp::Add, b.ref(acc),
                                          b.binary(BinaryOp::Mul, b.ref(acc), b.ref(x))));
  // acc = acc - x: not an addition.
  Stmt *subtract = b.assign(acc, b.binary(BinaryOp::Sub, b.ref(acc), b.ref(x)));
  // acc = acc + x, then x used after the loop: the loop target escapes.
  Stmt *plain = b.assign(acc, b.binary(BinaryOp::Add, b.ref(acc), b.ref(x)));
  b.fn().body = {b.assign(acc, b.f64(0.0)),
                 b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {selfRead}),
                 b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {subtract}),
                 b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {plain}),
                 b.ret(b.binary(BinaryOp::Add, b.ref(acc), b.ref(x)))};
  EXPECT_EQ(recognizeAccumulationLoops(module, false), 0);
  // Without the two illegal loops and with x no longer read afterwards, the plain one is rewritten.
  b.fn().body = {b.fn().body[0], b.fn().body[3], b.ret(b.ref(acc))};
  EXPECT_EQ(recognizeAccumulationLoops(module, false), 1);
  EXPECT_TRUE(verifyModule(module).empty());
}

TEST(RecognizeAccumulationLoops, IntAccumulatorStays) {
  Module module;
  addRises(module);
  EXPECT_EQ(recognizeAccumulationLoops(module, false), 0);
}

TEST(EliminateBoundsChecks, RangeOverLengthProvesBothSubscripts) {
  Module module;
  uint32_t rises = addRises(module);
  EXPECT_EQ(eliminateBoundsChecks(module), 2);
  proveNoOverflow(module); // as the driver runs them: i - 1 and the counter are proven too
  std::string text = printFunction(module, module.functions[rises]);
  EXPECT_NE(text.find("xs#0[(i#2 - 1 nooverflow) inbounds] < xs#0[i#2 inbounds]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("(count#1 + 1 nooverflow)"), std::string::npos) << text;
}

TEST(EliminateBoundsChecks, OffsetBeyondStartOrGrowingListIsNotProven) {
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId out = b.local("out", Type::list(TypeKind::Float));
  LocalId i = b.local("i", Type::integer());
  IndexExpr *tooFarBack = b.index(b.ref(xs), b.binary(BinaryOp::Sub, b.ref(i), b.i64(2)));
  IndexExpr *ownList = b.index(b.ref(out), b.ref(i));
  Stmt *append = module.make<AppendStmt>(b.at(4), out, tooFarBack);
  Stmt *appendOwn = module.make<AppendStmt>(b.at(5), out, ownList);
  auto *literal = module.make<ListLiteralExpr>(Type::list(TypeKind::Float), b.at(2));
  b.fn().body = {b.assign(out, literal),
                 b.forLoop(FunctionBuilder::rangeSpace(i, b.i64(1), b.length(b.ref(out)), b.i64(1)),
                           {append, appendOwn}),
                 b.ret(b.f64(0.0))};
  ASSERT_TRUE(verifyModule(module).empty());
  EXPECT_EQ(eliminateBoundsChecks(module), 0);
  EXPECT_FALSE(tooFarBack->provenInBounds);
  EXPECT_FALSE(ownList->provenInBounds);
}

TEST(EliminateBoundsChecks, EnumerateIndexAndComprehensionRange) {
  // for i, x in enumerate(xs): s = xs[i]     and     sum(xs[j] for j in range(min(len(xs), len(ys))))
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId ys = b.param("ys", Type::list(TypeKind::Float));
  LocalId s = b.local("s", Type::floating());
  LocalId i = b.local("i", Type::integer());
  LocalId x = b.local("x", Type::floating());
  LocalId j = b.local("j", Type::integer());
  IterationSpace enumerate = FunctionBuilder::listSpace(x, b.ref(xs));
  enumerate.withIndex = true;
  enumerate.indexStart = b.i64(0);
  enumerate.targets = {i, x};
  IndexExpr *byIndex = b.index(b.ref(xs), b.ref(i));
  IndexExpr *inSum = b.index(b.ref(ys), b.ref(j));
  Expr *shorter = b.intrinsic(IntrinsicOp::Min, Type::integer(),
                              {b.length(b.ref(xs)), b.length(b.ref(ys))});
  Expr *total = b.sum(FunctionBuilder::rangeSpace(j, b.i64(0), shorter, b.i64(1)), inSum);
  b.fn().body = {b.assign(s, b.f64(0.0)), b.forLoop(enumerate, {b.assign(s, byIndex)}),
                 b.ret(b.binary(BinaryOp::Add, b.ref(s), total))};
  ASSERT_TRUE(verifyModule(module).empty());
  EXPECT_EQ(eliminateBoundsChecks(module), 2);
  EXPECT_TRUE(byIndex->provenInBounds);
  EXPECT_TRUE(inSum->provenInBounds);
}
