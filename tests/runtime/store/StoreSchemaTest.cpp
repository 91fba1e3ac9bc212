// Files written by older stores are migrated to version 3 (blocks) when opened: version 1 (a
// rowid table and a separate (sensor, time) index) and version 2 (one row per reading, with or
// without row checksums). Every reading is kept, in the same order, queryable by the new
// primary key, with sequences that continue where the old ones ended.
#include "store/ReadingStore.h"

#include "StoreTestSupport.h"
#include "TemporaryFolder.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using pyvc::Reading;
using pyvc::testing::openStore;
using pyvc::testing::reading;
using pyvc::testing::TemporaryFolder;
namespace fs = std::filesystem;

// Exactly what the version-1 store created (runtime/store before schema version 2), including
// its pragma order: WAL first, so the auto_vacuum request came too late and was ignored.
constexpr const char *kVersion1Schema = R"(
  PRAGMA journal_mode = WAL;
  PRAGMA auto_vacuum = INCREMENTAL;
  CREATE TABLE sensors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor_id INTEGER NOT NULL REFERENCES sensors (id),
                         timestamp_ms INTEGER NOT NULL, value REAL, unit TEXT NOT NULL, extra TEXT);
  CREATE INDEX readings_by_sensor_time ON readings (sensor_id, timestamp_ms);
  PRAGMA user_version = 1;
  INSERT INTO sensors VALUES (1, 'temp.a'), (2, 'temp.b'), (3, 'orphan');
  INSERT INTO readings VALUES (1, 1, 10, 1.5, 'C', NULL), (2, 2, 10, 7.0, 'C', NULL),
                              (3, 1, 10, 2.5, 'C', '{"site":"north"}'), (4, 1, 5, NULL, 'C', NULL);
  WITH RECURSIVE counter (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM counter WHERE n < 499)
  INSERT INTO readings SELECT 100 + n, 2, 1000 + n, n, 'C', NULL FROM counter;
)";

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

TEST(StoreSchema, MigratesAVersion1FileKeepingEveryReadingInOrder) {
  TemporaryFolder folder;
  fs::path path = folder / "version1.db";
  {
    sqlite3 *connection = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &connection), SQLITE_OK);
    char *message = nullptr;
    int code = sqlite3_exec(connection, kVersion1Schema, nullptr, nullptr, &message);
    ASSERT_EQ(code, SQLITE_OK) << (message ? message : "");
    sqlite3_close(connection);
  }
  ASSERT_EQ(integerInFile(path, "PRAGMA auto_vacuum"), 0) << "as version 1 left its files";
  auto store = openStore(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(integerInFile(path, "PRAGMA user_version"), 3);
  EXPECT_EQ(integerInFile(path, "PRAGMA auto_vacuum"), 2) << "switched by one VACUUM";
  EXPECT_EQ(integerInFile(path, "PRAGMA freelist_count"), 0) << "the old table's pages went back";
  EXPECT_EQ(store->countReadings().value(), 504);
  EXPECT_EQ(store->countSensors().value(), 2) << "the sensor without readings is pruned";

  auto a = store->query("temp.a", 0, 100);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->size(), 3u);
  EXPECT_TRUE(std::isnan((*a)[0].value)) << "NULL values stay NaN";
  EXPECT_EQ((*a)[1].value, 1.5) << "equal times keep their old insertion order";
  EXPECT_EQ((*a)[2].value, 2.5);
  EXPECT_EQ((*a)[2].extra, nlohmann::json({{"site", "north"}}));
  EXPECT_EQ(store->query("temp.b", 1000, 1500)->size(), 500u);
  auto plan = store->explainRangeQuery();
  ASSERT_TRUE(plan);
  EXPECT_NE(plan->find("USING PRIMARY KEY"), std::string::npos) << *plan;
  EXPECT_EQ(integerInFile(path, "SELECT COUNT(*) FROM sqlite_schema WHERE name IN "
                                "('readings', 'readings_by_sensor_time', 'readings_version1', "
                                "'readings_version2')"),
            0);

  // New readings continue after the old rowids, so retention by size still deletes the
  // migrated readings first.
  EXPECT_EQ(integerInFile(path, "SELECT next_sequence FROM store_state"), 600);
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("temp.a", 10, 3.5)}));
  EXPECT_EQ(store->query("temp.a", 10, 11)->back().value, 3.5);
  EXPECT_EQ(integerInFile(path, "SELECT max(first_sequence) FROM reading_blocks"), 600);

  store.reset();
  auto reopened = openStore(path);
  ASSERT_TRUE(reopened) << "a migrated file opens as version 3";
  EXPECT_EQ(reopened->countReadings().value(), 505);
}

