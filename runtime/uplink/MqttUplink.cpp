// MqttUplink: the libmosquitto client, its network thread (loop + reconnect with backoff) and
// the PUBACK bookkeeping that turns a publish into a Delivery; see MqttUplink.h.
#include "uplink/MqttUplink.h"

#include "uplink/BatchBody.h"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <unistd.h>
#include <utility>

namespace pyvc::uplink {

using std::chrono::milliseconds;

namespace {

void initialiseMosquittoOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string randomClientId() {
  std::random_device random;
  char id[32];
  std::snprintf(id, sizeof(id), "pyvc-%08x%08x", random(), random());
  return id;
}

// PUBACK reason codes (MQTT 5, section 3.4.2.1) that no amount of retrying will change.
bool isPermanentRefusal(int reasonCode) {
  return reasonCode == MQTT_RC_NOT_AUTHORIZED || reasonCode == MQTT_RC_TOPIC_NAME_INVALID ||
         reasonCode == MQTT_RC_PACKET_TOO_LARGE || reasonCode == MQTT_RC_PAYLOAD_FORMAT_INVALID;
}

} // namespace

struct MqttUplink::Callbacks {
  static void onConnect(mosquitto *, void *self, int rc, int, const mosquitto_property *) {
    auto *uplink = static_cast<MqttUplink *>(self);
    std::lock_guard lock(uplink->mutex_);
    uplink->connected_ = rc == 0;
    if (rc == 0) {
      ++uplink->stats_.connects;
    } else {
      ++uplink->stats_.connectFailures;
      uplink->lastConnectError_ =
          std::string("broker refused the connection: ") + mosquitto_reason_string(rc);
    }
    uplink->changed_.notify_all();
  }

  static void onDisconnect(mosquitto *, void *self, int, const mosquitto_property *) {
    auto *uplink = static_cast<MqttUplink *>(self);
    std::lock_guard lock(uplink->mutex_);
    uplink->connected_ = false;
    uplink->changed_.notify_all();
  }

  static void onPublish(mosquitto *, void *self, int mid, int reasonCode,
                        const mosquitto_property *) {
    auto *uplink = static_cast<MqttUplink *>(self);
    std::lock_guard lock(uplink->mutex_);
    ++uplink->stats_.pubacks;
    uplink->completedPublishes_[mid] = reasonCode;
    uplink->changed_.notify_all();
  }
};

Result<std::unique_ptr<MqttUplink>> MqttUplink::create(MqttUplinkOptions options) {
  if (options.topic.empty() || options.topic.find_first_of("+#") != std::string::npos)
    return makeError("mqtt uplink: the topic must be non-empty and without wildcards");
  if (options.clientCertFile.empty() != options.clientKeyFile.empty())
    return makeError("mqtt uplink: a client certificate needs its key, and a key its certificate");
  if (!options.clientCertFile.empty() && options.caFile.empty())
    return makeError("mqtt uplink: a client certificate needs TLS, so a CA file");
  for (const std::string *path : {&options.caFile, &options.clientCertFile, &options.clientKeyFile})
    if (!path->empty() && access(path->c_str(), R_OK) != 0)
      return makeError("mqtt uplink: cannot read '" + *path + "'");
  if (options.reconnectMin.count() <= 0 || options.reconnectMax < options.reconnectMin)
    return makeError("mqtt uplink: need 0 < reconnectMin <= reconnectMax");
  if (options.clientId.empty())
    options.clientId = randomClientId();

  initialiseMosquittoOnce();
  std::unique_ptr<MqttUplink> uplink(new MqttUplink(std::move(options)));
  const MqttUplinkOptions &settings = uplink->options_;
  mosquitto *client =
      mosquitto_new(settings.clientId.c_str(), /*clean_session=*/true, uplink.get());
  if (!client)
    return makeError("mqtt uplink: mosquitto_new failed (out of memory?)");
  uplink->client_ = client;
  // Publishing from the drain thread while the network thread loops needs libmosquitto's locks.
  mosquitto_threaded_set(client, true);
  if (settings.mqtt5)
    mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_connect_v5_callback_set(client, &Callbacks::onConnect);
  mosquitto_disconnect_v5_callback_set(client, &Callbacks::onDisconnect);
  mosquitto_publish_v5_callback_set(client, &Callbacks::onPublish);
  if (!settings.username.empty() &&
      mosquitto_username_pw_set(client, settings.username.c_str(),
                                settings.password.empty() ? nullptr : settings.password.c_str()) !=
          MOSQ_ERR_SUCCESS)
    return makeError("mqtt uplink: invalid username or password (not UTF-8?)");
  if (!settings.caFile.empty()) {
    int rc = mosquitto_tls_set(
        client, settings.caFile.c_str(), nullptr,
        settings.clientCertFile.empty() ? nullptr : settings.clientCertFile.c_str(),
        settings.clientKeyFile.empty() ? nullptr : settings.clientKeyFile.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS)
      return makeError(std::string("mqtt uplink: TLS setup failed: ") + mosquitto_strerror(rc));
  }
  uplink->network_ = std::thread([raw = uplink.get()] { raw->runNetwork(); });
  return uplink;
}

MqttUplink::MqttUplink(MqttUplinkOptions options) : options_(std::move(options)) {}

MqttUplink::~MqttUplink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (network_.joinable())
    network_.join();
  if (client_)
    mosquitto_destroy(client_);
}

