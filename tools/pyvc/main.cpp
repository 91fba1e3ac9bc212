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
  const pyvc::tools::CommandLine &line = std::get<pyvc::tools::CommandLine>(parsed);
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
