// Thin RAII owners for SQLite connections and prepared statements, and the one way the store
// turns a SQLite result code into an Error (never swallowed, always with SQLite's own message).
#pragma once

#include "core/Result.h"

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

namespace pyvc::store {

struct ConnectionCloser {
  void operator()(sqlite3 *connection) const { sqlite3_close_v2(connection); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt *statement) const { sqlite3_finalize(statement); }
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// "<what>: <sqlite message> (<result code name>)", e.g.
// "insert batch: database or disk is full (SQLITE_FULL)".
Error sqliteError(sqlite3 *connection, std::string_view what, int resultCode);

// Runs SQL that returns no rows (pragmas that do return a row are stepped through).
Result<void> execute(sqlite3 *connection, std::string_view sql);

Result<Statement> prepare(sqlite3 *connection, std::string_view sql);

// Runs a query whose first row's first column is an integer (PRAGMA page_count, COUNT(*)).
Result<int64_t> queryInteger(sqlite3 *connection, std::string_view sql);

} // namespace pyvc::store
