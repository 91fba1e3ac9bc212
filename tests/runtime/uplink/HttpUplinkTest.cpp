// HttpUplink against a real cpp-httplib server on 127.0.0.1: the body and headers that arrive,
// and the verdict for every kind of answer (2xx, 429, 5xx, 4xx, slow, dropped, down).
#include "uplink/HttpUplink.h"
#include "TestHttpServer.h"
#include "uplink/BatchBody.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace pyvc::uplink;
using namespace pyvc::uplink::testing;

namespace {

pyvc::sync::Batch makeBatch(std::string batchId, int firstSeq, int count) {
  pyvc::sync::Batch batch;
  batch.batchId = std::move(batchId);
  for (int i = 0; i < count; ++i) {
    pyvc::sync::QueueItem item;
    item.id = firstSeq + i;
    item.payload = R"({"sensor":"temp.room1","seq":)" + std::to_string(firstSeq + i) +
                   R"(,"timestamp_ms":1732312345678,"unit":"C","value":21.5})";
    batch.items.push_back(std::move(item));
  }
  return batch;
}

std::unique_ptr<HttpUplink> makeUplink(HttpUplinkOptions options) {
  auto uplink = HttpUplink::create(std::move(options));
  EXPECT_TRUE(uplink.ok()) << (uplink ? "" : uplink.error().message);
  return uplink ? std::move(uplink).value() : nullptr;
}

HttpUplinkOptions optionsFor(const TestHttpServer &server) {
  HttpUplinkOptions options;
  options.url = server.url();
  options.connectTimeout = 2s;
  options.totalTimeout = 5s;
  return options;
}

} // namespace

TEST(UplinkHttp, AckOn200WithBodyAndIdempotencyKey) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  HttpUplinkOptions options = optionsFor(server);
  options.extraHeaders = {{"Authorization", "Bearer secret-token"}};
  auto uplink = makeUplink(options);

  Delivery delivery = uplink->send(makeBatch("batch-7", 10, 3));
  EXPECT_EQ(delivery.kind, DeliveryKind::Ack) << delivery.detail;
  EXPECT_GT(delivery.wireBytes, 0u);

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].idempotencyKey, "batch-7");
  EXPECT_EQ(requests[0].batchId, "batch-7");
  EXPECT_EQ(requests[0].contentEncoding, "");
  EXPECT_EQ(requests[0].authorization, "Bearer secret-token");
  ASSERT_EQ(requests[0].items.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(requests[0].items[i]["seq"], 10 + i); // batch order kept
  EXPECT_EQ(requests[0].body, encodeBatchBody(makeBatch("batch-7", 10, 3)).json);
}

TEST(UplinkHttp, GzipBodyIsSmallerOnTheWireAndDecodesToTheSameJson) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  HttpUplinkOptions options = optionsFor(server);
  options.gzip = true;
  auto uplink = makeUplink(options);

  pyvc::sync::Batch batch = makeBatch("gz-1", 0, 200);
  Delivery delivery = uplink->send(batch);
  ASSERT_EQ(delivery.kind, DeliveryKind::Ack) << delivery.detail;

  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].contentEncoding, "gzip");
  EXPECT_EQ(requests[0].body, encodeBatchBody(batch).json);
  EXPECT_LT(requests[0].contentLength * 3, requests[0].body.size()) << "gzip should shrink JSON";
  EXPECT_EQ(requests[0].items.size(), 200u);
}

TEST(UplinkHttp, WireBytesCountBodyAndHeadersOnce) {
  // Small bodies travel in the same buffer as the headers, large ones separately: both must be
  // counted once, or the bandwidth cap would throttle twice as hard as configured.
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  auto uplink = makeUplink(optionsFor(server));
  for (int items : {3, 2000}) {
    pyvc::sync::Batch batch = makeBatch("wire-" + std::to_string(items), 0, items);
    size_t bodyBytes = encodeBatchBody(batch).json.size();
    Delivery delivery = uplink->send(batch);
    ASSERT_EQ(delivery.kind, DeliveryKind::Ack);
    EXPECT_GT(delivery.wireBytes, bodyBytes) << items << " items";
    EXPECT_LT(delivery.wireBytes, bodyBytes + 1024) << items << " items";
  }
}

