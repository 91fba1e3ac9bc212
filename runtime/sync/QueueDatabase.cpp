// QueueDatabase: opening the queue's SQLite file (pragmas, integrity check, corruption recovery,
// schema) and the small statement/transaction/counter layer SyncQueue is written on.
#include "sync/QueueDatabase.h"

#include "store/ReservingShmVfs.h"

#include <sqlite3.h>

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::sync {

const char *counter::forDrop(DropReason reason) {
  switch (reason) {
  case DropReason::Expired:
    return "dropped.expired";
  case DropReason::DeadLetter:
    return "dropped.dead_letter";
  case DropReason::Evicted:
    return "dropped.evicted";
  case DropReason::TooLarge:
    return "dropped.too_large";
  case DropReason::Corrupt:
    return "dropped.corrupt";
  case DropReason::QueueFull:
    return "dropped.queue_full";
  }
  assert(false && "unknown DropReason");
  return "dropped.unknown";
}

namespace {

// Schema version 2 (version 1 plus payloads.crc, see addPayloadChecksums). Items without a TTL have
// expires_at = INT64_MAX and stay out of the expiry index (queries repeat its condition so SQLite
// can use it). `items` holds everything not yet delivered. An item is
//   fresh       batch_id IS NULL (never dequeued; always deliverable);
//   leased      batch_id set, lease_until > now;
//   backing off batch_id set, lease expired, next_attempt_at > now;
//   ready again batch_id set, lease expired, next_attempt_at <= now: re-delivered whole, under
//               the same batch_id (the receiver's idempotency key).
// Payloads live in their own table, keyed by the item id: leasing and nacking rewrite only the
// small `items` rows, not the payload pages. queued_bytes/queued_items are kept by the queue in
// the same transaction as each change (ItemRemoval.cpp and enqueueBatch), not by triggers, which
// cost a quarter of enqueue's CPU.
constexpr const char *SchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');
CREATE TABLE IF NOT EXISTS items(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  size INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  enqueued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER NOT NULL DEFAULT 0,
  backoff_level INTEGER NOT NULL DEFAULT 0,
  batch_id TEXT);
CREATE TABLE IF NOT EXISTS payloads(id INTEGER PRIMARY KEY, payload BLOB NOT NULL, crc INTEGER);
CREATE INDEX IF NOT EXISTS items_fresh_by_priority ON items(priority DESC, id)
  WHERE batch_id IS NULL;
CREATE INDEX IF NOT EXISTS items_by_batch ON items(batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_by_expiry ON items(expires_at)
  WHERE expires_at < 9223372036854775807;
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY,
  payload BLOB NOT NULL,
  priority INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,
  batch_id TEXT,
  reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL)
  WITHOUT ROWID;
INSERT OR IGNORE INTO counters(name, value) VALUES
  ('queued_bytes', 0), ('queued_items', 0), ('acked', 0), ('corruption_recoveries', 0),
  ('dropped.expired', 0), ('dropped.dead_letter', 0), ('dropped.evicted', 0),
  ('dropped.too_large', 0), ('dropped.corrupt', 0), ('dropped.queue_full', 0), ('commits', 0),
  ('lost_commits', 0);
)sql";

bool isCorruptionCode(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Error sqliteError(sqlite3 *db, std::string_view what, const std::string &path) {
  const char *message = db ? sqlite3_errmsg(db) : "out of memory";
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  return makeError("sync queue: " + std::string(what) + " on " + path + ": " + message +
                   " (sqlite code " + std::to_string(code) + ")");
}

// Why an open attempt failed: corruption is recovered by moving the file aside; anything else
// (permissions, a missing directory, a locked file) is the caller's to see.
struct OpenFailure {
  Error error;
  bool corruption;
  sqlite3 *connection = nullptr; // still open on the corrupt file, see openConnection
  bool diskFull = false;
};

// How the page cap is shared between the database and its WAL: the WAL gets an eighth (at least
// 16 pages), checkpointed at half of it, and the database max_page_count the rest, so the two
// together stay within maxPageCount (docs/RUNTIME-sync.md, "Disk footprint").
struct WalPlan {
  int checkpointPages;
  int64_t databasePageCap; // 0: no cap
};

WalPlan walPlanFor(const QueueOptions &options) {
  if (options.maxPageCount <= 0)
    return {options.checkpointPages, 0};
  int64_t walShare = std::max<int64_t>(16, options.maxPageCount / 8);
  int64_t checkpoint =
      std::min<int64_t>(options.checkpointPages, std::max<int64_t>(8, walShare / 2));
  return {static_cast<int>(checkpoint), std::max<int64_t>(1, options.maxPageCount - walShare)};
}

// The drain reserve must cover what a checkpoint after a full disk may add to the database (one
// checkpoint interval of WAL pages, all new) and a few drain transactions' WAL frames: less, and
// the checkpoint cannot finish, the WAL cannot restart, and draining wedges.
int64_t reserveBytesFor(const QueueOptions &options) {
  if (options.diskReserveBytes <= 0)
    return 0;
  int64_t interval = int64_t(walPlanFor(options).checkpointPages + 32) * (options.pageSize + 24);
  return std::max<int64_t>(options.diskReserveBytes, interval + 32 * 1024);
}

// Version 1 files have no payloads.crc: the column is added, and their rows keep a NULL checksum,
// which dequeue treats as unverified but valid (computing one now would only vouch for bytes
// that may already be damaged). Every payload enqueued from now on carries one.
bool addPayloadChecksums(sqlite3 *db) {
  sqlite3_stmt *columns = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM pragma_table_info('payloads') WHERE name='crc'",
                         -1, &columns, nullptr) != SQLITE_OK)
    return false;
  bool present = sqlite3_step(columns) == SQLITE_ROW && sqlite3_column_int(columns, 0) > 0;
  sqlite3_finalize(columns);
  if (present)
    return true;
  return sqlite3_exec(db,
                      "BEGIN IMMEDIATE; ALTER TABLE payloads ADD COLUMN crc INTEGER; "
                      "UPDATE meta SET value = '2' WHERE key = 'schema_version'; COMMIT",
                      nullptr, nullptr, nullptr) == SQLITE_OK;
}

