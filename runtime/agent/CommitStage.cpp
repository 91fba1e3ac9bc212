// CommitStage: group commits and acknowledgements (see CommitStage.h).
#include "agent/CommitStage.h"

#include <algorithm>
#include <iterator>

namespace pyvc::agent {

namespace {

int64_t wallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

CommitStage::CommitStage(ReadingStore &readings, ReadingStore &results,
                         RejectedReadings &rejected, std::vector<UplinkQueue *> queues,
                         std::vector<std::string> sourceNames, MemoryBudget &budget,
                         CommitOptions options, telemetry::MetricsRegistry &metrics,
                         telemetry::Logger &log, Heartbeat &heartbeat)
    : readings_(readings), results_(results), rejected_(rejected), queues_(std::move(queues)),
      sourceNames_(std::move(sourceNames)), budget_(budget), options_(options), log_(log),
      heartbeat_(heartbeat) {
  commits_ = &metrics.counter("pyvc_agent_commits_total", "Group commits");
  failures_ = &metrics.counter("pyvc_agent_commit_failures_total",
                               "Group commits in which a write failed (acks answered not durable)");
  storedReadings_ = &metrics.counter("pyvc_agent_stored_records_total",
                                     "Records committed to the local store", {{"store", "readings"}});
  storedResults_ = &metrics.counter("pyvc_agent_stored_records_total",
                                    "Records committed to the local store", {{"store", "results"}});
  queuedItems_ =
      &metrics.counter("pyvc_agent_queued_items_total", "Items committed to the sync queues");
  rejectedStored_ = &metrics.counter("pyvc_agent_rejected_stored_total",
                                     "Rejected readings written to the rejected-readings table");
  commitSeconds_ = &metrics.histogram("pyvc_agent_commit_seconds", "Duration of a group commit",
                                      telemetry::exponentialBuckets(1e-5, 2, 16));
  groupReadings_ = &metrics.histogram("pyvc_agent_commit_group_readings",
                                      "Readings per group commit",
                                      telemetry::exponentialBuckets(1, 4, 10));
  eventLatency_ = &metrics.histogram(
      "pyvc_agent_ingest_to_event_seconds",
      "From a batch's ingest to the commit of an event it caused",
      telemetry::exponentialBuckets(1e-5, 1.25, 64));
}

CommitStage::~CommitStage() { stop(); }

void CommitStage::start() {
  lastRetention_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { run(); });
}

void CommitStage::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  arrived_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void CommitStage::submit(CommitWork work) {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return stopping_ || pending_.size() < options_.maxPendingWork; });
  pendingReadings_ += work.readingCount;
  pending_.push_back(std::move(work));
  lock.unlock();
  arrived_.notify_one();
}

void CommitStage::reject(ingest::RejectedReading rejected) {
  {
    std::lock_guard lock(mutex_);
    pendingRejects_.push_back(std::move(rejected));
  }
  arrived_.notify_one();
}

CommitTotals CommitStage::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

void CommitStage::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    heartbeat_.beat();
    arrived_.wait_for(lock, std::chrono::seconds(1), [&] {
      return stopping_ || !pending_.empty() || !pendingRejects_.empty();
    });
    if (pending_.empty() && pendingRejects_.empty()) {
      if (stopping_)
        return;
      lock.unlock();
      applyRetention();
      lock.lock();
      continue;
    }
    // Group: wait for more until the group is full or the oldest waited maxDelay.
    auto deadline = std::chrono::steady_clock::now() + options_.maxDelay;
    arrived_.wait_until(lock, deadline, [&] {
      return stopping_ || pendingReadings_ >= options_.maxReadings;
    });
    std::vector<CommitWork> group;
    size_t readings = 0;
    while (!pending_.empty() && (group.empty() || readings < options_.maxReadings)) {
      readings += pending_.front().readingCount;
      group.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    pendingReadings_ -= std::min(pendingReadings_, readings);
    std::vector<ingest::RejectedReading> rejects = std::move(pendingRejects_);
    pendingRejects_.clear();
    lock.unlock();
    drained_.notify_all();
    commitGroup(group, rejects);
    applyRetention();
    lock.lock();
  }
}

