// The reading store on SQLite: schema, batched transactional inserts, indexed range queries,
// and retention by age and by size.
#include "store/ReadingStore.h"

#include "store/CommitSidecar.h"
#include "store/Crc32c.h"
#include "store/ReservingShmVfs.h"
#include "store/SqliteHandle.h"
#include "store/StoreSchema.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <tuple>
#include <unordered_map>

namespace pyvc {

using store::Connection;
using store::Statement;

namespace {

// Sensor ids remembered per connection; past this many names the memo starts over.
constexpr size_t kSensorMemoCapacity = 65536;

// Rows go in through one statement of kRowsPerInsert rows while enough are left, then one of a
// single row: stepping a statement has a fixed cost comparable to a row's B-tree work, and 32
// rows per step cut the CPU per reading by 8-12% (sorted batches of 10,000; 50 rows measured
// the same as 32). Each row binds kColumnsPerRow parameters, in the order of insertSql.
constexpr int kRowsPerInsert = 32;
constexpr int kColumnsPerRow = 7;

std::string insertSql(int rows) {
  std::string sql =
      "INSERT INTO readings (sensor_id, timestamp_ms, sequence, value, unit, extra, crc) VALUES ";
  for (int row = 0; row < rows; ++row)
    sql += row == 0 ? "(?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?)";
  return sql;
}

// CRC32C of a stored row: its integers, the value's bits (or NULL), the lengths, then the unit
// and extra text, so that bytes changed on disk are not returned as a reading.
uint32_t rowChecksum(int64_t sensorId, int64_t timestampMs, int64_t sequence, bool valueIsNull,
                     double value, std::string_view unit, std::string_view extra) {
  unsigned char fixed[49];
  // SQLite stores a whole-number REAL as an integer, so -0.0 reads back as 0.0: both count as 0.
  double stored = value == 0.0 ? 0.0 : value;
  uint64_t bits = 0;
  std::memcpy(&bits, &stored, sizeof bits);
  uint64_t fields[] = {uint64_t(sensorId),     uint64_t(timestampMs), uint64_t(sequence),
                       valueIsNull ? 0 : bits, uint64_t(unit.size()), uint64_t(extra.size())};
  for (size_t field = 0; field < 6; ++field)
    for (size_t byte = 0; byte < 8; ++byte)
      fixed[field * 8 + byte] = static_cast<unsigned char>(fields[field] >> (8 * byte));
  fixed[48] = valueIsNull ? 1 : 0;
  uint32_t crc = store::crc32c(std::string_view(reinterpret_cast<const char *>(fixed), 49));
  crc = store::crc32c(unit, crc);
  return store::crc32c(extra, crc);
}
constexpr std::string_view kFindSensorSql = "SELECT id FROM sensors WHERE name = ?1";
constexpr std::string_view kAddSensorSql = "INSERT INTO sensors (name) VALUES (?1)";
constexpr std::string_view kReadStateSql =
    "SELECT next_sequence, sensors_generation FROM store_state WHERE singleton = 0";
constexpr std::string_view kAdvanceSequenceSql =
    "UPDATE store_state SET next_sequence = ?1 WHERE singleton = 0";
// The name is resolved inside the statement, so the lookup and the range read see one snapshot
// (a memo could name an id that another connection's retention deleted and reused meanwhile).
constexpr std::string_view kRangeQuerySql =
    "SELECT timestamp_ms, value, unit, extra, sensor_id, sequence, crc FROM readings "
    "WHERE sensor_id = (SELECT id FROM sensors WHERE name = ?1) "
    "AND timestamp_ms >= ?2 AND timestamp_ms < ?3 "
    "ORDER BY timestamp_ms, sequence LIMIT ?4";
// `IN (SELECT id FROM sensors)` makes SQLite search the primary key once per sensor instead of
// scanning every reading; every reading's sensor is in `sensors` (sensors with readings are
// never deleted).
constexpr std::string_view kDeleteOlderSql =
    "DELETE FROM readings WHERE sensor_id IN (SELECT id FROM sensors) AND timestamp_ms < ?1";
// Exactly the ?1 oldest readings, whatever gaps retention by age left in the sequence numbers
// (sequence is unique). A bounded sort of the sequence column: there is no index on it, so
// inserts keep updating a single B-tree.
constexpr std::string_view kDeleteOldestSql =
    "DELETE FROM readings WHERE sequence <= coalesce("
    "(SELECT sequence FROM readings ORDER BY sequence LIMIT 1 OFFSET ?1 - 1), "
    "(SELECT max(sequence) FROM readings))";
// One primary-key probe per sensor: cheap enough to run after every retention delete.
constexpr std::string_view kPruneSensorsSql =
    "DELETE FROM sensors WHERE NOT EXISTS (SELECT 1 FROM readings WHERE sensor_id = sensors.id)";

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

// Binds row `row` of an insertSql statement. Extra fields cost JSON work only when there are
// some. The unit is bound without a copy: the caller clears the bindings before `reading` goes.
Result<void> bindReading(sqlite3 *connection, sqlite3_stmt *statement, int row, int64_t sensorId,
                         int64_t sequence, const Reading &reading) {
  const int first = row * kColumnsPerRow + 1;
  std::string extraText;
  if (reading.extra.is_object() && !reading.extra.empty()) {
    try {
      extraText = reading.extra.dump();
    } catch (const nlohmann::json::exception &) {
      return makeError("field `extra` holds a string that is not valid UTF-8");
    }
  }
  bindInteger(statement, first, sensorId);
  bindInteger(statement, first + 1, reading.timestampMs);
  bindInteger(statement, first + 2, sequence);
  bindInteger(statement, first + 6,
              rowChecksum(sensorId, reading.timestampMs, sequence, std::isnan(reading.value),
                          reading.value, reading.unit, extraText));
  int code = std::isnan(reading.value) ? sqlite3_bind_null(statement, first + 3)
                                       : sqlite3_bind_double(statement, first + 3, reading.value);
  if (code == SQLITE_OK)
    code = bindText(statement, first + 4, reading.unit, SQLITE_STATIC);
  if (code == SQLITE_OK)
    code = extraText.empty() ? sqlite3_bind_null(statement, first + 5)
                             : bindText(statement, first + 5, extraText, SQLITE_TRANSIENT);
  if (code != SQLITE_OK)
    return store::sqliteError(connection, "bind reading", code);
  return {};
}

std::string columnText(sqlite3_stmt *statement, int column) {
  const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
  return text ? std::string(text, size_t(sqlite3_column_bytes(statement, column))) : std::string();
}

// Steps a statement that returns no rows, then resets it and clears its bindings.
Result<void> runOnce(sqlite3 *connection, sqlite3_stmt *statement, std::string_view what) {
  int code = sqlite3_step(statement);
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, what, code);
  return {};
}

// Runs `deleteSql` (one integer parameter) and then prunes the sensors it left without
// readings, in one write transaction; bumps sensors_generation when sensors went, so every
// connection drops its memo of ids before its next batch. Returns the readings deleted.
Result<int64_t> deleteReadingsAndPrune(sqlite3 *connection, std::string_view deleteSql,
                                       int64_t parameter, std::string_view what) {
  if (auto begun = store::execute(connection, "BEGIN IMMEDIATE"); !begun)
    return begun.error();
  auto run = [&]() -> Result<int64_t> {
    Result<Statement> statement = store::prepare(connection, deleteSql);
    if (!statement)
      return statement.error();
    bindInteger(statement->get(), 1, parameter);
    if (int code = sqlite3_step(statement->get()); code != SQLITE_DONE)
      return store::sqliteError(connection, what, code);
    int64_t deleted = sqlite3_changes64(connection);
    if (auto pruned = store::execute(connection, kPruneSensorsSql); !pruned)
      return pruned.error();
    if (sqlite3_changes64(connection) > 0) {
      auto bumped = store::execute(connection, "UPDATE store_state SET sensors_generation = "
                                               "sensors_generation + 1 WHERE singleton = 0");
      if (!bumped)
        return bumped.error();
    }
    if (auto committed = store::execute(connection, "COMMIT"); !committed)
      return committed.error();
    return deleted;
  };
  Result<int64_t> deleted = run();
  if (!deleted && !sqlite3_get_autocommit(connection))
    sqlite3_exec(connection, "ROLLBACK", nullptr, nullptr, nullptr);
  return deleted;
}

// Where a reading of the batch goes in the primary key, and which reading it is.
struct RowKey {
  int64_t sensorId;
  int64_t timestampMs;
  uint32_t index;
};

} // namespace

