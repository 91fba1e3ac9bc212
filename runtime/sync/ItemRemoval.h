// ItemRemoval: taking items out of the queue other than by delivery order — expiry, dead
// letters, and the shared step that deletes items with their payloads and keeps the queued
// item/byte counters exact, in the caller's transaction.
#pragma once

#include "core/Result.h"
#include "sync/QueueDatabase.h"

#include <string>
#include <string_view>

namespace pyvc::sync {

// Removes every item of the batch with its payload; returns how many went.
Result<int64_t> removeBatchItems(QueueDatabase &database, const std::string &batchId);
// Removes one item with its payload; returns 1, or 0 when it was already gone.
Result<int64_t> removeItem(QueueDatabase &database, int64_t id);
// Deletes every item past its TTL, counted as Expired; returns how many.
Result<int64_t> sweepExpired(QueueDatabase &database, int64_t nowMs);
// Moves the items of one batch to the dead-letter table with the reason, counted as DeadLetter.
Result<int64_t> moveBatchToDeadLetters(QueueDatabase &database, const std::string &batchId,
                                       std::string_view reason, int64_t nowMs);
// Moves one item whose payload failed its checksum to the dead-letter table with the reason,
// counted as Corrupt.
Result<void> quarantineItem(QueueDatabase &database, int64_t id, std::string_view reason,
                            int64_t nowMs);
// Dead-letters batches whose lease expired on their last allowed attempt.
Result<void> deadLetterExhaustedLeases(QueueDatabase &database, int maxAttempts, int64_t nowMs);

} // namespace pyvc::sync
