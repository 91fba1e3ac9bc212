// CommitSidecar: "<database>-sidecar", a 32-byte record next to a SQLite file of how far its
// owner knows it committed: the sync queue's write transactions and highest item id, the reading
// store's next sequence number. Kept outside the database and its WAL, so that a database
// emptied, truncated or missing WAL frames is noticed on open instead of starting silently with
// less. Its lock also tells an opener whether anyone else has the file open.
#pragma once

#include "core/Result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace pyvc::store {

struct CommitRecord {
  int64_t commits = 0;   // sync queue: write transactions committed; store: next sequence
  int64_t highestId = 0; // sync queue: highest item id ever committed; store: unused (0)
};

class CommitSidecar {
public:
  // Opens or creates the sidecar of the file at `databasePath` and takes a shared lock on it.
  // `owner` names the module in messages ("sync queue", "reading store").
  static Result<std::unique_ptr<CommitSidecar>> open(const std::string &databasePath,
                                                     const char *owner);
  ~CommitSidecar();
  CommitSidecar(const CommitSidecar &) = delete;
  CommitSidecar &operator=(const CommitSidecar &) = delete;

  static std::string pathFor(const std::string &databasePath) { return databasePath + "-sidecar"; }

  // What the file held when opened: nullopt for a new sidecar, or one whose record is torn or
  // damaged (its checksum fails; then nothing can be checked).
  const std::optional<CommitRecord> &recordedAtOpen() const { return recordedAtOpen_; }
  // Whether no other owner (in any process) had the file open when this one opened.
  bool soleOpener() const { return soleOpener_; }

  // Overwrites the record in place (no fsync: see docs/RUNTIME-sync.md, "No silent loss").
  // A failure is logged once per sidecar and otherwise ignored: the queue works without it.
  void record(const CommitRecord &record);

private:
  CommitSidecar(int fd, std::string path, const char *owner)
      : fd_(fd), path_(std::move(path)), owner_(owner) {}
  int fd_;
  std::string path_;
  const char *owner_;
  std::optional<CommitRecord> recordedAtOpen_;
  bool soleOpener_ = false;
  bool failureLogged_ = false;
};

} // namespace pyvc::store
