// The batch body: each payload is checked alone, so one bad payload (trailing bytes after a NUL,
// not JSON, too deep) arrives as a JSON string and never breaks its batch; against a strict
// receiver on 127.0.0.1, through HttpUplink and through the drain loop with the real SyncQueue.
#include "uplink/BatchBody.h"
#include "TestSupport.h"
#include "uplink/DrainLoop.h"
#include "uplink/HttpUplink.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <mutex>
#include <thread>

using namespace std::chrono_literals;
using namespace pyvc;
using namespace pyvc::uplink;
using nlohmann::json;

namespace {

std::string goodPayload(int seq) {
  return R"({"sensor":"temp.room1","timestamp_ms":)" + std::to_string(1732312345678 + seq) +
         R"(,"value":21.5,"extra":{"seq":)" + std::to_string(seq) + "}}";
}

// Valid JSON, then a NUL byte and more: nlohmann's accept() stops at the NUL and says yes.
const std::string kNulPayload =
    std::string(R"({"sensor":"a","timestamp_ms":1,"value":1})") + std::string(1, '\0') + "garbage";

std::string nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

sync::Batch batchOf(std::vector<std::string> payloads) {
  sync::Batch batch;
  batch.batchId = "batch-1";
  for (size_t i = 0; i < payloads.size(); ++i)
    batch.items.push_back(sync::QueueItem{.id = int64_t(i) + 1, .payload = std::move(payloads[i])});
  return batch;
}

// What a strict receiver does with a body: a NUL byte anywhere, or anything but exactly one
// JSON value, is refused (as Python's json.loads and serde_json refuse it).
std::optional<json> parseStrictly(const std::string &body) {
  if (body.find('\0') != std::string::npos)
    return std::nullopt;
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return std::nullopt;
  return parsed;
}

// A receiver on 127.0.0.1 that answers 400 to any body a strict parser refuses, else 200, and
// keeps the items it accepted.
class StrictReceiver {
public:
  StrictReceiver() {
    server_.Post("/ingest", [this](const httplib::Request &request, httplib::Response &response) {
      std::optional<json> body = parseStrictly(request.body);
      std::lock_guard lock(mutex_);
      if (!body || !body->contains("items")) {
        ++refused_;
        response.status = 400;
        response.set_content("body is not strict JSON", "text/plain");
        return;
      }
      for (const json &item : (*body)["items"])
        items_.push_back(item);
      response.status = 200;
      response.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    listener_ = std::thread([this] { server_.listen_after_bind(); });
    // Hang guard only: listen_after_bind sets is_running at once.
    for (int tries = 0; tries < 2000 && !server_.is_running(); ++tries)
      std::this_thread::sleep_for(1ms);
  }
  ~StrictReceiver() {
    server_.stop();
    listener_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/ingest"; }
  std::vector<json> items() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  int refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
  }

private:
  httplib::Server server_;
  std::thread listener_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<json> items_;
  int refused_ = 0;
};

std::unique_ptr<HttpUplink> uplinkTo(const std::string &url) {
  HttpUplinkOptions options;
  options.url = url;
  options.connectTimeout = 2s;
  options.totalTimeout = 5s;
  auto uplink = HttpUplink::create(options);
  EXPECT_TRUE(uplink.ok()) << (uplink ? "" : uplink.error().message);
  return uplink ? std::move(uplink).value() : nullptr;
}

} // namespace

TEST(UplinkBatchBody, PayloadWithBytesAfterNulIsEmbeddedAsAString) {
  BatchBody body = encodeBatchBody(batchOf({goodPayload(1), kNulPayload, goodPayload(2)}));
  EXPECT_EQ(body.payloadsEmbeddedAsStrings, 1u);
  // Written out by hand: the NUL becomes \u0000, the bad payload keeps every byte.
  EXPECT_EQ(body.json, R"({"batch_id":"batch-1","items":[)" + goodPayload(1) +
                           R"(,"{\"sensor\":\"a\",\"timestamp_ms\":1,\"value\":1}\u0000garbage",)" +
                           goodPayload(2) + "]}");
  std::optional<json> parsed = parseStrictly(body.json);
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed)["items"][1].get<std::string>(), kNulPayload);
}

