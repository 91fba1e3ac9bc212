// SyncQueue: enqueue, batch dequeue with leases and anti-starvation age turns, ack, nack with
// full-jitter backoff, dead letters, TTL expiry and the byte cap's eviction. Every operation is
// one SQLite transaction, so a crash at any instant leaves the queue as before or as after it.
#include "sync/SyncQueue.h"

#include "sync/Backoff.h"
#include "sync/BatchSelection.h"
#include "sync/ItemRemoval.h"
#include "sync/QueueDatabase.h"

#include "store/Crc32c.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <limits>
#include <random>

namespace pyvc::sync {

const char *dropReasonName(DropReason reason) {
  // counter::forDrop gives "dropped.<name>"; the name alone is what metrics print.
  return counter::forDrop(reason) + sizeof("dropped.") - 1;
}

namespace {

constexpr int64_t NeverExpires = std::numeric_limits<int64_t>::max();
constexpr DropReason AllDropReasons[] = {DropReason::Expired, DropReason::DeadLetter,
                                         DropReason::Evicted, DropReason::TooLarge,
                                         DropReason::Corrupt, DropReason::QueueFull};

int64_t systemNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t expiryFor(int64_t nowMs, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0 || ttl.count() > NeverExpires - nowMs)
    return NeverExpires;
  return nowMs + ttl.count();
}

Result<void> validate(const QueueOptions &options) {
  if (options.path.empty())
    return makeError("sync queue: options.path is empty");
  if (options.maxAttempts < 1)
    return makeError("sync queue: maxAttempts must be at least 1");
  if (options.backoffBase.count() < 0 || options.backoffCap < options.backoffBase)
    return makeError("sync queue: backoff needs 0 <= backoffBase <= backoffCap");
  if (options.leaseDuration.count() <= 0)
    return makeError("sync queue: leaseDuration must be positive");
  if (options.lowPriorityShare < 0)
    return makeError("sync queue: lowPriorityShare must be 0 (off) or positive");
  if (options.maxPayloadBytes == 0)
    return makeError("sync queue: maxPayloadBytes must be positive");
  if (options.pageSize < 512 || options.pageSize > 65536 ||
      (options.pageSize & (options.pageSize - 1)) != 0)
    return makeError("sync queue: pageSize must be a power of two in 512..65536");
  if (options.checkpointPages < 1)
    return makeError("sync queue: checkpointPages must be positive");
  if (options.maxBytes < 0)
    return makeError("sync queue: maxBytes must be 0 (no cap) or positive");
  if (options.diskReserveBytes < 0)
    return makeError("sync queue: diskReserveBytes must be 0 (none) or positive");
  return {};
}

// A lease ending further ahead than leaseDuration can only come from a clock that jumped
// backwards; without the clamp, its items would be stuck until the clock caught up. When no other
// SyncQueue has the file open, every lease still running belongs to a process that is gone: it
// ends now, and its batch is handed out again at once (same batchId) instead of after the lease.
Result<void> endLeasesOfEarlierOpeners(QueueDatabase &database, const QueueOptions &options,
                                       int64_t nowMs) {
  Result<Query> clamp = database.query("UPDATE items SET lease_until = ?1 WHERE lease_until > ?1");
  if (!clamp)
    return clamp.error();
  int64_t end = database.soleOpener() ? nowMs : nowMs + options.leaseDuration.count();
  return clamp->bind(1, end).run();
}

} // namespace

// --- opening ------------------------------------------------------------------------------

SyncQueue::SyncQueue(QueueOptions options, std::unique_ptr<QueueDatabase> database)
    : options_(std::move(options)), database_(std::move(database)) {
  std::random_device entropy;
  jitterState_ =
      options_.randomSeed ? options_.randomSeed : ((uint64_t(entropy()) << 32) ^ entropy());
  startNewBatchIdPrefix();
}

void SyncQueue::startNewBatchIdPrefix() {
  std::random_device entropy;
  uint64_t prefixBits = (uint64_t(entropy()) << 32) ^ entropy();
  char prefix[17];
  std::snprintf(prefix, sizeof prefix, "%016llx", static_cast<unsigned long long>(prefixBits));
  batchIdPrefix_ = prefix;
}

