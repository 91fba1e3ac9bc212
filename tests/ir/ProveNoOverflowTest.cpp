// ProveNoOverflow on hand-built IR: each fact it uses, and the shapes where the proof must fail
// (a wrong proof would drop an OverflowError check CPython's semantics require).
#include "IRBuilderForTests.h"
#include "SampleModules.h"

#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "ir/analysis/PossibleErrors.h"
#include "ir/analysis/Vectorizability.h"
#include "ir/passes/EliminateBoundsChecks.h"
#include "ir/passes/ProveNoOverflow.h"

#include <gtest/gtest.h>

using namespace pyvc::ir;
using namespace pyvc::ir::testing;

namespace {

BinaryExpr *asBinary(Expr *expr) { return expr->as<BinaryExpr>(); }

// count = <init>; for i in range(start, len(xs)): if xs[i - 1] < xs[i]: count = count + step
struct CounterKernel {
  Module module;
  BinaryExpr *previous = nullptr; // i - 1
  BinaryExpr *increment = nullptr;

  CounterKernel(Expr *(*init)(FunctionBuilder &, LocalId), int64_t start, int64_t step,
                bool twice = false) {
    FunctionBuilder b(module, "rises", Type::integer());
    LocalId xs = b.param("xs", Type::list(TypeKind::Float));
    LocalId limit = b.param("limit", Type::integer());
    LocalId count = b.local("count", Type::integer());
    LocalId i = b.local("i", Type::integer());
    previous = asBinary(b.binary(BinaryOp::Sub, b.ref(i), b.i64(1)));
    increment = asBinary(b.binary(BinaryOp::Add, b.ref(count), b.i64(step)));
    Expr *rising =
        b.compare(CompareOp::Lt, b.index(b.ref(xs), previous), b.index(b.ref(xs), b.ref(i)));
    Stmt *first = b.assign(count, increment);
    IfStmt *branch =
        twice
            ? b.ifThen(rising,
                       {first, b.assign(count, b.binary(BinaryOp::Add, b.ref(count), b.i64(step)))})
            : b.ifThen(rising, {first});
    b.fn().body = {
        b.assign(count, init(b, limit)),
        b.forLoop(FunctionBuilder::rangeSpace(i, b.i64(start), b.length(b.ref(xs)), b.i64(1)),
                  {branch}),
        b.ret(b.ref(count))};
    EXPECT_TRUE(verifyModule(module).empty());
  }
};

Expr *zero(FunctionBuilder &b, LocalId) { return b.i64(0); }
Expr *fromParameter(FunctionBuilder &b, LocalId limit) { return b.ref(limit); }
Expr *nearMaximum(FunctionBuilder &b, LocalId) { return b.i64(INT64_MAX - 10); }

} // namespace

TEST(ProveNoOverflow, CounterOverListAndIndexMinusOneAreProven) {
  CounterKernel kernel(zero, 1, 1);
  EXPECT_EQ(proveNoOverflow(kernel.module), 2);
  EXPECT_TRUE(kernel.previous->provenNoOverflow);
  EXPECT_TRUE(kernel.increment->provenNoOverflow);
  std::string text = printFunction(kernel.module, kernel.module.functions[0]);
  EXPECT_NE(text.find("(count#2 + 1 nooverflow)"), std::string::npos) << text;
  EXPECT_TRUE(verifyModule(kernel.module).empty());
}

TEST(ProveNoOverflow, CounterIncrementedTwicePerIterationStillFits) {
  // Two increments of 1 per iteration over < 2^60 iterations stay far below 2^63.
  CounterKernel kernel(zero, 1, 1, /*twice=*/true);
  proveNoOverflow(kernel.module);
  EXPECT_TRUE(kernel.increment->provenNoOverflow);
}

