// The verifier must accept well-formed IR and name each broken invariant.
#include "SampleModules.h"
#include "ir/Verifier.h"

#include <gtest/gtest.h>

using namespace pyvc::ir;
using namespace pyvc::ir::testing;

namespace {

bool mentions(const std::vector<std::string> &messages, const std::string &needle) {
  for (const std::string &message : messages)
    if (message.find(needle) != std::string::npos)
      return true;
  return false;
}

std::string joined(const std::vector<std::string> &messages) {
  std::string text;
  for (const std::string &message : messages)
    text += message + "\n";
  return text;
}

} // namespace

TEST(Verifier, AcceptsTheSampleKernels) {
  Module module;
  addMean(module);
  addSumSquaresAbove(module);
  addRises(module);
  uint32_t fact = addFactorial(module);
  addScaledFactorial(module, fact);
  EXPECT_TRUE(verifyModule(module).empty()) << joined(verifyModule(module));
}

TEST(Verifier, RejectsMixedOperandTypes) {
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  b.fn().body = {b.ret(module.make<BinaryExpr>(Type::floating(), b.at(2), BinaryOp::Add,
                                                b.f64(1.0), b.i64(2)))};
  auto messages = verifyModule(module);
  EXPECT_TRUE(mentions(messages, "function `f`, line 2: operands of + have different types "
                                 "(float, int)"))
      << joined(messages);
}

TEST(Verifier, RejectsLocalIdOutOfRange) {
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  b.fn().body = {b.ret(module.make<LocalRefExpr>(Type::integer(), b.at(2), 7))};
  EXPECT_TRUE(mentions(verifyModule(module), "local id 7 out of range"));
}

TEST(Verifier, RejectsMissingReturnOnOnePath) {
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId n = b.param("n", Type::integer());
  b.fn().body = {b.ifThen(b.compare(CompareOp::Gt, b.ref(n), b.i64(0)), {b.ret(b.i64(1))})};
  EXPECT_TRUE(mentions(verifyModule(module), "without a return"));
  // With an else that returns too, every path returns.
  b.fn().body = {b.ifThen(b.compare(CompareOp::Gt, b.ref(n), b.i64(0)), {b.ret(b.i64(1))},
                          {b.ret(b.i64(2))})};
  EXPECT_TRUE(verifyModule(module).empty()) << joined(verifyModule(module));
}

TEST(Verifier, WhileTrueWithoutBreakCountsAsReturning) {
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  auto *loop = module.make<WhileStmt>(b.at(2), b.boolean(true));
  loop->body = {b.ret(b.i64(1))};
  b.fn().body = {loop};
  EXPECT_TRUE(verifyModule(module).empty()) << joined(verifyModule(module));
  loop->body = {module.make<BreakStmt>(b.at(3))};
  EXPECT_TRUE(mentions(verifyModule(module), "without a return"));
}

TEST(Verifier, RejectsTupleGetOutOfBounds) {
  Module module;
  FunctionBuilder pair(module, "pair", Type::tuple({TypeKind::Int, TypeKind::Float}));
  auto *make = module.make<TupleMakeExpr>(pair.fn().returnType, pair.at(2));
  make->members = {pair.i64(1), pair.f64(2.0)};
  pair.fn().body = {pair.ret(make)};
  FunctionBuilder user(module, "user", Type::floating());
  Expr *call = user.call(pair.index(), pair.fn().returnType, {});
  user.fn().body = {user.ret(module.make<TupleGetExpr>(Type::floating(), user.at(3), call, 2))};
  auto messages = verifyModule(module);
  EXPECT_TRUE(mentions(messages, "tuple member 2 out of range for tuple[int, float]"))
      << joined(messages);
  // Member 1 is the float: valid.
  user.fn().body = {user.ret(module.make<TupleGetExpr>(Type::floating(), user.at(3), call, 1))};
  EXPECT_TRUE(verifyModule(module).empty()) << joined(verifyModule(module));
}

TEST(Verifier, RejectsTupleOutsideReturnAndBadCalls) {
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId n = b.param("n", Type::integer());
  auto *tuple = module.make<TupleMakeExpr>(Type::tuple({TypeKind::Int}), b.at(2));
  tuple->members = {b.i64(1)};
  LocalId t = b.local("t", Type::tuple({TypeKind::Int}));
  b.fn().body = {b.assign(t, tuple), b.ret(b.call(0, Type::integer(), {b.ref(n), b.ref(n)})),
                 b.ret(b.call(9, Type::integer(), {}))};
  auto messages = verifyModule(module);
  EXPECT_TRUE(mentions(messages, "tuple construction outside a return")) << joined(messages);
  EXPECT_TRUE(mentions(messages, "call to `f` with 2 arguments, expected 1")) << joined(messages);
  EXPECT_TRUE(mentions(messages, "callee index 9 out of range")) << joined(messages);
}

TEST(Verifier, RejectsWritesToParametersAndStrayBreaks) {
  Module module;
  FunctionBuilder b(module, "f", Type::none());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  b.fn().body = {module.make<AppendStmt>(b.at(2), xs, b.f64(1.0)),
                 module.make<BreakStmt>(b.at(3)), b.ret(nullptr)};
  auto messages = verifyModule(module);
  EXPECT_TRUE(mentions(messages, "parameter `xs` modified")) << joined(messages);
  EXPECT_TRUE(mentions(messages, "line 3: break outside a loop")) << joined(messages);
}

TEST(Verifier, RejectsNullOperandsWithoutCrashing) {
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  b.fn().body = {b.ret(module.make<BinaryExpr>(Type::floating(), b.at(2), BinaryOp::Mul,
                                                nullptr, b.f64(1.0)))};
  EXPECT_TRUE(mentions(verifyModule(module), "missing expression"));
}

TEST(Verifier, RejectsLoopTargetsOfTheWrongType) {
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  LocalId xs = b.param("xs", Type::list(TypeKind::Float));
  LocalId i = b.local("i", Type::integer());
  Expr *total = b.sum(FunctionBuilder::listSpace(i, b.ref(xs)), b.f64(1.0));
  b.fn().body = {b.ret(total)};
  EXPECT_TRUE(mentions(verifyModule(module), "loop target `i` has type int, expected float"));
}

TEST(Verifier, RejectsFixedLanesOnAnIntSum) {
  Module module;
  FunctionBuilder b(module, "f", Type::integer());
  LocalId n = b.param("n", Type::integer());
  LocalId i = b.local("i", Type::integer());
  ComprehensionExpr *total =
      b.sum(FunctionBuilder::rangeSpace(i, b.i64(0), b.ref(n), b.i64(1)), b.ref(i));
  total->order = ReductionOrder::FixedLanes;
  b.fn().body = {b.ret(total)};
  EXPECT_TRUE(mentions(verifyModule(module), "fixed-lane order on something other than a float sum"));
}
