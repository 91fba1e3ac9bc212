// DrainLoop end to end: the real SyncQueue on a SQLite file, the real HttpUplink, a real
// loopback HTTP server that fails in scripted ways. Checks at-least-once delivery, idempotency
// keys on duplicates, order within a priority, dead-lettering, Retry-After, resumption after an
// outage, the bandwidth cap, wake() and stop().
#include "uplink/DrainLoop.h"
#include "TestHttpServer.h"
#include "TestSupport.h"
#include "uplink/HttpUplink.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

using namespace std::chrono_literals;
using namespace pyvc;
using namespace pyvc::uplink;
using namespace pyvc::uplink::testing;
using std::chrono::milliseconds;

namespace {

class UplinkDrain : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(directory.path().empty());
    ASSERT_GT(server.start(), 0);
    sync::QueueOptions queueOptions;
    queueOptions.path = directory.file("queue.db");
    queueOptions.durability = sync::Durability::Normal;
    queueOptions.backoffBase = 10ms;
    queueOptions.backoffCap = 50ms;
    queueOptions.randomSeed = 7;
    auto opened = sync::SyncQueue::open(queueOptions);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    queue = std::move(opened).value();
  }

  std::unique_ptr<HttpUplink> makeUplink(milliseconds totalTimeout = 5s) {
    HttpUplinkOptions options;
    options.url = server.url();
    options.connectTimeout = 2s;
    options.totalTimeout = totalTimeout;
    auto uplink = HttpUplink::create(options);
    EXPECT_TRUE(uplink.ok());
    return std::move(uplink).value();
  }

  DrainOptions drainOptions(size_t maxItems) {
    DrainOptions options;
    options.maxBatchItems = maxItems;
    options.queueMutex = &queueMutex;
    options.randomSeed = 11;
    return options;
  }

  void enqueue(int firstSeq, int count, int priority = 0) {
    std::lock_guard lock(queueMutex);
    for (int seq = firstSeq; seq < firstSeq + count; ++seq)
      ASSERT_TRUE(queue->enqueue(readingPayload(seq, priority), priority, 0ms).ok());
  }

  sync::QueueStats queueStats() {
    std::lock_guard lock(queueMutex);
    auto stats = queue->stats();
    EXPECT_TRUE(stats.ok());
    return stats.ok() ? stats.value() : sync::QueueStats{};
  }

  static int seqOf(const nlohmann::json &item) { return item["extra"]["seq"].get<int>(); }

  TemporaryDirectory directory;
  TestHttpServer server;
  std::mutex queueMutex;
  std::unique_ptr<sync::SyncQueue> queue;
};

} // namespace

