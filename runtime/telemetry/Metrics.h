// Metrics: counters, gauges and histograms that the agent's stages update without locks, kept in
// one registry that renders them in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace pyvc::telemetry {

// Label pairs in the order they are rendered: {{"source", "mqtt"}, {"reason", "not_finite"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Monotonic; add() is one relaxed atomic add.
class Counter {
public:
  void add(uint64_t amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double amount);
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

// Cumulative buckets with fixed upper bounds (the +Inf bucket is implicit); observe() is a
// binary search and two relaxed atomic adds.
class Histogram {
public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double value);
  const std::vector<double> &upperBounds() const { return upperBounds_; }
  // Per-bucket counts (not cumulative), one more than upperBounds() for +Inf.
  std::vector<uint64_t> bucketCounts() const;
  uint64_t count() const;
  double sum() const;
  // The value below which `fraction` of the observations fall, interpolated inside the bucket
  // (as Prometheus' histogram_quantile does); NaN when empty.
  double quantile(double fraction) const;

private:
  std::vector<double> upperBounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

// Exponential bucket bounds: start, start*factor, ... (count bounds).
std::vector<double> exponentialBuckets(double start, double factor, size_t count);

// Thread-safe registration; the returned references stay valid for the registry's lifetime.
// Asking twice for the same name and labels returns the same metric. A name is one family:
// one help text and one type.
class MetricsRegistry {
public:
  MetricsRegistry();
  ~MetricsRegistry();
  Counter &counter(const std::string &name, const std::string &help, const Labels &labels = {});
  Gauge &gauge(const std::string &name, const std::string &help, const Labels &labels = {});
  Histogram &histogram(const std::string &name, const std::string &help,
                       const std::vector<double> &upperBounds, const Labels &labels = {});
  // A gauge computed when scraped (queue depth, RSS, ...). The callback must be thread-safe.
  void gaugeFunction(const std::string &name, const std::string &help, const Labels &labels,
                     std::function<double()> read);
  // Every family in registration order, `# HELP` and `# TYPE` once per family, label values
  // escaped; passes `promtool check metrics`.
  std::string renderPrometheus() const;

private:
  struct Family;
  Family &family(const std::string &name, const std::string &help, int kind);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

} // namespace pyvc::telemetry
