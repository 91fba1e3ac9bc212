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
// contiguous, else into a scratch buffer, and are valid only during the callback.
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

// Not thread-safe: one WindowSet per pipeline worker.
class WindowSet {
public:
  explicit WindowSet(WindowSpec spec);
  ~WindowSet();
  WindowSet(const WindowSet &) = delete;
  WindowSet &operator=(const WindowSet &) = delete;

  // Adds one reading and closes (calls sink.windowClosed for) every window it completes, oldest
  // first. Returns false for a late reading, which is counted and otherwise ignored. Windows with
  // no readings are never emitted.
  bool add(SensorId sensor, int64_t timestampMs, double value, WindowSink &sink);
  // Closes every window of every sensor with end + allowedLateness <= watermarkMs, as if each
  // sensor had seen a reading at watermarkMs; for idle sensors and at shutdown (INT64_MAX closes
  // everything, partial count windows included).
  void closeUntil(int64_t watermarkMs, WindowSink &sink);

  const WindowSpec &spec() const { return spec_; }
  uint64_t lateReadings() const { return lateReadings_; }
  size_t sensors() const;
  // Memory of the per-sensor state, excluding the value rings (reported apart: they scale with
  // the window's size and rate, not with the number of sensors).
  size_t stateBytes() const;
  size_t valueBufferBytes() const;
  // The newest timestamp seen on any sensor minus the oldest still-open window start, in ms:
  // how far the windows trail the data (the window lag metric).
  int64_t lagMs() const;

private:
  struct SensorState;
  SensorState &stateOf(SensorId sensor);
  WindowSpec spec_;
  std::vector<std::unique_ptr<SensorState>> states_; // indexed by SensorId; null if unseen
  std::vector<double> scratch_;
  uint64_t lateReadings_ = 0;
};

} // namespace pyvc::windows