TEST(ProveNoOverflow, CounterFromParameterOrNearMaximumKeepsItsCheck) {
  CounterKernel fromLimit(fromParameter, 1, 1);
  proveNoOverflow(fromLimit.module);
  EXPECT_FALSE(fromLimit.increment->provenNoOverflow);
  EXPECT_TRUE(fromLimit.previous->provenNoOverflow); // the index arithmetic does not depend on it
  CounterKernel nearTop(nearMaximum, 1, 1);
  proveNoOverflow(nearTop.module);
  EXPECT_FALSE(nearTop.increment->provenNoOverflow);
}

TEST(ProveNoOverflow, LargeIncrementKeepsItsCheck) {
  CounterKernel kernel(zero, 1, int64_t(1) << 62);
  proveNoOverflow(kernel.module);
  EXPECT_FALSE(kernel.increment->provenNoOverflow);
}

TEST(ProveNoOverflow, NegativeStartBoundsTheIndexFromBelow) {
  // range(INT64_MIN + 1, len(xs)): i - 1 reaches INT64_MIN, i - 2 would not fit.
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId i = b.local("i", Type::integer());
  LocalId s = b.local("s", Type::integer());
  BinaryExpr *minusOne = asBinary(b.binary(BinaryOp::Sub, b.ref(i), b.i64(1)));
  BinaryExpr *minusTwo = asBinary(b.binary(BinaryOp::Sub, b.ref(i), b.i64(2)));
  BinaryExpr *plusOne = asBinary(b.binary(BinaryOp::Add, b.ref(i), b.i64(1)));
  b.fn().body = {
      b.assign(s, b.i64(0)),
      b.forLoop(FunctionBuilder::rangeSpace(i, b.i64(INT64_MIN + 1), b.length(b.ref(xs)), b.i64(1)),
                {b.assign(s, minusOne), b.assign(s, minusTwo), b.assign(s, plusOne)}),
      b.ret(b.ref(s))};
  ASSERT_TRUE(verifyModule(module).empty());
  proveNoOverflow(module);
  EXPECT_TRUE(minusOne->provenNoOverflow);
  EXPECT_FALSE(minusTwo->provenNoOverflow);
  EXPECT_TRUE(plusOne->provenNoOverflow); // i < len(xs) < 2^60
}

TEST(ProveNoOverflow, UnboundedStopLeavesPlusOneChecked) {
  // range(0, n) with a parameter n: i <= n - 1, so i + 1 <= n fits, but i + 2 may not.
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId n = b.param("n", Type::integer());
  LocalId i = b.local("i", Type::integer());
  LocalId s = b.local("s", Type::integer());
  BinaryExpr *plusOne = asBinary(b.binary(BinaryOp::Add, b.ref(i), b.i64(1)));
  BinaryExpr *plusTwo = asBinary(b.binary(BinaryOp::Add, b.ref(i), b.i64(2)));
  b.fn().body = {b.assign(s, b.i64(0)),
                 b.forLoop(FunctionBuilder::rangeSpace(i, b.i64(0), b.ref(n), b.i64(1)),
                           {b.assign(s, plusOne), b.assign(s, plusTwo)}),
                 b.ret(b.ref(s))};
  ASSERT_TRUE(verifyModule(module).empty());
  proveNoOverflow(module);
  EXPECT_TRUE(plusOne->provenNoOverflow);
  EXPECT_FALSE(plusTwo->provenNoOverflow);
}

TEST(ProveNoOverflow, CounterInitialisedBeforeAnOuterLoopIsNotProven) {
  // count = 0; for j in range(0, n): for x in xs: count = count + 1  -- n * len(xs) is unbounded.
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId n = b.param("n", Type::integer());
  LocalId count = b.local("count", Type::integer());
  LocalId j = b.local("j", Type::integer());
  LocalId x = b.local("x", Type::floating());
  BinaryExpr *increment = asBinary(b.binary(BinaryOp::Add, b.ref(count), b.i64(1)));
  ForStmt *inner =
      b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {b.assign(count, increment)});
  b.fn().body = {b.assign(count, b.i64(0)),
                 b.forLoop(FunctionBuilder::rangeSpace(j, b.i64(0), b.ref(n), b.i64(1)), {inner}),
                 b.ret(b.ref(count))};
  ASSERT_TRUE(verifyModule(module).empty());
  proveNoOverflow(module);
  EXPECT_FALSE(increment->provenNoOverflow);
}

