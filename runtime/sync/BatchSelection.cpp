// BatchSelection: the queries behind dequeueBatch's choice and the leasing of what it chose.
#include "sync/BatchSelection.h"

#include <algorithm>

namespace pyvc::sync {

namespace {

Result<std::vector<QueueItem>> readBatchItems(QueueDatabase &database, const std::string &batchId) {
  Result<Query> select =
      database.query("SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, "
                     "i.expires_at FROM items i JOIN payloads p ON p.id = i.id "
                     "WHERE i.batch_id = ?1 ORDER BY i.id");
  if (!select)
    return select.error();
  select->bind(1, batchId);
  std::vector<QueueItem> items;
  for (;;) {
    Result<bool> row = select->step();
    if (!row)
      return row.error();
    if (!*row)
      return items;
    items.push_back(
        QueueItem{select->int64At(0), select->textAt(1), static_cast<int>(select->int64At(2)),
                  static_cast<int>(select->int64At(3)), select->int64At(4), select->int64At(5)});
  }
}

} // namespace

Result<std::optional<ReturningBatch>> findReturningBatch(QueueDatabase &database, int64_t nowMs,
                                                         bool ageTurn) {
  const char *byPriority =
      "SELECT batch_id, MAX(priority) AS best, MIN(id) AS oldest FROM items "
      "WHERE batch_id IS NOT NULL AND lease_until <= ?1 AND next_attempt_at <= ?1 "
      "GROUP BY batch_id ORDER BY best DESC, oldest LIMIT 1";
  const char *byAge = "SELECT batch_id, MAX(priority) AS best, MIN(id) AS oldest FROM items "
                      "WHERE batch_id IS NOT NULL AND lease_until <= ?1 AND next_attempt_at <= ?1 "
                      "GROUP BY batch_id ORDER BY oldest LIMIT 1";
  Result<Query> select = database.query(ageTurn ? byAge : byPriority);
  if (!select)
    return select.error();
  select->bind(1, nowMs);
  Result<bool> row = select->step();
  if (!row)
    return row.error();
  if (!*row)
    return std::optional<ReturningBatch>();
  return std::optional<ReturningBatch>(
      ReturningBatch{select->textAt(0), select->int64At(1), select->int64At(2)});
}

// Whether a batch that failed is waiting out its backoff (nacked, retry time not reached).
Result<bool> isBatchBackingOff(QueueDatabase &database, int64_t nowMs) {
  Result<Query> select =
      database.query("SELECT 1 FROM items WHERE batch_id IS NOT NULL AND lease_until <= ?1 "
                     "AND next_attempt_at > ?1 LIMIT 1");
  if (!select)
    return select.error();
  return select->bind(1, nowMs).step();
}

Result<std::optional<FreshHead>> findFreshHead(QueueDatabase &database, bool ageTurn) {
  Result<Query> select = database.query(
      ageTurn ? "SELECT priority, id FROM items WHERE batch_id IS NULL ORDER BY id LIMIT 1"
              : "SELECT priority, id FROM items WHERE batch_id IS NULL "
                "ORDER BY priority DESC, id LIMIT 1");
  if (!select)
    return select.error();
  Result<bool> row = select->step();
  if (!row)
    return row.error();
  if (!*row)
    return std::optional<FreshHead>();
  return std::optional<FreshHead>(FreshHead{select->int64At(0), select->int64At(1)});
}

// Leases the items already carrying batchId again, counting one more attempt.
Result<Batch> releaseReturningBatch(QueueDatabase &database, const std::string &batchId,
                                    int64_t leaseUntil) {
  Result<Query> lease = database.query(
      "UPDATE items SET lease_until = ?2, attempts = attempts + 1 WHERE batch_id = ?1");
  if (!lease)
    return lease.error();
  if (Result<void> ran = lease->bind(1, batchId).bind(2, leaseUntil).run(); !ran)
    return ran.error();
  Result<std::vector<QueueItem>> items = readBatchItems(database, batchId);
  if (!items)
    return items.error();
  return Batch{batchId, std::move(*items)};
}

// Picks fresh items in line order up to the limits (always at least one, so an item larger
// than maxBytes still goes, alone), then stamps them with the new batch id and a lease.
Result<Batch> formFreshBatch(QueueDatabase &database, std::string batchId, bool ageTurn,
                             size_t maxItems, size_t maxBytes, int64_t leaseUntil) {
  std::vector<QueueItem> items;
  {
    Result<Query> select = database.query(
        ageTurn ? "SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, "
                  "i.expires_at, i.size FROM items i JOIN payloads p ON p.id = i.id "
                  "WHERE i.batch_id IS NULL ORDER BY i.id LIMIT ?1"
                : "SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, "
                  "i.expires_at, i.size FROM items i JOIN payloads p ON p.id = i.id "
                  "WHERE i.batch_id IS NULL ORDER BY i.priority DESC, i.id LIMIT ?1");
    if (!select)
      return select.error();
    select->bind(1, static_cast<int64_t>(maxItems));
    size_t bytes = 0;
    for (;;) {
      Result<bool> row = select->step();
      if (!row)
        return row.error();
      if (!*row)
        break;
      size_t size = static_cast<size_t>(select->int64At(6));
      if (!items.empty() && bytes + size > maxBytes)
        break;
      bytes += size;
      items.push_back(QueueItem{
          select->int64At(0), select->textAt(1), static_cast<int>(select->int64At(2)),
          static_cast<int>(select->int64At(3)) + 1, select->int64At(4), select->int64At(5)});
    }
  }
  // Stamped after the scan: updating batch_id while scanning an index on it would disturb it.
  Result<Query> stamp = database.query(
      "UPDATE items SET batch_id = ?2, lease_until = ?3, attempts = attempts + 1 WHERE id = ?1");
  if (!stamp)
    return stamp.error();
  for (const QueueItem &item : items) {
    Result<void> ran = stamp->bind(1, item.id).bind(2, batchId).bind(3, leaseUntil).run();
    if (!ran)
      return ran.error();
  }
  // Batches always list their items in id order, so a re-delivery looks the same.
  if (!ageTurn)
    std::sort(items.begin(), items.end(),
              [](const QueueItem &a, const QueueItem &b) { return a.id < b.id; });
  return Batch{std::move(batchId), std::move(items)};
}

} // namespace pyvc::sync
