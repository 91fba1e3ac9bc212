// Classification, possible errors (with the call-graph fixpoint) and vectorizability verdicts.
#include "SampleModules.h"
#include "ir/analysis/Classification.h"
#include "ir/analysis/PossibleErrors.h"
#include "ir/analysis/Vectorizability.h"
#include "ir/passes/SelectReductionOrder.h"

#include <gtest/gtest.h>

using namespace pyvc::ir;
using namespace pyvc::ir::testing;

TEST(Classification, ListsMakeKernelsScalarsMakeScalars) {
  Module module;
  uint32_t mean = addMean(module);
  uint32_t fact = addFactorial(module);
  classifyFunctions(module);
  EXPECT_EQ(module.functions[mean].classification, Classification::Kernel);
  EXPECT_EQ(module.functions[fact].classification, Classification::Scalar);
}

TEST(Classification, TemporaryListMakesAKernel) {
  // def f(a: float, b: float) -> int: return len([a, b])
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId a = b.param("a", Type::floating());
  auto *literal = module.make<ListLiteralExpr>(Type::list(TypeKind::Float), b.at(2));
  literal->elements = {b.ref(a), b.ref(a)};
  b.fn().body = {b.ret(b.length(literal))};
  EXPECT_EQ(classifyFunction(b.fn()), Classification::Kernel);
}

TEST(PossibleErrors, LocalRulesAndCallees) {
  Module module;
  uint32_t mean = addMean(module);
  uint32_t rises = addRises(module);
  uint32_t fact = addFactorial(module);
  uint32_t scaled = addScaledFactorial(module, fact);
  computePossibleErrors(module);
  using E = ErrorKind;
  EXPECT_EQ(module.functions[mean].possibleErrors, (std::vector{E::ZeroDivision}));
  EXPECT_EQ(module.functions[rises].possibleErrors, (std::vector{E::Index, E::Overflow}));
  EXPECT_EQ(module.functions[fact].possibleErrors, (std::vector{E::Overflow, E::Recursion}));
  // scaled_fact divides by k and calls the recursive fact.
  EXPECT_EQ(module.functions[scaled].possibleErrors,
            (std::vector{E::ZeroDivision, E::Overflow, E::Recursion}));
}

TEST(PossibleErrors, MutualRecursionReachesAFixpoint) {
  // def even(n: int) -> bool: return odd(n // 2)   (ZeroDivision impossible: constant divisor)
  // def odd(n: int) -> bool:  return even(int(float(n)))  (float->int: Value, Overflow)
  Module module;
  FunctionBuilder even(module, "even", Type::boolean());
  FunctionBuilder odd(module, "odd", Type::boolean());
  LocalId en = even.param("n", Type::integer());
  LocalId on = odd.param("n", Type::integer());
  even.fn().body = {even.ret(even.call(odd.index(), Type::boolean(),
                                       {even.binary(BinaryOp::FloorDiv, even.ref(en), even.i64(2))}))};
  Expr *roundTrip = module.make<ConvertExpr>(Type::integer(), odd.at(3), ConvertOp::FloatToInt,
                                             odd.toFloat(odd.ref(on)));
  odd.fn().body = {odd.ret(odd.call(even.index(), Type::boolean(), {roundTrip}))};
  computePossibleErrors(module);
  using E = ErrorKind;
  std::vector expected{E::Value, E::Overflow, E::Recursion};
  EXPECT_EQ(module.functions[0].possibleErrors, expected);
  EXPECT_EQ(module.functions[1].possibleErrors, expected);
}

TEST(PossibleErrors, ProvenIndexRaisesNothing) {
  Module module;
  uint32_t rises = addRises(module);
  computePossibleErrors(module);
  ASSERT_EQ(module.functions[rises].possibleErrors.front(), ErrorKind::Index);
  for (Stmt *stmt : module.functions[rises].body)
    if (auto *loop = stmt->as<ForStmt>()) {
      auto *ifStmt = loop->body[0]->as<IfStmt>();
      for (Expr *operand : ifStmt->condition->as<CompareChainExpr>()->operands)
        operand->as<IndexExpr>()->provenInBounds = true;
    }
  computePossibleErrors(module);
  EXPECT_EQ(module.functions[rises].possibleErrors, (std::vector{ErrorKind::Overflow}));
}

namespace {
const LoopVerdict &onlyLoop(const std::vector<FunctionVectorization> &result, uint32_t function) {
  EXPECT_EQ(result[function].loops.size(), 1u);
  return result[function].loops.front();
}
} // namespace

TEST(Vectorizability, FixedLaneSumIsVectorizedStrictIsNot) {
  Module module;
  uint32_t mean = addMean(module);
  selectReductionOrder(module, /*strictFp=*/false);
  LoopVerdict verdict = onlyLoop(analyzeVectorizability(module), mean);
  EXPECT_TRUE(verdict.vectorizable);
  EXPECT_TRUE(verdict.vectorizedByConstruction);
  EXPECT_EQ(verdict.span.line, 3u);
  EXPECT_EQ(verdict.description, "sum(...) over xs");
  selectReductionOrder(module, /*strictFp=*/true);
  verdict = onlyLoop(analyzeVectorizability(module), mean);
  EXPECT_FALSE(verdict.vectorizable);
  EXPECT_NE(verdict.reason.find("--strict-fp"), std::string::npos) << verdict.reason;
}

TEST(Vectorizability, ReasonsForScalarLoops) {
  Module module;
  uint32_t accumulate = addSumSquaresAbove(module);
  uint32_t rises = addRises(module);
  auto result = analyzeVectorizability(module);
  const LoopVerdict &loop = onlyLoop(result, accumulate);
  EXPECT_FALSE(loop.vectorizable);
  EXPECT_EQ(loop.description, "for loop over xs");
  EXPECT_NE(loop.reason.find("sequential float accumulation into `acc`"), std::string::npos)
      << loop.reason;
  const LoopVerdict &indexed = onlyLoop(result, rises);
  EXPECT_FALSE(indexed.vectorizable);
  EXPECT_NE(indexed.reason.find("IndexError"), std::string::npos) << indexed.reason;
}

TEST(Vectorizability, EarlyExitAndCallsAreNamed) {
  Module module;
  uint32_t fact = addFactorial(module);
  FunctionBuilder b(module, "first_positive", Type::integer());
  LocalId n = b.param("n", Type::integer());
  LocalId i = b.local("i", Type::integer());
  Stmt *found = b.ifThen(b.compare(CompareOp::Gt, b.call(fact, Type::integer(), {b.ref(i)}), b.ref(n)),
                         {b.ret(b.ref(i))});
  b.fn().body = {b.forLoop(FunctionBuilder::rangeSpace(i, b.i64(0), b.ref(n), b.i64(1)), {found}),
                 b.ret(b.i64(-1))};
  auto result = analyzeVectorizability(module);
  EXPECT_EQ(onlyLoop(result, b.index()).reason, "early exit (return) in the body");
  EXPECT_TRUE(result[fact].loops.empty());
}
