// Processes that die at the worst moment: a lease holder killed with SIGKILL (its items come
// back once the lease expires), and writers and consumers killed at random instants, 30 rounds
// over one file (every enqueue that returned success is still queued exactly once, or was
// delivered; nothing confirmed delivered comes back).
#include "QueueTestSupport.h"

#include <gmock/gmock.h>

#include <fcntl.h>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace pyvc::sync;
using namespace pyvc::sync::testing;
using namespace std::chrono_literals;

namespace {

int64_t systemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Starts the crash helper with its stdout going to outputPath (a file: nothing is lost in a
// pipe when the helper dies, and it never blocks on a full pipe).
pid_t spawnHelper(const std::vector<std::string> &arguments, const std::string &outputPath) {
  std::vector<char *> argv;
  std::string program = SYNC_QUEUE_CRASH_HELPER;
  argv.push_back(program.data());
  std::vector<std::string> copies = arguments;
  for (std::string &argument : copies)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int output = ::open(outputPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (output < 0 || ::dup2(output, STDOUT_FILENO) < 0)
      ::_exit(5);
    ::execv(argv[0], argv.data());
    ::_exit(6);
  }
  return pid;
}

// Kills with SIGKILL (if still running) and reaps; returns whether it died of that SIGKILL or
// ended normally, rather than failing on its own.
bool killAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
         (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Complete lines only: a line cut short was never fully reported.
std::vector<std::string> linesOf(const std::string &path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  std::string text = content.str();
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  return lines;
}

// Waits (as a hang guard only) until the helper's output has a complete line.
bool waitForFirstLine(const std::string &path) {
  for (int i = 0; i < 3000; ++i) {
    if (!linesOf(path).empty())
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// A restart hands the batch a killed process held out again at once, under its batchId: no
// other SyncQueue has the file open, so the lease belongs to nobody alive.
TEST(SyncQueueCrash, LeaseOfAKilledProcessComesBackAtOnceOnOpen) {
  TemporaryDirectory directory;
  ManualClock clock(systemNowMs());
  QueueOptions options = optionsFor(directory, clock);
  {
    auto queue = openOrFail(options);
    for (int i = 0; i < 5; ++i)
      enqueueOrFail(*queue, "item-" + std::to_string(i), 0);
  } // closed before another process touches the file

  std::string output = directory.file("lease.out");
  pid_t holder = spawnHelper({"lease", options.path}, output);
  ASSERT_TRUE(waitForFirstLine(output)) << "the lease holder never reported its batch";
  ASSERT_TRUE(killAndReap(holder));
  std::vector<std::string> lines = linesOf(output);
  ASSERT_EQ(lines.size(), 1u);
  std::string heldBatchId = lines[0].substr(2);

  // The holder leased with the system clock and the default 30 s lease; the clock has not moved.
  auto queue = openOrFail(options);
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->leased, 0);
  Result<Batch> reclaimed = queue->dequeueBatch(100, 1 << 20);
  ASSERT_TRUE(reclaimed.ok());
  EXPECT_EQ(reclaimed->batchId, heldBatchId);
  EXPECT_THAT(payloadsOf(*reclaimed),
              ::testing::ElementsAre("item-0", "item-1", "item-2", "item-3", "item-4"));
  EXPECT_EQ(reclaimed->items[0].attempts, 2);
}

// While another SyncQueue has the file open its leases may be live: a second opener leaves them
// to run out (here: a second queue in this process, holding the file open).
TEST(SyncQueueCrash, LeasesOfALiveOpenerAreKeptBySecondOpener) {
  TemporaryDirectory directory;
  ManualClock clock(systemNowMs());
  QueueOptions options = optionsFor(directory, clock);
  auto first = openOrFail(options);
  for (int i = 0; i < 3; ++i)
    enqueueOrFail(*first, "item-" + std::to_string(i), 0);
  Result<Batch> held = first->dequeueBatch(100, 1 << 20);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->items.size(), 3u);

  auto second = openOrFail(options);
  Result<Batch> whileLeased = second->dequeueBatch(100, 1 << 20);
  ASSERT_TRUE(whileLeased.ok());
  EXPECT_TRUE(whileLeased->empty());
  clock.advance(31'000); // past the 30 s lease
  Result<Batch> afterExpiry = second->dequeueBatch(100, 1 << 20);
  ASSERT_TRUE(afterExpiry.ok());
  EXPECT_EQ(afterExpiry->batchId, held->batchId);
}

TEST(SyncQueueCrash, OpenDeadLettersLeasesExpiredOnTheirLastAttempt) {
  TemporaryDirectory directory;
  ManualClock clock(systemNowMs());
  QueueOptions options = optionsFor(directory, clock);
  options.maxAttempts = 1;
  {
    auto queue = openOrFail(options);
    enqueueOrFail(*queue, "poison", 0);
  }
  std::string output = directory.file("lease.out");
  pid_t holder = spawnHelper({"lease", options.path}, output);
  ASSERT_TRUE(waitForFirstLine(output));
  ASSERT_TRUE(killAndReap(holder));

  clock.advance(90'000);
  auto queue = openOrFail(options); // reclaims on open
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queued, 0);
  EXPECT_EQ(stats->deadLettered, 1);
}

struct ConsumerLog {
  std::set<long> confirmed;         // delivered, and the ack returned success
  std::multiset<long> confirmedAll; // to catch a second confirmed delivery
  std::set<long> seen;              // handed out at least once (ack may or may not have landed)
};

void readConsumerLog(const std::string &path, ConsumerLog &log) {
  std::vector<long> pending;
  for (const std::string &line : linesOf(path)) {
    if (line == "C") {
      for (long n : pending) {
        log.confirmed.insert(n);
        log.confirmedAll.insert(n);
      }
      pending.clear();
      continue;
    }
    ASSERT_EQ(line[0], 'P') << line;
    long n = std::stol(line.substr(2));
    pending.push_back(n);
    log.seen.insert(n);
  }
}

TEST(SyncQueueCrash, KillNineAtRandomInstantsLosesAndDuplicatesNothing) {
  TemporaryDirectory directory;
  std::string queuePath = directory.file("queue.db");
  std::mt19937 random(20261122);           // fixed seed: the same kill schedule every run
  std::map<long, int64_t> acknowledgedIds; // "E n id" lines: enqueue returned success
  ConsumerLog consumerLog;

  const int rounds = 30;
  for (int round = 0; round < rounds; ++round) {
    const char *durability = round % 2 == 0 ? "full" : "normal";
    std::string writerOutput = directory.file("writer-" + std::to_string(round) + ".out");
    std::string consumerOutput = directory.file("consumer-" + std::to_string(round) + ".out");
    pid_t writer =
        spawnHelper({"write", queuePath, durability, std::to_string(round * 1'000'000L), "1000000"},
                    writerOutput);
    bool withConsumer = round % 3 != 0;
    pid_t consumer =
        withConsumer ? spawnHelper({"consume", queuePath, durability}, consumerOutput) : -1;
    // Every fifth round kills at once, wherever start-up is (opening, recovering the WAL,
    // creating the schema); the others first wait for the writer's first acknowledged enqueue
    // (a hang guard, not a timing assumption), so every round also kills mid-stream.
    if (round % 5 != 0)
      waitForFirstLine(writerOutput);
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 30'000));
    EXPECT_TRUE(killAndReap(writer)) << "writer failed by itself in round " << round;
    if (withConsumer) {
      EXPECT_TRUE(killAndReap(consumer)) << "consumer failed by itself in round " << round;
    }

    for (const std::string &line : linesOf(writerOutput)) {
      long n = 0;
      long long id = 0;
      ASSERT_EQ(std::sscanf(line.c_str(), "E %ld %lld", &n, &id), 2) << line;
      acknowledgedIds[n] = id;
    }
    if (withConsumer)
      readConsumerLog(consumerOutput, consumerLog);
  }
  ASSERT_GT(acknowledgedIds.size(), 0u) << "no writer ever got an enqueue through";

  // Drain what is left, far enough in the future that every killed consumer's lease is over.
  ManualClock clock(systemNowMs() + 3'600'000);
  QueueOptions options;
  options.path = queuePath;
  options.nowMs = clock.function();
  auto queue = openOrFail(options);
  std::map<long, int64_t> remaining;
  for (;;) {
    Result<Batch> batch = queue->dequeueBatch(10000, 1 << 30);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    if (batch->empty())
      break;
    for (const QueueItem &item : batch->items) {
      long n = std::stol(item.payload.substr(5));
      EXPECT_TRUE(remaining.emplace(n, item.id).second) << "item-" << n << " queued twice";
      EXPECT_FALSE(consumerLog.confirmed.count(n)) << "item-" << n << " acked yet still queued";
    }
    ASSERT_TRUE(queue->ack(*batch).ok());
  }

  size_t lost = 0;
  for (const auto &[n, id] : acknowledgedIds) {
    auto left = remaining.find(n);
    if (left != remaining.end()) {
      EXPECT_EQ(left->second, id) << "item-" << n << " changed id";
      continue;
    }
    if (!consumerLog.seen.count(n))
      ++lost;
  }
  EXPECT_EQ(lost, 0u) << "acknowledged enqueues neither queued nor delivered";
  for (long n : consumerLog.confirmed)
    EXPECT_EQ(consumerLog.confirmedAll.count(n), 1u) << "item-" << n << " delivered twice";
  Result<QueueStats> stats = queue->stats();
  ASSERT_TRUE(stats.ok());
  for (const auto &[reason, count] : stats->dropped)
    EXPECT_EQ(count, 0) << dropReasonName(reason);
  std::printf("kill -9 test: %zu acknowledged enqueues, %zu confirmed deliveries, %zu left\n",
              acknowledgedIds.size(), consumerLog.confirmed.size(), remaining.size());
}

} // namespace
