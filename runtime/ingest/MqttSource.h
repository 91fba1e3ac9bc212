// MqttSource: subscribes to topic filters on an MQTT broker (libmosquitto) and turns each message
// into readings. QoS 1 with a persistent session, and the PUBACK only after the agent's commit:
// the messages read in one turn of the network loop go to the sink as one batch, and their
// PUBACKs are written only once that batch is durable (the .cpp says how and what remains).
#pragma once

#include "ingest/ReadingDecoder.h"
#include "ingest/SensorIdCache.h"
#include "ingest/Source.h"
#include "ingest/SourceConfig.h"
#include "ingest/StopSignal.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

struct mosquitto;
struct mosquitto_message;

namespace pyvc::ingest {

// The sensor name a topic maps to under `pattern` ("{N}" = level N, 0-based; "{topic}" = the
// whole topic), or nullopt when the pattern names a level the topic does not have.
std::optional<std::string> sensorNameForTopic(std::string_view pattern, std::string_view topic);

class MqttSource final : public Source {
public:
  MqttSource(std::string name, uint32_t index, MqttSourceConfig config, ValidationLimits limits);
  ~MqttSource() override;

  // Starts the network thread and waits up to 2 s for the first connection and subscriptions:
  // a refused subscription or a bad config is an Error. A broker that cannot be reached is not:
  // the source keeps reconnecting (backing off from 100 ms to 10 s) and counts it.
  Result<void> start(ReadingSink &sink) override;
  void stop() override;

  // Connected with every subscription granted.
  bool subscribed() const;
  bool waitUntilSubscribed(std::chrono::milliseconds guard) const;
  uint64_t connections() const { return connections_.load(std::memory_order_relaxed); }

private:
  struct TopicRoute {
    int topic = -1;                   // index in config.topics; -1: no filter matches
    std::optional<SensorId> sensor;   // the name from the topic, when valid
    std::optional<Rejection> badName; // why the topic's name is not a valid sensor name
  };

  static void onConnect(mosquitto *client, void *self, int rc);
  static void onDisconnect(mosquitto *client, void *self, int rc);
  static void onSubscribe(mosquitto *client, void *self, int mid, int count, const int *granted);
  static void onMessage(mosquitto *client, void *self, const mosquitto_message *message);

  void run();
  // One turn of the network loop: read, offer what was read and wait for it to be durable, then
  // write (the PUBACKs). False when the connection is gone or was broken on purpose.
  bool turnLoop();
  void handleMessage(const mosquitto_message &message);
  const TopicRoute &routeFor(const std::string &topic);
  void decodePayload(const TopicRoute &route, std::string_view topic, std::string_view payload,
                     ReadingBatch &batch);
  // Offers the batch until taken and waits for its acknowledgement; true when durable. False
  // when not durable or when stopped first: the message must then stay unacknowledged.
  bool deliverDurably(ReadingBatch &batch);
  // Breaks the connection under libmosquitto so that the PUBACK it is about to send cannot go
  // out; the broker then redelivers the message after the reconnect.
  void withholdAcknowledgement();
  void setSubscribed(bool value);

  MqttSourceConfig config_;
  ValidationLimits limits_;
  ReadingSink *sink_ = nullptr;
  mosquitto *client_ = nullptr;
  std::optional<SensorIdCache> sensorIds_;
  ReadingBatch pending_; // read, not yet offered (network thread only)
  std::unordered_map<std::string, TopicRoute> routes_;
  StopSignal stop_;
  std::thread thread_;
  std::atomic<uint64_t> connections_{0};

  mutable std::mutex stateMutex_;
  mutable std::condition_variable stateChanged_;
  bool subscribed_ = false;
  int pendingSubscriptions_ = 0;
  std::string subscriptionError_;
};

} // namespace pyvc::ingest
