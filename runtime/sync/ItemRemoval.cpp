// ItemRemoval: expiry, dead letters and the removal step they share with ack and eviction.
#include "sync/ItemRemoval.h"

#include <vector>

namespace pyvc::sync {

namespace {

// The statements that remove a set of items: measure it (for the counters), delete the
// payloads, delete the items. Each selects by one parameter, ?1.
struct RemovalStatements {
  const char *measure;
  const char *deletePayloads;
  const char *deleteItems;
};

constexpr RemovalStatements RemoveBatch{
    "SELECT COUNT(*), TOTAL(size) FROM items WHERE batch_id = ?1",
    "DELETE FROM payloads WHERE id IN (SELECT id FROM items WHERE batch_id = ?1)",
    "DELETE FROM items WHERE batch_id = ?1"};
constexpr RemovalStatements RemoveExpired{
    "SELECT COUNT(*), TOTAL(size) FROM items "
    "WHERE expires_at <= ?1 AND expires_at < 9223372036854775807",
    "DELETE FROM payloads WHERE id IN (SELECT id FROM items "
    "WHERE expires_at <= ?1 AND expires_at < 9223372036854775807)",
    "DELETE FROM items WHERE expires_at <= ?1 AND expires_at < 9223372036854775807"};
constexpr RemovalStatements RemoveItem{"SELECT COUNT(*), TOTAL(size) FROM items WHERE id = ?1",
                                       "DELETE FROM payloads WHERE id = ?1",
                                       "DELETE FROM items WHERE id = ?1"};

// Removes the selected items with their payloads and keeps queued_items/queued_bytes exact.
// Returns how many items went.
template <typename Key>
Result<int64_t> removeItems(QueueDatabase &database, const RemovalStatements &statements,
                            const Key &key) {
  int64_t items = 0, bytes = 0;
  {
    Result<Query> measure = database.query(statements.measure);
    if (!measure)
      return measure.error();
    Result<bool> row = measure->bind(1, key).step();
    if (!row)
      return row.error();
    items = measure->int64At(0);
    bytes = measure->int64At(1);
  }
  if (items == 0)
    return int64_t(0);
  for (const char *sql : {statements.deletePayloads, statements.deleteItems}) {
    Result<Query> remove = database.query(sql);
    if (!remove)
      return remove.error();
    if (Result<void> ran = remove->bind(1, key).run(); !ran)
      return ran.error();
  }
  if (Result<void> counted = database.addToCounter(counter::QueuedItems, -items); !counted)
    return counted.error();
  if (Result<void> counted = database.addToCounter(counter::QueuedBytes, -bytes); !counted)
    return counted.error();
  return items;
}

} // namespace

Result<int64_t> removeBatchItems(QueueDatabase &database, const std::string &batchId) {
  return removeItems(database, RemoveBatch, batchId);
}

Result<int64_t> removeItem(QueueDatabase &database, int64_t id) {
  return removeItems(database, RemoveItem, id);
}

// Deletes every item past its TTL, counting them. Leased items expire too: a late ack of them
// is harmless, and a nack brings back the rest of their batch.
Result<int64_t> sweepExpired(QueueDatabase &database, int64_t nowMs) {
  Result<int64_t> expired = removeItems(database, RemoveExpired, nowMs);
  if (!expired)
    return expired.error();
  if (Result<void> counted = database.addToCounter(counter::forDrop(DropReason::Expired), *expired);
      !counted)
    return counted.error();
  return expired;
}

// Moves the items of one batch to the dead-letter table with the reason, counting them.
Result<int64_t> moveBatchToDeadLetters(QueueDatabase &database, const std::string &batchId,
                                       std::string_view reason, int64_t nowMs) {
  Result<Query> copy = database.query(
      "INSERT INTO dead_letters(id, payload, priority, attempts, enqueued_at, dead_at, batch_id, "
      "reason) SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, ?2, i.batch_id, ?3 "
      "FROM items i JOIN payloads p ON p.id = i.id WHERE i.batch_id = ?1");
  if (!copy)
    return copy.error();
  if (Result<void> ran = copy->bind(1, batchId).bind(2, nowMs).bind(3, reason).run(); !ran)
    return ran.error();
  Result<int64_t> moved = removeBatchItems(database, batchId);
  if (!moved)
    return moved.error();
  if (Result<void> counted =
          database.addToCounter(counter::forDrop(DropReason::DeadLetter), *moved);
      !counted)
    return counted.error();
  return moved;
}

Result<void> quarantineItem(QueueDatabase &database, int64_t id, std::string_view reason,
                            int64_t nowMs) {
  Result<Query> copy = database.query(
      "INSERT OR REPLACE INTO dead_letters(id, payload, priority, attempts, enqueued_at, dead_at, "
      "batch_id, reason) SELECT i.id, p.payload, i.priority, i.attempts, i.enqueued_at, ?2, "
      "i.batch_id, ?3 FROM items i JOIN payloads p ON p.id = i.id WHERE i.id = ?1");
  if (!copy)
    return copy.error();
  if (Result<void> ran = copy->bind(1, id).bind(2, nowMs).bind(3, reason).run(); !ran)
    return ran.error();
  Result<int64_t> removed = removeItem(database, id);
  if (!removed)
    return removed.error();
  return database.addToCounter(counter::forDrop(DropReason::Corrupt), *removed);
}

// A batch whose holder died (or never answered) on its last allowed attempt is not offered
// again: a payload that crashes its consumer must not crash it forever.
Result<void> deadLetterExhaustedLeases(QueueDatabase &database, int maxAttempts, int64_t nowMs) {
  std::vector<std::string> exhausted;
  {
    Result<Query> select = database.query(
        "SELECT DISTINCT batch_id FROM items WHERE batch_id IS NOT NULL AND lease_until > 0 "
        "AND lease_until <= ?1 AND attempts >= ?2");
    if (!select)
      return select.error();
    select->bind(1, nowMs).bind(2, static_cast<int64_t>(maxAttempts));
    for (;;) {
      Result<bool> row = select->step();
      if (!row)
        return row.error();
      if (!*row)
        break;
      exhausted.push_back(select->textAt(0));
    }
  }
  std::string reason = "lease expired on the last of " + std::to_string(maxAttempts) + " attempts";
  for (const std::string &batchId : exhausted)
    if (Result<int64_t> moved = moveBatchToDeadLetters(database, batchId, reason, nowMs); !moved)
      return moved.error();
  return {};
}

} // namespace pyvc::sync