struct ReadingStore::State {
  Connection connection;
  Statement insert;     // insertSql(1)
  Statement insertRows; // insertSql(kRowsPerInsert)
  Statement findSensor;
  Statement addSensor;
  Statement rangeQuery;
  Statement readState;
  Statement advanceSequence;
  std::filesystem::path path;
  // Memo of sensor name -> id, valid while store_state.sensors_generation equals
  // `memoGeneration`. Names added by the open transaction are listed too, so a rolled back batch
  // also rolls back the memo (the rolled back ids may be reused for other names).
  std::unordered_map<std::string, int64_t> sensorIds;
  int64_t memoGeneration = -1;
  std::vector<std::string> sensorsAddedInTransaction;
  // Per-batch scratch, kept to save an allocation per batch.
  std::vector<RowKey> batchRows;
  std::unique_ptr<store::CommitSidecar> sidecar;
  StoreIntegrity integrity;
};

namespace {

// -1 when the file does not exist.
int64_t fileSizeOf(const std::filesystem::path &path) {
  std::error_code missing;
  auto size = std::filesystem::file_size(path, missing);
  return missing ? -1 : static_cast<int64_t>(size);
}

// Moves "<path>" and its -wal, -shm and -sidecar to "<path>.corrupt-<UTC time>[-n]...", for the
// operator. Returns the new name of the main file.
Result<std::string> moveAside(const std::filesystem::path &path) {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::string aside = path.string() + ".corrupt-" + stamp;
  std::error_code ignored; // the non-throwing overloads: an open never throws
  for (int suffix = 1; std::filesystem::exists(aside, ignored); ++suffix)
    aside = path.string() + ".corrupt-" + stamp + "-" + std::to_string(suffix);
  for (const char *extension : {"", "-wal", "-shm", "-sidecar"}) {
    std::string from = path.string() + extension;
    if (std::filesystem::exists(from, ignored) &&
        std::rename(from.c_str(), (aside + extension).c_str()))
      return makeError("cannot move " + from + " aside: " + std::strerror(errno));
  }
  return aside;
}

} // namespace

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

  // A store used to be here (its sidecar counted readings) but the file is gone or empty: that
  // is reported and the remains kept, never opened as an empty store without a word. A sidecar
  // that cannot be opened (say, no such folder) is reported after SQLite's own open error.
  Result<std::unique_ptr<store::CommitSidecar>> sidecar =
      store::CommitSidecar::open(path.string(), "reading store");
  if (sidecar) {
    // A copy: the sidecar is closed below before the figure is printed.
    if (const auto recorded = (*sidecar)->recordedAtOpen();
        recorded && recorded->commits > 0 && fileSizeOf(path) <= 0) {
      sidecar->reset();
      Result<std::string> aside = moveAside(path);
      if (!aside)
        return failure(aside.error());
      std::fprintf(stderr,
                   "pyvc reading store: CORRUPT store %s on open (the file is %s but its sidecar "
                   "records %lld readings); moved aside to %s, starting an empty store\n",
                   path.c_str(), fileSizeOf(*aside) < 0 ? "missing" : "empty",
                   static_cast<long long>(recorded->commits), aside->c_str());
      state.integrity.filesMovedAside = 1;
      sidecar = store::CommitSidecar::open(path.string(), "reading store");
    }
  }
  if (sidecar)
    state.sidecar = std::move(*sidecar);

  // The reserving VFS: a full disk fails the call with SQLITE_FULL instead of SIGBUS.
  Result<std::string> vfs = store::reservingShmVfs("");
  if (!vfs)
    return failure(vfs.error());
  sqlite3 *raw = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &raw,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             vfs->c_str());
  state.connection.reset(raw);
  if (code != SQLITE_OK)
    return failure(store::sqliteError(raw, "open", code));
  sqlite3 *connection = raw;
  if (!state.sidecar)
    return failure(sidecar.error());
  // The -wal and -shm stay after the last close, so a reopen on a full disk needs no new blocks.
  int persist = 1;
  sqlite3_file_control(connection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_extended_result_codes(connection, 1);
  sqlite3_busy_timeout(connection, options.busyTimeoutMs);

  if (auto vacuum = store::chooseVacuumModeOfNewFile(connection); !vacuum)
    return failure(vacuum.error());
  std::string synchronous = options.durability == StoreDurability::Full ? "FULL" : "NORMAL";
  for (const std::string &pragma : {
           std::string("PRAGMA journal_mode = WAL"),
           "PRAGMA synchronous = " + synchronous,
           std::string("PRAGMA cache_size = -16384"), // 16 MiB of page cache
           std::string("PRAGMA temp_store = MEMORY"),
           // Readings deleted by retention are zeroed, also in pages that go to the free list,
           // so they do not linger on the card (FAST leaves those; docs/RUNTIME-store.md).
           std::string("PRAGMA secure_delete = ON"),
           // The WAL is cut back to 4 MiB after a checkpoint, and emptied when the last
           // connection closes (it persists, see above): old page images do not stay in it.
           std::string("PRAGMA journal_size_limit = 4194304"),
       }) {
    if (auto done = store::execute(connection, pragma); !done)
      return failure(done.error());
  }
  if (auto wal = requireWalMode(connection); !wal)
    return failure(wal.error());
  if (auto schema = store::prepareSchema(connection); !schema)
    return failure(schema.error());
  if (auto checksums = store::addRowChecksums(connection); !checksums)
    return failure(checksums.error());
  if (options.maxPageCount > 0) {
    auto cap = store::execute(connection,
                              "PRAGMA max_page_count = " + std::to_string(options.maxPageCount));
    if (!cap)
      return failure(cap.error());
  }
  const std::string insertOneSql = insertSql(1), insertRowsSql = insertSql(kRowsPerInsert);
  for (auto [statement, sql] :
       {std::pair<Statement *, std::string_view>{&state.insert, insertOneSql},
        {&state.insertRows, insertRowsSql},
        {&state.findSensor, kFindSensorSql},
        {&state.addSensor, kAddSensorSql},
        {&state.rangeQuery, kRangeQuerySql},
        {&state.readState, kReadStateSql},
        {&state.advanceSequence, kAdvanceSequenceSql}}) {
    Result<Statement> prepared = store::prepare(connection, sql);
    if (!prepared)
      return failure(prepared.error());
    *statement = std::move(prepared).value();
  }
  if (auto checked = store->checkAgainstSidecar(); !checked)
    return failure(checked.error());
  return store;
}

