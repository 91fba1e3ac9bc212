// MqttSource against a real mosquitto broker: topic mapping and payload kinds, PUBACK only after
// the commit (a held or failed acknowledgement makes the broker deliver again), the persistent
// session across restarts, back-pressure leaving messages with the broker, and reconnecting.
#include "MosquittoBroker.h"
#include "RecordingSink.h"
#include "TemporaryFolder.h"
#include "TestHttpServer.h" // findFreePort

#include "ingest/MqttSource.h"

#include <gtest/gtest.h>
#include <mosquitto.h>

#include <atomic>
#include <thread>

namespace pyvc::ingest {
namespace {

using pyvc::uplink::testing::MosquittoBroker;
using testing::AckMode;
using testing::RecordedRow;
using testing::RecordingSink;
using namespace std::chrono_literals;

constexpr int64_t Now = 1'700'000'000'000;

// Publishes at QoS 1 and waits for the broker's PUBACK of each message.
class Publisher {
public:
  explicit Publisher(int port) {
    mosquitto_lib_init();
    client_ = mosquitto_new(nullptr, true, this);
    mosquitto_publish_callback_set(client_, [](mosquitto *, void *self, int) {
      auto *publisher = static_cast<Publisher *>(self);
      publisher->acknowledged_.fetch_add(1);
    });
    connected_ = mosquitto_connect(client_, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS &&
                 mosquitto_loop_start(client_) == MOSQ_ERR_SUCCESS;
  }
  ~Publisher() {
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
    mosquitto_destroy(client_);
  }
  bool publish(const std::string &topic, const std::string &payload) {
    int before = acknowledged_.load();
    if (!connected_ || mosquitto_publish(client_, nullptr, topic.c_str(), int(payload.size()),
                                         payload.data(), 1, false) != MOSQ_ERR_SUCCESS)
      return false;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (acknowledged_.load() == before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    return acknowledged_.load() > before;
  }

private:
  mosquitto *client_ = nullptr;
  bool connected_ = false;
  std::atomic<int> acknowledged_{0};
};

class MqttSourceTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!MosquittoBroker::installed())
      GTEST_SKIP() << "mosquitto is not installed";
    broker_ = std::make_unique<MosquittoBroker>(folder_.path().string());
    ASSERT_TRUE(broker_->start()) << broker_->error();
  }

  MqttSourceConfig config(const std::string &clientId) const {
    MqttSourceConfig config;
    config.port = broker_->port();
    config.clientId = clientId;
    config.topics.push_back({"sensors/+/temperature", "{1}.temp", MqttPayload::Number});
    config.topics.push_back({"json/#", "{topic}", MqttPayload::Json});
    config.maxPayloadBytes = 256;
    return config;
  }

