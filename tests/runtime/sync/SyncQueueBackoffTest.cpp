// nack's retry delay: exponential windows with full jitter inside [0, min(cap, base*2^(n-1))],
// reproducible from a seed, and a receiver's Retry-After winning when it is longer.
#include "QueueTestSupport.h"
#include "sync/Backoff.h"

using namespace pyvc::sync;
using namespace pyvc::sync::testing;
using namespace std::chrono_literals;

namespace {

TEST(SyncQueueBackoff, WindowDoublesPerAttemptUpToTheCap) {
  EXPECT_EQ(backoffWindow(1, 500ms, 60000ms), 500ms);
  EXPECT_EQ(backoffWindow(2, 500ms, 60000ms), 1000ms);
  EXPECT_EQ(backoffWindow(4, 500ms, 60000ms), 4000ms);
  EXPECT_EQ(backoffWindow(7, 500ms, 60000ms), 32000ms);
  EXPECT_EQ(backoffWindow(8, 500ms, 60000ms), 60000ms);
  EXPECT_EQ(backoffWindow(1000000, 500ms, 60000ms), 60000ms); // no overflow
  EXPECT_EQ(backoffWindow(3, 0ms, 60000ms), 0ms);
}

TEST(SyncQueueBackoff, FullJitterStaysInsideTheWindowAndSpreadsOverIt) {
  uint64_t state = 7;
  int64_t smallest = INT64_MAX, largest = 0;
  for (int i = 0; i < 10000; ++i) {
    int64_t delay = fullJitterDelay(3, 100ms, 60000ms, state).count();
    ASSERT_GE(delay, 0);
    ASSERT_LE(delay, 400);
    smallest = std::min(smallest, delay);
    largest = std::max(largest, delay);
  }
  // Full jitter means the whole window is used, not just its top.
  EXPECT_LT(smallest, 40);
  EXPECT_GT(largest, 360);
}

// Reads back, through nextReadyAtMs, the delay nack gave a single-item batch.
std::vector<int64_t> nackDelays(QueueOptions options, ManualClock &clock, int nacks) {
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "payload", 0);
  std::vector<int64_t> delays;
  for (int i = 0; i < nacks; ++i) {
    Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
    EXPECT_TRUE(batch.ok() && batch->items.size() == 1u);
    if (!batch.ok() || batch->empty())
      return delays;
    EXPECT_TRUE(queue->nack(*batch).ok());
    Result<std::optional<int64_t>> ready = queue->nextReadyAtMs();
    EXPECT_TRUE(ready.ok() && ready->has_value());
    delays.push_back(**ready - clock.now());
    clock.set(**ready);
  }
  return delays;
}

TEST(SyncQueueBackoff, NackDelaysFollowTheWindowsAndTheSeed) {
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);
  options.backoffBase = 100ms;
  options.backoffCap = 1000ms;
  options.maxAttempts = 100;
  options.randomSeed = 1234;
  std::vector<int64_t> delays = nackDelays(options, clock, 8);
  ASSERT_EQ(delays.size(), 8u);
  const int64_t windows[] = {100, 200, 400, 800, 1000, 1000, 1000, 1000};
  for (size_t i = 0; i < delays.size(); ++i) {
    EXPECT_GE(delays[i], 0) << "nack " << i + 1;
    EXPECT_LE(delays[i], windows[i]) << "nack " << i + 1;
  }

  // The same seed on a fresh queue gives the same delays: jitter is reproducible in tests.
  TemporaryDirectory otherDirectory;
  ManualClock otherClock;
  QueueOptions sameSeed = options;
  sameSeed.path = otherDirectory.file("queue.db");
  sameSeed.nowMs = otherClock.function();
  EXPECT_EQ(nackDelays(sameSeed, otherClock, 8), delays);
}

