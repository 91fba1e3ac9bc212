// BatchSelection: the queries behind dequeueBatch's choice and the leasing of what it chose.
#include "sync/BatchSelection.h"

#include "store/Crc32c.h"
#include "sync/ItemRemoval.h"

#include <algorithm>
#include <cstdio>

namespace pyvc::sync {

namespace {

// An item whose payload no longer matches the checksum written with it (column `crcColumn` of
// the current row), or nullopt when it matches or predates checksums (NULL: unverified).
std::optional<std::string> checksumMismatch(const Query &select, const std::string &payload,
                                            int crcColumn) {
  if (select.isNullAt(crcColumn))
    return std::nullopt;
  uint32_t stored = static_cast<uint32_t>(select.int64At(crcColumn));
  uint32_t computed = store::crc32c(payload);
  if (stored == computed)
    return std::nullopt;
  char reason[128];
  std::snprintf(reason, sizeof reason,
                "payload damaged on disk: crc32c 0x%08x written, 0x%08x read (%zu bytes)", stored,
                computed, payload.size());
  return std::string(reason);
}

struct DamagedItem {
  int64_t id;
  std::string reason;
};

Result<void> quarantineAll(QueueDatabase &database, const std::vector<DamagedItem> &damaged,
                           int64_t nowMs) {
  for (const DamagedItem &item : damaged) {
    std::fprintf(stderr, "pyvc sync queue: item %lld quarantined to the dead letters: %s\n",
                 static_cast<long long>(item.id), item.reason.c_str());
    if (Result<void> moved = quarantineItem(database, item.id, item.reason, nowMs); !moved)
      return moved.error();
  }
  return {};
}

Result<std::vector<QueueItem>> readBatchItems(QueueDatabase &database, const std::string &batchId,
                                              int64_t nowMs) {
  std::vector<QueueItem> items;
  std::vector<DamagedItem> damaged;
  {
    Result<Query> select =
        database.query("SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, "
                       "i.expires_at, p.crc FROM items i JOIN payloads p ON p.id = i.id "
                       "WHERE i.batch_id = ?1 ORDER BY i.id");
    if (!select)
      return select.error();
    select->bind(1, batchId);
    for (;;) {
      Result<bool> row = select->step();
      if (!row)
        return row.error();
      if (!*row)
        break;
      std::string payload = select->textAt(1);
      if (std::optional<std::string> mismatch = checksumMismatch(*select, payload, 6)) {
        damaged.push_back({select->int64At(0), std::move(*mismatch)});
        continue;
      }
      items.push_back(
          QueueItem{select->int64At(0), std::move(payload), static_cast<int>(select->int64At(2)),
                    static_cast<int>(select->int64At(3)), select->int64At(4), select->int64At(5)});
    }
  }
  if (Result<void> quarantined = quarantineAll(database, damaged, nowMs); !quarantined)
    return quarantined.error();
  return items;
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
                                    int64_t leaseUntil, int64_t nowMs) {
  Result<Query> lease = database.query(
      "UPDATE items SET lease_until = ?2, attempts = attempts + 1 WHERE batch_id = ?1");
  if (!lease)
    return lease.error();
  if (Result<void> ran = lease->bind(1, batchId).bind(2, leaseUntil).run(); !ran)
    return ran.error();
  Result<std::vector<QueueItem>> items = readBatchItems(database, batchId, nowMs);
  if (!items)
    return items.error();
  return Batch{batchId, std::move(*items)};
}

// Picks fresh items in line order up to the limits (always at least one, so an item larger
// than maxBytes still goes, alone), then stamps them with the new batch id and a lease.
Result<Batch> formFreshBatch(QueueDatabase &database, std::string batchId, bool ageTurn,
                             size_t maxItems, size_t maxBytes, int64_t leaseUntil, int64_t nowMs) {
  std::vector<QueueItem> items;
  std::vector<DamagedItem> damaged;
  {
    Result<Query> select = database.query(
        ageTurn ? "SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, "
                  "i.expires_at, i.size, p.crc FROM items i JOIN payloads p ON p.id = i.id "
                  "WHERE i.batch_id IS NULL ORDER BY i.id LIMIT ?1"
                : "SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, "
                  "i.expires_at, i.size, p.crc FROM items i JOIN payloads p ON p.id = i.id "
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
      std::string payload = select->textAt(1);
      // Damaged bytes are never sent: the item goes to the dead letters (after the scan).
      if (std::optional<std::string> mismatch = checksumMismatch(*select, payload, 7)) {
        damaged.push_back({select->int64At(0), std::move(*mismatch)});
        continue;
      }
      bytes += size;
      items.push_back(QueueItem{
          select->int64At(0), std::move(payload), static_cast<int>(select->int64At(2)),
          static_cast<int>(select->int64At(3)) + 1, select->int64At(4), select->int64At(5)});
    }
  }
  if (Result<void> quarantined = quarantineAll(database, damaged, nowMs); !quarantined)
    return quarantined.error();
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
