// The simulator: the random generator against an independent reference, determinism by seed,
// the shapes and anomalies measured over many readings, and real-time pacing.
#include "RecordingSink.h"

#include "ingest/DeterministicRandom.h"
#include "ingest/SignalSimulator.h"
#include "ingest/SimulatorSource.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

namespace pyvc::ingest {
namespace {

using testing::RecordingSink;
using namespace std::chrono_literals;

constexpr int64_t Start = 1'700'000'000'000;

SimulatorConfig oneGroup(SignalShape shape, uint32_t count, double noise = 0.0) {
  SimulatorConfig config;
  SimulatedSensors group;
  group.pattern = "sim.{}.value";
  group.count = count;
  group.shape = shape;
  group.base = 20.0;
  group.amplitude = 2.0;
  group.period = std::chrono::milliseconds(1000);
  group.noise = noise;
  config.sensors.push_back(group);
  config.ratePerSecond = 1000.0;
  config.startTimeMs = Start;
  return config;
}

ReadingBatch simulate(const SimulatorConfig &config, uint64_t slots) {
  std::vector<SensorId> ids;
  for (size_t i = 0; i < simulatedSensorNames(config).size(); ++i)
    ids.push_back(SensorId(i));
  SignalSimulator simulator(config, ids, config.startTimeMs);
  ReadingBatch batch;
  simulator.generate(slots, UINT64_MAX, 0, batch);
  return batch;
}

bool sameBits(const std::vector<double> &a, const std::vector<double> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(SimulatorTest, RandomGeneratorMatchesReferenceXoshiro256StarStar) {
  // Computed with an independent Python implementation of splitmix64 seeding and xoshiro256**.
  DeterministicRandom random(1);
  EXPECT_EQ(random.next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(random.next(), 0x853b559647364ceaULL);
  EXPECT_EQ(random.next(), 0x92f89756082a4514ULL);
  EXPECT_EQ(random.next(), 0x642e1c7bc266a3a7ULL);
}

TEST(SimulatorTest, SensorNamesFromPatterns) {
  SimulatorConfig config = oneGroup(SignalShape::Constant, 3);
  SimulatedSensors plain;
  plain.pattern = "pump";
  config.sensors.push_back(plain);
  EXPECT_EQ(simulatedSensorNames(config),
            (std::vector<std::string>{"sim.1.value", "sim.2.value", "sim.3.value", "pump"}));
}

TEST(SimulatorTest, SameSeedSameReadingsOtherSeedOthers) {
  SimulatorConfig config = oneGroup(SignalShape::RandomWalk, 4, 0.5);
  config.anomalies.spikeProbability = 0.01;
  config.anomalies.dropoutProbability = 0.001;
  config.seed = 42;
  ReadingBatch first = simulate(config, 20000);
  ReadingBatch again = simulate(config, 20000);
  EXPECT_TRUE(sameBits(first.values, again.values));
  EXPECT_EQ(first.timestampsMs, again.timestampsMs);
  EXPECT_EQ(first.sensors, again.sensors);
  config.seed = 43;
  ReadingBatch other = simulate(config, 20000);
  EXPECT_FALSE(sameBits(first.values, other.values));
  // Generating in pieces gives the same stream as in one go.
  config.seed = 42;
  std::vector<SensorId> ids = {0, 1, 2, 3};
  SignalSimulator pieces(config, ids, Start);
  ReadingBatch pieced;
  for (int i = 0; i < 200; ++i)
    pieces.generate(100, UINT64_MAX, 0, pieced);
  EXPECT_TRUE(sameBits(first.values, pieced.values));
}

TEST(SimulatorTest, SineFollowsItsFormulaAndTimeAdvancesByOneOverRate) {
  SimulatorConfig config = oneGroup(SignalShape::Sine, 2);
  config.ratePerSecond = 400.0; // 2.5 ms per slot
  ReadingBatch batch = simulate(config, 1000);
  ASSERT_EQ(batch.size(), 1000u);
  for (size_t i = 0; i < batch.size(); ++i) {
    int64_t expectedMs = Start + int64_t(i * 5 / 2); // floor(i * 1000 / 400)
    ASSERT_EQ(batch.timestampsMs[i], expectedMs) << i;
    ASSERT_EQ(batch.sensors[i], SensorId(i % 2));
    double phase = double(expectedMs - Start) / 1000.0;
    ASSERT_NEAR(batch.values[i], 20.0 + 2.0 * std::sin(2 * M_PI * phase), 1e-12) << i;
  }
}

TEST(SimulatorTest, NoiseIsGaussianWithTheConfiguredDeviation) {
  SimulatorConfig config = oneGroup(SignalShape::Constant, 1, 0.5);
  ReadingBatch batch = simulate(config, 200000);
  double sum = 0, squares = 0;
  size_t withinOneSigma = 0;
  for (double value : batch.values) {
    sum += value;
    squares += (value - 20.0) * (value - 20.0);
    withinOneSigma += std::abs(value - 20.0) < 0.5;
  }
  double mean = sum / double(batch.size());
  double deviation = std::sqrt(squares / double(batch.size()));
  EXPECT_NEAR(mean, 20.0, 0.01); // standard error 0.5 / sqrt(2e5) = 0.0011
  EXPECT_NEAR(deviation, 0.5, 0.01);
  EXPECT_NEAR(double(withinOneSigma) / double(batch.size()), 0.6827, 0.01); // normal, not uniform
}

TEST(SimulatorTest, RandomWalkStepsHaveTheAmplitudeAsDeviation) {
  SimulatorConfig config = oneGroup(SignalShape::RandomWalk, 1);
  ReadingBatch batch = simulate(config, 100000);
  double squares = 0;
  double previous = 20.0;
  for (double value : batch.values) {
    squares += (value - previous) * (value - previous);
    previous = value;
  }
  EXPECT_NEAR(std::sqrt(squares / double(batch.size())), 2.0, 0.03);
}

TEST(SimulatorTest, SpikesAtTheirProbabilityAndMagnitude) {
  SimulatorConfig config = oneGroup(SignalShape::Constant, 5);
  config.anomalies.spikeProbability = 0.02;
  config.anomalies.spikeMagnitude = 10.0;
  ReadingBatch batch = simulate(config, 100000);
  size_t up = 0, down = 0, other = 0;
  for (double value : batch.values) {
    if (value == 30.0)
      ++up;
    else if (value == 10.0)
      ++down;
    else if (value != 20.0)
      ++other;
  }
  EXPECT_EQ(other, 0u);
  EXPECT_NEAR(double(up + down) / 100000.0, 0.02, 0.003); // 7 standard errors wide
  EXPECT_NEAR(double(up) / double(up + down), 0.5, 0.1);
}

TEST(SimulatorTest, StuckSensorsRepeatForTheirDurationThenMoveOn) {
  SimulatorConfig config = oneGroup(SignalShape::Sine, 1);
  config.anomalies.stuckProbability = 0.001;
  config.anomalies.stuckDuration = std::chrono::milliseconds(200);
  ReadingBatch batch = simulate(config, 50000); // 50 s at 1 ms per reading
  size_t repeats = 0, longestRun = 0, run = 0;
  for (size_t i = 1; i < batch.size(); ++i) {
    if (batch.values[i] == batch.values[i - 1]) {
      ++repeats;
      longestRun = std::max(longestRun, ++run);
    } else {
      run = 0;
    }
  }
  EXPECT_GT(repeats, 1000u); // ~50 periods of ~200 readings each
  // A period can start again right after one ends, but not last much longer than a few.
  EXPECT_GE(longestRun, 199u);
  EXPECT_LT(longestRun, 2000u);
}

TEST(SimulatorTest, DriftGrowsLinearlyFromItsStart) {
  SimulatorConfig config = oneGroup(SignalShape::Constant, 1);
  config.anomalies.driftProbability = 1.0; // starts at the first reading
  config.anomalies.driftPerSecond = 0.5;
  ReadingBatch batch = simulate(config, 3001);
  EXPECT_DOUBLE_EQ(batch.values[0], 20.0);
  EXPECT_DOUBLE_EQ(batch.values[1000], 20.5);
  EXPECT_DOUBLE_EQ(batch.values[3000], 21.5);
}

TEST(SimulatorTest, DropoutsSilenceASensorForTheirDuration) {
  SimulatorConfig config = oneGroup(SignalShape::Constant, 2);
  config.anomalies.dropoutProbability = 0.0005;
  config.anomalies.dropoutDuration = std::chrono::milliseconds(500);
  ReadingBatch batch = simulate(config, 100000);
  EXPECT_LT(batch.size(), 100000u);
  // The gaps in each sensor's timestamps: at 1 kHz over 2 sensors a sensor reads every 2 ms.
  std::map<SensorId, int64_t> last;
  size_t gaps = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto found = last.find(batch.sensors[i]);
    if (found != last.end() && batch.timestampsMs[i] - found->second > 2) {
      ++gaps;
      EXPECT_GE(batch.timestampsMs[i] - found->second, 500);
    }
    last[batch.sensors[i]] = batch.timestampsMs[i];
  }
  EXPECT_GT(gaps, 5u);
}

TEST(SimulatorTest, SourcePacesAtItsRate) {
  RecordingSink sink(Start);
  SimulatorConfig config = oneGroup(SignalShape::Sine, 10);
  config.ratePerSecond = 2000.0;
  SimulatorSource source("sim", 3, config);
  ASSERT_TRUE(source.start(sink).ok());
  std::this_thread::sleep_for(500ms);
  source.stop();
  size_t rows = sink.rowCount();
  EXPECT_GT(rows, 700u);  // 1,000 expected; loose for a loaded machine
  EXPECT_LT(rows, 1100u); // never ahead of the clock by more than a batch
  for (size_t size : sink.batchSizes())
    EXPECT_LE(size, 20u); // 10 ms worth at 2,000/s
  for (uint32_t source : sink.batchSources())
    EXPECT_EQ(source, 3u);
  EXPECT_EQ(source.stats().accepted, rows);
  EXPECT_FALSE(source.finished());
}

TEST(SimulatorTest, LimitStopsAfterExactlyNReadingsAndBackPressureLosesNothing) {
  RecordingSink sink(Start);
  sink.setFull(true);
  SimulatorConfig config = oneGroup(SignalShape::RandomWalk, 7, 0.1);
  config.ratePerSecond = 200000.0;
  config.limit = 5000;
  SimulatorSource source("sim", 0, config);
  ASSERT_TRUE(source.start(sink).ok());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink.rowCount(), 0u); // waiting, not dropping
  sink.setFull(false);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!source.finished() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(source.finished());
  source.stop();
  EXPECT_EQ(sink.rowCount(), 5000u);
  SourceStats stats = source.stats();
  EXPECT_EQ(stats.accepted, 5000u);
  EXPECT_EQ(stats.dropped[size_t(SourceDropReason::Stopping)], 0u);
  EXPECT_EQ(stats.dropped[size_t(SourceDropReason::BudgetFull)], 0u);
  EXPECT_GT(sink.refusedOffers(), 0u);
  // The same readings as the pure simulator gives for that seed: pacing changes nothing.
  ReadingBatch expected = simulate(config, 5000);
  std::vector<testing::RecordedRow> rows = sink.rows();
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].value, expected.values[i]) << i;
    ASSERT_EQ(rows[i].timestampMs, expected.timestampsMs[i]) << i;
  }
}

