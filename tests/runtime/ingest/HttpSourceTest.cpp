// HttpSource over loopback: 200 only once the acknowledgement fires durable, 503 with
// Retry-After when the budget is full or the commit fails or times out, 400 naming the bad
// reading and field (nothing of that request taken), 413 for an oversized body.
#include "RecordingSink.h"

#include "ingest/HttpSource.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <future>

namespace pyvc::ingest {
namespace {

using testing::AckMode;
using testing::RecordedRow;
using testing::RecordingSink;
using namespace std::chrono_literals;

constexpr int64_t Now = 1'700'000'000'000;

struct Answer {
  int status = 0;
  std::string body;
  std::string retryAfter;
};

Answer post(int port, const std::string &body, const std::string &path = "/ingest") {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  httplib::Result result = client.Post(path.c_str(), body, "application/json");
  if (!result)
    return {};
  return {result->status, result->body, result->get_header_value("Retry-After")};
}

std::string reading(const std::string &sensor, double value, int64_t timestampMs = Now) {
  return "{\"sensor\":\"" + sensor + "\",\"timestamp_ms\":" + std::to_string(timestampMs) +
         ",\"value\":" + std::to_string(value) + "}";
}

class HttpSourceTest : public ::testing::Test {
protected:
  HttpSourceConfig config() const {
    HttpSourceConfig config;
    config.port = 0;
    config.maxBodyBytes = 4096;
    config.retryAfter = std::chrono::seconds(7);
    config.ackTimeout = 2000ms;
    config.threads = 2;
    return config;
  }
  RecordingSink sink_{Now};
};

TEST_F(HttpSourceTest, AnswersOnlyOnceTheBatchIsDurable) {
  sink_.setAckMode(AckMode::Hold);
  HttpSource source("http", 4, config(), ValidationLimits{});
  ASSERT_TRUE(source.start(sink_).ok());
  auto answer = std::async(std::launch::async, [&] {
    return post(source.port(), "[" + reading("a", 1.5) + "," + reading("b", -2) + "]");
  });
  ASSERT_TRUE(sink_.waitForRows(2, 5s));
  EXPECT_EQ(answer.wait_for(300ms), std::future_status::timeout); // not before the commit
  sink_.acknowledgeHeld(true);
  Answer result = answer.get();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(nlohmann::json::parse(result.body), nlohmann::json({{"accepted", 2}}));
  std::vector<RecordedRow> rows = sink_.rows();
  EXPECT_EQ(rows[0].sensor, "a");
  EXPECT_EQ(rows[0].value, 1.5);
  EXPECT_EQ(rows[1].sensor, "b");
  EXPECT_EQ(rows[1].timestampMs, Now);
  EXPECT_EQ(sink_.batchSources(), std::vector<uint32_t>{4});
  // One object rather than an array is a batch of one.
  sink_.setAckMode(AckMode::DurableAtOnce);
  result = post(source.port(), reading("c", 3));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(nlohmann::json::parse(result.body), nlohmann::json({{"accepted", 1}}));
  source.stop();
  EXPECT_EQ(source.stats().accepted, 3u);
}

TEST_F(HttpSourceTest, FullBudgetAnswers503WithRetryAfter) {
  sink_.setFull(true);
  HttpSource source("http", 0, config(), ValidationLimits{});
  ASSERT_TRUE(source.start(sink_).ok());
  Answer result = post(source.port(), "[" + reading("a", 1) + "," + reading("a", 2) + "]");
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.retryAfter, "7");
  EXPECT_EQ(sink_.rowCount(), 0u);
  SourceStats stats = source.stats();
  EXPECT_EQ(stats.dropped[size_t(SourceDropReason::BudgetFull)], 2u);
  EXPECT_EQ(stats.accepted, 0u);
  sink_.setFull(false);
  EXPECT_EQ(post(source.port(), reading("a", 1)).status, 200); // room again: taken
  source.stop();
}

TEST_F(HttpSourceTest, BadReadingAnswers400NamingItAndTakesNothing) {
  HttpSource source("http", 0, config(), ValidationLimits{});
  ASSERT_TRUE(source.start(sink_).ok());
  std::string body = "[" + reading("a", 1) +
                     ",{\"sensor\":\"b\",\"timestamp_ms\":" + std::to_string(Now) +
                     ",\"value\":\"NaN\"}," + reading("c", 3, 1000) + "]";
  Answer result = post(source.port(), body);
  EXPECT_EQ(result.status, 400);
  nlohmann::json answer = nlohmann::json::parse(result.body);
  EXPECT_EQ(answer["reading"], 1);
  EXPECT_EQ(answer["field"], "value");
  EXPECT_EQ(answer["reason"], "wrong_type");
  EXPECT_EQ(answer["error"], "reading 1: field `value` must be a number");
  EXPECT_EQ(answer["rejected"], 2); // reading 2 is from 1970
  EXPECT_EQ(sink_.rowCount(), 0u);  // the good reading 0 waits for the corrected batch
  std::vector<RejectedReading> rejected = sink_.rejected();
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].reason, RejectReason::WrongType);
  EXPECT_EQ(rejected[1].reason, RejectReason::TimestampOutOfRange);
  EXPECT_EQ(rejected[1].detail.rfind("reading 2: field `timestamp_ms` 1000 is more than", 0), 0u);

  result = post(source.port(), "[" + reading("a", 1) + ",");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(nlohmann::json::parse(result.body)["reason"], "malformed_json");
  result = post(source.port(), "{\"sensor\":\"a\xff\",\"timestamp_ms\":1,\"value\":1}");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(nlohmann::json::parse(result.body)["reason"], "invalid_name");
  source.stop();
  SourceStats stats = source.stats();
  EXPECT_EQ(stats.rejected[size_t(RejectReason::WrongType)], 1u);
  EXPECT_EQ(stats.rejected[size_t(RejectReason::MalformedJson)], 1u);
  EXPECT_EQ(stats.rejected[size_t(RejectReason::InvalidName)], 1u);
  EXPECT_EQ(stats.accepted, 0u);
}

