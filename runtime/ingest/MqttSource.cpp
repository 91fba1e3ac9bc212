// The MQTT subscriber: one network thread runs libmosquitto's loop and handles each message in
// its callback; see MqttSource.h.
//
// Acknowledgement. libmosquitto 2.0.11 has no manual acknowledgement (mosquitto_manual_ack and
// MOSQ_OPT_ options for it came later). For a QoS 1 message it queues the PUBACK and then calls
// the message callback. Where the queued PUBACK is written depends on the threading mode: with
// none, packet__queue writes it at once, before the callback; in threaded mode it only queues it
// and the loop writes it on its next turn, after the callback has returned. Both were checked on
// this machine with the broker's log (ingest tests PubackWaitsForTheCommit and
// NotDurableLeavesTheMessageToBeDeliveredAgain fail without mosquitto_threaded_set). So the
// client is marked threaded, and our own thread drives it with mosquitto_loop_read, _write and
// _misc separately. It reads what the socket holds (the callback only decodes into a pending
// batch, whose PUBACKs the library queues), offers that batch, waits for its Acknowledgement,
// and only then lets the library write:
//   - durable: the queued PUBACKs of every message in the batch go out together;
//   - not durable, or the source is stopping: it shuts the socket down, so they cannot be
//     written; the broker keeps the messages in the session and sends them again (DUP) after the
//     reconnect.
// No window of loss remains on the agent's side: a message is acknowledged only after its
// commit. What remains is at-least-once: a message committed but whose PUBACK is lost (a crash
// between the commit and the write) arrives again after the restart.
// One commit covers what was read in one go (until the socket is drained, 4,096 readings or 10
// ms), so a busy topic costs one commit per batch, not per message (ingest test
// OneCommitAcknowledgesManyMessages: 1,000 messages through 5 ms commits in ~0.1 s). While no
// PUBACK comes, the broker stops sending at its in-flight limit (mosquitto's
// max_inflight_messages, 20 by default) and holds the rest. While a batch waits, nothing is read
// or written, so waiting longer than 1.5x keep-alive makes the broker drop the connection; it
// then redelivers the messages in flight, duplicates if those still commit.
#include "ingest/MqttSource.h"

#include <mosquitto.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include <algorithm>
#include <charconv>
#include <mutex>

namespace pyvc::ingest {

namespace {

using Clock = std::chrono::steady_clock;

void initialiseLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// What a message's acknowledgement came back as, shared with the Acknowledgement's callback,
// which may run on the commit thread after the message callback has given up.
struct AckState {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
  bool durable = false;
};

} // namespace

std::optional<std::string> sensorNameForTopic(std::string_view pattern, std::string_view topic) {
  std::string name;
  size_t at = 0;
  while (at < pattern.size()) {
    size_t open = pattern.find('{', at);
    size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) {
      name.append(pattern.substr(at));
      break;
    }
    name.append(pattern.substr(at, open - at));
    std::string_view key = pattern.substr(open + 1, close - open - 1);
    if (key == "topic") {
      name.append(topic);
    } else {
      size_t level = 0;
      auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), level);
      if (error != std::errc() || end != key.data() + key.size()) {
        name.append(pattern.substr(open, close - open + 1)); // not a placeholder: kept as written
      } else {
        size_t start = 0;
        for (size_t i = 0; i < level; ++i) {
          start = topic.find('/', start);
          if (start == std::string_view::npos)
            return std::nullopt;
          ++start;
        }
        size_t end = topic.find('/', start);
        name.append(topic.substr(start, end == std::string_view::npos ? end : end - start));
      }
    }
    at = close + 1;
  }
  return name;
}

MqttSource::MqttSource(std::string name, uint32_t index, MqttSourceConfig config,
                       ValidationLimits limits)
    : Source(std::move(name), index), config_(std::move(config)), limits_(limits) {}

MqttSource::~MqttSource() {
  stop();
  if (client_)
    mosquitto_destroy(client_);
}

