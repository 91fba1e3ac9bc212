// The reading store on SQLite: batches stored as one block per sensor, range queries over the
// blocks, and retention by age and by size (splitting the blocks a cutoff falls into).
#include "store/ReadingStore.h"

#include "store/CommitSidecar.h"
#include "store/Crc32c.h"
#include "store/ReadingBlock.h"
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
#include <functional>
#include <limits>
#include <tuple>
#include <unordered_map>

namespace pyvc {

using store::Connection;
using store::Statement;

namespace {

// Sensor ids remembered per connection; past this many names the memo starts over.
constexpr size_t kSensorMemoCapacity = 65536;

constexpr std::string_view kFindSensorSql = "SELECT id FROM sensors WHERE name = ?1";
constexpr std::string_view kAddSensorSql = "INSERT INTO sensors (name) VALUES (?1)";
constexpr std::string_view kReadStateSql =
    "SELECT next_sequence, sensors_generation FROM store_state WHERE singleton = 0";
constexpr std::string_view kAdvanceStateSql =
    "UPDATE store_state SET next_sequence = ?1, "
    "max_block_span_ms = max(max_block_span_ms, ?2) WHERE singleton = 0";
// The blocks that can hold readings of `sensor` in [?2, ?3), in time order. The name is resolved
// inside the statement, so the lookup and the range read see one snapshot (a memo could name an
// id that another connection's retention deleted and reused meanwhile). A block holding a time
// >= ?2 starts at most max_block_span_ms before it, which bounds the primary-key range from below.
constexpr std::string_view kRangeQuerySql =
    "SELECT first_ms, last_ms, first_sequence, count, crc, blob, sensor_id FROM reading_blocks "
    "WHERE sensor_id = (SELECT id FROM sensors WHERE name = ?1) "
    "AND first_ms >= ?2 - (SELECT max_block_span_ms FROM store_state WHERE singleton = 0) "
    "AND first_ms < ?3 AND last_ms >= ?2 "
    "ORDER BY first_ms, first_sequence";
// Blocks wholly older than ?1. `IN (SELECT id FROM sensors)` makes SQLite search the primary key
// once per sensor instead of scanning every block; every block's sensor is in `sensors`.
constexpr std::string_view kDeleteOlderBlocksSql =
    "DELETE FROM reading_blocks WHERE sensor_id IN (SELECT id FROM sensors) "
    "AND first_ms < ?1 AND last_ms < ?1 RETURNING count";
// What is left starting before ?1 straddles it (run after kDeleteOlderBlocksSql).
constexpr std::string_view kStraddlingBlocksSql =
    "SELECT sensor_id, first_ms, first_sequence, last_ms, count, crc, blob FROM reading_blocks "
    "WHERE sensor_id IN (SELECT id FROM sensors) AND first_ms < ?1";
// Commit groups oldest first, with their readings (a scan and a sort: first_sequence has no
// index of its own, which would give every insert a second B-tree).
constexpr std::string_view kGroupsSql = "SELECT first_sequence, sum(count) FROM reading_blocks "
                                        "GROUP BY first_sequence ORDER BY first_sequence";
constexpr std::string_view kDeleteGroupsBeforeSql =
    "DELETE FROM reading_blocks WHERE first_sequence < ?1 RETURNING count";
constexpr std::string_view kBlocksOfGroupSql =
    "SELECT sensor_id, first_ms, first_sequence, last_ms, count, crc, blob FROM reading_blocks "
    "WHERE first_sequence = ?1";
constexpr std::string_view kDeleteBlockSql = "DELETE FROM reading_blocks WHERE sensor_id = ?1 "
                                             "AND first_ms = ?2 AND first_sequence = ?3";
// One primary-key probe per sensor: cheap enough to run after every retention delete.
constexpr std::string_view kPruneSensorsSql =
    "DELETE FROM sensors WHERE NOT EXISTS "
    "(SELECT 1 FROM reading_blocks WHERE sensor_id = sensors.id)";

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

std::string_view columnBlob(sqlite3_stmt *statement, int column) {
  const auto *bytes = static_cast<const char *>(sqlite3_column_blob(statement, column));
  return bytes ? std::string_view(bytes, size_t(sqlite3_column_bytes(statement, column)))
               : std::string_view();
}

// Orders readings as query() returns them: time, then insertion order.
bool olderFirst(const store::BlockReading &left, const store::BlockReading &right) {
  return std::tie(left.timestampMs, left.sequence) < std::tie(right.timestampMs, right.sequence);
}

// Extra fields as the store keeps them: compact JSON text, empty for none. They cost JSON work
// only when there are some.
Result<void> extraText(const Reading &reading, std::string &text) {
  text.clear();
  if (!reading.extra.is_object() || reading.extra.empty())
    return {};
  try {
    text = reading.extra.dump();
  } catch (const nlohmann::json::exception &) {
    return makeError("field `extra` holds a string that is not valid UTF-8");
  }
  return {};
}

// Runs `sql` (one integer parameter) and returns the block rows it selects, in the column order
// of kStraddlingBlocksSql.
Result<std::vector<store::StoredBlock>> readBlocks(sqlite3 *connection, std::string_view sql,
                                                   int64_t parameter) {
  Result<Statement> statement = store::prepare(connection, sql);
  if (!statement)
    return statement.error();
  sqlite3_stmt *select = statement->get();
  bindInteger(select, 1, parameter);
  std::vector<store::StoredBlock> blocks;
  int code;
  while ((code = sqlite3_step(select)) == SQLITE_ROW) {
    store::StoredBlock &block = blocks.emplace_back();
    block.sensorId = sqlite3_column_int64(select, 0);
    block.header = {sqlite3_column_int64(select, 1), sqlite3_column_int64(select, 3),
                    sqlite3_column_int64(select, 2), sqlite3_column_int64(select, 4)};
    block.crc = static_cast<uint32_t>(sqlite3_column_int64(select, 5));
    block.blob = std::string(columnBlob(select, 6));
  }
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, "read blocks", code);
  return blocks;
}

// Sums the `count` column a `... RETURNING count` statement (one integer parameter) returns.
Result<int64_t> deleteReturningCount(sqlite3 *connection, std::string_view sql, int64_t parameter,
                                     std::string_view what) {
  Result<Statement> statement = store::prepare(connection, sql);
  if (!statement)
    return statement.error();
  bindInteger(statement->get(), 1, parameter);
  int64_t readings = 0;
  int code;
  while ((code = sqlite3_step(statement->get())) == SQLITE_ROW)
    readings += sqlite3_column_int64(statement->get(), 0);
  if (code != SQLITE_DONE)
    return store::sqliteError(connection, what, code);
  return readings;
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
  Statement insertBlock; // store::kInsertBlockSql
  Statement findSensor;
  Statement addSensor;
  Statement rangeQuery;
  Statement readState;
  Statement advanceState;
  std::filesystem::path path;
  // Memo of sensor name -> id, valid while store_state.sensors_generation equals
  // `memoGeneration`. Names added by the open transaction are listed too, so a rolled back batch
  // also rolls back the memo (the rolled back ids may be reused for other names).
  std::unordered_map<std::string, int64_t> sensorIds;
  int64_t memoGeneration = -1;
  std::vector<std::string> sensorsAddedInTransaction;
  // Per-batch scratch, kept to save allocations per batch.
  std::vector<RowKey> batchRows;
  store::BlockEncoder encoder;
  std::string extra;
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
  Result<int64_t> damagedInMigration = store::prepareSchema(connection);
  if (!damagedInMigration)
    return failure(damagedInMigration.error());
  state.integrity.corruptRowsSkipped = *damagedInMigration;
  if (options.maxPageCount > 0) {
    auto cap = store::execute(connection,
                              "PRAGMA max_page_count = " + std::to_string(options.maxPageCount));
    if (!cap)
      return failure(cap.error());
  }
  for (auto [statement, sql] :
       {std::pair<Statement *, std::string_view>{&state.insertBlock, store::kInsertBlockSql},
        {&state.findSensor, kFindSensorSql},
        {&state.addSensor, kAddSensorSql},
        {&state.rangeQuery, kRangeQuerySql},
        {&state.readState, kReadStateSql},
        {&state.advanceState, kAdvanceStateSql}}) {
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
  auto abandon = [&](Error error) -> Result<void> {
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

  // One block per sensor: the batch is sorted by (sensor, time, position), so each sensor's
  // readings are one run, in time order and, for equal times, in the caller's order. The sort
  // keys are copied out of the readings so the sort touches one small array; sequence numbers
  // follow the caller's order.
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
  int64_t maxSpan = 0;
  for (size_t start = 0; start < rows.size();) {
    const int64_t sensorId = rows[start].sensorId;
    state.encoder.start(*firstSequence);
    size_t end = start;
    for (; end < rows.size() && rows[end].sensorId == sensorId; ++end) {
      const Reading &reading = readings[rows[end].index];
      if (auto extra = extraText(reading, state.extra); !extra)
        return abandon(atReading(rows[end].index, extra.error()));
      state.encoder.add(reading.timestampMs, *firstSequence + rows[end].index, reading.value,
                        reading.unit, state.extra);
    }
    store::BlockHeader header = state.encoder.header();
    maxSpan = std::max(maxSpan, header.spanMs());
    if (auto inserted = store::insertBlock(connection, state.insertBlock.get(), sensorId, header,
                                           state.encoder.finish());
        !inserted)
      return abandon(inserted.error());
    start = end;
  }
  sqlite3_stmt *advance = state.advanceState.get();
  bindInteger(advance, 1, *firstSequence + int64_t(readings.size()));
  bindInteger(advance, 2, maxSpan);
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

bool ReadingStore::decodeVerified(int64_t sensorId, const store::BlockHeader &header, uint32_t crc,
                                  std::string_view blob, std::vector<store::BlockReading> &out) {
  if (store::blockChecksum(sensorId, header, blob) == crc && store::decodeBlock(header, blob, out))
    return true;
  state_->integrity.corruptRowsSkipped += header.count;
  std::fprintf(stderr,
               "pyvc reading store: a block of %lld readings of sensor id %lld from %lld to %lld "
               "(first sequence %lld) in %s is damaged on disk (crc32c mismatch); left out\n",
               static_cast<long long>(header.count), static_cast<long long>(sensorId),
               static_cast<long long>(header.firstMs), static_cast<long long>(header.lastMs),
               static_cast<long long>(header.firstSequence), state_->path.c_str());
  return false;
}

Result<std::vector<Reading>> ReadingStore::query(std::string_view sensor, int64_t fromMs,
                                                 int64_t toMs, int64_t limit) {
  sqlite3 *connection = state_->connection.get();
  sqlite3_stmt *statement = state_->rangeQuery.get();
  sqlite3_reset(statement);
  if (limit < 0)
    limit = INT64_MAX; // as SQLite's LIMIT, which version 2 used, takes a negative one
  if (int code = bindText(statement, 1, sensor, SQLITE_STATIC); code != SQLITE_OK)
    return store::sqliteError(connection, "query", code);
  bindInteger(statement, 2, fromMs);
  bindInteger(statement, 3, toMs);
  // Blocks come in first_ms order. Once `limit` readings are held, only the `limit` oldest are
  // kept, and a block starting after the newest of them cannot contribute: the read stops.
  std::vector<store::BlockReading> found;
  int code;
  while ((code = sqlite3_step(statement)) == SQLITE_ROW) {
    store::BlockHeader header{
        sqlite3_column_int64(statement, 0), sqlite3_column_int64(statement, 1),
        sqlite3_column_int64(statement, 2), sqlite3_column_int64(statement, 3)};
    if (limit == 0)
      break;
    if (found.size() >= uint64_t(limit)) {
      auto newestKept = found.begin() + (limit - 1);
      std::nth_element(found.begin(), newestKept, found.end(), olderFirst);
      found.resize(size_t(limit));
      if (header.firstMs > found.back().timestampMs)
        break;
    }
    size_t before = found.size();
    if (!decodeVerified(sqlite3_column_int64(statement, 6), header,
                        static_cast<uint32_t>(sqlite3_column_int64(statement, 4)),
                        columnBlob(statement, 5), found))
      continue;
    found.erase(std::remove_if(found.begin() + std::ptrdiff_t(before), found.end(),
                               [&](const store::BlockReading &reading) {
                                 return reading.timestampMs < fromMs || reading.timestampMs >= toMs;
                               }),
                found.end());
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement); // the name is bound without a copy
  if (code != SQLITE_DONE && code != SQLITE_ROW)
    return store::sqliteError(connection, "query", code);
  std::sort(found.begin(), found.end(), olderFirst);
  if (found.size() > uint64_t(limit))
    found.resize(size_t(limit));
  std::vector<Reading> readings(found.size());
  for (size_t index = 0; index < found.size(); ++index) {
    store::BlockReading &stored = found[index];
    Reading &reading = readings[index];
    reading.sensor = std::string(sensor);
    reading.timestampMs = stored.timestampMs;
    reading.value = stored.value;
    reading.unit = std::move(stored.unit);
    if (stored.extra.empty())
      continue;
    reading.extra = nlohmann::json::parse(stored.extra, nullptr, false);
    if (reading.extra.is_discarded())
      return makeError("query: stored extra fields of a `" + reading.sensor +
                       "` reading are not valid JSON");
  }
  return readings;
}

Result<int64_t> ReadingStore::rewriteBlocks(std::vector<store::StoredBlock> &blocks,
                                            const std::function<bool(int64_t, int64_t)> &keep) {
  State &state = *state_;
  sqlite3 *connection = state.connection.get();
  Result<Statement> erase = store::prepare(connection, kDeleteBlockSql);
  if (!erase)
    return erase.error();
  int64_t removed = 0;
  std::vector<store::BlockReading> stored;
  for (const store::StoredBlock &block : blocks) {
    stored.clear();
    // A damaged block cannot be split; retention deletes it whole (it is counted and logged).
    bool readable = decodeVerified(block.sensorId, block.header, block.crc, block.blob, stored);
    bindInteger(erase->get(), 1, block.sensorId);
    bindInteger(erase->get(), 2, block.header.firstMs);
    bindInteger(erase->get(), 3, block.header.firstSequence);
    if (auto erased = runOnce(connection, erase->get(), "rewrite block"); !erased)
      return erased.error();
    state.encoder.start(block.header.firstSequence);
    for (const store::BlockReading &reading : stored)
      if (keep(reading.timestampMs, reading.sequence))
        state.encoder.add(reading.timestampMs, reading.sequence, reading.value, reading.unit,
                          reading.extra);
    int64_t kept = readable ? state.encoder.header().count : 0;
    removed += block.header.count - kept;
    if (kept == 0)
      continue;
    if (auto inserted = store::insertBlock(connection, state.insertBlock.get(), block.sensorId,
                                           state.encoder.header(), state.encoder.finish());
        !inserted)
      return inserted.error();
  }
  return removed;
}

Result<int64_t> ReadingStore::deleteAndPrune(std::string_view what,
                                             const std::function<Result<int64_t>()> &remove) {
  sqlite3 *connection = state_->connection.get();
  if (auto begun = store::execute(connection, "BEGIN IMMEDIATE"); !begun)
    return begun.error();
  auto run = [&]() -> Result<int64_t> {
    Result<int64_t> deleted = remove();
    if (!deleted)
      return makeError(std::string(what) + ": " + deleted.error().message);
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

Result<int64_t> ReadingStore::deleteOlderThan(int64_t cutoffMs) {
  sqlite3 *connection = state_->connection.get();
  return deleteAndPrune("delete readings older than a cutoff", [&]() -> Result<int64_t> {
    Result<int64_t> whole =
        deleteReturningCount(connection, kDeleteOlderBlocksSql, cutoffMs, "delete old blocks");
    if (!whole)
      return whole.error();
    Result<std::vector<store::StoredBlock>> straddling =
        readBlocks(connection, kStraddlingBlocksSql, cutoffMs);
    if (!straddling)
      return straddling.error();
    Result<int64_t> split = rewriteBlocks(
        *straddling, [&](int64_t timestampMs, int64_t) { return timestampMs >= cutoffMs; });
    if (!split)
      return split.error();
    return *whole + *split;
  });
}

Result<int64_t> ReadingStore::deleteOldestRows(int64_t rows) {
  sqlite3 *connection = state_->connection.get();
  return deleteAndPrune("delete oldest readings", [&]() -> Result<int64_t> {
    // Whole commit groups while they fit in `rows`; the group where the count runs out is cut
    // at its (rows - whole)-th smallest sequence.
    Result<Statement> groups = store::prepare(connection, kGroupsSql);
    if (!groups)
      return groups.error();
    int64_t wholeReadings = 0, boundary = INT64_MAX;
    int code;
    while ((code = sqlite3_step(groups->get())) == SQLITE_ROW) {
      int64_t readings = sqlite3_column_int64(groups->get(), 1);
      if (wholeReadings + readings > rows) {
        boundary = sqlite3_column_int64(groups->get(), 0);
        break;
      }
      wholeReadings += readings;
    }
    if (code != SQLITE_ROW && code != SQLITE_DONE)
      return store::sqliteError(connection, "list commit groups", code);
    groups->reset();
    Result<int64_t> whole = deleteReturningCount(connection, kDeleteGroupsBeforeSql, boundary,
                                                 "delete old commit groups");
    if (!whole)
      return whole.error();
    int64_t rest = rows - *whole;
    if (boundary == INT64_MAX || rest <= 0)
      return *whole;
    Result<std::vector<store::StoredBlock>> cut =
        readBlocks(connection, kBlocksOfGroupSql, boundary);
    if (!cut)
      return cut.error();
    std::vector<store::BlockReading> stored;
    for (const store::StoredBlock &block : *cut)
      store::decodeBlock(block.header, block.blob, stored); // damaged ones: see rewriteBlocks
    std::vector<int64_t> sequences;
    for (const store::BlockReading &reading : stored)
      sequences.push_back(reading.sequence);
    int64_t lastDeleted = INT64_MAX;
    if (int64_t(sequences.size()) > rest) {
      std::nth_element(sequences.begin(), sequences.begin() + (rest - 1), sequences.end());
      lastDeleted = sequences[size_t(rest - 1)];
    }
    Result<int64_t> split =
        rewriteBlocks(*cut, [&](int64_t, int64_t sequence) { return sequence > lastDeleted; });
    if (!split)
      return split.error();
    return *whole + *split;
  });
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
  return store::queryInteger(state_->connection.get(),
                             "SELECT coalesce(sum(count), 0) FROM reading_blocks");
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