SyncQueue::~SyncQueue() {
  if (Result<void> persisted = persistRefusals(); !persisted)
    std::fprintf(stderr, "pyvc sync queue: refusals not counted in the file at close: %s\n",
                 persisted.error().message.c_str());
}

Result<std::unique_ptr<SyncQueue>> SyncQueue::open(QueueOptions options) {
  if (Result<void> valid = validate(options); !valid)
    return valid.error();
  if (!options.nowMs)
    options.nowMs = systemNowMs;
  Result<std::unique_ptr<QueueDatabase>> database = QueueDatabase::open(options);
  if (!database)
    return database.error();
  std::unique_ptr<SyncQueue> queue(new SyncQueue(std::move(options), std::move(*database)));
  Result<void> started = queue->startAfterOpen();
  if (!started && queue->database_->takeDiskFullNote()) {
    // A disk full enough to refuse the few pages this writes: make room and try once more.
    queue->database_->diskReserve().release("on open");
    (void)queue->database_->checkpointTruncate();
    started = queue->startAfterOpen();
  }
  if (!started)
    return started.error();
  return queue;
}

// Leases left by a process that died end (see endLeasesOfEarlierOpeners); batches on their last
// attempt go to the dead letters; ids continue where the file's sequence stands.
Result<void> SyncQueue::startAfterOpen() {
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  int64_t now = nowMs();
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  if (Result<void> ended = endLeasesOfEarlierOpeners(db, options_, now); !ended)
    return ended.error();
  if (Result<void> reclaimed = deadLetterExhaustedLeases(db, options_.maxAttempts, now); !reclaimed)
    return reclaimed.error();
  {
    // Where ids stand, so that a file replaced while running never repeats one.
    Result<Query> sequence = db.query("SELECT seq FROM sqlite_sequence WHERE name = 'items'");
    if (!sequence)
      return sequence.error();
    Result<bool> row = sequence->step();
    if (!row)
      return row.error();
    if (*row)
      highestIdSeen_ = sequence->int64At(0);
  }
  return transaction.commit();
}

// --- enqueue ------------------------------------------------------------------------------

// Counts refused items in their own transaction: the refused enqueue's was rolled back. On a
// full disk even that may fail: the count is then kept in memory (stats() reports it) and
// written with the next refusal that can be, so every refusal counts. A failure is logged, not
// returned, so the caller sees the refusal's own error.
void SyncQueue::countRefusal(DropReason reason, int64_t items) {
  QueueDatabase &database = *database_;
  uncountedRefusals_[reason] += items;
  bool wasFull = database.diskFullNoted();
  Result<void> done = persistRefusals();
  if (!done && database.diskFullNoted()) {
    // The count must reach the file: this is what the drain reserve is for too.
    database.diskReserve().release("counting refusals");
    (void)database.checkpointTruncate();
    done = persistRefusals();
  }
  if (!done)
    std::fprintf(stderr, "pyvc sync queue: could not yet persist %lld %s refusals: %s\n",
                 static_cast<long long>(uncountedRefusals_[reason]), dropReasonName(reason),
                 done.error().message.c_str());
  if (!wasFull)
    (void)database.takeDiskFullNote(); // the refusal's own cause is what the caller sees
}

Result<void> SyncQueue::persistRefusals() {
  if (uncountedRefusals_.empty() || !database_)
    return {};
  QueueDatabase &database = *database_;
  WriteTransaction transaction(database);
  if (Result<void> began = transaction.begin(); !began)
    return began;
  for (auto &[reason, pending] : uncountedRefusals_)
    if (Result<void> added = database.addToCounter(counter::forDrop(reason), pending); !added)
      return added;
  if (Result<void> committed = transaction.commit(); !committed)
    return committed;
  uncountedRefusals_.clear();
  return {};
}

