// Corruption found while the queue runs: the file is damaged under an open queue, the next
// operation finds it, the file is moved aside, logged and counted, a fresh queue takes over, and
// what the caller still holds (the enqueue in hand, batches handed out before) is not lost.
#include "QueueTestSupport.h"

#include <gmock/gmock.h>
#include <sqlite3.h>

#include <fstream>

using namespace pyvc::sync;
using namespace pyvc::sync::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

void execOrFail(sqlite3 *db, const char *sql) {
  char *message = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &message), SQLITE_OK)
      << sql << ": " << (message ? message : "");
}

class SyncQueueRunningCorruption : public ::testing::Test {
protected:
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);

  void enqueueItems(SyncQueue &queue, int count, const std::string &prefix) {
    std::vector<EnqueueRequest> requests;
    for (int i = 0; i < count; ++i)
      requests.push_back({prefix + std::to_string(i) + std::string(1000, 'x'), i % 3, 0ms});
    ASSERT_TRUE(queue.enqueueBatch(requests).ok());
  }

  // Damages the file under the running queue as a failing flash page would. A second
  // connection first checkpoints everything into the main file and commits one more change,
  // which makes the queue's connection drop its page cache; then every page but the first is
  // overwritten, so the queue's next operation reads damaged pages.
  void damageFileUnderRunningQueue() {
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(options.path.c_str(), &db), SQLITE_OK);
    execOrFail(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    execOrFail(db, "INSERT OR REPLACE INTO meta VALUES ('touched', 'by the test')");
    sqlite3_close(db);
    std::fstream file(options.path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekg(0, std::ios::end);
    std::streamoff size = file.tellg();
    ASSERT_GT(size, 3 * options.pageSize);
    file.seekp(options.pageSize);
    file << std::string(static_cast<size_t>(size - options.pageSize), '\x5a');
  }

  size_t filesMovedAside() {
    size_t count = 0;
    for (const auto &entry : std::filesystem::directory_iterator(directory.path()))
      if (entry.path().filename().string().starts_with("queue.db.corrupt-"))
        ++count;
    return count;
  }
};

TEST_F(SyncQueueRunningCorruption, EnqueueInHandLandsInTheFreshQueue) {
  auto queue = openOrFail(options);
  enqueueItems(*queue, 200, "before-");
  damageFileUnderRunningQueue();

  ::testing::internal::CaptureStderr();
  Result<int64_t> id = queue->enqueue("after the damage", 5, 0ms);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_THAT(log, HasSubstr("CORRUPT queue file " + options.path + " while running"));
  EXPECT_THAT(log, HasSubstr("moved aside to " + options.path + ".corrupt-"));
  EXPECT_GE(filesMovedAside(), 1u);
  EXPECT_GT(*id, 200) << "ids continue above those of the damaged file";

  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->corruptionRecoveries, 1);
  EXPECT_EQ(stats->dropped[DropReason::Corrupt], 1);
  EXPECT_EQ(stats->queued, 1);
  Result<Batch> batch = queue->dequeueBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_THAT(payloadsOf(*batch), ::testing::ElementsAre("after the damage"));
  EXPECT_TRUE(queue->ack(*batch).ok());

  // The fresh file is an ordinary queue file: a reopen is quiet and finds the counts.
  queue.reset();
  ::testing::internal::CaptureStderr();
  auto reopened = openOrFail(options);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  Result<QueueStats> again = reopened->stats();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->corruptionRecoveries, 1);
  EXPECT_EQ(again->acked, 1);
}

TEST_F(SyncQueueRunningCorruption, BatchesHandedOutBeforeAreNotLost) {
  auto queue = openOrFail(options);
  enqueueItems(*queue, 100, "item-");
  Result<Batch> toRetry = queue->dequeueBatch(10, 1 << 20);
  Result<Batch> toReject = queue->dequeueBatch(5, 1 << 20);
  Result<Batch> delivered = queue->dequeueBatch(3, 1 << 20);
  ASSERT_TRUE(toRetry.ok() && toReject.ok() && delivered.ok());
  damageFileUnderRunningQueue();

  // The consumer's next dequeue finds the damage: a fresh, empty queue answers it.
  ::testing::internal::CaptureStderr();
  Result<Batch> empty = queue->dequeueBatch(100, 1 << 20);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("CORRUPT queue file"));
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_TRUE(empty->empty());

  // Outcomes of the batches in the consumer's hands: only its copies are left.
  EXPECT_TRUE(queue->ack(*delivered).ok());
  ASSERT_TRUE(queue->nack(*toRetry, 0ms).ok());
  ASSERT_TRUE(queue->deadLetter(*toReject, "HTTP 400: bad payload").ok());

  Result<Batch> retried = queue->dequeueBatch(100, 1 << 20);
  ASSERT_TRUE(retried.ok());
  std::vector<std::string> expected = payloadsOf(*toRetry);
  std::vector<std::string> got = payloadsOf(*retried);
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
  for (const QueueItem &item : retried->items)
    EXPECT_GT(item.id, 100) << "requeued items get ids the damaged file never used";

  Result<std::vector<DeadLetter>> letters = queue->deadLetters(100);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), toReject->items.size());
  EXPECT_EQ(letters->front().reason, "HTTP 400: bad payload");
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 10);
  EXPECT_EQ(stats->deadLettered, 5);
  EXPECT_EQ(stats->dropped[DropReason::DeadLetter], 5);
}

TEST_F(SyncQueueRunningCorruption, RecoveryThatCannotStartFreshIsReportedAndRetriedLater) {
  auto queue = openOrFail(options);
  enqueueItems(*queue, 100, "item-");
  damageFileUnderRunningQueue();
  // The directory vanishes too (an unmounted card): no fresh file can be made there.
  std::filesystem::remove_all(directory.path());

  ::testing::internal::CaptureStderr();
  Result<int64_t> id = queue->enqueue("in hand", 0, 0ms);
  ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(id.ok());
  EXPECT_THAT(id.error().message, HasSubstr(options.path));
  Result<QueueStats> meanwhile = queue->stats();
  ASSERT_FALSE(meanwhile.ok());
  EXPECT_THAT(meanwhile.error().message, HasSubstr("no usable queue file"));

  std::filesystem::create_directories(directory.path());
  id = queue->enqueue("in hand", 0, 0ms);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_GT(*id, 100);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 1);
  EXPECT_EQ(stats->corruptionRecoveries, 1);
}

} // namespace
