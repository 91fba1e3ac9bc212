// The reading store's on-disk schema: creating it in a new file, checking an existing file's
// version, and migrating a version-1 file (rowid table + index) to version 2 (one clustered
// B-tree). The layout and why it is shaped so are in docs/RUNTIME-store.md.
#pragma once

#include "core/Result.h"

#include <sqlite3.h>

#include <cstdint>

namespace pyvc::store {

// The version this build writes and reads (PRAGMA user_version).
constexpr int64_t kSchemaVersion = 2;

// Must run before anything writes to the file (switching to WAL writes its first page): a new,
// empty file gets incremental auto-vacuum, which SQLite only accepts while the file is empty.
// An existing file keeps its mode.
Result<void> chooseVacuumModeOfNewFile(sqlite3 *connection);

// Brings the file behind `connection` to version kSchemaVersion: a new file gets the schema, a
// version-1 file is migrated in one transaction (all or nothing; needs free disk space for a second
// copy of the readings while it runs), a file of any other version is refused with an error naming
// both versions.
Result<void> prepareSchema(sqlite3 *connection);

// Adds readings.crc (a CRC32C of the row, see ReadingStore.cpp) to a file made without it. The
// schema version stays 2: the column is nullable, rows written before (or by an older build,
// which names its columns) have NULL and are read as unverified.
Result<void> addRowChecksums(sqlite3 *connection);

} // namespace pyvc::store