namespace {

// Makes room under maxBytes for `needed` more bytes: expired items first, then the oldest of
// the lowest priority, never an item of a higher priority than the newcomers' best.
Result<bool> makeRoom(QueueDatabase &database, const QueueOptions &options, int64_t needed,
                      int maxIncomingPriority, int64_t nowMs) {
  Result<int64_t> used = database.counterValue(counter::QueuedBytes);
  if (!used)
    return used.error();
  if (*used + needed <= options.maxBytes)
    return true;
  if (Result<int64_t> expired = sweepExpired(database, nowMs); !expired)
    return expired.error();
  used = database.counterValue(counter::QueuedBytes);
  if (!used)
    return used.error();
  int64_t excess = *used + needed - options.maxBytes;
  if (excess <= 0)
    return true;

  std::vector<int64_t> victims;
  {
    Result<Query> select =
        database.query("SELECT id, size FROM items WHERE priority <= ?1 ORDER BY priority, id");
    if (!select)
      return select.error();
    select->bind(1, static_cast<int64_t>(maxIncomingPriority));
    int64_t freed = 0;
    while (freed < excess) {
      Result<bool> row = select->step();
      if (!row)
        return row.error();
      if (!*row)
        return false; // not enough evictable bytes: refuse rather than evict anything
      victims.push_back(select->int64At(0));
      freed += select->int64At(1);
    }
  }
  for (int64_t id : victims)
    if (Result<int64_t> removed = removeItem(database, id); !removed)
      return removed.error();
  if (Result<void> counted = database.addToCounter(counter::forDrop(DropReason::Evicted),
                                                   static_cast<int64_t>(victims.size()));
      !counted)
    return counted.error();
  return true;
}

// Lowers max_page_count by the drain reserve for the lifetime of one enqueue. Declared before
// the enqueue's transaction, so the cap is restored after the transaction has ended.
class PageCapForEnqueue {
public:
  PageCapForEnqueue(QueueDatabase &database)
      : database_(database), maxPageCount_(database.databasePageCap()) {
    if (maxPageCount_ > 0)
      setCap(maxPageCount_ - std::max<int64_t>(16, maxPageCount_ / 10));
  }
  ~PageCapForEnqueue() {
    if (maxPageCount_ > 0)
      setCap(maxPageCount_);
  }

private:
  void setCap(int64_t pages) {
    std::string pragma = "PRAGMA max_page_count=" + std::to_string(std::max<int64_t>(1, pages));
    if (Result<void> set = database_.exec(pragma.c_str()); !set)
      std::fprintf(stderr, "pyvc sync queue: %s\n", set.error().message.c_str());
  }
  QueueDatabase &database_;
  int64_t maxPageCount_;
};

// Items go in with multi-row INSERTs, one statement run per RowsPerInsert items: the setup of
// each run (cursors, AUTOINCREMENT's read and write of sqlite_sequence) cost more than the rows.
constexpr size_t RowsPerInsert = 32;

// The SQL of the INSERT of `rows` rows into items or payloads, built once per process:
// QueueDatabase caches prepared statements by the address of their SQL.
const char *insertSql(bool payloads, size_t rows) {
  assert(rows >= 1 && rows <= RowsPerInsert && "insert of an unexpected row count");
  static const auto statements = [] {
    std::array<std::array<std::string, RowsPerInsert + 1>, 2> all;
    for (size_t count = 1; count <= RowsPerInsert; ++count) {
      std::string items = "INSERT INTO items(size, priority, enqueued_at, expires_at) VALUES ";
      std::string payloads = "INSERT INTO payloads(id, payload, crc) VALUES ";
      for (size_t row = 0; row < count; ++row) {
        items += row ? ",(?,?,?,?)" : "(?,?,?,?)";
        payloads += row ? ",(?,?,?)" : "(?,?,?)";
      }
      all[0][count] = items;
      all[1][count] = payloads;
    }
    return all;
  }();
  return statements[payloads ? 1 : 0][rows].c_str();
}

// Inserts the requests' items and payloads, appending the new ids to `ids`.
Result<void> insertRows(QueueDatabase &database, std::span<const EnqueueRequest> requests,
                        int64_t nowMs, std::vector<int64_t> &ids) {
  Result<Query> items = database.query(insertSql(false, requests.size()));
  if (!items)
    return items.error();
  for (size_t row = 0; row < requests.size(); ++row) {
    const EnqueueRequest &request = requests[row];
    int first = static_cast<int>(row) * 4 + 1; // four parameters per row
    items->bind(first, static_cast<int64_t>(request.payload.size()))
        .bind(first + 1, static_cast<int64_t>(request.priority))
        .bind(first + 2, nowMs)
        .bind(first + 3, expiryFor(nowMs, request.ttl));
  }
  if (Result<void> ran = items->run(); !ran)
    return ran.error();
  // One statement, under the write lock: AUTOINCREMENT numbered its rows consecutively.
  int64_t firstId = database.lastInsertId() - static_cast<int64_t>(requests.size()) + 1;

  Result<Query> payloads = database.query(insertSql(true, requests.size()));
  if (!payloads)
    return payloads.error();
  for (size_t row = 0; row < requests.size(); ++row) {
    int first = static_cast<int>(row) * 3 + 1; // three parameters per row
    payloads->bind(first, firstId + static_cast<int64_t>(row))
        .bindBlob(first + 1, requests[row].payload)
        .bind(first + 2, static_cast<int64_t>(store::crc32c(requests[row].payload)));
  }
  if (Result<void> ran = payloads->run(); !ran)
    return ran.error();
  for (size_t row = 0; row < requests.size(); ++row)
    ids.push_back(firstId + static_cast<int64_t>(row));
  return {};
}

} // namespace

