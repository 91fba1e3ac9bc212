// KernelFunction::callBatch: columns in, columns out, through the library's batch variant, and the
// per-element fallback for functions without one; the first failing element is reported.
#include "LoaderTestSupport.h"

using namespace pyvc::loader;
using namespace pyvc::loader::testing;

TEST(LoaderBatchCall, FloatColumnsThroughTheBatchVariant) {
  const KernelFunction &ratio = kernel("ratio");
  ASSERT_TRUE(ratio.hasBatchVariant());
  std::vector<double> a{1.0, 9.0, -3.0}, b{2.0, 3.0, 4.0};
  std::vector<ColumnView> columns{std::span<const double>(a), std::span<const double>(b)};
  BatchOutcome outcome = ratio.callBatch(columns);
  ASSERT_TRUE(outcome.ok()) << outcome.error->message;
  ASSERT_EQ(outcome.results.size(), 1u);
  EXPECT_EQ(std::get<std::vector<double>>(outcome.results[0]),
            (std::vector<double>{0.5, 3.0, -0.75}));
}

TEST(LoaderBatchCall, FirstFailingElementIsReported) {
  std::vector<int64_t> a{7, 8, 9, 10}, b{2, 2, 0, 0};
  std::vector<ColumnView> columns{std::span<const int64_t>(a), std::span<const int64_t>(b)};
  BatchOutcome outcome = kernel("div").callBatch(columns);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->name, "ZeroDivisionError");
  EXPECT_EQ(outcome.error->message, "integer division or modulo by zero");
  EXPECT_EQ(outcome.errorIndex, 2);
  const auto &quotients = std::get<std::vector<int64_t>>(outcome.results[0]);
  EXPECT_EQ(quotients[0], 3);
  EXPECT_EQ(quotients[1], 4);
}

TEST(LoaderBatchCall, BoolColumnsInAndOut) {
  std::vector<uint8_t> flags{1, 0, 1};
  std::vector<double> a{1.0, 2.0, 3.0}, b{-1.0, -2.0, -3.0};
  std::vector<ColumnView> columns{std::span<const uint8_t>(flags), std::span<const double>(a),
                                  std::span<const double>(b)};
  BatchOutcome selected = kernel("select").callBatch(columns);
  ASSERT_TRUE(selected.ok());
  EXPECT_EQ(std::get<std::vector<double>>(selected.results[0]),
            (std::vector<double>{1.0, -2.0, 3.0}));

  std::vector<double> x{-1.0, 0.0, 2.0};
  std::vector<ColumnView> xs{std::span<const double>(x)};
  BatchOutcome positive = kernel("is_positive").callBatch(xs);
  ASSERT_TRUE(positive.ok());
  EXPECT_EQ(std::get<std::vector<uint8_t>>(positive.results[0]), (std::vector<uint8_t>{0, 0, 1}));
}

TEST(LoaderBatchCall, TupleResultsGiveOneColumnPerMember) {
  std::vector<double> x{1.5, -0.25, 7.0};
  std::vector<ColumnView> columns{std::span<const double>(x)};
  BatchOutcome outcome = kernel("split").callBatch(columns);
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome.results.size(), 2u);
  EXPECT_EQ(std::get<std::vector<int64_t>>(outcome.results[0]), (std::vector<int64_t>{1, -1, 7}));
  EXPECT_EQ(std::get<std::vector<double>>(outcome.results[1]),
            (std::vector<double>{0.5, 0.75, 0.0}));
}

TEST(LoaderBatchCall, ThirteenColumnsThroughTheBatchVariant) {
  std::vector<int64_t> ints{1, 0};
  std::vector<double> floats{1.0, 0.0};
  std::vector<uint8_t> bools{1, 1};
  std::vector<ColumnView> columns{std::span<const int64_t>(ints),  std::span<const double>(floats),
                                  std::span<const uint8_t>(bools), std::span<const int64_t>(ints),
                                  std::span<const double>(floats), std::span<const double>(floats),
                                  std::span<const double>(floats), std::span<const double>(floats),
                                  std::span<const double>(floats), std::span<const double>(floats),
                                  std::span<const double>(floats), std::span<const int64_t>(ints),
                                  std::span<const uint8_t>(bools)};
  BatchOutcome outcome = kernel("mix").callBatch(columns);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(std::get<std::vector<double>>(outcome.results[0]),
            (std::vector<double>{8191.0, 4100.0}));
}