void CommitStage::commitGroup(std::vector<CommitWork> &group,
                              std::vector<ingest::RejectedReading> &rejects) {
  auto started = std::chrono::steady_clock::now();
  bool durable = true;
  CommitTotals done;

  if (!rejects.empty()) {
    if (auto stored = rejected_.insert(rejects, sourceNames_, wallNowMs()); stored)
      done.rejectedStored = rejects.size();
    else
      log_.logLimited(telemetry::LogLevel::Error, "commit:rejected", std::chrono::seconds(10),
                      "commit_failed",
                      {{"file", "rejected.db"}, {"error", stored.error().message}});
  }

  std::vector<Reading> readings, results;
  std::vector<sync::EnqueueRequest> payloads;
  size_t budgetBytes = 0;
  uint64_t readingCount = 0;
  for (CommitWork &work : group) {
    std::move(work.readings.begin(), work.readings.end(), std::back_inserter(readings));
    std::move(work.results.begin(), work.results.end(), std::back_inserter(results));
    std::move(work.payloads.begin(), work.payloads.end(), std::back_inserter(payloads));
    budgetBytes += work.budgetBytes;
    readingCount += work.readingCount;
  }
  auto write = [&](const char *what, Result<void> outcome) {
    if (outcome)
      return true;
    durable = false;
    log_.logLimited(telemetry::LogLevel::Error, std::string("commit:") + what,
                    std::chrono::seconds(10), "commit_failed",
                    {{"file", what}, {"error", outcome.error().message}});
    return false;
  };
  if (!readings.empty() && write("readings.db", readings_.insertBatch(readings)))
    done.readingsStored = readings.size();
  if (!results.empty() && write("results.db", results_.insertBatch(results)))
    done.resultsStored = results.size();
  if (!payloads.empty()) {
    for (UplinkQueue *queue : queues_) {
      Result<std::vector<int64_t>> enqueued = [&] {
        std::lock_guard lock(queue->mutex);
        return queue->queue->enqueueBatch(payloads);
      }();
      if (enqueued) {
        done.itemsQueued += payloads.size();
        if (queue->drain)
          queue->drain->wake();
      } else {
        write(("queue " + queue->name).c_str(), Result<void>(enqueued.error()));
      }
    }
  }

  int64_t now = steadyNowNs();
  for (CommitWork &work : group) {
    for (int64_t ingested : work.eventIngestedNs)
      eventLatency_->observe(double(now - ingested) * 1e-9);
    if (!durable) {
      for (auto &ack : work.acks)
        ack->fail();
      if (work.acks.empty())
        done.readingsLost += work.readingCount;
    }
    work.acks.clear(); // the last holder fires the source's callback
  }
  budget_.release(budgetBytes);

  commits_->add();
  if (!durable)
    failures_->add();
  storedReadings_->add(done.readingsStored);
  storedResults_->add(done.resultsStored);
  queuedItems_->add(done.itemsQueued);
  rejectedStored_->add(done.rejectedStored);
  groupReadings_->observe(double(readingCount));
  commitSeconds_->observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

  std::lock_guard lock(mutex_);
  totals_.commits += 1;
  totals_.readingsCommitted += readingCount;
  totals_.failedCommits += durable ? 0 : 1;
  totals_.readingsStored += done.readingsStored;
  totals_.resultsStored += done.resultsStored;
  totals_.itemsQueued += done.itemsQueued;
  totals_.rejectedStored += done.rejectedStored;
  totals_.readingsLost += done.readingsLost;
}

void CommitStage::applyRetention() {
  auto now = std::chrono::steady_clock::now();
  if (now - lastRetention_ < options_.retentionInterval)
    return;
  lastRetention_ = now;
  for (ReadingStore *store : {&readings_, &results_}) {
    if (options_.retentionMs > 0)
      if (auto deleted = store->deleteOlderThan(wallNowMs() - options_.retentionMs); !deleted)
        log_.log(telemetry::LogLevel::Error, "retention_failed",
                 {{"error", deleted.error().message}});
    if (options_.storeMaxBytes > 0)
      if (auto deleted = store->enforceSizeLimit(options_.storeMaxBytes); !deleted)
        log_.log(telemetry::LogLevel::Error, "retention_failed",
                 {{"error", deleted.error().message}});
  }
}

} // namespace pyvc::agent
