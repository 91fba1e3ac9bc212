// SignalSimulator: the simulator's readings as a pure function of its config and seed — shapes,
// noise and anomalies — with no thread and no clock, so determinism can be tested directly.
// SimulatorSource paces it in real time.
#pragma once

#include "core/ReadingBatch.h"
#include "ingest/DeterministicRandom.h"
#include "ingest/SourceConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pyvc::ingest {

// The simulated sensors' names in order: each group's pattern with "{}" replaced by 1..count
// (a pattern without "{}" and count > 1 gets the number appended).
std::vector<std::string> simulatedSensorNames(const SimulatorConfig &config);

class SignalSimulator {
public:
  // `ids` are the interned ids of simulatedSensorNames(config), in that order.
  SignalSimulator(const SimulatorConfig &config, std::vector<SensorId> ids, int64_t startTimeMs);

  // Runs the next `slots` reading slots (round robin over the sensors; the event time of slot i is
  // startTimeMs + i * 1000 / rate, truncated) and appends their readings to `batch`, at most
  // `maxReadings` of them. A sensor in a dropout uses its slot and sends nothing. With
  // syntheticTime off, readings are stamped `wallClockMs` instead.
  void generate(uint64_t slots, uint64_t maxReadings, int64_t wallClockMs, ReadingBatch &batch);

  uint64_t slotsDone() const { return slot_; }
  uint64_t readingsDone() const { return readings_; }
  size_t sensorCount() const { return sensors_.size(); }

private:
  struct SensorState {
    size_t group = 0;
    SensorId id = 0;
    double walk = 0.0;
    bool drifting = false;
    int64_t driftStartMs = 0;
    int64_t stuckUntilMs = INT64_MIN;
    double stuckValue = 0.0;
    int64_t dropoutUntilMs = INT64_MIN;
  };

  double shapeValue(SensorState &sensor, const SimulatedSensors &group, int64_t eventMs);
  // Applies drift, spikes and the start of a stuck period; false when a dropout starts.
  double applyAnomalies(SensorState &sensor, double value, int64_t eventMs);

  SimulatorConfig config_;
  std::vector<SensorState> sensors_;
  int64_t startTimeMs_;
  DeterministicRandom random_;
  uint64_t slot_ = 0;
  uint64_t readings_ = 0;
};

} // namespace pyvc::ingest
