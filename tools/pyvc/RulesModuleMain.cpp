// pyvc-rules-module: the config half of `pyvc compile --config CONFIG [-o LIBRARY]`. It loads the
// pyvc-agent config with the agent's own loader, writes the Python module of its inline rules
// (runtime/config/RuleModule.h) next to the library, and prints the module's and the library's
// paths. `pyvc` runs it and then compiles the module like any kernel file: so the thin, static
// `pyvc` links neither yaml-cpp nor OpenSSL and starts as fast as before.
//
//   pyvc-rules-module CONFIG [LIBRARY]    exit 0: stdout "MODULE\nLIBRARY\n"; exit 1: problems
#include "config/ConfigLoader.h"
#include "config/RuleModule.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace pyvc::agent;

namespace {

// Through a temporary file and a rename: a reader never sees half a module.
bool writeAtomically(const fs::path &path, const std::string &text) {
  fs::path temporary = path;
  temporary += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return false;
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error)
    fs::remove(temporary, error);
  return !error;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: pyvc-rules-module CONFIG [LIBRARY]\n";
    return 2;
  }
  ConfigLoad load = loadConfigFile(argv[1]);
  if (!load.ok()) {
    for (const ConfigProblem &problem : load.problems)
      std::cerr << problem.str() << "\n";
    std::cerr << "error: " << argv[1] << " has " << load.problems.size()
              << (load.problems.size() == 1 ? " problem" : " problems") << "\n";
    return 1;
  }
  const AgentConfig &config = *load.config;
  if (!hasInlineRules(config)) {
    std::cerr << "error: " << argv[1]
              << " has no inline rules (`when:`): there is nothing to compile\n";
    return 1;
  }
  fs::path library = argc == 3 ? fs::path(argv[2]) : config.rulesLibrary;
  std::error_code error;
  library = fs::absolute(library, error);
  fs::path module = library;
  module.replace_extension(".py");
  if (module == library) {
    std::cerr << "error: the rules library " << library.string()
              << " would be overwritten by its own module; name it .so\n";
    return 2;
  }
  if (!writeAtomically(module, ruleModuleSource(config))) {
    std::cerr << "error: cannot write " << module.string() << "\n";
    return 3;
  }
  std::cout << module.string() << "\n" << library.string() << "\n";
  return std::cout.good() ? 0 : 3;
}
