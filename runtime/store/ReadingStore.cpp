// The reading store on SQLite: schema, batched transactional inserts, indexed range queries,
// and retention by age and by size.
#include "store/ReadingStore.h"

#include "store/SqliteHandle.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace pyvc {

using store::Connection;
using store::Statement;

namespace {

// Version 1 of the schema. Sensor names are stored once, in `sensors`, and readings refer to
// them by integer: rows and the (sensor, timestamp) index are about 40% smaller than with the
// name in every row, and inserts cost about 25% less CPU. `readings.id` orders readings by
// insertion, which retention by size uses as "oldest first" without an index on the timestamp
// (that index would slow every insert). Sensors are never deleted, so an id, once read, stays
// valid for every connection.
constexpr std::string_view kSchema = R"(
  CREATE TABLE IF NOT EXISTS sensors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY,
    sensor_id INTEGER NOT NULL REFERENCES sensors (id),
    timestamp_ms INTEGER NOT NULL,
    value REAL,
    unit TEXT NOT NULL,
    extra TEXT
  );
  CREATE INDEX IF NOT EXISTS readings_by_sensor_time ON readings (sensor_id, timestamp_ms);
)";
constexpr int64_t kSchemaVersion = 1;
// Sensor ids remembered per connection; past this many names the memo starts over.
constexpr size_t kSensorMemoCapacity = 65536;

constexpr std::string_view kInsertSql = "INSERT INTO readings (sensor_id, timestamp_ms, value, "
                                        "unit, extra) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kFindSensorSql = "SELECT id FROM sensors WHERE name = ?1";
constexpr std::string_view kAddSensorSql = "INSERT INTO sensors (name) VALUES (?1)";
constexpr std::string_view kRangeQuerySql =
    "SELECT timestamp_ms, value, unit, extra FROM readings "
    "WHERE sensor_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3 "
    "ORDER BY timestamp_ms LIMIT ?4";

