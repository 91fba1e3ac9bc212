// Version 1 of the reading store's insert path on raw SQLite, the bench's baseline: same schema,
// pragmas (WAL, synchronous NORMAL, 16 MiB cache), memo of sensor ids and statement per row.
#include "Version1Baseline.h"

#include <sqlite3.h>

#include <cmath>
#include <string>
#include <unordered_map>

namespace pyvc::bench {

namespace {

constexpr const char *kVersion1Schema = R"(
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  PRAGMA cache_size = -16384;
  PRAGMA temp_store = MEMORY;
  CREATE TABLE sensors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE readings (id INTEGER PRIMARY KEY, sensor_id INTEGER NOT NULL REFERENCES sensors (id),
                         timestamp_ms INTEGER NOT NULL, value REAL, unit TEXT NOT NULL, extra TEXT);
  CREATE INDEX readings_by_sensor_time ON readings (sensor_id, timestamp_ms);
)";

Error failure(sqlite3 *connection, const std::string &what) {
  return makeError("version-1 baseline: " + what + ": " + sqlite3_errmsg(connection));
}

bool run(sqlite3 *connection, const char *sql) {
  return sqlite3_exec(connection, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

} // namespace

struct Version1Baseline::State {
  sqlite3 *connection = nullptr;
  sqlite3_stmt *insert = nullptr;
  sqlite3_stmt *findSensor = nullptr;
  sqlite3_stmt *addSensor = nullptr;
  std::unordered_map<std::string, int64_t> sensorIds;
};

Version1Baseline::Version1Baseline() : state_(std::make_unique<State>()) {}

Version1Baseline::~Version1Baseline() {
  sqlite3_finalize(state_->insert);
  sqlite3_finalize(state_->findSensor);
  sqlite3_finalize(state_->addSensor);
  sqlite3_close_v2(state_->connection);
}

Result<std::unique_ptr<Version1Baseline>>
Version1Baseline::open(const std::filesystem::path &path) {
  std::unique_ptr<Version1Baseline> baseline(new Version1Baseline());
  State &state = *baseline->state_;
  if (sqlite3_open(path.c_str(), &state.connection) != SQLITE_OK)
    return failure(state.connection, "open");
  if (!run(state.connection, kVersion1Schema))
    return failure(state.connection, "schema");
  for (auto [statement, sql] :
       {std::pair{&state.insert, "INSERT INTO readings (sensor_id, timestamp_ms, value, unit, "
                                 "extra) VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&state.findSensor, "SELECT id FROM sensors WHERE name = ?1"},
        {&state.addSensor, "INSERT INTO sensors (name) VALUES (?1)"}})
    if (sqlite3_prepare_v3(state.connection, sql, -1, SQLITE_PREPARE_PERSISTENT, statement,
                           nullptr) != SQLITE_OK)
      return failure(state.connection, "prepare");
  return baseline;
}

Result<void> Version1Baseline::insertBatch(std::span<const Reading> readings) {
  State &state = *state_;
  if (!run(state.connection, "BEGIN IMMEDIATE"))
    return failure(state.connection, "begin");
  for (const Reading &reading : readings) {
    auto memo = state.sensorIds.find(reading.sensor);
    int64_t sensorId;
    if (memo != state.sensorIds.end()) {
      sensorId = memo->second;
    } else {
      sqlite3_bind_text(state.findSensor, 1, reading.sensor.data(), int(reading.sensor.size()),
                        SQLITE_STATIC);
      bool found = sqlite3_step(state.findSensor) == SQLITE_ROW;
      sensorId = found ? sqlite3_column_int64(state.findSensor, 0) : -1;
      sqlite3_reset(state.findSensor);
      if (!found) {
        sqlite3_bind_text(state.addSensor, 1, reading.sensor.data(), int(reading.sensor.size()),
                          SQLITE_STATIC);
        if (sqlite3_step(state.addSensor) != SQLITE_DONE)
          return failure(state.connection, "add sensor");
        sqlite3_reset(state.addSensor);
        sensorId = sqlite3_last_insert_rowid(state.connection);
      }
      state.sensorIds.emplace(reading.sensor, sensorId);
    }
    std::string extraText;
    if (reading.extra.is_object() && !reading.extra.empty())
      extraText = reading.extra.dump();
    sqlite3_bind_int64(state.insert, 1, sensorId);
    sqlite3_bind_int64(state.insert, 2, reading.timestampMs);
    if (std::isnan(reading.value))
      sqlite3_bind_null(state.insert, 3);
    else
      sqlite3_bind_double(state.insert, 3, reading.value);
    sqlite3_bind_text64(state.insert, 4, reading.unit.data(), reading.unit.size(), SQLITE_STATIC,
                        SQLITE_UTF8);
    if (extraText.empty())
      sqlite3_bind_null(state.insert, 5);
    else
      sqlite3_bind_text64(state.insert, 5, extraText.data(), extraText.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8);
    if (sqlite3_step(state.insert) != SQLITE_DONE)
      return failure(state.connection, "insert");
    sqlite3_reset(state.insert);
  }
  if (!run(state.connection, "COMMIT"))
    return failure(state.connection, "commit");
  return {};
}

Result<int64_t> Version1Baseline::databaseBytes() {
  sqlite3_stmt *pages = nullptr;
  sqlite3_prepare_v2(state_->connection,
                     "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size", -1,
                     &pages, nullptr);
  int64_t bytes = sqlite3_step(pages) == SQLITE_ROW ? sqlite3_column_int64(pages, 0) : -1;
  sqlite3_finalize(pages);
  return bytes;
}

} // namespace pyvc::bench
