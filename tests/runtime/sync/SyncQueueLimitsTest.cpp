// The queue's limits and what each drop is counted as: TTL expiry, dead letters after max
// attempts or by the caller's verdict, the byte cap's eviction order, oversize payloads, a full
// disk, and counters that persist across reopening.
#include "QueueTestSupport.h"

#include <gmock/gmock.h>

using namespace pyvc::sync;
using namespace pyvc::sync::testing;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

class SyncQueueLimits : public ::testing::Test {
protected:
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);

  std::vector<std::string> drainAll(SyncQueue &queue) {
    std::vector<std::string> payloads;
    for (;;) {
      Result<Batch> batch = queue.dequeueBatch(100, 1 << 20);
      EXPECT_TRUE(batch.ok());
      if (!batch.ok() || batch->empty())
        return payloads;
      for (const QueueItem &item : batch->items)
        payloads.push_back(item.payload);
      EXPECT_TRUE(queue.ack(*batch).ok());
    }
  }
};

TEST_F(SyncQueueLimits, ItemsPastTheirTtlExpireAndAreCounted) {
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "short", 0, 1000ms);
  enqueueOrFail(*queue, "long", 0, 5000ms);
  enqueueOrFail(*queue, "forever", 0);
  clock.advance(1000);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 2);
  EXPECT_EQ(stats->dropped[DropReason::Expired], 1);
  clock.advance(10'000);
  EXPECT_THAT(drainAll(*queue), ElementsAre("forever"));
  stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dropped[DropReason::Expired], 2);
}

TEST_F(SyncQueueLimits, BatchGoesToDeadLettersAfterMaxAttempts) {
  options.maxAttempts = 3;
  options.backoffBase = 10ms;
  options.backoffCap = 10ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "poison", 2);
  std::string batchId;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
    ASSERT_TRUE(batch.ok());
    ASSERT_EQ(batch->items.size(), 1u) << "attempt " << attempt;
    EXPECT_EQ(batch->items[0].attempts, attempt);
    batchId = batch->batchId;
    ASSERT_TRUE(queue->nack(*batch).ok());
    clock.advance(10);
  }
  Result<Batch> none = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 0);
  EXPECT_EQ(stats->deadLettered, 1);
  EXPECT_EQ(stats->dropped[DropReason::DeadLetter], 1);
  Result<std::vector<DeadLetter>> letters = queue->deadLetters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].payload, "poison");
  EXPECT_EQ((*letters)[0].attempts, 3);
  EXPECT_EQ((*letters)[0].batchId, batchId);
  EXPECT_THAT((*letters)[0].reason, HasSubstr("max attempts (3)"));
}

TEST_F(SyncQueueLimits, DeadLetterKeepsTheReceiversResponse) {
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "rejected", 0);
  enqueueOrFail(*queue, "fine", 0);
  Result<Batch> batch = queue->dequeueBatch(1, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(queue->deadLetter(*batch, "HTTP 400: {\"error\":\"bad schema\"}").ok());
  Result<std::vector<DeadLetter>> letters = queue->deadLetters(10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].payload, "rejected");
  EXPECT_EQ((*letters)[0].reason, "HTTP 400: {\"error\":\"bad schema\"}");
  EXPECT_THAT(drainAll(*queue), ElementsAre("fine"));
}

TEST_F(SyncQueueLimits, LeaseExpiringOnTheLastAttemptDeadLetters) {
  options.maxAttempts = 1;
  options.leaseDuration = 1000ms;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, "crashes-its-consumer", 0);
  Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->items.size(), 1u);
  clock.advance(1000); // the consumer never answered
  Result<Batch> none = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->deadLettered, 1);
}

TEST_F(SyncQueueLimits, CapEvictsExpiredFirstThenOldestOfLowestPriority) {
  options.maxBytes = 400;
  auto queue = openOrFail(options);
  std::string hundred(100, 'x');
  enqueueOrFail(*queue, "p1-old" + hundred.substr(6), 1);
  enqueueOrFail(*queue, "p0-old" + hundred.substr(6), 0);
  enqueueOrFail(*queue, "p0-new" + hundred.substr(6), 0);
  enqueueOrFail(*queue, "p2-exp" + hundred.substr(6), 2, 500ms);
  clock.advance(500);

  // Full (400 bytes). The expired item goes first, then the oldest priority-0 item.
  enqueueOrFail(*queue, "p1-add" + hundred.substr(6), 1);
  enqueueOrFail(*queue, "p1-ad2" + hundred.substr(6), 1);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->bytes, 400);
  EXPECT_EQ(stats->dropped[DropReason::Expired], 1);
  EXPECT_EQ(stats->dropped[DropReason::Evicted], 1);

  std::vector<std::string> left;
  for (const std::string &payload : drainAll(*queue))
    left.push_back(payload.substr(0, 6));
  // One batch holds them all, listed in id (enqueue) order.
  EXPECT_THAT(left, ElementsAre("p1-old", "p0-new", "p1-add", "p1-ad2"));
}