Result<void> MqttSource::start(ReadingSink &sink) {
  std::string what = "mqtt source `" + name() + "`";
  if (thread_.joinable())
    return makeError(what + " is already running");
  if (config_.topics.empty())
    return makeError(what + " has no topics");
  if (!config_.cleanSession && config_.clientId.empty())
    return makeError(what + ": a persistent session (clean_session false) needs a client id");
  for (const MqttTopic &topic : config_.topics)
    if (mosquitto_sub_topic_check(topic.filter.c_str()) != MOSQ_ERR_SUCCESS)
      return makeError(what + ": `" + topic.filter + "` is not a valid topic filter");
  initialiseLibrary();
  if (!client_) {
    client_ = mosquitto_new(config_.clientId.empty() ? nullptr : config_.clientId.c_str(),
                            config_.cleanSession, this);
    if (!client_)
      return makeError(what + ": cannot create the MQTT client");
    // Threaded mode: queued packets (the PUBACK above all) are written by our loop, never from
    // inside the library's handling of the message; see the top of this file.
    mosquitto_threaded_set(client_, true);
    mosquitto_connect_callback_set(client_, &MqttSource::onConnect);
    mosquitto_disconnect_callback_set(client_, &MqttSource::onDisconnect);
    mosquitto_subscribe_callback_set(client_, &MqttSource::onSubscribe);
    mosquitto_message_callback_set(client_, &MqttSource::onMessage);
    if (!config_.username.empty() &&
        mosquitto_username_pw_set(client_, config_.username.c_str(),
                                  config_.password.empty() ? nullptr : config_.password.c_str()) !=
            MOSQ_ERR_SUCCESS)
      return makeError(what + ": cannot set the user name");
  }
  sink_ = &sink;
  sensorIds_.emplace(sink.sensorNames());
  routes_.clear();
  {
    std::lock_guard lock(stateMutex_);
    subscribed_ = false;
    subscriptionError_.clear();
  }
  stop_.reset();
  thread_ = std::thread([this] { run(); });

  std::unique_lock lock(stateMutex_);
  stateChanged_.wait_for(lock, std::chrono::seconds(2),
                         [&] { return subscribed_ || !subscriptionError_.empty(); });
  if (!subscriptionError_.empty()) {
    std::string error = subscriptionError_;
    lock.unlock();
    stop();
    return makeError(what + ": " + error);
  }
  return {};
}

void MqttSource::stop() {
  stop_.raise();
  if (thread_.joinable())
    thread_.join();
  setSubscribed(false);
}

bool MqttSource::subscribed() const {
  std::lock_guard lock(stateMutex_);
  return subscribed_;
}

bool MqttSource::waitUntilSubscribed(std::chrono::milliseconds guard) const {
  std::unique_lock lock(stateMutex_);
  return stateChanged_.wait_for(lock, guard, [&] { return subscribed_; });
}

void MqttSource::setSubscribed(bool value) {
  {
    std::lock_guard lock(stateMutex_);
    subscribed_ = value;
  }
  stateChanged_.notify_all();
}