TEST(ProveNoOverflow, CounterReassignedInTheLoopIsNotProven) {
  // for x in xs: count = count + 1; count = count * 2
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId count = b.local("count", Type::integer());
  LocalId x = b.local("x", Type::floating());
  BinaryExpr *increment = asBinary(b.binary(BinaryOp::Add, b.ref(count), b.i64(1)));
  Stmt *doubling = b.assign(count, b.binary(BinaryOp::Mul, b.ref(count), b.i64(2)));
  b.fn().body = {
      b.assign(count, b.i64(0)),
      b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {b.assign(count, increment), doubling}),
      b.ret(b.ref(count))};
  ASSERT_TRUE(verifyModule(module).empty());
  EXPECT_EQ(proveNoOverflow(module), 0);
  EXPECT_FALSE(increment->provenNoOverflow);
}

TEST(ProveNoOverflow, FreshListElementCountersAreProvenUnlessAliased) {
  // counts = [0] * n; for x in xs: counts[k] = counts[k] + 1   (k a local set in the body)
  // A third variant stores into the list between its creation and the loop: no proof either.
  for (int variant : {0, 1, 2}) {
    bool aliased = variant == 1, storedBefore = variant == 2;
    Module module;
    FunctionBuilder b(module, "f", Type::list(TypeKind::Int));
    LocalId xs = b.param("xs", Type::list(TypeKind::Int));
    LocalId n = b.param("n", Type::integer());
    LocalId counts = b.local("counts", Type::list(TypeKind::Int));
    LocalId other = b.local("other", Type::list(TypeKind::Int));
    LocalId x = b.local("x", Type::integer());
    auto *zeroList = module.make<ListLiteralExpr>(Type::list(TypeKind::Int), b.at(2));
    zeroList->elements.push_back(b.i64(0));
    Expr *fresh =
        module.make<ListRepeatExpr>(Type::list(TypeKind::Int), b.at(2), zeroList, b.ref(n));
    BinaryExpr *increment =
        asBinary(b.binary(BinaryOp::Add, b.index(b.ref(counts), b.ref(x)), b.i64(1)));
    Stmt *store = module.make<StoreIndexStmt>(b.at(4), counts, b.ref(x), increment);
    Block body = {b.assign(counts, fresh)};
    if (aliased)
      body.push_back(b.assign(other, b.ref(counts)));
    if (storedBefore)
      body.push_back(module.make<StoreIndexStmt>(b.at(3), counts, b.i64(0), b.i64(INT64_MAX)));
    body.push_back(b.forLoop(FunctionBuilder::listSpace(x, b.ref(xs)), {store}));
    body.push_back(b.ret(b.ref(counts)));
    b.fn().body = body;
    ASSERT_TRUE(verifyModule(module).empty());
    proveNoOverflow(module);
    EXPECT_EQ(increment->provenNoOverflow, variant == 0) << "variant " << variant;
  }
}

TEST(ProveNoOverflow, ExplainVerdictNamesTheProvenFacts) {
  // rises(): the sample `count += 1` loop over range(1, len(xs)) with xs[i - 1] and xs[i].
  Module module;
  uint32_t rises = addRises(module);
  eliminateBoundsChecks(module);
  proveNoOverflow(module);
  computePossibleErrors(module);
  std::vector<FunctionVectorization> verdicts = analyzeVectorizability(module);
  ASSERT_EQ(verdicts[rises].loops.size(), 1u);
  const LoopVerdict &loop = verdicts[rises].loops[0];
  EXPECT_EQ(loop.description, "for loop over range (proven: 2 int operations that cannot overflow, "
                              "2 subscripts in bounds)");
  EXPECT_TRUE(loop.vectorizable) << loop.reason; // no check is left in the body
}
