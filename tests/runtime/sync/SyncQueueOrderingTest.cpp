// Which items a dequeue hands out, in what order, under which batch id: priority then FIFO,
// batch limits, the anti-starvation age turns, and the idempotency key surviving nack and
// lease expiry.
#include "QueueTestSupport.h"

#include <gmock/gmock.h>

using namespace pyvc::sync;
using namespace pyvc::sync::testing;
using namespace std::chrono_literals;
using ::testing::ElementsAre;

namespace {

class SyncQueueOrdering : public ::testing::Test {
protected:
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);
};

TEST_F(SyncQueueOrdering, HigherPriorityFirstThenFifoWithinAPriority) {
  options.lowPriorityShare = 0; // strict priority for this test
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "low-1", 1);
  enqueueOrFail(*queue, "high-1", 5);
  enqueueOrFail(*queue, "low-2", 1);
  enqueueOrFail(*queue, "high-2", 5);
  enqueueOrFail(*queue, "mid-1", 3);

  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i) {
    Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    ASSERT_EQ(batch->items.size(), 1u);
    order.push_back(batch->items[0].payload);
    ASSERT_TRUE(queue->ack(*batch).ok());
  }
  EXPECT_THAT(order, ElementsAre("high-1", "high-2", "mid-1", "low-1", "low-2"));
  Result<Batch> empty = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(empty->batchId.empty());
}

TEST_F(SyncQueueOrdering, BatchRespectsItemAndByteLimits) {
  auto queue = openOrFail(options);
  for (int i = 0; i < 10; ++i)
    enqueueOrFail(*queue, std::string(100, char('a' + i)), 0);

  Result<Batch> byItems = queue->dequeueBatch(4, 1 << 20);
  ASSERT_TRUE(byItems.ok());
  EXPECT_EQ(byItems->items.size(), 4u);

  Result<Batch> byBytes = queue->dequeueBatch(100, 250); // room for two 100-byte payloads
  ASSERT_TRUE(byBytes.ok());
  ASSERT_EQ(byBytes->items.size(), 2u);
  EXPECT_EQ(byBytes->items[0].payload[0], 'e');
  EXPECT_EQ(byBytes->items[1].payload[0], 'f');
  EXPECT_NE(byItems->batchId, byBytes->batchId);
}

TEST_F(SyncQueueOrdering, ItemLargerThanByteLimitStillGoesAlone) {
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, std::string(5000, 'x'), 0);
  enqueueOrFail(*queue, "small", 0);
  Result<Batch> batch = queue->dequeueBatch(10, 1000);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->items.size(), 1u);
  EXPECT_EQ(batch->items[0].payload.size(), 5000u);
}

TEST_F(SyncQueueOrdering, EveryKthBatchServesTheOldestSoLowPriorityNeverStarves) {
  options.lowPriorityShare = 4;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "old-low", 0);
  // A steady stream of high-priority work: without age turns "old-low" would wait forever.
  int deliveredBeforeLow = 0;
  bool lowDelivered = false;
  for (int round = 0; round < 20 && !lowDelivered; ++round) {
    enqueueOrFail(*queue, "high-" + std::to_string(round), 9);
    enqueueOrFail(*queue, "high-" + std::to_string(round) + "b", 9);
    Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->items.size(), 1u);
    if (batch->items[0].payload == "old-low")
      lowDelivered = true;
    else
      ++deliveredBeforeLow;
    ASSERT_TRUE(queue->ack(*batch).ok());
  }
  EXPECT_TRUE(lowDelivered);
  // The bound: the 4th non-empty dequeue is an age turn and the low item is the oldest.
  EXPECT_EQ(deliveredBeforeLow, 3);
}

TEST_F(SyncQueueOrdering, StrictPriorityWhenShareIsZero) {
  options.lowPriorityShare = 0;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "old-low", 0);
  for (int round = 0; round < 12; ++round) {
    enqueueOrFail(*queue, "high", 9);
    Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
    ASSERT_TRUE(batch.ok());
    EXPECT_EQ(batch->items.at(0).payload, "high");
    ASSERT_TRUE(queue->ack(*batch).ok());
  }
}

TEST_F(SyncQueueOrdering, NackedBatchReturnsWithSameIdAndSameItems) {
  options.backoffBase = 100ms;
  options.backoffCap = 100ms;
  auto queue = openOrFail(options);
  for (int i = 0; i < 5; ++i)
    enqueueOrFail(*queue, "item-" + std::to_string(i), 0);
  Result<Batch> first = queue->dequeueBatch(3, 1 << 20);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 3u);
  ASSERT_TRUE(queue->nack(*first, 100ms).ok());

  // While it backs off, the other items go out in a batch of their own, under a new id.
  Result<Batch> other = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(payloadsOf(*other), ElementsAre("item-3", "item-4"));
  EXPECT_NE(other->batchId, first->batchId);

  clock.advance(100);
  Result<Batch> again = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batchId, first->batchId);
  EXPECT_EQ(payloadsOf(*again), payloadsOf(*first));
  EXPECT_EQ(again->items[0].attempts, 2);
  EXPECT_EQ(again->items[0].id, first->items[0].id);
}

TEST_F(SyncQueueOrdering, ReturningBatchLosesItemsThatExpiredMeanwhile) {
  options.backoffBase = 0ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "keeps", 0);
  enqueueOrFail(*queue, "expires", 0, 1000ms);
  Result<Batch> first = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(queue->nack(*first).ok());
  clock.advance(1000);
  Result<Batch> again = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batchId, first->batchId);
  EXPECT_THAT(payloadsOf(*again), ElementsAre("keeps"));
}

