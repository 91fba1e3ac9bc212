// Shared by the sync queue tests: a temporary directory removed afterwards, a clock the test
// moves by hand, and a queue opened on both.
#pragma once

#include "sync/SyncQueue.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace pyvc::sync::testing {

using pyvc::Result;

class TemporaryDirectory {
public:
  TemporaryDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pyvc-sync-test-XXXXXX").string();
    char *made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string &name) const { return (path_ / name).string(); }
  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
};

// A clock that only moves when the test says so. Shared by value into QueueOptions::nowMs.
class ManualClock {
public:
  explicit ManualClock(int64_t startMs = 1'700'000'000'000)
      : now_(std::make_shared<int64_t>(startMs)) {}
  int64_t now() const { return *now_; }
  void advance(int64_t ms) { *now_ += ms; }
  void set(int64_t ms) { *now_ = ms; }
  std::function<int64_t()> function() const {
    return [now = now_] { return *now; };
  }

private:
  std::shared_ptr<int64_t> now_;
};

inline QueueOptions optionsFor(const TemporaryDirectory &directory, const ManualClock &clock) {
  QueueOptions options;
  options.path = directory.file("queue.db");
  options.durability = Durability::Normal; // FULL only where a test is about power loss
  options.nowMs = clock.function();
  options.randomSeed = 42;
  return options;
}

inline std::unique_ptr<SyncQueue> openOrFail(QueueOptions options) {
  Result<std::unique_ptr<SyncQueue>> queue = SyncQueue::open(std::move(options));
  EXPECT_TRUE(queue.ok()) << (queue.ok() ? "" : queue.error().message);
  return queue.ok() ? std::move(*queue) : nullptr;
}

inline std::vector<std::string> payloadsOf(const Batch &batch) {
  std::vector<std::string> payloads;
  for (const QueueItem &item : batch.items)
    payloads.push_back(item.payload);
  return payloads;
}

inline void enqueueOrFail(SyncQueue &queue, const std::string &payload, int priority,
                          std::chrono::milliseconds ttl = std::chrono::milliseconds(0)) {
  Result<int64_t> id = queue.enqueue(payload, priority, ttl);
  ASSERT_TRUE(id.ok()) << id.error().message;
}

} // namespace pyvc::sync::testing
