// Malformed configs, one file each under bad/, with the problems the loader must report written
// at the top of the file as `# expect: agent.yaml:LINE: key: problem` lines, in order. Each file is
// loaded as agent.yaml from a scratch folder that also holds bad/policy.json, so relative paths
// and messages are the same wherever the tests run.
#include "config/ConfigLoader.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace pyvc::agent;

namespace {

const fs::path kBadFolder = fs::path(PYVC_SOURCE_DIR) / "tests/runtime/config/bad";

std::vector<std::string> badConfigNames() {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(kBadFolder))
    if (entry.path().extension() == ".yaml")
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string readFile(const fs::path &path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream text;
  text << input.rdbuf();
  return text.str();
}

std::vector<std::string> expectedProblems(const std::string &text) {
  std::vector<std::string> expected;
  std::istringstream lines(text);
  std::string line;
  const std::string marker = "# expect: ";
  while (std::getline(lines, line) && line.rfind(marker, 0) == 0)
    expected.push_back(line.substr(marker.size()));
  return expected;
}

// The problems as printed, with the scratch folder taken out of paths.
std::vector<std::string> reportedProblems(const ConfigLoad &load, const fs::path &folder) {
  std::vector<std::string> reported;
  std::string prefix = folder.string() + "/";
  for (const ConfigProblem &problem : load.problems) {
    std::string text = problem.str();
    for (size_t at; (at = text.find(prefix)) != std::string::npos;)
      text.erase(at, prefix.size());
    reported.push_back(text);
  }
  return reported;
}

class BadConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(BadConfig, ReportsExactlyTheExpectedProblems) {
  std::string text = readFile(kBadFolder / (GetParam() + ".yaml"));
  std::vector<std::string> expected = expectedProblems(text);
  ASSERT_FALSE(expected.empty()) << "no `# expect:` line in " << GetParam();
  pyvc::testing::TemporaryFolder folder;
  fs::copy_file(kBadFolder / "policy.json", folder / "policy.json");
  std::ofstream(folder / "agent.yaml", std::ios::binary) << text;

  ConfigLoad load = loadConfigFile(folder / "agent.yaml");

  EXPECT_FALSE(load.ok());
  EXPECT_FALSE(load.config.has_value()) << "a config with problems must not be handed out";
  EXPECT_EQ(reportedProblems(load, folder.path()), expected);
}

INSTANTIATE_TEST_SUITE_P(Files, BadConfig, ::testing::ValuesIn(badConfigNames()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return "n" + name;
                         });

TEST(BadConfigSet, HasAtLeastTwentyFiveFiles) { EXPECT_GE(badConfigNames().size(), 25u); }

// Every problem in one run: a config with problems in five sections reports all of them.
TEST(BadConfigSet, ReportsProblemsFromEverySectionInOneRun) {
  ConfigLoad load = loadConfigText("agent: {workers: 0}\n"
                                   "store: {retention: forever}\n"
                                   "sources: [{name: s, type: replay}]\n"
                                   "pipelines: [{name: p, sensors: 'a.*', priority: top}]\n"
                                   "uplinks: [{name: u, type: http}]\n",
                                   "agent.yaml");
  std::vector<std::string> keys;
  for (const ConfigProblem &problem : load.problems)
    keys.push_back(problem.key);
  // By line; within line 1 in the order the loader reads sections (agent before privacy).
  std::vector<std::string> expected = {"agent.workers",         "privacy",
                                       "store.retention",       "sources[0].path",
                                       "pipelines[0].priority", "uplinks[0].url"};
  EXPECT_EQ(keys, expected);
}

TEST(BadConfigSet, MissingFileIsOneProblemWithoutLine) {
  ConfigLoad load = loadConfigFile("/nonexistent/agent.yaml");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].str(),
            "/nonexistent/agent.yaml: cannot read the config file: No such file or directory");
}

TEST(BadConfigSet, EmptyDocumentNamesEveryRequiredSection) {
  ConfigLoad load = loadConfigText("", "agent.yaml");
  std::vector<std::string> printed;
  for (const ConfigProblem &problem : load.problems)
    printed.push_back(problem.str());
  std::vector<std::string> expected = {
      "agent.yaml:1: privacy: is required (a policy file or policy_inline)",
      "agent.yaml:1: sources: is required (at least one source)",
      "agent.yaml:1: pipelines: is required (at least one pipeline)"};
  EXPECT_EQ(printed, expected);
}

TEST(BadConfigSet, TopLevelListIsRefused) {
  ConfigLoad load = loadConfigText("- a\n- b\n", "agent.yaml");
  ASSERT_EQ(load.problems.size(), 1u);
  EXPECT_EQ(load.problems[0].str(), "agent.yaml:1: expected a mapping of keys, got a list");
}

} // namespace