// Applies the pragmas and the schema, and checks the file. Returns the failure, if any.
std::optional<OpenFailure> prepareConnection(sqlite3 *db, const QueueOptions &options) {
  auto fail = [&](std::string_view what) {
    int code = sqlite3_extended_errcode(db);
    return OpenFailure{sqliteError(db, what, options.path), isCorruptionCode(code), nullptr,
                       (code & 0xff) == SQLITE_FULL};
  };
  // Another process (a second queue user) may hold the write lock for a moment.
  sqlite3_busy_timeout(db, 10000);
  // journal_mode reads the header: the first place a non-database file shows itself.
  // page_size only takes effect on a new, empty file (see QueueOptions::pageSize).
  std::string pageSizePragma = "PRAGMA page_size=" + std::to_string(options.pageSize);
  if (sqlite3_exec(db, pageSizePragma.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("setting the page size");
  // A new file gets incremental auto-vacuum (SQLite takes it only before the first write): after
  // a full disk, pages freed by draining can go back to the file system (see
  // QueueDatabase::givePagesBack). Files made before keep their mode.
  if (sqlite3_exec(db, "PRAGMA auto_vacuum", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("reading the header");
  {
    sqlite3_stmt *pages = nullptr;
    bool empty = sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &pages, nullptr) == SQLITE_OK &&
                 sqlite3_step(pages) == SQLITE_ROW && sqlite3_column_int64(pages, 0) == 0;
    sqlite3_finalize(pages);
    if (empty &&
        sqlite3_exec(db, "PRAGMA auto_vacuum=INCREMENTAL", nullptr, nullptr, nullptr) != SQLITE_OK)
      return fail("choosing incremental auto-vacuum");
  }
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("setting WAL mode");
  std::string durability = options.durability == Durability::Full ? "PRAGMA synchronous=FULL"
                                                                  : "PRAGMA synchronous=NORMAL";
  // secure_delete=ON: a payload deleted (acked, expired, evicted) is overwritten with zeros, in
  // its page and in pages that go to the free list, so what left the queue does not linger on
  // the card. FAST would leave the pages freed whole as they were: measured, 47 of 200 deleted
  // 1 KB payloads were still readable in the file (docs/RUNTIME-sync.md, "secure_delete").
  // The WAL is kept to one checkpoint interval's size after a burst.
  WalPlan plan = walPlanFor(options);
  int64_t walBytesKept = int64_t(plan.checkpointPages) * (options.pageSize + 24) + 32;
  std::string pragmas = durability +
                        "; PRAGMA wal_autocheckpoint=" + std::to_string(plan.checkpointPages) +
                        "; PRAGMA journal_size_limit=" + std::to_string(walBytesKept) +
                        "; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY; "
                        "PRAGMA secure_delete=ON";
  if (plan.databasePageCap > 0)
    pragmas += "; PRAGMA max_page_count=" + std::to_string(plan.databasePageCap);
  if (sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("setting pragmas");

  if (options.quickCheckOnOpen) {
    sqlite3_stmt *check = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &check, nullptr) != SQLITE_OK)
      return fail("preparing quick_check");
    int code = sqlite3_step(check);
    std::string verdict =
        code == SQLITE_ROW ? reinterpret_cast<const char *>(sqlite3_column_text(check, 0)) : "";
    sqlite3_finalize(check);
    if (code != SQLITE_ROW)
      return fail("running quick_check");
    if (verdict != "ok")
      return OpenFailure{
          makeError("sync queue: quick_check on " + options.path + " failed: " + verdict), true};
  }
  if (sqlite3_exec(db, SchemaSql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("creating the schema");
  if (!addPayloadChecksums(db)) {
    OpenFailure failure = fail("adding payload checksums to a version 1 file");
    if (!sqlite3_get_autocommit(db))
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return failure;
  }
  // Eviction walks items by (priority, id); the index costs every enqueue ~10% of its CPU, so
  // it exists only once a byte cap has been asked for (and then stays).
  if (options.maxBytes > 0 &&
      sqlite3_exec(db, "CREATE INDEX IF NOT EXISTS items_by_eviction_order ON items(priority, id)",
                   nullptr, nullptr, nullptr) != SQLITE_OK)
    return fail("creating the eviction index");
  return std::nullopt;
}

std::string utcTimestampNow() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

bool fileExists(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0;
}

// Moves "<path>", "<path>-wal" and "<path>-shm" to "<path>.corrupt-<timestamp>[-n]..." so an
// operator can examine them, and the next open starts from nothing.
Result<std::string> moveCorruptFileAside(const std::string &path) {
  std::string aside = path + ".corrupt-" + utcTimestampNow();
  for (int suffix = 1; fileExists(aside); ++suffix)
    aside = path + ".corrupt-" + utcTimestampNow() + "-" + std::to_string(suffix);
  for (const char *extension : {"", "-wal", "-shm", "-sidecar"}) {
    std::string from = path + extension;
    if (!fileExists(from))
      continue;
    if (std::rename(from.c_str(), (aside + extension).c_str()) != 0)
      return makeError("sync queue: cannot move corrupt " + from +
                       " aside: " + std::strerror(errno));
  }
  return aside;
}

Result<sqlite3 *> openConnection(const QueueOptions &options, const std::string &vfs,
                                 std::optional<OpenFailure> &failure) {
  sqlite3 *db = nullptr;
  int code = sqlite3_open_v2(options.path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             vfs.c_str());
  if (code != SQLITE_OK) {
    Error error = sqliteError(db, "opening", options.path);
    bool corruption = isCorruptionCode(code);
    sqlite3_close(db);
    failure = OpenFailure{error, corruption, nullptr, (code & 0xff) == SQLITE_FULL};
    if (!corruption)
      return error;
    return static_cast<sqlite3 *>(nullptr);
  }
  sqlite3_extended_result_codes(db, 1);
  failure = prepareConnection(db, options);
  if (!failure)
    return db;
  if (!failure->corruption) {
    sqlite3_close(db);
    return failure->error;
  }
  // Left open on purpose: closing would delete a -wal SQLite cannot use, and the operator
  // should get it with the rest. The caller closes it once the files are moved aside.
  failure->connection = db;
  return static_cast<sqlite3 *>(nullptr);
}

} // namespace

namespace {

// The file is damaged. Its contents are unrecoverable by us; keep them for the operator and
// start a fresh queue, once: if the fresh file fails too, report it (never a crash loop).
// `damaged` is the connection still open on the file (or null); it is closed here, after the
// move, without the checkpoint a close would otherwise write into the damaged file.
Result<std::unique_ptr<QueueDatabase>> startFreshAfterCorruption(const QueueOptions &options,
                                                                 const Error &cause,
                                                                 sqlite3 *damaged,
                                                                 const char *when) {
  if (damaged)
    sqlite3_db_config(damaged, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  Result<std::string> aside = moveCorruptFileAside(options.path);
  sqlite3_close(damaged);
  if (!aside)
    return aside.error();
  std::fprintf(stderr,
               "pyvc sync queue: CORRUPT queue file %s %s (%s); moved aside to %s, starting an "
               "empty queue\n",
               options.path.c_str(), when, cause.message.c_str(), aside->c_str());
  Result<std::unique_ptr<QueueDatabase>> fresh = QueueDatabase::open(options, false);
  if (!fresh)
    return fresh.error();
  if (Result<void> counted =
          (*fresh)->exec("UPDATE counters SET value = value + 1 "
                         "WHERE name IN ('corruption_recoveries', 'dropped.corrupt')");
      !counted)
    return counted.error();
  return fresh;
}

} // namespace

Result<std::unique_ptr<QueueDatabase>> QueueDatabase::open(const QueueOptions &options,
                                                           bool recoverCorruption) {
  bool diskFull = false;
  Result<std::unique_ptr<QueueDatabase>> opened = openOnce(options, recoverCorruption, diskFull);
  if (opened || !diskFull)
    return opened;
  // A disk too full for even the -shm or the first WAL frames: the drain reserve is for this.
  DiskReserve(options.path, reserveBytesFor(options)).release("on open");
  return openOnce(options, recoverCorruption, diskFull);
}

namespace {

// -1 when the file does not exist.
int64_t fileSizeOf(const std::string &path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<int64_t>(info.st_size) : -1;
}

} // namespace

Result<std::unique_ptr<QueueDatabase>>
QueueDatabase::openOnce(const QueueOptions &options, bool recoverCorruption, bool &diskFull) {
  diskFull = false;
  Result<std::string> vfs = store::reservingShmVfs(options.sqliteVfs);
  if (!vfs)
    return makeError("sync queue: " + vfs.error().message);
  Result<std::unique_ptr<store::CommitSidecar>> sidecar =
      store::CommitSidecar::open(options.path, "sync queue");
  if (!sidecar)
    return sidecar.error();
  // A queue used to be here (its sidecar counted commits) but the file is gone or empty: what
  // it held is lost, which is reported like any other corruption, never a silent empty queue.
  const std::optional<store::CommitRecord> &recorded = (*sidecar)->recordedAtOpen();
  if (int64_t size = fileSizeOf(options.path); recorded && recorded->commits > 0 && size <= 0) {
    Error cause = makeError(
        "sync queue: " + options.path + (size < 0 ? " is missing" : " is empty") +
        " but its sidecar records " + std::to_string(recorded->commits) +
        " committed transactions (item ids up to " + std::to_string(recorded->highestId) + ")");
    sidecar->reset();
    if (!recoverCorruption)
      return cause;
    return startFreshAfterCorruption(options, cause, nullptr, "on open");
  }
  std::optional<OpenFailure> failure;
  Result<sqlite3 *> db = openConnection(options, *vfs, failure);
  if (!db) {
    diskFull = failure && failure->diskFull;
    return db.error();
  }
  if (*db) {
    auto database = std::unique_ptr<QueueDatabase>(new QueueDatabase(*db, options.path));
    // The -wal and -shm stay when the last connection closes (the WAL emptied, see
    // journal_size_limit): the next open finds the -shm's blocks its own and needs no free space.
    int persist = 1;
    sqlite3_file_control(*db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    database->sidecar_ = std::move(*sidecar);
    database->reserve_ = std::make_unique<DiskReserve>(options.path, reserveBytesFor(options));
    database->reserve_->restore();
    WalPlan plan = walPlanFor(options);
    database->truncateAtCheckpoint_ = plan.databasePageCap > 0;
    database->databasePageCap_ = plan.databasePageCap;
    database->watchWalCommits(plan.checkpointPages);
    if (Result<void> checked = database->checkAgainstSidecar(); !checked) {
      diskFull = database->diskFullNoted();
      return checked.error();
    }
    return database;
  }
  sidecar->reset();
  if (!recoverCorruption) {
    sqlite3_close(failure->connection);
    return failure->error;
  }
  return startFreshAfterCorruption(options, failure->error, failure->connection, "on open");
}

Result<std::unique_ptr<QueueDatabase>>
QueueDatabase::replaceCorrupt(std::unique_ptr<QueueDatabase> damaged, const QueueOptions &options,
                              const Error &cause) {
  // Statements first: a connection with live statements does not close.
  sqlite3 *connection = damaged->db_;
  for (auto &[sql, statement] : damaged->statements_)
    sqlite3_finalize(statement);
  damaged->statements_.clear();
  damaged->db_ = nullptr;
  damaged.reset();
  return startFreshAfterCorruption(options, cause, connection, "while running");
}

Result<void> QueueDatabase::checkAgainstSidecar() {
  Result<int64_t> commits = counterValue(counter::Commits);
  if (!commits)
    return commits.error();
  int64_t fileHighest = 0;
  {
    Result<Query> sequence = query("SELECT seq FROM sqlite_sequence WHERE name = 'items'");
    if (!sequence)
      return sequence.error();
    Result<bool> row = sequence->step();
    if (!row)
      return row.error();
    if (*row)
      fileHighest = sequence->int64At(0);
  }
  highestId_ = fileHighest;
  const std::optional<store::CommitRecord> &recorded = sidecar_->recordedAtOpen();
  if (!recorded || recorded->commits <= *commits) {
    sidecar_->record({*commits, highestId_});
    return {};
  }
  // Committed transactions are missing: SQLite's WAL recovery stops at the first frame whose
  // checksum fails and silently drops the rest, and a power cut under Normal durability loses
  // what was committed since the last checkpoint.
  int64_t lost = recorded->commits - *commits;
  std::fprintf(stderr,
               "pyvc sync queue: LOST COMMITS in %s: its sidecar records %lld committed "
               "transactions (item ids up to %lld), the file holds %lld (ids up to %lld); %lld "
               "transactions were lost from the WAL\n",
               path_.c_str(), static_cast<long long>(recorded->commits),
               static_cast<long long>(recorded->highestId), static_cast<long long>(*commits),
               static_cast<long long>(fileHighest), static_cast<long long>(lost));
  WriteTransaction transaction(*this);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  if (Result<void> counted = addToCounter(counter::LostCommits, lost); !counted)
    return counted.error();
  // Ids continue above every id ever handed out: a consumer may still hold a lost one.
  if (recorded->highestId > fileHighest) {
    highestId_ = recorded->highestId;
    if (Result<void> cleared = exec("DELETE FROM sqlite_sequence WHERE name = 'items'"); !cleared)
      return cleared.error();
    Result<Query> insert = query("INSERT INTO sqlite_sequence(name, seq) VALUES ('items', ?1)");
    if (!insert)
      return insert.error();
    if (Result<void> ran = insert->bind(1, recorded->highestId).run(); !ran)
      return ran.error();
  }
  return transaction.commit();
}

QueueDatabase::~QueueDatabase() {
  for (auto &[sql, statement] : statements_)
    sqlite3_finalize(statement);
  sqlite3_close(db_);
  if (walFd_ >= 0)
    ::close(walFd_);
}

// --- WAL writeback ----------------------------------------------------------------------------

namespace {

constexpr int64_t WalHeaderBytes = 32, WalFrameHeaderBytes = 24;
// How much new WAL is handed to the kernel's writeback at a time: large enough that the
// partially filled page at the tail is rarely written twice, small enough to start early.
constexpr int64_t WritebackStepBytes = 1 << 20;
constexpr int64_t OsPageBytes = 4096;

} // namespace

void QueueDatabase::watchWalCommits(int checkpointPages) {
  checkpointPages_ = checkpointPages;
  sqlite3_stmt *pageSize = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA page_size", -1, &pageSize, nullptr) == SQLITE_OK &&
      sqlite3_step(pageSize) == SQLITE_ROW)
    pageSize_ = sqlite3_column_int64(pageSize, 0);
  sqlite3_finalize(pageSize);
  // Replaces SQLite's wal_autocheckpoint hook, so onWalCommit checkpoints as that one did.
  sqlite3_wal_hook(db_, onWalCommit, this);
}

int QueueDatabase::onWalCommit(void *context, sqlite3 *db, const char *schema, int frames) {
  auto *self = static_cast<QueueDatabase *>(context);
  if (frames >= self->checkpointPages_) {
    // What SQLite's own hook does; a checkpoint that cannot finish now is retried next commit.
    // Under a page cap the WAL is also truncated, so its share of the cap is given back.
    sqlite3_wal_checkpoint_v2(db, schema,
                              self->truncateAtCheckpoint_ ? SQLITE_CHECKPOINT_TRUNCATE
                                                          : SQLITE_CHECKPOINT_PASSIVE,
                              nullptr, nullptr);
    self->walFramesWrittenBack_ = 0;
    return SQLITE_OK;
  }
  self->startWalWriteback(frames);
  return SQLITE_OK;
}

// Under NORMAL the WAL reaches the disk only when the next checkpoint fsyncs it, and the
// enqueue that triggers the checkpoint waits for all of it. Starting the kernel's writeback of
// each megabyte as it is committed (sync_file_range without waiting) lets the disk work while
// the queue does, so that fsync finds little left. It changes no durability promise: data only
// reaches the disk sooner.
void QueueDatabase::startWalWriteback(int frames) {
  if (frames < walFramesWrittenBack_) // the WAL restarted from its beginning
    walFramesWrittenBack_ = 0;
  int64_t frameBytes = WalFrameHeaderBytes + pageSize_;
  int64_t start = (WalHeaderBytes + walFramesWrittenBack_ * frameBytes) & ~(OsPageBytes - 1);
  int64_t end = (WalHeaderBytes + int64_t(frames) * frameBytes) & ~(OsPageBytes - 1);
  if (end - start < WritebackStepBytes)
    return;
  if (walFd_ < 0)
    walFd_ = ::open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
  if (walFd_ < 0)
    return; // only an optimisation: without it the checkpoint's fsync does all the work
  ::sync_file_range(walFd_, start, end - start, SYNC_FILE_RANGE_WRITE);
  walFramesWrittenBack_ = frames;
}

Result<Query> QueueDatabase::query(const char *sql) {
  auto cached = statements_.find(sql);
  if (cached != statements_.end())
    return Query(*this, cached->second);
  sqlite3_stmt *statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
    return errorFor(std::string("preparing `") + sql + "`");
  statements_.emplace(sql, statement);
  return Query(*this, statement);
}

Result<void> QueueDatabase::exec(const char *sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return errorFor(std::string("running `") + sql + "`");
  return {};
}

// Prepared once like every other statement: sqlite3_exec would parse them on every operation.
Result<void> QueueDatabase::beginWrite() {
  Result<Query> begin = query("BEGIN IMMEDIATE");
  if (!begin)
    return begin.error();
  changesAtBegin_ = sqlite3_total_changes64(db_);
  return begin->run();
}

// Every write transaction that changed something counts itself, and once committed the count
// goes to the sidecar. One that changed nothing writes nothing: an open or a stats() on a full
// disk needs no room.
Result<void> QueueDatabase::commit() {
  int64_t commits = 0;
  bool changed = sqlite3_total_changes64(db_) != changesAtBegin_;
  if (changed) {
    Result<Query> bump =
        query("UPDATE counters SET value = value + 1 WHERE name = 'commits' RETURNING value");
    if (!bump)
      return bump.error();
    Result<bool> row = bump->step();
    if (!row)
      return row.error();
    commits = *row ? bump->int64At(0) : 0;
  }
  Result<Query> commit = query("COMMIT");
  if (!commit)
    return commit.error();
  if (Result<void> ran = commit->run(); !ran)
    return ran;
  if (sidecar_ && changed)
    sidecar_->record({commits, highestId_});
  return {};
}

Result<void> QueueDatabase::checkpointTruncate() {
  int code = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (code != SQLITE_OK)
    return errorFor("checkpointing (TRUNCATE)");
  walFramesWrittenBack_ = 0;
  return {};
}

bool QueueDatabase::givePagesBack() {
  sqlite3_stmt *freePages = nullptr;
  bool some =
      sqlite3_prepare_v2(db_, "PRAGMA freelist_count", -1, &freePages, nullptr) == SQLITE_OK &&
      sqlite3_step(freePages) == SQLITE_ROW && sqlite3_column_int64(freePages, 0) > 0;
  sqlite3_finalize(freePages);
  if (!some)
    return false;
  // Only files with incremental auto-vacuum shrink; on others this is a no-op.
  if (sqlite3_exec(db_, "PRAGMA incremental_vacuum", nullptr, nullptr, nullptr) != SQLITE_OK)
    return false;
  return checkpointTruncate().ok();
}

bool QueueDatabase::takeDiskFullNote() {
  bool noted = diskFullNoted_;
  diskFullNoted_ = false;
  return noted;
}

void QueueDatabase::rollback() {
  // A failed COMMIT (disk full, I/O error) may already have rolled back.
  if (!sqlite3_get_autocommit(db_))
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<void> QueueDatabase::addToCounter(const char *name, int64_t delta) {
  if (delta == 0)
    return {};
  Result<Query> update = query("UPDATE counters SET value = value + ?1 WHERE name = ?2");
  if (!update)
    return update.error();
  return update->bind(1, delta).bind(2, std::string_view(name)).run();
}

Result<int64_t> QueueDatabase::counterValue(const char *name) {
  Result<Query> select = query("SELECT value FROM counters WHERE name = ?1");
  if (!select)
    return select.error();
  select->bind(1, std::string_view(name));
  Result<bool> row = select->step();
  if (!row)
    return row.error();
  return *row ? select->int64At(0) : 0;
}

Error QueueDatabase::errorFor(std::string_view what) const {
  if (lastErrorIsCorruption())
    corruptionNoted_ = true;
  if (lastErrorIsDiskFull())
    diskFullNoted_ = true;
  return sqliteError(db_, what, path_);
}

bool QueueDatabase::takeCorruptionNote() {
  bool noted = corruptionNoted_;
  corruptionNoted_ = false;
  return noted;
}

bool QueueDatabase::lastErrorIsCorruption() const {
  return isCorruptionCode(sqlite3_extended_errcode(db_));
}

bool QueueDatabase::lastErrorIsDiskFull() const {
  return (sqlite3_extended_errcode(db_) & 0xff) == SQLITE_FULL;
}

int64_t QueueDatabase::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }

// --- Query ------------------------------------------------------------------------------------

Query::Query(QueueDatabase &database, sqlite3_stmt *statement)
    : database_(&database), statement_(statement) {}

Query::Query(Query &&other) noexcept : database_(other.database_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

Query::~Query() {
  if (!statement_)
    return;
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Query &Query::bind(int index, int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Query &Query::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

Query &Query::bindBlob(int index, std::string_view bytes) {
  // SQLITE_STATIC: the caller's bytes outlive the step that reads them (bound, then run).
  sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return *this;
}

Query &Query::bindNull(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

Result<bool> Query::step() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW)
    return true;
  if (code == SQLITE_DONE)
    return false;
  Error error = database_->errorFor(std::string("running `") + sqlite3_sql(statement_) + "`");
  sqlite3_reset(statement_);
  return error;
}

Result<void> Query::run() {
  for (;;) {
    Result<bool> row = step();
    if (!row)
      return row.error();
    if (!*row)
      break;
  }
  // Ready to be bound and run again, as statements in a loop are.
  sqlite3_reset(statement_);
  return {};
}

int64_t Query::changes() const { return sqlite3_changes64(database_->handle()); }

int64_t Query::int64At(int column) const { return sqlite3_column_int64(statement_, column); }

bool Query::isNullAt(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string Query::textAt(int column) const {
  const void *bytes = sqlite3_column_blob(statement_, column);
  int size = sqlite3_column_bytes(statement_, column);
  return bytes ? std::string(static_cast<const char *>(bytes), static_cast<size_t>(size))
               : std::string();
}

} // namespace pyvc::sync
