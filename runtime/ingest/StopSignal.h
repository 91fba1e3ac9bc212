// StopSignal: how a source's own thread sleeps (pacing, back-off) yet wakes at once when the
// source is stopped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace pyvc::ingest {

class StopSignal {
public:
  void raise() {
    {
      std::lock_guard lock(mutex_);
      raised_ = true;
    }
    changed_.notify_all();
  }
  void reset() {
    std::lock_guard lock(mutex_);
    raised_ = false;
  }
  bool raised() const {
    std::lock_guard lock(mutex_);
    return raised_;
  }
  // Sleeps until `deadline` or until raised; true when raised.
  template <typename Clock, typename Duration>
  bool waitUntil(std::chrono::time_point<Clock, Duration> deadline) {
    std::unique_lock lock(mutex_);
    return changed_.wait_until(lock, deadline, [&] { return raised_; });
  }
  template <typename Rep, typename Period> bool waitFor(std::chrono::duration<Rep, Period> span) {
    return waitUntil(std::chrono::steady_clock::now() + span);
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool raised_ = false;
};

} // namespace pyvc::ingest