// Applies the schema to a new file, or checks an existing file's version.
Result<void> prepareSchema(sqlite3 *connection) {
  Result<int64_t> version = store::queryInteger(connection, "PRAGMA user_version");
  if (!version)
    return version.error();
  if (*version != 0 && *version != kSchemaVersion)
    return makeError("unknown reading store schema version " + std::to_string(*version) +
                     " (this build knows version " + std::to_string(kSchemaVersion) + ")");
  if (*version == 0) {
    // Must precede the first table: afterwards only a full VACUUM can change it.
    if (auto set = store::execute(connection, "PRAGMA auto_vacuum = INCREMENTAL"); !set)
      return set.error();
  }
  char *message = nullptr;
  int code = sqlite3_exec(connection, std::string(kSchema).c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (code != SQLITE_OK)
    return store::sqliteError(connection, "create reading store schema", code);
  return store::execute(connection, "PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

// Binds text by its length in 64 bits: a huge string fails with SQLITE_TOOBIG instead of having
// its length wrap around an int.
int bindText(sqlite3_stmt *statement, int parameter, std::string_view text,
             sqlite3_destructor_type lifetime) {
  return sqlite3_bind_text64(statement, parameter, text.data(), text.size(), lifetime, SQLITE_UTF8);
}

// Integer binds fail only on a wrong parameter index or a finalized statement: a bug, not an
// environment error.
void bindInteger(sqlite3_stmt *statement, int parameter, int64_t value) {
  [[maybe_unused]] int code = sqlite3_bind_int64(statement, parameter, value);
  assert(code == SQLITE_OK && "integer bind on a prepared statement of this file");
}

// journal_mode answers with the mode it got: a file system without shared memory support would
// silently stay in rollback mode, and the durability promises assume WAL.
Result<void> requireWalMode(sqlite3 *connection) {
  Result<Statement> mode = store::prepare(connection, "PRAGMA journal_mode");
  if (!mode)
    return mode.error();
  int code = sqlite3_step(mode->get());
  if (code != SQLITE_ROW)
    return store::sqliteError(connection, "PRAGMA journal_mode", code);
  const auto *name = reinterpret_cast<const char *>(sqlite3_column_text(mode->get(), 0));
  if (!name || std::string_view(name) != "wal")
    return makeError("cannot switch to WAL journal mode (got " +
                     std::string(name ? name : "nothing") + ")");
  return {};
}

Result<void> bindReading(sqlite3 *connection, sqlite3_stmt *statement, int64_t sensorId,
                         const Reading &reading) {
  std::string extraText;
  if (reading.extra.is_object() && !reading.extra.empty()) {
    try {
      extraText = reading.extra.dump();
    } catch (const nlohmann::json::exception &) {
      return makeError("field `extra` holds a string that is not valid UTF-8");
    }
  }
  int code = sqlite3_bind_int64(statement, 1, sensorId);
  if (code == SQLITE_OK)
    code = sqlite3_bind_int64(statement, 2, reading.timestampMs);
  if (code == SQLITE_OK)
    code = std::isnan(reading.value) ? sqlite3_bind_null(statement, 3)
                                     : sqlite3_bind_double(statement, 3, reading.value);
  if (code == SQLITE_OK)
    code = bindText(statement, 4, reading.unit, SQLITE_STATIC);
  if (code == SQLITE_OK)
    code = extraText.empty() ? sqlite3_bind_null(statement, 5)
                             : bindText(statement, 5, extraText, SQLITE_TRANSIENT);
  if (code != SQLITE_OK)
    return store::sqliteError(connection, "bind reading", code);
  return {};
}

std::string columnText(sqlite3_stmt *statement, int column) {
  const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
  return text ? std::string(text, size_t(sqlite3_column_bytes(statement, column))) : std::string();
}

} // namespace

struct ReadingStore::State {
  Connection connection;
  Statement insert;
  Statement findSensor;
  Statement addSensor;
  Statement rangeQuery;
  std::filesystem::path path;
  // Memo of sensor name -> id. Names added by the open transaction are listed too, so a rolled
  // back batch also rolls back the memo (the rolled back ids may be reused for other names).
  std::unordered_map<std::string, int64_t> sensorIds;
  std::vector<std::string> sensorsAddedInTransaction;
};

ReadingStore::ReadingStore() : state_(std::make_unique<State>()) {}
ReadingStore::~ReadingStore() = default;

Result<std::unique_ptr<ReadingStore>> ReadingStore::open(const std::filesystem::path &path,
                                                         StoreOptions options) {
  std::unique_ptr<ReadingStore> store(new ReadingStore());
  State &state = *store->state_;
  state.path = path;
  auto failure = [&](const Error &error) {
    return makeError("reading store " + path.string() + ": " + error.message);
  };

  sqlite3 *raw = nullptr;
  int code =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  state.connection.reset(raw);
  if (code != SQLITE_OK)
    return failure(store::sqliteError(raw, "open", code));
  sqlite3 *connection = raw;
  sqlite3_extended_result_codes(connection, 1);
  sqlite3_busy_timeout(connection, options.busyTimeoutMs);

  std::string synchronous = options.durability == StoreDurability::Full ? "FULL" : "NORMAL";
  for (const std::string &pragma : {
           std::string("PRAGMA journal_mode = WAL"),
           "PRAGMA synchronous = " + synchronous,
           std::string("PRAGMA cache_size = -16384"), // 16 MiB of page cache
           std::string("PRAGMA temp_store = MEMORY"),
       }) {
    if (auto done = store::execute(connection, pragma); !done)
      return failure(done.error());
  }
  if (auto wal = requireWalMode(connection); !wal)
    return failure(wal.error());
  if (auto schema = prepareSchema(connection); !schema)
    return failure(schema.error());
  if (options.maxPageCount > 0) {
    auto cap = store::execute(connection,
                              "PRAGMA max_page_count = " + std::to_string(options.maxPageCount));
    if (!cap)
      return failure(cap.error());
  }
  for (auto [statement, sql] : {std::pair{&state.insert, kInsertSql},
                                {&state.findSensor, kFindSensorSql},
                                {&state.addSensor, kAddSensorSql},
                                {&state.rangeQuery, kRangeQuerySql}}) {
    Result<Statement> prepared = store::prepare(connection, sql);
    if (!prepared)
      return failure(prepared.error());
    *statement = std::move(prepared).value();
  }
  return store;
}

Result<void> ReadingStore::rollBack() {
  sqlite3 *connection = state_->connection.get();
  for (const std::string &name : state_->sensorsAddedInTransaction)
    state_->sensorIds.erase(name);
  state_->sensorsAddedInTransaction.clear();
  // SQLite may already have rolled back by itself (it does on SQLITE_FULL in some cases).
  if (sqlite3_get_autocommit(connection))
    return {};
  return store::execute(connection, "ROLLBACK");
}

Result<void> ReadingStore::insertBatch(std::span<const Reading> readings) {
  sqlite3 *connection = state_->connection.get();
  sqlite3_stmt *insert = state_->insert.get();
  if (auto begun = store::execute(connection, "BEGIN IMMEDIATE"); !begun)
    return begun.error();
  auto abandon = [&](Error error) -> Result<void> {
    sqlite3_reset(insert);
    sqlite3_clear_bindings(insert);
    if (auto rolledBack = rollBack(); !rolledBack)
      error.message += "; and then " + rolledBack.error().message;
    return error;
  };
  state_->sensorsAddedInTransaction.clear();
  for (size_t index = 0; index < readings.size(); ++index) {
    Result<int64_t> sensorId = idOfSensor(readings[index].sensor, /*addIfMissing=*/true);
    if (!sensorId)
      return abandon(makeError("insert batch: reading " + std::to_string(index) + ": " +
                               sensorId.error().message));
    if (auto bound = bindReading(connection, insert, *sensorId, readings[index]); !bound)
      return abandon(makeError("insert batch: reading " + std::to_string(index) + ": " +
                               bound.error().message));
    int code = sqlite3_step(insert);
    if (code != SQLITE_DONE)
      return abandon(store::sqliteError(connection, "insert batch", code));
    sqlite3_reset(insert);
  }
  sqlite3_clear_bindings(insert);
  int code = sqlite3_exec(connection, "COMMIT", nullptr, nullptr, nullptr);
  if (code != SQLITE_OK)
    return abandon(store::sqliteError(connection, "commit batch", code));
  state_->sensorsAddedInTransaction.clear();
  return {};
}

Result<std::optional<int64_t>> ReadingStore::findSensor(std::string_view name) {
  sqlite3 *connection = state_->connection.get();
  sqlite3_stmt *find = state_->findSensor.get();
  int code = bindText(find, 1, name, SQLITE_STATIC);
  if (code != SQLITE_OK)
    return store::sqliteError(connection, "look up sensor", code);
  code = sqlite3_step(find);
  std::optional<int64_t> id;
  if (code == SQLITE_ROW)
    id = sqlite3_column_int64(find, 0);
  sqlite3_reset(find);
  sqlite3_clear_bindings(find);
  if (code != SQLITE_ROW && code != SQLITE_DONE)
    return store::sqliteError(connection, "look up sensor", code);
  return id;
}

Result<int64_t> ReadingStore::idOfSensor(const std::string &name, bool addIfMissing) {
  State &state = *state_;
  if (auto memo = state.sensorIds.find(name); memo != state.sensorIds.end())
    return memo->second;
  Result<std::optional<int64_t>> found = findSensor(name);
  if (!found)
    return found.error();
  int64_t id;
  if (found->has_value()) {
    id = **found;
  } else {
    if (!addIfMissing)
      return int64_t(-1);
    sqlite3 *connection = state.connection.get();
    sqlite3_stmt *add = state.addSensor.get();
    int code = bindText(add, 1, name, SQLITE_STATIC);
    if (code == SQLITE_OK)
      code = sqlite3_step(add);
    sqlite3_reset(add);
    sqlite3_clear_bindings(add);
    if (code != SQLITE_DONE)
      return store::sqliteError(connection, "add sensor", code);
    id = sqlite3_last_insert_rowid(connection);
    state.sensorsAddedInTransaction.push_back(name);
  }
  if (state.sensorIds.size() >= kSensorMemoCapacity)
    state.sensorIds.clear();
  state.sensorIds.emplace(name, id);
  return id;
}

Result<std::vector<Reading>> ReadingStore::query(std::string_view sensor, int64_t fromMs,
                                                 int64_t toMs, int64_t limit) {
  sqlite3 *connection = state_->connection.get();
  Result<int64_t> sensorId = idOfSensor(std::string(sensor), /*addIfMissing=*/false);
  if (!sensorId)
    return sensorId.error();
  std::vector<Reading> readings;
  if (*sensorId < 0)
    return readings; // a sensor never stored
  sqlite3_stmt *statement = state_->rangeQuery.get();
  sqlite3_reset(statement);
  bindInteger(statement, 1, *sensorId);
  bindInteger(statement, 2, fromMs);
  bindInteger(statement, 3, toMs);
  bindInteger(statement, 4, limit);
  int code;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    Reading reading;
    reading.sensor = std::string(sensor);
    reading.timestampMs = sqlite3_column_int64(statement, 0);
    reading.value = sqlite3_column_type(statement, 1) == SQLITE_NULL
                        ? std::numeric_limits<double>::quiet_NaN()
                        : sqlite3_column_double(statement, 1);
    reading.unit = columnText(statement, 2);
    if (sqlite3_column_type(statement, 3) != SQLITE_NULL) {
      reading.extra = nlohmann::json::parse(columnText(statement, 3), nullptr, false);
      if (reading.extra.is_discarded()) {
        sqlite3_reset(statement);
        return makeError("query: stored extra fields of a `" + reading.sensor +
                         "` reading are not valid JSON");
      }
    }
    readings.push_back(std::move(reading));
  }
  sqlite3_reset(statement);
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, "query", code);
  return readings;
}

