// A SQLite VFS over another one (the default "unix" unless named) that reserves the disk blocks
// of the WAL's shared-memory file (-shm) before SQLite maps them. SQLite grows the -shm by writing
// one byte per 4 KiB page; on a file system with 1 KiB blocks that leaves holes, and the first
// store into a hole on a full disk kills the process with SIGBUS. Here a region that cannot be
// reserved fails the SQLite call with SQLITE_FULL instead.
#pragma once

#include "core/Result.h"

#include <string>

namespace pyvc::store {

// Registers (once per base VFS, thread-safe) and returns the name of the reserving VFS over
// `baseVfs` ("" = SQLite's default). Pass the name to sqlite3_open_v2.
Result<std::string> reservingShmVfs(const std::string &baseVfs);

} // namespace pyvc::store