MqttUplinkStats MqttUplink::stats() const {
  std::lock_guard lock(mutex_);
  MqttUplinkStats copy = stats_;
  copy.connected = connected_;
  return copy;
}

bool MqttUplink::sleepUnlessStopping(milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return stopping_; });
  return !stopping_;
}

void MqttUplink::runNetwork() {
  milliseconds backoff = options_.reconnectMin;
  bool socketOpen = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_)
        break;
    }
    if (!socketOpen) {
      // Blocking TCP (and TLS) connect; the CONNACK arrives through mosquitto_loop below.
      int rc = mosquitto_connect(client_, options_.host.c_str(), options_.port,
                                 int(options_.keepAlive.count()));
      int connectErrno = errno;
      if (rc != MOSQ_ERR_SUCCESS) {
        {
          std::lock_guard lock(mutex_);
          ++stats_.connectFailures;
          lastConnectError_ = rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(connectErrno))
                                                   : std::string(mosquitto_strerror(rc));
        }
        if (!sleepUnlessStopping(backoff))
          break;
        backoff = std::min(backoff * 2, options_.reconnectMax);
        continue;
      }
      socketOpen = true;
    }
    int rc = mosquitto_loop(client_, 100, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      socketOpen = false;
      {
        std::lock_guard lock(mutex_);
        connected_ = false;
        lastConnectError_ = std::string("connection lost: ") + mosquitto_strerror(rc);
      }
      changed_.notify_all();
      if (!sleepUnlessStopping(backoff))
        break;
      backoff = std::min(backoff * 2, options_.reconnectMax);
      continue;
    }
    std::lock_guard lock(mutex_);
    if (connected_)
      backoff = options_.reconnectMin;
  }
  if (socketOpen) {
    mosquitto_disconnect(client_);
    mosquitto_loop(client_, 100, 1); // flush the DISCONNECT
  }
}

void MqttUplink::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelRequested_ = true;
  }
  changed_.notify_all();
}

Delivery MqttUplink::send(const sync::Batch &batch) {
  BatchBody body = encodeBatchBody(batch);
  size_t wireBytes = body.json.size() + options_.topic.size() + batch.batchId.size() + 16;
  {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, options_.connectWait,
                      [&] { return connected_ || stopping_ || cancelRequested_; });
    if (std::exchange(cancelRequested_, false))
      return Delivery::retry(FailureKind::Transport, "mqtt: cancelled");
    if (!connected_)
      return Delivery::retry(FailureKind::Transport, "mqtt: not connected to " + options_.host +
                                                         ":" + std::to_string(options_.port) +
                                                         " (" + lastConnectError_ + ")");
    // Late PUBACKs of publishes we gave up on are of no use any more.
    completedPublishes_.clear();
  }

  mosquitto_property *properties = nullptr;
  if (options_.mqtt5)
    mosquitto_property_add_string_pair(&properties, MQTT_PROP_USER_PROPERTY, "batch_id",
                                       batch.batchId.c_str());
  int messageId = 0;
  int rc = mosquitto_publish_v5(client_, &messageId, options_.topic.c_str(), int(body.json.size()),
                                body.json.data(), /*qos=*/1, /*retain=*/false, properties);
  mosquitto_property_free_all(&properties);
  if (rc == MOSQ_ERR_OVERSIZE_PACKET || rc == MOSQ_ERR_PAYLOAD_SIZE)
    return Delivery::reject("mqtt: a " + std::to_string(body.json.size()) +
                                "-byte body exceeds the broker's packet limit; lower maxBatchBytes",
                            0);
  if (rc != MOSQ_ERR_SUCCESS)
    return Delivery::retry(FailureKind::Transport,
                           std::string("mqtt: publish failed: ") + mosquitto_strerror(rc));

  std::unique_lock lock(mutex_);
  ++stats_.publishes;
  bool answered = changed_.wait_for(lock, options_.publishTimeout, [&] {
    return completedPublishes_.count(messageId) != 0 || stopping_ || cancelRequested_;
  });
  if (std::exchange(cancelRequested_, false) && !completedPublishes_.count(messageId))
    return Delivery::retry(FailureKind::Transport, "mqtt: cancelled before the PUBACK",
                           std::nullopt, wireBytes);
  if (!answered || !completedPublishes_.count(messageId))
    return Delivery::retry(FailureKind::Transport,
                           "mqtt: no PUBACK within " +
                               std::to_string(options_.publishTimeout.count()) + " ms",
                           std::nullopt, wireBytes);
  int reasonCode = completedPublishes_[messageId];
  completedPublishes_.erase(messageId);
  if (reasonCode < 0x80)
    return Delivery::ack(wireBytes);
  std::string reason = std::string("mqtt PUBACK ") + mosquitto_reason_string(reasonCode);
  if (isPermanentRefusal(reasonCode))
    return Delivery::reject(reason, wireBytes);
  return Delivery::retry(FailureKind::Server, reason, std::nullopt, wireBytes);
}

} // namespace pyvc::uplink