Result<int64_t> SyncQueue::enqueue(std::string_view payload, int priority,
                                   std::chrono::milliseconds ttl) {
  EnqueueRequest request{std::string(payload), priority, ttl};
  Result<std::vector<int64_t>> ids = enqueueBatch(std::span<const EnqueueRequest>(&request, 1));
  if (!ids)
    return ids.error();
  return ids->front();
}

Result<std::vector<int64_t>> SyncQueue::enqueueBatchOnce(std::span<const EnqueueRequest> requests) {
  QueueDatabase &db = *database_;
  int64_t incomingBytes = 0;
  int maxIncomingPriority = std::numeric_limits<int>::min();
  for (const EnqueueRequest &request : requests) {
    if (request.payload.size() > options_.maxPayloadBytes) {
      countRefusal(DropReason::TooLarge, static_cast<int64_t>(requests.size()));
      return makeError("sync queue: payload of " + std::to_string(request.payload.size()) +
                       " bytes exceeds maxPayloadBytes (" +
                       std::to_string(options_.maxPayloadBytes) + ")");
    }
    incomingBytes += static_cast<int64_t>(request.payload.size());
    maxIncomingPriority = std::max(maxIncomingPriority, request.priority);
  }
  if (requests.empty())
    return std::vector<int64_t>();
  // The drain reserve was given back to a full disk: enqueues wait until it is whole again, so
  // they never take the room that draining needs.
  if (!db.diskReserve().restore() && !(db.givePagesBack() && db.diskReserve().restore())) {
    countRefusal(DropReason::QueueFull, static_cast<int64_t>(requests.size()));
    return makeError("sync queue: disk full: the " + std::to_string(db.diskReserve().bytes()) +
                     "-byte drain reserve next to " + options_.path +
                     " cannot be restored; enqueue refused until space is freed");
  }

  bool diskWasFull = db.takeDiskFullNote();
  Result<std::vector<int64_t>> ids =
      enqueueInTransaction(requests, incomingBytes, maxIncomingPriority);
  if (ids || !db.diskFullNoted()) {
    if (diskWasFull)
      (void)db.takeDiskFullNote();
    return ids;
  }
  // A full disk (SQLITE_FULL from the disk or max_page_count) at INSERT or at COMMIT: nothing
  // of this batch is kept, the refusal is counted, and the WAL's space goes back to the file
  // system so that draining can go on.
  (void)db.checkpointTruncate();
  countRefusal(DropReason::QueueFull, static_cast<int64_t>(requests.size()));
  return ids;
}

