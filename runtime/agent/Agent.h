// Agent: the gateway as one process. It builds every stage from an AgentConfig — sources, the
// routing of sensors to pipelines, pipeline workers, the privacy firewall, the commit thread,
// the stores, one sync queue and drain loop per uplink, metrics and logs — runs them, reloads
// pipelines, rules, windows and policy on request, and stops them in order without losing what
// is in flight.
#pragma once

#include "config/AgentConfig.h"
#include "core/Result.h"
#include "telemetry/Log.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace pyvc::agent {

// The figures `pyvc-agent run --summary` prints at exit: the product's claim on one screen.
struct AgentSummary {
  double seconds = 0;
  uint64_t readingsIn = 0;       // accepted from sources
  uint64_t readingsRejected = 0; // malformed, set aside
  uint64_t readingsProcessed = 0;
  uint64_t windows = 0;
  uint64_t events = 0;
  uint64_t dropped = 0, masked = 0, hashed = 0, allowed = 0; // raw readings by privacy action
  uint64_t readingsStored = 0, resultsStored = 0;
  uint64_t itemsQueued = 0, itemsSynced = 0;
  uint64_t rawWireBytes = 0;      // the raw readings as JSON, what sending everything would cost
  uint64_t uplinkedBytes = 0;     // what the uplinks actually put on the wire
  double latencyP50Ms = 0, latencyP99Ms = 0; // ingest to committed event
  uint64_t sourceDrops = 0;
  uint64_t readingsLost = 0; // in failed commits
  size_t peakBudgetBytes = 0, budgetBytes = 0;
  size_t residentBytes = 0;
  std::string text() const;       // the human summary
  std::string json() const;
};

class Agent {
public:
  // Builds and checks everything that can fail before any thread starts: policy, kernel
  // libraries (manifest, ABI, target, stale rules), data files, ports. An Error says what and
  // where, and nothing is left running.
  static Result<std::unique_ptr<Agent>> create(AgentConfig config, telemetry::Logger &log);
  ~Agent();
  Agent(const Agent &) = delete;
  Agent &operator=(const Agent &) = delete;

  Result<void> start();
  // Swaps in a new config's pipelines, rules, windows and policy. Readings queued under the old
  // ones are processed by them first; windows of unchanged pipelines keep their state. Changes
  // to sources, uplinks and agent settings take effect at the next restart (logged). A config
  // that fails to build is refused and the old one keeps running.
  Result<void> reload(AgentConfig config);
  // Stops the sources, processes and commits everything in flight, closes the open windows
  // (their results are committed too), gives the uplinks up to `syncWait` to deliver everything
  // queued, then stops them (a batch in flight is cancelled and comes back at the next start).
  void stop(std::chrono::milliseconds syncWait = std::chrono::milliseconds(0));
  // True once every source is finite and finished and everything they offered is committed.
  bool sourcesFinished() const;
  // The worker or commit thread that has not made a round for longer than `maxAge` (stuck on a
  // disk, in a kernel that does not return), if any; never while starting or stopping.
  std::optional<std::string> stalledStage(std::chrono::nanoseconds maxAge) const;
  AgentSummary summary() const;
  // The metrics server's port (0 when off), for tests and the main job.
  int metricsPort() const;

private:
  struct State;
  // Waits up to `timeout` for the uplinks' queues to be empty (all delivered); false if not.
  bool waitForSync(std::chrono::milliseconds timeout);
  explicit Agent(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

} // namespace pyvc::agent
