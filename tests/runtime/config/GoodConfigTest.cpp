// Configs that must load: the example gateway config, the embedded default, the same config as
// JSON, and the values they produce (checked field by field against what the files say).
#include "config/ConfigLoader.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace pyvc::agent;
using namespace pyvc::ingest;
using pyvc::windows::WindowKind;

namespace {

const fs::path kExamples = fs::path(PYVC_SOURCE_DIR) / "examples/agent";

std::string problemsOf(const ConfigLoad &load) {
  std::string text;
  for (const ConfigProblem &problem : load.problems)
    text += problem.str() + "\n";
  return text;
}

void writeFile(const fs::path &path, const std::string &text) {
  std::ofstream(path, std::ios::binary) << text;
}

// What examples/agent/gateway.yaml says, checked on a loaded config whose file is in `folder`.
void expectGatewayConfig(const AgentConfig &config, const fs::path &folder) {
  EXPECT_EQ(config.dataDir, folder / "gateway-data");
  EXPECT_EQ(config.kernelDir, folder);
  EXPECT_EQ(config.durability, Durability::Full);
  EXPECT_EQ(config.memoryBudgetBytes, 16u << 20);
  EXPECT_EQ(config.commitMaxReadings, 10000u);
  EXPECT_EQ(config.commitMaxDelay.count(), 5);
  EXPECT_EQ(config.shutdownTimeout.count(), 10000);
  EXPECT_EQ(config.maxReadingAgeMs, 7LL * 24 * 3600 * 1000);
  EXPECT_EQ(config.maxReadingSkewMs, 600000);
  EXPECT_EQ(config.priorityWeights[static_cast<size_t>(Priority::Low)], 0.5);
  EXPECT_EQ(config.metricsListen, "127.0.0.1:9464");
  EXPECT_EQ(config.privacyPolicy, folder / "policy.json");
  EXPECT_TRUE(config.privacyPolicyJson.empty());
  EXPECT_EQ(config.rulesLibrary, folder / "rules.so");
  // Relative to the config file's folder, like every other path that is not a kernel library.
  EXPECT_EQ(config.trustedKeys, std::vector<fs::path>{folder / "owner.pub"});
  EXPECT_FALSE(config.allowUnsignedKernels);
  EXPECT_EQ(config.storeMaxBytes, 256LL << 20);
  EXPECT_EQ(config.queueMaxBytes, 128LL << 20);

  ASSERT_EQ(config.sources.size(), 3u);
  EXPECT_EQ(config.sources[0].name, "replay");
  const auto &replay = std::get<ReplayConfig>(config.sources[0].settings);
  EXPECT_EQ(replay.path, (folder / "replay.csv").string());
  EXPECT_EQ(replay.format, ReplayFormat::Csv);
  EXPECT_EQ(replay.pacing, ReplayPacing::AsFastAsPossible);
  EXPECT_EQ(replay.batchSize, 4096u);
  const auto &mqtt = std::get<MqttSourceConfig>(config.sources[1].settings);
  EXPECT_EQ(mqtt.clientId, "gateway-1");
  EXPECT_FALSE(mqtt.cleanSession);
  ASSERT_EQ(mqtt.topics.size(), 2u);
  EXPECT_EQ(mqtt.topics[0].filter, "sensors/+/temp");
  EXPECT_EQ(mqtt.topics[0].sensor, "temp.{1}");
  EXPECT_EQ(mqtt.topics[0].payload, MqttPayload::Number);
  EXPECT_EQ(mqtt.maxPayloadBytes, 64u * 1024);
  const auto &http = std::get<HttpSourceConfig>(config.sources[2].settings);
  EXPECT_EQ(http.host, "127.0.0.1");
  EXPECT_EQ(http.port, 8080);
  EXPECT_EQ(http.path, "/ingest");
  EXPECT_EQ(http.maxBodyBytes, 1u << 20);
  EXPECT_EQ(http.retryAfter.count(), 1);
  EXPECT_EQ(http.threads, 4);

  ASSERT_EQ(config.pipelines.size(), 2u);
  const PipelineConfig &climate = config.pipelines[0];
  EXPECT_EQ(climate.sensors, std::vector<std::string>{"temp.*"});
  ASSERT_TRUE(climate.window.has_value());
  EXPECT_EQ(climate.window->kind, WindowKind::Tumbling);
  EXPECT_EQ(climate.window->sizeMs, 10000);
  EXPECT_EQ(climate.window->slideMs, 10000);
  EXPECT_EQ(climate.window->allowedLatenessMs, 2000);
  ASSERT_EQ(climate.aggregates.size(), 3u);
  EXPECT_EQ(climate.aggregates[1].name, "max");
  EXPECT_EQ(climate.aggregates[1].kernel.library, folder / "windows.so");
  EXPECT_EQ(climate.aggregates[1].kernel.function, "maximum");
  ASSERT_EQ(climate.rules.size(), 3u);
  EXPECT_EQ(climate.rules[0].input, RuleInput::Readings);
  EXPECT_EQ(climate.rules[0].severity, Severity::Critical);
  EXPECT_EQ(climate.rules[1].input, RuleInput::Windows);
  EXPECT_EQ(climate.rules[2].when, "mean > 30.0 and max - min > 5.0");
  EXPECT_EQ(climate.store.readingsEvery, 1u);
  EXPECT_EQ(climate.sync.readingsEvery, 0u);
  const PipelineConfig &machines = config.pipelines[1];
  EXPECT_EQ(machines.priority, Priority::High);
  EXPECT_EQ(machines.sensors, (std::vector<std::string>{"vibration.*", "power.*"}));
  EXPECT_EQ(machines.window->kind, WindowKind::Count);
  EXPECT_EQ(machines.window->sizeCount, 20u);
  EXPECT_EQ(machines.window->slideCount, 10u);
  EXPECT_EQ(machines.sync.readingsEvery, 10u);

  ASSERT_EQ(config.uplinks.size(), 1u);
  EXPECT_EQ(config.uplinks[0].kind, UplinkKind::Http);
  EXPECT_EQ(config.uplinks[0].url, "http://127.0.0.1:9000/ingest");
  EXPECT_EQ(config.uplinks[0].headers,
            std::vector<std::string>{"Authorization: Bearer example-token"});
  EXPECT_EQ(config.uplinks[0].maxBatchBytes, 512u * 1024);
  EXPECT_FALSE(config.telemetry.sync);
  EXPECT_EQ(config.telemetry.interval.count(), 60000);
}

TEST(GoodConfig, ExampleGatewayConfigLoads) {
  ConfigLoad load = loadConfigFile(kExamples / "gateway.yaml");
  ASSERT_TRUE(load.ok()) << problemsOf(load);
  expectGatewayConfig(*load.config, kExamples);
}

// Checking a policy that hashes must not create its key file: `pyvc-agent check` changes nothing.
TEST(GoodConfig, LoadingCreatesNoKeyFile) {
  pyvc::testing::TemporaryFolder folder;
  fs::copy_file(kExamples / "gateway.yaml", folder / "gateway.yaml");
  fs::copy_file(kExamples / "policy.json", folder / "policy.json");
  ConfigLoad load = loadConfigFile(folder / "gateway.yaml");
  ASSERT_TRUE(load.ok()) << problemsOf(load);
  expectGatewayConfig(*load.config, folder.path());
  EXPECT_FALSE(fs::exists(folder / "privacy.key"));
  EXPECT_EQ(std::distance(fs::directory_iterator(folder.path()), fs::directory_iterator()), 2);
}

// JSON is YAML: the gateway config written as JSON (by CPython, from the YAML) loads the same.
TEST(GoodConfig, JsonConfigLoadsTheSame) {
  pyvc::testing::TemporaryFolder folder;
  fs::copy_file(kExamples / "policy.json", folder / "policy.json");
  // PyYAML reads YAML 1.1, where the key `on` is the boolean true; yaml-cpp (YAML 1.2) and the
  // loader read it as the string "on", so the conversion puts it back.
  std::string command =
      "python3 -c 'import json,sys,yaml\n"
      "def fix(o):\n"
      "  if isinstance(o, dict): return {(\"on\" if k is True else k): fix(v) for k, v in "
      "o.items()}\n"
      "  if isinstance(o, list): return [fix(v) for v in o]\n"
      "  return o\n"
      "json.dump(fix(yaml.safe_load(open(sys.argv[1]))), open(sys.argv[2], \"w\"), indent=1)' " +
      (kExamples / "gateway.yaml").string() + " " + (folder / "gateway.json").string();
  if (std::system(command.c_str()) != 0)
    GTEST_SKIP() << "python3 with PyYAML is needed to write the JSON form";
  ConfigLoad load = loadConfigFile(folder / "gateway.json");
  ASSERT_TRUE(load.ok()) << problemsOf(load);
  expectGatewayConfig(*load.config, folder.path());
}

TEST(GoodConfig, HandWrittenJsonConfig) {
  pyvc::testing::TemporaryFolder folder;
  writeFile(folder / "agent.json", R"({
  "privacy": {"policy_inline": {"default": "allow"}},
  "sources": [{"name": "sim", "type": "simulator", "rate": 50, "seed": 7,
               "sensors": [{"pattern": "t{}", "count": 3, "shape": "constant", "base": 1.5}]}],
  "pipelines": [{"name": "p", "sensors": ["t*"], "window": {"type": "hopping", "size": "1m", "slide": "15s"}}],
  "metrics": {"listen": "off"}
})");
  ConfigLoad load = loadConfigFile(folder / "agent.json");
  ASSERT_TRUE(load.ok()) << problemsOf(load);
  const AgentConfig &config = *load.config;
  EXPECT_EQ(config.privacyPolicyJson, R"({"default":"allow"})");
  EXPECT_EQ(config.privacyPolicyBase, folder.path());
  EXPECT_EQ(config.metricsListen, "");
  EXPECT_EQ(config.dataDir, folder / "pyvc-agent-data");
  const auto &simulator = std::get<SimulatorConfig>(config.sources[0].settings);
  EXPECT_EQ(simulator.ratePerSecond, 50.0);
  EXPECT_EQ(simulator.seed, 7u);
  EXPECT_EQ(simulator.sensors[0].count, 3u);
  EXPECT_EQ(simulator.sensors[0].shape, SignalShape::Constant);
  EXPECT_EQ(simulator.sensors[0].base, 1.5);
  EXPECT_EQ(config.pipelines[0].window->kind, WindowKind::Hopping);
  EXPECT_EQ(config.pipelines[0].window->sizeMs, 60000);
  EXPECT_EQ(config.pipelines[0].window->slideMs, 15000);
}

