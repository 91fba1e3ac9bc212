// The configuration of each kind of source, as the agent's config file gives it (docs/AGENT.md,
// "sources"). Parsed and validated by agent/ConfigLoader; the sources trust what they get.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace pyvc::ingest {

enum class SignalShape { Constant, Sine, RandomWalk };

// A group of simulated sensors: `pattern` with "{}" replaced by 1..count ("temp.room{}").
struct SimulatedSensors {
  std::string pattern;
  uint32_t count = 1;
  SignalShape shape = SignalShape::Sine;
  double base = 20.0;      // constant value, sine centre, random-walk start
  double amplitude = 1.0;  // sine amplitude, random-walk step size
  std::chrono::milliseconds period{60000}; // sine period
  double noise = 0.0;      // standard deviation of Gaussian noise added to every value
  std::string unit;
};

// Injected anomalies, each a probability per reading (0 = never).
struct SimulatedAnomalies {
  double spikeProbability = 0.0;
  double spikeMagnitude = 10.0; // added to the value, sign drawn at random
  double driftProbability = 0.0; // a sensor starts drifting
  double driftPerSecond = 0.1;
  double stuckProbability = 0.0; // a sensor repeats its last value ...
  std::chrono::milliseconds stuckDuration{10000}; // ... for this long
  double dropoutProbability = 0.0; // a sensor sends nothing ...
  std::chrono::milliseconds dropoutDuration{5000}; // ... for this long
};

struct SimulatorConfig {
  std::vector<SimulatedSensors> sensors;
  double ratePerSecond = 100.0; // readings per second over all sensors
  SimulatedAnomalies anomalies;
  uint64_t seed = 1;            // same seed, same config: the same readings, bit for bit
  int64_t startTimeMs = 0;      // event time of the first reading; 0 = the wall clock at start
  uint64_t limit = 0;           // stop after this many readings; 0 = run until stopped
  // Event time advances by 1 / rate per reading (so runs repeat exactly); false stamps readings
  // with the wall clock instead.
  bool syntheticTime = true;
};

enum class ReplayFormat { Csv, Jsonl };
// RealTime: the gaps between timestamps are waited out; Scaled: divided by `speed`;
// AsFastAsPossible: no waiting, only back-pressure.
enum class ReplayPacing { RealTime, Scaled, AsFastAsPossible };

// CSV: a header line naming the columns sensor,timestamp_ms,value[,unit]; JSONL: one reading
// object per line (core/Reading.h's JSON form).
struct ReplayConfig {
  std::string path;
  ReplayFormat format = ReplayFormat::Csv;
  ReplayPacing pacing = ReplayPacing::AsFastAsPossible;
  double speed = 1.0;      // for Scaled
  bool loop = false;       // start over at the end (timestamps shifted to keep increasing)
  size_t batchSize = 4096; // readings per offered batch
};

enum class MqttPayload { Json, Number };

// A topic filter and how a matching topic becomes a sensor name: "{N}" is the N-th topic level
// (0-based), "{topic}" the whole topic. With Json payloads a "sensor" field in the payload wins.
struct MqttTopic {
  std::string filter;          // "sensors/+/temperature"
  std::string sensor = "{topic}";
  MqttPayload payload = MqttPayload::Json;
};

struct MqttSourceConfig {
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string clientId;     // required for a persistent session
  bool cleanSession = false; // false: QoS 1 messages published while down arrive after restart
  int qos = 1;
  std::vector<MqttTopic> topics;
  std::string username, password;
  std::chrono::seconds keepAlive{30};
  size_t maxPayloadBytes = 64 * 1024;
};

struct HttpSourceConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string path = "/ingest";
  size_t maxBodyBytes = 1 << 20;
  std::chrono::seconds retryAfter{1}; // the Retry-After of a 503
  std::chrono::milliseconds ackTimeout{10000}; // waiting for durability, then 503
  int threads = 4;
};

using SourceSettings = std::variant<SimulatorConfig, ReplayConfig, MqttSourceConfig, HttpSourceConfig>;

struct SourceConfig {
  std::string name;
  SourceSettings settings;
};

} // namespace pyvc::ingest
