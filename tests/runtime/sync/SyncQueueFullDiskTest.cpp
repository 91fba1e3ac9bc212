// The queue on really full disks: small ext4 file systems with 1 KiB and 4 KiB blocks on loop
// devices and a 2 MiB tmpfs, filled by the queue and then by another file. The reopen on the full
// disk used to die with SIGBUS (the -shm could not be backed); it runs in a child process here so
// that a crash fails the test without taking the mount with it.
#include "QueueTestSupport.h"
#include "store/SmallFileSystem.h"

#include <gmock/gmock.h>

#include <filesystem>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace pyvc::sync::testing {
namespace {

using pyvc::testing::SmallFileSystem;
using pyvc::testing::SmallFileSystemKind;
using ::testing::HasSubstr;

// Distinct, checkable payloads: "<index>:" then filler bytes.
std::string payloadNumber(int64_t index, size_t size) {
  std::string payload = std::to_string(index) + ":";
  payload.resize(size, static_cast<char>('a' + index % 26));
  return payload;
}

class SyncQueueFullDisk : public ::testing::TestWithParam<SmallFileSystemKind> {
protected:
  QueueOptions optionsOn(const SmallFileSystem &disk) {
    QueueOptions options;
    options.path = disk.file("queue.db");
    options.durability = Durability::Normal;
    options.nowMs = clock.function();
    options.randomSeed = 7;
    options.checkpointPages = 64;          // a 256 KiB WAL between checkpoints on a small disk
    options.diskReserveBytes = 128 * 1024; // the drain reserve
    return options;
  }

  // Enqueues batches of 10 until the disk refuses one; returns how many items went in.
  int64_t fillWithQueue(SyncQueue &queue, std::string &refusal) {
    int64_t next = 0;
    for (;;) {
      std::vector<EnqueueRequest> requests;
      for (int i = 0; i < 10; ++i)
        requests.push_back({payloadNumber(next + i, 2000), 0, std::chrono::milliseconds(0)});
      Result<std::vector<int64_t>> ids = queue.enqueueBatch(requests);
      if (!ids) {
        refusal = ids.error().message;
        return next;
      }
      next += 10;
      if (next > 100'000) {
        ADD_FAILURE() << "the disk never filled";
        return next;
      }
    }
  }

