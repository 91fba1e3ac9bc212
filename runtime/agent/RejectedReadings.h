// RejectedReadings: the table where malformed readings are set aside — source, reason, detail
// and the raw input — in its own SQLite file (rejected.db), bounded to the newest N rows so that
// a flood of garbage cannot fill the disk.
#pragma once

#include "core/Result.h"
#include "ingest/Source.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace pyvc::agent {

// Not thread-safe: the commit thread owns it.
class RejectedReadings {
public:
  static Result<std::unique_ptr<RejectedReadings>>
  open(const std::filesystem::path &path, size_t maxRows, bool fullDurability);
  ~RejectedReadings();
  RejectedReadings(const RejectedReadings &) = delete;
  RejectedReadings &operator=(const RejectedReadings &) = delete;

  // Inserts in one transaction, then trims the table to the newest maxRows rows.
  // `sourceNames[r.source]` names each row's source.
  Result<void> insert(std::span<const ingest::RejectedReading> rejected,
                      std::span<const std::string> sourceNames, int64_t nowMs);
  Result<int64_t> count();

private:
  RejectedReadings() = default;
  Result<void> execute(const char *sql);
  sqlite3 *db_ = nullptr;
  sqlite3_stmt *insert_ = nullptr;
  sqlite3_stmt *trim_ = nullptr;
  size_t maxRows_ = 0;
  std::filesystem::path path_;
};

} // namespace pyvc::agent
