// The body every uplink sends for a batch (one JSON object), and its optional gzip form.
//
//   {"batch_id":"<idempotency key>","items":[<payload 1>,<payload 2>,...]}
//
// Payloads are JSON texts (serialised readings) and are embedded verbatim, in batch order. Each
// payload is checked alone: one that is not exactly one complete JSON value over all its bytes
// (not JSON, trailing bytes, a NUL byte anywhere, a number outside double range, nesting deeper
// than kMaxPayloadDepth) cannot be
// embedded verbatim without breaking the body, so it is embedded as a JSON string instead
// (invalid UTF-8 replaced by U+FFFD, a NUL byte escaped as \u0000) and counted: the receiver
// still gets it, and the rest of the batch is not held hostage by one bad item. So the body is
// always one valid JSON value, whatever the payloads hold.
#pragma once

#include "core/Result.h"
#include "sync/SyncQueue.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace pyvc::uplink {

// Receivers refuse deep documents (serde_json at 128 levels, Python's json near 1000), which
// would refuse the whole batch; with the body's own 2 levels this stays within all of them. A
// reading nests at most 65 (core/Reading.h).
inline constexpr int kMaxPayloadDepth = 100;

struct BatchBody {
  std::string json;
  size_t payloadsEmbeddedAsStrings = 0; // payloads that were not valid JSON
};

// Never throws.
BatchBody encodeBatchBody(const sync::Batch &batch);

// gzip (RFC 1952) of `data` at zlib `level` (1 fastest .. 9 smallest). Fails only when zlib
// cannot allocate its state.
Result<std::string> gzipCompress(std::string_view data, int level);

} // namespace pyvc::uplink
