// WindowSet against the brute-force reference (WindowReference.h) on random streams: several
// sensors interleaved, readings out of order within and beyond the allowed lateness, idle-sensor
// watermarks, timestamps on both sides of the epoch and at the ends of the int64 range.
#include "WindowReference.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace pyvc::windows::testing {
namespace {

struct StreamShape {
  int64_t originMs = 0;      // event time of the first reading
  int64_t maxStepMs = 40;    // event time advances by 0..maxStepMs per reading
  int64_t disorderMs = 0;    // a reading may lag the stream's event time by up to this
  double farLateShare = 0.0; // share of readings that lag by 2x..4x the disorder (mostly late)
  double watermarkShare = 0.0;
  uint32_t sensors = 4;
  size_t readings = 2000;
};

// Event time saturates at the int64 ends, so that streams near them stay representable.
int64_t saturatingAdd(int64_t a, Wide b) { return referenceClamp(Wide(a) + b); }

std::vector<StreamStep> randomStream(const StreamShape &shape, uint32_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<StreamStep> steps;
  int64_t eventTime = shape.originMs;
  for (size_t i = 0; i < shape.readings; ++i) {
    eventTime = saturatingAdd(eventTime, int64_t(random() % uint64_t(shape.maxStepMs + 1)));
    if (unit(random) < shape.watermarkShare) {
      StreamStep watermark;
      watermark.isWatermark = true;
      watermark.timestampMs =
          saturatingAdd(eventTime, -Wide(random() % uint64_t(3 * shape.maxStepMs + 1)));
      steps.push_back(watermark);
    }
    StreamStep step;
    step.sensor = SensorId(random() % shape.sensors) * 3; // ids with holes, as in a shared table
    int64_t lag = shape.disorderMs > 0 ? int64_t(random() % uint64_t(shape.disorderMs + 1)) : 0;
    if (unit(random) < shape.farLateShare)
      lag = 2 * shape.disorderMs + int64_t(random() % uint64_t(2 * shape.disorderMs + 1));
    step.timestampMs = saturatingAdd(eventTime, -Wide(lag));
    // Distinct values so that a misplaced or duplicated reading shows.
    step.value = double(i) + unit(random);
    steps.push_back(step);
  }
  return steps;
}

struct Run {
  std::vector<bool> accepted;
  RecordingSink sink;
  uint64_t late = 0;
};

void runWindowSet(WindowSet &windows, const std::vector<StreamStep> &steps, bool flushAtEnd,
                  Run &run) {
  for (size_t i = 0; i < steps.size(); ++i) {
    run.sink.step = i;
    const StreamStep &step = steps[i];
    if (step.isWatermark) {
      windows.closeUntil(step.timestampMs, run.sink);
      run.accepted.push_back(true);
      continue;
    }
    run.accepted.push_back(windows.add(step.sensor, step.timestampMs, step.value, run.sink));
  }
  if (flushAtEnd) {
    run.sink.step = steps.size();
    windows.closeUntil(std::numeric_limits<int64_t>::max(), run.sink);
  }
  run.late = windows.lateReadings();
}

// Runs the stream through a WindowSet and the reference and compares every verdict and window.
void expectAgreement(const WindowSpec &spec, const StreamShape &shape, uint32_t seed,
                     bool flushAtEnd = true) {
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::vector<StreamStep> steps = randomStream(shape, seed);
  ReferenceResult expected = spec.kind == WindowKind::Count
                                 ? referenceCountWindows(spec, steps, flushAtEnd)
                                 : referenceTimeWindows(spec, steps, flushAtEnd);
  WindowSet windows(spec);
  Run run;
  runWindowSet(windows, steps, flushAtEnd, run);

  ASSERT_EQ(run.accepted.size(), expected.accepted.size());
  for (size_t i = 0; i < steps.size(); ++i)
    ASSERT_EQ(run.accepted[i], expected.accepted[i])
        << "step " << i << ": sensor " << steps[i].sensor << " at " << steps[i].timestampMs;
  EXPECT_EQ(run.late, expected.late);
  EXPECT_EQ(run.sink.windows.size(), expected.windows.size());
  for (size_t i = 0; i < std::min(expected.windows.size(), run.sink.windows.size()); ++i) {
    const EmittedWindow &got = run.sink.windows[i];
    const EmittedWindow &want = expected.windows[i];
    ASSERT_EQ(got, want) << "window " << i << ": got sensor " << got.sensor << " [" << got.startMs
                         << ", " << got.endMs << ") at step " << got.step << " with "
                         << got.values.size() << " values, want sensor " << want.sensor << " ["
                         << want.startMs << ", " << want.endMs << ") at step " << want.step
                         << " with " << want.values.size() << " values";
  }
}

// The streams must actually exercise what the tests are named after.
void expectStreamIsInteresting(const WindowSpec &spec, const StreamShape &shape, uint32_t seed) {
  ReferenceResult expected = referenceTimeWindows(spec, randomStream(shape, seed), true);
  if (shape.farLateShare > 0) {
    EXPECT_GT(expected.late, 0u);
  }
  EXPECT_GT(expected.windows.size(), 20u);
}

WindowSpec tumbling(int64_t size, int64_t lateness) {
  return {WindowKind::Tumbling, size, size, 0, 0, lateness};
}
WindowSpec hopping(int64_t size, int64_t slide, int64_t lateness) {
  return {WindowKind::Hopping, size, slide, 0, 0, lateness};
}
WindowSpec counting(uint32_t size, uint32_t slide) {
  return {WindowKind::Count, 0, 0, size, slide, 0};
}

TEST(WindowSetReference, TumblingInOrder) {
  StreamShape shape;
  for (uint32_t seed = 1; seed <= 5; ++seed)
    expectAgreement(tumbling(100, 0), shape, seed);
}

TEST(WindowSetReference, TumblingDisorderWithinLateness) {
  StreamShape shape;
  shape.disorderMs = 60;
  for (uint32_t seed = 1; seed <= 5; ++seed)
    expectAgreement(tumbling(100, 60), shape, seed);
}

TEST(WindowSetReference, TumblingDisorderBeyondLatenessIsCountedLate) {
  StreamShape shape;
  shape.disorderMs = 80;
  shape.farLateShare = 0.05;
  expectStreamIsInteresting(tumbling(100, 30), shape, 1);
  for (uint32_t seed = 1; seed <= 5; ++seed)
    expectAgreement(tumbling(100, 30), shape, seed);
}

TEST(WindowSetReference, TumblingWithoutFinalFlushLeavesOpenWindowsUnemitted) {
  StreamShape shape;
  shape.disorderMs = 50;
  for (uint32_t seed = 1; seed <= 3; ++seed)
    expectAgreement(tumbling(100, 20), shape, seed, false);
}

TEST(WindowSetReference, HoppingOverlapping) {
  StreamShape shape;
  shape.disorderMs = 70;
  shape.farLateShare = 0.03;
  expectStreamIsInteresting(hopping(100, 30, 25), shape, 1);
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    expectAgreement(hopping(100, 30, 25), shape, seed);
    expectAgreement(hopping(7, 3, 0), shape, seed);
  }
}

