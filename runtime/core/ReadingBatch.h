// ReadingBatch: how readings travel between the agent's stages — columns of interned sensor ids,
// timestamps and values, with the rare unit and extra fields on the side — and Acknowledgement,
// the callback a source waits on until every reading of its batch is durable.
#pragma once

#include "core/SensorNames.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pyvc {

// Fires its callback exactly once, when the last shared_ptr to it is released: every stage that
// holds part of a batch holds the pointer, and the commit stage releases it after the group
// commit that holds the part returned. `fail()` before that makes the outcome "not durable"
// (a commit failed, or the agent stopped before committing): the source must then answer with
// a retryable error (HTTP 503, no MQTT ack) rather than acknowledge.
class Acknowledgement {
public:
  explicit Acknowledgement(std::function<void(bool durable)> done) : done_(std::move(done)) {}
  ~Acknowledgement() {
    if (done_)
      done_(!failed_.load(std::memory_order_acquire));
  }
  Acknowledgement(const Acknowledgement &) = delete;
  Acknowledgement &operator=(const Acknowledgement &) = delete;
  void fail() { failed_.store(true, std::memory_order_release); }

private:
  std::function<void(bool durable)> done_;
  std::atomic<bool> failed_{false};
};

// A reading's optional fields, for the few rows that have them. Kept apart so that the common
// row is 20 bytes of columns.
struct ReadingSideFields {
  uint32_t row = 0;
  std::string unit;
  nlohmann::json extra; // null or an object
};

struct ReadingBatch {
  uint32_t source = 0; // index of the source in the agent's config, for counters and acks
  std::vector<SensorId> sensors;
  std::vector<int64_t> timestampsMs; // event time, ms since the Unix epoch (UTC)
  std::vector<double> values;
  std::vector<ReadingSideFields> side; // sorted by row
  int64_t ingestedAtNs = 0;            // steady clock when the source made the batch (latency)
  std::shared_ptr<Acknowledgement> ack; // null when the source does not wait for durability

  size_t size() const { return values.size(); }
  bool empty() const { return values.empty(); }
  void reserve(size_t rows) {
    sensors.reserve(rows);
    timestampsMs.reserve(rows);
    values.reserve(rows);
  }
  void append(SensorId sensor, int64_t timestampMs, double value) {
    sensors.push_back(sensor);
    timestampsMs.push_back(timestampMs);
    values.push_back(value);
  }
  // Appends a row with a unit and/or extra fields.
  void append(SensorId sensor, int64_t timestampMs, double value, std::string unit,
              nlohmann::json extra) {
    if (!unit.empty() || !extra.is_null())
      side.push_back({uint32_t(values.size()), std::move(unit), std::move(extra)});
    append(sensor, timestampMs, value);
  }
  // What the batch costs in memory, for the agent's memory budget: the columns plus an estimate
  // of the side fields.
  size_t bytes() const {
    size_t total = sizeof(ReadingBatch) + values.size() * (sizeof(SensorId) + 16);
    for (const ReadingSideFields &fields : side)
      total += sizeof(ReadingSideFields) + fields.unit.size() + (fields.extra.is_null() ? 0 : 64);
    return total;
  }
};

} // namespace pyvc
