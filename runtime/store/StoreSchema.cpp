// Schema version 3 of the reading store, and the one-way migrations from versions 1 and 2.
#include "store/StoreSchema.h"

#include "store/Crc32c.h"
#include "store/ReadingBlock.h"
#include "store/SqliteHandle.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#include <string>
#include <string_view>

namespace pyvc::store {

namespace {

// Version 3: `reading_blocks` holds one row per (sensor, commit group): the group's readings of
// that sensor sorted by (time, sequence), packed column by column into `blob` (ReadingBlock.h).
// It is a WITHOUT ROWID table clustered on (sensor_id, first_ms, first_sequence), so a commit
// of 10,000 readings from 1,000 sensors writes 1,000 rows instead of 10,000, and a range query
// reads the blocks of one sensor in time order. `first_sequence` is the sequence of the group's
// first reading: every block of one group has the same one, and all its readings' sequences
// lie between it and the next group's, which is what retention by size relies on.
// `max_block_span_ms` is the largest last_ms - first_ms any block ever had: a query for times
// from T needs only blocks with first_ms >= T - max_block_span_ms, a bound the primary key
// serves. `sequence` numbers readings in insertion order across the whole store (the next
// number lives in `store_state`). `sensors_generation` grows whenever retention deletes sensors
// that have no readings left, so a connection knows its memo of name -> id may name deleted (and
// reusable) ids.
constexpr std::string_view kBlocksTableSql = R"(
  CREATE TABLE IF NOT EXISTS reading_blocks (
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    first_ms INTEGER NOT NULL,
    first_sequence INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    count INTEGER NOT NULL,
    crc INTEGER NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (sensor_id, first_ms, first_sequence)
  ) WITHOUT ROWID;
)";

std::string createSchemaSql() {
  return std::string(R"(
    CREATE TABLE IF NOT EXISTS sensors (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE IF NOT EXISTS store_state (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
      next_sequence INTEGER NOT NULL,
      sensors_generation INTEGER NOT NULL,
      max_block_span_ms INTEGER NOT NULL DEFAULT 0
    );
  )") + std::string(kBlocksTableSql) +
         "INSERT OR IGNORE INTO store_state VALUES (0, 0, 0, 0);";
}

// Version 2: one row per reading.
constexpr std::string_view kVersion2ReadingsTableSql = R"(
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
constexpr std::string_view kVersion2StoreStateTableSql = R"(
  CREATE TABLE IF NOT EXISTS store_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
    next_sequence INTEGER NOT NULL,
    sensors_generation INTEGER NOT NULL
  );
)";

// Version 1 had `readings (id INTEGER PRIMARY KEY, sensor_id, timestamp_ms, value, unit, extra)`
// and the index readings_by_sensor_time (sensor_id, timestamp_ms). Its rowid was the insertion
// order, so it becomes the sequence. The result is a version-2 file, then migrated to 3.
std::string migrateFromVersion1Sql() {
  return "ALTER TABLE readings RENAME TO readings_version1;" +
         std::string(kVersion2ReadingsTableSql) + R"(
    INSERT INTO readings (sensor_id, timestamp_ms, sequence, value, unit, extra)
      SELECT sensor_id, timestamp_ms, id, value, unit, extra FROM readings_version1
      ORDER BY sensor_id, timestamp_ms, id;
    DROP TABLE readings_version1;
  )" + std::string(kVersion2StoreStateTableSql) +
         R"(
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

// The CRC32C a version-2 row carried (its integers, the value's bits or NULL, the lengths, then
// the unit and extra text); checked while migrating so damaged rows are not sealed into blocks
// under a fresh checksum.
uint32_t version2RowChecksum(int64_t sensorId, int64_t timestampMs, int64_t sequence,
                             bool valueIsNull, double value, std::string_view unit,
                             std::string_view extra) {
  unsigned char fixed[49];
  double stored = value == 0.0 ? 0.0 : value; // SQLite gave -0.0 back as the integer 0
  uint64_t bits = 0;
  std::memcpy(&bits, &stored, sizeof bits);
  uint64_t fields[] = {uint64_t(sensorId),     uint64_t(timestampMs), uint64_t(sequence),
                       valueIsNull ? 0 : bits, uint64_t(unit.size()), uint64_t(extra.size())};
  for (size_t field = 0; field < 6; ++field)
    for (size_t byte = 0; byte < 8; ++byte)
      fixed[field * 8 + byte] = static_cast<unsigned char>(fields[field] >> (8 * byte));
  fixed[48] = valueIsNull ? 1 : 0;
  uint32_t crc = crc32c(std::string_view(reinterpret_cast<const char *>(fixed), 49));
  crc = crc32c(unit, crc);
  return crc32c(extra, crc);
}

