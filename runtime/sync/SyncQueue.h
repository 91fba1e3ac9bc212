// SyncQueue: the persistent store-and-forward queue between the gateway's data path and its
// uplinks. One SQLite file in WAL mode holds every payload until the cloud acknowledges it;
// docs/RUNTIME-sync.md states the guarantees (ordering, starvation bound, durability, limits).
#pragma once

#include "core/Result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::sync {

// How hard a commit pushes to stable storage. Both use WAL.
//   Full:   synchronous=FULL, every commit fsyncs the WAL: an enqueue that returned success
//           survives process crashes and power loss.
//   Normal: synchronous=NORMAL, the WAL is synced only at checkpoints: survives process crashes;
//           a power loss may lose transactions committed since the last checkpoint (at most
//           QueueOptions::checkpointPages pages of WAL, measured in docs/RUNTIME-sync.md).
enum class Durability { Full, Normal };

struct QueueOptions {
  std::string path; // the SQLite file; its -wal and -shm files sit next to it
  Durability durability = Durability::Full;
  // nack backoff: full jitter, a delay drawn uniformly from
  // [0, min(backoffCap, backoffBase * 2^(n-1))], n counting the batch's nacks so far.
  std::chrono::milliseconds backoffBase{500}, backoffCap{60000};
  int maxAttempts = 10; // a batch failing this many deliveries goes to the dead-letter table
  int64_t maxBytes = 0; // cap on the sum of queued payload bytes; 0 = none (eviction policy)
  std::chrono::milliseconds leaseDuration{30000}; // leased items come back after this
  size_t maxPayloadBytes = 1 << 20;               // larger enqueues are refused (TooLarge)
  // Anti-starvation: every lowPriorityShare-th non-empty dequeue is an "age turn" that serves
  // the oldest ready work regardless of priority; the other dequeues serve the highest priority.
  // 1 = pure FIFO, 0 = strict priority (low priorities may starve). Default: 1 batch in 8.
  int lowPriorityShare = 8;
  std::function<int64_t()> nowMs; // injectable clock, ms since the epoch (default: system clock)
  uint64_t randomSeed = 0;        // jitter RNG seed (0 = seeded from std::random_device)
  int64_t maxPageCount = 0;       // PRAGMA max_page_count (hard file-size cap in pages); 0 = none
  bool quickCheckOnOpen = true;   // PRAGMA quick_check on open: O(file size), see RUNTIME-sync.md
  // Head-of-line backoff: while a nacked batch waits out its backoff, dequeueBatch hands out
  // no fresh work either (for consumers that nack on every failure: the backlog is not turned
  // into failed batches during an outage). Off: fresh work flows past a backing-off batch, so
  // one poison batch delays nothing else (the uplink DrainLoop holds batches through outages
  // itself and relies on this).
  bool headOfLineBackoff = false;
  // SQLite page size for a new file (512..65536, a power of two; ignored for an existing file).
  // 4096 writes least per single-item commit; 16384 packs 1 KB payloads tighter for batches.
  int pageSize = 4096;
  // WAL pages after which a commit checkpoints them into the main file (wal_autocheckpoint).
  // Under Normal durability this is also what a power cut can lose (docs/RUNTIME-sync.md,
  // Durability); larger values mean fewer checkpoint fsyncs, so faster batched enqueues.
  int checkpointPages = 1000;
  // The SQLite VFS to open the file with (empty: SQLite's default). The power-loss tests pass
  // one that simulates losing what was not synced. The queue always opens it through
  // store/ReservingShmVfs.h, which reserves the -shm's blocks before SQLite maps them.
  std::string sqliteVfs;
  // Bytes kept allocated in "<path>-reserve" while the disk has room, given back when a drain or
  // an open finds the disk full (0 = none). docs/RUNTIME-sync.md, "Full disk".
  int64_t diskReserveBytes = 1 << 20;
};

struct QueueItem {
  int64_t id = 0;
  std::string payload;
  int priority = 0;
  int attempts = 0; // counted deliveries, this one included (Unreachable nacks do not count)
  int64_t enqueuedAtMs = 0;
  int64_t expiresAtMs = 0; // INT64_MAX for items enqueued without a TTL
};