Result<int64_t> ReadingStore::deleteOlderThan(int64_t cutoffMs) {
  sqlite3 *connection = state_->connection.get();
  Result<Statement> statement =
      store::prepare(connection, "DELETE FROM readings WHERE timestamp_ms < ?1");
  if (!statement)
    return statement.error();
  bindInteger(statement->get(), 1, cutoffMs);
  int code = sqlite3_step(statement->get());
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, "delete readings older than a cutoff", code);
  return int64_t(sqlite3_changes64(connection));
}

Result<int64_t> ReadingStore::deleteOldestRows(int64_t rows) {
  sqlite3 *connection = state_->connection.get();
  Result<Statement> statement = store::prepare(
      connection,
      "DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?1)");
  if (!statement)
    return statement.error();
  bindInteger(statement->get(), 1, rows);
  int code = sqlite3_step(statement->get());
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, "delete oldest readings", code);
  return int64_t(sqlite3_changes64(connection));
}

// Gives free pages back to the file system. Files created by this store use incremental
// auto-vacuum; a file created elsewhere without it needs a full VACUUM (rewrites the file).
Result<void> ReadingStore::reclaimFreePages() {
  sqlite3 *connection = state_->connection.get();
  Result<int64_t> autoVacuum = store::queryInteger(connection, "PRAGMA auto_vacuum");
  if (!autoVacuum)
    return autoVacuum.error();
  if (*autoVacuum == 2)
    return store::execute(connection, "PRAGMA incremental_vacuum");
  return store::execute(connection, "VACUUM");
}