std::string_view columnView(sqlite3_stmt *statement, int column) {
  const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
  return text ? std::string_view(text, size_t(sqlite3_column_bytes(statement, column)))
              : std::string_view();
}

// A version-2 file does not record its commit groups, so its readings are regrouped by ranges
// of this many sequence numbers: one block per sensor and range, first_sequence the range's
// start, which keeps the group invariant of version 3 (see kBlocksTableSql).
constexpr int64_t kMigratedGroupSize = 10000;

// Version 2 -> 3 inside the caller's transaction: the rows are read in (sensor, range, time,
// sequence) order and written as blocks. Rows whose version-2 checksum no longer matches are
// left out and logged; returns how many.
Result<int64_t> migrateFromVersion2(sqlite3 *connection) {
  Result<int64_t> hasChecksums = queryInteger(
      connection, "SELECT count(*) FROM pragma_table_info('readings') WHERE name = 'crc'");
  if (!hasChecksums)
    return hasChecksums.error();
  std::string renamed = "ALTER TABLE readings RENAME TO readings_version2;" +
                        std::string(kBlocksTableSql) +
                        "ALTER TABLE store_state ADD COLUMN max_block_span_ms INTEGER NOT NULL "
                        "DEFAULT 0;";
  if (auto done = executeScript(connection, "migrate reading store schema 2 -> 3", renamed); !done)
    return done.error();
  const std::string group = std::to_string(kMigratedGroupSize);
  Result<Statement> rows =
      prepare(connection, "SELECT sensor_id, timestamp_ms, sequence, value, unit, extra, " +
                              std::string(*hasChecksums ? "crc" : "NULL") +
                              " FROM readings_version2 ORDER BY sensor_id, sequence / " + group +
                              ", timestamp_ms, sequence");
  if (!rows)
    return rows.error();
  Result<Statement> insert = prepare(connection, kInsertBlockSql);
  if (!insert)
    return insert.error();
  BlockEncoder encoder;
  int64_t sensorId = -1, groupStart = -1, damaged = 0, maxSpan = 0;
  bool open = false;
  auto flush = [&]() -> Result<void> {
    if (!open)
      return {};
    open = false;
    BlockHeader header = encoder.header();
    maxSpan = std::max(maxSpan, header.spanMs());
    return insertBlock(connection, insert->get(), sensorId, header, encoder.finish());
  };
  sqlite3_stmt *row = rows->get();
  int code;
  while ((code = sqlite3_step(row)) == SQLITE_ROW) {
    int64_t rowSensor = sqlite3_column_int64(row, 0), timestampMs = sqlite3_column_int64(row, 1),
            sequence = sqlite3_column_int64(row, 2);
    bool valueIsNull = sqlite3_column_type(row, 3) == SQLITE_NULL;
    double value =
        valueIsNull ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(row, 3);
    std::string_view unit = columnView(row, 4), extra = columnView(row, 5);
    if (sqlite3_column_type(row, 6) != SQLITE_NULL &&
        version2RowChecksum(rowSensor, timestampMs, sequence, valueIsNull,
                            valueIsNull ? 0.0 : value, unit,
                            extra) != static_cast<uint32_t>(sqlite3_column_int64(row, 6))) {
      ++damaged;
      std::fprintf(stderr,
                   "pyvc reading store: a reading of sensor id %lld at %lld (sequence %lld) is "
                   "damaged on disk (crc32c mismatch); left out of the migration to version 3\n",
                   static_cast<long long>(rowSensor), static_cast<long long>(timestampMs),
                   static_cast<long long>(sequence));
      continue;
    }
    int64_t rowGroup = sequence / kMigratedGroupSize * kMigratedGroupSize;
    if (!open || rowSensor != sensorId || rowGroup != groupStart) {
      if (auto flushed = flush(); !flushed)
        return flushed.error();
      sensorId = rowSensor;
      groupStart = rowGroup;
      encoder.start(groupStart);
      open = true;
    }
    encoder.add(timestampMs, sequence, value, unit, extra);
  }
  if (code != SQLITE_DONE)
    return sqliteError(connection, "migrate reading store schema 2 -> 3", code);
  if (auto flushed = flush(); !flushed)
    return flushed.error();
  rows->reset();
  insert->reset();
  std::string finish = "DROP TABLE readings_version2;"
                       "UPDATE store_state SET max_block_span_ms = " +
                       std::to_string(maxSpan) +
                       ";"
                       "DELETE FROM sensors WHERE NOT EXISTS "
                       "(SELECT 1 FROM reading_blocks WHERE sensor_id = sensors.id);";
  if (auto done = executeScript(connection, "migrate reading store schema 2 -> 3", finish); !done)
    return done.error();
  return damaged;
}

} // namespace

