// The command line of `pyvc compile` and `pyvc explain`, and how an outcome is reported.
#include "CommandLine.h"

#include "compiler/Version.h"
#include "pyvc/kernel_symbols.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::tools {

using namespace pyvc::compiler;

namespace {

bool useColor(const std::string &mode) {
  if (mode == "always")
    return true;
  if (mode == "never")
    return false;
  const char *term = std::getenv("TERM");
  return isatty(2) && !std::getenv("NO_COLOR") && term && std::string(term) != "dumb";
}

constexpr const char *kIrAfterPrefix = "ir-after=";

EmitKind emitKindOf(const CommandLine &line) {
  if (line.explain)
    return EmitKind::So;
  if (line.emit.rfind(kIrAfterPrefix, 0) == 0)
    return EmitKind::IrAfter;
  return *parseEmitKind(line.emit); // CLI11 checked the name
}

// --emit's values: the emit kinds, and ir-after=PASS (the driver checks the pass name).
std::string checkEmitName(const std::string &name) {
  if (name.rfind(kIrAfterPrefix, 0) == 0 && name.size() > std::string_view(kIrAfterPrefix).size())
    return "";
  std::optional<EmitKind> kind = parseEmitKind(name);
  if (kind && *kind != EmitKind::IrAfter)
    return "";
  return name + " is not one of tokens, ast, ir, ir-after=PASS, llvm, asm, obj, so, header, manifest";
}

// FILE.py -> FILE.so (or FILE.o) next to the input.
std::string defaultOutputPath(const std::string &source, EmitKind emit) {
  std::string base = source;
  size_t slash = base.find_last_of('/');
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash))
    base.resize(dot);
  return base + (emit == EmitKind::Obj ? ".o" : ".so");
}

std::string fileName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Writes through a temporary file and rename, so a reader never sees half a library. An output
// that exists and is not a regular file (/dev/null, a pipe, a symbolic link such as /dev/stdout)
// is written to directly: renaming over it would replace the device, the pipe or the link.
bool writeOutput(const std::string &path, const std::string &bytes) {
  struct stat status {};
  if (lstat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode)) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    return out.good();
  }
  std::string temporary = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      return false;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.good()) {
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

void printTimings(const CompileOutcome &outcome) {
  double total = 0;
  for (const PhaseTiming &timing : outcome.timings) {
    std::fprintf(stderr, "phase %-11s %8.3f ms\n", timing.phase.c_str(), timing.milliseconds);
    total += timing.milliseconds;
  }
  std::fprintf(stderr, "phase %-11s %8.3f ms%s\n", "total", total, outcome.cacheHit ? " (cache hit)" : "");
}

void addTargetOptions(CLI::App &command, CommandLine &line) {
  // Not a CLI11 choice list: an unknown target is an environment error (exit 3), not usage.
  std::string names;
  for (const std::string &name : targetNames())
    names += (names.empty() ? "" : "|") + name;
  command.add_option("--target", line.target, "Target to compile for: " + names)->default_str("host");
  command.add_option("-O", line.optLevel, "Optimisation level: -O0, -O1, -O2 (default) or -O3")
      ->check(CLI::Range(0, 3))
      ->default_str("2");
  command.add_flag("--strict-fp", line.strictFp,
                   "Keep CPython's sequential order in float sums (bit-identical to CPython)");
  command.add_flag("--time-phases", line.timePhases, "Print the time each phase took on stderr");
}

} // namespace