// Version 1 created its tables and set user_version in separate statements, so a version-1
// process stopped in between left version-1 tables in a file marked 0: still migrated.
TEST(StoreSchema, AnUnstampedVersion1FileIsMigratedToo) {
  TemporaryFolder folder;
  fs::path path = folder / "unstamped.db";
  {
    sqlite3 *connection = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &connection), SQLITE_OK);
    std::string schema = kVersion1Schema;
    schema.replace(schema.find("PRAGMA user_version = 1;"), 24, "");
    ASSERT_EQ(sqlite3_exec(connection, schema.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(connection);
  }
  ASSERT_EQ(integerInFile(path, "PRAGMA user_version"), 0);
  auto store = openStore(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(integerInFile(path, "PRAGMA user_version"), 3);
  EXPECT_EQ(store->countReadings().value(), 504);
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("temp.a", 10, 3.5)}))
      << "the file has the version-3 tables";
  EXPECT_EQ(store->query("temp.a", 10, 11)->size(), 3u);
}

// Version 1 asked for incremental auto-vacuum after switching to WAL, which had already written
// the file's first page, so SQLite ignored it and retention by size fell back to full VACUUMs.
TEST(StoreSchema, ANewFileIsVersion3WithIncrementalAutoVacuum) {
  TemporaryFolder folder;
  fs::path path = folder / "new.db";
  ASSERT_TRUE(openStore(path));
  EXPECT_EQ(integerInFile(path, "PRAGMA user_version"), 3);
  EXPECT_EQ(integerInFile(path, "PRAGMA auto_vacuum"), 2);
  EXPECT_EQ(integerInFile(path, "SELECT next_sequence FROM store_state"), 0);
}

// Exactly what the version-2 store created, with the crc column its later builds added. Rows
// written by builds before the column have NULL there (unverified); one row here carries a
// checksum that cannot match, as bytes damaged on disk would.
constexpr const char *kVersion2Schema = R"(
  PRAGMA journal_mode = WAL;
  CREATE TABLE sensors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE readings (sensor_id INTEGER NOT NULL REFERENCES sensors (id),
                         timestamp_ms INTEGER NOT NULL, sequence INTEGER NOT NULL,
                         value REAL, unit TEXT NOT NULL, extra TEXT, crc INTEGER,
                         PRIMARY KEY (sensor_id, timestamp_ms, sequence)) WITHOUT ROWID;
  CREATE TABLE store_state (singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
                            next_sequence INTEGER NOT NULL, sensors_generation INTEGER NOT NULL);
  INSERT INTO sensors VALUES (1, 'temp.a'), (2, 'temp.b');
  INSERT INTO readings VALUES (1, 10, 3, 1.5, 'C', NULL, NULL),
                              (1, 10, 0, 0.5, 'C', '{"site":"north"}', NULL),
                              (1, 5, 7, NULL, 'F', NULL, NULL),
                              (1, 12, 8, 9.0, 'C', NULL, 12345),
                              (2, 10, 1, 7.0, 'C', NULL, NULL);
  WITH RECURSIVE counter (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM counter WHERE n < 24999)
  INSERT INTO readings SELECT 2, 1000 + n / 2, 9 + n, n, 'C', NULL, NULL FROM counter;
  INSERT INTO store_state VALUES (0, 25009, 4);
  PRAGMA user_version = 2;
)";