Result<void> insertBlock(sqlite3 *connection, sqlite3_stmt *insert, int64_t sensorId,
                         const BlockHeader &header, std::string_view blob) {
  sqlite3_bind_int64(insert, 1, sensorId);
  sqlite3_bind_int64(insert, 2, header.firstMs);
  sqlite3_bind_int64(insert, 3, header.firstSequence);
  sqlite3_bind_int64(insert, 4, header.lastMs);
  sqlite3_bind_int64(insert, 5, header.count);
  sqlite3_bind_int64(insert, 6, blockChecksum(sensorId, header, blob));
  int code = sqlite3_bind_blob64(insert, 7, blob.data(), blob.size(), SQLITE_STATIC);
  if (code == SQLITE_OK)
    code = sqlite3_step(insert);
  sqlite3_reset(insert);
  sqlite3_clear_bindings(insert);
  if (code != SQLITE_DONE && code != SQLITE_OK)
    return sqliteError(connection, "insert block", code);
  return {};
}

Result<void> chooseVacuumModeOfNewFile(sqlite3 *connection) {
  Result<int64_t> pages = queryInteger(connection, "PRAGMA page_count");
  if (!pages)
    return pages.error();
  if (*pages != 0)
    return {};
  return execute(connection, "PRAGMA auto_vacuum = INCREMENTAL");
}

Result<int64_t> prepareSchema(sqlite3 *connection) {
  Result<int64_t> version = queryInteger(connection, "PRAGMA user_version");
  if (!version)
    return version.error();
  if (*version == kSchemaVersion)
    return 0;
  if (*version < 0 || *version > kSchemaVersion)
    return makeError("unknown reading store schema version " + std::to_string(*version) +
                     " (this build knows versions 1 to " + std::to_string(kSchemaVersion) + ")");
  int64_t migratedFrom = 0, damaged = 0;
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
    if (*current == 0 && *version1Columns == 0) {
      if (auto created =
              executeScript(connection, "create reading store schema", createSchemaSql());
          !created)
        return created.error();
      return setVersion(connection);
    }
    migratedFrom = *current == 2 ? 2 : 1;
    if (migratedFrom == 1)
      if (auto copied = executeScript(connection, "migrate reading store schema 1 -> 2",
                                      migrateFromVersion1Sql());
          !copied)
        return copied.error();
    Result<int64_t> blocks = migrateFromVersion2(connection);
    if (!blocks)
      return blocks.error();
    damaged = *blocks;
    return setVersion(connection);
  });
  if (!brought)
    return brought.error();
  if (migratedFrom == 0)
    return damaged;
  // The old table's pages go back to the file system (a version-1 file first gets incremental
  // auto-vacuum by its one full VACUUM).
  if (auto vacuum = enableIncrementalVacuum(connection); !vacuum)
    return vacuum.error();
  if (auto given = execute(connection, "PRAGMA incremental_vacuum"); !given)
    return given.error();
  return damaged;
}

} // namespace pyvc::store