Result<void> ReadingStore::checkAgainstSidecar() {
  State &state = *state_;
  Result<int64_t> next = store::queryInteger(
      state.connection.get(), "SELECT next_sequence FROM store_state WHERE singleton = 0");
  if (!next)
    return next.error();
  const std::optional<store::CommitRecord> &recorded = state.sidecar->recordedAtOpen();
  if (recorded && recorded->commits > *next) {
    state.integrity.lostReadingsOnOpen = recorded->commits - *next;
    std::fprintf(stderr,
                 "pyvc reading store: LOST READINGS in %s: its sidecar records %lld readings "
                 "committed, the file holds %lld; %lld readings were lost from the WAL\n",
                 state.path.c_str(), static_cast<long long>(recorded->commits),
                 static_cast<long long>(*next),
                 static_cast<long long>(state.integrity.lostReadingsOnOpen));
  }
  if (!recorded || recorded->commits != *next)
    state.sidecar->record({*next, 0});
  return {};
}

StoreIntegrity ReadingStore::integrity() const { return state_->integrity; }

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

Result<int64_t> ReadingStore::beginBatchSequence() {
  State &state = *state_;
  sqlite3_stmt *read = state.readState.get();
  int code = sqlite3_step(read);
  int64_t nextSequence = code == SQLITE_ROW ? sqlite3_column_int64(read, 0) : 0;
  int64_t generation = code == SQLITE_ROW ? sqlite3_column_int64(read, 1) : 0;
  sqlite3_reset(read);
  if (code == SQLITE_DONE)
    return makeError("the store_state row is missing");
  if (code != SQLITE_ROW)
    return store::sqliteError(state.connection.get(), "read store state", code);
  if (generation != state.memoGeneration) {
    state.sensorIds.clear();
    state.memoGeneration = generation;
  }
  return nextSequence;
}

