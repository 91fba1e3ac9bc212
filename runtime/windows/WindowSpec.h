// WindowSpec: what a pipeline's window is (docs/AGENT.md, "pipelines[].window"). Time windows
// follow event time, the reading's own timestamp; count windows follow arrival order.
#pragma once

#include "core/Result.h"

#include <cstdint>

namespace pyvc::windows {

// Tumbling: [k*size, (k+1)*size), back to back, aligned to the epoch.
// Hopping:  [k*slide, k*slide + size), overlapping when slide < size, aligned to the epoch; with
//           slide > size the windows sample the stream and readings between them join none.
// Count:    the last `sizeCount` readings of the sensor, every `slideCount` readings.
enum class WindowKind { Tumbling, Hopping, Count };

struct WindowSpec {
  WindowKind kind = WindowKind::Tumbling;
  int64_t sizeMs = 10000;
  int64_t slideMs = 10000;  // Hopping; Tumbling ignores it and slides by sizeMs
  uint32_t sizeCount = 100; // Count
  uint32_t slideCount = 100;
  // A time window [start, end) closes once the sensor's newest timestamp reaches
  // end + allowedLatenessMs; readings for windows already closed are late: counted, and left out
  // of every window (they are still stored and synced as raw readings where configured).
  int64_t allowedLatenessMs = 0;
};

// The largest sizeCount: a count window's values are held in one ring per sensor.
inline constexpr uint32_t maxWindowSizeCount = 1u << 24;

// Checks the fields the kind uses: positive sizes and slides, a lateness >= 0, a sizeCount of at
// most maxWindowSizeCount. The message names the field: "window.slide: must be positive, got 0".
Result<void> checkWindowSpec(const WindowSpec &spec);

} // namespace pyvc::windows