TEST(LoaderBatchCall, FunctionsWithoutABatchVariantAreCalledPerElement) {
  const KernelFunction &deep = kernel("deep");
  ASSERT_FALSE(deep.hasBatchVariant());
  std::vector<int64_t> n{1, 2, 3000, 4};
  std::vector<ColumnView> columns{std::span<const int64_t>(n)};
  BatchOutcome outcome = deep.callBatch(columns);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->name, "RecursionError");
  EXPECT_EQ(outcome.errorIndex, 2);
  EXPECT_EQ(std::get<std::vector<int64_t>>(outcome.results[0])[1], 2);
}

TEST(LoaderBatchCall, WrongColumnsAreRefusedWithoutCalling) {
  std::vector<double> a{1.0}, b{1.0, 2.0};
  std::vector<int64_t> ints{1};
  std::vector<ColumnView> unequal{std::span<const double>(a), std::span<const double>(b)};
  BatchOutcome outcome = kernel("ratio").callBatch(unequal);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->name, "ValueError");
  EXPECT_EQ(outcome.errorIndex, -1);

  std::vector<ColumnView> wrongType{std::span<const int64_t>(ints), std::span<const double>(a)};
  outcome = kernel("ratio").callBatch(wrongType);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->message, "ratio() column 'a' must hold float values");

  std::vector<ColumnView> one{std::span<const double>(a)};
  outcome = kernel("mean").callBatch(one);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error->message, "mean() takes or returns lists; it has no batch form");
}

TEST(LoaderBatchCall, EmptyColumnsGiveEmptyResults) {
  std::vector<ColumnView> columns{std::span<const double>(), std::span<const double>()};
  BatchOutcome outcome = kernel("ratio").callBatch(columns);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(std::get<std::vector<double>>(outcome.results[0]).empty());
}

// callInBatches answers each argument list exactly as call() does: conversion errors stay with
// their own call, a kernel error ends one batch call and the next call starts the next one.
TEST(LoaderBatchCall, CallsInBatchesAnswerLikeSingleCalls) {
  const KernelFunction &div = kernel("div");
  ASSERT_TRUE(div.hasBatchVariant());
  std::vector<std::vector<Value>> calls{
      {Value::integer(7), Value::integer(-2)},    {Value::integer(1), Value::integer(0)},
      {Value::floating(7.0), Value::integer(2)}, {Value::integer(9), Value::integer(3)},
      {Value::integer(1)},                       {Value::boolean(true), Value::integer(0)},
      {Value::integer(-9), Value::integer(4)},   {Value::integer(5), Value::integer(5)}};
  std::vector<CallOutcome> batched = div.callInBatches(calls);
  ASSERT_EQ(batched.size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    CallOutcome single = div.call(calls[i]);
    ASSERT_EQ(batched[i].ok(), single.ok()) << "call " << i;
    if (single.ok()) {
      EXPECT_EQ(batched[i].value().asInt(), single.value().asInt()) << "call " << i;
    } else {
      EXPECT_EQ(batched[i].error().name, single.error().name) << "call " << i;
      EXPECT_EQ(batched[i].error().message, single.error().message) << "call " << i;
    }
  }
  // And the values themselves, as Python's // gives them.
  EXPECT_EQ(batched[0].value().asInt(), -4);
  EXPECT_EQ(batched[1].error().name, "ZeroDivisionError");
  EXPECT_EQ(batched[2].error().name, "TypeError");
  EXPECT_EQ(batched[3].value().asInt(), 3);
  EXPECT_EQ(batched[4].error().name, "TypeError");
  EXPECT_EQ(batched[5].error().name, "ZeroDivisionError");
  EXPECT_EQ(batched[6].value().asInt(), -3);
  EXPECT_EQ(batched[7].value().asInt(), 1);
}

TEST(LoaderBatchCall, CallsInBatchesGiveTuplesAndRefuseListFunctions) {
  std::vector<std::vector<Value>> calls{{Value::floating(2.75)}, {Value::floating(-0.5)}};
  std::vector<CallOutcome> split = kernel("split").callInBatches(calls);
  ASSERT_TRUE(split[1].ok());
  ASSERT_EQ(split[1].value().items().size(), 2u);
  EXPECT_EQ(split[1].value().items()[0].asInt(), -1);
  EXPECT_EQ(split[1].value().items()[1].asFloat(), 0.5);
  std::vector<std::vector<Value>> listCalls{{Value::floatList({1.0, 2.0})}};
  std::vector<CallOutcome> mean = kernel("mean").callInBatches(listCalls);
  ASSERT_FALSE(mean[0].ok());
  EXPECT_EQ(mean[0].error().name, "TypeError");
}