TEST(SyncQueueBackoff, RetryAfterWinsWhenLongerThanTheJitteredDelay) {
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);
  options.backoffBase = 100ms;
  options.backoffCap = 100ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "payload", 0);

  Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(queue->nack(*batch, 30000ms).ok());
  Result<std::optional<int64_t>> ready = queue->nextReadyAtMs();
  ASSERT_TRUE(ready.ok() && ready->has_value());
  EXPECT_EQ(**ready, clock.now() + 30000);
  clock.advance(29999);
  Result<Batch> early = queue->dequeueBatch(1, 1 << 20);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
  clock.advance(1);
  Result<Batch> onTime = queue->dequeueBatch(1, 1 << 20);
  ASSERT_TRUE(onTime.ok());
  EXPECT_EQ(onTime->batchId, batch->batchId);

  // A Retry-After shorter than the jittered delay does not shorten it.
  ASSERT_TRUE(queue->nack(*onTime, 0ms).ok());
  ready = queue->nextReadyAtMs();
  ASSERT_TRUE(ready.ok() && ready->has_value());
  EXPECT_GE(**ready, clock.now());
  EXPECT_LE(**ready, clock.now() + 100);
}

TEST(SyncQueueBackoff, NextReadyIsNowForFreshWorkAndEmptyForAnEmptyQueue) {
  TemporaryDirectory directory;
  ManualClock clock;
  auto queue = openOrFail(optionsFor(directory, clock));
  Result<std::optional<int64_t>> ready = queue->nextReadyAtMs();
  ASSERT_TRUE(ready.ok());
  EXPECT_FALSE(ready->has_value());
  enqueueOrFail(*queue, "payload", 0);
  ready = queue->nextReadyAtMs();
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->value_or(-1), clock.now());
}

TEST(SyncQueueBackoff, HeadOfLineBackoffHoldsBackFreshWorkUntilTheRetry) {
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);
  options.headOfLineBackoff = true;
  auto queue = openOrFail(options);
  for (int i = 0; i < 4; ++i)
    enqueueOrFail(*queue, "item-" + std::to_string(i), 0);
  Result<Batch> first = queue->dequeueBatch(2, 1 << 20);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(queue->nack(*first, 5000ms).ok());

  // The link is probably down: the backlog is not turned into failed batches meanwhile.
  Result<Batch> held = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->empty());
  Result<std::optional<int64_t>> ready = queue->nextReadyAtMs();
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->value_or(-1), clock.now() + 5000);

  clock.advance(5000);
  Result<Batch> retried = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(retried->batchId, first->batchId);
  Result<Batch> fresh = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->items.size(), 2u);
}

TEST(SyncQueueBackoff, UnreachableReceiverNeverDeadLettersButBacksOffMore) {
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);
  options.maxAttempts = 2;
  options.backoffBase = 100ms;
  options.backoffCap = 100'000ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "survives-the-outage", 0);
  std::string batchId;
  for (int outage = 1; outage <= 12; ++outage) {
    Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->items.size(), 1u) << "dead-lettered after " << outage << " failures";
    EXPECT_EQ(batch->items[0].attempts, 1); // the failures handed their attempts back
    if (batchId.empty())
      batchId = batch->batchId;
    EXPECT_EQ(batch->batchId, batchId);
    ASSERT_TRUE(queue->nack(*batch, std::nullopt, FailureKind::Unreachable).ok());
    Result<std::optional<int64_t>> ready = queue->nextReadyAtMs();
    ASSERT_TRUE(ready.ok() && ready->has_value());
    EXPECT_LE(**ready - clock.now(), backoffWindow(outage, 100ms, 100'000ms).count());
    clock.set(**ready);
  }
  // Two rejections (answers from the receiver) still dead-letter it.
  for (int rejection = 1; rejection <= 2; ++rejection) {
    Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->items.size(), 1u);
    ASSERT_TRUE(queue->nack(*batch, 0ms, FailureKind::Rejected).ok());
    Result<std::optional<int64_t>> ready = queue->nextReadyAtMs();
    ASSERT_TRUE(ready.ok());
    if (ready->has_value())
      clock.set(**ready);
  }
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->deadLettered, 1);
  EXPECT_EQ(stats->queued, 0);
}

} // namespace
