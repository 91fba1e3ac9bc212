// pyvc: compile type-annotated Python kernels to native .so files, or explain how they compile.
// This executable links no LLVM and starts in a few milliseconds: it parses the command line,
// answers --help, --version and cache hits, and for everything else execs `pyvc-driver`
// (DriverMain.cpp), which holds the compiler, with the same arguments.
#include "CommandLine.h"
#include "CrashGuard.h"
#include "compiler/CachedCompile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>

using namespace pyvc::compiler;

namespace {

// $PYVC_DRIVER, else ../libexec/pyvc-driver next to this executable (the build tree's and an
// install's layout).
std::string driverPath() {
  if (const char *configured = std::getenv("PYVC_DRIVER"); configured && *configured)
    return configured;
  std::error_code ignored;
  std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ignored);
  return (executable.parent_path().parent_path() / "libexec" / "pyvc-driver").string();
}

// Replaces this process with the driver, given the same arguments; returns only when the driver
// cannot be started.
CompileOutcome execDriver(char **argv) {
  std::string path = driverPath();
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
  const pyvc::tools::CommandLine &line = std::get<pyvc::tools::CommandLine>(parsed);
  CompileOptions options = pyvc::tools::compileOptionsOf(line);
  if (!options.useCache)
    return pyvc::tools::finish(execDriver(argv), line);

  CompileOutcome outcome;
  if (std::optional<std::string> text = readWholeFile(options.sourcePath)) {
    // A miss execs the driver, which looks the cache up again (another compile may have filled
    // it meanwhile) and stores its output.
    outcome = compileWithCache(options, *text, [&] { return execDriver(argv); });
  } else {
    outcome.exitCode = ExitInternal;
    outcome.errorMessage = "cannot read " + options.sourcePath;
  }
  return pyvc::tools::finish(outcome, line);
}
