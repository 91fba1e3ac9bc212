// The simulator's signal shapes and anomalies; see SignalSimulator.h.
#include "ingest/SignalSimulator.h"

#include <cassert>
#include <cmath>

namespace pyvc::ingest {

std::vector<std::string> simulatedSensorNames(const SimulatorConfig &config) {
  std::vector<std::string> names;
  for (const SimulatedSensors &group : config.sensors) {
    size_t hole = group.pattern.find("{}");
    for (uint32_t i = 1; i <= group.count; ++i) {
      std::string number = std::to_string(i);
      if (hole != std::string::npos)
        names.push_back(group.pattern.substr(0, hole) + number + group.pattern.substr(hole + 2));
      else if (group.count > 1)
        names.push_back(group.pattern + number);
      else
        names.push_back(group.pattern);
    }
  }
  return names;
}

SignalSimulator::SignalSimulator(const SimulatorConfig &config, std::vector<SensorId> ids,
                                 int64_t startTimeMs)
    : config_(config), startTimeMs_(startTimeMs), random_(config.seed) {
  size_t next = 0;
  for (size_t group = 0; group < config_.sensors.size(); ++group)
    for (uint32_t i = 0; i < config_.sensors[group].count; ++i) {
      assert(next < ids.size() && "one id per simulated sensor");
      SensorState state;
      state.group = group;
      state.id = ids[next++];
      state.walk = config_.sensors[group].base;
      sensors_.push_back(state);
    }
}

double SignalSimulator::shapeValue(SensorState &sensor, const SimulatedSensors &group,
                                   int64_t eventMs) {
  switch (group.shape) {
  case SignalShape::Constant:
    return group.base;
  case SignalShape::Sine: {
    double periodMs = double(group.period.count() > 0 ? group.period.count() : 1);
    double phase = double(eventMs - startTimeMs_) / periodMs;
    return group.base + group.amplitude * std::sin(2.0 * M_PI * phase);
  }
  case SignalShape::RandomWalk:
    sensor.walk += group.amplitude * random_.gaussian();
    return sensor.walk;
  }
  return group.base;
}

double SignalSimulator::applyAnomalies(SensorState &sensor, double value, int64_t eventMs) {
  const SimulatedAnomalies &anomalies = config_.anomalies;
  if (!sensor.drifting && anomalies.driftProbability > 0 &&
      random_.uniform() < anomalies.driftProbability) {
    sensor.drifting = true;
    sensor.driftStartMs = eventMs;
  }
  if (sensor.drifting)
    value += anomalies.driftPerSecond * double(eventMs - sensor.driftStartMs) / 1000.0;
  if (anomalies.spikeProbability > 0 && random_.uniform() < anomalies.spikeProbability)
    value += random_.uniform() < 0.5 ? -anomalies.spikeMagnitude : anomalies.spikeMagnitude;
  if (anomalies.stuckProbability > 0 && random_.uniform() < anomalies.stuckProbability) {
    sensor.stuckUntilMs = eventMs + anomalies.stuckDuration.count();
    sensor.stuckValue = value;
  }
  return value;
}

void SignalSimulator::generate(uint64_t slots, uint64_t maxReadings, int64_t wallClockMs,
                               ReadingBatch &batch) {
  if (sensors_.empty())
    return;
  const SimulatedAnomalies &anomalies = config_.anomalies;
  uint64_t emitted = 0;
  for (uint64_t n = 0; n < slots && emitted < maxReadings; ++n, ++slot_) {
    SensorState &sensor = sensors_[slot_ % sensors_.size()];
    const SimulatedSensors &group = config_.sensors[sensor.group];
    int64_t eventMs =
        startTimeMs_ + int64_t(std::floor(double(slot_) * 1000.0 / config_.ratePerSecond));
    int64_t stampMs = config_.syntheticTime ? eventMs : wallClockMs;
    if (eventMs < sensor.dropoutUntilMs)
      continue;
    if (anomalies.dropoutProbability > 0 && random_.uniform() < anomalies.dropoutProbability) {
      sensor.dropoutUntilMs = eventMs + anomalies.dropoutDuration.count();
      continue;
    }
    double value;
    if (eventMs < sensor.stuckUntilMs) {
      value = sensor.stuckValue;
    } else {
      value = shapeValue(sensor, group, eventMs);
      if (group.noise > 0)
        value += group.noise * random_.gaussian();
      value = applyAnomalies(sensor, value, eventMs);
    }
    if (group.unit.empty())
      batch.append(sensor.id, stampMs, value);
    else
      batch.append(sensor.id, stampMs, value, group.unit, nlohmann::json());
    ++emitted;
  }
  readings_ += emitted;
}

} // namespace pyvc::ingest
