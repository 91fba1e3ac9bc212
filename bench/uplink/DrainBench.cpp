// Drains a backlog of small JSON readings (1 million by default) from a SyncQueue on a SQLite
// file to a cpp-httplib receiver on 127.0.0.1 through DrainLoop + HttpUplink, and prints how
// long it took: items/s, payload MB/s and wire MB/s. The receiver parses every body and counts
// items, so the figure includes a realistic (if cheap) receiver on the same 2 cores.
//
//   bench_uplink_drain [--items N] [--batch N] [--gzip] [--full]
#include "sync/SyncQueue.h"
#include "uplink/DrainLoop.h"
#include "uplink/HttpUplink.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <thread>

using namespace std::chrono_literals;
using namespace pyvc;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  size_t items = 1'000'000;
  size_t batch = 500;
  bool gzip = false;
  bool fullDurability = false;
};

Settings parseArguments(int argc, char **argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--items" && i + 1 < argc)
      settings.items = std::strtoull(argv[++i], nullptr, 10);
    else if (argument == "--batch" && i + 1 < argc)
      settings.batch = std::strtoull(argv[++i], nullptr, 10);
    else if (argument == "--gzip")
      settings.gzip = true;
    else if (argument == "--full")
      settings.fullDurability = true;
    else {
      std::fprintf(stderr, "usage: bench_uplink_drain [--items N] [--batch N] [--gzip] [--full]\n");
      std::exit(2);
    }
  }
  return settings;
}

std::string payloadFor(size_t seq) {
  return R"({"sensor":"temp.room)" + std::to_string(seq % 50) + R"(","timestamp_ms":)" +
         std::to_string(1732312345678 + int64_t(seq)) + R"(,"value":)" +
         std::to_string(20.0 + double(seq % 100) / 10.0) + R"(,"unit":"C"})";
}

// Times the uplink's share of the drain (encode, gzip, HTTP round trip); the rest is the queue.
class TimedUplink final : public uplink::Uplink {
public:
  explicit TimedUplink(uplink::Uplink &inner) : inner_(inner) {}
  uplink::Delivery send(const sync::Batch &batch) override {
    Clock::time_point start = Clock::now();
    uplink::Delivery delivery = inner_.send(batch);
    seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
    return delivery;
  }
  std::string_view name() const override { return inner_.name(); }
  double seconds() const { return seconds_; }

private:
  uplink::Uplink &inner_;
  double seconds_ = 0; // only the drain thread writes it; read after stop()
};

// CPU seconds (user + system) of the whole process: drain thread, uplink and receiver. On a
// shared machine this is the comparable figure; wall time depends on the neighbours.
double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char **argv) {
  Settings settings = parseArguments(argc, argv);
  std::string pattern =
      (std::filesystem::temp_directory_path() / "pyvc-drain-bench-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  std::filesystem::path directory = pattern;

  sync::QueueOptions queueOptions;
  queueOptions.path = (directory / "queue.db").string();
  queueOptions.durability =
      settings.fullDurability ? sync::Durability::Full : sync::Durability::Normal;
  auto opened = sync::SyncQueue::open(queueOptions);
  if (!opened) {
    std::fprintf(stderr, "queue: %s\n", opened.error().message.c_str());
    return 1;
  }
  std::unique_ptr<sync::SyncQueue> queue = std::move(opened).value();

  // The backlog, enqueued in transactions of 10,000 (not part of the drain figure).
  Clock::time_point enqueueStart = Clock::now();
  size_t payloadBytes = 0;
  std::vector<sync::EnqueueRequest> chunk;
  for (size_t seq = 0; seq < settings.items;) {
    chunk.clear();
    for (; seq < settings.items && chunk.size() < 10'000; ++seq) {
      chunk.push_back({payloadFor(seq), 0, 0ms});
      payloadBytes += chunk.back().payload.size();
    }
    if (auto ids = queue->enqueueBatch(chunk); !ids) {
      std::fprintf(stderr, "enqueue: %s\n", ids.error().message.c_str());
      return 1;
    }
  }
  double enqueueSeconds = secondsSince(enqueueStart);

  // The receiver: parses each body and counts its items.
  std::atomic<size_t> receivedItems{0}, receivedBodies{0};
  httplib::Server receiver;
  receiver.Post("/ingest", [&](const httplib::Request &request, httplib::Response &response) {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      response.status = 400;
      return;
    }
    receivedItems += body["items"].size();
    ++receivedBodies;
    response.status = 200;
  });
  receiver.set_tcp_nodelay(true); // headers and body go out as two writes: no Nagle stall
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { receiver.listen_after_bind(); });

  uplink::HttpUplinkOptions httpOptions;
  httpOptions.url = "http://127.0.0.1:" + std::to_string(port) + "/ingest";
  httpOptions.gzip = settings.gzip;
  auto http = uplink::HttpUplink::create(httpOptions);
  if (!http) {
    std::fprintf(stderr, "uplink: %s\n", http.error().message.c_str());
    return 1;
  }
  uplink::DrainOptions drainOptions;
  drainOptions.maxBatchItems = settings.batch;
  drainOptions.maxBatchBytes = 64 * 1024 * 1024; // limit by items here
  TimedUplink timed(*http.value());
  uplink::DrainLoop loop(*queue, timed, drainOptions);

  Clock::time_point drainStart = Clock::now();
  double cpuAtStart = processCpuSeconds();
  loop.start();
  while (receivedItems.load() < settings.items && secondsSince(drainStart) < 3600)
    std::this_thread::sleep_for(5ms);
  double drainSeconds = secondsSince(drainStart);
  double drainCpuSeconds = processCpuSeconds() - cpuAtStart;
  loop.stop();
  receiver.stop();
  listener.join();

  uplink::DrainStats stats = loop.stats();
  std::printf("backlog: %zu items, %.1f MB payload, enqueued in %.2f s (%s)\n", settings.items,
              double(payloadBytes) / 1e6, enqueueSeconds,
              settings.fullDurability ? "synchronous=FULL" : "synchronous=NORMAL");
  std::printf("drain: batch %zu items, gzip %s: %.2f s, %.0f items/s, payload %.1f MB/s, "
              "wire %.1f MB/s (%.1f MB on the wire)\n",
              settings.batch, settings.gzip ? "on" : "off", drainSeconds,
              double(settings.items) / drainSeconds, double(payloadBytes) / 1e6 / drainSeconds,
              double(stats.sentBytes) / 1e6 / drainSeconds, double(stats.sentBytes) / 1e6);
  std::printf("cpu: %.2f s for the drain (sender + receiver), %.0f items per CPU-second\n",
              drainCpuSeconds, double(settings.items) / drainCpuSeconds);
  std::printf("time split: uplink send %.2f s (%.0f%%), queue dequeue/ack and the rest %.2f s\n",
              timed.seconds(), 100.0 * timed.seconds() / drainSeconds,
              drainSeconds - timed.seconds());
  std::printf("receiver: %zu bodies, %zu items; drain stats: %llu batches, %llu retries\n",
              receivedBodies.load(), receivedItems.load(), (unsigned long long)stats.sentBatches,
              (unsigned long long)stats.retries);

  queue.reset();
  std::filesystem::remove_all(directory);
  return receivedItems.load() >= settings.items ? 0 : 1;
}
