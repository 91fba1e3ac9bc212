// The `sources` section of the agent's config: simulator, replay, MQTT and HTTP sources, each
// read into its ingest::SourceConfig settings (docs/AGENT.md, "sources").
#include "config/ConfigSections.h"

#include "config/ConfigValues.h"

#include "privacy/GlobPattern.h"

namespace pyvc::agent {

using namespace pyvc::ingest;

namespace {

void loadSimulatedSensors(ConfigReader &reader, const Field &list, SimulatorConfig &simulator) {
  std::optional<std::vector<Field>> groups = reader.sequence(list, "sensor groups");
  if (!groups)
    return;
  if (groups->empty())
    reader.report(list, "needs at least one sensor group");
  for (const Field &group : *groups) {
    if (!reader.checkMapping(group, "sources[].sensors[]"))
      continue;
    SimulatedSensors sensors;
    if (auto field =
            reader.required(group, "pattern", "a sensor name, `{}` standing for 1..count")) {
      if (auto pattern = reader.string(*field)) {
        if (pattern->empty())
          reader.report(*field, "must not be empty");
        sensors.pattern = *pattern;
      }
    }
    if (auto field = reader.child(group, "count"))
      if (auto value = reader.integer(*field, 1, 1000000))
        sensors.count = static_cast<uint32_t>(*value);
    if (sensors.count > 1 && !sensors.pattern.empty() &&
        sensors.pattern.find("{}") == std::string::npos)
      reader.report(group.line, group.path + ".pattern",
                    "needs `{}` (the sensor's number) when count is more than 1, got `" +
                        sensors.pattern + "`");
    if (auto field = reader.child(group, "shape"))
      if (auto shape =
              reader.choice<SignalShape>(*field, {{"constant", SignalShape::Constant},
                                                  {"sine", SignalShape::Sine},
                                                  {"random_walk", SignalShape::RandomWalk}}))
        sensors.shape = *shape;
    if (auto field = reader.child(group, "base"))
      if (auto value = reader.number(*field, -1e300, 1e300))
        sensors.base = *value;
    if (auto field = reader.child(group, "amplitude"))
      if (auto value = reader.number(*field, 0, 1e300))
        sensors.amplitude = *value;
    if (auto field = reader.child(group, "period"))
      if (auto value = reader.durationMs(*field, 1))
        sensors.period = std::chrono::milliseconds(*value);
    if (auto field = reader.child(group, "noise"))
      if (auto value = reader.number(*field, 0, 1e300))
        sensors.noise = *value;
    if (auto field = reader.child(group, "unit"))
      if (auto value = reader.string(*field))
        sensors.unit = *value;
    simulator.sensors.push_back(std::move(sensors));
  }
}

// One anomaly kind: {probability: p, <amountKey>: x}.
template <typename ReadAmount>
void loadAnomaly(ConfigReader &reader, const Field &anomalies, std::string_view kind,
                 double &probability, ReadAmount readAmount) {
  std::optional<Field> field = reader.child(anomalies, kind);
  if (!field || !reader.checkMapping(*field, "sources[].anomalies." + std::string(kind)))
    return;
  if (auto value = reader.child(*field, "probability"))
    if (auto number = reader.number(*value, 0, 1))
      probability = *number;
  readAmount(*field);
}

void loadAnomalies(ConfigReader &reader, const Field &field, SimulatedAnomalies &anomalies) {
  if (!reader.checkMapping(field, "sources[].anomalies"))
    return;
  loadAnomaly(reader, field, "spike", anomalies.spikeProbability, [&](const Field &spike) {
    if (auto value = reader.child(spike, "magnitude"))
      if (auto number = reader.number(*value, 0, 1e300))
        anomalies.spikeMagnitude = *number;
  });
  loadAnomaly(reader, field, "drift", anomalies.driftProbability, [&](const Field &drift) {
    if (auto value = reader.child(drift, "per_second"))
      if (auto number = reader.number(*value, -1e300, 1e300))
        anomalies.driftPerSecond = *number;
  });
  loadAnomaly(reader, field, "stuck", anomalies.stuckProbability, [&](const Field &stuck) {
    if (auto value = reader.child(stuck, "duration"))
      if (auto ms = reader.durationMs(*value, 1))
        anomalies.stuckDuration = std::chrono::milliseconds(*ms);
  });
  loadAnomaly(reader, field, "dropout", anomalies.dropoutProbability, [&](const Field &dropout) {
    if (auto value = reader.child(dropout, "duration"))
      if (auto ms = reader.durationMs(*value, 1))
        anomalies.dropoutDuration = std::chrono::milliseconds(*ms);
  });
}

SimulatorConfig loadSimulator(ConfigReader &reader, const Field &source) {
  SimulatorConfig simulator;
  if (auto field = reader.child(source, "rate"))
    if (auto value = reader.number(*field, 0, 1e9, true))
      simulator.ratePerSecond = *value;
  if (auto field = reader.child(source, "seed"))
    if (auto value = reader.integer(*field, 0, INT64_MAX))
      simulator.seed = static_cast<uint64_t>(*value);
  if (auto field = reader.child(source, "start_time"))
    if (auto value = reader.integer(*field, 0, INT64_MAX))
      simulator.startTimeMs = *value;
  if (auto field = reader.child(source, "limit"))
    if (auto value = reader.integer(*field, 0, INT64_MAX))
      simulator.limit = static_cast<uint64_t>(*value);
  if (auto field = reader.child(source, "synthetic_time"))
    if (auto value = reader.boolean(*field))
      simulator.syntheticTime = *value;
  if (auto field = reader.required(source, "sensors", "a list of sensor groups"))
    loadSimulatedSensors(reader, *field, simulator);
  if (auto field = reader.child(source, "anomalies"))
    loadAnomalies(reader, *field, simulator.anomalies);
  return simulator;
}

ReplayConfig loadReplay(ConfigReader &reader, const Field &source, const PathBases &bases) {
  ReplayConfig replay;
  std::optional<ReplayFormat> formatFromExtension;
  if (auto field = reader.required(source, "path", "the CSV or JSONL file to replay")) {
    if (auto text = reader.string(*field)) {
      if (text->empty()) {
        reader.report(*field, "must not be empty");
      } else {
        replay.path = resolvePath(bases.configFolder, *text).string();
        std::string extension = std::filesystem::path(*text).extension().string();
        if (extension == ".csv")
          formatFromExtension = ReplayFormat::Csv;
        else if (extension == ".jsonl" || extension == ".ndjson")
          formatFromExtension = ReplayFormat::Jsonl;
      }
    }
  }
  if (auto field = reader.child(source, "format")) {
    if (auto format = reader.choice<ReplayFormat>(
            *field, {{"csv", ReplayFormat::Csv}, {"jsonl", ReplayFormat::Jsonl}}))
      replay.format = *format;
  } else if (formatFromExtension) {
    replay.format = *formatFromExtension;
  } else if (!replay.path.empty()) {
    reader.report(source.line, source.path + ".format",
                  "is required when the file name ends in neither .csv nor .jsonl (csv or jsonl)");
  }
  if (auto field = reader.child(source, "speed")) {
    // realtime, fast, or a scale factor: the one place a bare number is right.
    if (field->node.IsScalar() && field->node.Scalar() == "realtime") {
      replay.pacing = ReplayPacing::RealTime;
    } else if (field->node.IsScalar() && field->node.Scalar() == "fast") {
      replay.pacing = ReplayPacing::AsFastAsPossible;
    } else if (auto speed = parseNumber(field->node.IsScalar() ? field->node.Scalar() : "")) {
      if (*speed <= 0)
        reader.report(*field, "must be > 0, got " + field->node.Scalar());
      replay.pacing = ReplayPacing::Scaled;
      replay.speed = *speed;
    } else {
      reader.report(*field, "expected realtime, fast or a speed-up factor such as 10, got " +
                                ConfigReader::describe(field->node));
    }
  }
  if (auto field = reader.child(source, "loop"))
    if (auto value = reader.boolean(*field))
      replay.loop = *value;
  if (auto field = reader.child(source, "batch_size"))
    if (auto value = reader.integer(*field, 1, 1 << 20))
      replay.batchSize = static_cast<size_t>(*value);
  return replay;
}

void loadTopics(ConfigReader &reader, const Field &list, MqttSourceConfig &mqtt) {
  std::optional<std::vector<Field>> topics = reader.sequence(list, "topic subscriptions");
  if (!topics)
    return;
  if (topics->empty())
    reader.report(list, "needs at least one topic");
  for (const Field &entry : *topics) {
    if (!reader.checkMapping(entry, "sources[].topics[]"))
      continue;
    MqttTopic topic;
    if (auto field =
            reader.required(entry, "filter", "an MQTT topic filter such as sensors/+/temp")) {
      if (auto filter = reader.string(*field)) {
        topic.filter = *filter;
        // MQTT's own rules: '#' only as the last level, '+' and '#' only as whole levels.
        bool valid = !filter->empty();
        size_t start = 0;
        while (valid && start <= filter->size()) {
          size_t end = filter->find('/', start);
          std::string level =
              filter->substr(start, end == std::string::npos ? std::string::npos : end - start);
          bool last = end == std::string::npos;
          if ((level.find('+') != std::string::npos && level != "+") ||
              (level.find('#') != std::string::npos && (level != "#" || !last)))
            valid = false;
          if (last)
            break;
          start = end + 1;
        }
        if (!valid)
          reader.report(*field, "not a valid MQTT topic filter: `" + *filter +
                                    "` (`+` and `#` must be whole levels, `#` only the last)");
      }
    }
    if (auto field = reader.child(entry, "sensor"))
      if (auto sensor = reader.string(*field)) {
        if (sensor->empty())
          reader.report(*field, "must not be empty");
        topic.sensor = *sensor;
      }
    if (auto field = reader.child(entry, "payload"))
      if (auto payload = reader.choice<MqttPayload>(
              *field, {{"json", MqttPayload::Json}, {"number", MqttPayload::Number}}))
        topic.payload = *payload;
    mqtt.topics.push_back(std::move(topic));
  }
}

MqttSourceConfig loadMqttSource(ConfigReader &reader, const Field &source) {
  MqttSourceConfig mqtt;
  if (auto field = reader.child(source, "host"))
    if (auto value = reader.string(*field)) {
      if (value->empty())
        reader.report(*field, "must not be empty");
      mqtt.host = *value;
    }
  if (auto field = reader.child(source, "port"))
    if (auto value = reader.integer(*field, 1, 65535))
      mqtt.port = static_cast<int>(*value);
  if (auto field = reader.child(source, "client_id"))
    if (auto value = reader.string(*field))
      mqtt.clientId = *value;
  if (auto field = reader.child(source, "clean_session"))
    if (auto value = reader.boolean(*field))
      mqtt.cleanSession = *value;
  if (!mqtt.cleanSession && mqtt.clientId.empty())
    reader.report(source.line, source.path + ".client_id",
                  "is required for a persistent session (clean_session: false)");
  if (auto field = reader.child(source, "qos"))
    if (auto value = reader.integer(*field, 0, 2))
      mqtt.qos = static_cast<int>(*value);
  if (auto field = reader.child(source, "username"))
    if (auto value = reader.string(*field))
      mqtt.username = *value;
  if (auto field = reader.child(source, "password"))
    if (auto value = reader.string(*field))
      mqtt.password = *value;
  if (auto field = reader.child(source, "keep_alive"))
    if (auto ms = reader.durationMs(*field, 1000))
      mqtt.keepAlive = std::chrono::seconds(*ms / 1000);
  if (auto field = reader.required(source, "topics", "a list of {filter, sensor, payload}"))
    loadTopics(reader, *field, mqtt);
  if (auto field = reader.child(source, "max_payload"))
    if (auto bytes = reader.sizeBytes(*field, 1))
      mqtt.maxPayloadBytes = static_cast<size_t>(*bytes);
  return mqtt;
}

HttpSourceConfig loadHttpSource(ConfigReader &reader, const Field &source) {
  HttpSourceConfig http;
  if (auto field = reader.child(source, "listen"))
    readListenAddress(reader, *field, http.host, http.port);
  if (auto field = reader.child(source, "path"))
    if (auto value = reader.string(*field)) {
      if (value->empty() || value->front() != '/')
        reader.report(*field, "must start with `/`, got `" + *value + "`");
      http.path = *value;
    }
  if (auto field = reader.child(source, "max_body"))
    if (auto bytes = reader.sizeBytes(*field, 1))
      http.maxBodyBytes = static_cast<size_t>(*bytes);
  if (auto field = reader.child(source, "retry_after"))
    if (auto ms = reader.durationMs(*field, 1000))
      http.retryAfter = std::chrono::seconds(*ms / 1000);
  if (auto field = reader.child(source, "ack_timeout"))
    if (auto ms = reader.durationMs(*field, 1))
      http.ackTimeout = std::chrono::milliseconds(*ms);
  if (auto field = reader.child(source, "threads"))
    if (auto value = reader.integer(*field, 1, 64))
      http.threads = static_cast<int>(*value);
  return http;
}

} // namespace

void loadSources(ConfigReader &reader, const Field &list, const PathBases &bases,
                 AgentConfig &config) {
  std::optional<std::vector<Field>> sources = reader.sequence(list, "sources");
  if (!sources)
    return;
  if (sources->empty())
    reader.report(list, "needs at least one source");
  std::vector<std::string> names;
  for (const Field &entry : *sources) {
    if (!entry.node.IsMap()) {
      reader.report(entry, "expected a mapping of keys, got " + ConfigReader::describe(entry.node));
      continue;
    }
    std::optional<std::string> kind;
    if (auto field = reader.required(entry, "type", "simulator, replay, mqtt or http"))
      kind = reader.choice<std::string>(
          *field,
          {{"simulator", "simulator"}, {"replay", "replay"}, {"mqtt", "mqtt"}, {"http", "http"}});
    // Without a known type, a key of any type is let through: only typos are reported.
    reader.checkMapping(entry, "sources[]", kind ? *kind : "*", "source");
    std::optional<std::string> name = readEntryName(reader, entry, names, "source");
    if (!kind)
      continue;
    SourceConfig source;
    source.name = name.value_or("");
    if (*kind == "simulator")
      source.settings = loadSimulator(reader, entry);
    else if (*kind == "replay")
      source.settings = loadReplay(reader, entry, bases);
    else if (*kind == "mqtt")
      source.settings = loadMqttSource(reader, entry);
    else
      source.settings = loadHttpSource(reader, entry);
    config.sources.push_back(std::move(source));
  }
}

} // namespace pyvc::agent
