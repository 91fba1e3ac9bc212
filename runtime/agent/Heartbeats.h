// Heartbeats: each long-lived thread of the agent (the pipeline workers, the commit thread) beats
// at least once a second while it can make progress, so that a supervisor — systemd's watchdog —
// can tell a stuck stage (a commit blocked on a dead disk, a kernel caught in an endless loop)
// from an idle one, and restart the gateway instead of leaving it running and doing nothing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace pyvc::agent {

class Heartbeat {
public:
  explicit Heartbeat(std::string name);
  // Thread-safe and wait-free: one relaxed store.
  void beat();
  const std::string &name() const { return name_; }
  std::chrono::nanoseconds age(std::chrono::steady_clock::time_point now) const;

private:
  std::string name_;
  std::atomic<int64_t> lastBeatNs_;
};

class Heartbeats {
public:
  // Registers a thread's heartbeat, beaten once now. Call before the thread starts; the
  // reference stays valid for the life of this object.
  Heartbeat &add(std::string name);
  // The heartbeat that has not beaten for longest, if that is more than `maxAge`.
  std::optional<std::string> stalled(std::chrono::nanoseconds maxAge) const;

private:
  std::deque<Heartbeat> beats_; // a deque, so that add() never moves the others
};

} // namespace pyvc::agent
