// The loopback receivers of the uplink tests; see TestHttpServer.h.
#include "TestHttpServer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cassert>
#include <cstdio>

namespace pyvc::uplink::testing {

TestHttpServer::TestHttpServer(std::optional<TlsFiles> tls) : tls_(std::move(tls)) {}

TestHttpServer::~TestHttpServer() { stop(); }

int TestHttpServer::start(int port) {
  assert(!server_ && "start() of a running TestHttpServer");
  if (tls_) {
    auto server = std::make_unique<httplib::SSLServer>(
        tls_->certFile.c_str(), tls_->keyFile.c_str(),
        tls_->clientCaFile.empty() ? nullptr : tls_->clientCaFile.c_str());
    if (!server->is_valid()) {
      std::fprintf(stderr, "test server: invalid TLS certificate or key\n");
      return 0;
    }
    server_ = std::move(server);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->Post("/ingest", [this](const httplib::Request &request, httplib::Response &response) {
    handle(request, response);
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
  } else {
    port_ = server_->bind_to_port("127.0.0.1", port) ? port : -1;
  }
  if (port_ <= 0) {
    server_.reset();
    port_ = 0;
    return 0;
  }
  // The socket already listens after bind, so clients can connect before this thread runs.
  listener_ = std::thread([server = server_.get()] { server->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so a stop() right after start() would hang.
  while (!server_->is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port_;
}

void TestHttpServer::stop() {
  if (!server_)
    return;
  server_->stop();
  if (listener_.joinable())
    listener_.join();
  server_.reset();
}

std::string TestHttpServer::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + "/ingest";
}

void TestHttpServer::setDefaultResponse(ScriptedResponse response) {
  std::lock_guard lock(mutex_);
  defaultResponse_ = std::move(response);
}

void TestHttpServer::script(std::vector<ScriptedResponse> responses) {
  std::lock_guard lock(mutex_);
  for (ScriptedResponse &response : responses)
    scripted_.push_back(std::move(response));
}

void TestHttpServer::handle(const httplib::Request &request, httplib::Response &response) {
  ++requestsStarted_;
  RecordedRequest record;
  record.receivedAt = std::chrono::steady_clock::now();
  record.idempotencyKey = request.get_header_value("Idempotency-Key");
  record.contentEncoding = request.get_header_value("Content-Encoding");
  record.authorization = request.get_header_value("Authorization");
  std::string contentLength = request.get_header_value("Content-Length");
  record.contentLength = contentLength.empty() ? 0 : std::stoul(contentLength);
  record.body = request.body; // cpp-httplib has already gunzipped it
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    record.batchId = body.value("batch_id", "");
    if (body.contains("items") && body["items"].is_array())
      for (const nlohmann::json &item : body["items"])
        record.items.push_back(item);
  }

  ScriptedResponse answer;
  {
    std::lock_guard lock(mutex_);
    if (!scripted_.empty()) {
      answer = std::move(scripted_.front());
      scripted_.pop_front();
    } else {
      answer = defaultResponse_;
    }
  }
  if (answer.delay.count() > 0)
    std::this_thread::sleep_for(answer.delay);
  response.status = answer.status;
  response.set_content(answer.body, "text/plain");
  if (answer.retryAfter)
    response.set_header("Retry-After", *answer.retryAfter);

  record.answeredStatus = answer.status;
  std::lock_guard lock(mutex_);
  if (answer.status >= 200 && answer.status < 300)
    acceptedItemCount_ += record.items.size();
  requests_.push_back(std::move(record));
  arrived_.notify_all();
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<nlohmann::json> TestHttpServer::acceptedItems() const {
  std::lock_guard lock(mutex_);
  std::vector<nlohmann::json> items;
  for (const RecordedRequest &request : requests_)
    if (request.answeredStatus >= 200 && request.answeredStatus < 300)
      items.insert(items.end(), request.items.begin(), request.items.end());
  return items;
}

bool TestHttpServer::waitForAcceptedItems(size_t count, std::chrono::milliseconds guard) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, guard, [&] { return acceptedItemCount_ >= count; });
}

DroppingServer::DroppingServer() {
  listenFd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  bool ok = listenFd_ >= 0 && bind(listenFd_, (sockaddr *)&address, sizeof(address)) == 0 &&
            listen(listenFd_, 16) == 0 &&
            getsockname(listenFd_, (sockaddr *)&address, &length) == 0;
  assert(ok && "cannot open a listening socket on 127.0.0.1");
  (void)ok;
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] {
    while (!stopping_) {
      pollfd waiting{listenFd_, POLLIN, 0};
      if (poll(&waiting, 1, 50) <= 0)
        continue;
      int connection = accept(listenFd_, nullptr, nullptr);
      if (connection < 0)
        continue;
      char buffer[512];
      pollfd readable{connection, POLLIN, 0};
      if (poll(&readable, 1, 1000) > 0)
        (void)read(connection, buffer, sizeof(buffer));
      close(connection);
      ++dropped_;
    }
  });
}

DroppingServer::~DroppingServer() {
  stopping_ = true;
  acceptor_.join();
  close(listenFd_);
}

int findFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, (sockaddr *)&address, sizeof(address)) == 0 &&
      getsockname(fd, (sockaddr *)&address, &length) == 0)
    port = ntohs(address.sin_port);
  close(fd);
  return port;
}

} // namespace pyvc::uplink::testing
