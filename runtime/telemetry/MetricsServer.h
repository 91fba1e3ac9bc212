// MetricsServer: the agent's operations endpoint over HTTP — /metrics in the Prometheus text
// format, /healthz and /readyz — on its own thread, on loopback unless configured otherwise.
#pragma once

#include "core/Result.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace httplib {
class Server;
} // namespace httplib

namespace pyvc::telemetry {

class MetricsRegistry;

struct ListenAddress {
  std::string host; // as given, without the brackets of an IPv6 literal
  int port = 0;     // 0: a free port chosen by the kernel
};

// "127.0.0.1:9464", "localhost:9464", "[::1]:9464"; the host is required, so that listening on
// every interface is never an accident of an empty string.
Result<ListenAddress> parseListenAddress(std::string_view listen);

// Answers GET /metrics (text/plain; version=0.0.4), /healthz and /readyz (200, or 503 when the
// check says false; a check left empty counts as true); any other path is 404. The checks and
// the registry's gauge functions run on the server's threads and must be thread-safe. The
// registry, and whatever the checks and gauge functions use, must outlive the server: stop() it
// (or destroy it) first.
class MetricsServer {
public:
  using Check = std::function<bool()>;

  // Binds exactly the address given; an Error names it when that fails (port in use, no such
  // address). The socket does not share its port (no SO_REUSEPORT), so a second agent on the
  // same port fails here instead of splitting the scrapes with the first.
  static Result<std::unique_ptr<MetricsServer>>
  start(const std::string &listen, MetricsRegistry &registry, Check ready, Check healthy);
  ~MetricsServer();
  MetricsServer(const MetricsServer &) = delete;
  MetricsServer &operator=(const MetricsServer &) = delete;

  int port() const { return port_; }
  // Closes the socket and waits for the requests being answered; idempotent.
  void stop();

private:
  MetricsServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
};

} // namespace pyvc::telemetry