Result<void> ReadingStore::insertBatch(std::span<const Reading> readings) {
  if (readings.empty())
    return {}; // nothing to make durable; no reason to take the write lock
  State &state = *state_;
  sqlite3 *connection = state.connection.get();
  if (auto begun = store::execute(connection, "BEGIN IMMEDIATE"); !begun)
    return begun.error();
  auto releaseInserts = [&] {
    for (sqlite3_stmt *insert : {state.insert.get(), state.insertRows.get()}) {
      sqlite3_reset(insert);
      sqlite3_clear_bindings(insert);
    }
  };
  auto abandon = [&](Error error) -> Result<void> {
    releaseInserts();
    bool diskFull = (sqlite3_extended_errcode(connection) & 0xFF) == SQLITE_FULL;
    if (auto rolledBack = rollBack(); !rolledBack)
      error.message += "; and then " + rolledBack.error().message;
    // After a full disk the WAL's frames go into the file and the WAL is truncated, so the
    // space it held is the file system's again (else freed space goes into WAL frames and the
    // next checkpoint, which must grow the file, cannot finish).
    if (diskFull)
      sqlite3_wal_checkpoint_v2(connection, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    return error;
  };
  auto atReading = [](size_t index, const Error &error) {
    return makeError("insert batch: reading " + std::to_string(index) + ": " + error.message);
  };
  state.sensorsAddedInTransaction.clear();
  Result<int64_t> firstSequence = beginBatchSequence();
  if (!firstSequence)
    return abandon(firstSequence.error());

  // Inserting in key order walks each sensor's end of the B-tree once per batch instead of
  // hopping between sensors on every row. The sort keys are copied out of the readings so the
  // sort touches one small array; sequence numbers follow the caller's order.
  assert(readings.size() <= UINT32_MAX && "a batch fits in memory, so its size fits 32 bits");
  std::vector<RowKey> &rows = state.batchRows;
  rows.resize(readings.size());
  for (uint32_t index = 0; index < rows.size(); ++index) {
    Result<int64_t> sensorId = idOfSensor(readings[index].sensor);
    if (!sensorId)
      return abandon(atReading(index, sensorId.error()));
    rows[index] = {*sensorId, readings[index].timestampMs, index};
  }
  std::sort(rows.begin(), rows.end(), [](const RowKey &left, const RowKey &right) {
    return std::tie(left.sensorId, left.timestampMs, left.index) <
           std::tie(right.sensorId, right.timestampMs, right.index);
  });
  for (size_t position = 0; position < rows.size();) {
    bool whole = rows.size() - position >= size_t(kRowsPerInsert);
    sqlite3_stmt *insert = whole ? state.insertRows.get() : state.insert.get();
    int rowsInStatement = whole ? kRowsPerInsert : 1;
    for (int row = 0; row < rowsInStatement; ++row) {
      const RowKey &key = rows[position + size_t(row)];
      if (auto bound = bindReading(connection, insert, row, key.sensorId,
                                   *firstSequence + key.index, readings[key.index]);
          !bound)
        return abandon(atReading(key.index, bound.error()));
    }
    int code = sqlite3_step(insert);
    if (code != SQLITE_DONE)
      return abandon(store::sqliteError(connection, "insert batch", code));
    sqlite3_reset(insert);
    position += size_t(rowsInStatement);
  }
  releaseInserts();
  sqlite3_stmt *advance = state.advanceSequence.get();
  bindInteger(advance, 1, *firstSequence + int64_t(readings.size()));
  if (auto advanced = runOnce(connection, advance, "advance sequence"); !advanced)
    return abandon(advanced.error());
  int code = sqlite3_exec(connection, "COMMIT", nullptr, nullptr, nullptr);
  if (code != SQLITE_OK)
    return abandon(store::sqliteError(connection, "commit batch", code));
  state.sensorsAddedInTransaction.clear();
  state.sidecar->record({*firstSequence + int64_t(readings.size()), 0});
  return {};
}

Result<int64_t> ReadingStore::idOfSensor(const std::string &name) {
  State &state = *state_;
  if (auto memo = state.sensorIds.find(name); memo != state.sensorIds.end())
    return memo->second;
  sqlite3 *connection = state.connection.get();
  sqlite3_stmt *find = state.findSensor.get();
  int code = bindText(find, 1, name, SQLITE_STATIC);
  if (code == SQLITE_OK)
    code = sqlite3_step(find);
  int64_t id = code == SQLITE_ROW ? sqlite3_column_int64(find, 0) : -1;
  sqlite3_reset(find);
  sqlite3_clear_bindings(find);
  if (code != SQLITE_ROW && code != SQLITE_DONE)
    return store::sqliteError(connection, "look up sensor", code);
  if (code == SQLITE_DONE) {
    sqlite3_stmt *add = state.addSensor.get();
    code = bindText(add, 1, name, SQLITE_STATIC);
    if (code != SQLITE_OK)
      return store::sqliteError(connection, "add sensor", code);
    if (auto added = runOnce(connection, add, "add sensor"); !added)
      return added.error();
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
  sqlite3_stmt *statement = state_->rangeQuery.get();
  sqlite3_reset(statement);
  std::vector<Reading> readings;
  if (int code = bindText(statement, 1, sensor, SQLITE_STATIC); code != SQLITE_OK)
    return store::sqliteError(connection, "query", code);
  bindInteger(statement, 2, fromMs);
  bindInteger(statement, 3, toMs);
  bindInteger(statement, 4, limit);
  int code;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    Reading reading;
    reading.sensor = std::string(sensor);
    reading.timestampMs = sqlite3_column_int64(statement, 0);
    bool valueIsNull = sqlite3_column_type(statement, 1) == SQLITE_NULL;
    reading.value = valueIsNull ? std::numeric_limits<double>::quiet_NaN()
                                : sqlite3_column_double(statement, 1);
    reading.unit = columnText(statement, 2);
    if (sqlite3_column_type(statement, 6) != SQLITE_NULL) {
      std::string extraText = columnText(statement, 3);
      int64_t sequence = sqlite3_column_int64(statement, 5);
      uint32_t computed =
          rowChecksum(sqlite3_column_int64(statement, 4), reading.timestampMs, sequence,
                      valueIsNull, valueIsNull ? 0.0 : reading.value, reading.unit, extraText);
      if (computed != static_cast<uint32_t>(sqlite3_column_int64(statement, 6))) {
        ++state_->integrity.corruptRowsSkipped;
        std::fprintf(stderr,
                     "pyvc reading store: a `%s` reading at %lld (sequence %lld) in %s is damaged "
                     "on disk (crc32c mismatch); left out\n",
                     reading.sensor.c_str(), static_cast<long long>(reading.timestampMs),
                     static_cast<long long>(sequence), state_->path.c_str());
        continue;
      }
    }
    if (sqlite3_column_type(statement, 3) != SQLITE_NULL) {
      reading.extra = nlohmann::json::parse(columnText(statement, 3), nullptr, false);
      if (reading.extra.is_discarded()) {
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
        return makeError("query: stored extra fields of a `" + reading.sensor +
                         "` reading are not valid JSON");
      }
    }
    readings.push_back(std::move(reading));
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement); // the name is bound without a copy
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, "query", code);
  return readings;
}

Result<int64_t> ReadingStore::deleteOlderThan(int64_t cutoffMs) {
  return deleteReadingsAndPrune(state_->connection.get(), kDeleteOlderSql, cutoffMs,
                                "delete readings older than a cutoff");
}

Result<int64_t> ReadingStore::deleteOldestRows(int64_t rows) {
  return deleteReadingsAndPrune(state_->connection.get(), kDeleteOldestSql, rows,
                                "delete oldest readings");
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

Result<int64_t> ReadingStore::countSensors() {
  return store::queryInteger(state_->connection.get(), "SELECT COUNT(*) FROM sensors");
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
