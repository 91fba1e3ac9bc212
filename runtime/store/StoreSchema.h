// The reading store's on-disk schema: creating it in a new file, checking an existing file's
// version, and migrating a version-1 (rowid table + index) or version-2 (one row per reading)
// file to version 3 (one row per sensor and commit group, ReadingBlock.h). The layout and why it
// is shaped so are in docs/RUNTIME-store.md.
#pragma once

#include "core/Result.h"
#include "store/ReadingBlock.h"

#include <sqlite3.h>

#include <cstdint>
#include <string_view>

namespace pyvc::store {

// The version this build writes and reads (PRAGMA user_version).
constexpr int64_t kSchemaVersion = 3;

// The one statement that writes a block (bound by insertBlock).
constexpr std::string_view kInsertBlockSql =
    "INSERT INTO reading_blocks (sensor_id, first_ms, first_sequence, last_ms, count, crc, blob) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

// Binds a block (its checksum computed here) to a kInsertBlockSql statement, steps it, and
// resets it. The blob is bound without a copy.
Result<void> insertBlock(sqlite3 *connection, sqlite3_stmt *insert, int64_t sensorId,
                         const BlockHeader &header, std::string_view blob);

// Must run before anything writes to the file (switching to WAL writes its first page): a new,
// empty file gets incremental auto-vacuum, which SQLite only accepts while the file is empty.
// An existing file keeps its mode.
Result<void> chooseVacuumModeOfNewFile(sqlite3 *connection);

// Brings the file behind `connection` to version kSchemaVersion: a new file gets the schema, a
// version-1 or version-2 file is migrated in one transaction (all or nothing; needs free disk
// space for a second copy of the readings while it runs), a file of any other version is refused
// with an error naming the versions. Returns how many readings a migration left out because
// their version-2 row checksum no longer matched (each logged on stderr).
Result<int64_t> prepareSchema(sqlite3 *connection);

} // namespace pyvc::store
