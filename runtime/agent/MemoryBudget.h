// MemoryBudget: the bytes of every reading in flight between a source and the commit, counted
// against one limit. Sources wait for room (back-pressure); the commit stage gives bytes back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace pyvc::agent {

// Thread-safe. A request is admitted while the bytes in use are below the limit, whatever its own
// size, so the budget is overshot by at most one batch and a batch larger than the whole budget
// still gets through (alone).
class MemoryBudget {
public:
  explicit MemoryBudget(size_t limitBytes) : limit_(limitBytes) {}
  // Waits up to `wait` for room; false when there was none or close() was called.
  bool acquire(size_t bytes, std::chrono::milliseconds wait);
  void release(size_t bytes);
  // Wakes every waiter and refuses all later acquires (shutdown).
  void close();
  size_t used() const;
  size_t limit() const { return limit_; }
  size_t peak() const;

private:
  const size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable room_;
  size_t used_ = 0;
  size_t peak_ = 0;
  bool closed_ = false;
};

} // namespace pyvc::agent
