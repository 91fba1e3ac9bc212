// The body every uplink sends for a batch (one JSON object), and its optional gzip form.
//
//   {"batch_id":"<idempotency key>","items":[<payload 1>,<payload 2>,...]}
//
// Payloads are JSON texts (serialised readings) and are embedded verbatim, in batch order. A
// payload that is not valid JSON cannot be embedded verbatim without breaking the body, so it
// is embedded as a JSON string instead (invalid UTF-8 replaced by U+FFFD) and counted: the
// receiver still gets it, and the rest of the batch is not held hostage by one bad item.
#pragma once

#include "core/Result.h"
#include "sync/SyncQueue.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace pyvc::uplink {

struct BatchBody {
  std::string json;
  size_t payloadsEmbeddedAsStrings = 0; // payloads that were not valid JSON
};

BatchBody encodeBatchBody(const sync::Batch &batch);

// gzip (RFC 1952) of `data` at zlib `level` (1 fastest .. 9 smallest). Fails only when zlib
// cannot allocate its state.
Result<std::string> gzipCompress(std::string_view data, int level);

} // namespace pyvc::uplink
