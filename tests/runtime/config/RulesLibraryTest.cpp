// `pyvc compile --config` end to end, with the real compiler: the example gateway config's rules
// become rules.py (which CPython parses) and rules.so (which the runtime loader opens), the
// manifest's source_sha256 is ruleModuleSha256(config), and every rule function answers as
// CPython running rules.py answers, on inputs at and around the rules' thresholds.
#include "config/ConfigLoader.h"
#include "config/RuleModule.h"
#include "loader/KernelLibrary.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace pyvc::agent;
using pyvc::loader::KernelLibrary;
using pyvc::loader::Value;

namespace {

const fs::path kExamples = fs::path(PYVC_SOURCE_DIR) / "examples/agent";

struct CommandResult {
  int status;
  std::string output; // stdout and stderr
};

CommandResult run(const std::string &command) {
  CommandResult result{-1, ""};
  FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return result;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string readFile(const fs::path &path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream text;
  text << input.rdbuf();
  return text.str();
}

std::string compileCommand(const pyvc::testing::TemporaryFolder &folder,
                           const std::string &arguments) {
  return "PYVC_CACHE_DIR=" + (folder / "cache").string() + " " + PYVC_BINARY + " compile " +
         arguments;
}

// Inputs where the gateway's rules change their answer, and the awkward floats.
const std::vector<double> kValues = {-1e300, -3.5, 0.0,       4.0,   5.0, 15.999,  16.0,
                                     30.0,   35.0, 35.000001, 1e300, NAN, INFINITY};

TEST(RulesLibrary, GatewayRulesCompileLoadAndAgreeWithCPython) {
  ConfigLoad load = loadConfigFile(kExamples / "gateway.yaml");
  ASSERT_TRUE(load.ok());
  const AgentConfig &config = *load.config;
  pyvc::testing::TemporaryFolder folder;
  fs::path library = folder / "rules.so";
  CommandResult compiled = run(compileCommand(
      folder, "--config " + (kExamples / "gateway.yaml").string() + " -o " + library.string()));
  ASSERT_EQ(compiled.status, 0) << compiled.output;
  EXPECT_EQ(compiled.output, "");

  fs::path module = folder / "rules.py";
  ASSERT_EQ(readFile(module), ruleModuleSource(config));
  auto opened = KernelLibrary::open(library.string());
  ASSERT_TRUE(opened) << opened.error().message;
  const KernelLibrary &rules = **opened;
  EXPECT_EQ(rules.manifest().sourceSha256, ruleModuleSha256(config));

  // CPython's answers: every function over every combination of kValues for its parameters
  // (itertools.product order: the last parameter varies fastest).
  std::string script =
      "import importlib.util, itertools, math, sys\n"
      "spec = importlib.util.spec_from_file_location('rules', sys.argv[1])\n"
      "rules = importlib.util.module_from_spec(spec); spec.loader.exec_module(rules)\n"
      "values = [float(v) for v in sys.argv[3].split(',')]\n"
      "for name, arity in (a.split(':') for a in sys.argv[2].split(',')):\n"
      "  for args in itertools.product(values, repeat=int(arity)):\n"
      "    print(name, int(getattr(rules, name)(*args)))\n";
  fs::path scriptFile = folder / "answers.py";
  std::ofstream(scriptFile) << script;
  std::string functions, values;
  std::vector<std::pair<std::string, size_t>> arities;
  for (const PipelineConfig &pipeline : config.pipelines)
    for (const RuleConfig &rule : pipeline.rules) {
      arities.emplace_back(ruleFunctionName(pipeline, rule), ruleParameters(pipeline, rule).size());
      functions += (functions.empty() ? "" : ",") + arities.back().first + ":" +
                   std::to_string(arities.back().second);
    }
  for (double value : kValues) {
    std::ostringstream text;
    text.precision(17);
    text << value;
    values += (values.empty() ? "" : ",") + text.str();
  }
  CommandResult answers = run("python3 " + scriptFile.string() + " " + module.string() + " " +
                              functions + " " + values);
  ASSERT_EQ(answers.status, 0) << answers.output;

  std::string ours;
  for (const auto &[name, arity] : arities) {
    const pyvc::loader::KernelFunction *function = rules.function(name);
    ASSERT_NE(function, nullptr) << name;
    size_t combinations = 1;
    for (size_t k = 0; k < arity; ++k)
      combinations *= kValues.size();
    for (size_t combination = 0; combination < combinations; ++combination) {
      std::vector<Value> arguments(arity);
      for (size_t k = arity, rest = combination; k-- > 0; rest /= kValues.size())
        arguments[k] = Value::floating(kValues[rest % kValues.size()]);
      auto outcome = function->call(arguments);
      ASSERT_TRUE(outcome.ok()) << name;
      ASSERT_TRUE(outcome.value().isBool()) << name;
      ours += name + " " + (outcome.value().asBool() ? "1" : "0") + "\n";
    }
  }
  EXPECT_EQ(ours, answers.output);
  // The thresholds do split the inputs: each function answers both ways somewhere.
  for (const auto &[name, arity] : arities) {
    EXPECT_NE(ours.find(name + " 1\n"), std::string::npos) << name;
    EXPECT_NE(ours.find(name + " 0\n"), std::string::npos) << name;
  }
}

// Without -o the library goes where the config's rules_library says.
TEST(RulesLibrary, OutputDefaultsToTheConfigsRulesLibrary) {
  pyvc::testing::TemporaryFolder folder;
  fs::copy_file(kExamples / "gateway.yaml", folder / "gateway.yaml");
  fs::copy_file(kExamples / "policy.json", folder / "policy.json");
  CommandResult compiled =
      run(compileCommand(folder, "--config " + (folder / "gateway.yaml").string() + " -O3"));
  ASSERT_EQ(compiled.status, 0) << compiled.output;
  EXPECT_TRUE(fs::exists(folder / "rules.so"));
  EXPECT_TRUE(fs::exists(folder / "rules.py"));
  EXPECT_FALSE(fs::exists(folder / "privacy.key"));
}

TEST(RulesLibrary, ConfigProblemsAreReportedAndNothingIsWritten) {
  pyvc::testing::TemporaryFolder folder;
  std::ofstream(folder / "agent.yaml")
      << "privacy: {policy_inline: {default: drop}}\n"
         "rules_library: rules.so\n"
         "sources: [{name: s, type: http}]\n"
         "pipelines: [{name: p, sensors: x, rules: [{name: r, when: 'valu > 1'}]}]\n"
         "kernels: {allow_unsigned: true}\n";
  CommandResult compiled =
      run(compileCommand(folder, "--config " + (folder / "agent.yaml").string()));
  EXPECT_EQ(compiled.status, 1);
  EXPECT_EQ(
      compiled.output,
      (folder / "agent.yaml").string() +
          ":4: pipelines[0].rules[0].when: unknown name `valu`; a reading rule sees only `value`\n"
          "error: " +
          (folder / "agent.yaml").string() + " has 1 problem\n");
  EXPECT_FALSE(fs::exists(folder / "rules.py"));
  EXPECT_FALSE(fs::exists(folder / "rules.so"));
}

TEST(RulesLibrary, ConfigWithoutInlineRulesIsAnError) {
  pyvc::testing::TemporaryFolder folder;
  std::ofstream(folder / "agent.yaml") << "privacy: {policy_inline: {default: drop}}\n"
                                          "sources: [{name: s, type: http}]\n"
                                          "pipelines: [{name: p, sensors: x}]\n";
  CommandResult compiled =
      run(compileCommand(folder, "--config " + (folder / "agent.yaml").string() + " -o " +
                                     (folder / "r.so").string()));
  EXPECT_EQ(compiled.status, 1);
  EXPECT_EQ(compiled.output, "error: " + (folder / "agent.yaml").string() +
                                 " has no inline rules (`when:`): there is nothing to compile\n");
}

TEST(RulesLibrary, FileAndConfigTogetherIsAUsageError) {
  pyvc::testing::TemporaryFolder folder;
  CommandResult both = run(compileCommand(folder, "x.py --config agent.yaml"));
  EXPECT_EQ(both.status, 2) << both.output;
  CommandResult neither = run(compileCommand(folder, "-o x.so"));
  EXPECT_EQ(neither.status, 2) << neither.output;
  EXPECT_NE(neither.output.find("FILE or --config CONFIG is required"), std::string::npos)
      << neither.output;
}

} // namespace
