// RecordingSink: the agent's side of a source, for tests. It keeps every row and rejection it is
// given, acknowledges batches at once (durable) or holds them until the test decides, and can
// play a full memory budget.
#pragma once

#include "ingest/Source.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pyvc::ingest::testing {

struct RecordedRow {
  std::string sensor;
  int64_t timestampMs = 0;
  double value = 0.0;
  std::string unit;
  nlohmann::json extra;
};

enum class AckMode { DurableAtOnce, Hold };

class RecordingSink final : public ReadingSink {
public:
  explicit RecordingSink(int64_t nowMs = 1'700'000'000'000) : nowMs_(nowMs) {}

  bool offer(ReadingBatch &batch, std::chrono::milliseconds wait) override {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, wait, [&] { return !full_; })) {
      ++refusedOffers_;
      return false;
    }
    size_t sideIndex = 0;
    for (size_t row = 0; row < batch.size(); ++row) {
      RecordedRow recorded{std::string(names_.name(batch.sensors[row])), batch.timestampsMs[row],
                           batch.values[row], "", nullptr};
      if (sideIndex < batch.side.size() && batch.side[sideIndex].row == row) {
        recorded.unit = batch.side[sideIndex].unit;
        recorded.extra = batch.side[sideIndex].extra;
        ++sideIndex;
      }
      rows_.push_back(std::move(recorded));
    }
    batchSizes_.push_back(batch.size());
    sources_.push_back(batch.source);
    if (mode_ == AckMode::Hold && batch.ack)
      held_.push_back(std::move(batch.ack));
    ReadingBatch taken = std::move(batch); // the ack (if not held) fires as `taken` dies
    batch = ReadingBatch();
    lock.unlock();
    changed_.notify_all();
    return true;
  }

  void reject(RejectedReading rejected) override {
    {
      std::lock_guard lock(mutex_);
      rejected_.push_back(std::move(rejected));
    }
    changed_.notify_all();
  }

  SensorNames &sensorNames() override { return names_; }
  int64_t nowMs() const override { return nowMs_; }

  void setFull(bool full) {
    {
      std::lock_guard lock(mutex_);
      full_ = full;
    }
    changed_.notify_all();
  }
  void setAckMode(AckMode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
  }
  // Releases every held acknowledgement, failed first when not `durable`.
  void acknowledgeHeld(bool durable) {
    std::vector<std::shared_ptr<Acknowledgement>> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto &ack : held)
      if (!durable)
        ack->fail();
    held.clear();
  }
  size_t heldCount() const {
    std::lock_guard lock(mutex_);
    return held_.size();
  }

  bool waitForRows(size_t count, std::chrono::milliseconds guard) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, guard, [&] { return rows_.size() >= count; });
  }
  bool waitForRejections(size_t count, std::chrono::milliseconds guard) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, guard, [&] { return rejected_.size() >= count; });
  }
  std::vector<RecordedRow> rows() const {
    std::lock_guard lock(mutex_);
    return rows_;
  }
  size_t rowCount() const {
    std::lock_guard lock(mutex_);
    return rows_.size();
  }
  std::vector<RejectedReading> rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
  }
  std::vector<size_t> batchSizes() const {
    std::lock_guard lock(mutex_);
    return batchSizes_;
  }
  std::vector<uint32_t> batchSources() const {
    std::lock_guard lock(mutex_);
    return sources_;
  }
  size_t refusedOffers() const {
    std::lock_guard lock(mutex_);
    return refusedOffers_;
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  SensorNames names_;
  int64_t nowMs_;
  bool full_ = false;
  AckMode mode_ = AckMode::DurableAtOnce;
  std::vector<RecordedRow> rows_;
  std::vector<size_t> batchSizes_;
  std::vector<uint32_t> sources_;
  std::vector<RejectedReading> rejected_;
  std::vector<std::shared_ptr<Acknowledgement>> held_;
  size_t refusedOffers_ = 0;
};

} // namespace pyvc::ingest::testing
