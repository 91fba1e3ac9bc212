// Window aggregates with kernels compiled by the real pyvc from window_kernels.py: binding checks
// the signature, results of each type over real closed windows, kernel exceptions as outcomes,
// CPython running the same file over the same windows as the oracle, and the add() throughput.
#include "windows/WindowAggregate.h"
#include "WindowReference.h"

#include "../TemporaryFolder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <fstream>
#include <random>

#include <time.h>

namespace pyvc::windows::testing {
namespace {

// The kernels at the default options (fixed lane-order sums) and with --strict-fp (CPython's
// sequential sums, so results equal CPython's bit for bit), opened once for the suite.
class WindowAggregates : public ::testing::Test {
public:
  static void SetUpTestSuite() {
    fast_ = open(WINDOW_KERNELS);
    exact_ = open(WINDOW_KERNELS_STRICT);
  }
  static void TearDownTestSuite() {
    fast_.reset();
    exact_.reset();
  }
  void SetUp() override { ASSERT_TRUE(fast_ && exact_) << openError_; }
  static const loader::KernelLibrary &library(bool strict) { return strict ? *exact_ : *fast_; }

private:
  static std::unique_ptr<loader::KernelLibrary> open(const char *path) {
    auto opened = loader::KernelLibrary::open(path);
    if (!opened) {
      openError_ += opened.error().message + "\n";
      return nullptr;
    }
    return std::move(opened).value();
  }
  static inline std::unique_ptr<loader::KernelLibrary> fast_;
  static inline std::unique_ptr<loader::KernelLibrary> exact_;
  static inline std::string openError_;
};

const loader::KernelLibrary &library(bool strict) { return WindowAggregates::library(strict); }

// Aborts only when window_kernels.py lacks a function the tests name or its signature changed:
// a mistake in the test files themselves.
WindowAggregate bindOrDie(const std::string &function, bool strict = false) {
  const loader::KernelFunction *found = library(strict).function(function);
  if (!found) {
    ADD_FAILURE() << "no function " << function;
    std::abort();
  }
  auto bound = WindowAggregate::bind(function, *found);
  if (!bound) {
    ADD_FAILURE() << bound.error().message;
    std::abort();
  }
  return std::move(bound).value();
}

std::string bindError(const std::string &function) {
  const loader::KernelFunction *found = library(false).function(function);
  if (!found)
    return "no function " + function;
  auto bound = WindowAggregate::bind("agg", *found);
  return bound ? std::string("bound") : bound.error().message;
}

TEST_F(WindowAggregates, BindRefusesFunctionsThatAreNotListOfFloatToScalar) {
  const std::string wanted =
      "` must have the signature f(xs: list[float]) -> float|int|bool, it has ";
  EXPECT_EQ(bindError("scale"), "function `scale" + wanted + "scale(x: float) -> float");
  EXPECT_EQ(bindError("above"),
            "function `above" + wanted + "above(xs: list[float], t: float) -> int");
  EXPECT_EQ(bindError("total"), "function `total" + wanted + "total(xs: list[int]) -> int");
  EXPECT_EQ(bindError("doubled"),
            "function `doubled" + wanted + "doubled(xs: list[float]) -> list[float]");
  EXPECT_EQ(bindError("bounds"),
            "function `bounds" + wanted + "bounds(xs: list[float]) -> tuple[float, float]");
  EXPECT_EQ(bindError("mean"), "bound");
  EXPECT_EQ(bindError("positives"), "bound");
  EXPECT_EQ(bindError("rising"), "bound");
}

TEST_F(WindowAggregates, ResultsOfEachTypeOnPlainSpans) {
  const double values[] = {3.0, -1.0, 4.0, 1.5};
  std::span<const double> xs(values);
  AggregateOutcome mean = bindOrDie("mean").call(xs);
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(mean.value, 7.5 / 4);
  AggregateOutcome positives = bindOrDie("positives").call(xs);
  ASSERT_TRUE(positives.ok());
  EXPECT_EQ(positives.value, 3.0);
  AggregateOutcome rising = bindOrDie("rising").call(xs);
  ASSERT_TRUE(rising.ok());
  EXPECT_EQ(rising.value, 0.0); // 1.5 > 3.0 is False
  EXPECT_EQ(bindOrDie("rising").call(xs.subspan(1)).value, 1.0);
  EXPECT_EQ(bindOrDie("mean").name(), "mean");
  EXPECT_EQ(bindOrDie("mean").resultKind(), loader::ScalarKind::Float);
  EXPECT_EQ(bindOrDie("positives").resultKind(), loader::ScalarKind::Int);
  EXPECT_EQ(bindOrDie("rising").resultKind(), loader::ScalarKind::Bool);
}

TEST_F(WindowAggregates, KernelExceptionsAreOutcomesNotCrashes) {
  const double negative[] = {-4.0, 1.0};
  const double zeroFirst[] = {0.0, 2.0};
  AggregateOutcome empty = bindOrDie("mean").call({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error->name, "ZeroDivisionError");
  AggregateOutcome noMax = bindOrDie("spread").call({});
  ASSERT_FALSE(noMax.ok());
  EXPECT_EQ(noMax.error->name, "ValueError");
  AggregateOutcome domain = bindOrDie("root_sum").call(negative);
  ASSERT_FALSE(domain.ok());
  EXPECT_EQ(domain.error->name, "ValueError");
  EXPECT_EQ(domain.error->message, "math domain error");
  AggregateOutcome division = bindOrDie("inverse_first").call(zeroFirst);
  ASSERT_FALSE(division.ok());
  EXPECT_EQ(division.error->name, "ZeroDivisionError");
  EXPECT_EQ(division.error->message, "float division by zero");
  AggregateOutcome fine = bindOrDie("inverse_first").call(std::span(zeroFirst).subspan(1));
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine.value, 0.5);
}

// Calls every aggregate on each closed window and keeps the window and the outcomes.
class AggregatingSink : public WindowSink {
public:
  explicit AggregatingSink(std::vector<WindowAggregate> aggregates)
      : aggregates_(std::move(aggregates)) {}
  struct Row {
    ClosedWindow bounds;
    std::vector<double> values;
    std::vector<AggregateOutcome> outcomes;
  };
  std::vector<Row> rows;
  void windowClosed(const ClosedWindow &window) override {
    Row row{window, {window.values.begin(), window.values.end()}, {}};
    for (const WindowAggregate &aggregate : aggregates_)
      row.outcomes.push_back(aggregate.call(window.values));
    row.bounds.values = {};
    rows.push_back(std::move(row));
  }
  const std::vector<WindowAggregate> &aggregates() const { return aggregates_; }

private:
  std::vector<WindowAggregate> aggregates_;
};

// A stream of several sensors, mostly in order, with values of both signs and some zeros.
void feedRandomStream(WindowSet &windows, WindowSink &sink, uint32_t seed, size_t readings) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> value(-5.0, 20.0);
  int64_t eventTime = 1'700'000'000'000;
  for (size_t i = 0; i < readings; ++i) {
    eventTime += int64_t(random() % 20);
    int64_t lag = int64_t(random() % 30);
    double x = random() % 17 == 0 ? 0.0 : value(random);
    windows.add(SensorId(random() % 5), eventTime - lag, x, sink);
  }
  windows.closeUntil(std::numeric_limits<int64_t>::max(), sink);
}

TEST_F(WindowAggregates, AggregatesOverClosedWindowsMatchDirectComputation) {
  WindowSet windows({WindowKind::Hopping, 500, 200, 0, 0, 30});
  AggregatingSink sink(
      {bindOrDie("mean"), bindOrDie("positives"), bindOrDie("rising"), bindOrDie("inverse_first")});
  feedRandomStream(windows, sink, 7, 20'000);
  ASSERT_GT(sink.rows.size(), 100u);
  EXPECT_GT(windows.scratchCopies(), 0u);               // some windows wrapped ...
  EXPECT_LT(windows.scratchCopies(), sink.rows.size()); // ... and others did not
  size_t divisionErrors = 0;
  for (const auto &row : sink.rows) {
    const std::vector<double> &xs = row.values;
    double sum = 0.0;
    int64_t positives = 0;
    for (double x : xs) {
      sum += x;
      positives += x > 0.0;
    }
    ASSERT_TRUE(row.outcomes[0].ok());
    // The default build sums in a fixed lane order, not sequentially: equal to a few ulps.
    EXPECT_NEAR(row.outcomes[0].value, sum / double(xs.size()), 1e-12 * (1 + std::fabs(sum)));
    EXPECT_EQ(row.outcomes[1].value, double(positives));
    EXPECT_EQ(row.outcomes[2].value, xs.back() > xs.front() ? 1.0 : 0.0);
    if (xs.front() == 0.0) {
      ++divisionErrors;
      ASSERT_FALSE(row.outcomes[3].ok());
      EXPECT_EQ(row.outcomes[3].error->name, "ZeroDivisionError");
    } else {
      ASSERT_TRUE(row.outcomes[3].ok());
      EXPECT_EQ(row.outcomes[3].value, 1.0 / xs.front());
    }
  }
  EXPECT_GT(divisionErrors, 0u);
}

// The oracle: CPython runs window_kernels.py on the same windows (window_oracle.py).
TEST_F(WindowAggregates, StrictFpResultsEqualCPythonOnTheSameWindows) {
  const std::vector<std::string> names = {"mean",   "positives", "rising",
                                          "spread", "root_sum",  "inverse_first"};
  std::vector<WindowAggregate> aggregates;
  for (const std::string &name : names)
    aggregates.push_back(bindOrDie(name, true));
  WindowSet tumbling({WindowKind::Tumbling, 300, 300, 0, 0, 20});
  AggregatingSink sink(std::move(aggregates));
  feedRandomStream(tumbling, sink, 11, 3000);
  WindowSet counted({WindowKind::Count, 0, 0, 7, 3, 0});
  feedRandomStream(counted, sink, 12, 500);
  ASSERT_GT(sink.rows.size(), 100u);

  pyvc::testing::TemporaryFolder folder;
  std::ofstream out(folder / "windows.jsonl");
  size_t errors = 0;
  for (const auto &row : sink.rows) {
    nlohmann::json line;
    line["values"] = row.values;
    for (size_t i = 0; i < names.size(); ++i) {
      const AggregateOutcome &outcome = row.outcomes[i];
      if (outcome.ok())
        line["results"][names[i]] = {{"value", outcome.value}};
      else
        line["results"][names[i]] = {{"error", {outcome.error->name, outcome.error->message}}};
      errors += !outcome.ok();
    }
    out << line.dump() << "\n";
  }
  out.close();
  EXPECT_GT(errors, 0u); // the stream has windows that raise
  std::string command = std::string(PYTHON3) + " " + WINDOW_ORACLE + " " + WINDOW_KERNELS_SOURCE +
                        " " + (folder / "windows.jsonl").string() + " > " +
                        (folder / "oracle.txt").string() + " 2>&1";
  int status = std::system(command.c_str());
  std::ifstream report(folder / "oracle.txt");
  std::string text((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << text;
  EXPECT_EQ(text, "agree: " + std::to_string(sink.rows.size()) + " windows x " +
                      std::to_string(names.size()) + " aggregates\n");
}

// The hot path the agent runs: tumbling 10 s windows at 1,000 sensors, a reading per sensor
// every 100 ms, the mean of each closed window. Prints readings/s for the report.
TEST_F(WindowAggregates, ThroughputOfTumblingWindowsWithAMeanAtOneThousandSensors) {
  class MeanSink : public WindowSink {
  public:
    explicit MeanSink(WindowAggregate mean) : mean_(std::move(mean)) {}
    void windowClosed(const ClosedWindow &window) override {
      AggregateOutcome outcome = mean_.call(window.values);
      ++windows;
      errors += !outcome.ok();
      total += outcome.value;
    }
    size_t windows = 0;
    size_t errors = 0;
    double total = 0.0;

  private:
    WindowAggregate mean_;
  };
  MeanSink sink(bindOrDie("mean"));
  WindowSet windows({WindowKind::Tumbling, 10'000, 10'000, 0, 0, 1000});
  const uint32_t sensors = 1000;
  const int64_t steps = 1000; // 100 s of event time: 1,000,000 readings
  // Thread CPU time as well as wall time: on a loaded machine the first says what the code costs.
  auto threadSeconds = [] {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
  };
  auto started = std::chrono::steady_clock::now();
  double cpuStarted = threadSeconds();
  for (int64_t step = 0; step < steps; ++step)
    for (uint32_t sensor = 0; sensor < sensors; ++sensor)
      windows.add(sensor, step * 100 + sensor % 100, double(sensor), sink);
  double cpu = threadSeconds() - cpuStarted;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ figures  ] add() with a mean per closed window: %.2f M readings/s of CPU time "
              "(%.1f ms), %.2f M/s of wall time; %zu windows; state %.1f bytes/sensor, rings "
              "%.1f bytes/sensor\n",
              double(sensors * steps) / cpu / 1e6, cpu * 1e3, double(sensors * steps) / wall / 1e6,
              sink.windows, double(windows.stateBytes()) / sensors,
              double(windows.valueBufferBytes()) / sensors);
  // Windows [0, 10 s) ... [80 s, 90 s) have closed (newest 99.9 s < 100 s + 1 s); each holds 100
  // readings of one sensor's constant value, so the means sum to 9 x (0 + 1 + ... + 999).
  EXPECT_EQ(sink.windows, 9u * sensors);
  EXPECT_EQ(sink.errors, 0u);
  EXPECT_EQ(sink.total, 9.0 * 999.0 * 1000.0 / 2.0);
}

} // namespace
} // namespace pyvc::windows::testing
