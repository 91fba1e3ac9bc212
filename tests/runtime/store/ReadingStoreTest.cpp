// ReadingStore on real SQLite files: round trips, the primary key serving range queries, equal
// (sensor, time) readings, retention by age and size, a full (size-capped) database rolling a
// batch back whole, reopening, and errors. Sensor pruning: SensorPruningTest; migration:
// StoreSchemaTest.
#include "store/ReadingStore.h"

#include "StoreTestSupport.h"
#include "TemporaryFolder.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

namespace {

using pyvc::Reading;
using pyvc::ReadingStore;
using pyvc::StoreOptions;
using pyvc::testing::manyReadings;
using pyvc::testing::openStore;
using pyvc::testing::reading;
using pyvc::testing::TemporaryFolder;
namespace fs = std::filesystem;

TEST(StoreReadings, InsertThenQueryByRange) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  Reading withExtra = reading("temp.a", 20, 2.5);
  withExtra.extra = {{"site", "north"}};
  Reading notANumber = reading("temp.a", 30, std::nan(""));
  std::vector<Reading> batch = {reading("temp.a", 10), withExtra, notANumber, reading("temp.b", 15),
                                reading("temp.a", 40)};
  ASSERT_TRUE(store->insertBatch(batch));

  auto range = store->query("temp.a", 10, 40); // [10, 40): excludes 40
  ASSERT_TRUE(range) << range.error().message;
  ASSERT_EQ(range->size(), 3u);
  EXPECT_EQ((*range)[0], batch[0]);
  EXPECT_EQ((*range)[1], withExtra);
  EXPECT_EQ((*range)[2], notANumber) << "NaN is stored as NULL and read back as NaN";

  auto limited = store->query("temp.a", 0, 1000, 2);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].timestampMs, 20);
  EXPECT_EQ(store->query("temp.b", 0, 1000)->size(), 1u);
  EXPECT_EQ(store->query("temp.c", 0, 1000)->size(), 0u);
  EXPECT_EQ(store->countReadings().value(), 5);
  EXPECT_TRUE(store->insertBatch({})) << "an empty batch is a success that stores nothing";
  EXPECT_EQ(store->countReadings().value(), 5);
}

TEST(StoreReadings, RangeQueryIsServedByTheIndex) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insertBatch(manyReadings(2000)));
  auto plan = store->explainRangeQuery();
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_NE(plan->find("SEARCH reading_blocks USING PRIMARY KEY (sensor_id=? AND first_ms>? AND "
                       "first_ms<?)"),
            std::string::npos)
      << *plan;
  EXPECT_NE(plan->find("SEARCH sensors USING COVERING INDEX"), std::string::npos)
      << "the name is looked up by its unique index: " << *plan;
  EXPECT_EQ(plan->find("SCAN"), std::string::npos) << "no full scan: " << *plan;
  EXPECT_EQ(plan->find("TEMP B-TREE"), std::string::npos) << "no sort step: " << *plan;
}

TEST(StoreReadings, ReadingsWithEqualSensorAndTimeAreAllKeptInInsertionOrder) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  // Equal (sensor, time) within one batch, across batches, and interleaved with other sensors.
  ASSERT_TRUE(
      store->insertBatch(std::vector<Reading>{reading("twin", 5, 1.0), reading("other", 5, 9.0),
                                              reading("twin", 5, 2.0), reading("twin", 4, 0.5)}));
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("twin", 5, 3.0)}));
  auto twins = store->query("twin", 0, 10);
  ASSERT_TRUE(twins) << twins.error().message;
  std::vector<double> values;
  for (const Reading &twin : *twins)
    values.push_back(twin.value);
  EXPECT_EQ(values, (std::vector<double>{0.5, 1.0, 2.0, 3.0}))
      << "oldest first; equal times in the order they were inserted";
  EXPECT_EQ(store->countReadings().value(), 5);
}

