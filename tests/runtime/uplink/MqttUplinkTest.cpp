// MqttUplink against a real mosquitto broker on 127.0.0.1: what a subscriber receives, the
// verdicts with the broker up and down, and a drain across a broker restart.
#include "uplink/MqttUplink.h"
#include "MosquittoBroker.h"
#include "TestHttpServer.h" // findFreePort
#include "TestSupport.h"
#include "uplink/BatchBody.h"
#include "uplink/DrainLoop.h"

#include <gtest/gtest.h>

#include <set>

using namespace std::chrono_literals;
using namespace pyvc;
using namespace pyvc::uplink;
using namespace pyvc::uplink::testing;

namespace {

constexpr const char *Topic = "gateway/test/readings";

sync::Batch makeBatch(std::string batchId, int firstSeq, int count) {
  sync::Batch batch;
  batch.batchId = std::move(batchId);
  for (int seq = firstSeq; seq < firstSeq + count; ++seq)
    batch.items.push_back(sync::QueueItem{seq, readingPayload(seq), 0, 1, 0, 0});
  return batch;
}

std::unique_ptr<MqttUplink> makeUplink(int port, std::chrono::milliseconds connectWait = 5s) {
  MqttUplinkOptions options;
  options.port = port;
  options.topic = Topic;
  options.connectWait = connectWait;
  options.publishTimeout = 5s;
  auto uplink = MqttUplink::create(options);
  EXPECT_TRUE(uplink.ok()) << (uplink ? "" : uplink.error().message);
  return uplink ? std::move(uplink).value() : nullptr;
}

// The items array of a received body (a copy: a range-for over a temporary's member dangles).
nlohmann::json itemsOf(const ReceivedMessage &message) {
  return nlohmann::json::parse(message.payload)["items"];
}

// Every MQTT test needs the broker binary: its absence is a failure, never a skip.
#define REQUIRE_MOSQUITTO()                                                                        \
  ASSERT_TRUE(MosquittoBroker::installed())                                                        \
      << MosquittoBroker::Executable                                                               \
      << " is missing: install the Debian package mosquitto (scripts/install-deps.sh)"

} // namespace

TEST(UplinkMqtt, PublishesOneQos1MessagePerBatchAndAcksOnPuback) {
  REQUIRE_MOSQUITTO();
  TemporaryDirectory directory;
  MosquittoBroker broker(directory.path());
  ASSERT_TRUE(broker.start()) << broker.error();
  TestSubscriber subscriber(broker.port(), Topic);
  ASSERT_TRUE(subscriber.waitUntilSubscribed(10s));

  auto uplink = makeUplink(broker.port());
  sync::Batch batch = makeBatch("mqtt-batch-1", 0, 4);
  Delivery delivery = uplink->send(batch);
  EXPECT_EQ(delivery.kind, DeliveryKind::Ack) << delivery.detail;
  EXPECT_GT(delivery.wireBytes, encodeBatchBody(batch).json.size());

  ASSERT_TRUE(subscriber.waitForMessages(1, 10s));
  std::vector<ReceivedMessage> messages = subscriber.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].payload, encodeBatchBody(batch).json);
  EXPECT_EQ(messages[0].batchIdProperty, "mqtt-batch-1");
  EXPECT_EQ(messages[0].qos, 1);
  MqttUplinkStats stats = uplink->stats();
  EXPECT_EQ(stats.publishes, 1u);
  EXPECT_EQ(stats.pubacks, 1u);
  EXPECT_TRUE(stats.connected);
}

TEST(UplinkMqtt, BrokerDownIsTransportRetry) {
  REQUIRE_MOSQUITTO();
  auto uplink = makeUplink(findFreePort(), 300ms);
  Delivery delivery = uplink->send(makeBatch("b", 0, 1));
  EXPECT_EQ(delivery.kind, DeliveryKind::Retry);
  EXPECT_EQ(delivery.failure, FailureKind::Transport);
  EXPECT_NE(delivery.detail.find("not connected"), std::string::npos) << delivery.detail;
  EXPECT_GE(uplink->stats().connectFailures, 1u);

  // A cancel with no send in flight makes the next send return at once, and only that one.
  uplink->cancel();
  EXPECT_EQ(uplink->send(makeBatch("b", 0, 1)).detail, "mqtt: cancelled");
  EXPECT_NE(uplink->send(makeBatch("b", 0, 1)).detail.find("not connected"), std::string::npos);
}

