// WindowSet: per-sensor rings of (timestamp, value) in event-time order and the bookkeeping that
// closes tumbling, hopping and count windows over them (WindowSet.h states the semantics).
//
// Window arithmetic is done in __int128: a window index times the slide, an end plus the
// lateness, or a timestamp minus the size can leave the int64 range near INT64_MIN or INT64_MAX,
// and signed overflow there would silently misplace readings.
#include "windows/WindowSet.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>

namespace pyvc::windows {

using Wide = __int128;

namespace {

constexpr uint32_t initialCapacity = 16;

// Python's // for a positive divisor: rounds towards minus infinity, so that windows stay
// aligned to the epoch on both sides of it.
Wide floorDiv(Wide numerator, Wide divisor) {
  Wide quotient = numerator / divisor;
  if (numerator % divisor != 0 && numerator < 0)
    --quotient;
  return quotient;
}

int64_t clampToInt64(Wide value) {
  if (value > std::numeric_limits<int64_t>::max())
    return std::numeric_limits<int64_t>::max();
  if (value < std::numeric_limits<int64_t>::min())
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

} // namespace

// One sensor's windows. The ring holds, in event-time order (arrival order for count windows),
// every reading that a window not yet closed may still need; capacities are powers of two so
// that a logical index maps to a slot with one mask.
struct WindowSet::SensorState {
  Wide nextWindow = 0; // time windows: index of the oldest window not yet closed
  std::unique_ptr<double[]> values;
  std::unique_ptr<int64_t[]> timestamps;
  int64_t newestMs = std::numeric_limits<int64_t>::min();
  uint32_t capacity = 0;
  uint32_t head = 0; // slot of the oldest reading
  uint32_t size = 0;
  uint32_t untilEmit = 0; // count windows: readings still to come before the next emission
  bool started = false;   // has seen a reading
  bool closed = false;    // closeUntil(INT64_MAX) ran: every later reading is late
  bool emitted = false;   // count windows: at least one window emitted

  uint32_t slot(uint32_t index) const { return (head + index) & (capacity - 1); }
  int64_t timestampAt(uint32_t index) const { return timestamps[slot(index)]; }

  // Moves the ring into arrays of newCapacity (>= size), oldest reading first.
  void reallocate(uint32_t newCapacity) {
    assert(newCapacity >= size && (newCapacity & (newCapacity - 1)) == 0 &&
           "ring capacity must be a power of two holding every reading");
    auto newValues = std::make_unique_for_overwrite<double[]>(newCapacity);
    auto newTimestamps = std::make_unique_for_overwrite<int64_t[]>(newCapacity);
    for (uint32_t i = 0; i < size; ++i) {
      newValues[i] = values[slot(i)];
      newTimestamps[i] = timestamps[slot(i)];
    }
    values = std::move(newValues);
    timestamps = std::move(newTimestamps);
    capacity = newCapacity;
    head = 0;
  }

  void pushBack(int64_t timestampMs, double value) {
    if (size == capacity) {
      assert(capacity < (1u << 31) && "a window ring cannot hold 2^31 readings");
      reallocate(capacity == 0 ? initialCapacity : capacity * 2);
    }
    uint32_t at = slot(size);
    values[at] = value;
    timestamps[at] = timestampMs;
    ++size;
  }

  // Places a reading after every reading with a timestamp <= its own: the rare path for readings
  // that arrive out of order within the allowed lateness.
  void insertInOrder(int64_t timestampMs, double value) {
    pushBack(timestampMs, value);
    uint32_t position = size - 1;
    while (position > 0 && timestampAt(position - 1) > timestampMs) {
      values[slot(position)] = values[slot(position - 1)];
      timestamps[slot(position)] = timestamps[slot(position - 1)];
      --position;
    }
    values[slot(position)] = value;
    timestamps[slot(position)] = timestampMs;
  }

  void dropFront(uint32_t count) {
    assert(count <= size && "dropping more readings than the ring holds");
    head = slot(count);
    size -= count;
  }

  // The number of leading readings with a timestamp below `limit` (the ring is in time order).
  uint32_t countBefore(Wide limit) const {
    uint32_t low = 0;
    uint32_t high = size;
    while (low < high) {
      uint32_t middle = low + (high - low) / 2;
      if (Wide(timestampAt(middle)) < limit)
        low = middle + 1;
      else
        high = middle;
    }
    return low;
  }

