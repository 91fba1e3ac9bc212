// Real receivers on 127.0.0.1 for the uplink tests: TestHttpServer (cpp-httplib, plain or TLS)
// answers what the test scripts and records every request; DroppingServer accepts connections
// and closes them without answering.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pyvc::uplink::testing {

// One answer of the server. `delay` makes the server slow before it answers.
struct ScriptedResponse {
  int status = 200;
  std::string body = "ok";
  std::optional<std::string> retryAfter; // the Retry-After header value, when present
  std::chrono::milliseconds delay{0};
};

struct RecordedRequest {
  std::string idempotencyKey;
  std::string contentEncoding;
  size_t contentLength = 0; // bytes on the wire (compressed when gzip)
  std::string body;         // decoded body
  std::string batchId;      // from the body
  std::vector<nlohmann::json> items;
  std::string authorization; // to check extra headers arrive
  int answeredStatus = 0;
  std::chrono::steady_clock::time_point receivedAt;
};

struct TlsFiles {
  std::string certFile, keyFile;
  std::string clientCaFile; // non-empty: require client certificates signed by this CA
};

class TestHttpServer {
public:
  explicit TestHttpServer(std::optional<TlsFiles> tls = std::nullopt);
  ~TestHttpServer();

  // Listens on 127.0.0.1:port (0 = a free port chosen by the kernel); returns the port, or 0.
  int start(int port = 0);
  void stop(); // the server is "down": connections are refused
  int port() const { return port_; }
  std::string url() const; // e.g. "http://127.0.0.1:4711/ingest"

  void setDefaultResponse(ScriptedResponse response);
  // Answers consumed before the default one, in order.
  void script(std::vector<ScriptedResponse> responses);

  std::vector<RecordedRequest> requests() const;
  // Requests whose handling has begun (recorded ones are counted when answered).
  int requestsStarted() const { return requestsStarted_.load(); }
  // Items of requests answered 2xx, in arrival order (duplicates included).
  std::vector<nlohmann::json> acceptedItems() const;
  // Waits (hang guard) until `count` items were accepted; false on timeout.
  bool waitForAcceptedItems(size_t count, std::chrono::milliseconds guard) const;

private:
  void handle(const httplib::Request &request, httplib::Response &response);

  std::optional<TlsFiles> tls_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;

  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  ScriptedResponse defaultResponse_;
  std::deque<ScriptedResponse> scripted_;
  std::vector<RecordedRequest> requests_;
  size_t acceptedItemCount_ = 0;
  std::atomic<int> requestsStarted_{0};
};

// Accepts TCP connections on 127.0.0.1, reads a little, and closes without a response.
class DroppingServer {
public:
  DroppingServer();
  ~DroppingServer();
  int port() const { return port_; }
  int connectionsDropped() const { return dropped_.load(); }

private:
  int listenFd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> dropped_{0};
  std::thread acceptor_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read it, close).
int findFreePort();

} // namespace pyvc::uplink::testing