TEST(UplinkHttp, ReusesOneConnectionForConsecutiveBatches) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  auto uplink = makeUplink(optionsFor(server));
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(uplink->send(makeBatch("b" + std::to_string(i), i, 1)).kind, DeliveryKind::Ack);
  EXPECT_EQ(uplink->stats().requests, 5u);
  EXPECT_EQ(uplink->stats().lastStatus, 200);
}

TEST(UplinkHttp, TooManyRequestsIsRetryHonouringRetryAfterSeconds) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  server.script({{429, "slow down", "7"}});
  auto uplink = makeUplink(optionsFor(server));

  Delivery delivery = uplink->send(makeBatch("b-429", 0, 2));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  EXPECT_EQ(delivery.failure, FailureKind::Server);
  ASSERT_TRUE(delivery.retryAfter.has_value());
  EXPECT_EQ(*delivery.retryAfter, 7s);
  EXPECT_NE(delivery.detail.find("429"), std::string::npos);
}

TEST(UplinkHttp, ServiceUnavailableHonoursRetryAfterHttpDate) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  // An HTTP-date 30 s ahead; the verdict may be a second or two less by the time it is read.
  char date[64];
  std::time_t later = std::time(nullptr) + 30;
  std::tm utc{};
  gmtime_r(&later, &utc);
  std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  server.script({{503, "maintenance", std::string(date)}});
  auto uplink = makeUplink(optionsFor(server));

  Delivery delivery = uplink->send(makeBatch("b-503", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  ASSERT_TRUE(delivery.retryAfter.has_value());
  EXPECT_LE(*delivery.retryAfter, 30s);
  EXPECT_GE(*delivery.retryAfter, 20s);
}

TEST(UplinkHttp, ServerErrorWithoutRetryAfterIsPlainRetry) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  server.script({{500, "boom", std::nullopt}});
  auto uplink = makeUplink(optionsFor(server));
  Delivery delivery = uplink->send(makeBatch("b-500", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  EXPECT_EQ(delivery.failure, FailureKind::Server);
  EXPECT_FALSE(delivery.retryAfter.has_value());
  // The next answer is the default 200: the same uplink recovers.
  EXPECT_EQ(uplink->send(makeBatch("b-500", 0, 1)).kind, DeliveryKind::Ack);
}

TEST(UplinkHttp, CancelWithNothingInFlightEndsOnlyTheNextSend) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  auto uplink = makeUplink(optionsFor(server));
  uplink->cancel();
  Delivery cancelled = uplink->send(makeBatch("b-cancel", 0, 1));
  EXPECT_EQ(cancelled.kind, DeliveryKind::Retry);
  EXPECT_EQ(cancelled.detail, "http: cancelled");
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(uplink->send(makeBatch("b-cancel", 0, 1)).kind, DeliveryKind::Ack);
}

TEST(UplinkHttp, RetryAfterIsCappedByOption) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  server.script({{429, "", "86400"}});
  HttpUplinkOptions options = optionsFor(server);
  options.maxRetryAfter = 90s;
  auto uplink = makeUplink(options);
  Delivery delivery = uplink->send(makeBatch("b", 0, 1));
  ASSERT_TRUE(delivery.retryAfter.has_value());
  EXPECT_EQ(*delivery.retryAfter, 90s);
}

TEST(UplinkHttp, BadRequestIsRejectWithStatusAndResponse) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  server.script({{400, "field `value` must be a number", std::nullopt}});
  auto uplink = makeUplink(optionsFor(server));
  Delivery delivery = uplink->send(makeBatch("b-400", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Reject);
  EXPECT_EQ(delivery.detail, "http 400: field `value` must be a number");
}