TEST_F(SyncQueueLimits, CapNeverEvictsHigherPriorityForLowerAndSaysSo) {
  options.maxBytes = 200;
  auto queue = openOrFail(options);
  enqueueOrFail(*queue, std::string(100, 'h'), 5);
  enqueueOrFail(*queue, std::string(100, 'i'), 5);
  Result<int64_t> refused = queue->enqueue(std::string(100, 'l'), 1, 0ms);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("no room"));
  Result<int64_t> tooBigForCap = queue->enqueue(std::string(300, 'b'), 9, 0ms);
  EXPECT_FALSE(tooBigForCap.ok());
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 2);
  EXPECT_EQ(stats->dropped[DropReason::QueueFull], 2);
  EXPECT_EQ(stats->dropped[DropReason::Evicted], 0);
}

TEST_F(SyncQueueLimits, OversizePayloadIsRefusedAndCounted) {
  options.maxPayloadBytes = 1024;
  auto queue = openOrFail(options);
  Result<int64_t> refused = queue->enqueue(std::string(1025, 'x'), 0, 0ms);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("exceeds maxPayloadBytes"));
  enqueueOrFail(*queue, std::string(1024, 'x'), 0);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dropped[DropReason::TooLarge], 1);
  EXPECT_EQ(stats->queued, 1);
}

TEST_F(SyncQueueLimits, FullDiskRefusesEnqueueAndKeepsEverythingAcknowledged) {
  options.maxPageCount = 64; // 256 KiB file with 4 KiB pages
  auto queue = openOrFail(options);
  std::vector<int64_t> acknowledged;
  Result<int64_t> last = int64_t(0);
  for (int i = 0; i < 1000; ++i) {
    last = queue->enqueue("payload-" + std::to_string(i) + std::string(1000, '.'), 0, 0ms);
    if (!last.ok())
      break;
    acknowledged.push_back(*last);
  }
  ASSERT_FALSE(last.ok()) << "the page cap never filled";
  EXPECT_THAT(last.error().message, HasSubstr("full"));
  ASSERT_GT(acknowledged.size(), 10u);

  // Everything that returned success is still there, in order; and delivering frees room.
  Result<Batch> batch = queue->dequeueBatch(100000, 1 << 30);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  ASSERT_EQ(batch->items.size(), acknowledged.size());
  for (size_t i = 0; i < acknowledged.size(); ++i)
    EXPECT_EQ(batch->items[i].id, acknowledged[i]);
  ASSERT_TRUE(queue->ack(*batch).ok());
  enqueueOrFail(*queue, "after-the-drain", 0);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dropped[DropReason::QueueFull], 1);
  EXPECT_EQ(stats->queued, 1);
}

TEST_F(SyncQueueLimits, DropCountersPersistAcrossReopen) {
  {
    auto queue = openOrFail(options);
    enqueueOrFail(*queue, "gone", 0, 10ms);
    clock.advance(10);
    ASSERT_TRUE(queue->stats().ok());
  }
  auto reopened = openOrFail(options);
  Result<QueueStats> stats = reopened->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dropped[DropReason::Expired], 1);
  EXPECT_EQ(stats->dropped.size(), 6u); // every reason is reported, even at zero
}

// The queue checkpoints from its own WAL hook (which also starts the WAL's writeback early):
// the WAL must stay within one checkpoint interval plus the commit that crossed it.
TEST_F(SyncQueueLimits, WalStaysWithinTheCheckpointInterval) {
  options.checkpointPages = 100;
  auto queue = openOrFail(options);
  std::vector<EnqueueRequest> requests(100, EnqueueRequest{std::string(1024, 'w'), 0, 0ms});
  uintmax_t largestWal = 0;
  for (int batch = 0; batch < 40; ++batch) { // 4 MB of payloads, ~10 checkpoint intervals
    ASSERT_TRUE(queue->enqueueBatch(requests).ok());
    largestWal = std::max(largestWal, std::filesystem::file_size(options.path + "-wal"));
  }
  EXPECT_LT(largestWal, 1024u * 1024u) << "the WAL grew past the checkpoint interval";
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 4000);
}

TEST_F(SyncQueueLimits, InvalidOptionsAreRefusedWithAReason) {
  QueueOptions noAttempts = options;
  noAttempts.maxAttempts = 0;
  Result<std::unique_ptr<SyncQueue>> refused = SyncQueue::open(noAttempts);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("maxAttempts"));

  QueueOptions noCheckpoints = options;
  noCheckpoints.checkpointPages = 0; // the WAL would grow without end
  Result<std::unique_ptr<SyncQueue>> unbounded = SyncQueue::open(noCheckpoints);
  ASSERT_FALSE(unbounded.ok());
  EXPECT_THAT(unbounded.error().message, HasSubstr("checkpointPages"));

  QueueOptions missingDirectory = options;
  missingDirectory.path = directory.file("no/such/dir/queue.db");
  Result<std::unique_ptr<SyncQueue>> missing = SyncQueue::open(missingDirectory);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("no/such/dir/queue.db"));
}

} // namespace
