// RejectedReadings: a small bounded SQLite table (see RejectedReadings.h).
#include "agent/RejectedReadings.h"

#include <sqlite3.h>

namespace pyvc::agent {

namespace {

Error sqliteError(const std::filesystem::path &path, sqlite3 *db, const char *what) {
  return makeError(path.string() + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

} // namespace

Result<std::unique_ptr<RejectedReadings>>
RejectedReadings::open(const std::filesystem::path &path, size_t maxRows, bool fullDurability) {
  std::unique_ptr<RejectedReadings> table(new RejectedReadings());
  table->path_ = path;
  table->maxRows_ = maxRows;
  if (sqlite3_open_v2(path.c_str(), &table->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return sqliteError(path, table->db_, "cannot open");
  sqlite3_busy_timeout(table->db_, 5000);
  std::string setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
                      (fullDurability ? "FULL" : "NORMAL") +
                      "; CREATE TABLE IF NOT EXISTS rejected_readings ("
                      " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                      " at_ms INTEGER NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL,"
                      " detail TEXT NOT NULL, raw BLOB NOT NULL);";
  if (auto done = table->execute(setup.c_str()); !done)
    return done.error();
  if (sqlite3_prepare_v2(table->db_,
                         "INSERT INTO rejected_readings (at_ms, source, reason, detail, raw)"
                         " VALUES (?, ?, ?, ?, ?)",
                         -1, &table->insert_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(table->db_,
                         "DELETE FROM rejected_readings WHERE id <= "
                         "(SELECT max(id) FROM rejected_readings) - ?",
                         -1, &table->trim_, nullptr) != SQLITE_OK)
    return sqliteError(path, table->db_, "cannot prepare");
  return table;
}

RejectedReadings::~RejectedReadings() {
  sqlite3_finalize(insert_);
  sqlite3_finalize(trim_);
  sqlite3_close_v2(db_);
}

Result<void> RejectedReadings::execute(const char *sql) {
  char *message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK)
    return {};
  std::string text = message ? message : sqlite3_errmsg(db_);
  sqlite3_free(message);
  return makeError(path_.string() + ": " + text);
}

Result<void> RejectedReadings::insert(std::span<const ingest::RejectedReading> rejected,
                                      std::span<const std::string> sourceNames, int64_t nowMs) {
  if (rejected.empty())
    return {};
  if (auto begun = execute("BEGIN IMMEDIATE"); !begun)
    return begun;
  for (const ingest::RejectedReading &row : rejected) {
    const std::string &source =
        row.source < sourceNames.size() ? sourceNames[row.source] : std::string("unknown");
    const char *reason = ingest::rejectReasonName(row.reason);
    sqlite3_bind_int64(insert_, 1, nowMs);
    sqlite3_bind_text(insert_, 2, source.data(), int(source.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 4, row.detail.data(), int(row.detail.size()), SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 5, row.raw.data(), int(row.raw.size()), SQLITE_STATIC);
    int status = sqlite3_step(insert_);
    sqlite3_reset(insert_);
    if (status != SQLITE_DONE) {
      Error error = sqliteError(path_, db_, "cannot insert");
      (void)execute("ROLLBACK");
      return error;
    }
  }
  sqlite3_bind_int64(trim_, 1, int64_t(maxRows_));
  int status = sqlite3_step(trim_);
  sqlite3_reset(trim_);
  if (status != SQLITE_DONE) {
    Error error = sqliteError(path_, db_, "cannot trim");
    (void)execute("ROLLBACK");
    return error;
  }
  if (auto committed = execute("COMMIT"); !committed) {
    (void)execute("ROLLBACK");
    return committed;
  }
  return {};
}

Result<int64_t> RejectedReadings::count() {
  sqlite3_stmt *statement = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT count(*) FROM rejected_readings", -1, &statement,
                         nullptr) != SQLITE_OK)
    return sqliteError(path_, db_, "cannot count");
  int64_t rows = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : 0;
  sqlite3_finalize(statement);
  return rows;
}

} // namespace pyvc::agent