TEST(UplinkMqtt, CreateRefusesWildcardTopicsAndHalfConfiguredTls) {
  MqttUplinkOptions options;
  options.topic = "sensors/#";
  EXPECT_FALSE(MqttUplink::create(options).ok());
  options.topic = "sensors/x";
  options.clientCertFile = "/etc/hostname";
  EXPECT_FALSE(MqttUplink::create(options).ok());
  options.clientCertFile.clear();
  options.caFile = "/nonexistent/ca.pem";
  EXPECT_FALSE(MqttUplink::create(options).ok());
}

TEST(UplinkMqtt, DrainResumesAfterBrokerRestartAndEveryItemArrives) {
  REQUIRE_MOSQUITTO();
  TemporaryDirectory directory;
  // Persistence (in the temporary directory) keeps the subscriber's session across the restart,
  // so what the broker accepts while the subscriber reconnects is queued for it, not dropped.
  MosquittoBroker broker(directory.path(), /*persistence=*/true);
  ASSERT_TRUE(broker.start()) << broker.error();
  int port = broker.port();
  auto subscriber = std::make_unique<TestSubscriber>(port, Topic, /*persistentSession=*/true);
  ASSERT_TRUE(subscriber->waitUntilSubscribed(10s));

  sync::QueueOptions queueOptions;
  queueOptions.path = directory.file("queue.db");
  queueOptions.durability = sync::Durability::Normal;
  auto opened = sync::SyncQueue::open(queueOptions);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<sync::SyncQueue> queue = std::move(opened).value();
  std::mutex queueMutex;
  auto enqueue = [&](int first, int count) {
    std::lock_guard lock(queueMutex);
    for (int seq = first; seq < first + count; ++seq)
      ASSERT_TRUE(queue->enqueue(readingPayload(seq), 0, 0ms).ok());
  };

  auto uplink = makeUplink(port, 300ms);
  DrainOptions options;
  options.maxBatchItems = 5;
  options.queueMutex = &queueMutex;
  DrainLoop loop(*queue, *uplink, options);
  enqueue(0, 10);
  loop.start();
  ASSERT_TRUE(subscriber->waitForMessages(2, 20s)) << "hang guard: first 10 items";

  broker.stop();
  enqueue(10, 20);
  loop.wake();
  ASSERT_TRUE(eventually([&] { return loop.stats().transportFailures >= 3; }, 20s));
  EXPECT_FALSE(loop.stats().linkUp);

  ASSERT_TRUE(broker.start(port)) << broker.error();
  ASSERT_TRUE(eventually([&] { return loop.stats().sentItems == 30; }, 20s))
      << "hang guard: sending never resumed";
  loop.stop();

  // Every item arrived at least once, each batch under its own id, in order.
  auto everyItemArrived = [&] {
    std::set<int> seen;
    for (const ReceivedMessage &message : subscriber->messages())
      for (const nlohmann::json &item : itemsOf(message))
        seen.insert(item["extra"]["seq"].get<int>());
    return seen.size() == 30;
  };
  EXPECT_TRUE(eventually(everyItemArrived, 20s))
      << subscriber->messages().size() << " messages; broker log "
      << directory.file("mosquitto.log");
  // Order: the first arrival of each seq comes in increasing order (resends may repeat).
  std::set<int> seen;
  int lastFirstArrival = -1;
  for (const ReceivedMessage &message : subscriber->messages())
    for (const nlohmann::json &item : itemsOf(message)) {
      int seq = item["extra"]["seq"].get<int>();
      if (!seen.insert(seq).second)
        continue;
      EXPECT_GT(seq, lastFirstArrival) << "seq " << seq << " overtook an earlier item";
      lastFirstArrival = seq;
    }
  EXPECT_EQ(loop.stats().outages, 1u);
  EXPECT_TRUE(loop.stats().linkUp);
  std::lock_guard lock(queueMutex);
  auto stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 0);
  EXPECT_EQ(stats->deadLettered, 0);
}