TEST(UplinkBatchBody, EachPayloadIsCheckedAlone) {
  struct Case {
    std::string payload;
    bool verbatim;
  };
  const Case cases[] = {
      {goodPayload(3), true},
      {"[1,2]", true},
      {" \n{\"a\":1}\t", true}, // surrounding whitespace is still one value
      {"\"text\"", true},
      {"-0.5e-3", true},
      {nested(kMaxPayloadDepth), true},
      {nested(kMaxPayloadDepth + 1), false},
      {R"(["[[[[[", "{{{{"])", true}, // brackets inside strings do not nest
      {kNulPayload, false},
      {std::string("{}\0", 3), false},
      {R"({"a":1} {"b":2})", false},
      {"1 2", false},
      {"1e999", false}, // outside double range: a receiver would fail or read inf
      {R"({"v":-1e400})", false},
      {"", false},
      {"{", false},
      {"\xff\xfe", false},
      {"\"\xc3\x28\"", false}, // a string holding invalid UTF-8
  };
  for (const Case &testCase : cases) {
    BatchBody body = encodeBatchBody(batchOf({goodPayload(1), testCase.payload}));
    std::optional<json> parsed = parseStrictly(body.json);
    ASSERT_TRUE(parsed)
        << "the body must stay valid JSON for payload "
        << json(testCase.payload).dump(-1, ' ', false, json::error_handler_t::replace);
    ASSERT_EQ((*parsed)["items"].size(), 2u);
    EXPECT_EQ((*parsed)["items"][0], json::parse(goodPayload(1)));
    EXPECT_EQ(body.payloadsEmbeddedAsStrings, testCase.verbatim ? 0u : 1u)
        << json(testCase.payload).dump(-1, ' ', false, json::error_handler_t::replace);
    const json &item = (*parsed)["items"][1];
    if (testCase.verbatim)
      EXPECT_EQ(item, json::parse(testCase.payload));
    else
      EXPECT_TRUE(item.is_string());
  }
}

TEST(UplinkBatchBody, GzipRoundTripsAndRefusesABadLevel) {
  std::string body = encodeBatchBody(batchOf({goodPayload(1), kNulPayload})).json;
  Result<std::string> compressed = gzipCompress(body, 6);
  ASSERT_TRUE(compressed) << compressed.error().message;
  ASSERT_GE(compressed->size(), 18u);
  EXPECT_EQ(uint8_t((*compressed)[0]), 0x1f) << "gzip magic";
  EXPECT_EQ(uint8_t((*compressed)[1]), 0x8b) << "gzip magic";

  std::string inflated(body.size(), '\0');
  z_stream stream{};
  ASSERT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  stream.next_in = reinterpret_cast<Bytef *>(compressed->data());
  stream.avail_in = uInt(compressed->size());
  stream.next_out = reinterpret_cast<Bytef *>(inflated.data());
  stream.avail_out = uInt(inflated.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  inflateEnd(&stream);
  EXPECT_EQ(inflated, body);

  // zlib levels are -1..9: an error, not an exception or a crash.
  Result<std::string> badLevel = gzipCompress(body, 42);
  ASSERT_FALSE(badLevel);
  EXPECT_EQ(badLevel.error().message, "gzip: cannot initialise zlib deflate (out of memory?)");
}

TEST(UplinkBatchBody, StrictReceiverAcceptsABatchHoldingABadPayload) {
  StrictReceiver receiver;
  auto uplink = uplinkTo(receiver.url());
  ASSERT_TRUE(uplink);
  std::vector<std::string> payloads;
  for (int seq = 0; seq < 10; ++seq)
    payloads.push_back(goodPayload(seq));
  payloads.insert(payloads.begin() + 5, kNulPayload);

  Delivery delivery = uplink->send(batchOf(payloads));
  EXPECT_EQ(delivery.kind, DeliveryKind::Ack) << delivery.detail;
  EXPECT_EQ(receiver.refused(), 0);
  std::vector<json> items = receiver.items();
  ASSERT_EQ(items.size(), 11u);
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == 5)
      EXPECT_EQ(items[i], json(kNulPayload));
    else
      EXPECT_EQ(items[i], json::parse(payloads[i]));
  }
}

TEST(UplinkBatchBody, DrainLoopDeadLettersNothingForOneBadPayload) {
  uplink::testing::TemporaryDirectory directory;
  ASSERT_FALSE(directory.path().empty());
  StrictReceiver receiver;
  sync::QueueOptions queueOptions;
  queueOptions.path = directory.file("queue.db");
  queueOptions.durability = sync::Durability::Normal;
  auto opened = sync::SyncQueue::open(queueOptions);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<sync::SyncQueue> queue = std::move(opened).value();
  for (int seq = 0; seq < 10; ++seq) {
    ASSERT_TRUE(queue->enqueue(goodPayload(seq), 0, 0ms).ok());
    if (seq == 4)
      ASSERT_TRUE(queue->enqueue(kNulPayload, 0, 0ms).ok());
  }

  auto uplink = uplinkTo(receiver.url());
  ASSERT_TRUE(uplink);
  std::mutex queueMutex;
  DrainOptions options;
  options.maxBatchItems = 100; // all 11 in one batch, as in the report
  options.queueMutex = &queueMutex;
  options.randomSeed = 3;
  DrainLoop loop(*queue, *uplink, options);
  loop.start();
  bool drained = uplink::testing::eventually(
      [&] {
        std::lock_guard lock(queueMutex);
        auto stats = queue->stats();
        return stats.ok() && stats->queued == 0;
      },
      20s);
  loop.stop();
  ASSERT_TRUE(drained) << "hang guard";

  auto stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->deadLettered, 0);
  EXPECT_EQ(stats->acked, 11);
  EXPECT_EQ(loop.stats().rejectedItems, 0u);
  EXPECT_EQ(receiver.refused(), 0);
  std::vector<json> items = receiver.items();
  ASSERT_EQ(items.size(), 11u);
  EXPECT_EQ(items[5], json(kNulPayload));
  EXPECT_EQ(items[4], json::parse(goodPayload(4)));
  EXPECT_EQ(items[6], json::parse(goodPayload(5)));
}
