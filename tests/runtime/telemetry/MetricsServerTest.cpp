// MetricsServer over real HTTP on 127.0.0.1: what each endpoint answers, 404 for the rest, the
// address errors, and that a taken port is an error (no silent port sharing).
#include "telemetry/MetricsServer.h"

#include "telemetry/Metrics.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace pyvc::telemetry;

namespace {

std::unique_ptr<MetricsServer> startOnLoopback(MetricsRegistry &registry,
                                               MetricsServer::Check ready = {},
                                               MetricsServer::Check healthy = {}) {
  auto server = MetricsServer::start("127.0.0.1:0", registry, std::move(ready), std::move(healthy));
  EXPECT_TRUE(server.ok()) << (server.ok() ? "" : server.error().message);
  if (!server.ok())
    return nullptr;
  EXPECT_GT((*server)->port(), 0);
  return std::move(server).value();
}

httplib::Result get(int port, const std::string &path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(5));
  return client.Get(path);
}

// A listening TCP socket on 127.0.0.1 that holds its port, without SO_REUSEPORT.
struct PlainListener {
  int fd = -1;
  int port = 0;
  PlainListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::listen(fd, 4) != 0)
      return;
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~PlainListener() { ::close(fd); }
};

TEST(MetricsServer, MetricsEndpointServesTheRegistry) {
  MetricsRegistry registry;
  Counter &readings = registry.counter("pyvc_readings_in", "Readings in.", {{"source", "sim"}});
  readings.add(5);
  auto server = startOnLoopback(registry);
  ASSERT_TRUE(server);

  auto first = get(server->port(), "/metrics");
  ASSERT_TRUE(first) << httplib::to_string(first.error());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(first->body, "# HELP pyvc_readings_in_total Readings in.\n"
                         "# TYPE pyvc_readings_in_total counter\n"
                         "pyvc_readings_in_total{source=\"sim\"} 5\n");

  // Each scrape renders anew: updates and new metrics show up.
  readings.add(2);
  registry.gauge("pyvc_queue_depth", "Queue depth.").set(3);
  auto second = get(server->port(), "/metrics");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, registry.renderPrometheus());
  EXPECT_NE(second->body.find("pyvc_readings_in_total{source=\"sim\"} 7\n"), std::string::npos);
  EXPECT_NE(second->body.find("pyvc_queue_depth 3\n"), std::string::npos);
}

// Four scrapers at once while another thread counts: every scrape is whole, and the count a
// scraper sees never goes down.
TEST(MetricsServer, ConcurrentScrapesWhileUpdating) {
  MetricsRegistry registry;
  Counter &ticks = registry.counter("pyvc_ticks", "Ticks.");
  registry.gauge("pyvc_last", "Last line.").set(1);
  auto server = startOnLoopback(registry);
  ASSERT_TRUE(server);
  std::atomic<bool> done{false};
  std::thread updater([&] {
    while (!done.load())
      ticks.add();
  });
  std::vector<std::thread> scrapers;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    scrapers.emplace_back([&] {
      httplib::Client client("127.0.0.1", server->port());
      client.set_read_timeout(std::chrono::seconds(5));
      uint64_t previous = 0;
      for (int i = 0; i < 25; ++i) {
        auto response = client.Get("/metrics");
        if (!response || response->status != 200)
          return;
        const std::string &body = response->body;
        const std::string prefix = "\npyvc_ticks_total ";
        size_t at = body.find(prefix);
        if (at == std::string::npos || !body.ends_with("pyvc_last 1\n"))
          return;
        uint64_t value = std::stoull(body.substr(at + prefix.size()));
        if (value < previous)
          return;
        previous = value;
      }
      ++good;
    });
  }
  for (std::thread &scraper : scrapers)
    scraper.join();
  done = true;
  updater.join();
  EXPECT_EQ(good.load(), 4);
  EXPECT_GT(ticks.value(), 0u);
}

TEST(MetricsServer, HealthAndReadinessFollowTheChecks) {
  MetricsRegistry registry;
  std::atomic<bool> ready{false}, healthy{true};
  auto server = startOnLoopback(
      registry, [&] { return ready.load(); }, [&] { return healthy.load(); });
  ASSERT_TRUE(server);

  auto notReady = get(server->port(), "/readyz");
  ASSERT_TRUE(notReady);
  EXPECT_EQ(notReady->status, 503);
  EXPECT_EQ(notReady->body, "not ready\n");
  auto healthyNow = get(server->port(), "/healthz");
  ASSERT_TRUE(healthyNow);
  EXPECT_EQ(healthyNow->status, 200);
  EXPECT_EQ(healthyNow->body, "ok\n");

  ready = true;
  healthy = false;
  auto readyNow = get(server->port(), "/readyz");
  ASSERT_TRUE(readyNow);
  EXPECT_EQ(readyNow->status, 200);
  EXPECT_EQ(readyNow->body, "ready\n");
  auto unhealthy = get(server->port(), "/healthz");
  ASSERT_TRUE(unhealthy);
  EXPECT_EQ(unhealthy->status, 503);
  EXPECT_EQ(unhealthy->body, "unhealthy\n");
}