Result<std::vector<int64_t>>
SyncQueue::enqueueInTransaction(std::span<const EnqueueRequest> requests, int64_t incomingBytes,
                                int maxIncomingPriority) {
  QueueDatabase &db = *database_;
  // Under a page cap, enqueues stop short of it so that dequeue, nack and dead-lettering (which
  // add index entries and rows) still have room to drain a full queue.
  PageCapForEnqueue pageCap(db);
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  int64_t now = nowMs();
  if (options_.maxBytes > 0) {
    Result<bool> room = incomingBytes <= options_.maxBytes
                            ? makeRoom(db, options_, incomingBytes, maxIncomingPriority, now)
                            : Result<bool>(false);
    if (!room)
      return room.error();
    if (!*room) {
      db.rollback();
      countRefusal(DropReason::QueueFull, static_cast<int64_t>(requests.size()));
      return makeError("sync queue: no room for " + std::to_string(incomingBytes) +
                       " bytes under maxBytes (" + std::to_string(options_.maxBytes) +
                       ") without evicting higher-priority items");
    }
  }

  std::vector<int64_t> ids;
  ids.reserve(requests.size());
  for (size_t start = 0; start < requests.size(); start += RowsPerInsert) {
    size_t rows = std::min(RowsPerInsert, requests.size() - start);
    if (Result<void> ran = insertRows(db, requests.subspan(start, rows), now, ids); !ran)
      return ran.error();
  }
  for (auto [name, delta] : {std::pair{counter::QueuedItems, int64_t(requests.size())},
                             std::pair{counter::QueuedBytes, incomingBytes}})
    if (Result<void> counted = db.addToCounter(name, delta); !counted)
      return counted.error();
  db.noteItemId(ids.back());
  if (Result<void> committed = transaction.commit(); !committed)
    return committed.error();
  highestIdSeen_ = std::max(highestIdSeen_, ids.back());
  return ids;
}

// --- dequeue ------------------------------------------------------------------------------

Result<Batch> SyncQueue::dequeueBatchOnce(size_t maxItems, size_t maxBytes) {
  if (maxItems == 0)
    return Batch{};
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  int64_t now = nowMs();
  if (Result<int64_t> expired = sweepExpired(db, now); !expired)
    return expired.error();
  if (Result<void> reclaimed = deadLetterExhaustedLeases(db, options_.maxAttempts, now); !reclaimed)
    return reclaimed.error();

  // Every lowPriorityShare-th non-empty dequeue serves the oldest work whatever its priority.
  bool ageTurn = options_.lowPriorityShare > 0 &&
                 nonEmptyDequeues_ % static_cast<uint64_t>(options_.lowPriorityShare) ==
                     static_cast<uint64_t>(options_.lowPriorityShare) - 1;
  Result<std::optional<ReturningBatch>> returning = findReturningBatch(db, now, ageTurn);
  if (!returning)
    return returning.error();
  Result<bool> holdingBack = options_.headOfLineBackoff ? isBatchBackingOff(db, now) : false;
  if (!holdingBack)
    return holdingBack.error();
  // Under head-of-line backoff, fresh work waits while a failed batch backs off: the failure
  // is taken as the link's, and sending on would turn the whole backlog into failed batches.
  Result<std::optional<FreshHead>> fresh =
      *holdingBack ? std::optional<FreshHead>() : findFreshHead(db, ageTurn);
  if (!fresh)
    return fresh.error();

  // A returning batch goes before fresh work of no higher priority (or, on an age turn, of
  // no older age): it was in line first.
  bool takeReturning =
      returning->has_value() &&
      (!fresh->has_value() || (ageTurn ? (*returning)->oldestId < (*fresh)->id
                                       : (*returning)->priority >= (*fresh)->priority));
  int64_t leaseUntil = now + options_.leaseDuration.count();
  Result<Batch> batch = Batch{};
  if (takeReturning) {
    batch = releaseReturningBatch(db, (*returning)->batchId, leaseUntil, now);
  } else if (fresh->has_value()) {
    char counterText[24];
    std::snprintf(counterText, sizeof counterText, "-%llx",
                  static_cast<unsigned long long>(++batchCounter_));
    batch = formFreshBatch(db, batchIdPrefix_ + counterText, ageTurn, maxItems, maxBytes,
                           leaseUntil, now);
  }
  if (!batch)
    return batch.error();
  if (Result<void> committed = transaction.commit(); !committed)
    return committed.error();
  if (!batch->empty())
    ++nonEmptyDequeues_;
  for (const QueueItem &item : batch->items)
    highestIdSeen_ = std::max(highestIdSeen_, item.id);
  return batch;
}

