// Fuzzes the agent's config loader (runtime/config/ConfigLoader.h): yaml-cpp, the key table, every
// section reader, the `when:` expression checker, the inline policy check and the rules module.
// Oracles: nothing crashes, throws or hangs; a config is handed out exactly when there is no
// problem; every problem names the file, has a message and a line inside the text; a loaded
// config's rules module has one function per inline rule and the same text twice over.
#include "FuzzSupport.h"

#include "config/ConfigLoader.h"
#include "config/RuleModule.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  // Relative paths (a policy file) resolve inside the scratch folder, never the working folder.
  const std::filesystem::path file = pyvc::fuzz::scratchFolder() / "agent.yaml";
  pyvc::agent::ConfigLoad load = pyvc::agent::loadConfigText(text, file);

  pyvc::fuzz::check(load.ok() == load.config.has_value(), "a config exactly when there are no problems");
  int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const pyvc::agent::ConfigProblem &problem : load.problems) {
    pyvc::fuzz::check(problem.file == file.string(), "every problem names the file");
    pyvc::fuzz::check(!problem.problem.empty(), "every problem has a message");
    pyvc::fuzz::check(problem.line >= 0 && problem.line <= lines + 1, "a problem's line is in the text");
  }
  if (!load.ok())
    return 0;

  const pyvc::agent::AgentConfig &config = *load.config;
  pyvc::fuzz::check(!config.sources.empty() && !config.pipelines.empty(), "sources and pipelines");
  pyvc::fuzz::check(config.privacyPolicy.empty() != config.privacyPolicyJson.empty(),
                    "exactly one privacy policy");
  std::string module = pyvc::agent::ruleModuleSource(config);
  pyvc::fuzz::check(module == pyvc::agent::ruleModuleSource(config), "the module text is a function of the config");
  size_t inlineRules = 0;
  for (const pyvc::agent::PipelineConfig &pipeline : config.pipelines)
    for (const pyvc::agent::RuleConfig &rule : pipeline.rules) {
      pyvc::fuzz::check(rule.when.empty() != !rule.function.has_value(), "`when` or `function`, one of them");
      if (rule.when.empty())
        continue;
      ++inlineRules;
      pyvc::fuzz::check(rule.when.find_first_of("\n\r;") == std::string::npos, "one-line expressions");
      pyvc::fuzz::check(module.find("def " + pyvc::agent::ruleFunctionName(pipeline, rule) + "(") !=
                            std::string::npos,
                        "every inline rule has its function");
    }
  size_t functions = 0;
  for (size_t at = module.find("\ndef "); at != std::string::npos; at = module.find("\ndef ", at + 1))
    ++functions;
  pyvc::fuzz::check(functions == inlineRules, "one function per inline rule");
  pyvc::fuzz::check(pyvc::agent::ruleModuleSha256(config).size() == 64, "a SHA-256 in hex");
  return 0;
}