TEST(StoreReadings, RetentionBySizeDeletesInInsertionOrderNotTimeOrder) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  // A gateway back online uploads old readings late: they are newer to the store.
  ASSERT_TRUE(store->insertBatch(manyReadings(20000, 10, 1'000'000)));
  ASSERT_TRUE(store->insertBatch(manyReadings(20000, 10, 0)));
  int64_t limit = store->databaseBytes().value() * 2 / 3;
  auto deleted = store->enforceSizeLimit(limit);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_GT(*deleted, 0);
  EXPECT_LT(*deleted, 20000) << "the first batch alone is more than a third of the store";
  EXPECT_EQ(store->query("sensor.0", 0, 20000)->size(), 2000u) << "the late batch is kept whole";
  EXPECT_LT(store->query("sensor.0", 1'000'000, 1'020'000)->size(), 2000u);
}

TEST(StoreReadings, ReopeningKeepsCommittedData) {
  TemporaryFolder folder;
  {
    auto store = openStore(folder / "readings.db");
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->insertBatch(manyReadings(500)));
  }
  auto reopened = openStore(folder / "readings.db", {.durability = pyvc::StoreDurability::Full});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->countReadings().value(), 500);
  EXPECT_EQ(reopened->query("sensor.3", 0, 500)->size(), 50u);
}

TEST(StoreReadings, RetentionByAgeDeletesOnlyOlderReadings) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insertBatch(manyReadings(1000)));
  auto deleted = store->deleteOlderThan(600);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 600);
  EXPECT_EQ(store->countReadings().value(), 400);
  EXPECT_TRUE(store->query("sensor.0", 0, 600)->empty());
  EXPECT_EQ(store->query("sensor.0", 600, 1000)->front().timestampMs, 600);
}

TEST(StoreReadings, RetentionBySizeKeepsTheNewestUnderTheLimit) {
  TemporaryFolder folder;
  fs::path path = folder / "readings.db";
  auto store = openStore(path);
  ASSERT_TRUE(store);
  for (int round = 0; round < 10; ++round)
    ASSERT_TRUE(store->insertBatch(manyReadings(5000, 10, round * 5000)));
  int64_t before = store->databaseBytes().value();
  const int64_t limit = 256 * 1024;
  ASSERT_GT(before, 2 * limit) << "the test needs a database well over the limit";

  auto deleted = store->enforceSizeLimit(limit);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_GT(*deleted, 0);
  EXPECT_LE(store->databaseBytes().value(), limit);
  // The bytes really went back to the file system: main file under the limit, WAL truncated.
  EXPECT_LE(int64_t(fs::file_size(path)), limit);
  EXPECT_EQ(fs::file_size(fs::path(path.string() + "-wal")), 0u);
  int64_t kept = store->countReadings().value();
  EXPECT_EQ(kept + *deleted, 50000);
  // Oldest first: exactly the newest `kept` readings remain.
  auto newest = store->query("sensor.9", 0, 50000);
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->back().timestampMs, 49999);
  EXPECT_GE(newest->front().timestampMs, 50000 - kept);
  EXPECT_LT(newest->front().timestampMs, 50000 - kept + 10);

  EXPECT_EQ(store->enforceSizeLimit(limit).value(), 0) << "already under the limit";

  // A limit no store can meet is an error, not a silent success over the limit.
  auto impossible = store->enforceSizeLimit(1024);
  ASSERT_FALSE(impossible);
  EXPECT_NE(impossible.error().message.find("is below the size of the store without readings"),
            std::string::npos)
      << impossible.error().message;
  EXPECT_EQ(store->countReadings().value(), 0);
}

TEST(StoreReadings, FullDatabaseRollsBackTheWholeBatch) {
  TemporaryFolder folder;
  fs::path path = folder / "capped.db";
  auto store = openStore(path, {.maxPageCount = 40});
  ASSERT_TRUE(store);
  const int64_t batchSize = 200;
  int64_t committedBatches = 0;
  pyvc::Result<void> inserted;
  for (int64_t batch = 0; batch < 1000; ++batch) {
    inserted = store->insertBatch(manyReadings(batchSize, 10, batch * batchSize));
    if (!inserted)
      break;
    ++committedBatches;
  }
  ASSERT_FALSE(inserted) << "a 40-page database never filled up";
  EXPECT_NE(inserted.error().message.find("SQLITE_FULL"), std::string::npos)
      << inserted.error().message;
  EXPECT_GT(committedBatches, 0);
  EXPECT_EQ(store->countReadings().value(), committedBatches * batchSize)
      << "the failed batch must not be half-written";
  // The store is still usable: reads work, and space freed by retention takes new batches.
  EXPECT_EQ(store->query("sensor.0", 0, INT64_MAX)->size(), size_t(committedBatches * 20));
  ASSERT_TRUE(store->deleteOlderThan(batchSize * committedBatches));
  EXPECT_TRUE(store->insertBatch(manyReadings(batchSize, 10, 1'000'000)));

  store.reset();
  auto reopened = openStore(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->countReadings().value(), batchSize);
}

