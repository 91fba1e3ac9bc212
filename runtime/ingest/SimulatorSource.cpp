// The simulator's pacing thread; see SimulatorSource.h.
#include "ingest/SimulatorSource.h"

#include <algorithm>
#include <cmath>

namespace pyvc::ingest {

namespace {

using Clock = std::chrono::steady_clock;

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

} // namespace

SimulatorSource::SimulatorSource(std::string name, uint32_t index, SimulatorConfig config)
    : Source(std::move(name), index), config_(std::move(config)) {}

SimulatorSource::~SimulatorSource() { stop(); }

Result<void> SimulatorSource::start(ReadingSink &sink) {
  if (thread_.joinable())
    return makeError("simulator source `" + name() + "` is already running");
  if (!(config_.ratePerSecond > 0) || !std::isfinite(config_.ratePerSecond))
    return makeError("simulator source `" + name() + "`: rate must be a positive number");
  std::vector<std::string> names = simulatedSensorNames(config_);
  if (names.empty())
    return makeError("simulator source `" + name() + "` has no sensors");
  std::vector<SensorId> ids;
  ids.reserve(names.size());
  for (const std::string &sensor : names)
    ids.push_back(sink.sensorNames().intern(sensor));
  int64_t startTimeMs = config_.startTimeMs != 0 ? config_.startTimeMs : sink.nowMs();
  simulator_ = std::make_unique<SignalSimulator>(config_, std::move(ids), startTimeMs);
  finished_.store(false, std::memory_order_release);
  stop_.reset();
  thread_ = std::thread([this, &sink] { run(sink); });
  return {};
}

void SimulatorSource::stop() {
  stop_.raise();
  if (thread_.joinable())
    thread_.join();
}

bool SimulatorSource::offerUntilTaken(ReadingSink &sink, ReadingBatch &batch) {
  size_t rows = batch.size();
  while (!stop_.raised()) {
    if (sink.offer(batch, std::chrono::milliseconds(100))) {
      counters_.addAccepted(rows);
      return true;
    }
  }
  counters_.addDropped(SourceDropReason::Stopping, rows);
  return false;
}

void SimulatorSource::run(ReadingSink &sink) {
  // About 10 ms worth per batch, so pacing stays smooth at low rates and batches stay big at
  // high ones.
  const uint64_t batchSlots =
      std::clamp<uint64_t>(uint64_t(config_.ratePerSecond / 100.0), 1, 1000);
  const double rate = config_.ratePerSecond;
  Clock::time_point begin = Clock::now();
  uint64_t slotsAtBegin = 0;
  while (!stop_.raised()) {
    uint64_t remaining =
        config_.limit == 0 ? UINT64_MAX : config_.limit - simulator_->readingsDone();
    if (remaining == 0)
      break;
    double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    uint64_t due = slotsAtBegin + uint64_t(elapsed * rate);
    uint64_t done = simulator_->slotsDone();
    if (due < done + batchSlots) {
      // Nothing due yet: sleep until a whole batch is.
      auto wake = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                              double(done + batchSlots - slotsAtBegin) / rate));
      stop_.waitUntil(wake);
      continue;
    }
    uint64_t slots = std::min<uint64_t>(due - done, batchSlots);
    ReadingBatch batch;
    batch.source = index();
    batch.reserve(size_t(slots));
    simulator_->generate(slots, remaining, sink.nowMs(), batch);
    counters_.addReceived(batch.size());
    if (batch.empty())
      continue;
    batch.ingestedAtNs = steadyNowNs();
    Clock::time_point offered = Clock::now();
    if (!offerUntilTaken(sink, batch))
      break;
    // Back-pressure made us late: carry on at the configured rate from here rather than
    // bursting to catch up.
    if (Clock::now() - offered > std::chrono::milliseconds(100)) {
      begin = Clock::now();
      slotsAtBegin = simulator_->slotsDone();
    }
  }
  if (config_.limit != 0 && simulator_->readingsDone() >= config_.limit)
    finished_.store(true, std::memory_order_release);
}

} // namespace pyvc::ingest
