#include "agent/Heartbeats.h"

namespace pyvc::agent {

namespace {
int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

Heartbeat::Heartbeat(std::string name) : name_(std::move(name)), lastBeatNs_(nowNs()) {}

void Heartbeat::beat() { lastBeatNs_.store(nowNs(), std::memory_order_relaxed); }

std::chrono::nanoseconds Heartbeat::age(std::chrono::steady_clock::time_point now) const {
  int64_t last = lastBeatNs_.load(std::memory_order_relaxed);
  return std::chrono::nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() - last);
}

Heartbeat &Heartbeats::add(std::string name) { return beats_.emplace_back(std::move(name)); }

std::optional<std::string> Heartbeats::stalled(std::chrono::nanoseconds maxAge) const {
  auto now = std::chrono::steady_clock::now();
  const Heartbeat *oldest = nullptr;
  std::chrono::nanoseconds oldestAge = maxAge;
  for (const Heartbeat &beat : beats_) {
    if (std::chrono::nanoseconds age = beat.age(now); age > oldestAge) {
      oldest = &beat;
      oldestAge = age;
    }
  }
  if (!oldest)
    return std::nullopt;
  return oldest->name();
}

} // namespace pyvc::agent