TEST(StoreReadings, InvalidExtraRollsBackTheBatchAndNamesTheReading) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  std::vector<Reading> batch = manyReadings(5);
  batch[3].extra = {{"note", "bad\xff"}};
  auto inserted = store->insertBatch(batch);
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().message,
            "insert batch: reading 3: field `extra` holds a string that is not valid UTF-8");
  EXPECT_EQ(store->countReadings().value(), 0);
  EXPECT_TRUE(store->insertBatch(manyReadings(5))) << "the store recovers after a failed batch";
}

// Batches go in 32 rows per statement plus single rows for the rest: every field must come back
// from both, and a bad reading inside a 32-row statement is still named by its own index.
TEST(StoreReadings, RowsInsertedManyPerStatementRoundTripAndNameABadReading) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  std::vector<Reading> batch = manyReadings(100, 1); // 3 statements of 32 rows, then 4 single rows
  for (size_t i = 0; i < batch.size(); i += 7)
    batch[i].extra = {{"index", i}, {"note", "every seventh"}};
  batch[50].value = std::nan("");
  batch[51].unit = "kWh";
  ASSERT_TRUE(store->insertBatch(batch));
  auto stored = store->query("sensor.0", 0, 1000);
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i)
    EXPECT_EQ((*stored)[i], batch[i]) << "reading " << i;

  std::vector<Reading> bad = manyReadings(100, 3, 1000);
  bad[40].extra = {{"note", "bad\xff"}};
  auto inserted = store->insertBatch(bad);
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().message,
            "insert batch: reading 40: field `extra` holds a string that is not valid UTF-8");
  EXPECT_EQ(store->countReadings().value(), 100);
}

TEST(StoreReadings, RolledBackBatchForgetsTheSensorsItAdded) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  // "new.a" is added to the sensors table inside a batch that then fails and rolls back...
  std::vector<Reading> failing = {reading("new.a", 1), reading("new.a", 2)};
  failing[1].extra = {{"note", "bad\xff"}};
  ASSERT_FALSE(store->insertBatch(failing));
  // ...so its id is free again and "new.b" takes it. "new.a" must not reuse a stale id.
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("new.b", 10)}));
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("new.a", 20)}));
  auto b = store->query("new.b", 0, 100);
  auto a = store->query("new.a", 0, 100);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(b->size(), 1u);
  EXPECT_EQ(b->front().timestampMs, 10);
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ(a->front().timestampMs, 20);
}

TEST(StoreReadings, OpenErrorsNameTheFileAndCarrySqlitesMessage) {
  TemporaryFolder folder;
  auto missingFolder = ReadingStore::open(folder / "no" / "such" / "readings.db");
  ASSERT_FALSE(missingFolder);
  EXPECT_NE(missingFolder.error().message.find("readings.db: open: unable to open database file"),
            std::string::npos)
      << missingFolder.error().message;

  std::ofstream(folder / "garbage.db") << std::string(8192, 'x');
  auto garbage = ReadingStore::open(folder / "garbage.db");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("SQLITE_NOTADB"), std::string::npos)
      << garbage.error().message;
}

TEST(StoreReadings, RefusesAFutureSchemaVersion) {
  TemporaryFolder folder;
  fs::path path = folder / "future.db";
  sqlite3 *raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto store = ReadingStore::open(path);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("unknown reading store schema version 7"), std::string::npos)
      << store.error().message;
}

} // namespace
