// The HTTP webhook; see HttpSource.h for the answers it gives.
#include "ingest/HttpSource.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>

namespace pyvc::ingest {

namespace {

using Clock = std::chrono::steady_clock;

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct AckState {
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
  bool durable = false;
};

void answerJson(httplib::Response &response, int status, const nlohmann::json &body) {
  response.status = status;
  response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

nlohmann::json rejectionBody(const Rejection &rejection, size_t rejectedCount) {
  nlohmann::json body = {{"error", describeRejection(rejection)},
                         {"reason", rejectReasonName(rejection.reason)},
                         {"rejected", rejectedCount},
                         {"accepted", 0}};
  if (rejection.reading)
    body["reading"] = *rejection.reading;
  if (!rejection.field.empty())
    body["field"] = rejection.field;
  return body;
}

} // namespace

struct HttpSource::Waiters {
  std::atomic<bool> stopping{false};
};

HttpSource::HttpSource(std::string name, uint32_t index, HttpSourceConfig config,
                       ValidationLimits limits)
    : Source(std::move(name), index), config_(std::move(config)), limits_(limits),
      waiters_(std::make_shared<Waiters>()) {}

HttpSource::~HttpSource() { stop(); }

Result<void> HttpSource::start(ReadingSink &sink) {
  std::string what = "http source `" + name() + "`";
  if (thread_.joinable())
    return makeError(what + " is already running");
  if (config_.path.empty() || config_.path.front() != '/')
    return makeError(what + ": path must start with /");
  sink_ = &sink;
  waiters_->stopping.store(false);
  server_ = std::make_unique<httplib::Server>();
  int threads = std::max(1, config_.threads);
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  server_->set_payload_max_length(config_.maxBodyBytes);
  // cpp-httplib's default sets SO_REUSEPORT, which lets a second agent bind the same port
  // silently and share its requests; SO_REUSEADDR alone makes a port in use an error.
  server_->set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Idle keep-alive connections are closed after a second, so stop() never waits long on them.
  server_->set_keep_alive_timeout(1);
  server_->Post(config_.path, [this](const httplib::Request &request, httplib::Response &response) {
    handleIngest(request, response);
  });
  server_->set_error_handler([this](const httplib::Request &, httplib::Response &response) {
    if (response.status != 413 || !response.body.empty())
      return; // our own answers already carry their body
    counters_.addReceived(1);
    rejectReading(
        *sink_, RejectReason::Oversized,
        "request body over the limit of " + std::to_string(config_.maxBodyBytes) + " bytes", "");
    answerJson(response, 413,
               {{"error", "request body over the limit of " + std::to_string(config_.maxBodyBytes) +
                              " bytes"},
                {"reason", "oversized"}});
  });
  if (config_.port == 0) {
    boundPort_ = server_->bind_to_any_port(config_.host);
    if (boundPort_ <= 0)
      return makeError(what + ": cannot listen on " + config_.host);
  } else {
    if (!server_->bind_to_port(config_.host, config_.port))
      return makeError(what + ": cannot listen on " + config_.host + ":" +
                       std::to_string(config_.port) + " (in use?)");
    boundPort_ = config_.port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the listening thread has marked the server running:
  // wait for that, or a stop() right after start() would leave the thread in accept() forever.
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!server_->is_running()) {
    stop();
    return makeError(what + ": the HTTP server did not start");
  }
  return {};
}

void HttpSource::stop() {
  waiters_->stopping.store(true);
  if (server_)
    server_->stop();
  if (thread_.joinable())
    thread_.join();
}

void HttpSource::answerUnavailable(httplib::Response &response, const std::string &why) {
  response.set_header("Retry-After",
                      std::to_string(std::max<int64_t>(1, config_.retryAfter.count())));
  answerJson(response, 503, {{"error", why}, {"accepted", 0}});
}

void HttpSource::handleIngest(const httplib::Request &request, httplib::Response &response) {
  ReadingSink &sink = *sink_;
  const std::string &body = request.body;
  counters_.addBytes(body.size());
  if (body.size() > config_.maxBodyBytes) {
    counters_.addReceived(1);
    Rejection rejection{RejectReason::Oversized, "",
                        "request body over the limit of " + std::to_string(config_.maxBodyBytes) +
                            " bytes",
                        std::nullopt, std::nullopt};
    rejectReading(sink, rejection.reason, describeRejection(rejection), body);
    return answerJson(response, 413, rejectionBody(rejection, 1));
  }
  nlohmann::json document;
  if (auto bad = parseJsonReadings(body, limits_, document)) {
    counters_.addReceived(1);
    rejectReading(sink, bad->reason, describeRejection(*bad), body);
    return answerJson(response, 400, rejectionBody(*bad, 1));
  }
  bool isArray = document.is_array();
  size_t count = isArray ? document.size() : 1;
  counters_.addReceived(count);
  int64_t nowMs = sink.nowMs();
  ReadingBatch batch;
  batch.source = index();
  batch.reserve(count);
  std::optional<Rejection> firstBad;
  size_t badCount = 0;
  DecodedReading decoded;
  JsonReadingRules rules;
  for (size_t i = 0; i < count; ++i) {
    const nlohmann::json &object = isArray ? document[i] : document;
    if (auto bad = decodeJsonReading(object, rules, nowMs, limits_, decoded)) {
      if (isArray)
        bad->reading = i;
      ++badCount;
      rejectReading(sink, bad->reason, describeRejection(*bad),
                    object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      if (!firstBad)
        firstBad = std::move(bad);
      continue;
    }
    batch.append(sink.sensorNames().intern(decoded.sensor), decoded.timestampMs, decoded.value,
                 std::move(decoded.unit), std::move(decoded.extra));
  }
  if (firstBad) {
    // The good readings of a bad request are not taken: the client resends the whole batch.
    return answerJson(response, 400, rejectionBody(*firstBad, badCount));
  }
  if (batch.empty())
    return answerJson(response, 200, {{"accepted", 0}});

  auto state = std::make_shared<AckState>();
  batch.ack = std::make_shared<Acknowledgement>([state](bool durable) {
    {
      std::lock_guard lock(state->mutex);
      state->done = true;
      state->durable = durable;
    }
    state->changed.notify_all();
  });
  batch.ingestedAtNs = steadyNowNs();
  size_t rows = batch.size();
  auto offerWait =
      std::min<std::chrono::milliseconds>(std::chrono::milliseconds(100), config_.ackTimeout);
  if (waiters_->stopping.load() || !sink.offer(batch, offerWait)) {
    batch.ack->fail(); // our copy dies here: it must not read as durable
    batch.ack.reset();
    counters_.addDropped(waiters_->stopping.load() ? SourceDropReason::Stopping
                                                   : SourceDropReason::BudgetFull,
                         rows);
    return answerUnavailable(response, "the agent is at capacity; retry later");
  }
  counters_.addAccepted(rows);
  auto deadline = Clock::now() + config_.ackTimeout;
  std::unique_lock lock(state->mutex);
  while (!state->done && !waiters_->stopping.load() && Clock::now() < deadline)
    state->changed.wait_until(lock,
                              std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
  if (!state->done) {
    counters_.addNotDurable(rows);
    return answerUnavailable(response, waiters_->stopping.load()
                                           ? "the agent is stopping; retry later"
                                           : "the readings were not committed in time; retry");
  }
  if (!state->durable) {
    counters_.addNotDurable(rows);
    return answerUnavailable(response, "the readings could not be committed; retry");
  }
  answerJson(response, 200, {{"accepted", rows}});
}

} // namespace pyvc::ingest