TEST(WindowSetReference, HoppingWithSlideEqualToSize) {
  StreamShape shape;
  shape.disorderMs = 40;
  shape.farLateShare = 0.03;
  for (uint32_t seed = 1; seed <= 5; ++seed)
    expectAgreement(hopping(100, 100, 20), shape, seed);
}

TEST(WindowSetReference, HoppingWithGapsBetweenWindows) {
  StreamShape shape;
  shape.disorderMs = 40;
  shape.farLateShare = 0.03;
  for (uint32_t seed = 1; seed <= 5; ++seed)
    expectAgreement(hopping(30, 100, 10), shape, seed);
}

TEST(WindowSetReference, IdleSensorsClosedByWatermarks) {
  StreamShape shape;
  shape.disorderMs = 50;
  shape.farLateShare = 0.02;
  shape.watermarkShare = 0.05;
  shape.sensors = 8;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    expectAgreement(tumbling(100, 40), shape, seed);
    expectAgreement(hopping(100, 25, 10), shape, seed);
  }
}

TEST(WindowSetReference, NegativeTimestampsAcrossTheEpoch) {
  StreamShape shape;
  shape.originMs = -25'000;
  shape.maxStepMs = 30;
  shape.disorderMs = 60;
  shape.farLateShare = 0.03;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    expectAgreement(tumbling(1000, 50), shape, seed);
    expectAgreement(hopping(1000, 300, 50), shape, seed);
    expectAgreement(hopping(70, 110, 0), shape, seed);
  }
}

TEST(WindowSetReference, TimestampsNearInt64Minimum) {
  StreamShape shape;
  shape.originMs = std::numeric_limits<int64_t>::min();
  shape.maxStepMs = 1000;
  shape.disorderMs = 3000;
  shape.farLateShare = 0.03;
  shape.watermarkShare = 0.02;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    expectAgreement(tumbling(10'000, 1000), shape, seed);
    expectAgreement(hopping(10'000, 3000, 1000), shape, seed);
  }
}

TEST(WindowSetReference, TimestampsNearInt64Maximum) {
  StreamShape shape;
  shape.originMs = std::numeric_limits<int64_t>::max() - 800'000;
  shape.maxStepMs = 1000;
  shape.disorderMs = 3000;
  shape.farLateShare = 0.03;
  shape.watermarkShare = 0.02;
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    expectAgreement(tumbling(10'000, 1000), shape, seed);
    expectAgreement(hopping(10'000, 3000, std::numeric_limits<int64_t>::max()), shape, seed);
    expectAgreement(tumbling(std::numeric_limits<int64_t>::max(), 0), shape, seed);
  }
}

TEST(WindowSetReference, CountWindowsSlideBelowSize) {
  StreamShape shape;
  shape.disorderMs = 100;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    expectAgreement(counting(5, 2), shape, seed);
    expectAgreement(counting(16, 3), shape, seed); // the ring wraps inside windows
  }
}

TEST(WindowSetReference, CountWindowsSlideEqualToSize) {
  StreamShape shape;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    expectAgreement(counting(5, 5), shape, seed);
    expectAgreement(counting(1, 1), shape, seed);
  }
}

TEST(WindowSetReference, CountWindowsSlideAboveSize) {
  StreamShape shape;
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    expectAgreement(counting(3, 7), shape, seed);
    expectAgreement(counting(3, 7), shape, seed, false);
  }
}

TEST(WindowSetReference, CountWindowsIgnoreWatermarksUntilTheFinalFlush) {
  StreamShape shape;
  shape.watermarkShare = 0.05;
  shape.readings = 1003; // leaves partial windows at the end
  for (uint32_t seed = 1; seed <= 5; ++seed)
    expectAgreement(counting(10, 4), shape, seed);
}

} // namespace
} // namespace pyvc::windows::testing