void MqttSource::run() {
  auto backoff = std::chrono::milliseconds(100);
  bool connected = false;
  auto lose = [&] {
    // Connection lost (or broken on purpose to withhold PUBACKs): reconnect after a pause.
    // Readings of messages read but not yet offered go too: the broker sends them again.
    pending_ = ReadingBatch();
    connected = false;
    setSubscribed(false);
    stop_.waitFor(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  };
  while (!stop_.raised()) {
    if (!connected) {
      int rc = mosquitto_connect(client_, config_.host.c_str(), config_.port,
                                 int(config_.keepAlive.count()));
      if (rc != MOSQ_ERR_SUCCESS) {
        stop_.waitFor(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
        continue;
      }
      connected = true;
      backoff = std::chrono::milliseconds(100);
    }
    if (!turnLoop()) {
      lose();
      continue;
    }
  }
  if (!connected)
    return;
  if (!pending_.empty()) {
    pending_ = ReadingBatch(); // not offered: their PUBACKs must not go out
    withholdAcknowledgement();
    return;
  }
  // Everything read is acknowledged or set aside: flush, then leave cleanly (a persistent
  // session stays on the broker).
  mosquitto_disconnect(client_);
  for (int turn = 0; turn < 10 && mosquitto_want_write(client_); ++turn)
    if (mosquitto_loop_write(client_, 1) != MOSQ_ERR_SUCCESS)
      break;
}

bool MqttSource::turnLoop() {
  int socket = mosquitto_socket(client_);
  if (socket < 0)
    return false;
  // Write only while nothing read waits for its commit: the queued PUBACKs of those messages
  // would go out with it.
  bool mayWrite = pending_.empty() && mosquitto_want_write(client_);
  pollfd watch{socket, short(POLLIN | (mayWrite ? POLLOUT : 0)), 0};
  if (poll(&watch, 1, pending_.empty() ? 100 : 0) < 0 && errno != EINTR)
    return false;
  if (watch.revents & (POLLIN | POLLHUP | POLLERR)) {
    if (mosquitto_loop_read(client_, 1) != MOSQ_ERR_SUCCESS)
      return false;
  }
  if (!pending_.empty()) {
    // Deliver when the socket has nothing more to read at once, or the batch is big or old
    // enough: one commit then acknowledges every message read so far.
    pollfd more{socket, POLLIN, 0};
    bool readable = poll(&more, 1, 0) > 0 && (more.revents & POLLIN);
    bool full =
        pending_.size() >= 4096 || steadyNowNs() - pending_.ingestedAtNs > 10'000'000; // 10 ms
    if (!readable || full) {
      if (!deliverDurably(pending_)) {
        withholdAcknowledgement();
        return false;
      }
      pending_ = ReadingBatch();
    }
  }
  if (pending_.empty() && mosquitto_want_write(client_) &&
      mosquitto_loop_write(client_, 1) != MOSQ_ERR_SUCCESS)
    return false;
  return mosquitto_loop_misc(client_) == MOSQ_ERR_SUCCESS;
}

void MqttSource::onConnect(mosquitto *client, void *self, int rc) {
  auto *source = static_cast<MqttSource *>(self);
  if (rc != 0) {
    std::lock_guard lock(source->stateMutex_);
    source->subscriptionError_ =
        std::string("the broker refused the connection: ") + mosquitto_connack_string(rc);
    source->stateChanged_.notify_all();
    return; // the loop sees the broker close the connection and backs off
  }
  source->connections_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(source->stateMutex_);
    source->pendingSubscriptions_ = int(source->config_.topics.size());
  }
  // Subscribing again on every connect is harmless with a persistent session and needed
  // without one.
  for (const MqttTopic &topic : source->config_.topics)
    mosquitto_subscribe(client, nullptr, topic.filter.c_str(), source->config_.qos);
}

void MqttSource::onDisconnect(mosquitto *, void *self, int) {
  static_cast<MqttSource *>(self)->setSubscribed(false);
}

void MqttSource::onSubscribe(mosquitto *, void *self, int, int count, const int *granted) {
  auto *source = static_cast<MqttSource *>(self);
  std::lock_guard lock(source->stateMutex_);
  for (int i = 0; i < count; ++i)
    if (granted[i] > 2)
      source->subscriptionError_ = "the broker refused a subscription";
  if (--source->pendingSubscriptions_ <= 0 && source->subscriptionError_.empty())
    source->subscribed_ = true;
  source->stateChanged_.notify_all();
}

void MqttSource::onMessage(mosquitto *, void *self, const mosquitto_message *message) {
  static_cast<MqttSource *>(self)->handleMessage(*message);
}

const MqttSource::TopicRoute &MqttSource::routeFor(const std::string &topic) {
  auto found = routes_.find(topic);
  if (found != routes_.end())
    return found->second;
  if (routes_.size() >= (1 << 16)) // a flood of one-off topics cannot grow it without bound
    routes_.clear();
  TopicRoute route;
  for (size_t i = 0; i < config_.topics.size(); ++i) {
    bool matches = false;
    if (mosquitto_topic_matches_sub(config_.topics[i].filter.c_str(), topic.c_str(), &matches) ==
            MOSQ_ERR_SUCCESS &&
        matches) {
      route.topic = int(i);
      break;
    }
  }
  if (route.topic >= 0) {
    std::optional<std::string> sensor =
        sensorNameForTopic(config_.topics[size_t(route.topic)].sensor, topic);
    if (!sensor)
      route.badName = Rejection{RejectReason::InvalidName, "sensor",
                                "pattern `" + config_.topics[size_t(route.topic)].sensor +
                                    "` names a level topic `" + topic + "` does not have",
                                std::nullopt, std::nullopt};
    else if (auto bad = checkSensorName(*sensor, limits_))
      route.badName = bad;
    else
      route.sensor = sensorIds_->idOf(*sensor);
  }
  return routes_.emplace(topic, std::move(route)).first->second;
}

void MqttSource::decodePayload(const TopicRoute &route, std::string_view topic,
                               std::string_view payload, ReadingBatch &batch) {
  ReadingSink &sink = *sink_;
  int64_t nowMs = sink.nowMs();
  const MqttTopic &mapping = config_.topics[size_t(route.topic)];
  auto rejectOne = [&](Rejection rejection, std::string_view raw) {
    rejectReading(sink, rejection.reason,
                  "topic " + std::string(topic) + ": " + describeRejection(rejection), raw);
  };
  if (mapping.payload == MqttPayload::Number) {
    counters_.addReceived(1);
    double value = 0;
    if (auto bad = decodeNumberPayload(payload, value))
      return rejectOne(*bad, payload);
    if (!route.sensor)
      return rejectOne(*route.badName, payload);
    batch.append(*route.sensor, nowMs, value);
    return;
  }
  nlohmann::json document;
  if (auto bad = parseJsonReadings(payload, limits_, document)) {
    counters_.addReceived(1);
    return rejectOne(*bad, payload);
  }
  JsonReadingRules rules{false, false};
  DecodedReading decoded;
  auto decodeOne = [&](const nlohmann::json &object, std::optional<size_t> position) {
    counters_.addReceived(1);
    std::optional<Rejection> bad = decodeJsonReading(object, rules, nowMs, limits_, decoded);
    if (!bad && decoded.sensor.empty() && !route.sensor)
      bad = route.badName;
    if (bad) {
      bad->reading = position;
      return rejectOne(*bad, position ? std::string_view(object.dump()) : payload);
    }
    SensorId id = decoded.sensor.empty() ? *route.sensor : sensorIds_->idOf(decoded.sensor);
    batch.append(id, decoded.timestampMs, decoded.value, std::move(decoded.unit),
                 std::move(decoded.extra));
  };
  if (document.is_array()) {
    for (size_t i = 0; i < document.size(); ++i)
      decodeOne(document[i], i);
  } else {
    decodeOne(document, std::nullopt);
  }
}

void MqttSource::handleMessage(const mosquitto_message &message) {
  counters_.addBytes(uint64_t(std::max(0, message.payloadlen)));
  std::string_view payload(static_cast<const char *>(message.payload),
                           size_t(std::max(0, message.payloadlen)));
  std::string topic(message.topic ? message.topic : "");
  if (payload.size() > config_.maxPayloadBytes) {
    counters_.addReceived(1);
    rejectReading(*sink_, RejectReason::Oversized,
                  "topic " + topic + ": payload of " + std::to_string(payload.size()) +
                      " bytes is over the limit of " + std::to_string(config_.maxPayloadBytes),
                  payload);
    return;
  }
  const TopicRoute &route = routeFor(topic);
  if (route.topic < 0) {
    counters_.addReceived(1);
    rejectReading(*sink_, RejectReason::UnmappedTopic,
                  "topic " + topic + " matches no configured filter", payload);
    return;
  }
  if (pending_.empty()) {
    pending_.source = index();
    pending_.ingestedAtNs = steadyNowNs();
  }
  // The readings wait in pending_ for the loop to offer them; the PUBACK the library queued for
  // this message waits with them (see turnLoop).
  decodePayload(route, topic, payload, pending_);
}

bool MqttSource::deliverDurably(ReadingBatch &batch) {
  auto state = std::make_shared<AckState>();
  batch.ack = std::make_shared<Acknowledgement>([state](bool durable) {
    {
      std::lock_guard lock(state->mutex);
      state->done = true;
      state->durable = durable;
    }
    state->changed.notify_all();
  });
  size_t rows = batch.size();
  // Under back-pressure the network thread stays here: nothing more is read, and the broker
  // holds the rest of the session's messages.
  while (true) {
    if (stop_.raised()) {
      batch.ack->fail(); // dropping our batch must not count as durable
      batch.ack.reset();
      return false;
    }
    if (sink_->offer(batch, std::chrono::milliseconds(100)))
      break;
  }
  counters_.addAccepted(rows);
  std::unique_lock lock(state->mutex);
  while (!state->done) {
    if (stop_.raised())
      return false; // the agent may still commit it: a duplicate after redelivery, not a loss
    state->changed.wait_for(lock, std::chrono::milliseconds(100));
  }
  if (!state->durable)
    counters_.addNotDurable(rows);
  return state->durable;
}

void MqttSource::withholdAcknowledgement() {
  int socket = mosquitto_socket(client_);
  if (socket >= 0)
    shutdown(socket, SHUT_RDWR);
}

} // namespace pyvc::ingest
