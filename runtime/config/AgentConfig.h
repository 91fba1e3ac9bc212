// AgentConfig: the agent's one config file as typed structs (docs/AGENT.md documents every key,
// its default and its unit). ConfigLoader.h fills them from YAML and reports every problem with
// its file, line and key; nothing downstream re-validates.
#pragma once

#include "ingest/SourceConfig.h"
#include "windows/WindowSpec.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pyvc::agent {

enum class Priority { Critical, High, Normal, Low };
inline constexpr size_t kPriorityCount = 4;
const char *priorityName(Priority priority); // "critical", ...

enum class Severity { Info, Warning, Critical };
const char *severityName(Severity severity);

enum class Durability { Normal, Full };

// A compiled function named in the config: "stats.so:mean" -> library stats.so (resolved against
// kernel_dir by the loader, so always absolute here), function mean.
struct KernelRef {
  std::filesystem::path library;
  std::string function;
  std::string text; // as written, for messages
};

// One value a window computes: `name` is what rules refer to ("mean", "max").
struct AggregateConfig {
  std::string name;
  KernelRef kernel;
};

enum class RuleInput { Readings, Windows };

// Exactly one of `when` (an inline expression, compiled into the rules library) or `function`.
struct RuleConfig {
  std::string name;
  RuleInput input = RuleInput::Readings;
  std::string when;                // "value > 35.0", "mean > 30.0 and max - min > 5.0"
  std::optional<KernelRef> function;
  Severity severity = Severity::Warning;
  int line = 0; // where the rule is in the config file, for messages
};

// Which records of a pipeline go somewhere (stored locally, or synced).
struct RecordSelection {
  bool events = true;
  bool windows = true;
  uint32_t readingsEvery = 0; // raw readings: 0 none, 1 all, N every N-th per sensor
};

struct PipelineConfig {
  std::string name;
  int line = 0; // where the pipeline starts in the config file, for messages
  std::vector<std::string> sensors; // glob patterns; a reading goes to the first pipeline matching
  Priority priority = Priority::Normal;
  std::optional<windows::WindowSpec> window; // absent: no windows, reading rules only
  std::vector<AggregateConfig> aggregates;
  std::vector<RuleConfig> rules;
  RecordSelection store{true, true, 1};
  RecordSelection sync{true, true, 0};
};

enum class UplinkKind { Http, Mqtt };

struct UplinkConfig {
  std::string name;
  UplinkKind kind = UplinkKind::Http;
  // Http
  std::string url;
  std::vector<std::string> headers; // "Name: value"
  bool gzip = false;
  // Mqtt
  std::string host = "127.0.0.1";
  int port = 1883;
  std::string topic;
  std::string clientId;
  // Both
  std::string caFile;
  std::chrono::milliseconds timeout{10000};
  size_t maxBatchItems = 500;
  size_t maxBatchBytes = 512 * 1024;
  double maxBytesPerSecond = 0; // 0 = no cap
};

struct TelemetryConfig {
  bool sync = false; // the agent's own metrics snapshot, queued at low priority
  std::chrono::milliseconds interval{60000};
};

// Every path below is absolute once the loader has filled it: relative paths in the file are
// resolved against the config file's folder (the current directory for the embedded default), or
// against kernelDir for kernel libraries.
struct AgentConfig {
  std::filesystem::path file;       // the config file ("<embedded default>" for the default)
  std::filesystem::path dataDir = "pyvc-agent-data"; // store, queue, rejected readings
  std::string logLevel = "info";
  size_t memoryBudgetBytes = 16 << 20;
  uint32_t workers = 1;
  Durability durability = Durability::Normal;
  size_t commitMaxReadings = 10000; // group commit: at most this many readings ...
  std::chrono::milliseconds commitMaxDelay{5}; // ... or this long after the first one waits
  std::chrono::milliseconds shutdownTimeout{10000};
  int64_t maxReadingAgeMs = 7LL * 24 * 3600 * 1000; // older timestamps are rejected
  int64_t maxReadingSkewMs = 10LL * 60 * 1000;      // timestamps further in the future too
  double priorityWeights[kPriorityCount] = {4.0, 2.0, 1.0, 0.5}; // by Priority
  std::string metricsListen = "127.0.0.1:9464"; // "" = no metrics server
  // Relative kernel library paths (KernelRef::library, rulesLibrary) are resolved against this;
  // default: the config file's folder (for the embedded default: the installed example kernels).
  std::filesystem::path kernelDir;
  // Exactly one of the two is set: a policy file (JSON, see RUNTIME-privacy.md), or the policy
  // written inline in the config (`privacy.policy_inline`), as JSON text. An inline policy's
  // relative hash_key_file is relative to privacyPolicyBase (the config file's folder).
  std::filesystem::path privacyPolicy;
  std::string privacyPolicyJson;
  std::filesystem::path privacyPolicyBase;
  std::filesystem::path rulesLibrary;  // the compiled inline rules; required when any rule has `when`
  // Kernel signatures (runtime/trust): every kernel library must be signed (LIB.so.sig) by one
  // of these public keys (files, or folders of *.pub), unless the development opt-out
  // `kernels.allow_unsigned` is set. A config that loads kernels sets exactly one of the two.
  std::vector<std::filesystem::path> trustedKeys;
  bool allowUnsignedKernels = false;
  std::vector<ingest::SourceConfig> sources;
  std::vector<PipelineConfig> pipelines;
  std::vector<UplinkConfig> uplinks;
  // Store and queue.
  int64_t storeRetentionMs = 7LL * 24 * 3600 * 1000;
  int64_t storeMaxBytes = 256LL << 20;
  int64_t queueMaxBytes = 128LL << 20;
  size_t rejectedMaxRows = 10000; // the rejected-readings table keeps the newest this many
  TelemetryConfig telemetry;
};

} // namespace pyvc::agent