TEST(UplinkHttp, ServerDownIsTransportRetry) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  HttpUplinkOptions options = optionsFor(server);
  server.stop();
  auto uplink = makeUplink(options);
  Delivery delivery = uplink->send(makeBatch("b-down", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  EXPECT_EQ(delivery.failure, FailureKind::Transport);
  EXPECT_NE(delivery.detail.find("curl error 7"), std::string::npos) << delivery.detail;
  EXPECT_EQ(uplink->stats().transportFailures, 1u);
}

TEST(UplinkHttp, DroppedConnectionIsTransportRetry) {
  DroppingServer server;
  HttpUplinkOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/ingest";
  options.totalTimeout = 10s; // hang guard only
  auto uplink = makeUplink(options);
  Delivery delivery = uplink->send(makeBatch("b-drop", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  EXPECT_EQ(delivery.failure, FailureKind::Transport);
  EXPECT_GE(server.connectionsDropped(), 1);
}

TEST(UplinkHttp, SlowServerPastTotalTimeoutIsTransportRetry) {
  TestHttpServer server;
  ASSERT_GT(server.start(), 0);
  server.script({{200, "late", std::nullopt, 1500ms}});
  HttpUplinkOptions options = optionsFor(server);
  options.totalTimeout = 200ms;
  auto uplink = makeUplink(options);
  Delivery delivery = uplink->send(makeBatch("b-slow", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  EXPECT_EQ(delivery.failure, FailureKind::Transport);
  EXPECT_NE(delivery.detail.find("curl error 28"), std::string::npos) << delivery.detail;
}

TEST(UplinkHttp, CreateRefusesBadOptions) {
  HttpUplinkOptions options;
  options.url = "ftp://example.org/x";
  EXPECT_FALSE(HttpUplink::create(options).ok());

  options.url = "https://127.0.0.1:1/ingest";
  options.caFile = "/nonexistent/ca.pem";
  auto missingCa = HttpUplink::create(options);
  ASSERT_FALSE(missingCa.ok());
  EXPECT_NE(missingCa.error().message.find("CA file"), std::string::npos);

  options.caFile.clear();
  options.clientCertFile = "/etc/hostname";
  EXPECT_FALSE(HttpUplink::create(options).ok()) << "a certificate without a key";

  options.clientCertFile.clear();
  options.extraHeaders = {{"X-Evil", "a\r\nInjected: yes"}};
  auto injected = HttpUplink::create(options);
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().message.find("a\r\n"), std::string::npos) << "value not echoed";
}

TEST(UplinkHttp, ParseRetryAfterSecondsAndDates) {
  std::time_t now = 1445412480; // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parseRetryAfter("120", now), std::chrono::milliseconds(120s));
  EXPECT_EQ(parseRetryAfter(" 0 ", now), std::chrono::milliseconds(0));
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), std::chrono::milliseconds(30s));
  EXPECT_EQ(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), std::chrono::milliseconds(0));
  EXPECT_FALSE(parseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(parseRetryAfter("", now).has_value());
  EXPECT_FALSE(parseRetryAfter("99999999999999999999999", now).has_value());
}

TEST(UplinkHttp, BodyEmbedsInvalidPayloadsAsStrings) {
  pyvc::sync::Batch batch = makeBatch("b\"q", 0, 1);
  pyvc::sync::QueueItem broken;
  broken.payload = "{not json \xff";
  batch.items.push_back(broken);
  BatchBody body = encodeBatchBody(batch);
  EXPECT_EQ(body.payloadsEmbeddedAsStrings, 1u);
  nlohmann::json parsed = nlohmann::json::parse(body.json, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << body.json;
  EXPECT_EQ(parsed["batch_id"], "b\"q");
  ASSERT_EQ(parsed["items"].size(), 2u);
  EXPECT_EQ(parsed["items"][0]["seq"], 0);
  EXPECT_EQ(parsed["items"][1], "{not json \xEF\xBF\xBD");
}
