// A damaged queue file (garbage, plain text, truncated, a page overwritten) is moved aside with
// its -wal/-shm, logged loudly and counted, and a fresh queue starts; the next open is quiet.
#include "QueueTestSupport.h"

#include <gmock/gmock.h>

#include <fstream>

using namespace pyvc::sync;
using namespace pyvc::sync::testing;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

namespace {

class SyncQueueCorruption : public ::testing::Test {
protected:
  TemporaryDirectory directory;
  ManualClock clock;
  QueueOptions options = optionsFor(directory, clock);

  void writeFile(const std::string &path, const std::string &bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << bytes;
  }

  // A real queue file with ~60 pages of items, checkpointed into the main file on close.
  void makeHealthyQueue() {
    auto queue = openOrFail(options);
    std::vector<EnqueueRequest> requests;
    for (int i = 0; i < 200; ++i)
      requests.push_back({std::string(1000, char('a' + i % 26)), 0, 0ms});
    ASSERT_TRUE(queue->enqueueBatch(requests).ok());
  }

  std::vector<std::string> filesMovedAside() {
    std::vector<std::string> names;
    for (const auto &entry : std::filesystem::directory_iterator(directory.path())) {
      std::string name = entry.path().filename().string();
      if (name.starts_with("queue.db.corrupt-"))
        names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Opens the damaged file and checks the whole recovery: the log line, the file moved aside,
  // the counters, a working queue, and a quiet second open.
  void expectRecovery() {
    ::testing::internal::CaptureStderr();
    Result<std::unique_ptr<SyncQueue>> queue = SyncQueue::open(options);
    std::string log = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(queue.ok()) << queue.error().message;
    EXPECT_THAT(log, HasSubstr("CORRUPT queue file " + options.path));
    EXPECT_THAT(log, HasSubstr("moved aside to " + options.path + ".corrupt-"));
    EXPECT_FALSE(filesMovedAside().empty());

    Result<QueueStats> stats = (*queue)->stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->corruptionRecoveries, 1);
    EXPECT_EQ(stats->dropped[DropReason::Corrupt], 1);
    EXPECT_EQ(stats->queued, 0);
    enqueueOrFail(**queue, "after-recovery", 0);
    queue->reset();

    ::testing::internal::CaptureStderr();
    auto reopened = openOrFail(options);
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    Result<QueueStats> again = reopened->stats();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->corruptionRecoveries, 1);
    EXPECT_EQ(again->queued, 1);
  }
};

TEST_F(SyncQueueCorruption, GarbageBytesAreMovedAside) {
  std::string garbage;
  for (int i = 0; i < 8192; ++i)
    garbage.push_back(static_cast<char>((i * 7919 + 13) & 0xff));
  writeFile(options.path, garbage);
  writeFile(options.path + "-wal", "not a wal either");
  expectRecovery();
  // The file and its -wal (and the -shm SQLite made), under one timestamp.
  std::vector<std::string> aside = filesMovedAside();
  ASSERT_GE(aside.size(), 2u);
  EXPECT_EQ(aside[1], aside[0] + "-shm");
  EXPECT_EQ(aside.back(), aside[0] + "-wal");
  std::ifstream wal(directory.file(aside.back()));
  std::string walText;
  std::getline(wal, walText);
  EXPECT_EQ(walText, "not a wal either");
}

TEST_F(SyncQueueCorruption, TextFileIsNotADatabase) {
  writeFile(options.path, "this is a configuration file, not a queue\n");
  expectRecovery();
}

TEST_F(SyncQueueCorruption, TruncatedFileIsDetected) {
  makeHealthyQueue();
  std::filesystem::resize_file(options.path, std::filesystem::file_size(options.path) / 2);
  expectRecovery();
}

TEST_F(SyncQueueCorruption, OverwrittenPageIsCaughtByQuickCheck) {
  makeHealthyQueue();
  {
    std::fstream file(options.path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(4096 * 3); // an interior page of the items table
    file << std::string(4096, '\x5a');
  }
  expectRecovery();
}

TEST_F(SyncQueueCorruption, RepeatedCorruptionNeverOverwritesAnEarlierCopy) {
  writeFile(options.path, "first broken file");
  { auto queue = openOrFail(options); }
  writeFile(options.path, "second broken file"); // same second: the name gets a suffix
  ::testing::internal::CaptureStderr();
  auto queue = openOrFail(options);
  ::testing::internal::GetCapturedStderr();
  // Two copies of the database, each kept with its companions (the commit sidecar, and the
  // -wal/-shm the fresh queue of the first recovery kept): six files.
  std::vector<std::string> aside = filesMovedAside();
  EXPECT_EQ(std::count_if(aside.begin(), aside.end(),
                          [](const std::string &name) {
                            return !name.ends_with("-wal") && !name.ends_with("-shm") &&
                                   !name.ends_with("-sidecar");
                          }),
            2);
  EXPECT_EQ(aside.size(), 6u);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->corruptionRecoveries, 1); // counted in the fresh file of this recovery
}

TEST_F(SyncQueueCorruption, HealthyQueueIsNotTouched) {
  makeHealthyQueue();
  auto queue = openOrFail(options);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 200);
  EXPECT_EQ(stats->corruptionRecoveries, 0);
  EXPECT_TRUE(filesMovedAside().empty());
}

} // namespace
