// Schema version 2 of the reading store, and the one-way migration from version 1.
#include "store/StoreSchema.h"

#include "store/SqliteHandle.h"

#include <string>
#include <string_view>

namespace pyvc::store {

namespace {

// Version 2. `readings` is a WITHOUT ROWID table clustered on (sensor_id, timestamp_ms,
// sequence): the table is its own (sensor, time) index, so an insert updates one B-tree instead
// of a table and an index, and a reading is stored once instead of twice (the file is about 35%
// smaller than version 1). `sequence` numbers readings in insertion order across the whole store
// (the next number lives in `store_state`): it keeps readings with equal (sensor, time) apart,
// orders them as they were inserted, and is what retention by size deletes oldest first.
// `sensors_generation` grows whenever retention deletes sensors that have no readings left, so
// a connection knows its memo of name -> id may name deleted (and reusable) ids.
constexpr std::string_view kReadingsTableSql = R"(
  CREATE TABLE IF NOT EXISTS readings (
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    timestamp_ms INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    value REAL,
    unit TEXT NOT NULL,
    extra TEXT,
    crc INTEGER,
    PRIMARY KEY (sensor_id, timestamp_ms, sequence)
  ) WITHOUT ROWID;
)";
constexpr std::string_view kStoreStateTableSql = R"(
  CREATE TABLE IF NOT EXISTS store_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
    next_sequence INTEGER NOT NULL,
    sensors_generation INTEGER NOT NULL
  );
)";

std::string createSchemaSql() {
  return std::string(R"(
    CREATE TABLE IF NOT EXISTS sensors (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
  )") + std::string(kReadingsTableSql) + std::string(kStoreStateTableSql) +
         "INSERT OR IGNORE INTO store_state VALUES (0, 0, 0);";
}

// Version 1 had `readings (id INTEGER PRIMARY KEY, sensor_id, timestamp_ms, value, unit, extra)`
// and the index readings_by_sensor_time (sensor_id, timestamp_ms). Its rowid was the insertion
// order, so it becomes the sequence. Copying in (sensor_id, timestamp_ms, id) order walks the
// old index and appends to the new B-tree, which leaves its pages full.
std::string migrateFromVersion1Sql() {
  return "ALTER TABLE readings RENAME TO readings_version1;" + std::string(kReadingsTableSql) + R"(
    INSERT INTO readings (sensor_id, timestamp_ms, sequence, value, unit, extra)
      SELECT sensor_id, timestamp_ms, id, value, unit, extra FROM readings_version1
      ORDER BY sensor_id, timestamp_ms, id;
    DROP TABLE readings_version1;
  )" + std::string(kStoreStateTableSql) + R"(
    INSERT INTO store_state
      VALUES (0, (SELECT coalesce(max(sequence), -1) + 1 FROM readings), 0);
    DELETE FROM sensors WHERE NOT EXISTS (SELECT 1 FROM readings WHERE sensor_id = sensors.id);
  )";
}

Result<void> executeScript(sqlite3 *connection, std::string_view what, std::string_view sql) {
  char *message = nullptr;
  int code = sqlite3_exec(connection, std::string(sql).c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (code != SQLITE_OK)
    return sqliteError(connection, what, code);
  return {};
}

Result<void> setVersion(sqlite3 *connection) {
  return execute(connection, "PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

// Runs `step` inside BEGIN IMMEDIATE ... COMMIT, rolling back on any error, so a second process
// opening the same file waits for the first one's schema work instead of racing it.
template <typename Step> Result<void> inWriteTransaction(sqlite3 *connection, Step step) {
  if (auto begun = execute(connection, "BEGIN IMMEDIATE"); !begun)
    return begun.error();
  Result<void> done = step();
  if (done)
    done = execute(connection, "COMMIT");
  if (!done && !sqlite3_get_autocommit(connection))
    sqlite3_exec(connection, "ROLLBACK", nullptr, nullptr, nullptr);
  return done;
}

// Version 1 never got incremental auto-vacuum (it asked after WAL had written the first page),
// so a migrated file is switched once, by the one full VACUUM it will ever need; that also
// compacts the new table and gives back the pages of the dropped one. VACUUM cannot run inside
// a transaction, so this follows the migration's commit. If it fails, open returns the error;
// the file is already a valid version-2 file, which later opens accept as it is (retention then
// keeps falling back to full VACUUMs).
Result<void> enableIncrementalVacuum(sqlite3 *connection) {
  Result<int64_t> mode = queryInteger(connection, "PRAGMA auto_vacuum");
  if (!mode)
    return mode.error();
  if (*mode == 2)
    return {};
  if (auto set = execute(connection, "PRAGMA auto_vacuum = INCREMENTAL"); !set)
    return set.error();
  return execute(connection, "VACUUM");
}

} // namespace

Result<void> addRowChecksums(sqlite3 *connection) {
  Result<int64_t> present = queryInteger(
      connection, "SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'crc'");
  if (!present)
    return present.error();
  if (*present > 0)
    return {};
  return inWriteTransaction(connection, [&]() -> Result<void> {
    Result<int64_t> again = queryInteger(
        connection, "SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'crc'");
    if (!again)
      return again.error();
    if (*again > 0)
      return {}; // another connection added it while this one waited
    return execute(connection, "ALTER TABLE readings ADD COLUMN crc INTEGER");
  });
}

Result<void> chooseVacuumModeOfNewFile(sqlite3 *connection) {
  Result<int64_t> pages = queryInteger(connection, "PRAGMA page_count");
  if (!pages)
    return pages.error();
  if (*pages != 0)
    return {};
  return execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
}

Result<void> prepareSchema(sqlite3 *connection) {
  Result<int64_t> version = queryInteger(connection, "PRAGMA user_version");
  if (!version)
    return version.error();
  if (*version == kSchemaVersion)
    return {};
  if (*version != 0 && *version != 1)
    return makeError("unknown reading store schema version " + std::to_string(*version) +
                     " (this build knows versions 1 and " + std::to_string(kSchemaVersion) + ")");
  bool migrated = false;
  auto brought = inWriteTransaction(connection, [&]() -> Result<void> {
    // Another connection may have done the work while this one waited for the lock.
    Result<int64_t> current = queryInteger(connection, "PRAGMA user_version");
    if (!current)
      return current.error();
    if (*current == kSchemaVersion)
      return {};
    // Version 1 created its tables and stamped user_version in separate statements: a version-1
    // process stopped between the two left version-1 tables in a file still marked 0.
    Result<int64_t> version1Columns = queryInteger(
        connection, "SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'id'");
    if (!version1Columns)
      return version1Columns.error();
    if (*current == 1 || *version1Columns > 0) {
      if (auto copied = executeScript(connection, "migrate reading store schema 1 -> 2",
                                      migrateFromVersion1Sql());
          !copied)
        return copied.error();
      migrated = true;
      return setVersion(connection);
    }
    if (auto created = executeScript(connection, "create reading store schema", createSchemaSql());
        !created)
      return created.error();
    return setVersion(connection);
  });
  if (!brought || !migrated)
    return brought;
  return enableIncrementalVacuum(connection);
}

} // namespace pyvc::store
