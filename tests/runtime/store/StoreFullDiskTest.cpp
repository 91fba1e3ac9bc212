// The reading store on really full disks (1 KiB and 4 KiB-block ext4 on loop devices, a 2 MiB
// tmpfs), and what it does about a file emptied or WAL frames lost: reported, never silent. The
// reopen on the full disk runs in a child process, so a crash (SIGBUS from an unbacked -shm, as
// the sync queue had) fails the test without leaving the mount behind.
#include "StoreTestSupport.h"
#include "store/SmallFileSystem.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <sys/wait.h>
#include <unistd.h>

namespace pyvc::testing {
namespace {

// 200 readings with a little extra each, so batches take room quickly.
std::vector<Reading> batchNumber(int64_t batch) {
  std::vector<Reading> readings = manyReadings(200, 20, batch * 1000);
  for (Reading &reading : readings)
    reading.extra = nlohmann::json{{"note", std::string(60, 'n')}};
  return readings;
}

class StoreFullDisk : public ::testing::TestWithParam<SmallFileSystemKind> {};

TEST_P(StoreFullDisk, ReopenedOnAFullDiskRefusesCleanlyAndAcceptsOnceSpaceIsFreed) {
  SmallFileSystem disk(GetParam(), GetParam() == SmallFileSystemKind::Tmpfs ? 2 << 20 : 8 << 20);
  if (!disk.skipReason().empty())
    GTEST_SKIP() << disk.skipReason();
  // What "space is freed" frees below: room for the WAL, which a restart emptied, and the batch.
  int64_t ballast = GetParam() == SmallFileSystemKind::Tmpfs ? 600 * 1024 : 1024 * 1024;
  ASSERT_TRUE(disk.writeFile("ballast", ballast));
  std::filesystem::path path = disk.file("readings.db");
  int64_t batches = 0;
  {
    auto store = openStore(path);
    ASSERT_TRUE(store);
    for (;; ++batches) {
      Result<void> inserted = store->insertBatch(batchNumber(batches));
      if (!inserted) {
        EXPECT_NE(inserted.error().message.find("SQLITE_FULL"), std::string::npos)
            << inserted.error().message;
        break;
      }
      ASSERT_LT(batches, 10'000) << "the disk never filled";
    }
    EXPECT_GT(batches, 2);
    Result<int64_t> count = store->countReadings();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, batches * 200); // the refused batch left nothing behind
  }
  disk.fillUp("filler");
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = ReadingStore::open(path);
    if (!store)
      ::_exit(2);
    ::_exit((*store)->insertBatch(batchNumber(99'999)) ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_FALSE(WIFSIGNALED(status)) << "the reopen died with signal " << WTERMSIG(status);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: accepted a batch on a full disk; 2: open failed";

  auto store = openStore(path);
  ASSERT_TRUE(store);
  Result<void> refused = store->insertBatch(batchNumber(batches));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("SQLITE_FULL"), std::string::npos)
      << refused.error().message;
  Result<int64_t> count = store->countReadings();
  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(*count, batches * 200);
  Result<std::vector<Reading>> first = store->query("sensor.0", 0, 1000);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->size(), 10u); // 200 readings over 20 sensors in batch 0

  std::filesystem::remove(disk.file("ballast"));
  Result<void> accepted = store->insertBatch(batchNumber(batches));
  ASSERT_TRUE(accepted.ok()) << accepted.error().message
                             << "; free after removing the filler: " << disk.freeBytes();
  count = store->countReadings();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, (batches + 1) * 200);
  EXPECT_EQ(store->integrity().lostReadingsOnOpen, 0);
  EXPECT_EQ(store->integrity().filesMovedAside, 0);
}

INSTANTIATE_TEST_SUITE_P(FileSystems, StoreFullDisk,
                         ::testing::Values(SmallFileSystemKind::Ext4OneKiBBlocks,
                                           SmallFileSystemKind::Ext4FourKiBBlocks,
                                           SmallFileSystemKind::Tmpfs),
                         [](const auto &info) { return nameOf(info.param); });

class StoreIntegrityTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pyvc-store-integrity-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory = pattern;
    path = directory / "readings.db";
  }
  void TearDown() override { std::filesystem::remove_all(directory); }
  std::filesystem::path directory, path;
};

