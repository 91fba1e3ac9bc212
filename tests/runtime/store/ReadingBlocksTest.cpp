// The block layout's edge cases seen through the public contract: a block straddling the age
// cutoff is split exactly, many sensors in one commit group, equal timestamps across groups,
// a limit that ends inside a block, blocks spanning long times, and units and extras that change
// within a block.
#include "store/ReadingStore.h"

#include "StoreTestSupport.h"
#include "TemporaryFolder.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using pyvc::Reading;
using pyvc::testing::manyReadings;
using pyvc::testing::openStore;
using pyvc::testing::reading;
using pyvc::testing::TemporaryFolder;
namespace fs = std::filesystem;

int64_t integerInFile(const fs::path &path, const char *sql) {
  sqlite3 *connection = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &connection), SQLITE_OK);
  sqlite3_stmt *statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(connection, sql, -1, &statement, nullptr), SQLITE_OK) << sql;
  int64_t value = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  sqlite3_close(connection);
  return value;
}

std::vector<double> valuesOf(const std::vector<Reading> &readings) {
  std::vector<double> values;
  for (const Reading &reading : readings)
    values.push_back(reading.value);
  return values;
}

TEST(StoreBlocks, ABlockStraddlingTheAgeCutoffIsSplitExactly) {
  TemporaryFolder folder;
  fs::path path = folder / "readings.db";
  auto store = openStore(path);
  ASSERT_TRUE(store);
  // One block of 100 readings (times 0..99, two readings at 50), and one wholly newer.
  std::vector<Reading> batch = manyReadings(100, 1);
  batch.push_back(reading("sensor.0", 50, 500.0));
  ASSERT_TRUE(store->insertBatch(batch));
  ASSERT_TRUE(store->insertBatch(manyReadings(10, 1, 1000)));
  ASSERT_EQ(integerInFile(path, "SELECT count(*) FROM reading_blocks"), 2);

  auto deleted = store->deleteOlderThan(50);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 50);
  EXPECT_EQ(store->countReadings().value(), 61);
  auto left = store->query("sensor.0", INT64_MIN, INT64_MAX);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 61u);
  EXPECT_EQ((*left)[0].timestampMs, 50);
  EXPECT_EQ((*left)[0].value, 50.0);
  EXPECT_EQ((*left)[1].value, 500.0) << "equal times keep insertion order after the rewrite";
  EXPECT_EQ((*left)[2].timestampMs, 51);
  EXPECT_EQ(left->back().timestampMs, 1009);
  EXPECT_TRUE(store->query("sensor.0", 0, 50)->empty());
  EXPECT_EQ(integerInFile(path, "SELECT min(first_ms) FROM reading_blocks"), 50)
      << "the straddling block was written again from its first kept reading";
  EXPECT_EQ(store->deleteOlderThan(50).value(), 0) << "nothing below the cutoff is left";
}

TEST(StoreBlocks, ManySensorsInOneGroupGetOneBlockEach) {
  TemporaryFolder folder;
  fs::path path = folder / "readings.db";
  auto store = openStore(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insertBatch(manyReadings(10000, 1000)));
  EXPECT_EQ(integerInFile(path, "SELECT count(*) FROM reading_blocks"), 1000);
  EXPECT_EQ(store->countReadings().value(), 10000);
  EXPECT_EQ(store->countSensors().value(), 1000);
  for (int sensor : {0, 1, 517, 999}) {
    auto readings = store->query("sensor." + std::to_string(sensor), 0, 10000);
    ASSERT_TRUE(readings);
    ASSERT_EQ(readings->size(), 10u);
    for (int index = 0; index < 10; ++index)
      EXPECT_EQ((*readings)[size_t(index)].timestampMs, sensor + 1000 * index);
  }
}

TEST(StoreBlocks, EqualTimestampsAcrossGroupsComeInInsertionOrder) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{
      reading("twin", 5, 1.0), reading("twin", 9, 9.0), reading("twin", 5, 2.0)}));
  // A later group whose block starts earlier (time 4) and also holds time 5.
  ASSERT_TRUE(
      store->insertBatch(std::vector<Reading>{reading("twin", 5, 3.0), reading("twin", 4, 0.5)}));
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("twin", 5, 4.0)}));
  EXPECT_EQ(valuesOf(store->query("twin", 0, 100).value()),
            (std::vector<double>{0.5, 1.0, 2.0, 3.0, 4.0, 9.0}));
  EXPECT_EQ(valuesOf(store->query("twin", 5, 6, 4).value()),
            (std::vector<double>{1.0, 2.0, 3.0, 4.0}));
  EXPECT_EQ(valuesOf(store->query("twin", 5, 6, 2).value()), (std::vector<double>{1.0, 2.0}));
}

TEST(StoreBlocks, ALimitEndingInsideABlockReturnsTheOldest) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  // Two groups whose blocks interleave in time: even times first, odd times later.
  std::vector<Reading> even, odd;
  for (int index = 0; index < 100; ++index) {
    even.push_back(reading("s", 2 * index, 2.0 * index));
    odd.push_back(reading("s", 2 * index + 1, 2.0 * index + 1));
  }
  ASSERT_TRUE(store->insertBatch(even));
  ASSERT_TRUE(store->insertBatch(odd));
  EXPECT_EQ(valuesOf(store->query("s", 0, 1000, 5).value()), (std::vector<double>{0, 1, 2, 3, 4}));
  EXPECT_EQ(valuesOf(store->query("s", 31, 1000, 3).value()), (std::vector<double>{31, 32, 33}));
  EXPECT_EQ(store->query("s", 0, 1000, 0)->size(), 0u);
  EXPECT_EQ(store->query("s", 0, 1000, 1000)->size(), 200u);
  EXPECT_EQ(store->query("s", 0, 1000)->back().timestampMs, 199);
}

// A block's first_ms alone does not say whether it holds a time: a late reading can make a block
// span a long time, and a query starting inside it still finds what it holds.
TEST(StoreBlocks, AQueryFindsReadingsInsideALongBlock) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(
      store->insertBatch(std::vector<Reading>{reading("s", 0, 1.0), reading("s", 1'000'000, 2.0)}));
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("s", 999'999, 3.0)}));
  EXPECT_EQ(valuesOf(store->query("s", 500'000, 2'000'000).value()),
            (std::vector<double>{3.0, 2.0}));
  EXPECT_EQ(valuesOf(store->query("s", 1, 999'999).value()), std::vector<double>{});
  EXPECT_EQ(valuesOf(store->query("s", INT64_MIN, 1).value()), std::vector<double>{1.0});
}

TEST(StoreBlocks, UnitsAndExtrasThatChangeWithinABlockRoundTrip) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  std::vector<Reading> batch;
  const char *units[] = {"", "C", "C", "F", "", "F"};
  for (int index = 0; index < 6; ++index) {
    Reading item = reading("s", index, -1.5 * index);
    item.unit = units[index];
    if (index % 2)
      item.extra = {{"n", index}, {"tag", "é"}};
    batch.push_back(item);
  }
  batch[4].timestampMs = INT64_MIN; // deltas across the whole int64 range
  batch[5].timestampMs = INT64_MAX;
  ASSERT_TRUE(store->insertBatch(batch));
  auto all = store->query("s", INT64_MIN, INT64_MAX);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 5u) << "INT64_MAX is outside [from, to)";
  EXPECT_EQ((*all)[0], batch[4]);
  for (int index = 0; index < 4; ++index)
    EXPECT_EQ((*all)[size_t(index) + 1], batch[size_t(index)]) << index;
}

} // namespace
