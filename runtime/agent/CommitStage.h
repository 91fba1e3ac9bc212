// CommitStage: the commit thread. It gathers the work of the pipeline workers and the rejected
// readings of the sources into group commits — one transaction per file per group, by size and
// time — and only then releases the group's acknowledgements and memory budget: a source hears
// "durable" exactly when its readings are in the store or the queue.
#pragma once

#include "agent/Heartbeats.h"
#include "agent/MemoryBudget.h"
#include "agent/Records.h"
#include "agent/RejectedReadings.h"
#include "ingest/Source.h"
#include "store/ReadingStore.h"
#include "sync/SyncQueue.h"
#include "telemetry/Log.h"
#include "telemetry/Metrics.h"
#include "uplink/DrainLoop.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pyvc::agent {

// One uplink's queue file, shared by the commit thread and that uplink's drain loop.
struct UplinkQueue {
  std::string name;
  std::unique_ptr<sync::SyncQueue> queue;
  std::mutex mutex; // DrainOptions::queueMutex: SyncQueue is not thread-safe
  uplink::DrainLoop *drain = nullptr; // woken after each commit; null without an uplink
};

struct CommitOptions {
  size_t maxReadings = 10000;
  std::chrono::milliseconds maxDelay{5};
  size_t maxPendingWork = 64; // workers wait when this many are waiting to commit
  int64_t retentionMs = 0;
  int64_t storeMaxBytes = 0;
  std::chrono::milliseconds retentionInterval{30000};
};

struct CommitTotals {
  uint64_t commits = 0;
  uint64_t readingsCommitted = 0; // readings whose group commit finished (stored or not)
  uint64_t readingsStored = 0;
  uint64_t resultsStored = 0;
  uint64_t itemsQueued = 0;
  uint64_t rejectedStored = 0;
  uint64_t failedCommits = 0;
  uint64_t readingsLost = 0; // in a failed commit, from sources that do not wait for acks
};

class CommitStage {
public:
  CommitStage(ReadingStore &readings, ReadingStore &results, RejectedReadings &rejected,
              std::vector<UplinkQueue *> queues, std::vector<std::string> sourceNames,
              MemoryBudget &budget, CommitOptions options, telemetry::MetricsRegistry &metrics,
              telemetry::Logger &log, Heartbeat &heartbeat);
  ~CommitStage();
  void start();
  // Commits everything submitted so far, then returns once the thread has exited.
  void stop();
  // Thread-safe; waits while maxPendingWork works are already waiting.
  void submit(CommitWork work);
  // Thread-safe; never waits.
  void reject(ingest::RejectedReading rejected);
  CommitTotals totals() const;
  // Ingest-to-event latency of committed events, seconds.
  const telemetry::Histogram &eventLatency() const { return *eventLatency_; }

private:
  void run();
  void commitGroup(std::vector<CommitWork> &group, std::vector<ingest::RejectedReading> &rejects);
  void applyRetention();

  ReadingStore &readings_;
  ReadingStore &results_;
  RejectedReadings &rejected_;
  std::vector<UplinkQueue *> queues_;
  std::vector<std::string> sourceNames_;
  MemoryBudget &budget_;
  CommitOptions options_;
  telemetry::Logger &log_;
  Heartbeat &heartbeat_; // beaten at least once a second while the thread is not stuck

  mutable std::mutex mutex_;
  std::condition_variable arrived_, drained_;
  std::deque<CommitWork> pending_;
  size_t pendingReadings_ = 0;
  std::vector<ingest::RejectedReading> pendingRejects_;
  bool stopping_ = false;
  CommitTotals totals_;
  std::thread thread_;
  std::chrono::steady_clock::time_point lastRetention_;

  telemetry::Counter *commits_, *failures_, *storedReadings_, *storedResults_, *queuedItems_,
      *rejectedStored_;
  telemetry::Histogram *commitSeconds_, *eventLatency_, *groupReadings_;
};

} // namespace pyvc::agent
