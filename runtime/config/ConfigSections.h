// The config loader's section readers, one file per group of sections: LoadSources.cpp
// (`sources`), LoadPipelines.cpp (`pipelines`), ConfigLoader.cpp (everything else and the
// checks across sections). Internal to runtime/config.
#pragma once

#include "config/ConfigReader.h"

#include <filesystem>

namespace pyvc::agent {

// Relative paths in the config are relative to `configFolder`; kernel libraries to kernelDir.
struct PathBases {
  std::filesystem::path configFolder;
  std::filesystem::path kernelDir;
};

std::filesystem::path resolvePath(const std::filesystem::path &base, const std::string &text);

// An entry's `name`: required, 1..64 characters of letters, digits, '_', '-' and '.', and unique
// among `seen` (which it is added to).
std::optional<std::string> readEntryName(ConfigReader &reader, const Field &entry,
                                         std::vector<std::string> &seen, std::string_view what);

// "127.0.0.1:9464" -> host and port (1..65535); reports a bad form.
bool readListenAddress(ConfigReader &reader, const Field &field, std::string &host, int &port);

void loadSources(ConfigReader &reader, const Field &list, const PathBases &bases,
                 AgentConfig &config);
void loadPipelines(ConfigReader &reader, const Field &list, const PathBases &bases,
                   AgentConfig &config);

} // namespace pyvc::agent
