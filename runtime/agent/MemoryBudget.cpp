// MemoryBudget: admission with a wait (see MemoryBudget.h).
#include "agent/MemoryBudget.h"

#include <algorithm>
#include <cassert>

namespace pyvc::agent {

bool MemoryBudget::acquire(size_t bytes, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  bool admitted =
      room_.wait_for(lock, wait, [&] { return closed_ || used_ < limit_; }) && !closed_;
  if (!admitted)
    return false;
  used_ += bytes;
  peak_ = std::max(peak_, used_);
  return true;
}

void MemoryBudget::release(size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    assert(bytes <= used_ && "released more than was acquired");
    used_ -= bytes;
  }
  room_.notify_all();
}

void MemoryBudget::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  room_.notify_all();
}

size_t MemoryBudget::used() const {
  std::lock_guard lock(mutex_);
  return used_;
}

size_t MemoryBudget::peak() const {
  std::lock_guard lock(mutex_);
  return peak_;
}

} // namespace pyvc::agent
