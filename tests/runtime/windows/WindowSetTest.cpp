// WindowSet on small hand-made streams whose windows are written out inline: closing, lateness,
// placement of out-of-order readings, count windows, the ends of the int64 range, zero-copy
// spans into the ring, memory accounting at 1,000 and 10,000 sensors, and the spec check.
#include "WindowReference.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>

#include <malloc.h>

namespace pyvc::windows::testing {
namespace {

constexpr int64_t minTime = std::numeric_limits<int64_t>::min();
constexpr int64_t maxTime = std::numeric_limits<int64_t>::max();

using Values = std::vector<double>;

EmittedWindow window(size_t step, SensorId sensor, int64_t start, int64_t end, Values values) {
  return {step, sensor, start, end, std::move(values)};
}

TEST(WindowSet, TumblingWindowClosesWhenEventTimeReachesItsEnd) {
  WindowSet windows({WindowKind::Tumbling, 10, 10, 0, 0, 0});
  RecordingSink sink;
  EXPECT_TRUE(windows.add(7, 1, 1.0, sink));
  EXPECT_TRUE(windows.add(7, 5, 2.0, sink));
  EXPECT_TRUE(windows.add(7, 9, 3.0, sink));
  EXPECT_TRUE(sink.windows.empty());
  sink.step = 1;
  EXPECT_TRUE(windows.add(7, 10, 4.0, sink));
  sink.step = 2;
  EXPECT_TRUE(windows.add(7, 35, 5.0, sink)); // [10, 20) closes; [20, 30) is empty: skipped
  sink.step = 3;
  windows.closeUntil(maxTime, sink);
  std::vector<EmittedWindow> expected = {window(1, 7, 0, 10, {1.0, 2.0, 3.0}),
                                         window(2, 7, 10, 20, {4.0}), window(3, 7, 30, 40, {5.0})};
  EXPECT_EQ(sink.windows, expected);
  EXPECT_EQ(windows.sensors(), 1u);
  EXPECT_EQ(windows.lateReadings(), 0u);
}

TEST(WindowSet, OutOfOrderReadingsArePlacedInTimeOrderAndLateOnesCounted) {
  WindowSet windows({WindowKind::Tumbling, 10, 10, 0, 0, 5});
  RecordingSink sink;
  EXPECT_TRUE(windows.add(0, 3, 30.0, sink));
  EXPECT_TRUE(windows.add(0, 8, 80.0, sink));
  EXPECT_TRUE(windows.add(0, 12, 120.0, sink)); // newest 12 < 10 + 5: [0, 10) still open
  EXPECT_TRUE(windows.add(0, 1, 10.0, sink));
  EXPECT_TRUE(windows.add(0, 6, 60.0, sink));
  EXPECT_TRUE(windows.add(0, 6, 61.0, sink)); // equal timestamps keep their arrival order
  EXPECT_TRUE(sink.windows.empty());
  EXPECT_TRUE(windows.add(0, 15, 150.0, sink));
  ASSERT_EQ(sink.windows.size(), 1u);
  EXPECT_EQ(sink.windows[0].startMs, 0);
  EXPECT_EQ(sink.windows[0].endMs, 10);
  EXPECT_EQ(sink.windows[0].values, (Values{10.0, 30.0, 60.0, 61.0, 80.0}));
  EXPECT_FALSE(windows.add(0, 9, 90.0, sink));  // [0, 10) has closed
  EXPECT_TRUE(windows.add(0, 10, 100.0, sink)); // [10, 20) closes only at 25
  EXPECT_EQ(windows.lateReadings(), 1u);
  windows.closeUntil(maxTime, sink);
  ASSERT_EQ(sink.windows.size(), 2u);
  EXPECT_EQ(sink.windows[1].values, (Values{100.0, 120.0, 150.0}));
}

TEST(WindowSet, HoppingWindowsShareOneRing) {
  WindowSet windows({WindowKind::Hopping, 10, 5, 0, 0, 0});
  RecordingSink sink;
  for (int64_t t = 0; t < 20; t += 2)
    EXPECT_TRUE(windows.add(1, t, double(t), sink));
  // Newest 18 closes [-5, 5), [0, 10) and [5, 15).
  std::vector<EmittedWindow> expected = {window(0, 1, -5, 5, {0, 2, 4}),
                                         window(0, 1, 0, 10, {0, 2, 4, 6, 8}),
                                         window(0, 1, 5, 15, {6, 8, 10, 12, 14})};
  EXPECT_EQ(sink.windows, expected);
  windows.closeUntil(maxTime, sink);
  expected.push_back(window(0, 1, 10, 20, {10, 12, 14, 16, 18}));
  expected.push_back(window(0, 1, 15, 25, {16, 18}));
  EXPECT_EQ(sink.windows, expected);
}

TEST(WindowSet, IdleSensorsCloseByWatermark) {
  WindowSet windows({WindowKind::Tumbling, 10, 10, 0, 0, 2});
  RecordingSink sink;
  EXPECT_TRUE(windows.add(4, 5, 1.0, sink));
  EXPECT_TRUE(windows.add(2, 37, 2.0, sink));
  EXPECT_EQ(windows.lagMs(), 37); // newest 37, oldest window holding readings starts at 0
  windows.closeUntil(11, sink);   // [0, 10) needs 12
  EXPECT_TRUE(sink.windows.empty());
  windows.closeUntil(12, sink);
  EXPECT_EQ(sink.windows, (std::vector<EmittedWindow>{window(0, 4, 0, 10, {1.0})}));
  EXPECT_EQ(windows.lagMs(), 7);
  EXPECT_FALSE(windows.add(4, 9, 3.0, sink)); // the watermark made it late
  windows.closeUntil(42, sink);
  EXPECT_EQ(sink.windows.size(), 2u);
  EXPECT_EQ(windows.lagMs(), 0);
}

TEST(WindowSet, ReadingsAfterTheFinalCloseAreLate) {
  WindowSet windows({WindowKind::Tumbling, 10, 10, 0, 0, 0});
  RecordingSink sink;
  EXPECT_TRUE(windows.add(0, 100, 1.0, sink));
  windows.closeUntil(maxTime, sink);
  EXPECT_EQ(sink.windows.size(), 1u);
  EXPECT_FALSE(windows.add(0, 105, 2.0, sink));
  EXPECT_FALSE(windows.add(0, maxTime, 2.0, sink));
  EXPECT_EQ(windows.lateReadings(), 2u);
  EXPECT_TRUE(windows.add(1, 105, 2.0, sink)); // a sensor first seen afterwards starts afresh
}

TEST(WindowSet, CountWindowsEmitTheLastReadingsEverySlide) {
  WindowSet windows({WindowKind::Count, 0, 0, 3, 2, 0});
  RecordingSink sink;
  // Timestamps out of order: count windows follow arrival order and are never late.
  const int64_t timestamps[] = {50, 10, 40, 20, 30, 70, 60, 80};
  for (int i = 0; i < 8; ++i) {
    sink.step = size_t(i);
    EXPECT_TRUE(windows.add(3, timestamps[i], double(i + 1), sink));
  }
  sink.step = 8;
  windows.closeUntil(1'000'000, sink); // time does not close count windows
  EXPECT_EQ(sink.windows.size(), 3u);
  windows.closeUntil(maxTime, sink);
  std::vector<EmittedWindow> expected = {
      window(2, 3, 50, 41, {1, 2, 3}), window(4, 3, 40, 31, {3, 4, 5}),
      window(6, 3, 30, 61, {5, 6, 7}),
      window(8, 3, 60, 81, {7, 8})}; // partial: readings 7 and 8 of the window ending at 9
  EXPECT_EQ(sink.windows, expected);
}

TEST(WindowSet, CountWindowWithNothingPendingEmitsNothingAtTheEnd) {
  WindowSet windows({WindowKind::Count, 0, 0, 2, 2, 0});
  RecordingSink sink;
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(windows.add(0, i, double(i), sink));
  windows.closeUntil(maxTime, sink);
  EXPECT_EQ(sink.windows.size(), 2u);
  EXPECT_FALSE(windows.add(0, 9, 9.0, sink));
}

TEST(WindowSet, WindowsAtTheEndsOfTheInt64RangeHaveClampedBounds) {
  WindowSet windows({WindowKind::Tumbling, 1000, 1000, 0, 0, 0});
  RecordingSink sink;
  EXPECT_TRUE(windows.add(0, minTime, 1.0, sink));
  EXPECT_TRUE(windows.add(0, minTime + 1, 2.0, sink));
  EXPECT_TRUE(windows.add(0, -1, 3.0, sink)); // closes the first window
  EXPECT_TRUE(windows.add(0, 0, 4.0, sink));  // closes [-1000, 0)
  EXPECT_TRUE(windows.add(0, maxTime, 5.0, sink));
  windows.closeUntil(maxTime, sink);
  // floor(INT64_MIN / 1000) * 1000 = -9223372036854776000, below INT64_MIN: clamped. The last
  // window starts at floor(INT64_MAX / 1000) * 1000 and its end passes INT64_MAX: clamped.
  std::vector<EmittedWindow> expected = {
      window(0, 0, minTime, -9223372036854775000, {1.0, 2.0}), window(0, 0, -1000, 0, {3.0}),
      window(0, 0, 0, 1000, {4.0}), window(0, 0, 9223372036854775000, maxTime, {5.0})};
  EXPECT_EQ(sink.windows, expected);
}

TEST(WindowSet, NegativeTimestampsAlignToTheEpochByFloorDivision) {
  WindowSet windows({WindowKind::Hopping, 10, 4, 0, 0, 0});
  RecordingSink sink;
  EXPECT_TRUE(windows.add(0, -3, 1.0, sink));
  windows.closeUntil(maxTime, sink);
  // Windows [4k, 4k + 10) holding -3: k = -3 ([-12, -2)), -2 ([-8, 2)), -1 ([-4, 6)).
  std::vector<EmittedWindow> expected = {window(0, 0, -12, -2, {1.0}), window(0, 0, -8, 2, {1.0}),
                                         window(0, 0, -4, 6, {1.0})};
  EXPECT_EQ(sink.windows, expected);
}

// Records where each window's values were, to see whether they were copied.
class PointerSink : public WindowSink {
public:
  std::vector<const double *> data;
  std::vector<Values> values;
  void windowClosed(const ClosedWindow &window) override {
    data.push_back(window.values.data());
    values.emplace_back(window.values.begin(), window.values.end());
  }
};

TEST(WindowSet, ContiguousWindowsReachTheSinkAsPointersIntoTheRing) {
  // Windows of 4 readings, one per ms, in a ring of 16: slots 0-3, 4-7, 8-11, 12-15, 0-3, never
  // wrapping, so each window must start 4 doubles after the previous one in the same buffer.
  WindowSet windows({WindowKind::Tumbling, 4, 4, 0, 0, 0});
  PointerSink sink;
  for (int64_t t = 0; t <= 20; ++t)
    ASSERT_TRUE(windows.add(0, t, double(t), sink));
  ASSERT_EQ(sink.data.size(), 5u);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(sink.data[i], sink.data[0] + 4 * i) << "window " << i;
  EXPECT_EQ(sink.data[4], sink.data[0]);
  EXPECT_EQ(sink.values[4], (Values{16, 17, 18, 19}));
  EXPECT_EQ(windows.scratchCopies(), 0u);
  EXPECT_EQ(windows.valueBufferBytes(), 16u * (sizeof(double) + sizeof(int64_t)));
}

TEST(WindowSet, WrappedWindowsAreCopiedIntoScratchAndStillRight) {
  // Windows of 5 in a ring of 16: slots 0-4, 5-9, 10-14, then 15, 0, 1, 2, 3: wrapped.
  WindowSet windows({WindowKind::Tumbling, 5, 5, 0, 0, 0});
  PointerSink sink;
  for (int64_t t = 0; t <= 20; ++t)
    ASSERT_TRUE(windows.add(0, t, double(t), sink));
  ASSERT_EQ(sink.data.size(), 4u);
  EXPECT_EQ(sink.data[1], sink.data[0] + 5);
  EXPECT_EQ(sink.data[2], sink.data[0] + 10);
  EXPECT_TRUE(sink.data[3] < sink.data[0] || sink.data[3] >= sink.data[0] + 16);
  EXPECT_EQ(sink.values[3], (Values{15, 16, 17, 18, 19}));
  EXPECT_EQ(windows.scratchCopies(), 1u);
}

TEST(WindowSet, RingGrowsForABurstAndShrinksAfterIt) {
  WindowSet windows({WindowKind::Tumbling, 1000, 1000, 0, 0, 0});
  RecordingSink sink;
  const size_t ringEntry = sizeof(double) + sizeof(int64_t);
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(windows.add(0, i, double(i), sink));
  EXPECT_EQ(windows.valueBufferBytes(), 1024 * ringEntry);
  // Ten readings a window from now on: each closed window halves the ring while four windows
  // fit in it, 1024 -> 512 -> ... -> 32 (40 > 32 stops it).
  for (int64_t t = 1000; t < 20'000; t += 100)
    ASSERT_TRUE(windows.add(0, t, 1.0, sink));
  ASSERT_EQ(sink.windows.size(), 19u);
  EXPECT_EQ(sink.windows[0].values.size(), 1000u);
  EXPECT_EQ(sink.windows[5].values, Values(10, 1.0));
  // The ring is down to 32 entries; the scratch buffer holds at most one 10-reading window.
  EXPECT_GE(windows.valueBufferBytes(), 32 * ringEntry);
  EXPECT_LE(windows.valueBufferBytes(), 32 * ringEntry + 10 * sizeof(double));
}

// Heap bytes in use, small blocks and mapped ones (glibc).
size_t heapInUse() {
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

class CountingSink : public WindowSink {
public:
  size_t windows = 0;
  void windowClosed(const ClosedWindow &) override { ++windows; }
};

// Per-sensor state at the scale the agent must handle, as the WindowSet accounts for it and as
// the allocator sees it; prints the figures for the report.
void expectSmallStatePerSensor(uint32_t sensorCount) {
  CountingSink sink;
  size_t heapBefore = heapInUse();
  auto windows =
      std::make_unique<WindowSet>(WindowSpec{WindowKind::Tumbling, 10'000, 10'000, 0, 0, 1000});
  for (int64_t second = 0; second < 30; ++second)
    for (uint32_t sensor = 0; sensor < sensorCount; ++sensor)
      ASSERT_TRUE(windows->add(sensor, second * 1000 + sensor % 1000, double(second), sink));
  size_t heap = heapInUse() - heapBefore;
  EXPECT_EQ(windows->sensors(), sensorCount);
  EXPECT_EQ(sink.windows, 2u * sensorCount); // [0, 10 s) and [10 s, 20 s)
  size_t state = windows->stateBytes();
  size_t rings = windows->valueBufferBytes();
  std::printf("[ figures  ] %u sensors: window state %.1f bytes/sensor (SensorState %zu), "
              "value rings %.1f bytes/sensor, heap in use %.1f bytes/sensor\n",
              sensorCount, double(state) / sensorCount, WindowSet::sensorStateBytes(),
              double(rings) / sensorCount, double(heap) / sensorCount);
  EXPECT_LE(double(state) / sensorCount, 200.0);
  // At most 12 readings in a sensor's ring (a window and the next 2 s): rings of 16 entries of
  // 16 bytes, and a scratch buffer of one 10-reading window.
  EXPECT_GE(rings, size_t(sensorCount) * 16 * 16);
  EXPECT_LE(rings, size_t(sensorCount) * 16 * 16 + 10 * sizeof(double));
  // The accounting leaves out only the allocator's own overhead: at most 16 bytes for each of
  // the three blocks of a sensor (state, values, timestamps), and a page for the rest.
  EXPECT_GE(heap + sizeof(WindowSet), state + rings);
  EXPECT_LE(heap, state + rings + size_t(sensorCount) * 3 * 16 + 4096);
}

TEST(WindowSet, StateStaysSmallAtOneThousandSensors) { expectSmallStatePerSensor(1000); }
TEST(WindowSet, StateStaysSmallAtTenThousandSensors) { expectSmallStatePerSensor(10'000); }

TEST(WindowSpecCheck, NamesTheFieldAndTheValue) {
  auto message = [](WindowSpec spec) {
    Result<void> checked = checkWindowSpec(spec);
    return checked.ok() ? std::string("ok") : checked.error().message;
  };
  EXPECT_EQ(message({WindowKind::Tumbling, 10, 10, 0, 0, 0}), "ok");
  EXPECT_EQ(message({WindowKind::Tumbling, 0, 10, 0, 0, 0}),
            "window.size: must be positive, got 0 ms");
  EXPECT_EQ(message({WindowKind::Hopping, 10, -5, 0, 0, 0}),
            "window.slide: must be positive, got -5 ms");
  EXPECT_EQ(message({WindowKind::Hopping, 10, 5, 0, 0, -1}),
            "window.allowed_lateness: must not be negative, got -1 ms");
  EXPECT_EQ(message({WindowKind::Count, 0, 0, 0, 1, 0}),
            "window.size: must be at least 1 reading, got 0");
  EXPECT_EQ(message({WindowKind::Count, 0, 0, 5, 0, 0}),
            "window.slide: must be at least 1 reading, got 0");
  EXPECT_EQ(message({WindowKind::Count, 0, 0, (1u << 24) + 1, 1, 0}),
            "window.size: at most 16777216 readings, got 16777217");
  EXPECT_EQ(message({WindowKind::Count, -1, -1, 5, 5, -1}), "ok"); // time fields unused
}

} // namespace
} // namespace pyvc::windows::testing