  // Opens the queue in a child process, which tries one enqueue: 0 = opened and refused the
  // enqueue, 1 = opened and accepted it, 2 = open failed; a signal fails the test. Returns the
  // exit status.
  int childOpensAndEnqueues(const QueueOptions &options) {
    pid_t child = ::fork();
    if (child < 0) {
      ADD_FAILURE() << "fork failed";
      return -1;
    }
    if (child == 0) {
      Result<std::unique_ptr<SyncQueue>> queue = SyncQueue::open(options);
      if (!queue)
        ::_exit(2);
      Result<int64_t> id = (*queue)->enqueue(payloadNumber(-1, 2000), 0, {});
      ::_exit(id ? 1 : 0);
    }
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_FALSE(WIFSIGNALED(status)) << "the reopen died with signal " << WTERMSIG(status);
    EXPECT_TRUE(WIFEXITED(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  ManualClock clock;
};

// The reproduction and more: fill the disk with the queue, reopen; fill what is left
// with another file, reopen; then the queue must refuse enqueues (counted), drain everything it
// holds, and accept again once space is freed.
TEST_P(SyncQueueFullDisk, ReopenedOnAFullDiskOpensRefusesCountsDrainsAndAcceptsAgain) {
  SmallFileSystem disk(GetParam(), GetParam() == SmallFileSystemKind::Tmpfs ? 2 << 20 : 8 << 20);
  if (!disk.skipReason().empty())
    GTEST_SKIP() << disk.skipReason();
  QueueOptions options = optionsOn(disk);
  int64_t confirmed = 0;
  {
    auto queue = openOrFail(options);
    ASSERT_TRUE(queue);
    std::string refusal;
    confirmed = fillWithQueue(*queue, refusal);
    EXPECT_GT(confirmed, 100);
    EXPECT_THAT(refusal, HasSubstr("full"));
    Result<QueueStats> stats = queue->stats();
    ASSERT_TRUE(stats.ok()) << stats.error().message;
    EXPECT_EQ(stats->dropped[DropReason::QueueFull], 10); // the refused batch, at INSERT or COMMIT
    EXPECT_EQ(stats->queued, confirmed);
  }
  ::testing::internal::CaptureStderr();
  // Closing gave the WAL's space back, so this one may take an item; it must open.
  int first = childOpensAndEnqueues(options);
  EXPECT_TRUE(first == 0 || first == 1) << "exit status " << first;
  confirmed += first == 1 ? 1 : 0;
  disk.fillUp("filler");
  EXPECT_FALSE(disk.writeFile("probe", 4096)) << "the disk is not full";
  std::filesystem::remove(disk.file("probe"));
  EXPECT_EQ(childOpensAndEnqueues(options), 0) << "1: accepted an enqueue on a full disk";
  std::string log = ::testing::internal::GetCapturedStderr();

  auto queue = openOrFail(options);
  ASSERT_TRUE(queue);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  // The first fill's refused batch and the second child's enqueue: every refusal counts.
  EXPECT_EQ(stats->dropped[DropReason::QueueFull], 10 + (first == 0 ? 1 : 0) + 1) << log;
  EXPECT_EQ(stats->queued, confirmed);
  int64_t refusedBefore = stats->dropped[DropReason::QueueFull];
  // What the refusals' bookkeeping gave back may take a few more items; then a refusal.
  std::string refusal;
  for (int i = 0; i < 200 && refusal.empty(); ++i) {
    Result<int64_t> id = queue->enqueue(payloadNumber(1'000'000 + i, 2000), 0, {});
    if (id)
      ++confirmed;
    else
      refusal = id.error().message;
  }
  EXPECT_THAT(refusal, HasSubstr("full"));
  stats = queue->stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->dropped[DropReason::QueueFull], refusedBefore + 1);
  EXPECT_EQ(stats->queued, confirmed);

  std::set<std::string> drainedPayloads;
  for (;;) {
    Result<Batch> batch = queue->dequeueBatch(50, 1 << 20);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    if (batch->empty())
      break;
    for (const QueueItem &item : batch->items)
      EXPECT_TRUE(drainedPayloads.insert(item.payload).second) << "delivered twice: " << item.id;
    Result<void> acked = queue->ack(*batch);
    ASSERT_TRUE(acked.ok()) << acked.error().message;
  }
  EXPECT_EQ(static_cast<int64_t>(drainedPayloads.size()), confirmed);
  for (int64_t index = 0; index < 100; ++index)
    EXPECT_TRUE(drainedPayloads.count(payloadNumber(index, 2000))) << "item " << index << " lost";

  std::filesystem::remove(disk.file("filler"));
  std::filesystem::remove(disk.file("filler.allocated"));
  Result<int64_t> accepted = queue->enqueue(payloadNumber(0, 2000), 0, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  stats = queue->stats();
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->queued, 1);
  EXPECT_EQ(stats->acked, confirmed);
  EXPECT_EQ(stats->corruptionRecoveries, 0);
  EXPECT_EQ(stats->lostCommitsOnOpen, 0);
}

// Space freed by another file after the disk filled is usable at once: the WAL is not left
// holding it (a 2 MiB tmpfs used to let 12 of 40 enqueues through and then wedge dequeue/ack).
TEST_P(SyncQueueFullDisk, SpaceFreedAfterAFullDiskIsUsedAndTheQueueKeepsDraining) {
  SmallFileSystem disk(GetParam(), GetParam() == SmallFileSystemKind::Tmpfs ? 2 << 20 : 8 << 20);
  if (!disk.skipReason().empty())
    GTEST_SKIP() << disk.skipReason();
  ASSERT_TRUE(disk.writeFile("ballast", 600 * 1024));
  QueueOptions options = optionsOn(disk);
  auto queue = openOrFail(options);
  ASSERT_TRUE(queue);
  std::string refusal;
  int64_t confirmed = fillWithQueue(*queue, refusal);
  EXPECT_THAT(refusal, HasSubstr("full"));

  std::filesystem::remove(disk.file("ballast")); // 600 KiB freed
  int64_t accepted = 0;
  for (int i = 0; i < 40; ++i)
    if (queue->enqueue(payloadNumber(confirmed + accepted, 2000), 0, {}))
      ++accepted;
  // 600 KiB hold ~300 payloads of 2,000 bytes: all 40 fit, whatever the WAL holds.
  EXPECT_EQ(accepted, 40);

  int64_t drained = 0;
  for (;;) {
    Result<Batch> batch = queue->dequeueBatch(64, 1 << 20);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    if (batch->empty())
      break;
    drained += static_cast<int64_t>(batch->items.size());
    ASSERT_TRUE(queue->ack(*batch).ok());
  }
  EXPECT_EQ(drained, confirmed + accepted);
}

// maxPageCount bounds the database and its WAL together.
TEST_P(SyncQueueFullDisk, PageCapBoundsTheDatabaseAndItsWalTogether) {
  SmallFileSystem disk(GetParam(), GetParam() == SmallFileSystemKind::Tmpfs ? 2 << 20 : 8 << 20);
  if (!disk.skipReason().empty())
    GTEST_SKIP() << disk.skipReason();
  QueueOptions options = optionsOn(disk);
  options.checkpointPages = 1000; // the default: the cap must win over it
  options.maxPageCount = 256;     // 1 MiB of 4 KiB pages
  auto queue = openOrFail(options);
  ASSERT_TRUE(queue);
  std::string refusal;
  int64_t confirmed = 0;
  int64_t largestFootprint = 0;
  for (int round = 0; round < 3; ++round) {
    confirmed = fillWithQueue(*queue, refusal);
    EXPECT_THAT(refusal, HasSubstr("full"));
    auto sizeOf = [](const std::string &path) {
      std::error_code missing;
      auto size = std::filesystem::file_size(path, missing);
      return missing ? int64_t(0) : static_cast<int64_t>(size);
    };
    largestFootprint =
        std::max(largestFootprint, sizeOf(options.path) + sizeOf(options.path + "-wal"));
    // Drain half, so the next round reuses pages and writes WAL again.
    Result<Batch> batch = queue->dequeueBatch(static_cast<size_t>(confirmed / 2), 1 << 30);
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE(queue->ack(*batch).ok());
  }
  // docs/RUNTIME-sync.md, Disk footprint: maxPageCount pages plus one WAL frame header per page.
  EXPECT_LE(largestFootprint, 256 * (4096 + 24) + 32);
  EXPECT_GT(confirmed, 0);
}

INSTANTIATE_TEST_SUITE_P(FileSystems, SyncQueueFullDisk,
                         ::testing::Values(SmallFileSystemKind::Ext4OneKiBBlocks,
                                           SmallFileSystemKind::Ext4FourKiBBlocks,
                                           SmallFileSystemKind::Tmpfs),
                         [](const auto &info) { return pyvc::testing::nameOf(info.param); });

} // namespace
} // namespace pyvc::sync::testing