TEST(MetricsServer, EmptyChecksPassAndThrowingChecksFail) {
  MetricsRegistry registry;
  auto passing = startOnLoopback(registry);
  ASSERT_TRUE(passing);
  EXPECT_EQ(get(passing->port(), "/readyz")->status, 200);
  EXPECT_EQ(get(passing->port(), "/healthz")->status, 200);

  auto throwing = startOnLoopback(
      registry, []() -> bool { throw std::runtime_error("not yet"); },
      []() -> bool { throw std::runtime_error("broken"); });
  ASSERT_TRUE(throwing);
  EXPECT_EQ(get(throwing->port(), "/readyz")->status, 503);
  EXPECT_EQ(get(throwing->port(), "/healthz")->status, 503);
}

TEST(MetricsServer, OtherPathsAndMethodsAre404) {
  MetricsRegistry registry;
  auto server = startOnLoopback(registry);
  ASSERT_TRUE(server);
  for (const char *path : {"/", "/metrics/", "/metricsx", "/healthz/x", "/favicon.ico"}) {
    auto response = get(server->port(), path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
  }
  httplib::Client client("127.0.0.1", server->port());
  auto post = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST(MetricsServer, PortInUseIsAnErrorNamingTheAddress) {
  PlainListener taken;
  ASSERT_GT(taken.port, 0);
  MetricsRegistry registry;
  std::string listen = "127.0.0.1:" + std::to_string(taken.port);
  auto server = MetricsServer::start(listen, registry, {}, {});
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().message,
            "cannot listen for metrics on " + listen + ": address already in use");
}

// httplib would set SO_REUSEPORT and let a second agent share the port with the first.
TEST(MetricsServer, SecondServerOnTheSamePortFails) {
  MetricsRegistry registry;
  auto first = startOnLoopback(registry);
  ASSERT_TRUE(first);
  std::string listen = "127.0.0.1:" + std::to_string(first->port());
  auto second = MetricsServer::start(listen, registry, {}, {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find(listen), std::string::npos) << second.error().message;
  // The first keeps serving.
  auto response = get(first->port(), "/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(MetricsServer, BadListenAddressesAreNamed) {
  MetricsRegistry registry;
  for (const char *listen : {"9464", "127.0.0.1", ":9464", "127.0.0.1:99999", "127.0.0.1:",
                             "127.0.0.1:abc", "127.0.0.1:-1", "::1:9464", "[::1:9464", ""}) {
    auto server = MetricsServer::start(listen, registry, {}, {});
    ASSERT_FALSE(server.ok()) << listen;
    EXPECT_TRUE(server.error().message.starts_with("metrics listen address `" +
                                                   std::string(listen) + "`: "))
        << server.error().message;
  }
  auto v6 = parseListenAddress("[::1]:9464");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9464);
  auto v4 = parseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 0);
}

TEST(MetricsServer, StopIsPromptAndClosesThePort) {
  MetricsRegistry registry;
  auto server = startOnLoopback(registry);
  ASSERT_TRUE(server);
  int port = server->port();
  // A keep-alive client holds its connection open across the stop.
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/healthz"));
  auto before = std::chrono::steady_clock::now();
  server->stop();
  auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, std::chrono::seconds(3));
  server->stop(); // idempotent
  httplib::Client late("127.0.0.1", port);
  late.set_connection_timeout(std::chrono::seconds(1));
  EXPECT_FALSE(late.Get("/healthz"));
  // The port can be taken again at once (SO_REUSEADDR).
  auto again = MetricsServer::start("127.0.0.1:" + std::to_string(port), registry, {}, {});
  EXPECT_TRUE(again.ok()) << (again.ok() ? "" : again.error().message);
}

TEST(MetricsServer, StopRightAfterStartDoesNotHang) {
  MetricsRegistry registry;
  for (int i = 0; i < 20; ++i) {
    auto server = startOnLoopback(registry);
    ASSERT_TRUE(server);
    server->stop();
  }
}

} // namespace
