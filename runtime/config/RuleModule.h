// RuleModule: the Python module that holds a config's inline rule expressions (`when:`), one
// function per rule, written out by `pyvc compile --config` and compiled into the rules library.
// The text is a pure function of the config, so the agent recomputes it and compares its SHA-256
// with the library manifest's source_sha256: a missing or stale library is refused at start.
#pragma once

#include "config/AgentConfig.h"
#include "core/Result.h"

#include <string>
#include <vector>

namespace pyvc::agent {

// "def rule_climate__too_hot(value: float) -> bool:\n    return bool(value > 35.0)\n" for every
// rule with `when`, in config order, after a header comment that says how it was made. Only what
// shapes the functions is in the text (not the config's name, lines or severities), so moving or
// re-commenting a config does not make its library stale.
std::string ruleModuleSource(const AgentConfig &config);
// The function a rule's `when` compiles to: "rule_<pipeline>__<rule>" (names sanitised).
std::string ruleFunctionName(const PipelineConfig &pipeline, const RuleConfig &rule);
// The parameters of that function, in order: ["value"] for reading rules; the pipeline's
// aggregate names for window rules. All are float.
std::vector<std::string> ruleParameters(const PipelineConfig &pipeline, const RuleConfig &rule);
bool hasInlineRules(const AgentConfig &config);
// Lower-case hex SHA-256 of ruleModuleSource(config).
std::string ruleModuleSha256(const AgentConfig &config);
// The command that rebuilds the rules library, for messages:
// "pyvc compile --config agent.yaml -o rules.so".
std::string ruleBuildCommand(const AgentConfig &config);

} // namespace pyvc::agent