Result<int64_t> ReadingStore::enforceSizeLimit(int64_t maxBytes) {
  sqlite3 *connection = state_->connection.get();
  int64_t deleted = 0;
  while (true) {
    Result<int64_t> size = databaseBytes();
    if (!size)
      return size.error();
    if (*size <= maxBytes)
      break;
    Result<int64_t> freePages = store::queryInteger(connection, "PRAGMA freelist_count");
    if (!freePages)
      return freePages.error();
    if (*freePages > 0) {
      if (auto reclaimed = reclaimFreePages(); !reclaimed)
        return reclaimed.error();
      Result<int64_t> freeAfter = store::queryInteger(connection, "PRAGMA freelist_count");
      if (!freeAfter)
        return freeAfter.error();
      if (*freeAfter < *freePages)
        continue; // size went down: measure again before deleting anything
    }
    Result<int64_t> rows = countReadings();
    if (!rows)
      return rows.error();
    if (*rows == 0)
      return makeError("size limit of " + std::to_string(maxBytes) +
                       " bytes is below the size of the store without readings (" +
                       std::to_string(*size) + " bytes); every reading was deleted");
    // Delete the share of rows the excess represents (plus 10%), at least 256 rows per round so
    // a tiny excess does not take thousands of rounds.
    double excessShare = double(*size - maxBytes) / double(*size);
    int64_t batch = std::max<int64_t>(256, int64_t(double(*rows) * excessShare * 1.1) + 1);
    Result<int64_t> removed = deleteOldestRows(std::min(batch, *rows));
    if (!removed)
      return removed.error();
    deleted += *removed;
    if (auto reclaimed = reclaimFreePages(); !reclaimed)
      return reclaimed.error();
  }
  // Move the shrunken database back into the main file and empty the WAL, so the bytes on disk
  // follow the logical size. A reader holding an old snapshot can keep the WAL from emptying;
  // that is reported as SQLITE_BUSY rather than ignored.
  int logFrames = 0, checkpointed = 0;
  int code = sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &logFrames,
                                       &checkpointed);
  if (code != SQLITE_OK)
    return store::sqliteError(connection, "checkpoint after retention", code);
  return deleted;
}

Result<int64_t> ReadingStore::countReadings() {
  return store::queryInteger(state_->connection.get(), "SELECT COUNT(*) FROM readings");
}

Result<int64_t> ReadingStore::databaseBytes() {
  sqlite3 *connection = state_->connection.get();
  Result<int64_t> pages = store::queryInteger(connection, "PRAGMA page_count");
  if (!pages)
    return pages.error();
  Result<int64_t> pageSize = store::queryInteger(connection, "PRAGMA page_size");
  if (!pageSize)
    return pageSize.error();
  return *pages * *pageSize;
}

Result<std::string> ReadingStore::explainRangeQuery() {
  sqlite3 *connection = state_->connection.get();
  Result<Statement> plan =
      store::prepare(connection, "EXPLAIN QUERY PLAN " + std::string(kRangeQuerySql));
  if (!plan)
    return plan.error();
  std::string details;
  int code;
  while ((code = sqlite3_step(plan->get())) == SQLITE_ROW)
    details += columnText(plan->get(), 3) + "\n";
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, "explain range query", code);
  return details;
}

} // namespace pyvc
