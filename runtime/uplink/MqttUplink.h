// MqttUplink: delivers each batch as one MQTT message at QoS 1 through libmosquitto, and calls
// it delivered only when the broker's PUBACK for that message id arrives.
//
// The body is the same JSON as HttpUplink's (BatchBody.h); with MQTT v5 (the default) the batch
// id also travels as the user property "batch_id". A private network thread runs mosquitto_loop
// and reconnects with exponential backoff (reconnectMin doubling up to reconnectMax, 1 s by
// default so a returning broker is used within about a second).
// Verdicts: PUBACK with reason < 0x80 -> Ack; no connection within connectWait, publish error,
// no PUBACK within publishTimeout -> Retry (Transport); PUBACK 0x97 (quota) or other errors ->
// Retry (Server); PUBACK 0x87 (not authorised), 0x90 (bad topic), 0x95 (too large), 0x99 (bad
// payload format), or a body over the broker's packet limit -> Reject.
#pragma once

#include "core/Result.h"
#include "uplink/Uplink.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct mosquitto;

namespace pyvc::uplink {

struct MqttUplinkOptions {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string clientId;           // empty: "pyvc-" and random hex
  std::string topic;              // no wildcards
  std::string username, password; // password never logged
  bool mqtt5 = true;

  // TLS is on when caFile is set; the broker certificate and host name are then verified.
  std::string caFile;
  std::string clientCertFile, clientKeyFile; // mutual TLS

  std::chrono::seconds keepAlive{30};
  std::chrono::milliseconds connectWait{1000};     // send() waits this long for a connection
  std::chrono::milliseconds publishTimeout{10000}; // and this long for the PUBACK
  std::chrono::milliseconds reconnectMin{100}, reconnectMax{1000};
};

struct MqttUplinkStats {
  uint64_t connects = 0;        // successful CONNACKs
  uint64_t connectFailures = 0; // TCP/TLS connect failures and refused CONNACKs
  uint64_t publishes = 0;       // PUBLISH packets handed to libmosquitto
  uint64_t pubacks = 0;         // PUBACKs received for them (success or not)
  bool connected = false;
};

class MqttUplink final : public Uplink {
public:
  // Checks the options, creates the client and starts its network thread (which connects in
  // the background: a broker that is down now is not an error).
  static Result<std::unique_ptr<MqttUplink>> create(MqttUplinkOptions options);
  ~MqttUplink() override; // disconnects and joins the network thread
  MqttUplink(const MqttUplink &) = delete;
  MqttUplink &operator=(const MqttUplink &) = delete;

  Delivery send(const sync::Batch &batch) override;
  std::string_view name() const override { return "mqtt"; }
  void cancel() override;
  MqttUplinkStats stats() const;

private:
  explicit MqttUplink(MqttUplinkOptions options);
  void runNetwork();
  bool sleepUnlessStopping(std::chrono::milliseconds wait);

  struct Callbacks; // libmosquitto's callbacks, run on the network thread
  friend struct Callbacks;

  MqttUplinkOptions options_;
  mosquitto *client_ = nullptr;
  std::thread network_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool connected_ = false;
  bool stopping_ = false;
  bool cancelRequested_ = false;
  std::string lastConnectError_;
  std::map<int, int> completedPublishes_; // message id -> PUBACK reason code
  MqttUplinkStats stats_;
};

} // namespace pyvc::uplink
