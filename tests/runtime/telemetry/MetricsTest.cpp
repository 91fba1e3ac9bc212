// Metrics: the exact Prometheus text of small registries (written by hand from the exposition
// format spec), histogram_quantile against hand-computed values, and concurrent updates.
#include "telemetry/Metrics.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

using namespace pyvc::telemetry;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(MetricsRender, SmallRegistryExactText) {
  MetricsRegistry registry;
  registry.counter("pyvc_readings_in", "Readings accepted by sources.", {{"source", "mqtt"}})
      .add(3);
  registry.counter("pyvc_readings_in_total", "Readings accepted by sources.", {{"source", "http"}});
  registry.gauge("pyvc_queue_depth", "Items waiting in the sync queue.").set(12.5);
  Histogram &calls =
      registry.histogram("pyvc_kernel_call_seconds", "Kernel call time.", {0.25, 0.5, 1});
  for (double seconds : {0.125, 0.25, 0.75, 4.0})
    calls.observe(seconds);
  registry
      .histogram("pyvc_kernel_call_seconds", "Kernel call time.", {0.25, 0.5, 1}, {{"rule", "hot"}})
      .observe(0.5);
  registry
      .gauge("pyvc_sensor_info", "Sensor with a \\ backslash\nand a newline.",
             {{"name", "a\"b\\c\nd"}, {"unit", "°C"}})
      .set(1);

  const char *expected = R"(# HELP pyvc_readings_in_total Readings accepted by sources.
# TYPE pyvc_readings_in_total counter
pyvc_readings_in_total{source="mqtt"} 3
pyvc_readings_in_total{source="http"} 0
# HELP pyvc_queue_depth Items waiting in the sync queue.
# TYPE pyvc_queue_depth gauge
pyvc_queue_depth 12.5
# HELP pyvc_kernel_call_seconds Kernel call time.
# TYPE pyvc_kernel_call_seconds histogram
pyvc_kernel_call_seconds_bucket{le="0.25"} 2
pyvc_kernel_call_seconds_bucket{le="0.5"} 2
pyvc_kernel_call_seconds_bucket{le="1"} 3
pyvc_kernel_call_seconds_bucket{le="+Inf"} 4
pyvc_kernel_call_seconds_sum 5.125
pyvc_kernel_call_seconds_count 4
pyvc_kernel_call_seconds_bucket{rule="hot",le="0.25"} 0
pyvc_kernel_call_seconds_bucket{rule="hot",le="0.5"} 1
pyvc_kernel_call_seconds_bucket{rule="hot",le="1"} 1
pyvc_kernel_call_seconds_bucket{rule="hot",le="+Inf"} 1
pyvc_kernel_call_seconds_sum{rule="hot"} 0.5
pyvc_kernel_call_seconds_count{rule="hot"} 1
# HELP pyvc_sensor_info Sensor with a \\ backslash\nand a newline.
# TYPE pyvc_sensor_info gauge
pyvc_sensor_info{name="a\"b\\c\nd",unit="°C"} 1
)";
  EXPECT_EQ(registry.renderPrometheus(), expected);
}

TEST(MetricsRender, SpecialAndLargeValues) {
  MetricsRegistry registry;
  registry.gauge("g", "h", {{"v", "nan"}}).set(kNaN);
  registry.gauge("g", "h", {{"v", "inf"}}).set(kInf);
  registry.gauge("g", "h", {{"v", "minus_inf"}}).set(-kInf);
  registry.gauge("g", "h", {{"v", "big"}}).set(1e15);
  registry.gauge("g", "h", {{"v", "negative"}}).set(-42);
  registry.gauge("g", "h", {{"v", "small"}}).set(1.5e-7);
  registry.gauge("g", "h", {{"v", "huge"}}).set(1e300);
  registry.gauge("g", "h", {{"v", "minus_zero"}}).set(-0.0);
  registry.counter("c", "h").add(18446744073709551615ull);
  EXPECT_EQ(registry.renderPrometheus(), "# HELP g h\n"
                                         "# TYPE g gauge\n"
                                         "g{v=\"nan\"} NaN\n"
                                         "g{v=\"inf\"} +Inf\n"
                                         "g{v=\"minus_inf\"} -Inf\n"
                                         "g{v=\"big\"} 1000000000000000\n"
                                         "g{v=\"negative\"} -42\n"
                                         "g{v=\"small\"} 1.5e-07\n"
                                         "g{v=\"huge\"} 1e+300\n"
                                         "g{v=\"minus_zero\"} 0\n"
                                         "# HELP c_total h\n"
                                         "# TYPE c_total counter\n"
                                         "c_total 18446744073709551615\n");
}

