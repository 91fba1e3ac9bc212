// A brute-force model of WindowSet for the differential tests: it keeps every reading of a stream
// and derives, from the definitions in WindowSpec.h and WindowSet.h alone, which readings are late
// and which windows close, when, and with which values. Slow on purpose: no rings, no cursors.
#pragma once

#include "windows/WindowSet.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

namespace pyvc::windows::testing {

using Wide = __int128;

// One operation of a test stream: a reading, or closeUntil(watermark).
struct StreamStep {
  bool isWatermark = false;
  SensorId sensor = 0;
  int64_t timestampMs = 0; // the reading's, or the watermark
  double value = 0.0;
};

// A window as the sink saw it, with the index of the step that closed it (steps.size() for the
// closeUntil(INT64_MAX) after the last step).
struct EmittedWindow {
  size_t step = 0;
  SensorId sensor = 0;
  int64_t startMs = 0;
  int64_t endMs = 0;
  std::vector<double> values;

  auto key() const { return std::tie(step, sensor, startMs, endMs, values); }
  bool operator==(const EmittedWindow &other) const { return key() == other.key(); }
};

class RecordingSink : public WindowSink {
public:
  size_t step = 0;
  std::vector<EmittedWindow> windows;
  void windowClosed(const ClosedWindow &window) override {
    windows.push_back({step, window.sensor, window.startMs, window.endMs,
                       std::vector<double>(window.values.begin(), window.values.end())});
  }
};

struct ReferenceResult {
  std::vector<bool> accepted; // per step; true for watermarks
  uint64_t late = 0;
  std::vector<EmittedWindow> windows; // ordered by (step, sensor, start)
};

inline Wide referenceFloorDiv(Wide a, Wide b) {
  Wide q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

inline int64_t referenceClamp(Wide value) {
  return int64_t(std::clamp<Wide>(value, std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max()));
}

// Time windows. `flushAtEnd`: a closeUntil(INT64_MAX) follows the last step.
inline ReferenceResult referenceTimeWindows(const WindowSpec &spec,
                                            const std::vector<StreamStep> &steps, bool flushAtEnd) {
  const Wide size = spec.sizeMs;
  const Wide slide = spec.kind == WindowKind::Tumbling ? spec.sizeMs : spec.slideMs;
  const Wide lateness = spec.allowedLatenessMs;
  struct Accepted {
    int64_t timestamp;
    double value;
    size_t step;
    bool sensorSeen;   // a reading of the sensor came before
    Wide newestBefore; // the sensor's event time when it arrived
  };
  struct Sensor {
    bool seen = false;
    Wide newest = 0;
    std::vector<Accepted> readings;
    std::vector<std::pair<size_t, Wide>> newestAfter; // (step, newest after it), every change
  };
  std::map<SensorId, Sensor> sensors;
  ReferenceResult result;
  result.accepted.assign(steps.size(), true);

  for (size_t i = 0; i < steps.size(); ++i) {
    const StreamStep &step = steps[i];
    if (step.isWatermark) {
      for (auto &[id, sensor] : sensors)
        if (step.timestampMs > sensor.newest) {
          sensor.newest = step.timestampMs;
          sensor.newestAfter.push_back({i, sensor.newest});
        }
      continue;
    }
    Sensor &sensor = sensors[step.sensor];
    Wide t = step.timestampMs;
    // Every window index whose start is at or before t, near t; the last of them decides.
    Wide lastStarted = referenceFloorDiv(t, slide);
    while ((lastStarted + 1) * slide <= t)
      ++lastStarted;
    while (lastStarted * slide > t)
      --lastStarted;
    if (sensor.seen && lastStarted * slide + size + lateness <= sensor.newest) {
      result.accepted[i] = false;
      ++result.late;
      continue;
    }
    sensor.readings.push_back({step.timestampMs, step.value, i, sensor.seen, sensor.newest});
    if (!sensor.seen || t > sensor.newest) {
      sensor.newest = t;
      sensor.newestAfter.push_back({i, t});
    }
    sensor.seen = true;
  }

  for (auto &[id, sensor] : sensors) {
    // Every window that holds at least one accepted reading, by the definition of membership:
    // a reading joins the windows that contain its timestamp and were still open when it came.
    std::map<Wide, std::vector<Accepted>> members;
    for (const Accepted &reading : sensor.readings) {
      Wide t = reading.timestamp;
      Wide first = referenceFloorDiv(t - size, slide) - 1;
      Wide last = referenceFloorDiv(t, slide) + 1;
      for (Wide k = first; k <= last; ++k)
        if (k * slide <= t && t < k * slide + size &&
            (!reading.sensorSeen || k * slide + size + lateness > reading.newestBefore))
          members[k].push_back(reading);
    }
    for (auto &[k, readings] : members) {
      std::stable_sort(readings.begin(), readings.end(), [](const Accepted &a, const Accepted &b) {
        return a.timestamp < b.timestamp;
      });
      Wide end = k * slide + size;
      size_t closedAt = std::numeric_limits<size_t>::max();
      for (const auto &[stepIndex, newest] : sensor.newestAfter)
        if (newest >= end + lateness) {
          closedAt = stepIndex;
          break;
        }
      if (closedAt == std::numeric_limits<size_t>::max()) {
        if (!flushAtEnd)
          continue;
        closedAt = steps.size();
      }
      EmittedWindow window{closedAt, id, referenceClamp(k * slide), referenceClamp(end), {}};
      for (const Accepted &reading : readings)
        window.values.push_back(reading.value);
      result.windows.push_back(std::move(window));
    }
  }
  std::stable_sort(result.windows.begin(), result.windows.end(),
                   [](const EmittedWindow &a, const EmittedWindow &b) {
                     return std::tie(a.step, a.sensor, a.startMs) <
                            std::tie(b.step, b.sensor, b.startMs);
                   });
  return result;
}

// Count windows: window j of a sensor ends at its reading number sizeCount + j * slideCount
// (counting from 1) and holds the sizeCount readings up to it, in arrival order.
inline ReferenceResult referenceCountWindows(const WindowSpec &spec,
                                             const std::vector<StreamStep> &steps,
                                             bool flushAtEnd) {
  struct Reading {
    int64_t timestamp;
    double value;
    size_t step;
  };
  std::map<SensorId, std::vector<Reading>> sensors;
  ReferenceResult result;
  result.accepted.assign(steps.size(), true);
  for (size_t i = 0; i < steps.size(); ++i)
    if (!steps[i].isWatermark)
      sensors[steps[i].sensor].push_back({steps[i].timestampMs, steps[i].value, i});

  const size_t size = spec.sizeCount;
  const size_t slide = spec.slideCount;
  auto windowOf = [&](SensorId id, const std::vector<Reading> &readings, size_t from, size_t to,
                      size_t step) {
    EmittedWindow window{step,
                         id,
                         readings[from].timestamp,
                         referenceClamp(Wide(readings[to - 1].timestamp) + 1),
                         {}};
    for (size_t r = from; r < to; ++r)
      window.values.push_back(readings[r].value);
    return window;
  };
  for (const auto &[id, readings] : sensors) {
    size_t n = readings.size();
    size_t lastEnd = 0; // readings up to the last emitted window's end
    size_t j = 0;
    for (; size + j * slide <= n; ++j) {
      size_t end = size + j * slide;
      result.windows.push_back(windowOf(id, readings, end - size, end, readings[end - 1].step));
      lastEnd = end;
    }
    // The partial window at the final flush: the readings of window j received so far, if any
    // reading arrived after the last emitted window.
    size_t nextEnd = size + j * slide;
    if (flushAtEnd && n > lastEnd && nextEnd - size < n)
      result.windows.push_back(windowOf(id, readings, nextEnd - size, n, steps.size()));
  }
  std::stable_sort(result.windows.begin(), result.windows.end(),
                   [](const EmittedWindow &a, const EmittedWindow &b) {
                     return std::tie(a.step, a.sensor, a.startMs) <
                            std::tie(b.step, b.sensor, b.startMs);
                   });
  return result;
}

} // namespace pyvc::windows::testing
