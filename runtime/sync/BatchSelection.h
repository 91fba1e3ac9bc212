// BatchSelection: which work a dequeue hands out — a batch coming back under its old id, or
// fresh items in line order (by priority, or by age on an anti-starvation turn) — and leasing it.
// Each function runs inside the caller's write transaction.
#pragma once

#include "core/Result.h"
#include "sync/QueueDatabase.h"

#include <optional>
#include <string>
#include <vector>

namespace pyvc::sync {

// A batch that went out before and is deliverable again (nacked and backed off, or its lease
// expired), and the rank it competes with: its best priority and its oldest item.
struct ReturningBatch {
  std::string batchId;
  int64_t priority;
  int64_t oldestId;
};

// The fresh item first in line.
struct FreshHead {
  int64_t priority;
  int64_t id;
};

// The returning batch first in line: best priority then oldest, or on an age turn the oldest.
Result<std::optional<ReturningBatch>> findReturningBatch(QueueDatabase &database, int64_t nowMs,
                                                         bool ageTurn);
// The fresh item first in line: the highest priority's oldest, or on an age turn the oldest.
Result<std::optional<FreshHead>> findFreshHead(QueueDatabase &database, bool ageTurn);
// Whether a batch that failed is waiting out its backoff (nacked, retry time not reached).
Result<bool> isBatchBackingOff(QueueDatabase &database, int64_t nowMs);
// Leases the items already carrying batchId again, counting one more attempt.
// Items whose payload fails its checksum are quarantined (ItemRemoval.h) and left out.
Result<Batch> releaseReturningBatch(QueueDatabase &database, const std::string &batchId,
                                    int64_t leaseUntil, int64_t nowMs);
// Leases fresh items in line order up to the limits (at least one) under a new batch id.
Result<Batch> formFreshBatch(QueueDatabase &database, std::string batchId, bool ageTurn,
                             size_t maxItems, size_t maxBytes, int64_t leaseUntil, int64_t nowMs);

} // namespace pyvc::sync