TEST_F(UplinkDrain, EveryItemArrivesInOrderThroughFailuresAndDuplicatesShareTheKey) {
  // Items of two priorities, interleaved; the server fails in every way it can before it
  // settles on 200. The 3 s answer to a 1 s client timeout makes a true duplicate: the
  // server took the batch, the client never heard, so it sends the batch again.
  for (int seq = 0; seq < 240; ++seq)
    enqueue(seq, 1, seq % 3 == 0 ? 5 : 0);
  server.script({{500, "boom", std::nullopt},
                 {429, "later", std::string("1")},
                 {200, "took it, slowly", std::nullopt, 3000ms},
                 {503, "", std::nullopt}});
  auto uplink = makeUplink(1000ms); // generous: a loaded machine must not add timeouts
  DrainLoop loop(*queue, *uplink, drainOptions(40));
  loop.start();
  ASSERT_TRUE(eventually([&] { return queueStats().queued == 0; }, 30s)) << "hang guard";
  // The slow duplicate is recorded when its handler finishes.
  ASSERT_TRUE(server.waitForAcceptedItems(240 + 40, 10s)) << "the duplicate batch never landed";
  loop.stop();

  std::vector<RecordedRequest> requests = server.requests();
  std::map<int, std::set<std::string>> keysOfSeq;
  std::map<int, int> acceptedCount;
  for (const RecordedRequest &request : requests) {
    EXPECT_EQ(request.idempotencyKey, request.batchId);
    for (const nlohmann::json &item : request.items) {
      keysOfSeq[seqOf(item)].insert(request.idempotencyKey);
      if (request.answeredStatus == 200)
        ++acceptedCount[seqOf(item)];
    }
  }
  for (int seq = 0; seq < 240; ++seq) {
    EXPECT_GE(acceptedCount[seq], 1) << "seq " << seq << " never accepted";
    EXPECT_EQ(keysOfSeq[seq].size(), 1u) << "seq " << seq << " went out under several keys";
  }
  EXPECT_TRUE(std::any_of(acceptedCount.begin(), acceptedCount.end(), [](auto &entry) {
    return entry.second >= 2;
  })) << "the slow 200 should have produced an accepted duplicate";

  // Order within a priority: first acceptances come in increasing seq.
  std::map<int, int> lastSeqOfPriority;
  std::set<int> seen;
  for (const nlohmann::json &item : server.acceptedItems()) {
    int seq = seqOf(item);
    if (!seen.insert(seq).second)
      continue;
    int priority = item["extra"]["priority"].get<int>();
    auto last = lastSeqOfPriority.find(priority);
    if (last != lastSeqOfPriority.end()) {
      EXPECT_GT(seq, last->second) << "priority " << priority << " out of order";
    }
    lastSeqOfPriority[priority] = seq;
  }

  // Retry-After: 1 s honoured, nothing reached the server sooner after the 429.
  auto tooMany = std::find_if(requests.begin(), requests.end(),
                              [](const RecordedRequest &r) { return r.answeredStatus == 429; });
  ASSERT_NE(tooMany, requests.end());
  for (const RecordedRequest &request : requests)
    if (request.receivedAt > tooMany->receivedAt) {
      EXPECT_GE(request.receivedAt - tooMany->receivedAt, 1000ms);
    }

  DrainStats stats = loop.stats();
  EXPECT_GE(stats.retries, 4u);
  EXPECT_GE(stats.serverFailures, 3u);
  EXPECT_GE(stats.transportFailures, 1u);
  EXPECT_EQ(stats.sentItems, 240u);
  EXPECT_EQ(stats.rejectedBatches, 0u);
  EXPECT_TRUE(stats.linkUp);
  EXPECT_EQ(queueStats().deadLettered, 0);
}

TEST_F(UplinkDrain, BadRequestDeadLettersTheBatchWithTheResponse) {
  enqueue(0, 10);
  server.script({{400, "reading 2: field `value` must be a number", std::nullopt}});
  auto uplink = makeUplink();
  DrainLoop loop(*queue, *uplink, drainOptions(5));
  loop.start();
  ASSERT_TRUE(eventually([&] { return queueStats().queued == 0; }, 20s)) << "hang guard";
  loop.stop();

  std::vector<sync::DeadLetter> dead;
  {
    std::lock_guard lock(queueMutex);
    auto letters = queue->deadLetters(100);
    ASSERT_TRUE(letters.ok());
    dead = letters.value();
  }
  ASSERT_EQ(dead.size(), 5u);
  for (const sync::DeadLetter &letter : dead)
    EXPECT_EQ(letter.reason, "http 400: reading 2: field `value` must be a number");
  EXPECT_EQ(server.acceptedItems().size(), 5u);
  EXPECT_EQ(loop.stats().rejectedBatches, 1u);
  EXPECT_EQ(loop.stats().rejectedItems, 5u);
  EXPECT_EQ(loop.stats().sentItems, 5u);
}

TEST_F(UplinkDrain, ResumesAfterTheServerComesBackWithoutBurningAttempts) {
  int port = server.port();
  server.stop();
  enqueue(0, 30);
  auto uplink = makeUplink();
  DrainLoop loop(*queue, *uplink, drainOptions(10));
  loop.start();
  // Down long enough for more failed tries than the queue's maxAttempts (10) would allow.
  ASSERT_TRUE(eventually([&] { return loop.stats().transportFailures >= 12; }, 30s));
  EXPECT_FALSE(loop.stats().linkUp);

  auto restartedAt = std::chrono::steady_clock::now();
  ASSERT_EQ(server.start(port), port);
  ASSERT_TRUE(server.waitForAcceptedItems(1, 10s)) << "hang guard: sending never resumed";
  auto resumedAt = server.requests().front().receivedAt;
  double resumeSeconds = std::chrono::duration<double>(resumedAt - restartedAt).count();
  std::printf("resumed %.3f s after the server came back (probe interval 1 s)\n", resumeSeconds);
  RecordProperty("resume_ms", int(resumeSeconds * 1000));

  ASSERT_TRUE(server.waitForAcceptedItems(30, 10s));
  loop.stop();
  EXPECT_EQ(queueStats().deadLettered, 0) << "an outage must not dead-letter anything";
  EXPECT_EQ(loop.stats().outages, 1u);
  EXPECT_TRUE(loop.stats().linkUp);
  std::vector<nlohmann::json> items = server.acceptedItems();
  ASSERT_EQ(items.size(), 30u);
  for (int seq = 0; seq < 30; ++seq)
    EXPECT_EQ(seqOf(items[seq]), seq);
}