  pyvc::testing::TemporaryFolder folder_;
  std::unique_ptr<MosquittoBroker> broker_;
};

TEST_F(MqttSourceTest, TopicsMapToSensorsAndBadPayloadsAreSetAside) {
  RecordingSink sink(Now);
  MqttSource source("mqtt", 1, config("ingest-mapping"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  Publisher publisher(broker_->port());
  ASSERT_TRUE(publisher.publish("sensors/room1/temperature", "21.5"));
  ASSERT_TRUE(publisher.publish("sensors/room2/temperature", "nan"));
  ASSERT_TRUE(publisher.publish(
      "json/dev1", "{\"value\": 3, \"timestamp_ms\": " + std::to_string(Now - 1000) + "}"));
  ASSERT_TRUE(publisher.publish("json/dev2", "{\"sensor\": \"override.name\", \"value\": 4}"));
  ASSERT_TRUE(publisher.publish("json/dev3", "[{\"value\": 5}, {\"value\": \"x\"}]"));
  ASSERT_TRUE(publisher.publish("json/dev4", std::string(300, ' ') + "1"));
  ASSERT_TRUE(publisher.publish("sensors/room3/temperature", "warm"));
  ASSERT_TRUE(publisher.publish("json/dev5", "{\"value\": 1"));
  ASSERT_TRUE(publisher.publish("sensors/room4/temperature", " 7\n"));
  ASSERT_TRUE(sink.waitForRows(5, 5s));
  ASSERT_TRUE(sink.waitForRejections(5, 5s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].sensor, "room1.temp");
  EXPECT_EQ(rows[0].value, 21.5);
  EXPECT_EQ(rows[0].timestampMs, Now); // a plain number is stamped on arrival
  EXPECT_EQ(rows[1].sensor, "json/dev1");
  EXPECT_EQ(rows[1].timestampMs, Now - 1000);
  EXPECT_EQ(rows[2].sensor, "override.name"); // the payload's name wins over the topic's
  EXPECT_EQ(rows[3].sensor, "json/dev3");
  EXPECT_EQ(rows[3].value, 5.0);
  EXPECT_EQ(rows[4].sensor, "room4.temp");
  EXPECT_EQ(rows[4].value, 7.0);
  std::vector<RejectedReading> rejected = sink.rejected();
  ASSERT_EQ(rejected.size(), 5u);
  EXPECT_EQ(rejected[0].reason, RejectReason::NotFinite);
  EXPECT_EQ(rejected[0].raw, "nan");
  EXPECT_EQ(rejected[1].reason, RejectReason::WrongType);
  EXPECT_EQ(rejected[1].detail, "topic json/dev3: reading 1: field `value` must be a number");
  EXPECT_EQ(rejected[2].reason, RejectReason::Oversized);
  EXPECT_EQ(rejected[2].raw.size(), 301u);
  EXPECT_EQ(rejected[3].reason, RejectReason::WrongType);
  EXPECT_EQ(rejected[3].detail, "topic sensors/room3/temperature: payload must be a number");
  EXPECT_EQ(rejected[4].reason, RejectReason::MalformedJson);
  for (const RejectedReading &reading : rejected)
    EXPECT_EQ(reading.source, 1u);
  SourceStats stats = source.stats();
  EXPECT_EQ(stats.accepted, 5u);
  EXPECT_EQ(stats.received, 10u); // 8 messages of one reading, one array of two
}

TEST_F(MqttSourceTest, PubackWaitsForTheCommit) {
  // Held acknowledgement: the source is stopped before the commit, so no PUBACK went out and the
  // broker delivers the message again to the next session with the same client id.
  RecordingSink holding(Now);
  holding.setAckMode(AckMode::Hold);
  {
    MqttSource source("mqtt", 0, config("ingest-puback"), ValidationLimits{});
    ASSERT_TRUE(source.start(holding).ok());
    ASSERT_TRUE(source.waitUntilSubscribed(5s));
    Publisher publisher(broker_->port());
    ASSERT_TRUE(publisher.publish("sensors/room1/temperature", "21.5"));
    ASSERT_TRUE(holding.waitForRows(1, 5s));
    EXPECT_EQ(holding.heldCount(), 1u);
    source.stop();
  }
  holding.acknowledgeHeld(true); // too late: that source gave up

  RecordingSink durable(Now);
  {
    MqttSource source("mqtt", 0, config("ingest-puback"), ValidationLimits{});
    ASSERT_TRUE(source.start(durable).ok());
    ASSERT_TRUE(durable.waitForRows(1, 5s));
    EXPECT_EQ(durable.rows()[0].sensor, "room1.temp");
    EXPECT_EQ(durable.rows()[0].value, 21.5);
    std::this_thread::sleep_for(200ms); // the PUBACK goes out when the callback returns
    source.stop();
  }
  // Acknowledged durable: the third session gets nothing more.
  RecordingSink after(Now);
  MqttSource source("mqtt", 0, config("ingest-puback"), ValidationLimits{});
  ASSERT_TRUE(source.start(after).ok());
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  EXPECT_FALSE(after.waitForRows(1, 500ms));
  source.stop();
}

TEST_F(MqttSourceTest, NoPubackLeavesBeforeItsBatchIsDurable) {
  // Many messages read in one turn wait for one commit. Stopped before it, none of them may have
  // been acknowledged: the next session gets every one again.
  constexpr int Messages = 100;
  {
    RecordingSink holding(Now);
    holding.setAckMode(AckMode::Hold);
    MqttSource source("mqtt", 0, config("ingest-held-many"), ValidationLimits{});
    ASSERT_TRUE(source.start(holding).ok());
    ASSERT_TRUE(source.waitUntilSubscribed(5s));
    mosquitto *client = mosquitto_new(nullptr, true, nullptr);
    ASSERT_EQ(mosquitto_connect(client, "127.0.0.1", broker_->port(), 30), MOSQ_ERR_SUCCESS);
    ASSERT_EQ(mosquitto_loop_start(client), MOSQ_ERR_SUCCESS);
    for (int i = 0; i < Messages; ++i) {
      std::string payload = std::to_string(i);
      ASSERT_EQ(mosquitto_publish(client, nullptr, "sensors/s/temperature", int(payload.size()),
                                  payload.data(), 1, false),
                MOSQ_ERR_SUCCESS);
    }
    ASSERT_TRUE(holding.waitForRows(1, 5s));
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(holding.batchSizes().size(), 1u); // nothing more is offered while one waits
    mosquitto_disconnect(client);
    mosquitto_loop_stop(client, false);
    mosquitto_destroy(client);
    source.stop();
    holding.acknowledgeHeld(true);
  }
  RecordingSink sink(Now);
  MqttSource source("mqtt", 0, config("ingest-held-many"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  EXPECT_TRUE(sink.waitForRows(Messages, 5s));
  std::this_thread::sleep_for(200ms);
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), size_t(Messages)); // every one again, none twice
  for (int i = 0; i < Messages; ++i)
    EXPECT_EQ(rows[size_t(i)].value, double(i));
}

TEST_F(MqttSourceTest, NotDurableLeavesTheMessageToBeDeliveredAgain) {
  RecordingSink sink(Now);
  sink.setAckMode(AckMode::Hold);
  MqttSource source("mqtt", 0, config("ingest-not-durable"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  Publisher publisher(broker_->port());
  ASSERT_TRUE(publisher.publish("sensors/room1/temperature", "4.5"));
  ASSERT_TRUE(sink.waitForRows(1, 5s));
  sink.setAckMode(AckMode::DurableAtOnce);
  sink.acknowledgeHeld(false);              // the commit failed
  ASSERT_TRUE(sink.waitForRows(2, 5s));     // redelivered after the reconnect
  EXPECT_FALSE(sink.waitForRows(3, 500ms)); // and acknowledged this time
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  EXPECT_EQ(rows[1].value, 4.5);
  EXPECT_EQ(source.stats().notDurable, 1u);
  EXPECT_GE(source.connections(), 2u);
}

TEST_F(MqttSourceTest, PersistentSessionDeliversWhatArrivedWhileStopped) {
  {
    RecordingSink sink(Now);
    MqttSource source("mqtt", 0, config("ingest-session"), ValidationLimits{});
    ASSERT_TRUE(source.start(sink).ok());
    ASSERT_TRUE(source.waitUntilSubscribed(5s));
    source.stop();
  }
  {
    Publisher publisher(broker_->port());
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(
          publisher.publish("sensors/s" + std::to_string(i) + "/temperature", std::to_string(i)));
  }
  RecordingSink sink(Now);
  MqttSource source("mqtt", 0, config("ingest-session"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(sink.waitForRows(5, 5s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(rows[size_t(i)].sensor, "s" + std::to_string(i) + ".temp");
    EXPECT_EQ(rows[size_t(i)].value, double(i));
  }
}

TEST_F(MqttSourceTest, FullBudgetStopsReadingAndTheBrokerHoldsTheRest) {
  RecordingSink sink(Now);
  sink.setFull(true);
  MqttSource source("mqtt", 0, config("ingest-backpressure"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  Publisher publisher(broker_->port());
  constexpr int Messages = 60;
  for (int i = 0; i < Messages; ++i)
    ASSERT_TRUE(publisher.publish("sensors/s/temperature", std::to_string(i)));
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(sink.rowCount(), 0u);
  // Read but unacknowledged: at most mosquitto's in-flight window (max_inflight_messages, 20 by
  // default); the broker holds the rest.
  EXPECT_LE(source.stats().received, 20u);
  EXPECT_GE(source.stats().received, 1u);
  sink.setFull(false);
  ASSERT_TRUE(sink.waitForRows(Messages, 5s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), size_t(Messages));
  for (int i = 0; i < Messages; ++i)
    EXPECT_EQ(rows[size_t(i)].value, double(i));
  SourceStats stats = source.stats();
  EXPECT_EQ(stats.received, uint64_t(Messages));
  EXPECT_EQ(stats.dropped[size_t(SourceDropReason::BudgetFull)], 0u);
}

// Acknowledges every held batch each `period`, as a group commit would.
class PeriodicCommitter {
public:
  PeriodicCommitter(RecordingSink &sink, std::chrono::milliseconds period)
      : thread_([&sink, period, this] {
          while (!done_.load()) {
            std::this_thread::sleep_for(period);
            sink.acknowledgeHeld(true);
          }
        }) {}
  ~PeriodicCommitter() {
    done_.store(true);
    thread_.join();
  }

private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

TEST_F(MqttSourceTest, OneCommitAcknowledgesManyMessages) {
  RecordingSink sink(Now);
  sink.setAckMode(AckMode::Hold);
  PeriodicCommitter committer(sink, 5ms);
  MqttSource source("mqtt", 0, config("ingest-throughput"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  constexpr int Messages = 1000;
  // Published without waiting for each PUBACK, as a busy device would.
  mosquitto *client = mosquitto_new(nullptr, true, nullptr);
  ASSERT_EQ(mosquitto_connect(client, "127.0.0.1", broker_->port(), 30), MOSQ_ERR_SUCCESS);
  ASSERT_EQ(mosquitto_loop_start(client), MOSQ_ERR_SUCCESS);
  auto begin = std::chrono::steady_clock::now();
  for (int i = 0; i < Messages; ++i) {
    std::string payload = std::to_string(i);
    ASSERT_EQ(mosquitto_publish(client, nullptr, "sensors/s/temperature", int(payload.size()),
                                payload.data(), 1, false),
              MOSQ_ERR_SUCCESS);
  }
  ASSERT_TRUE(sink.waitForRows(Messages, 30s));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  mosquitto_disconnect(client);
  mosquitto_loop_stop(client, false);
  mosquitto_destroy(client);
  source.stop();
  std::printf("mqtt: %d QoS 1 messages through 5 ms commits in %.3f s (%.0f/s), %zu batches\n",
              Messages, seconds, Messages / seconds, sink.batchSizes().size());
  size_t largest = 0;
  for (size_t size : sink.batchSizes())
    largest = std::max(largest, size);
  EXPECT_GT(largest, 1u);
  // One message per commit would take 5 s; batches of the in-flight window take a fraction.
  EXPECT_LT(sink.batchSizes().size(), size_t(Messages) / 4);
  std::vector<RecordedRow> rows = sink.rows();
  for (int i = 0; i < Messages; ++i)
    ASSERT_EQ(rows[size_t(i)].value, double(i));
}

TEST_F(MqttSourceTest, StoppingUnderBackPressureLosesNothing) {
  {
    RecordingSink full(Now);
    full.setFull(true);
    MqttSource source("mqtt", 0, config("ingest-stop-full"), ValidationLimits{});
    ASSERT_TRUE(source.start(full).ok());
    ASSERT_TRUE(source.waitUntilSubscribed(5s));
    Publisher publisher(broker_->port());
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(publisher.publish("sensors/s/temperature", std::to_string(i)));
    std::this_thread::sleep_for(200ms);
    auto begin = std::chrono::steady_clock::now();
    source.stop(); // blocked offering: gives up at once, without a PUBACK
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
    EXPECT_EQ(full.rowCount(), 0u);
  }
  RecordingSink sink(Now);
  MqttSource source("mqtt", 0, config("ingest-stop-full"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(sink.waitForRows(3, 5s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(rows[size_t(i)].value, double(i));
}

TEST_F(MqttSourceTest, ReconnectsWhenTheBrokerComesBack) {
  RecordingSink sink(Now);
  MqttSource source("mqtt", 0, config("ingest-reconnect"), ValidationLimits{});
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  int port = broker_->port();
  broker_->stop();
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(broker_->start(port)) << broker_->error();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (source.connections() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_EQ(source.connections(), 2u);
  ASSERT_TRUE(source.waitUntilSubscribed(5s));
  Publisher publisher(port);
  ASSERT_TRUE(publisher.publish("sensors/back/temperature", "1"));
  ASSERT_TRUE(sink.waitForRows(1, 5s));
  source.stop();
  EXPECT_EQ(sink.rows()[0].sensor, "back.temp");
}

TEST_F(MqttSourceTest, UnreachableBrokerIsNotAnErrorAndStopStaysPrompt) {
  RecordingSink sink(Now);
  MqttSourceConfig unreachable = config("ingest-unreachable");
  unreachable.port = pyvc::uplink::testing::findFreePort(); // nothing listens there
  MqttSource source("mqtt", 0, unreachable, ValidationLimits{});
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(source.start(sink).ok()); // it keeps trying in the background
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 3s);
  EXPECT_FALSE(source.subscribed());
  begin = std::chrono::steady_clock::now();
  source.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
  EXPECT_EQ(source.connections(), 0u);
}

TEST_F(MqttSourceTest, BadConfigIsAnErrorAtStart) {
  RecordingSink sink(Now);
  MqttSourceConfig bad = config("ingest-bad");
  bad.topics.push_back({"a/#/b", "{topic}", MqttPayload::Json});
  MqttSource source("mqtt", 0, bad, ValidationLimits{});
  Result<void> started = source.start(sink);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message, "mqtt source `mqtt`: `a/#/b` is not a valid topic filter");
  MqttSourceConfig anonymous = config("");
  MqttSource persistentWithoutId("mqtt", 0, anonymous, ValidationLimits{});
  started = persistentWithoutId.start(sink);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message,
            "mqtt source `mqtt`: a persistent session (clean_session false) needs a client id");
}

} // namespace
} // namespace pyvc::ingest