// batchId is the idempotency key: a batch nacked (or whose lease expired) comes back with the
// same batchId and the same items, minus those acked, expired or dead-lettered meanwhile.
// An empty batch (no items, empty batchId) means nothing is deliverable now.
struct Batch {
  std::string batchId;
  std::vector<QueueItem> items;
  bool empty() const { return items.empty(); }
};

// Why an item left the queue without being acknowledged. Counted persistently.
//   QueueFull: an enqueue refused because maxBytes/max_page_count or the disk left no room even
//   after eviction, at INSERT or at COMMIT (the caller got an Error; nothing queued was lost).
//   Corrupt: one per corrupt file moved aside, plus one per item whose payload failed its
//   checksum at dequeue (moved to the dead letters, never delivered).
enum class DropReason { Expired, DeadLetter, Evicted, TooLarge, Corrupt, QueueFull };

struct QueueStats {
  int64_t queued = 0;                    // items in the queue (ready, leased or backing off)
  int64_t leased = 0;                    // items under an unexpired lease
  int64_t deadLettered = 0;              // rows in the dead-letter table
  int64_t bytes = 0;                     // sum of queued payload bytes (what maxBytes caps)
  std::map<DropReason, int64_t> dropped; // every reason present, zero when none
  int64_t acked = 0;                     // items acknowledged (delivered) over the file's life
  int64_t corruptionRecoveries = 0;      // times a corrupt file was moved aside
  // Committed write transactions found missing on open (the sidecar counted more than the file
  // holds: WAL frames lost or damaged), summed over the file's life. Never silent: also logged.
  int64_t lostCommitsOnOpen = 0;
};

// Why a delivery failed, for nack: decides whether the attempt counts toward maxAttempts.
enum class FailureKind { Rejected, Unreachable };

// One item of enqueueBatch.
struct EnqueueRequest {
  std::string payload;
  int priority = 0;
  std::chrono::milliseconds ttl{0}; // <= 0: never expires
};

// A row of the dead-letter table: kept for the operator, never delivered again.
struct DeadLetter {
  int64_t id = 0;
  std::string payload;
  int priority = 0;
  int attempts = 0;
  int64_t enqueuedAtMs = 0;
  int64_t deadAtMs = 0;
  std::string batchId;
  std::string reason; // e.g. "max attempts (10) reached" or the receiver's response
};

class QueueDatabase;

class SyncQueue {
public:
  // Opens (or creates) the queue file. A corrupt file is moved aside to
  // "<path>.corrupt-<UTC timestamp>" (with its -wal/-shm) and a fresh queue started, logged on
  // stderr and counted; any other failure (permissions, missing directory) is an Error.
  // A corruption SQLite reports later, during any operation, is recovered the same way while
  // running, and the operation runs once more on the fresh file (docs/RUNTIME-sync.md,
  // Corruption): an enqueue is kept, and a batch handed out before comes back on nack.
  static Result<std::unique_ptr<SyncQueue>> open(QueueOptions options);
  ~SyncQueue();
  SyncQueue(const SyncQueue &) = delete;
  SyncQueue &operator=(const SyncQueue &) = delete;

  // Returns the new item's id once the item is committed (durable per Durability).
  // ttl <= 0: never expires. Errors: payload over maxPayloadBytes (counted TooLarge), no room
  // under maxBytes after eviction (counted QueueFull), SQLite errors (disk full, I/O).
  Result<int64_t> enqueue(std::string_view payload, int priority, std::chrono::milliseconds ttl);
  // All-or-nothing enqueue in one transaction (the fast path: one commit, one fsync).
  // Returns the ids in request order. Any oversize payload refuses the whole batch.
  Result<std::vector<int64_t>> enqueueBatch(std::span<const EnqueueRequest> requests);