TEST_F(StoreIntegrityTest, EmptiedFileIsMovedAsideAndReported) {
  {
    auto store = openStore(path);
    ASSERT_TRUE(store->insertBatch(manyReadings(500)).ok());
  }
  std::filesystem::resize_file(path, 0);
  std::filesystem::remove(path.string() + "-wal");
  ::testing::internal::CaptureStderr();
  auto store = openStore(path);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(store);
  EXPECT_NE(log.find("CORRUPT store"), std::string::npos) << log;
  EXPECT_NE(log.find("records 500 readings"), std::string::npos) << log;
  EXPECT_EQ(store->integrity().filesMovedAside, 1);
  size_t aside = 0;
  for (const auto &entry : std::filesystem::directory_iterator(directory))
    aside += entry.path().filename().string().starts_with("readings.db.corrupt-") ? 1 : 0;
  EXPECT_GE(aside, 2u); // the empty file and its sidecar
  Result<int64_t> count = store->countReadings();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

// SQLite's WAL recovery stops at a damaged frame and drops every later commit silently; the
// sidecar counted the readings committed, so the loss is logged and counted.
TEST_F(StoreIntegrityTest, ReadingsLostFromADamagedWalAreReported) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = ReadingStore::open(path);
    if (!store)
      ::_exit(1);
    for (int batch = 0; batch < 30; ++batch)
      if (!(*store)->insertBatch(manyReadings(200, 10, batch * 1000)))
        ::_exit(1);
    ::_exit(0); // a crash: no close, no checkpoint
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::string wal = path.string() + "-wal";
  int64_t walBytes = static_cast<int64_t>(std::filesystem::file_size(wal));
  int64_t frames = (walBytes - 32) / (4096 + 24);
  ASSERT_GT(frames, 30);
  {
    std::fstream file(wal, std::ios::binary | std::ios::in | std::ios::out);
    std::streamoff at = 32 + (frames / 2) * (4096 + 24) + 24 + 1000;
    file.seekg(at);
    char byte = 0;
    file.get(byte);
    file.seekp(at);
    file.put(static_cast<char>(byte ^ 0x10));
  }
  std::filesystem::remove(path.string() + "-shm");
  ::testing::internal::CaptureStderr();
  auto store = openStore(path);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(store);
  EXPECT_NE(log.find("LOST READINGS"), std::string::npos) << log;
  Result<int64_t> count = store->countReadings();
  ASSERT_TRUE(count.ok());
  EXPECT_LT(*count, 6000);
  EXPECT_EQ(store->integrity().lostReadingsOnOpen, 6000 - *count);
}

// A byte changed inside a block on disk passes quick_check; the block's CRC32C catches it: its
// readings are left out of query() and counted, the other blocks' come back.
TEST_F(StoreIntegrityTest, DamagedBlockIsLeftOutAndCounted) {
  {
    auto store = openStore(path);
    std::vector<Reading> damaged = manyReadings(50, 1);
    damaged[40].unit = "DAMAGE-ME";
    ASSERT_TRUE(store->insertBatch(damaged).ok());
    std::vector<Reading> intact = manyReadings(50, 1, 50);
    intact[1].value = -0.0;
    intact[2].value = std::numeric_limits<double>::quiet_NaN();
    intact[3].extra = nlohmann::json{{"owner", "alice"}};
    ASSERT_TRUE(store->insertBatch(intact).ok());
  }
  std::string bytes;
  {
    std::ifstream file(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(file), {});
  }
  size_t at = bytes.find("DAMAGE-ME");
  ASSERT_NE(at, std::string::npos);
  {
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(static_cast<std::streamoff>(at));
    file.put('d');
  }
  ::testing::internal::CaptureStderr();
  auto store = openStore(path);
  ASSERT_TRUE(store);
  Result<std::vector<Reading>> readings = store->query("sensor.0", 0, 1000);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(readings.ok()) << readings.error().message;
  ASSERT_EQ(readings->size(), 50u) << "the intact block only";
  for (const Reading &reading : *readings)
    EXPECT_GE(reading.timestampMs, 50) << "no reading of the damaged block is returned";
  EXPECT_TRUE(std::signbit((*readings)[1].value) && (*readings)[1].value == 0.0) << "-0.0 kept";
  EXPECT_TRUE(std::isnan((*readings)[2].value));
  EXPECT_EQ((*readings)[3].extra, nlohmann::json({{"owner", "alice"}}));
  EXPECT_EQ(store->integrity().corruptRowsSkipped, 50) << "counted in readings, not blocks";
  EXPECT_NE(log.find("damaged on disk"), std::string::npos) << log;
  // Retention by age across the damaged block deletes it whole: it cannot be split.
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(store->deleteOlderThan(45).value(), 50);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(store->countReadings().value(), 50);
}

