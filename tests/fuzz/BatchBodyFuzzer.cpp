// Fuzzes the uplink batch body: any batch id and payload bytes must give one valid JSON value
// (no NUL byte, within receivers' depth limits) holding every payload in order, verbatim when
// the payload is one JSON value and as a string otherwise; and gzip must round-trip it.
#include "FuzzSupport.h"

#include "core/StrictJson.h"
#include "core/Utf8.h"
#include "uplink/BatchBody.h"

#include <fuzzer/FuzzedDataProvider.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

using nlohmann::json;

namespace {

std::string gunzip(const std::string &compressed, size_t expectedSize) {
  z_stream stream{};
  pyvc::fuzz::check(inflateInit2(&stream, 15 + 16) == Z_OK, "inflateInit2");
  std::string output(expectedSize + 1, '\0');
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef *>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  int status = inflate(&stream, Z_FINISH);
  output.resize(stream.total_out);
  inflateEnd(&stream);
  pyvc::fuzz::check(status == Z_STREAM_END, "gzip stream ends");
  return output;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider input(data, size);
  pyvc::sync::Batch batch;
  batch.batchId = input.ConsumeRandomLengthString(64);
  while (input.remaining_bytes() > 0) {
    pyvc::sync::QueueItem item;
    item.id = int64_t(batch.items.size()) + 1;
    item.payload = input.ConsumeRandomLengthString(4096);
    batch.items.push_back(std::move(item));
  }

  pyvc::uplink::BatchBody body = pyvc::uplink::encodeBatchBody(batch);
  pyvc::fuzz::check(body.json.find('\0') == std::string::npos, "no NUL byte in the body");
  pyvc::fuzz::check(pyvc::checkJsonDepth(body.json, pyvc::uplink::kMaxPayloadDepth + 2).ok(),
                    "the body stays within the payload depth limit");
  json parsed = json::parse(body.json, nullptr, /*allow_exceptions=*/false);
  pyvc::fuzz::check(parsed.is_object(), "the body is one JSON object");
  pyvc::fuzz::check(parsed.size() == 2, "the body has batch_id and items only");
  if (pyvc::isValidUtf8(batch.batchId))
    pyvc::fuzz::check(parsed["batch_id"] == batch.batchId, "the batch id arrives");
  const json &items = parsed["items"];
  pyvc::fuzz::check(items.is_array() && items.size() == batch.items.size(), "every item arrives");

  size_t asStrings = 0;
  for (size_t index = 0; index < batch.items.size(); ++index) {
    const std::string &payload = batch.items[index].payload;
    bool verbatim = payload.find('\0') == std::string::npos && json::accept(payload) &&
                    pyvc::checkJsonDepth(payload, pyvc::uplink::kMaxPayloadDepth).ok();
    if (verbatim) {
      pyvc::fuzz::check(items[index] == json::parse(payload), "a valid payload arrives as is");
      continue;
    }
    ++asStrings;
    pyvc::fuzz::check(items[index].is_string(), "an invalid payload arrives as a string");
    // Invalid UTF-8 is replaced by U+FFFD, so only valid text must arrive byte for byte.
    if (pyvc::isValidUtf8(payload))
      pyvc::fuzz::check(items[index].get_ref<const std::string &>() == payload,
                        "a payload embedded as a string keeps its bytes");
  }
  pyvc::fuzz::check(asStrings == body.payloadsEmbeddedAsStrings, "strings are counted");

  pyvc::Result<std::string> compressed = pyvc::uplink::gzipCompress(body.json, 1);
  pyvc::fuzz::check(compressed.ok(), "gzip succeeds");
  pyvc::fuzz::check(gunzip(*compressed, body.json.size()) == body.json, "gzip round-trips");
  return 0;
}