TEST_F(SyncQueueOrdering, ExpiredLeaseReturnsBatchUnderSameId) {
  options.leaseDuration = 5000ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "a", 0);
  enqueueOrFail(*queue, "b", 0);
  Result<Batch> first = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(first.ok());
  clock.advance(4999);
  Result<Batch> stillLeased = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(stillLeased.ok());
  EXPECT_TRUE(stillLeased->empty());
  Result<std::optional<int64_t>> nextReady = queue->nextReadyAtMs();
  ASSERT_TRUE(nextReady.ok());
  EXPECT_EQ(nextReady->value_or(-1), clock.now() + 1);

  clock.advance(1);
  Result<Batch> again = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batchId, first->batchId);
  EXPECT_THAT(payloadsOf(*again), ElementsAre("a", "b"));
}

TEST_F(SyncQueueOrdering, AckDeletesOnlyThatBatchAndLateAckIsHarmless) {
  auto queue = openOrFail(options);
  for (int i = 0; i < 4; ++i)
    enqueueOrFail(*queue, "item-" + std::to_string(i), 0);
  Result<Batch> first = queue->dequeueBatch(2, 1 << 20);
  Result<Batch> second = queue->dequeueBatch(2, 1 << 20);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(queue->ack(*first).ok());
  ASSERT_TRUE(queue->ack(*first).ok()); // a duplicate ack changes nothing
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 2);
  EXPECT_EQ(stats->leased, 2);
  EXPECT_EQ(stats->acked, 2);
  EXPECT_EQ(stats->bytes, 12);
}

TEST_F(SyncQueueOrdering, ReturningBatchYieldsToHigherPriorityFreshWork) {
  options.lowPriorityShare = 0;
  options.backoffBase = 0ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "low", 1);
  Result<Batch> low = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(low.ok());
  ASSERT_TRUE(queue->nack(*low).ok());
  enqueueOrFail(*queue, "urgent", 7);
  enqueueOrFail(*queue, "also-low", 1);

  Result<Batch> next = queue->dequeueBatch(1, 1 << 20);
  ASSERT_TRUE(next.ok());
  EXPECT_THAT(payloadsOf(*next), ElementsAre("urgent"));
  // At equal priority the returning batch was in line first.
  Result<Batch> after = queue->dequeueBatch(1, 1 << 20);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->batchId, low->batchId);
}

TEST_F(SyncQueueOrdering, QueueSurvivesReopenWithOrderAndBatchIdsIntact) {
  options.backoffBase = 0ms;
  std::string batchId;
  {
    auto queue = openOrFail(options);
    enqueueOrFail(*queue, "one", 0);
    enqueueOrFail(*queue, "two", 0);
    Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
    ASSERT_TRUE(batch.ok());
    batchId = batch->batchId;
    ASSERT_TRUE(queue->nack(*batch).ok());
  }
  auto reopened = openOrFail(options);
  Result<Batch> again = reopened->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->batchId, batchId);
  EXPECT_THAT(payloadsOf(*again), ElementsAre("one"));
  Result<Batch> fresh = reopened->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(fresh.ok());
  EXPECT_THAT(payloadsOf(*fresh), ElementsAre("two"));
  EXPECT_NE(fresh->batchId, batchId);
}

TEST_F(SyncQueueOrdering, EnqueueBatchIsAllOrNothingAndKeepsOrder) {
  options.maxPayloadBytes = 4;
  auto queue = openOrFail(options);
  std::vector<EnqueueRequest> refusedRequests = {{"r0", 0, 0ms}, {"too-long", 0, 0ms}};
  Result<std::vector<int64_t>> refused = queue->enqueueBatch(refusedRequests);
  EXPECT_FALSE(refused.ok());

  std::vector<EnqueueRequest> requests = {{"r0", 0, 0ms}, {"r1", 0, 0ms}, {"r2", 0, 0ms}};
  Result<std::vector<int64_t>> ids = queue->enqueueBatch(requests);
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_LT((*ids)[0], (*ids)[1]);
  EXPECT_LT((*ids)[1], (*ids)[2]);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 3); // the refused batch left nothing behind
  EXPECT_EQ(stats->dropped[DropReason::TooLarge], 2);
  Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(payloadsOf(*batch), ElementsAre("r0", "r1", "r2"));
}

TEST_F(SyncQueueOrdering, BinaryPayloadsComeBackByteForByte) {
  auto queue = openOrFail(options);
  std::string binary;
  for (int i = 0; i < 512; ++i)
    binary.push_back(static_cast<char>(i & 0xff)); // NULs and invalid UTF-8 included
  enqueueOrFail(*queue, binary, 0);
  enqueueOrFail(*queue, "", 0); // empty payloads are payloads too
  Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->items.size(), 2u);
  EXPECT_EQ(batch->items[0].payload, binary);
  EXPECT_EQ(batch->items[1].payload, "");
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->bytes, 512);
}

TEST_F(SyncQueueOrdering, LeaseFromAClockThatJumpedBackIsClampedOnOpen) {
  options.leaseDuration = 1000ms;
  {
    auto queue = openOrFail(options);
    enqueueOrFail(*queue, "stranded?", 0);
    clock.advance(3'600'000); // leased an hour "in the future"
    ASSERT_TRUE(queue->dequeueBatch(10, 1 << 20).ok());
  }
  clock.advance(-3'600'000); // the clock is corrected
  auto reopened = openOrFail(options);
  clock.advance(1000); // one lease duration later, not an hour
  Result<Batch> batch = reopened->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(payloadsOf(*batch), ElementsAre("stranded?"));
}

} // namespace
