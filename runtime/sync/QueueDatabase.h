// QueueDatabase: the SQLite file under a SyncQueue. Opens it in WAL mode with the chosen
// durability, checks it, moves a corrupt file aside and starts fresh, creates the schema, and
// gives the queue cached prepared statements, write transactions and persistent counters.
#pragma once

#include "core/Result.h"
#include "store/CommitSidecar.h"
#include "sync/DiskReserve.h"
#include "sync/SyncQueue.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace pyvc::sync {

// Names of the rows of the `counters` table. Persistent, updated in the same transaction as the
// change they count, so a crash never lets a counter and the queue disagree.
namespace counter {
inline constexpr const char *QueuedBytes = "queued_bytes";
inline constexpr const char *QueuedItems = "queued_items";
inline constexpr const char *Acked = "acked";
inline constexpr const char *CorruptionRecoveries = "corruption_recoveries";
// Write transactions committed over the file's life (mirrored in the CommitSidecar), and the
// committed transactions found missing on open.
inline constexpr const char *Commits = "commits";
inline constexpr const char *LostCommits = "lost_commits";
const char *forDrop(DropReason reason); // "dropped.expired", ...
} // namespace counter

class QueueDatabase;

// A cached prepared statement, bound and stepped; reset when it goes out of scope so the next
// user finds it clean. Column getters are only valid after step() returned true.
class Query {
public:
  Query(QueueDatabase &database, sqlite3_stmt *statement);
  Query(Query &&other) noexcept;
  Query(const Query &) = delete;
  Query &operator=(const Query &) = delete;
  Query &operator=(Query &&) = delete;
  ~Query();

  Query &bind(int index, int64_t value);
  Query &bind(int index, std::string_view text);
  Query &bindBlob(int index, std::string_view bytes);
  Query &bindNull(int index);

  Result<bool> step();     // true: a row is available; false: done
  Result<void> run();      // steps to completion and resets, for statements without rows
  int64_t changes() const; // rows changed by the last run()

  int64_t int64At(int column) const;
  bool isNullAt(int column) const;
  std::string textAt(int column) const; // also reads blobs

private:
  QueueDatabase *database_;
  sqlite3_stmt *statement_;
};

class QueueDatabase {
public:
  // Opens options.path; a corrupt file is moved aside and replaced by a fresh one (logged on
  // stderr and counted) unless recoverCorruption is false, when its Error is returned.
  static Result<std::unique_ptr<QueueDatabase>> open(const QueueOptions &options,
                                                     bool recoverCorruption = true);
  // For a file SQLite reported corrupt while the queue was running: closes `damaged` without
  // checkpointing into it, moves the file aside with its -wal/-shm, logs `cause` on stderr and
  // opens a fresh file, counted like a recovery on open. An Error when any step fails (the
  // damaged connection is closed all the same).
  static Result<std::unique_ptr<QueueDatabase>>
  replaceCorrupt(std::unique_ptr<QueueDatabase> damaged, const QueueOptions &options,
                 const Error &cause);
  ~QueueDatabase();
  QueueDatabase(const QueueDatabase &) = delete;
  QueueDatabase &operator=(const QueueDatabase &) = delete;

  Result<Query> query(const char *sql); // prepared once per database, then reused
  Result<void> exec(const char *sql);

  // BEGIN IMMEDIATE: takes the write lock up front, so two processes never deadlock upgrading.
  Result<void> beginWrite();
  Result<void> commit();
  void rollback(); // best effort: used on an error path, whose error is the one reported

  Result<void> addToCounter(const char *name, int64_t delta);
  Result<int64_t> counterValue(const char *name);