void createFile(const fs::path &path, const std::string &sql) {
  sqlite3 *connection = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &connection), SQLITE_OK);
  char *message = nullptr;
  int code = sqlite3_exec(connection, sql.c_str(), nullptr, nullptr, &message);
  ASSERT_EQ(code, SQLITE_OK) << (message ? message : "");
  sqlite3_close(connection);
}

TEST(StoreSchema, MigratesAVersion2FileKeepingEveryReadingInOrder) {
  TemporaryFolder folder;
  fs::path path = folder / "version2.db";
  createFile(path, kVersion2Schema);
  ::testing::internal::CaptureStderr();
  auto store = openStore(path);
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(store);
  EXPECT_EQ(integerInFile(path, "PRAGMA user_version"), 3);
  EXPECT_EQ(store->integrity().corruptRowsSkipped, 1) << "the row whose checksum fails";
  EXPECT_NE(log.find("left out of the migration"), std::string::npos) << log;
  EXPECT_EQ(store->countReadings().value(), 25004);
  EXPECT_EQ(integerInFile(path, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'readings%'"),
            0);

  auto a = store->query("temp.a", 0, 100);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->size(), 3u);
  EXPECT_TRUE(std::isnan((*a)[0].value)) << "NULL values stay NaN";
  EXPECT_EQ((*a)[0].unit, "F");
  EXPECT_EQ((*a)[1].value, 0.5) << "equal times keep their old insertion order (sequence)";
  EXPECT_EQ((*a)[1].extra, nlohmann::json({{"site", "north"}}));
  EXPECT_EQ((*a)[2].value, 1.5);
  // Every reading of temp.b, two per millisecond, in sequence order within a millisecond; the
  // 25,000 span three groups of 10,000 sequences, so three blocks.
  auto b = store->query("temp.b", 0, 1'000'000);
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_EQ(b->size(), 25001u);
  EXPECT_EQ((*b)[0].value, 7.0);
  for (int n = 0; n < 25000; ++n) {
    ASSERT_EQ((*b)[size_t(n) + 1].timestampMs, 1000 + n / 2) << n;
    ASSERT_EQ((*b)[size_t(n) + 1].value, double(n)) << n;
  }
  EXPECT_EQ(integerInFile(path, "SELECT count(*) FROM reading_blocks WHERE sensor_id = 2"), 3);

  // New readings continue after the old sequences; retention by size takes migrated ones first.
  EXPECT_EQ(integerInFile(path, "SELECT next_sequence FROM store_state"), 25009);
  ASSERT_TRUE(store->insertBatch(std::vector<Reading>{reading("temp.a", 10, 3.5)}));
  auto tens = store->query("temp.a", 10, 11);
  ASSERT_EQ(tens->size(), 3u);
  EXPECT_EQ(tens->back().value, 3.5);
  store.reset();
  auto reopened = openStore(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->countReadings().value(), 25005);
  EXPECT_EQ(reopened->integrity().corruptRowsSkipped, 0) << "the migration ran once";
}

// Files made by version-2 builds before row checksums have no crc column: all rows migrate.
TEST(StoreSchema, AVersion2FileWithoutRowChecksumsIsMigratedWhole) {
  TemporaryFolder folder;
  fs::path path = folder / "version2-unchecked.db";
  std::string schema = std::string(kVersion2Schema) + "ALTER TABLE readings DROP COLUMN crc;";
  createFile(path, schema);
  auto store = openStore(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->integrity().corruptRowsSkipped, 0);
  EXPECT_EQ(store->countReadings().value(), 25005);
  EXPECT_EQ(store->query("temp.a", 12, 13)->front().value, 9.0);
}

} // namespace
