// Metrics: counters, gauges and histograms that the agent's stages update without locks, kept in
// one registry that renders them in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <nlohmann/json_fwd.hpp>

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
  // A compare-and-swap loop: concurrent adds are never lost.
  void add(double amount);
  double value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<double> value_{0.0};
};

// Cumulative buckets with fixed upper bounds (the +Inf bucket is implicit); observe() is a
// binary search and two relaxed atomic adds. The count is the sum of the buckets, so a scrape
// never shows a _count that disagrees with the +Inf bucket. As in Prometheus' own clients, NaN
// lands in the +Inf bucket and makes the sum NaN.
class Histogram {
public:
  // Strictly increasing, no NaN; a last bound of +Inf is dropped (it is implicit).
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double value);
  const std::vector<double> &upperBounds() const { return upperBounds_; }
  // Per-bucket counts (not cumulative), one more than upperBounds() for +Inf.
  std::vector<uint64_t> bucketCounts() const;
  uint64_t count() const;
  double sum() const;
  // The value below which `fraction` of the observations fall, interpolated inside the bucket
  // (as Prometheus' histogram_quantile does); NaN when empty, -Inf below 0, +Inf above 1.
  double quantile(double fraction) const;

private:
  std::vector<double> upperBounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

// Exponential bucket bounds: start, start*factor, ... (count bounds); start > 0, factor > 1.
std::vector<double> exponentialBuckets(double start, double factor, size_t count);

// The same histogram_quantile over cumulative counts (one per bound, then the +Inf count), for
// callers that merge several histograms' buckets.
double histogramQuantile(double fraction, const std::vector<double> &upperBounds,
                         const std::vector<uint64_t> &cumulativeCounts);

// A number as the text format wants it: integers without exponent, others in the shortest form
// that reads back to the same double, and NaN, +Inf, -Inf.
std::string formatPrometheusValue(double value);

// Thread-safe registration; the returned references stay valid for the registry's lifetime.
// Asking twice for the same name and labels returns the same metric. A name is one family:
// one help text and one type.
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* without a
// leading "__" and without "le" (histograms) or "quantile"; a counter family's name ends in
// "_total" and gets it appended when it does not (counter("x") and counter("x_total") are one
// family). Breaking these rules, or one name used with two types, is a programming error: it
// asserts, and without asserts the offending characters are replaced so the output stays valid.
class MetricsRegistry {
public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry &) = delete;
  MetricsRegistry &operator=(const MetricsRegistry &) = delete;

  Counter &counter(const std::string &name, const std::string &help, const Labels &labels = {});
  Gauge &gauge(const std::string &name, const std::string &help, const Labels &labels = {});
  Histogram &histogram(const std::string &name, const std::string &help,
                       const std::vector<double> &upperBounds, const Labels &labels = {});
  // A gauge computed when scraped (queue depth, RSS, ...). The callback must be thread-safe; it
  // runs outside the registry's lock, so it may itself use the registry. Registering the same
  // name and labels again replaces the callback (a reloaded pipeline brings its own).
  void gaugeFunction(const std::string &name, const std::string &help, const Labels &labels,
                     std::function<double()> read);
  // A counter computed when scraped (CPU seconds from the kernel); the callback must never go
  // down. The name gets "_total" as for counter().
  void counterFunction(const std::string &name, const std::string &help, const Labels &labels,
                       std::function<double()> read);
  // Every family in registration order, `# HELP` and `# TYPE` once per family, label values
  // escaped; passes `promtool check metrics`.
  std::string renderPrometheus() const;
  // The same metrics as JSON, for the agent's own telemetry sent through the sync queue:
  //   {"metrics":[{"name":"x_total","type":"counter","labels":{"source":"mqtt"},"value":3},
  //     {"name":"y_seconds","type":"histogram","labels":{},"sum":0.5,"count":2,
  //      "buckets":[{"le":0.25,"count":1},{"le":"+Inf","count":2}]}, ...]}
  // with the families and series in the order renderPrometheus() gives them, cumulative bucket
  // counts, and NaN and infinities as the strings "NaN", "+Inf", "-Inf".
  nlohmann::ordered_json snapshotJson() const;

private:
  enum class MetricKind { Counter, Gauge, Histogram };
  struct Family;
  struct Child;
  struct FamilyView;
  // What a scrape shows, taken under the lock; the values are read after it is released.
  std::vector<FamilyView> views() const;
  Family &family(const std::string &name, const std::string &help, MetricKind kind);
  Child &child(Family &family, const Labels &labels);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;
};

} // namespace pyvc::telemetry
