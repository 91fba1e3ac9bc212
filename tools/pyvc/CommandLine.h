// The `pyvc` command line (CLI11), shared by its two executables: the thin `pyvc`, which answers
// --help, --version and cache hits and execs the driver for everything else, and `pyvc-driver`,
// which compiles (DriverMain.cpp). Both parse the same arguments the same way.
#pragma once

#include "compiler/Options.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pyvc::tools {

struct CommandLine {
  bool explain = false; // `pyvc explain FILE` rather than `pyvc compile FILE`
  std::string file;
  // `pyvc compile --config CONFIG`: FILE is the rules module written from the agent config's
  // inline rules (RulesModule.h), and the output defaults to the config's rules_library.
  std::string config;
  std::string output;
  std::string moduleName; // --module-name: prefixes the exported symbols; default from FILE
  std::string target = "host";
  int optLevel = 2;
  bool strictFp = false;
  bool noCache = false;
  bool printAfterAll = false;
  std::string emit = "so";
  std::string diagFormat = "text";
  std::string color = "auto";
  bool timePhases = false;
  // `pyvc keygen | sign | verify ...`: the subcommand and its arguments, for pyvc-keys
  // (tools/pyvc-keys), which parses them itself; empty for compile and explain.
  std::vector<std::string> signingArguments;
};

// Parses argv. Returns the command line to run, or the exit status when the parse already said
// everything (help, version, a usage error, each printed here).
std::variant<CommandLine, int> parseCommandLine(int argc, char **argv);

// The subcommands that pyvc-keys runs.
inline constexpr const char *kSigningCommands[] = {"keygen", "sign", "verify"};

// The arguments that ask for `line` again (without the program name), for the driver.
std::vector<std::string> argumentsOf(const CommandLine &line);

// The compile options the command line asks for (an explanation is never cached).
compiler::CompileOptions compileOptionsOf(const CommandLine &line);

// Prints the diagnostics, any error, the --time-phases table and the output (to stdout or a file
// written through a rename); returns the exit status.
int finish(const compiler::CompileOutcome &outcome, const CommandLine &line);

} // namespace pyvc::tools
