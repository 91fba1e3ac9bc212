// SQLite helpers shared by the reading store: errors with SQLite's message, one-shot execution.
#include "store/SqliteHandle.h"

namespace pyvc::store {

Error sqliteError(sqlite3 *connection, std::string_view what, int resultCode) {
  // The connection's message describes the latest failure only if it matches this code.
  bool connectionKnowsWhy = connection && (sqlite3_extended_errcode(connection) == resultCode ||
                                           sqlite3_errcode(connection) == resultCode);
  std::string message =
      connectionKnowsWhy ? sqlite3_errmsg(connection) : sqlite3_errstr(resultCode);
  std::string codeName;
  switch (resultCode & 0xFF) {
  case SQLITE_FULL:
    codeName = "SQLITE_FULL";
    break;
  case SQLITE_BUSY:
    codeName = "SQLITE_BUSY";
    break;
  case SQLITE_CORRUPT:
    codeName = "SQLITE_CORRUPT";
    break;
  case SQLITE_NOTADB:
    codeName = "SQLITE_NOTADB";
    break;
  case SQLITE_IOERR:
    codeName = "SQLITE_IOERR";
    break;
  case SQLITE_CANTOPEN:
    codeName = "SQLITE_CANTOPEN";
    break;
  case SQLITE_READONLY:
    codeName = "SQLITE_READONLY";
    break;
  default:
    codeName = "SQLite code " + std::to_string(resultCode);
  }
  return makeError(std::string(what) + ": " + message + " (" + codeName + ")");
}

Result<Statement> prepare(sqlite3 *connection, std::string_view sql) {
  sqlite3_stmt *raw = nullptr;
  int code = sqlite3_prepare_v3(connection, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &raw, nullptr);
  Statement statement(raw);
  if (code != SQLITE_OK)
    return sqliteError(connection, "prepare `" + std::string(sql) + "`", code);
  return statement;
}

Result<void> execute(sqlite3 *connection, std::string_view sql) {
  Result<Statement> statement = prepare(connection, sql);
  if (!statement)
    return statement.error();
  int code;
  while ((code = sqlite3_step(statement->get())) == SQLITE_ROW) {
  }
  if (code != SQLITE_DONE)
    return sqliteError(connection, std::string(sql), code);
  return {};
}

Result<int64_t> queryInteger(sqlite3 *connection, std::string_view sql) {
  Result<Statement> statement = prepare(connection, sql);
  if (!statement)
    return statement.error();
  int code = sqlite3_step(statement->get());
  if (code == SQLITE_DONE)
    return makeError(std::string(sql) + ": returned no row");
  if (code != SQLITE_ROW)
    return sqliteError(connection, std::string(sql), code);
  return int64_t(sqlite3_column_int64(statement->get(), 0));
}

} // namespace pyvc::store