TEST(GoodConfig, EmbeddedDefaultLoadsWithItsKernelFolder) {
  ::unsetenv("PYVC_KERNEL_DIR");
  ConfigLoad load = loadEmbeddedDefaultConfig();
  ASSERT_TRUE(load.ok()) << problemsOf(load);
  const AgentConfig &config = *load.config;
  EXPECT_EQ(config.file, "<embedded default>");
  EXPECT_EQ(config.dataDir, fs::current_path() / "pyvc-agent-data");
  // Found from this executable (build/bin/..): the build tree's kernel folder, without symbolic
  // links, as /proc/self/exe gives it.
  const fs::path kernelDir = fs::weakly_canonical(PYVC_DEFAULT_KERNEL_DIR);
  EXPECT_EQ(config.kernelDir, kernelDir);
  EXPECT_EQ(config.rulesLibrary, kernelDir / "default-rules.so");
  // The build's example kernels are not signed: the development default opts out, visibly.
  EXPECT_TRUE(config.allowUnsignedKernels);
  EXPECT_TRUE(config.trustedKeys.empty());
  EXPECT_FALSE(config.privacyPolicyJson.empty());
  EXPECT_TRUE(config.uplinks.empty());
  ASSERT_EQ(config.pipelines.size(), 2u);
  const PipelineConfig &climate = config.pipelines[0];
  ASSERT_EQ(climate.aggregates.size(), 3u);
  EXPECT_EQ(climate.aggregates[2].kernel.library, kernelDir / "windows.so");
  EXPECT_EQ(climate.aggregates[2].kernel.function, "minimum");
  ASSERT_EQ(climate.rules.size(), 2u);
  EXPECT_EQ(climate.rules[0].when, "value > 35.0");
  EXPECT_EQ(climate.rules[1].when, "max - min > 5.0");
  const auto &simulator = std::get<SimulatorConfig>(config.sources[0].settings);
  EXPECT_EQ(simulator.ratePerSecond, 200.0);
  EXPECT_EQ(simulator.sensors[0].count + simulator.sensors[1].count, 25u);

  ::setenv("PYVC_KERNEL_DIR", "/opt/kernels", 1);
  ConfigLoad moved = loadEmbeddedDefaultConfig();
  ::unsetenv("PYVC_KERNEL_DIR");
  ASSERT_TRUE(moved.ok()) << problemsOf(moved);
  EXPECT_EQ(moved.config->rulesLibrary, fs::path("/opt/kernels/default-rules.so"));
}