TEST(SimulatorTest, WallClockStampsWhenSyntheticTimeIsOff) {
  SimulatorConfig config = oneGroup(SignalShape::Constant, 2);
  config.syntheticTime = false;
  std::vector<SensorId> ids = {0, 1};
  SignalSimulator simulator(config, ids, Start);
  ReadingBatch batch;
  simulator.generate(10, UINT64_MAX, 1'800'000'000'000, batch);
  ASSERT_EQ(batch.size(), 10u);
  for (int64_t stamp : batch.timestampsMs)
    EXPECT_EQ(stamp, 1'800'000'000'000);
  // The unit travels with every row.
  config.sensors[0].unit = "C";
  SignalSimulator withUnit(config, ids, Start);
  ReadingBatch units;
  withUnit.generate(3, UINT64_MAX, 0, units);
  ASSERT_EQ(units.side.size(), 3u);
  EXPECT_EQ(units.side[2].row, 2u);
  EXPECT_EQ(units.side[2].unit, "C");
}

TEST(SimulatorTest, BadConfigIsAnErrorAtStart) {
  RecordingSink sink(Start);
  SimulatorConfig config = oneGroup(SignalShape::Sine, 1);
  config.ratePerSecond = 0;
  SimulatorSource source("sim", 0, config);
  Result<void> started = source.start(sink);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message, "simulator source `sim`: rate must be a positive number");
}

} // namespace
} // namespace pyvc::ingest