  // Leases up to maxItems items / maxBytes payload bytes (at least one item, even if alone it
  // is larger than maxBytes). A batch coming back after nack or lease expiry is returned whole,
  // under its original batchId. May be empty when nothing is deliverable now.
  Result<Batch> dequeueBatch(size_t maxItems, size_t maxBytes);
  // Delivered: the batch's items are deleted. Acking items already gone is not an error.
  Result<void> ack(const Batch &batch);
  // Not delivered: the batch backs off (full jitter; retryAfter, when given and larger, wins)
  // and comes back under the same batchId (see QueueOptions::headOfLineBackoff for what
  // happens to other work meanwhile).
  //   Rejected (429, 5xx): the attempt counts; past maxAttempts the batch is dead-lettered.
  //   Unreachable (connect error, timeout, DNS): the attempt does not count, so an outage of
  //   any length dead-letters nothing; the backoff grows all the same.
  Result<void> nack(const Batch &batch, std::optional<std::chrono::milliseconds> retryAfter = {},
                    FailureKind kind = FailureKind::Rejected);
  // Undeliverable (e.g. a 4xx): the batch's items move to the dead-letter table with reason.
  Result<void> deadLetter(const Batch &batch, std::string_view reason);

  Result<QueueStats> stats();
  // The earliest time (ms, queue clock) an item becomes deliverable; "now" when one already is;
  // nullopt when the queue is empty (expired items do not count).
  Result<std::optional<int64_t>> nextReadyAtMs();
  // The most recent dead letters, newest first.
  Result<std::vector<DeadLetter>> deadLetters(size_t limit);

  int64_t nowMs() const { return options_.nowMs(); }
  const QueueOptions &options() const { return options_; }

private:
  SyncQueue(QueueOptions options, std::unique_ptr<QueueDatabase> database);

  // Runs `attempt` (one operation, one transaction); when SQLite reported the file corrupt
  // during it, replaces the file by a fresh one and runs it once more. Never loops.
  template <typename T, typename Attempt> Result<T> recoveringCorruption(Attempt attempt);
  // Runs `attempt`; when the disk was full, checkpoints (TRUNCATE) and runs it again, then
  // releases the drain reserve and runs it a last time. For the operations that drain.
  template <typename T, typename Attempt> Result<T> retryingAfterFullDisk(Attempt attempt);
  Result<void> replaceCorruptFile(const Error &cause);
  Result<void> reopenIfClosed(); // after a recovery whose fresh open failed
  void startNewBatchIdPrefix();
  // Batches handed out from a file that was since moved aside for corruption: their items
  // live only in the consumer's memory now, so nack re-enqueues them and deadLetter writes
  // them to the fresh file's dead letters.
  bool isFromReplacedFile(const Batch &batch) const;
  Result<void> requeueReplacedBatch(const Batch &batch);
  Result<void> deadLetterReplacedBatch(const Batch &batch, std::string_view reason);

  Result<std::vector<int64_t>> enqueueBatchOnce(std::span<const EnqueueRequest> requests);
  Result<std::vector<int64_t>> enqueueInTransaction(std::span<const EnqueueRequest> requests,
                                                    int64_t incomingBytes, int maxIncomingPriority);
  Result<void> startAfterOpen();
  void countRefusal(DropReason reason, int64_t items);
  Result<void> persistRefusals(); // writes uncountedRefusals_ to the counters
  Result<Batch> dequeueBatchOnce(size_t maxItems, size_t maxBytes);
  Result<void> ackOnce(const Batch &batch);
  Result<void> nackOnce(const Batch &batch, std::optional<std::chrono::milliseconds> retryAfter,
                        FailureKind kind);
  Result<void> deadLetterOnce(const Batch &batch, std::string_view reason);
  Result<QueueStats> statsOnce();
  Result<std::optional<int64_t>> nextReadyAtMsOnce();
  Result<std::vector<DeadLetter>> deadLettersOnce(size_t limit);

  QueueOptions options_;
  std::unique_ptr<QueueDatabase> database_;
  uint64_t nonEmptyDequeues_ = 0; // drives the anti-starvation age turns
  uint64_t jitterState_ = 0;      // splitmix64 state for backoff jitter (seeded by randomSeed)
  std::string batchIdPrefix_;     // random per open, so batch ids never repeat across restarts
  uint64_t batchCounter_ = 0;
  std::vector<std::string> replacedBatchIdPrefixes_; // prefixes used on files moved aside
  int64_t highestIdSeen_ = 0; // a fresh file's ids start above it: ids never repeat
  // Refusals a full disk kept from being written to the counters yet (see countRefusal).
  std::map<DropReason, int64_t> uncountedRefusals_;
};

const char *dropReasonName(DropReason reason); // "expired", "dead_letter", ...

} // namespace pyvc::sync
