// docs/AGENT.md documents every key the loader accepts: each entry of the key table
// (config/ConfigKeys.h) has a table row starting with its full path, and a key that belongs to
// one source or uplink type names that type in its row.
#include "config/ConfigKeys.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace pyvc::agent;

TEST(Documentation, EveryKeyHasARowInAgentMd) {
  std::ifstream input(std::filesystem::path(PYVC_SOURCE_DIR) / "docs/AGENT.md");
  ASSERT_TRUE(input) << "docs/AGENT.md is missing";
  std::vector<std::string> lines;
  for (std::string line; std::getline(input, line);)
    lines.push_back(line);
  size_t checked = 0;
  for (const ConfigKey &key : configKeys()) {
    std::string start = "| `" + key.path() + "` |";
    bool found = false;
    for (const std::string &line : lines)
      if (line.rfind(start, 0) == 0 &&
          (key.kind.empty() || line.find("| " + std::string(key.kind) + " |") != std::string::npos))
        found = true;
    EXPECT_TRUE(found) << "docs/AGENT.md has no row `" << start << "`"
                       << (key.kind.empty() ? "" : " for type " + std::string(key.kind));
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

// The loader finds a key's allowed siblings in the table: every section a key lives in is itself
// a key (or a list of them) of its parent section.
TEST(Documentation, EverySectionIsAKeyOfItsParent) {
  for (const ConfigKey &key : configKeys()) {
    if (key.section.empty())
      continue;
    std::string section(key.section);
    if (section.size() > 2 && section.substr(section.size() - 2) == "[]")
      section.resize(section.size() - 2);
    size_t dot = section.rfind('.');
    std::string parent = dot == std::string::npos ? "" : section.substr(0, dot);
    std::string name = dot == std::string::npos ? section : section.substr(dot + 1);
    bool found = false;
    for (const ConfigKey &other : configKeys())
      if (other.section == parent && other.key == name)
        found = true;
    EXPECT_TRUE(found) << key.path();
  }
}
