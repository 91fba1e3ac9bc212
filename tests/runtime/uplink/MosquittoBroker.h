// A real mosquitto broker for the MQTT tests (a child process on a free 127.0.0.1 port, killed
// at the end) and a libmosquitto subscriber that records what the broker delivers.
#pragma once

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pyvc::uplink::testing {

struct BrokerTls {
  std::string caFile, certFile, keyFile;
  bool requireClientCertificate = false;
};

class MosquittoBroker {
public:
  static constexpr const char *Executable = "/usr/sbin/mosquitto";
  static bool installed();

  // `directory` holds the generated configuration, the log and (with persistence) the database.
  MosquittoBroker(std::string directory, bool persistence = false,
                  std::optional<BrokerTls> tls = std::nullopt);
  ~MosquittoBroker();

  // Starts on `port` (0: a free one) and waits (hang guard) until it accepts connections.
  // Returns false with the reason in error() when it could not.
  bool start(int port = 0);
  void stop(); // SIGTERM (the broker saves its database), then reaps it
  int port() const { return port_; }
  const std::string &error() const { return error_; }

private:
  std::string directory_;
  bool persistence_;
  std::optional<BrokerTls> tls_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string error_;
};

struct ReceivedMessage {
  std::string payload;
  std::string batchIdProperty; // the v5 user property "batch_id", when present
  int qos = 0;
};

// Subscribes to one topic at QoS 1 and keeps every message. With `persistentSession`, it uses
// MQTT 3.1.1 with clean_session=false and a fixed id, so a broker with persistence queues what
// arrives while it is away; otherwise MQTT 5, to see user properties.
class TestSubscriber {
public:
  TestSubscriber(int port, std::string topic, bool persistentSession = false);
  ~TestSubscriber();
  bool waitUntilSubscribed(std::chrono::milliseconds guard);
  bool waitForMessages(size_t count, std::chrono::milliseconds guard);
  std::vector<ReceivedMessage> messages() const;

private:
  static void onConnect(mosquitto *, void *self, int rc, int flags, const mosquitto_property *);
  static void onSubscribe(mosquitto *, void *self, int mid, int count, const int *granted,
                          const mosquitto_property *);
  static void onMessage(mosquitto *, void *self, const mosquitto_message *message,
                        const mosquitto_property *properties);

  std::string topic_;
  mosquitto *client_ = nullptr;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool subscribed_ = false;
  std::vector<ReceivedMessage> messages_;
};

} // namespace pyvc::uplink::testing