  void release() {
    values.reset();
    timestamps.reset();
    capacity = head = size = 0;
  }
};

WindowSet::WindowSet(WindowSpec spec) : spec_(spec) {
  assert(checkWindowSpec(spec).ok() && "WindowSet needs a spec that passed checkWindowSpec");
  spec_.sizeMs = std::max<int64_t>(spec_.sizeMs, 1);
  spec_.slideMs = std::max<int64_t>(spec_.slideMs, 1);
  spec_.allowedLatenessMs = std::max<int64_t>(spec_.allowedLatenessMs, 0);
  spec_.sizeCount = std::clamp<uint32_t>(spec_.sizeCount, 1, maxWindowSizeCount);
  spec_.slideCount = std::max<uint32_t>(spec_.slideCount, 1);
  slideMs_ = spec_.kind == WindowKind::Hopping ? spec_.slideMs : spec_.sizeMs;
}

WindowSet::~WindowSet() = default;

size_t WindowSet::sensorStateBytes() { return sizeof(SensorState); }

WindowSet::SensorState &WindowSet::stateOf(SensorId sensor) {
  if (sensor >= states_.size())
    states_.resize(std::max<size_t>(size_t(sensor) + 1, states_.size() * 3 / 2));
  std::unique_ptr<SensorState> &state = states_[sensor];
  if (!state) {
    state = std::make_unique<SensorState>();
    ++sensorCount_;
  }
  return *state;
}

bool WindowSet::add(SensorId sensor, int64_t timestampMs, double value, WindowSink &sink) {
  SensorState &state = stateOf(sensor);
  if (state.closed) {
    ++lateReadings_;
    return false;
  }
  bool accepted = spec_.kind == WindowKind::Count
                      ? addCounted(state, sensor, timestampMs, value, sink)
                      : addTimed(state, sensor, timestampMs, value, sink);
  if (!accepted) {
    ++lateReadings_;
    return false;
  }
  if (!anyReading_ || timestampMs > newestMs_)
    newestMs_ = timestampMs;
  anyReading_ = true;
  return true;
}

bool WindowSet::addTimed(SensorState &state, SensorId sensor, int64_t timestampMs, double value,
                         WindowSink &sink) {
  // The last window that starts at or before the reading: if even that one has closed, every
  // window that could hold the reading has.
  Wide lastWindow = floorDiv(timestampMs, slideMs_);
  if (state.started && lastWindow < state.nextWindow)
    return false;
  if (!state.started) {
    state.started = true;
    state.newestMs = timestampMs;
    state.nextWindow =
        floorDiv(Wide(timestampMs) - spec_.sizeMs - spec_.allowedLatenessMs, slideMs_) + 1;
  }
  // With slide > size a reading can fall between two windows: it joins none, but its timestamp
  // still moves the sensor's event time.
  bool insideWindow = Wide(timestampMs) - lastWindow * slideMs_ < spec_.sizeMs;
  if (insideWindow) {
    if (state.size == 0 || state.timestampAt(state.size - 1) <= timestampMs)
      state.pushBack(timestampMs, value);
    else
      state.insertInOrder(timestampMs, value);
  }
  if (timestampMs > state.newestMs)
    state.newestMs = timestampMs;
  closeTimeWindows(state, sensor, false, sink);
  return true;
}

void WindowSet::closeTimeWindows(SensorState &state, SensorId sensor, bool everything,
                                 WindowSink &sink) {
  const Wide size = spec_.sizeMs;
  const Wide slide = slideMs_;
  // Windows with an index below this one have end + lateness <= newest: they are closed.
  Wide firstOpen = floorDiv(Wide(state.newestMs) - size - spec_.allowedLatenessMs, slide) + 1;
  while (state.size > 0) {
    // Empty windows are skipped in one step: the next window to emit is the oldest one that
    // holds the oldest reading still in the ring.
    Wide oldest = state.timestampAt(0);
    Wide window = std::max(state.nextWindow, floorDiv(oldest - size, slide) + 1);
    if (!everything && window >= firstOpen)
      break;
    Wide start = window * slide;
    Wide end = start + size;
    uint32_t count = state.countBefore(end);
    assert(count > 0 && "the oldest reading lies in the window chosen for it");
    emit(state, sensor, 0, count, start, end, sink);
    state.nextWindow = window + 1;
    state.dropFront(state.countBefore(state.nextWindow * slide));
    // Shrink a ring that a burst grew, once both the windows and what remains are small; the
    // factor of four keeps a steady stream from reallocating at every window.
    if (state.capacity > initialCapacity && std::max(count, state.size) * 4 <= state.capacity)
      state.reallocate(state.capacity / 2);
  }
  if (everything) {
    state.closed = true;
    state.release();
    return;
  }
  state.nextWindow = std::max(state.nextWindow, firstOpen);
}

bool WindowSet::addCounted(SensorState &state, SensorId sensor, int64_t timestampMs, double value,
                           WindowSink &sink) {
  if (!state.started) {
    state.started = true;
    state.untilEmit = spec_.sizeCount;
  }
  // The ring keeps the last sizeCount readings: no window reaches further back.
  if (state.size == spec_.sizeCount)
    state.dropFront(1);
  state.pushBack(timestampMs, value);
  if (timestampMs > state.newestMs)
    state.newestMs = timestampMs;
  if (--state.untilEmit > 0)
    return true;
  uint32_t first = state.size - spec_.sizeCount;
  emit(state, sensor, first, spec_.sizeCount, state.timestampAt(first),
       Wide(state.timestampAt(state.size - 1)) + 1, sink);
  state.emitted = true;
  state.untilEmit = spec_.slideCount;
  return true;
}

void WindowSet::flushCountWindow(SensorState &state, SensorId sensor, WindowSink &sink) {
  if (state.started) {
    // The next window ends untilEmit readings from now; it has received sizeCount - untilEmit
    // of its readings (none yet when the slide leaves a gap longer than that).
    uint32_t sinceEmission = (state.emitted ? spec_.slideCount : spec_.sizeCount) - state.untilEmit;
    int64_t received = int64_t(spec_.sizeCount) - int64_t(state.untilEmit);
    if (sinceEmission > 0 && received > 0) {
      uint32_t count = uint32_t(received);
      assert(count <= state.size && "the ring keeps the readings of the next window");
      uint32_t first = state.size - count;
      emit(state, sensor, first, count, state.timestampAt(first),
           Wide(state.timestampAt(state.size - 1)) + 1, sink);
    }
  }
  state.closed = true;
  state.release();
}

void WindowSet::emit(SensorState &state, SensorId sensor, uint32_t first, uint32_t count,
                     Wide startMs, Wide endMs, WindowSink &sink) {
  uint32_t firstSlot = state.slot(first);
  const double *data = state.values.get() + firstSlot;
  if (uint64_t(firstSlot) + count > state.capacity) {
    // The window wraps around the end of the ring: the one case that copies.
    scratch_.resize(count);
    uint32_t tail = state.capacity - firstSlot;
    std::memcpy(scratch_.data(), data, tail * sizeof(double));
    std::memcpy(scratch_.data() + tail, state.values.get(), (count - tail) * sizeof(double));
    data = scratch_.data();
    ++scratchCopies_;
  }
  ClosedWindow window;
  window.sensor = sensor;
  window.startMs = clampToInt64(startMs);
  window.endMs = clampToInt64(endMs);
  window.values = std::span<const double>(data, count);
  sink.windowClosed(window);
}

void WindowSet::closeUntil(int64_t watermarkMs, WindowSink &sink) {
  const bool everything = watermarkMs == std::numeric_limits<int64_t>::max();
  for (size_t id = 0; id < states_.size(); ++id) {
    SensorState *state = states_[id].get();
    if (!state || state->closed || !state->started)
      continue;
    SensorId sensor = SensorId(id);
    if (spec_.kind == WindowKind::Count) {
      if (everything)
        flushCountWindow(*state, sensor, sink);
      continue;
    }
    if (watermarkMs > state->newestMs)
      state->newestMs = watermarkMs;
    closeTimeWindows(*state, sensor, everything, sink);
  }
}

size_t WindowSet::stateBytes() const {
  return sizeof(*this) + states_.capacity() * sizeof(states_[0]) +
         sensorCount_ * sizeof(SensorState);
}

size_t WindowSet::valueBufferBytes() const {
  size_t bytes = scratch_.capacity() * sizeof(double);
  for (const auto &state : states_)
    if (state)
      bytes += size_t(state->capacity) * (sizeof(double) + sizeof(int64_t));
  return bytes;
}

int64_t WindowSet::lagMs() const {
  if (!anyReading_)
    return 0;
  bool found = false;
  Wide oldestStart = 0;
  for (const auto &state : states_) {
    if (!state || state->size == 0)
      continue;
    Wide start;
    if (spec_.kind == WindowKind::Count) {
      int64_t received = int64_t(spec_.sizeCount) - int64_t(state->untilEmit);
      if (received <= 0 || uint32_t(received) > state->size)
        continue;
      start = state->timestampAt(state->size - uint32_t(received));
    } else {
      Wide window = std::max(state->nextWindow,
                             floorDiv(Wide(state->timestampAt(0)) - spec_.sizeMs, slideMs_) + 1);
      start = window * slideMs_;
    }
    if (!found || start < oldestStart)
      oldestStart = start;
    found = true;
  }
  if (!found)
    return 0;
  return clampToInt64(std::max<Wide>(Wide(newestMs_) - oldestStart, 0));
}

} // namespace pyvc::windows