TEST_F(HttpSourceTest, OversizedBodyAnswers413) {
  HttpSource source("http", 0, config(), ValidationLimits{});
  ASSERT_TRUE(source.start(sink_).ok());
  std::string body = "[" + reading("a", 1);
  while (body.size() <= 4096)
    body += "," + reading("a", 1);
  body += "]";
  Answer result = post(source.port(), body);
  EXPECT_EQ(result.status, 413);
  EXPECT_EQ(sink_.rowCount(), 0u);
  EXPECT_EQ(source.stats().rejected[size_t(RejectReason::Oversized)], 1u);
  EXPECT_EQ(post(source.port(), reading("a", 1)).status, 200); // the server goes on
  source.stop();
}

TEST_F(HttpSourceTest, FailedOrLateAcknowledgementAnswers503) {
  sink_.setAckMode(AckMode::Hold);
  HttpSourceConfig settings = config();
  settings.ackTimeout = 300ms;
  HttpSource source("http", 0, settings, ValidationLimits{});
  ASSERT_TRUE(source.start(sink_).ok());
  auto failed =
      std::async(std::launch::async, [&] { return post(source.port(), reading("a", 1)); });
  ASSERT_TRUE(sink_.waitForRows(1, 5s));
  sink_.acknowledgeHeld(false);
  Answer result = failed.get();
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(result.retryAfter, "7");
  // Nobody acknowledges: 503 after ackTimeout.
  auto begin = std::chrono::steady_clock::now();
  result = post(source.port(), reading("a", 2));
  EXPECT_EQ(result.status, 503);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 290ms);
  source.stop();
  sink_.acknowledgeHeld(true);
  EXPECT_EQ(source.stats().notDurable, 2u);
}

TEST_F(HttpSourceTest, StopAnswers503ToRequestsWaitingForTheCommit) {
  sink_.setAckMode(AckMode::Hold);
  HttpSource source("http", 0, config(), ValidationLimits{});
  ASSERT_TRUE(source.start(sink_).ok());
  auto waiting =
      std::async(std::launch::async, [&] { return post(source.port(), reading("a", 1)); });
  ASSERT_TRUE(sink_.waitForRows(1, 5s));
  auto begin = std::chrono::steady_clock::now();
  source.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1500ms);
  Answer result = waiting.get();
  EXPECT_EQ(result.status, 503);
  EXPECT_EQ(nlohmann::json::parse(result.body)["error"], "the agent is stopping; retry later");
  sink_.acknowledgeHeld(true);
}

TEST_F(HttpSourceTest, PortInUseIsAnErrorAtStart) {
  HttpSource first("http", 0, config(), ValidationLimits{});
  ASSERT_TRUE(first.start(sink_).ok());
  HttpSourceConfig same = config();
  same.port = first.port();
  HttpSource second("http2", 1, same, ValidationLimits{});
  Result<void> started = second.start(sink_);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message, "http source `http2`: cannot listen on 127.0.0.1:" +
                                         std::to_string(first.port()) + " (in use?)");
  first.stop();
}

} // namespace
} // namespace pyvc::ingest