// --- outcomes of a delivery ---------------------------------------------------------------

Result<void> SyncQueue::ackOnce(const Batch &batch) {
  // Items of a batch from a replaced file are gone with it: delivered is all there is to know.
  if (batch.batchId.empty() || isFromReplacedFile(batch))
    return {};
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  Result<int64_t> removed = removeBatchItems(db, batch.batchId);
  if (!removed)
    return removed.error();
  if (Result<void> counted = db.addToCounter(counter::Acked, *removed); !counted)
    return counted.error();
  return transaction.commit();
}

Result<void> SyncQueue::nackOnce(const Batch &batch,
                                 std::optional<std::chrono::milliseconds> retryAfter,
                                 FailureKind kind) {
  if (batch.batchId.empty())
    return {};
  if (isFromReplacedFile(batch))
    return requeueReplacedBatch(batch);
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  int64_t now = nowMs();
  int attempts = 0, backoffLevel = 0;
  {
    Result<Query> select =
        db.query("SELECT MAX(attempts), MAX(backoff_level) FROM items WHERE batch_id = ?1");
    if (!select)
      return select.error();
    select->bind(1, batch.batchId);
    Result<bool> row = select->step();
    if (!row)
      return row.error();
    if (!*row || select->isNullAt(0))
      return transaction.commit(); // every item was acked, expired or evicted meanwhile
    attempts = static_cast<int>(select->int64At(0));
    backoffLevel = static_cast<int>(select->int64At(1)) + 1;
  }
  if (kind == FailureKind::Rejected && attempts >= options_.maxAttempts) {
    std::string reason = "max attempts (" + std::to_string(options_.maxAttempts) + ") reached";
    if (Result<int64_t> moved = moveBatchToDeadLetters(db, batch.batchId, reason, now); !moved)
      return moved.error();
    return transaction.commit();
  }
  std::chrono::milliseconds delay =
      fullJitterDelay(backoffLevel, options_.backoffBase, options_.backoffCap, jitterState_);
  if (retryAfter && *retryAfter > delay)
    delay = *retryAfter;
  // An unreachable receiver never saw the batch: the attempt taken at dequeue is handed back,
  // so an outage of any length dead-letters nothing. The backoff still grows.
  Result<Query> backOff =
      db.query("UPDATE items SET lease_until = 0, next_attempt_at = ?2, backoff_level = ?3, "
               "attempts = MAX(0, attempts - ?4) WHERE batch_id = ?1");
  if (!backOff)
    return backOff.error();
  Result<void> ran = backOff->bind(1, batch.batchId)
                         .bind(2, now + delay.count())
                         .bind(3, int64_t(backoffLevel))
                         .bind(4, int64_t(kind == FailureKind::Unreachable ? 1 : 0))
                         .run();
  if (!ran)
    return ran.error();
  return transaction.commit();
}

Result<void> SyncQueue::deadLetterOnce(const Batch &batch, std::string_view reason) {
  if (batch.batchId.empty())
    return {};
  if (isFromReplacedFile(batch))
    return deadLetterReplacedBatch(batch, reason);
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  if (Result<int64_t> moved = moveBatchToDeadLetters(db, batch.batchId, reason, nowMs()); !moved)
    return moved.error();
  return transaction.commit();
}

// --- inspection ---------------------------------------------------------------------------

