// CommitSidecar: "<queue>-sidecar", a 32-byte record next to the queue file of how many write
// transactions the queue committed and the highest item id it handed out. Kept outside the
// database and its WAL, so that a database emptied, truncated or missing WAL frames is noticed on
// open instead of starting silently with less. Its lock also tells an opener whether any other
// SyncQueue has the file open (then leases may be live).
#pragma once

#include "core/Result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace pyvc::sync {

struct CommitRecord {
  int64_t commits = 0;   // write transactions committed over the file's life
  int64_t highestId = 0; // highest item id ever committed
};

class CommitSidecar {
public:
  // Opens or creates the sidecar of the queue at `databasePath` and takes a shared lock on it.
  static Result<std::unique_ptr<CommitSidecar>> open(const std::string &databasePath);
  ~CommitSidecar();
  CommitSidecar(const CommitSidecar &) = delete;
  CommitSidecar &operator=(const CommitSidecar &) = delete;

  static std::string pathFor(const std::string &databasePath) { return databasePath + "-sidecar"; }

  // What the file held when opened: nullopt for a new sidecar, or one whose record is torn or
  // damaged (its checksum fails; then nothing can be checked).
  const std::optional<CommitRecord> &recordedAtOpen() const { return recordedAtOpen_; }
  // Whether no other SyncQueue (in any process) had the queue open when this one opened.
  bool soleOpener() const { return soleOpener_; }

  // Overwrites the record in place (no fsync: see docs/RUNTIME-sync.md, "No silent loss").
  // A failure is logged once per sidecar and otherwise ignored: the queue works without it.
  void record(const CommitRecord &record);

private:
  CommitSidecar(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  std::optional<CommitRecord> recordedAtOpen_;
  bool soleOpener_ = false;
  bool failureLogged_ = false;
};

} // namespace pyvc::sync
