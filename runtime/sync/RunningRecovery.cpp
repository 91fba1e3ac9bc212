// RunningRecovery: SyncQueue's public operations, each guarded against a corruption SQLite
// reports while the queue runs. The damaged file is moved aside (as on open), a fresh one takes
// its place and the operation runs once more, so what the caller still holds is not lost.
#include "sync/QueueDatabase.h"
#include "sync/SyncQueue.h"

#include <algorithm>
#include <limits>

namespace pyvc::sync {

namespace {

constexpr int64_t NeverExpires = std::numeric_limits<int64_t>::max();

// A fresh file would hand out ids from 1 again; continuing above every id this process has
// seen keeps them unique, so a consumer's bookkeeping by id and the dead letters stay sound.
Result<void> continueIdsAbove(QueueDatabase &database, int64_t highestIdSeen) {
  WriteTransaction transaction(database);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  if (Result<void> cleared = database.exec("DELETE FROM sqlite_sequence WHERE name = 'items'");
      !cleared)
    return cleared.error();
  Result<Query> insert =
      database.query("INSERT INTO sqlite_sequence(name, seq) VALUES ('items', ?1)");
  if (!insert)
    return insert.error();
  if (Result<void> ran = insert->bind(1, highestIdSeen).run(); !ran)
    return ran.error();
  database.noteItemId(highestIdSeen);
  return transaction.commit();
}

} // namespace

template <typename T, typename Attempt> Result<T> SyncQueue::recoveringCorruption(Attempt attempt) {
  if (Result<void> open = reopenIfClosed(); !open)
    return open.error();
  database_->takeCorruptionNote(); // only this operation's errors count
  Result<T> result = attempt();
  if (result.ok() || !database_->takeCorruptionNote())
    return result;
  if (Result<void> replaced = replaceCorruptFile(result.error()); !replaced)
    return replaced.error();
  // Once: a fresh file failing again is reported, never retried in a loop.
  return attempt();
}

template <typename T, typename Attempt>
Result<T> SyncQueue::retryingAfterFullDisk(Attempt attempt) {
  (void)database_->takeDiskFullNote();
  Result<T> result = attempt();
  if (result.ok() || !database_->takeDiskFullNote())
    return result;
  // Draining must go on when the disk is full: first the WAL's space goes back to the file
  // system, then the drain reserve. Each step is tried once, never in a loop.
  (void)database_->checkpointTruncate();
  result = attempt();
  if (result.ok() || !database_->takeDiskFullNote())
    return result;
  database_->diskReserve().release("while draining");
  (void)database_->checkpointTruncate();
  return attempt();
}

Result<void> SyncQueue::replaceCorruptFile(const Error &cause) {
  replacedBatchIdPrefixes_.push_back(batchIdPrefix_);
  startNewBatchIdPrefix();
  Result<std::unique_ptr<QueueDatabase>> fresh =
      QueueDatabase::replaceCorrupt(std::move(database_), options_, cause);
  if (!fresh)
    return fresh.error(); // database_ stays empty: the next operation tries to open again
  database_ = std::move(*fresh);
  return continueIdsAbove(*database_, highestIdSeen_);
}

Result<void> SyncQueue::reopenIfClosed() {
  if (database_)
    return {};
  Result<std::unique_ptr<QueueDatabase>> reopened = QueueDatabase::open(options_);
  if (!reopened)
    return makeError("sync queue: no usable queue file since a corruption: " +
                     reopened.error().message);
  database_ = std::move(*reopened);
  // The recovery whose fresh open failed is counted now, in the file that replaced the damaged one.
  if (Result<void> counted =
          database_->exec("UPDATE counters SET value = value + 1 "
                          "WHERE name IN ('corruption_recoveries', 'dropped.corrupt')");
      !counted)
    return counted.error();
  return continueIdsAbove(*database_, highestIdSeen_);
}

bool SyncQueue::isFromReplacedFile(const Batch &batch) const {
  return std::any_of(replacedBatchIdPrefixes_.begin(), replacedBatchIdPrefixes_.end(),
                     [&](const std::string &prefix) { return batch.batchId.starts_with(prefix); });
}

Result<void> SyncQueue::requeueReplacedBatch(const Batch &batch) {
  // The consumer's copy is the only one left: queue it again as fresh work (new ids, attempts
  // start over), keeping each item's priority and what remains of its TTL.
  int64_t now = nowMs();
  std::vector<EnqueueRequest> requests;
  for (const QueueItem &item : batch.items) {
    std::chrono::milliseconds ttl{0};
    if (item.expiresAtMs != NeverExpires)
      ttl = std::chrono::milliseconds(std::max<int64_t>(1, item.expiresAtMs - now));
    requests.push_back({item.payload, item.priority, ttl});
  }
  Result<std::vector<int64_t>> ids = enqueueBatchOnce(requests);
  if (!ids)
    return ids.error();
  return {};
}

Result<void> SyncQueue::deadLetterReplacedBatch(const Batch &batch, std::string_view reason) {
  QueueDatabase &db = *database_;
  WriteTransaction transaction(db);
  if (Result<void> began = transaction.begin(); !began)
    return began.error();
  Result<Query> insert = db.query(
      "INSERT OR IGNORE INTO dead_letters(id, payload, priority, attempts, enqueued_at, dead_at, "
      "batch_id, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert)
    return insert.error();
  int64_t now = nowMs();
  for (const QueueItem &item : batch.items)
    if (Result<void> ran = insert->bind(1, item.id)
                               .bindBlob(2, item.payload)
                               .bind(3, int64_t(item.priority))
                               .bind(4, int64_t(item.attempts))
                               .bind(5, item.enqueuedAtMs)
                               .bind(6, now)
                               .bind(7, batch.batchId)
                               .bind(8, reason)
                               .run();
        !ran)
      return ran.error();
  if (Result<void> counted = db.addToCounter(counter::forDrop(DropReason::DeadLetter),
                                             static_cast<int64_t>(batch.items.size()));
      !counted)
    return counted.error();
  return transaction.commit();
}

// --- the public operations ------------------------------------------------------------------

Result<std::vector<int64_t>> SyncQueue::enqueueBatch(std::span<const EnqueueRequest> requests) {
  return recoveringCorruption<std::vector<int64_t>>([&] { return enqueueBatchOnce(requests); });
}

Result<Batch> SyncQueue::dequeueBatch(size_t maxItems, size_t maxBytes) {
  return recoveringCorruption<Batch>([&] {
    return retryingAfterFullDisk<Batch>([&] { return dequeueBatchOnce(maxItems, maxBytes); });
  });
}

Result<void> SyncQueue::ack(const Batch &batch) {
  return recoveringCorruption<void>(
      [&] { return retryingAfterFullDisk<void>([&] { return ackOnce(batch); }); });
}

Result<void> SyncQueue::nack(const Batch &batch,
                             std::optional<std::chrono::milliseconds> retryAfter,
                             FailureKind kind) {
  return recoveringCorruption<void>([&] {
    return retryingAfterFullDisk<void>([&] { return nackOnce(batch, retryAfter, kind); });
  });
}

Result<void> SyncQueue::deadLetter(const Batch &batch, std::string_view reason) {
  return recoveringCorruption<void>(
      [&] { return retryingAfterFullDisk<void>([&] { return deadLetterOnce(batch, reason); }); });
}

Result<QueueStats> SyncQueue::stats() {
  return recoveringCorruption<QueueStats>(
      [&] { return retryingAfterFullDisk<QueueStats>([&] { return statsOnce(); }); });
}

Result<std::optional<int64_t>> SyncQueue::nextReadyAtMs() {
  return recoveringCorruption<std::optional<int64_t>>([&] { return nextReadyAtMsOnce(); });
}

Result<std::vector<DeadLetter>> SyncQueue::deadLetters(size_t limit) {
  return recoveringCorruption<std::vector<DeadLetter>>([&] { return deadLettersOnce(limit); });
}

} // namespace pyvc::sync
