// The sensors table follows the readings: retention (by age or size) deletes the names left
// without readings, and a connection whose memo still holds a deleted id never files readings
// under it, even when another connection has reused that id for another name.
#include "store/ReadingStore.h"

#include "StoreTestSupport.h"
#include "TemporaryFolder.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

namespace {

using pyvc::Reading;
using pyvc::testing::manyReadings;
using pyvc::testing::openStore;
using pyvc::testing::reading;
using pyvc::testing::TemporaryFolder;
namespace fs = std::filesystem;

// Readings of sensors "<prefix>.0" .. "<prefix>.<sensors - 1>", one each per millisecond.
std::vector<Reading> readingsOf(const std::string &prefix, int sensors, int64_t count,
                                int64_t firstMs) {
  std::vector<Reading> readings;
  for (int64_t i = 0; i < count; ++i)
    readings.push_back(reading(prefix + "." + std::to_string(i % sensors), firstMs + i));
  return readings;
}

int64_t sensorIdInFile(const fs::path &path, const std::string &name) {
  sqlite3 *connection = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &connection), SQLITE_OK);
  sqlite3_stmt *find = nullptr;
  sqlite3_prepare_v2(connection, "SELECT id FROM sensors WHERE name = ?1", -1, &find, nullptr);
  sqlite3_bind_text(find, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  int64_t id = sqlite3_step(find) == SQLITE_ROW ? sqlite3_column_int64(find, 0) : -1;
  sqlite3_finalize(find);
  sqlite3_close(connection);
  return id;
}

TEST(StoreSensorPruning, RetentionByAgeDeletesSensorsWithoutReadings) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insertBatch(readingsOf("retired", 5, 500, 0)));
  ASSERT_TRUE(store->insertBatch(readingsOf("live", 3, 300, 400)));
  ASSERT_EQ(store->countSensors().value(), 8);

  ASSERT_EQ(store->deleteOlderThan(400).value(), 400);
  EXPECT_EQ(store->countSensors().value(), 8) << "every retired sensor still has readings";
  ASSERT_EQ(store->deleteOlderThan(500).value(), 100 + 100);
  EXPECT_EQ(store->countSensors().value(), 3) << "only the live sensors have readings left";
  EXPECT_TRUE(store->query("retired.1", 0, 1000)->empty());
  EXPECT_EQ(store->query("live.1", 0, 1000)->size(), 67u);

  // A retired name that comes back is simply a new sensor.
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("retired.1", 2000)}));
  EXPECT_EQ(store->countSensors().value(), 4);
  auto back = store->query("retired.1", 0, 5000);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ(back->front().timestampMs, 2000);
}

TEST(StoreSensorPruning, RetentionBySizeDeletesSensorsWithoutReadings) {
  TemporaryFolder folder;
  auto store = openStore(folder / "readings.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->insertBatch(readingsOf("first", 50, 5000, 0)));
  for (int round = 0; round < 10; ++round)
    ASSERT_TRUE(store->insertBatch(readingsOf("later", 10, 5000, 10'000 + round * 5000)));
  ASSERT_EQ(store->countSensors().value(), 60);
  // Half the store: the first batch (oldest by insertion) goes whole, the later sensors stay.
  auto deleted = store->enforceSizeLimit(store->databaseBytes().value() / 2);
  ASSERT_TRUE(deleted) << deleted.error().message;
  ASSERT_GT(*deleted, 5000);
  EXPECT_EQ(store->countSensors().value(), 10);
  EXPECT_TRUE(store->query("first.7", 0, INT64_MAX)->empty());
  EXPECT_FALSE(store->query("later.7", 0, INT64_MAX)->empty());
}

TEST(StoreSensorPruning, AnIdPrunedAndReusedElsewhereIsNotUsedFromAStaleMemo) {
  TemporaryFolder folder;
  fs::path path = folder / "readings.db";
  auto writer = openStore(path);
  auto retention = openStore(path);
  ASSERT_TRUE(writer && retention);
  ASSERT_TRUE(writer->insertBatch(std::vector<Reading>{reading("a", 1)})); // memo: a -> its id
  int64_t idOfA = sensorIdInFile(path, "a");

  // Another connection ages "a" out, then adds "b", which takes the freed id.
  ASSERT_EQ(retention->deleteOlderThan(5).value(), 1);
  ASSERT_TRUE(retention->insertBatch(std::vector<Reading>{reading("b", 10)}));
  ASSERT_EQ(sensorIdInFile(path, "b"), idOfA) << "the test needs the id to be reused";

  ASSERT_TRUE(writer->insertBatch(std::vector<Reading>{reading("a", 20)}));
  for (auto *store : {writer.get(), retention.get()}) {
    auto b = store->query("b", 0, 100);
    auto a = store->query("a", 0, 100);
    ASSERT_TRUE(a && b);
    ASSERT_EQ(b->size(), 1u) << "a reading of `a` was filed under `b`";
    EXPECT_EQ(b->front().timestampMs, 10);
    ASSERT_EQ(a->size(), 1u);
    EXPECT_EQ(a->front().timestampMs, 20);
  }
  EXPECT_NE(sensorIdInFile(path, "a"), idOfA);
}

} // namespace