  // An Error naming what failed, the file, and SQLite's message and code. Notes corruption.
  Error errorFor(std::string_view what) const;
  // Whether an error since the last call was SQLite reporting the file damaged
  // (SQLITE_CORRUPT, SQLITE_NOTADB); clears the note.
  bool takeCorruptionNote();
  // Whether the last failure was SQLite reporting a damaged file.
  bool lastErrorIsCorruption() const;
  // Whether the last failure was the disk (or max_page_count) being full.
  bool lastErrorIsDiskFull() const;
  // Whether an error since the last take was the disk (or max_page_count) being full; take
  // clears the note.
  bool diskFullNoted() const { return diskFullNoted_; }
  bool takeDiskFullNote();
  // Copies the WAL into the file and truncates the WAL to nothing (outside a transaction): after
  // a full disk, the space the WAL held goes back to the file system.
  Result<void> checkpointTruncate();
  DiskReserve &diskReserve() { return *reserve_; }
  // Gives the file's free pages back to the file system (incremental vacuum, then a TRUNCATE
  // checkpoint). False when there were none or it failed. For a full disk after draining.
  bool givePagesBack();
  // Whether no other SyncQueue had the file open when this one opened (see store::CommitSidecar).
  bool soleOpener() const { return sidecar_ && sidecar_->soleOpener(); }
  // An item id this transaction commits: the sidecar records the highest.
  void noteItemId(int64_t id) { highestId_ = std::max(highestId_, id); }
  // The max_page_count the database itself may use: maxPageCount minus the WAL's share.
  int64_t databasePageCap() const { return databasePageCap_; }
  int64_t lastInsertId() const;

  sqlite3 *handle() const { return db_; }
  const std::string &path() const { return path_; }

private:
  QueueDatabase(sqlite3 *db, std::string path) : db_(db), path_(std::move(path)) {}
  static Result<std::unique_ptr<QueueDatabase>> openOnce(const QueueOptions &options,
                                                         bool recoverCorruption, bool &diskFull);
  // Compares the file with its sidecar (lost commits are logged and counted, ids continue above
  // the highest committed one) and records the file's state in it.
  Result<void> checkAgainstSidecar();

  // After each commit: checkpoint every checkpointPages WAL pages, and start the kernel writing
  // the new WAL back in the meantime (see startWalWriteback).
  void watchWalCommits(int checkpointPages);
  static int onWalCommit(void *context, sqlite3 *db, const char *schema, int frames);
  void startWalWriteback(int frames);

  sqlite3 *db_;
  std::string path_;
  std::unordered_map<const char *, sqlite3_stmt *> statements_; // keyed by the SQL literal
  // Set by errorFor: the error paths roll back, which would clear SQLite's own error code.
  mutable bool corruptionNoted_ = false;
  int checkpointPages_ = 1000;
  int64_t pageSize_ = 4096;
  int walFd_ = -1;                    // our own descriptor of the -wal, for sync_file_range
  int64_t walFramesWrittenBack_ = 0;  // frames already handed to the kernel's writeback
  bool truncateAtCheckpoint_ = false; // under a page cap: the WAL shrinks at every checkpoint
  int64_t databasePageCap_ = 0;
  mutable bool diskFullNoted_ = false;
  std::unique_ptr<store::CommitSidecar> sidecar_;
  std::unique_ptr<DiskReserve> reserve_;
  int64_t highestId_ = 0;
  int64_t changesAtBegin_ = 0; // sqlite3_total_changes64 when the write transaction began
};

// Rolls back the write transaction it began unless commit() succeeded: every error path of a
// queue operation leaves the file as it was.
class WriteTransaction {
public:
  explicit WriteTransaction(QueueDatabase &database) : database_(database) {}
  ~WriteTransaction() {
    if (active_)
      database_.rollback();
  }
  WriteTransaction(const WriteTransaction &) = delete;
  WriteTransaction &operator=(const WriteTransaction &) = delete;

  Result<void> begin() {
    Result<void> began = database_.beginWrite();
    active_ = began.ok();
    return began;
  }
  Result<void> commit() {
    Result<void> committed = database_.commit();
    if (committed.ok())
      active_ = false;
    return committed;
  }

private:
  QueueDatabase &database_;
  bool active_ = false;
};

} // namespace pyvc::sync
