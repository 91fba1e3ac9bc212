// The table of the config file's keys (ConfigKeys.h). Order within a section is the order the
// documentation lists them in and the order "expected one of" messages name them in.
#include "config/ConfigKeys.h"

#include "config/ConfigValues.h"

#include <algorithm>

namespace pyvc::agent {

namespace {

constexpr ConfigKey kKeys[] = {
    {"", "agent", ""},
    {"", "metrics", ""},
    {"", "privacy", ""},
    {"", "rules_library", ""},
    {"", "kernels", ""},
    {"", "store", ""},
    {"", "queue", ""},
    {"", "sources", ""},
    {"", "pipelines", ""},
    {"", "uplinks", ""},
    {"", "telemetry", ""},

    {"agent", "data_dir", ""},
    {"agent", "kernel_dir", ""},
    {"agent", "log_level", ""},
    {"agent", "memory_budget", ""},
    {"agent", "workers", ""},
    {"agent", "durability", ""},
    {"agent", "commit", ""},
    {"agent", "shutdown_timeout", ""},
    {"agent", "timestamps", ""},
    {"agent", "priority_weights", ""},
    {"agent.commit", "max_readings", ""},
    {"agent.commit", "max_delay", ""},
    {"agent.timestamps", "max_age", ""},
    {"agent.timestamps", "max_skew", ""},
    {"agent.priority_weights", "critical", ""},
    {"agent.priority_weights", "high", ""},
    {"agent.priority_weights", "normal", ""},
    {"agent.priority_weights", "low", ""},

    {"kernels", "trusted_keys", ""},
    {"kernels", "allow_unsigned", ""},

    {"metrics", "listen", ""},
    {"privacy", "policy", ""},
    {"privacy", "policy_inline", ""},
    {"store", "retention", ""},
    {"store", "max_size", ""},
    {"store", "rejected_max_rows", ""},
    {"queue", "max_size", ""},

    {"sources[]", "name", ""},
    {"sources[]", "type", ""},
    {"sources[]", "rate", "simulator"},
    {"sources[]", "seed", "simulator"},
    {"sources[]", "start_time", "simulator"},
    {"sources[]", "limit", "simulator"},
    {"sources[]", "synthetic_time", "simulator"},
    {"sources[]", "sensors", "simulator"},
    {"sources[]", "anomalies", "simulator"},
    {"sources[].sensors[]", "pattern", ""},
    {"sources[].sensors[]", "count", ""},
    {"sources[].sensors[]", "shape", ""},
    {"sources[].sensors[]", "base", ""},
    {"sources[].sensors[]", "amplitude", ""},
    {"sources[].sensors[]", "period", ""},
    {"sources[].sensors[]", "noise", ""},
    {"sources[].sensors[]", "unit", ""},
    {"sources[].anomalies", "spike", ""},
    {"sources[].anomalies", "drift", ""},
    {"sources[].anomalies", "stuck", ""},
    {"sources[].anomalies", "dropout", ""},
    {"sources[].anomalies.spike", "probability", ""},
    {"sources[].anomalies.spike", "magnitude", ""},
    {"sources[].anomalies.drift", "probability", ""},
    {"sources[].anomalies.drift", "per_second", ""},
    {"sources[].anomalies.stuck", "probability", ""},
    {"sources[].anomalies.stuck", "duration", ""},
    {"sources[].anomalies.dropout", "probability", ""},
    {"sources[].anomalies.dropout", "duration", ""},

    {"sources[]", "path", "replay"},
    {"sources[]", "format", "replay"},
    {"sources[]", "speed", "replay"},
    {"sources[]", "loop", "replay"},
    {"sources[]", "batch_size", "replay"},

    {"sources[]", "host", "mqtt"},
    {"sources[]", "port", "mqtt"},
    {"sources[]", "client_id", "mqtt"},
    {"sources[]", "clean_session", "mqtt"},
    {"sources[]", "qos", "mqtt"},
    {"sources[]", "username", "mqtt"},
    {"sources[]", "password", "mqtt"},
    {"sources[]", "keep_alive", "mqtt"},
    {"sources[]", "topics", "mqtt"},
    {"sources[]", "max_payload", "mqtt"},
    {"sources[].topics[]", "filter", ""},
    {"sources[].topics[]", "sensor", ""},
    {"sources[].topics[]", "payload", ""},

    {"sources[]", "listen", "http"},
    {"sources[]", "path", "http"},
    {"sources[]", "max_body", "http"},
    {"sources[]", "retry_after", "http"},
    {"sources[]", "ack_timeout", "http"},
    {"sources[]", "threads", "http"},

    {"pipelines[]", "name", ""},
    {"pipelines[]", "sensors", ""},
    {"pipelines[]", "priority", ""},
    {"pipelines[]", "window", ""},
    {"pipelines[]", "aggregates", ""},
    {"pipelines[]", "rules", ""},
    {"pipelines[]", "store", ""},
    {"pipelines[]", "sync", ""},
    {"pipelines[].window", "type", ""},
    {"pipelines[].window", "size", ""},
    {"pipelines[].window", "slide", ""},
    {"pipelines[].window", "lateness", ""},
    {"pipelines[].rules[]", "name", ""},
    {"pipelines[].rules[]", "on", ""},
    {"pipelines[].rules[]", "when", ""},
    {"pipelines[].rules[]", "function", ""},
    {"pipelines[].rules[]", "severity", ""},
    {"pipelines[].store", "events", ""},
    {"pipelines[].store", "windows", ""},
    {"pipelines[].store", "readings", ""},
    {"pipelines[].sync", "events", ""},
    {"pipelines[].sync", "windows", ""},
    {"pipelines[].sync", "readings", ""},

    {"uplinks[]", "name", ""},
    {"uplinks[]", "type", ""},
    {"uplinks[]", "url", "http"},
    {"uplinks[]", "headers", "http"},
    {"uplinks[]", "gzip", "http"},
    {"uplinks[]", "host", "mqtt"},
    {"uplinks[]", "port", "mqtt"},
    {"uplinks[]", "topic", "mqtt"},
    {"uplinks[]", "client_id", "mqtt"},
    {"uplinks[]", "ca_file", ""},
    {"uplinks[]", "timeout", ""},
    {"uplinks[]", "max_batch_items", ""},
    {"uplinks[]", "max_batch_bytes", ""},
    {"uplinks[]", "max_bytes_per_second", ""},

    {"telemetry", "sync", ""},
    {"telemetry", "interval", ""},
};

} // namespace

std::string ConfigKey::path() const {
  return section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
}

std::span<const ConfigKey> configKeys() { return kKeys; }

std::vector<std::string_view> keysOf(std::string_view section, std::string_view kind) {
  std::vector<std::string_view> keys;
  for (const ConfigKey &entry : kKeys)
    if (entry.section == section && (entry.kind.empty() || entry.kind == kind || kind == "*") &&
        std::find(keys.begin(), keys.end(), entry.key) == keys.end())
      keys.push_back(entry.key);
  return keys;
}

std::string_view closestKey(std::string_view key, const std::vector<std::string_view> &allowed) {
  std::string_view best;
  size_t bestDistance = SIZE_MAX;
  for (std::string_view candidate : allowed) {
    size_t distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  // A third of the longer name, at least one edit: "rat" -> "rate", "tpye" -> "type" (two
  // edits in four letters is a transposition), but not "foo" -> "port".
  size_t limit = std::max<size_t>(1, std::max(key.size(), best.size()) / 3);
  if (best.size() >= 4 && key.size() >= 4 && limit < 2)
    limit = 2;
  return bestDistance <= limit ? best : std::string_view();
}

} // namespace pyvc::agent
