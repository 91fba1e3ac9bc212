// PipelineQueues: weighted service under saturation, no banked credit after idling, one batch
// of a pipeline at a time, bounded queues, close.
#include "agent/PipelineQueues.h"

#include <gtest/gtest.h>

using namespace pyvc;
using namespace pyvc::agent;
using namespace std::chrono_literals;

namespace {

PipelineBatch batchOf(uint32_t pipeline, size_t rows) {
  PipelineBatch batch;
  batch.pipeline = pipeline;
  for (size_t i = 0; i < rows; ++i)
    batch.rows.append(SensorId(pipeline), int64_t(i), double(i));
  return batch;
}

} // namespace

TEST(PipelineQueues, BackloggedPipelinesAreServedInProportionToTheirWeights) {
  PipelineQueues queues({4.0, 1.0, 2.0}, 1000);
  for (int i = 0; i < 300; ++i)
    for (uint32_t p = 0; p < 3; ++p)
      ASSERT_TRUE(queues.push(batchOf(p, 10), 0ms));
  // Serve 350 batches while all three stay backlogged: 4/7, 1/7 and 2/7 of them.
  std::vector<int> served(3, 0);
  for (int i = 0; i < 350; ++i) {
    auto batch = queues.pop(0ms);
    ASSERT_TRUE(batch);
    ++served[batch->pipeline];
    queues.done(batch->pipeline);
  }
  EXPECT_NEAR(served[0], 200, 1);
  EXPECT_NEAR(served[1], 50, 1);
  EXPECT_NEAR(served[2], 100, 1);
  EXPECT_EQ(queues.servedReadings()[0], uint64_t(served[0]) * 10);
}

TEST(PipelineQueues, WeightsCountReadingsNotBatches) {
  PipelineQueues queues({1.0, 1.0}, 1000);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(queues.push(batchOf(0, 100), 0ms));
    ASSERT_TRUE(queues.push(batchOf(1, 10), 0ms));
  }
  for (int i = 0; i < 55; ++i) {
    auto batch = queues.pop(0ms);
    ASSERT_TRUE(batch);
    queues.done(batch->pipeline);
  }
  std::vector<uint64_t> readings = queues.servedReadings();
  // Equal weights, equal readings: 5 batches of 100 against 50 batches of 10.
  EXPECT_EQ(readings[0], 500u);
  EXPECT_EQ(readings[1], 500u);
}

TEST(PipelineQueues, AQueueBackFromIdleDoesNotCatchUpOnServiceItMissed) {
  PipelineQueues queues({1.0, 1.0}, 1000);
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(queues.push(batchOf(0, 10), 0ms));
  for (int i = 0; i < 50; ++i) {
    auto batch = queues.pop(0ms);
    queues.done(batch->pipeline);
  }
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(queues.push(batchOf(1, 10), 0ms));
  // From here the two alternate; pipeline 1 does not get 50 batches in a row.
  std::vector<int> firstTen(2, 0);
  for (int i = 0; i < 10; ++i) {
    auto batch = queues.pop(0ms);
    ++firstTen[batch->pipeline];
    queues.done(batch->pipeline);
  }
  EXPECT_NEAR(firstTen[0], 5, 1);
  EXPECT_NEAR(firstTen[1], 5, 1);
}

TEST(PipelineQueues, ABusyPipelineIsNotHandedOutTwice) {
  PipelineQueues queues({1.0}, 10);
  ASSERT_TRUE(queues.push(batchOf(0, 1), 0ms));
  ASSERT_TRUE(queues.push(batchOf(0, 1), 0ms));
  auto first = queues.pop(0ms);
  ASSERT_TRUE(first);
  EXPECT_FALSE(queues.pop(10ms)) << "the pipeline's first batch is still being processed";
  queues.done(0);
  EXPECT_TRUE(queues.pop(0ms));
}

TEST(PipelineQueues, PushWaitsForRoomAndCloseDrainsThenStops) {
  PipelineQueues queues({1.0}, 2);
  ASSERT_TRUE(queues.push(batchOf(0, 1), 0ms));
  ASSERT_TRUE(queues.push(batchOf(0, 1), 0ms));
  EXPECT_FALSE(queues.push(batchOf(0, 1), 10ms)) << "the queue holds two batches at most";
  EXPECT_EQ(queues.queuedReadings(), 2u);
  queues.close();
  EXPECT_FALSE(queues.push(batchOf(0, 1), 0ms));
  auto batch = queues.pop(0ms);
  ASSERT_TRUE(batch);
  queues.done(0);
  EXPECT_TRUE(queues.pop(0ms));
  queues.done(0);
  EXPECT_FALSE(queues.pop(1s)) << "closed and empty: no wait";
}