Result<QueueStats> SyncQueue::statsOnce() {
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  int64_t now = nowMs();
  // Expired items are dropped (and counted) before they are reported as queued.
  if (Result<int64_t> expired = sweepExpired(db, now); !expired)
    return expired.error();

  QueueStats stats;
  auto readCounter = [&](const char *name, int64_t &into) -> Result<void> {
    Result<int64_t> value = db.counterValue(name);
    if (!value)
      return value.error();
    into = *value;
    return {};
  };
  auto countRows = [&](const char *sql, int64_t &into) -> Result<void> {
    Result<Query> select = db.query(sql);
    if (!select)
      return select.error();
    select->bind(1, now);
    Result<bool> row = select->step();
    if (!row)
      return row.error();
    into = select->int64At(0);
    return {};
  };
  for (Result<void> read :
       {readCounter(counter::LostCommits, stats.lostCommitsOnOpen),
        readCounter(counter::QueuedItems, stats.queued),
        readCounter(counter::QueuedBytes, stats.bytes), readCounter(counter::Acked, stats.acked),
        readCounter(counter::CorruptionRecoveries, stats.corruptionRecoveries),
        countRows("SELECT COUNT(*) FROM items WHERE batch_id IS NOT NULL AND lease_until > ?1",
                  stats.leased),
        countRows("SELECT COUNT(*) + 0 * ?1 FROM dead_letters", stats.deadLettered)})
    if (!read)
      return read.error();
  for (DropReason reason : AllDropReasons)
    if (Result<void> read = readCounter(counter::forDrop(reason), stats.dropped[reason]); !read)
      return read.error();
  if (Result<void> committed = transaction.commit(); !committed)
    return committed.error();
  for (const auto &[reason, pending] : uncountedRefusals_)
    stats.dropped[reason] += pending;
  return stats;
}

Result<std::optional<int64_t>> SyncQueue::nextReadyAtMsOnce() {
  QueueDatabase &db = *database_;
  int64_t now = nowMs();
  Result<bool> holdingBack = options_.headOfLineBackoff ? isBatchBackingOff(db, now) : false;
  if (!holdingBack)
    return holdingBack.error();
  if (!*holdingBack) {
    Result<Query> fresh =
        db.query("SELECT 1 FROM items WHERE batch_id IS NULL AND expires_at > ?1 LIMIT 1");
    if (!fresh)
      return fresh.error();
    Result<bool> row = fresh->bind(1, now).step();
    if (!row)
      return row.error();
    if (*row)
      return std::optional<int64_t>(now);
  }
  // A batch that went out before returns when its lease and its backoff are both over; fresh
  // work held back by a backing-off batch goes when that batch does.
  Result<Query> returning = db.query("SELECT MIN(MAX(lease_until, next_attempt_at)) FROM items "
                                     "WHERE batch_id IS NOT NULL AND expires_at > ?1");
  if (!returning)
    return returning.error();
  Result<bool> row = returning->bind(1, now).step();
  if (!row)
    return row.error();
  if (!*row || returning->isNullAt(0))
    return std::optional<int64_t>();
  return std::optional<int64_t>(std::max(now, returning->int64At(0)));
}

Result<std::vector<DeadLetter>> SyncQueue::deadLettersOnce(size_t limit) {
  Result<Query> select = database_->query(
      "SELECT id, payload, priority, attempts, enqueued_at, dead_at, batch_id, reason "
      "FROM dead_letters ORDER BY dead_at DESC, id DESC LIMIT ?1");
  if (!select)
    return select.error();
  select->bind(1, static_cast<int64_t>(limit));
  std::vector<DeadLetter> letters;
  for (;;) {
    Result<bool> row = select->step();
    if (!row)
      return row.error();
    if (!*row)
      return letters;
    letters.push_back(DeadLetter{select->int64At(0), select->textAt(1),
                                 static_cast<int>(select->int64At(2)),
                                 static_cast<int>(select->int64At(3)), select->int64At(4),
                                 select->int64At(5), select->textAt(6), select->textAt(7)});
  }
}

} // namespace pyvc::sync