TEST(GoodConfig, EmbeddedTextIsTheDefaultConfigFile) {
  std::ifstream input(fs::path(PYVC_SOURCE_DIR) / "runtime/config/default-config.yaml",
                      std::ios::binary);
  std::stringstream text;
  text << input.rdbuf();
  EXPECT_EQ(embeddedDefaultConfig(), text.str());
}

TEST(GoodConfig, MinimalConfigGetsTheDocumentedDefaults) {
  ConfigLoad load = loadConfigText("privacy: {policy_inline: {default: drop}}\n"
                                   "sources: [{name: s, type: http}]\n"
                                   "pipelines: [{name: p, sensors: x}]\n",
                                   "/etc/pyvc/agent.yaml");
  ASSERT_TRUE(load.ok()) << problemsOf(load);
  const AgentConfig &config = *load.config;
  EXPECT_EQ(config.dataDir, fs::path("/etc/pyvc/pyvc-agent-data"));
  EXPECT_EQ(config.kernelDir, fs::path("/etc/pyvc"));
  EXPECT_EQ(config.logLevel, "info");
  EXPECT_EQ(config.memoryBudgetBytes, 16u << 20);
  EXPECT_EQ(config.workers, 1u);
  EXPECT_EQ(config.durability, Durability::Normal);
  EXPECT_EQ(config.priorityWeights[0], 4.0);
  EXPECT_EQ(config.metricsListen, "127.0.0.1:9464");
  const auto &http = std::get<HttpSourceConfig>(config.sources[0].settings);
  EXPECT_EQ(http.port, 8080);
  EXPECT_EQ(http.ackTimeout.count(), 10000);
  const PipelineConfig &pipeline = config.pipelines[0];
  EXPECT_EQ(pipeline.priority, Priority::Normal);
  EXPECT_FALSE(pipeline.window.has_value());
  EXPECT_EQ(pipeline.store.readingsEvery, 1u);
  EXPECT_EQ(pipeline.sync.readingsEvery, 0u);
  EXPECT_TRUE(pipeline.sync.events);
}

} // namespace
