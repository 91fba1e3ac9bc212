// The version-1 reading store's insert path (a rowid table plus a (sensor, time) index, rows
// inserted in the caller's order), rebuilt on raw SQLite so the bench can put the old layout
// and the current one side by side in one run. Not used by the product.
#pragma once

#include "core/Reading.h"
#include "core/Result.h"

#include <filesystem>
#include <memory>
#include <span>

namespace pyvc::bench {

class Version1Baseline {
public:
  static Result<std::unique_ptr<Version1Baseline>> open(const std::filesystem::path &path);
  ~Version1Baseline();
  // As version 1's ReadingStore::insertBatch: BEGIN IMMEDIATE, one statement per row, COMMIT.
  Result<void> insertBatch(std::span<const Reading> readings);
  Result<int64_t> databaseBytes();

private:
  struct State;
  Version1Baseline();
  std::unique_ptr<State> state_;
};

} // namespace pyvc::bench
