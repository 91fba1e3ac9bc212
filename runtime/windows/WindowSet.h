// WindowSet: the windows of one pipeline for every sensor it sees — per sensor a small state and
// a ring of values in event-time order — closing windows as event time advances and handing each
// closed window's values to the caller as one contiguous span.
#pragma once

#include "core/SensorNames.h"
#include "windows/WindowSpec.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace pyvc::windows {

// A closed window. `values` are the window's readings in event-time order (arrival order for
// equal timestamps and for count windows); they point into the sensor's ring when it is
// contiguous, else into a scratch buffer, and are valid only during the callback. Bounds that
// fall outside the int64 range (windows around INT64_MIN or INT64_MAX) are clamped to it.
struct ClosedWindow {
  SensorId sensor = 0;
  int64_t startMs = 0; // count windows: the first reading's timestamp
  int64_t endMs = 0;   // exclusive; count windows: the last reading's timestamp + 1
  std::span<const double> values;
};

class WindowSink {
public:
  virtual ~WindowSink() = default;
  virtual void windowClosed(const ClosedWindow &window) = 0;
};

// Not thread-safe: one WindowSet per pipeline worker. A sink must not call back into the
// WindowSet that is calling it.
//
// Rings start at 16 readings, double when full, and halve after a closed window when four such
// windows and what remains would still fit, so a burst's memory is given back.
//
// Time windows: a reading is late when every window that could hold it has closed (for a
// reading between two sampling windows, when the window before it has closed). A reading older
// than the sensor's newest but not late is placed in time order. Count windows take readings in
// arrival order and are never late, except after closeUntil(INT64_MAX).
class WindowSet {
public:
  // The spec must pass checkWindowSpec (the config validator runs it); a spec that does not is an
  // invariant broken by the caller: asserted, and in release builds sizes and slides below 1
  // are raised to 1 so that nothing divides by zero.
  explicit WindowSet(WindowSpec spec);
  ~WindowSet();
  WindowSet(const WindowSet &) = delete;
  WindowSet &operator=(const WindowSet &) = delete;

  // Adds one reading and closes (calls sink.windowClosed for) every window it completes, oldest
  // first. Returns false for a late reading, which is counted and otherwise ignored. Windows with
  // no readings are never emitted.
  bool add(SensorId sensor, int64_t timestampMs, double value, WindowSink &sink);
  // Closes every window of every sensor seen so far with end + allowedLateness <= watermarkMs, as
  // if each sensor had seen a reading at watermarkMs (a watermark behind a sensor's newest
  // reading changes nothing); sensors are visited in id order. Count windows close only by count,
  // and here only at INT64_MAX. For idle sensors and at shutdown:
  // INT64_MAX closes everything, also the windows that reach past INT64_MAX - lateness and the
  // partial count window (the readings of the next count window received so far, when at least
  // one arrived since the last emission); after it, every further reading of those sensors is late.
  void closeUntil(int64_t watermarkMs, WindowSink &sink);

  const WindowSpec &spec() const { return spec_; }
  uint64_t lateReadings() const { return lateReadings_; }
  size_t sensors() const { return sensorCount_; }
  // Memory of the per-sensor state, excluding the value rings (reported apart: they scale with
  // the window's size and rate, not with the number of sensors): this object, the slot table
  // indexed by SensorId, and one SensorState per sensor seen. Allocator overhead is not counted.
  size_t stateBytes() const;
  // The rings: capacity x (value + timestamp) for every sensor.
  size_t valueBufferBytes() const;
  // The newest timestamp seen on any sensor minus the start of the oldest window still holding
  // readings, in ms (0 when no window holds any): how far the windows trail the data (the window
  // lag metric). Visits every sensor: for metrics scrapes, not for the hot path.
  int64_t lagMs() const;
  // Closed windows whose values wrapped around the end of their ring and were copied into the
  // scratch buffer; every other window reached the sink as a pointer into its ring.
  uint64_t scratchCopies() const { return scratchCopies_; }
  // The size of one sensor's state, for the bytes-per-sensor figure.
  static size_t sensorStateBytes();

private:
  struct SensorState;
  SensorState &stateOf(SensorId sensor);
  bool addTimed(SensorState &state, SensorId sensor, int64_t timestampMs, double value,
                WindowSink &sink);
  bool addCounted(SensorState &state, SensorId sensor, int64_t timestampMs, double value,
                  WindowSink &sink);
  void closeTimeWindows(SensorState &state, SensorId sensor, bool everything, WindowSink &sink);
  void flushCountWindow(SensorState &state, SensorId sensor, WindowSink &sink);
  void emit(SensorState &state, SensorId sensor, uint32_t first, uint32_t count, __int128 startMs,
            __int128 endMs, WindowSink &sink);

  WindowSpec spec_;
  int64_t slideMs_ = 1; // the time windows' effective slide (sizeMs for Tumbling)
  std::vector<std::unique_ptr<SensorState>> states_; // indexed by SensorId; null if unseen
  std::vector<double> scratch_;
  size_t sensorCount_ = 0;
  uint64_t lateReadings_ = 0;
  uint64_t scratchCopies_ = 0;
  int64_t newestMs_ = INT64_MIN; // over all sensors, for lagMs
  bool anyReading_ = false;
};

} // namespace pyvc::windows