TEST_F(UplinkDrain, BandwidthCapHoldsOverTheWindow) {
  constexpr double Cap = 50000; // bytes per second
  enqueue(0, 1000);             // ~120 KB with headers: over two seconds at the cap
  auto uplink = makeUplink();
  DrainOptions options = drainOptions(20);
  options.maxBytesPerSecond = Cap;
  options.burstBytes = 4096; // a small bucket, so the window measures the rate, not the burst
  DrainLoop loop(*queue, *uplink, options);
  auto startedAt = std::chrono::steady_clock::now();
  loop.start();
  ASSERT_TRUE(server.waitForAcceptedItems(1000, 30s)) << "hang guard";
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - startedAt).count();
  loop.stop();
  double bytes = double(loop.stats().sentBytes);
  std::printf("sent %.0f bytes in %.2f s = %.0f B/s (cap %.0f)\n", bytes, elapsed, bytes / elapsed,
              Cap);
  EXPECT_GT(bytes, 100000.0) << "enough data for the window to mean something";
  EXPECT_LE(bytes / elapsed, Cap * 1.2);
}

TEST_F(UplinkDrain, WakeEndsAnIdleSleepAndStopIsPrompt) {
  auto uplink = makeUplink();
  DrainOptions options = drainOptions(10);
  options.idleRecheck = 120s; // without wake() the items below would wait two minutes
  DrainLoop loop(*queue, *uplink, options);
  loop.start();
  std::this_thread::sleep_for(100ms); // let it fall asleep on the empty queue
  enqueue(0, 5);
  loop.wake();
  EXPECT_TRUE(server.waitForAcceptedItems(5, 30s)) << "wake() was lost";

  auto stopAt = std::chrono::steady_clock::now();
  loop.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopAt, 30s) << "hang guard: stop() while idle";
}

TEST_F(UplinkDrain, StopIsPromptWhileRetryingAnOutage) {
  server.stop();
  enqueue(0, 3);
  auto uplink = makeUplink();
  DrainLoop loop(*queue, *uplink, drainOptions(10));
  loop.start();
  ASSERT_TRUE(eventually([&] { return loop.stats().retries >= 2; }, 20s));
  loop.stop();
  EXPECT_EQ(loop.stats().sentItems, 0u);
  EXPECT_EQ(queueStats().queued, 3) << "a held batch stays in the queue";
}

TEST_F(UplinkDrain, StopCancelsASendWaitingOnASlowReceiver) {
  server.setDefaultResponse({200, "eventually", std::nullopt, 6000ms});
  enqueue(0, 2);
  auto uplink = makeUplink(30s);
  DrainLoop loop(*queue, *uplink, drainOptions(10));
  loop.start();
  ASSERT_TRUE(eventually([&] { return server.requestsStarted() >= 1; }, 20s));
  auto stopAt = std::chrono::steady_clock::now();
  loop.stop();
  // Without cancel() stop() would wait for the 6 s answer (or the 30 s timeout).
  EXPECT_LT(std::chrono::steady_clock::now() - stopAt, 5s);
  EXPECT_EQ(loop.stats().outages, 0u) << "a cancelled send is not an outage";
  EXPECT_EQ(queueStats().queued, 2) << "the cancelled batch stays in the queue";
}

TEST_F(UplinkDrain, PoisonBatchReachesTheDeadLetterTableThroughTheQueue) {
  // A receiver that never accepts: after serverFailuresBeforeNack tries the batch is nacked,
  // and after the queue's maxAttempts (10) it is dead-lettered instead of blocking forever.
  server.setDefaultResponse({500, "always broken", std::nullopt});
  enqueue(0, 3);
  auto uplink = makeUplink();
  DrainOptions options = drainOptions(10);
  options.serverFailuresBeforeNack = 2;
  options.retryBase = 5ms;
  options.outageProbeInterval = 20ms;
  DrainLoop loop(*queue, *uplink, options);
  loop.start();
  ASSERT_TRUE(eventually([&] { return queueStats().deadLettered == 3; }, 60s)) << "hang guard";
  loop.stop();
  EXPECT_EQ(queueStats().queued, 0);
  EXPECT_GE(loop.stats().nackedBatches, 9u);
}
