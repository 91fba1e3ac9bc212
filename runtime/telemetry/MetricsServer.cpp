// MetricsServer: cpp-httplib on a small thread pool of its own, serving the registry's text.
#include "telemetry/MetricsServer.h"

#include "telemetry/Metrics.h"

#include <httplib.h>

#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace pyvc::telemetry {

namespace {

constexpr const char *kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";
// Scrapes and probes are small; two threads answer a Prometheus server and a health probe at
// once without the eight idle threads httplib would start by default.
constexpr size_t kServerThreads = 2;

Error badListenAddress(std::string_view listen, std::string_view problem) {
  return makeError("metrics listen address `" + std::string(listen) + "`: " + std::string(problem));
}

// A check that throws is the caller's bug; it answers "not ready" rather than "ready".
bool passes(const MetricsServer::Check &check) {
  if (!check)
    return true;
  try {
    return check();
  } catch (...) {
    return false;
  }
}

std::string describeErrno(int error) {
  if (error == 0)
    return "address not available";
  std::string text = std::strerror(error);
  if (!text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

} // namespace

Result<ListenAddress> parseListenAddress(std::string_view listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos)
    return badListenAddress(listen, "expected host:port, like 127.0.0.1:9464");
  std::string_view host = listen.substr(0, colon);
  std::string_view port = listen.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']'))
      return badListenAddress(listen, "an IPv6 address needs its closing `]`");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return badListenAddress(listen, "write an IPv6 address in brackets, like [::1]:9464");
  }
  if (host.empty())
    return badListenAddress(listen, "the host is missing (127.0.0.1 for loopback)");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return badListenAddress(listen, "the port must be a number from 0 to 65535");
  int number = std::stoi(std::string(port));
  if (number > 65535)
    return badListenAddress(listen, "the port must be a number from 0 to 65535");
  return ListenAddress{std::string(host), number};
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string &listen,
                                                            MetricsRegistry &registry, Check ready,
                                                            Check healthy) {
  Result<ListenAddress> address = parseListenAddress(listen);
  if (!address)
    return address.error();

  std::unique_ptr<MetricsServer> self(new MetricsServer());
  self->server_ = std::make_unique<httplib::Server>();
  httplib::Server &server = *self->server_;
  // httplib's default sets SO_REUSEPORT, which lets two processes listen on one port and share
  // the scrapes; SO_REUSEADDR alone still allows a restart while old connections sit in
  // TIME_WAIT.
  server.set_socket_options([](socket_t socket) {
    int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::fcntl(socket, F_SETFD, FD_CLOEXEC);
  });
  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server.set_read_timeout(std::chrono::seconds(5));
  server.set_write_timeout(std::chrono::seconds(5));
  server.set_keep_alive_timeout(2);
  server.set_payload_max_length(64 * 1024);

  server.Get("/metrics", [&registry](const httplib::Request &, httplib::Response &response) {
    response.set_content(registry.renderPrometheus(), kPrometheusContentType);
  });
  server.Get("/healthz",
             [healthy = std::move(healthy)](const httplib::Request &, httplib::Response &response) {
               bool ok = passes(healthy);
               response.status = ok ? 200 : 503;
               response.set_content(ok ? "ok\n" : "unhealthy\n", "text/plain; charset=utf-8");
             });
  server.Get("/readyz",
             [ready = std::move(ready)](const httplib::Request &, httplib::Response &response) {
               bool ok = passes(ready);
               response.status = ok ? 200 : 503;
               response.set_content(ok ? "ready\n" : "not ready\n", "text/plain; charset=utf-8");
             });

  errno = 0;
  if (address->port == 0) {
    self->port_ = server.bind_to_any_port(address->host);
  } else if (server.bind_to_port(address->host, address->port)) {
    self->port_ = address->port;
  } else {
    self->port_ = -1;
  }
  if (self->port_ <= 0)
    return makeError("cannot listen for metrics on " + listen + ": " + describeErrno(errno));

  auto listening = std::make_shared<std::atomic<bool>>(true);
  self->listener_ = std::thread([&server, listening] {
    server.listen_after_bind();
    listening->store(false);
  });
  // httplib's stop() does nothing until the accept loop runs, so a stop() right after start()
  // would leave the listener thread running forever.
  while (!server.is_running() && listening->load())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return self;
}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::stop() {
  if (!server_)
    return;
  server_->stop();
  if (listener_.joinable())
    listener_.join();
  server_.reset();
}

} // namespace pyvc::telemetry
