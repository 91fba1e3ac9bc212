// pyvc: compile type-annotated Python kernels to native .so files, or explain how they compile.
// This executable links no LLVM and starts in a few milliseconds: it parses the command line,
// answers --help, --version and cache hits, and for everything else execs `pyvc-driver`
// (DriverMain.cpp), which holds the compiler, with the same arguments. `compile --config` first
// runs pyvc-rules-module (RulesModuleMain.cpp) to write the config's rules module; `keygen`,
// `sign` and `verify` exec pyvc-keys (tools/pyvc-keys), which links OpenSSL.
#include "CommandLine.h"
#include "CrashGuard.h"
#include "compiler/CachedCompile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace pyvc::compiler;

namespace {

// $<variable>, else ../libexec/<name> next to this executable (the build tree's and an install's
// layout).
std::string libexecPath(const char *variable, const char *name) {
  if (const char *configured = std::getenv(variable); configured && *configured)
    return configured;
  std::error_code ignored;
  std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ignored);
  return (executable.parent_path().parent_path() / "libexec" / name).string();
}

std::string driverPath() { return libexecPath("PYVC_DRIVER", "pyvc-driver"); }

// `pyvc compile --config CONFIG`: pyvc-rules-module (RulesModuleMain.cpp) loads the config and
// writes its rules module; `line` then names that module and the library, as if the user had
// typed `pyvc compile rules.py -o rules.so`. Returns the exit status when it failed (the helper
// has printed why).
std::optional<int> writeRulesModule(pyvc::tools::CommandLine &line) {
  std::string helper = libexecPath("PYVC_RULES_MODULE", "pyvc-rules-module");
  std::vector<std::string> arguments = {helper, line.config};
  if (!line.output.empty())
    arguments.push_back(line.output);
  std::vector<char *> argv;
  for (std::string &argument : arguments)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  int pipeEnds[2];
  if (::pipe(pipeEnds) != 0)
    return ExitInternal;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipeEnds[0]);
  pid_t child = 0;
  int spawned = ::posix_spawn(&child, helper.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipeEnds[1]);
  std::string output;
  char buffer[4096];
  for (ssize_t n; spawned == 0 && (n = ::read(pipeEnds[0], buffer, sizeof buffer)) != 0;)
    if (n > 0)
      output.append(buffer, static_cast<size_t>(n));
    else if (errno != EINTR)
      break;
  ::close(pipeEnds[0]);
  if (spawned != 0) {
    std::cerr << "error: cannot run " << helper << ": " << std::strerror(spawned) << "\n";
    return ExitInternal;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return WIFEXITED(status) ? WEXITSTATUS(status) : ExitInternal;
  size_t newline = output.find('\n');
  if (newline == std::string::npos || output.size() < newline + 2 || output.back() != '\n') {
    std::cerr << "error: " << helper << " gave no module and library paths\n";
    return ExitInternal;
  }
  line.file = output.substr(0, newline);
  line.output = output.substr(newline + 1, output.size() - newline - 2);
  line.config.clear();
  return std::nullopt;
}

// `pyvc keygen | sign | verify`: replaces this process with pyvc-keys; returns only when it
// cannot be started.
int execSigningTool(const pyvc::tools::CommandLine &line) {
  std::string helper = libexecPath("PYVC_KEYS", "pyvc-keys");
  std::vector<std::string> arguments = line.signingArguments;
  arguments.insert(arguments.begin(), helper);
  std::vector<char *> argv;
  for (std::string &argument : arguments)
    argv.push_back(argument.data());
  argv.push_back(nullptr);
  ::execv(helper.c_str(), argv.data());
  std::cerr << "error: cannot run " << helper << ": " << std::strerror(errno) << "\n";
  return ExitInternal;
}

// glibc malloc settings for the driver: grow the heap 4 MiB at a time and back it with
// transparent huge pages where the kernel offers them (madvise mode). LLVM allocates ~25 MiB in a
// compile; in 4 KiB pages that was ~1,300 page faults, a sixth of a cold compile's time. The
// user's own GLIBC_TUNABLES come after these, so they win.
void setDriverMallocTunables() {
  std::string tunables = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=4194304";
  if (const char *own = std::getenv("GLIBC_TUNABLES"); own && *own)
    tunables += std::string(":") + own;
  ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
}

// Replaces this process with the driver, given the same arguments; returns only when the driver
// cannot be started.
CompileOutcome execDriver(char **argv) {
  std::string path = driverPath();
  setDriverMallocTunables();
  ::execv(path.c_str(), argv);
  CompileOutcome outcome;
  outcome.exitCode = ExitInternal;
  outcome.errorMessage = "cannot run the compiler driver " + path + ": " + std::strerror(errno);
  return outcome;
}

} // namespace

int main(int argc, char **argv) {
  pyvc::tools::installCrashGuard();
  std::variant<pyvc::tools::CommandLine, int> parsed = pyvc::tools::parseCommandLine(argc, argv);
  if (const int *status = std::get_if<int>(&parsed))
    return *status;
  pyvc::tools::CommandLine &line = std::get<pyvc::tools::CommandLine>(parsed);
  if (!line.signingArguments.empty())
    return execSigningTool(line);
  // With --config the driver gets the rules module's command line instead of the user's.
  std::vector<std::string> driverArguments;
  std::vector<char *> driverArgv;
  if (!line.config.empty()) {
    if (std::optional<int> status = writeRulesModule(line))
      return *status;
    driverArguments = pyvc::tools::argumentsOf(line);
    driverArguments.insert(driverArguments.begin(), argv[0]);
    for (std::string &argument : driverArguments)
      driverArgv.push_back(argument.data());
    driverArgv.push_back(nullptr);
    argv = driverArgv.data();
  }
  CompileOptions options = pyvc::tools::compileOptionsOf(line);
  if (!options.useCache)
    return pyvc::tools::finish(execDriver(argv), line);

  // A miss execs the driver, which looks the cache up again (another compile may have filled it
  // meanwhile) and stores its output.
  CompileOutcome outcome = runOnSourceFile(options, [&](const std::string &text) {
    return compileWithCache(options, text, [&] { return execDriver(argv); });
  });
  return pyvc::tools::finish(outcome, line);
}
