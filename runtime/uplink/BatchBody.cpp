// Encodes a batch as the uplink body (see BatchBody.h for the format) and gzips it with zlib.
#include "uplink/BatchBody.h"

#include "core/StrictJson.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cassert>
#include <exception>
#include <limits>

namespace pyvc::uplink {

namespace {

// A JSON string literal for arbitrary bytes; invalid UTF-8 becomes U+FFFD rather than an
// exception, because a bad payload must be set aside, never crash the drain loop.
std::string jsonStringLiteral(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// True when `payload` is exactly one complete JSON value, every byte of it. accept() validates
// without building a DOM (iteratively, and checking UTF-8), so valid payloads are copied byte
// for byte; but nlohmann's lexer takes a NUL byte for the end of the input, so `{}` NUL `x`
// would pass and break the body. No JSON text holds a raw NUL (in a string it must be escaped).
bool isOneJsonValue(std::string_view payload) {
  if (payload.find('\0') != std::string_view::npos)
    return false;
  if (!checkJsonDepth(payload, kMaxPayloadDepth))
    return false;
  try {
    return nlohmann::json::accept(payload);
  } catch (const std::exception &) {
    return false; // accept() reports through its result; this is for allocation failures
  }
}

} // namespace

BatchBody encodeBatchBody(const sync::Batch &batch) {
  BatchBody body;
  size_t payloadBytes = 0;
  for (const sync::QueueItem &item : batch.items)
    payloadBytes += item.payload.size() + 1;
  body.json.reserve(payloadBytes + batch.batchId.size() + 32);

  body.json += "{\"batch_id\":";
  body.json += jsonStringLiteral(batch.batchId);
  body.json += ",\"items\":[";
  bool first = true;
  for (const sync::QueueItem &item : batch.items) {
    if (!first)
      body.json += ',';
    first = false;
    if (isOneJsonValue(item.payload)) {
      body.json += item.payload;
      continue;
    }
    body.json += jsonStringLiteral(item.payload);
    ++body.payloadsEmbeddedAsStrings;
  }
  body.json += "]}";
  return body;
}

Result<std::string> gzipCompress(std::string_view data, int level) {
  // One deflate() call takes at most uInt bytes; a batch body is far below that.
  if (data.size() > std::numeric_limits<uInt>::max())
    return makeError("gzip: " + std::to_string(data.size()) + " bytes is too large for one call");
  z_stream stream{};
  // windowBits 15 + 16 asks zlib for a gzip header and trailer instead of a zlib wrapper.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return makeError("gzip: cannot initialise zlib deflate (out of memory?)");

  std::string compressed;
  compressed.resize(deflateBound(&stream, static_cast<uLong>(data.size())) + 32);
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef *>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  int status = deflate(&stream, Z_FINISH);
  size_t produced = stream.total_out;
  deflateEnd(&stream);
  // deflateBound guarantees room for a single Z_FINISH call.
  assert(status == Z_STREAM_END && "deflateBound must leave room for the whole gzip stream");
  if (status != Z_STREAM_END)
    return makeError("gzip: deflate did not finish (status " + std::to_string(status) + ")");
  compressed.resize(produced);
  return compressed;
}

} // namespace pyvc::uplink