// secure_delete=ON: readings deleted by retention are not readable in the file afterwards.
TEST_F(StoreIntegrityTest, DeletedReadingsDoNotLingerInTheFile) {
  {
    auto store = openStore(path);
    std::vector<Reading> readings = manyReadings(3000, 3);
    for (size_t i = 0; i < readings.size(); ++i)
      readings[i].unit = "SECRET" + std::to_string(100000 + i);
    ASSERT_TRUE(store->insertBatch(readings).ok());
    Result<int64_t> deleted = store->deleteOlderThan(2000);
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(*deleted, 2000);
  }
  std::ifstream file(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), {});
  std::ifstream wal(path.string() + "-wal", std::ios::binary);
  bytes += std::string((std::istreambuf_iterator<char>(wal)), {});
  int lingering = 0, kept = 0;
  for (int i = 0; i < 3000; ++i) {
    bool present = bytes.find("SECRET" + std::to_string(100000 + i)) != std::string::npos;
    (i < 2000 ? lingering : kept) += present ? 1 : 0;
  }
  EXPECT_EQ(lingering, 0);
  // The search finds what is there: each sensor's block is a blob continued over overflow
  // pages, whose 4-byte page links can split a unit, so a few kept ones are not found whole.
  EXPECT_GE(kept, 990);
  auto store = openStore(path);
  int64_t queried = 0;
  for (const char *sensor : {"sensor.0", "sensor.1", "sensor.2"})
    queried += int64_t(store->query(sensor, 0, 3000)->size());
  EXPECT_EQ(queried, 1000);
}

// Every public function returns an Error on a file damaged under it (never throws, never
// crashes): a second connection checkpoints and commits, then every page is overwritten.
TEST_F(StoreIntegrityTest, EveryPublicFunctionReturnsAnErrorOnADamagedFile) {
  auto missing = ReadingStore::open(directory / "no" / "such" / "readings.db");
  ASSERT_FALSE(missing.ok());
  auto store = openStore(path);
  ASSERT_TRUE(store->insertBatch(manyReadings(5000)).ok());
  {
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db,
                 "PRAGMA wal_checkpoint(TRUNCATE); UPDATE store_state SET sensors_generation "
                 "= sensors_generation + 1",
                 nullptr, nullptr, nullptr);
    sqlite3_close(db);
    std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
    file.seekg(0, std::ios::end);
    std::streamoff size = file.tellg();
    file.seekp(0);
    file << std::string(static_cast<size_t>(size), '\x5a');
  }
  std::vector<std::pair<const char *, bool>> outcomes;
  outcomes.emplace_back("insertBatch", store->insertBatch(manyReadings(10)).ok());
  outcomes.emplace_back("query", store->query("sensor.1", 0, 1'000'000).ok());
  outcomes.emplace_back("deleteOlderThan", store->deleteOlderThan(100).ok());
  outcomes.emplace_back("enforceSizeLimit", store->enforceSizeLimit(1 << 20).ok());
  outcomes.emplace_back("countReadings", store->countReadings().ok());
  outcomes.emplace_back("countSensors", store->countSensors().ok());
  outcomes.emplace_back("databaseBytes", store->databaseBytes().ok());
  // explainRangeQuery reads no page (the schema is cached): damage cannot fail it.
  for (const auto &[name, succeeded] : outcomes)
    EXPECT_FALSE(succeeded) << name << " succeeded on a damaged file";
}

} // namespace
} // namespace pyvc::testing