std::variant<CommandLine, int> parseCommandLine(int argc, char **argv) {
  CLI::App app{"pyvc: compiles type-annotated Python kernels ahead of time to native shared "
               "libraries (aarch64+NEON, x86-64)"};
  app.set_version_flag("--version", compilerVersionString());
  app.require_subcommand(1);
  CommandLine line;

  CLI::App *compile = app.add_subcommand("compile", "Compile FILE.py to a .so (or another --emit)");
  CLI::Option *file = compile->add_option("FILE", line.file, "The kernel file (.py)");
  CLI::Option *config = compile->add_option(
      "--config", line.config,
      "Instead of FILE: the inline rules (`when:`) of this pyvc-agent config, written to the "
      "output's name with .py and compiled; -o defaults to the config's rules_library");
  config->excludes(file);
  compile->add_option("-o", line.output, "Output path ('-' for stdout); default FILE.so next to "
                                         "the input, or stdout for textual emits");
  compile->add_option("--module-name", line.moduleName,
                      "The library's module name, in every exported symbol (pyvc_NAME_fn_...); "
                      "default: FILE's name made a C identifier")
      ->check([](const std::string &name) {
        return abi::isModuleName(name) ? std::string() : "`" + name + "` is not a C identifier";
      });
  addTargetOptions(*compile, line);
  compile->add_flag("--no-cache", line.noCache, "Bypass the compile cache ($PYVC_CACHE_DIR, "
                                                "default ~/.cache/pyvc)");
  compile->add_option("--emit", line.emit,
                      "What to produce: tokens, ast, ir, ir-after=PASS, llvm, asm, obj, so, header, manifest")
      ->check(CLI::Validator(checkEmitName, "EMIT", "emit kind"))
      ->default_str("so");
  compile->add_flag("--print-after-all", line.printAfterAll,
                    "Print the kernel IR after every IR pass on stderr (not cached)");
  compile->add_option("--diag-format", line.diagFormat, "Diagnostics as text or JSON")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  compile->add_option("--color", line.color, "Colour diagnostics")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_str("auto");

  CLI::App *explain = app.add_subcommand(
      "explain", "Show each function's types, classification, errors, and which loops vectorize");
  explain->add_option("FILE", line.file, "The kernel file (.py)")->required();
  addTargetOptions(*explain, line);

  // Signing is parsed by pyvc-keys, which links OpenSSL; here each subcommand only takes what
  // follows it (its --help too) and hands it over.
  static constexpr const char *kSigningHelp[] = {
      "Make an Ed25519 key pair for signing kernel libraries: NAME.key and NAME.pub",
      "Sign LIB.so with a private key (--key): writes LIB.so.sig next to it",
      "Check LIB.so's signature against trusted public keys (--trusted-key), as the agent does"};
  std::vector<CLI::App *> signing;
  for (size_t i = 0; i < std::size(kSigningCommands); ++i) {
    CLI::App *command = app.add_subcommand(kSigningCommands[i], kSigningHelp[i]);
    command->prefix_command();
    command->set_help_flag();
    signing.push_back(command);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &) {
    std::cout << app.help();
    return ExitOk;
  } catch (const CLI::CallForAllHelp &) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return ExitOk;
  } catch (const CLI::CallForVersion &) {
    std::cout << compilerVersionString() << "\n";
    return ExitOk;
  } catch (const CLI::ParseError &error) {
    // CLI11 reports subcommand help requests as CallForHelp raised inside the subcommand.
    if (error.get_exit_code() == 0) {
      app.exit(error);
      return ExitOk;
    }
    std::cerr << "error: " << error.what() << "\n" << "Run with --help for more information.\n";
    return ExitUsage;
  }
  for (CLI::App *command : signing)
    if (command->parsed()) {
      line.signingArguments = command->remaining();
      line.signingArguments.insert(line.signingArguments.begin(), command->get_name());
      return line;
    }
  line.explain = explain->parsed();
  if (!line.explain && line.file.empty() && line.config.empty()) {
    std::cerr << "error: compile: FILE or --config CONFIG is required\n"
              << "Run with --help for more information.\n";
    return ExitUsage;
  }
  if (!line.config.empty() && line.output == "-") {
    std::cerr << "error: compile --config writes a rules library next to its module; -o must be "
                 "a file\n";
    return ExitUsage;
  }
  return line;
}

std::vector<std::string> argumentsOf(const CommandLine &line) {
  std::vector<std::string> arguments = {line.explain ? "explain" : "compile"};
  if (!line.file.empty())
    arguments.push_back(line.file);
  if (!line.output.empty())
    arguments.insert(arguments.end(), {"-o", line.output});
  if (!line.config.empty())
    arguments.insert(arguments.end(), {"--config", line.config});
  if (!line.moduleName.empty())
    arguments.insert(arguments.end(), {"--module-name", line.moduleName});
  arguments.insert(arguments.end(), {"--target", line.target, "-O" + std::to_string(line.optLevel)});
  if (line.strictFp)
    arguments.push_back("--strict-fp");
  if (line.timePhases)
    arguments.push_back("--time-phases");
  if (line.explain)
    return arguments;
  if (line.noCache)
    arguments.push_back("--no-cache");
  if (line.printAfterAll)
    arguments.push_back("--print-after-all");
  arguments.insert(arguments.end(),
                   {"--emit", line.emit, "--diag-format", line.diagFormat, "--color", line.color});
  return arguments;
}

CompileOptions compileOptionsOf(const CommandLine &line) {
  EmitKind emit = emitKindOf(line);
  CompileOptions options;
  options.sourcePath = line.file;
  options.moduleName = line.moduleName;
  options.targetName = line.target;
  options.optLevel = line.optLevel;
  options.strictFp = line.strictFp;
  options.useCache = !line.noCache && !line.explain && !line.printAfterAll;
  options.emit = emit;
  if (emit == EmitKind::IrAfter)
    options.irAfterPass = line.emit.substr(std::string_view(kIrAfterPrefix).size());
  options.printAfterAll = line.printAfterAll;
  options.jsonDiagnostics = line.diagFormat == "json";
  options.color = useColor(line.color);
  std::string output = line.output.empty() || line.output == "-" ? defaultOutputPath(line.file, EmitKind::So)
                                                                 : line.output;
  options.soname = fileName(output);
  return options;
}

int finish(const CompileOutcome &outcome, const CommandLine &line) {
  if (!outcome.diagnostics.empty())
    std::cerr << outcome.diagnostics << (outcome.diagnostics.back() == '\n' ? "" : "\n");
  if (!outcome.irAfterPasses.empty())
    std::cerr << outcome.irAfterPasses;
  if (line.timePhases)
    printTimings(outcome);
  if (outcome.exitCode != ExitOk) {
    if (!outcome.errorMessage.empty())
      std::cerr << "error: " << outcome.errorMessage << "\n";
    return outcome.exitCode;
  }
  EmitKind emit = emitKindOf(line);
  bool toStdout = line.explain || (line.output.empty() ? isTextualEmit(emit) : line.output == "-");
  if (toStdout) {
    std::cout << outcome.output << std::flush;
    return std::cout.good() ? ExitOk : ExitInternal;
  }
  std::string path = line.output.empty() ? defaultOutputPath(line.file, emit) : line.output;
  if (!writeOutput(path, outcome.output)) {
    std::cerr << "error: cannot write " << path << "\n";
    return ExitInternal;
  }
  return ExitOk;
}

} // namespace pyvc::tools
