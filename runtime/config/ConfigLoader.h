// ConfigLoader: reads the agent's YAML config (JSON works too: it is YAML) into AgentConfig with
// yaml-cpp, and reports every problem it finds — not just the first — as
//   agent.yaml:14: pipelines[2].window.size: expected a duration like 10s, got `ten`
// The same loader serves `pyvc-agent check`, `run` and SIGHUP reloads.
#pragma once

#include "config/AgentConfig.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::agent {

struct ConfigProblem {
  std::string file;
  int line = 0;     // 1-based; 0 when the problem has no place (a missing file)
  std::string key;  // "pipelines[2].window.size"; empty for the whole document
  std::string problem;
  std::string str() const; // "file:line: key: problem"
};

struct ConfigLoad {
  std::optional<AgentConfig> config; // set only when there are no problems
  std::vector<ConfigProblem> problems;
  bool ok() const { return problems.empty(); }
};

ConfigLoad loadConfigFile(const std::filesystem::path &file);
// `file` names the text in messages and is the base of relative paths.
ConfigLoad loadConfigText(std::string_view yaml, const std::filesystem::path &file);

// The config `pyvc-agent run` uses without a file: a simulator, windows and rules over the
// example kernels installed with the agent, privacy, store and queue in ./pyvc-agent-data, no
// uplink. Its text is runtime/config/default-config.yaml, compiled in; relative paths in it are
// relative to the current directory, and its kernels are in $PYVC_KERNEL_DIR if set, else in the
// folder the build and the install put them in, found from the executable
// (<bin>/../lib/pyvc/kernels by default; PYVC_KERNEL_DIR_FROM_EXECUTABLE).
std::string_view embeddedDefaultConfig();
ConfigLoad loadEmbeddedDefaultConfig();

} // namespace pyvc::agent