TEST(MetricsRender, FormatValueReadsBackExactly) {
  for (double value : {0.1, 1.0 / 3.0, 2.5e-300, 123456.789, 9007199254740993.0, -7.25}) {
    std::string text = formatPrometheusValue(value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
  }
  EXPECT_EQ(formatPrometheusValue(0x1p62), "4611686018427387904");
  // Past 2^63: the shorter of the fixed and the exponent forms that read back exactly.
  EXPECT_EQ(formatPrometheusValue(0x1p64), "18446744073709551616");
  EXPECT_EQ(formatPrometheusValue(1e21), "1e+21");
}

TEST(MetricsRegistry, SameNameAndLabelsIsSameMetric) {
  MetricsRegistry registry;
  Counter &a = registry.counter("pyvc_drops", "Drops.", {{"reason", "full"}});
  Counter &b = registry.counter("pyvc_drops_total", "Drops.", {{"reason", "full"}});
  Counter &c = registry.counter("pyvc_drops", "Drops.", {{"reason", "late"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  Gauge &g1 = registry.gauge("pyvc_lag_seconds", "Lag.");
  Gauge &g2 = registry.gauge("pyvc_lag_seconds", "Lag.");
  EXPECT_EQ(&g1, &g2);
  // The order of labels is part of the series' identity as rendered.
  Gauge &g3 = registry.gauge("pyvc_lag_seconds", "Lag.", {{"a", "1"}, {"b", "2"}});
  Gauge &g4 = registry.gauge("pyvc_lag_seconds", "Lag.", {{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(&g3, &g4);
}

TEST(MetricsRegistry, InvalidUtf8LabelValueIsReplaced) {
  MetricsRegistry registry;
  registry.gauge("g", "bad \xff help", {{"sensor", "ok\xc3\x28x"}}).set(2);
  // Different bad bytes, the same text once repaired: one series, not a duplicate sample.
  EXPECT_EQ(&registry.gauge("g", "bad \xff help", {{"sensor", "ok\xff(x"}}),
            &registry.gauge("g", "bad \xff help", {{"sensor", "ok\xc3\x28x"}}));
  EXPECT_EQ(registry.renderPrometheus(), "# HELP g bad \xEF\xBF\xBD help\n"
                                         "# TYPE g gauge\n"
                                         "g{sensor=\"ok\xEF\xBF\xBD(x\"} 2\n");
}

TEST(MetricsRegistry, InvalidNamesAssertOrAreRepaired) {
  MetricsRegistry registry;
  EXPECT_DEBUG_DEATH(registry.counter("bad name", "h"), "invalid metric name");
  EXPECT_DEBUG_DEATH(registry.gauge("9lives", "h"), "invalid metric name");
  EXPECT_DEBUG_DEATH(registry.gauge("ok", "h", {{"le", "1"}}), "label name");
  EXPECT_DEBUG_DEATH(registry.gauge("ok2", "h", {{"__name", "1"}}), "label name");
  EXPECT_DEBUG_DEATH(registry.gauge("ok3", "h", {{"bad-label", "1"}}), "label name");
  EXPECT_DEBUG_DEATH(registry.gauge("ok4", "h", {{"a", "1"}, {"a", "2"}}), "twice");
#ifdef NDEBUG
  // Without asserts the registry repairs what it was given, and the text stays parseable.
  EXPECT_EQ(registry.renderPrometheus(), "# HELP bad_name_total h\n"
                                         "# TYPE bad_name_total counter\n"
                                         "bad_name_total 0\n"
                                         "# HELP _9lives h\n"
                                         "# TYPE _9lives gauge\n"
                                         "_9lives 0\n"
                                         "# HELP ok h\n"
                                         "# TYPE ok gauge\n"
                                         "ok{le_=\"1\"} 0\n"
                                         "# HELP ok2 h\n"
                                         "# TYPE ok2 gauge\n"
                                         "ok2{_name=\"1\"} 0\n"
                                         "# HELP ok3 h\n"
                                         "# TYPE ok3 gauge\n"
                                         "ok3{bad_label=\"1\"} 0\n"
                                         "# HELP ok4 h\n"
                                         "# TYPE ok4 gauge\n"
                                         "ok4{a=\"1\"} 0\n");
#endif
}

TEST(MetricsRegistry, OneNameWithTwoTypesAssertsOrGetsItsOwnFamily) {
  MetricsRegistry registry;
  registry.gauge("pyvc_depth", "h").set(1);
  EXPECT_DEBUG_DEATH(registry.histogram("pyvc_depth", "h", {1}), "two types");
#ifdef NDEBUG
  std::string text = registry.renderPrometheus();
  EXPECT_NE(text.find("# TYPE pyvc_depth gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE pyvc_depth_histogram histogram\n"), std::string::npos) << text;
#endif
}

TEST(MetricsRegistry, GaugeFunctionIsEvaluatedAtEachScrape) {
  MetricsRegistry registry;
  std::atomic<int> calls{0};
  std::atomic<double> depth{7};
  registry.gaugeFunction("pyvc_queue_items", "Items queued.", {{"queue", "sync"}}, [&] {
    ++calls;
    return depth.load();
  });
  EXPECT_EQ(calls.load(), 0) << "registration must not call the function";
  EXPECT_EQ(registry.renderPrometheus(), "# HELP pyvc_queue_items Items queued.\n"
                                         "# TYPE pyvc_queue_items gauge\n"
                                         "pyvc_queue_items{queue=\"sync\"} 7\n");
  depth = 0.75;
  EXPECT_EQ(registry.renderPrometheus(), "# HELP pyvc_queue_items Items queued.\n"
                                         "# TYPE pyvc_queue_items gauge\n"
                                         "pyvc_queue_items{queue=\"sync\"} 0.75\n");
  EXPECT_EQ(calls.load(), 2);

  // Registering again replaces the callback (a reloaded pipeline brings its own).
  registry.gaugeFunction("pyvc_queue_items", "Items queued.", {{"queue", "sync"}},
                         [] { return 99.0; });
  EXPECT_EQ(registry.renderPrometheus(), "# HELP pyvc_queue_items Items queued.\n"
                                         "# TYPE pyvc_queue_items gauge\n"
                                         "pyvc_queue_items{queue=\"sync\"} 99\n");
  EXPECT_EQ(calls.load(), 2);
}

TEST(MetricsRegistry, FunctionsMayUseTheRegistryAndMayThrow) {
  MetricsRegistry registry;
  registry.gauge("pyvc_inner", "Inner.").set(4);
  // A callback that registers or reads metrics must not deadlock the scrape.
  registry.gaugeFunction("pyvc_families", "Families seen.", {}, [&registry] {
    return registry.gauge("pyvc_inner", "Inner.").value() + 1;
  });
  registry.counterFunction("pyvc_cpu_seconds", "CPU.", {},
                           []() -> double { throw std::runtime_error("no /proc"); });
  EXPECT_EQ(registry.renderPrometheus(), "# HELP pyvc_inner Inner.\n"
                                         "# TYPE pyvc_inner gauge\n"
                                         "pyvc_inner 4\n"
                                         "# HELP pyvc_families Families seen.\n"
                                         "# TYPE pyvc_families gauge\n"
                                         "pyvc_families 5\n"
                                         "# HELP pyvc_cpu_seconds_total CPU.\n"
                                         "# TYPE pyvc_cpu_seconds_total counter\n"
                                         "pyvc_cpu_seconds_total NaN\n");
}

// Hand-computed from Prometheus' bucketQuantile: bounds 1, 2, 4, 8 and observations
// 0.5 | 1.5 1.5 | 3 3 3 | 5 | 10, so the cumulative counts are 1, 3, 6, 7, 8 (+Inf).
TEST(HistogramQuantile, MatchesHandComputedValues) {
  Histogram histogram({1, 2, 4, 8});
  for (double value : {0.5, 1.5, 1.5, 3.0, 3.0, 3.0, 5.0, 10.0})
    histogram.observe(value);
  EXPECT_EQ(histogram.bucketCounts(), (std::vector<uint64_t>{1, 2, 3, 1, 1}));
  EXPECT_EQ(histogram.count(), 8u);
  EXPECT_EQ(histogram.sum(), 27.5);
  EXPECT_DOUBLE_EQ(histogram.quantile(0.1), 0.8);     // rank 0.8 in (0, 1], 0.8 of 1
  EXPECT_DOUBLE_EQ(histogram.quantile(0.25), 1.5);    // rank 2 in (1, 2], 1 of 2
  EXPECT_DOUBLE_EQ(histogram.quantile(0.5), 8.0 / 3); // rank 4 in (2, 4], 1 of 3
  EXPECT_DOUBLE_EQ(histogram.quantile(0.75), 4.0);    // rank 6: the top of (2, 4]
  EXPECT_DOUBLE_EQ(histogram.quantile(0.875), 8.0);   // rank 7: the top of (4, 8]
  EXPECT_DOUBLE_EQ(histogram.quantile(0.95), 8.0);    // in +Inf: the highest finite bound
  EXPECT_DOUBLE_EQ(histogram.quantile(1.0), 8.0);
  EXPECT_EQ(histogram.quantile(-0.5), -kInf);
  EXPECT_EQ(histogram.quantile(1.5), kInf);
  EXPECT_TRUE(std::isnan(histogram.quantile(kNaN)));
}

TEST(HistogramQuantile, EdgeCases) {
  EXPECT_TRUE(std::isnan(Histogram({1, 2}).quantile(0.5))) << "empty";
  Histogram onlyInf({});
  onlyInf.observe(3);
  EXPECT_TRUE(std::isnan(onlyInf.quantile(0.5))) << "fewer than two buckets";
  Histogram negative({-1, 0, 1});
  negative.observe(-2);
  negative.observe(-1.5);
  EXPECT_EQ(negative.quantile(0.5), -1) << "a lowest bound <= 0 is returned as it is";
  // Bounds from exponentialBuckets: 0.001, 0.002, 0.004, 0.008.
  std::vector<double> bounds = exponentialBuckets(0.001, 2, 4);
  EXPECT_EQ(bounds, (std::vector<double>{0.001, 0.002, 0.004, 0.008}));
  Histogram latency(bounds);
  for (int i = 0; i < 90; ++i)
    latency.observe(0.0015); // (0.001, 0.002]
  for (int i = 0; i < 10; ++i)
    latency.observe(0.006); // (0.004, 0.008]
  // p50: rank 50 in (0.001, 0.002] holding 90 -> 0.001 + 0.001 * 50 / 90.
  EXPECT_DOUBLE_EQ(latency.quantile(0.5), 0.001 + 0.001 * 50.0 / 90.0);
  // p99: rank 99 in (0.004, 0.008] holding 10 from 90 -> 0.004 + 0.004 * 9 / 10.
  EXPECT_DOUBLE_EQ(latency.quantile(0.99), 0.004 + 0.004 * 0.9);
}

TEST(Histogram, BoundsAreInclusiveAndNaNGoesToInf) {
  Histogram histogram({1, 2, kInf}); // a trailing +Inf is implicit and dropped
  EXPECT_EQ(histogram.upperBounds(), (std::vector<double>{1, 2}));
  histogram.observe(1);
  histogram.observe(2);
  histogram.observe(2.0000001);
  histogram.observe(-100);
  histogram.observe(kNaN);
  EXPECT_EQ(histogram.bucketCounts(), (std::vector<uint64_t>{2, 1, 2}));
  EXPECT_TRUE(std::isnan(histogram.sum()));
}

// 4 threads update the same metrics without locks; nothing may be lost.
TEST(MetricsConcurrency, FourThreadsSumExactly) {
  MetricsRegistry registry;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200000;
  Counter &counter = registry.counter("pyvc_readings", "Readings.");
  Gauge &gauge = registry.gauge("pyvc_budget_bytes", "Budget in use.");
  Histogram &histogram = registry.histogram("pyvc_call_seconds", "Calls.", {0.5, 1.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.add();
        gauge.add(0.5);
        histogram.observe(t % 2 == 0 ? 1.0 : 2.0);
        // Registration from several threads returns the same object.
        if (i % 20000 == 0) {
          EXPECT_EQ(&registry.counter("pyvc_readings", "Readings."), &counter);
          // New series appear while other threads scrape.
          registry
              .gauge("pyvc_progress", "Progress.",
                     {{"thread", std::to_string(t)}, {"step", std::to_string(i)}})
              .set(i);
        }
      }
    });
  }
  // Scrapes while the updates run must not disturb them.
  for (int i = 0; i < 20; ++i)
    EXPECT_FALSE(registry.renderPrometheus().empty());
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(counter.value(), uint64_t(kThreads) * kPerThread);
  EXPECT_EQ(gauge.value(), 0.5 * kThreads * kPerThread);
  EXPECT_EQ(histogram.count(), uint64_t(kThreads) * kPerThread);
  EXPECT_EQ(histogram.bucketCounts(),
            (std::vector<uint64_t>{0, 2 * uint64_t(kPerThread), 2 * uint64_t(kPerThread)}));
  EXPECT_EQ(histogram.sum(), 3.0 * 2 * kPerThread); // 1.0 and 2.0, kPerThread * 2 threads each
  std::string text = registry.renderPrometheus();
  size_t progressSeries = 0;
  for (size_t at = text.find("\npyvc_progress{"); at != std::string::npos;
       at = text.find("\npyvc_progress{", at + 1))
    ++progressSeries;
  EXPECT_EQ(progressSeries, size_t(kThreads) * (kPerThread / 20000));
}

TEST(MetricsRegistry, SnapshotJsonHoldsTheSameSeries) {
  MetricsRegistry registry;
  registry.counter("pyvc_readings_in", "Readings.", {{"source", "mqtt"}}).add(3);
  registry.gauge("pyvc_lag_seconds", "Lag.", {{"pipeline", "bad\xff"}}).set(-kInf);
  Histogram &calls = registry.histogram("pyvc_call_seconds", "Calls.", {0.25, 1});
  calls.observe(0.125);
  calls.observe(0.5);
  calls.observe(3);
  registry.gaugeFunction("pyvc_depth", "Depth.", {}, [] { return 2.5; });
  // Written by hand from the format documented in Metrics.h.
  const char *expected = R"({"metrics":[)"
                         R"({"name":"pyvc_readings_in_total","type":"counter",)"
                         R"("labels":{"source":"mqtt"},"value":3},)"
                         R"({"name":"pyvc_lag_seconds","type":"gauge",)"
                         R"("labels":{"pipeline":"bad\ufffd"},"value":"-Inf"},)"
                         R"({"name":"pyvc_call_seconds","type":"histogram","labels":{},)"
                         R"("sum":3.625,"count":3,"buckets":[{"le":0.25,"count":1},)"
                         R"({"le":1.0,"count":2},{"le":"+Inf","count":3}]},)"
                         R"({"name":"pyvc_depth","type":"gauge","labels":{},"value":2.5}]})";
  EXPECT_EQ(registry.snapshotJson().dump(-1, ' ', true), expected);
}

TEST(Histogram, BadBoundsAssertOrAreRepaired) {
  EXPECT_DEBUG_DEATH(
      {
        Histogram histogram({2, 1, 1, kNaN});
#ifdef NDEBUG
        EXPECT_EQ(histogram.upperBounds(), (std::vector<double>{1, 2}));
        histogram.observe(1.5);
        EXPECT_EQ(histogram.bucketCounts(), (std::vector<uint64_t>{0, 1, 0}));
#endif
      },
      "histogram bound");
}

TEST(Gauge, SetAndAdd) {
  Gauge gauge;
  gauge.set(10);
  gauge.add(-2.5);
  EXPECT_EQ(gauge.value(), 7.5);
}

} // namespace
