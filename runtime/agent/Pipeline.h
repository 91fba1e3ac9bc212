// Pipeline: one configured pipeline at run time — its windows, the kernels that aggregate them and
// its rules — turning the rows routed to it into CommitWork: the raw readings it keeps, its
// window results and its events, each through the privacy firewall and encoded for the queue.
#pragma once

#include "agent/PipelineQueues.h"
#include "agent/PrivacyVerdicts.h"
#include "agent/Records.h"
#include "config/AgentConfig.h"
#include "core/Result.h"
#include "core/SensorNames.h"
#include "loader/KernelLibrary.h"
#include "telemetry/Log.h"
#include "telemetry/Metrics.h"
#include "windows/WindowAggregate.h"
#include "windows/WindowSet.h"

#include <array>
#include <chrono>
#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace pyvc::agent {

class KernelSet;

// Totals over every pipeline and reload, for the agent's summary (the metrics hold the same
// figures per pipeline).
struct PipelineTotals {
  std::atomic<uint64_t> processed{0}, windows{0}, events{0};
  std::array<std::atomic<uint64_t>, kPrivacyActionCount> privacy{};
};

// What every pipeline of a worker shares.
struct PipelineContext {
  const SensorNames &names;
  PrivacyVerdicts &privacy;
  telemetry::Logger &log;
  PipelineTotals &totals;
};

// Queue priorities of what a pipeline syncs: critical events go before everything; otherwise the
// pipeline's priority decides, and within it events before window results before raw readings.
int queuePriority(Priority pipeline, int kindRank);
inline constexpr int kCriticalEventPriority = 100;

class Pipeline {
public:
  // Binds the pipeline's kernels and rules, checking every signature; errors name the pipeline,
  // the aggregate or rule, and the signature found.
  static Result<std::unique_ptr<Pipeline>> build(const PipelineConfig &config, uint32_t index,
                                                 const KernelSet &kernels,
                                                 telemetry::MetricsRegistry &metrics);
  ~Pipeline();

  // Processes the rows of one batch in order: windows and their aggregates, reading rules over
  // the value column (the rule's batch variant), window rules, then the records to store and to
  // sync, through the firewall, into `work`.
  void process(PipelineBatch &batch, PipelineContext &context, CommitWork &work);
  // Closes the windows of sensors whose windows ended before `watermarkMs` (idle sensors; at
  // shutdown INT64_MAX), with their rules, into `work`.
  void closeWindows(int64_t watermarkMs, PipelineContext &context, CommitWork &work);
  // The newest event time seen; closeIdleWindows uses it as the pipeline's clock.
  int64_t newestEventMs() const { return newestEventMs_; }
  // On reload: keeps the window state of the previous pipeline of the same name when its window
  // is defined the same way, so no reading already windowed is lost or counted twice.
  void adoptWindowsFrom(Pipeline &previous);

  const PipelineConfig &config() const { return config_; }
  uint32_t index() const { return index_; }
  const windows::WindowSet *windows() const { return windows_.get(); }

private:
  struct BoundRule;
  struct Metrics;
  class WindowCollector;
  Pipeline() = default;
  template <typename Fired, typename Describe>
  void evaluateRule(BoundRule &rule, const std::vector<std::span<const double>> &columns,
                    size_t count, PipelineContext &context, Fired fired, Describe describe);
  void evaluateReadingRules(const ReadingBatch &rows, PipelineContext &context,
                            std::vector<EventRecord> &events);
  void evaluateWindowRules(const std::vector<WindowRecord> &windows, PipelineContext &context,
                           std::vector<EventRecord> &events);
  void emitReadings(const ReadingBatch &rows, PipelineContext &context, CommitWork &work);
  void emitWindows(const std::vector<WindowRecord> &windows, PipelineContext &context,
                   CommitWork &work);
  void emitEvents(const std::vector<EventRecord> &events, PipelineContext &context,
                  CommitWork &work);
  void computeAggregates(const windows::ClosedWindow &window, PipelineContext &context,
                         std::vector<WindowRecord> &out);
  void finishWindows(std::vector<WindowRecord> &windows, PipelineContext &context,
                     CommitWork &work);

  PipelineConfig config_;
  uint32_t index_ = 0;
  std::unique_ptr<windows::WindowSet> windows_;
  std::vector<windows::WindowAggregate> aggregates_;
  std::vector<std::string> aggregateNames_;
  std::vector<BoundRule> rules_;
  std::unique_ptr<Metrics> metrics_;
  // Per sensor: readings seen, for "every N-th" selection (store and sync count apart).
  std::vector<uint32_t> storeCountdown_, syncCountdown_;
  int64_t newestEventMs_ = INT64_MIN;
  uint64_t lateSeen_ = 0;
  int64_t currentIngestNs_ = 0;
  std::chrono::steady_clock::time_point lagUpdatedAt_;
};

} // namespace pyvc::agent
