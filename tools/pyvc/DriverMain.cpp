// pyvc-driver: the compiler half of `pyvc` (frontend, IR, backends, LLVM, lld), exec'd by the
// thin `pyvc` with the same arguments when it has to compile or explain. It is linked as a
// fully static, position-dependent executable, so starting it relocates nothing of LLVM and
// runs no dynamic loader: loading the same code as a shared library cost ~25 ms of relocations
// per compile.
#include "CommandLine.h"
#include "CrashGuard.h"
#include "compiler/CachedCompile.h"
#include "compiler/Explain.h"
#include "compiler/Pipeline.h"

#include <llvm/Support/ErrorHandling.h>

#include <cstdio>
#include <cstring>
#include <unistd.h>

using namespace pyvc::compiler;

namespace {

// A fatal LLVM error becomes a one-line internal error, exit 3, instead of an abort.
void onLlvmFatalError(void *, const char *reason, bool) {
  const char *prefix = "error: internal compiler error: LLVM: ";
  ssize_t ignored = ::write(2, prefix, std::strlen(prefix));
  ignored = ::write(2, reason, std::strlen(reason));
  ignored = ::write(2, "\n", 1);
  (void)ignored;
  ::_exit(ExitInternal);
}

} // namespace

int main(int argc, char **argv) {
  pyvc::tools::installCrashGuard();
  llvm::install_fatal_error_handler(onLlvmFatalError, nullptr);
  std::variant<pyvc::tools::CommandLine, int> parsed = pyvc::tools::parseCommandLine(argc, argv);
  if (const int *status = std::get_if<int>(&parsed))
    return *status;
  const pyvc::tools::CommandLine &line = std::get<pyvc::tools::CommandLine>(parsed);
  // `pyvc` turns --config into the rules module's command line before it execs the driver.
  if (!line.config.empty()) {
    std::fprintf(stderr, "error: pyvc-driver does not read agent configs; run pyvc compile --config\n");
    return ExitUsage;
  }
  // Likewise `pyvc` runs keygen, sign and verify with pyvc-keys; the compiler links no OpenSSL.
  if (!line.signingArguments.empty()) {
    std::fprintf(stderr, "error: pyvc-driver does not sign; run pyvc %s\n",
                 line.signingArguments[0].c_str());
    return ExitUsage;
  }
  CompileOptions options = pyvc::tools::compileOptionsOf(line);

  auto run = line.explain ? explainSource : compileSource;
  CompileOutcome outcome = runOnSourceFile(options, [&](const std::string &text) {
    return compileWithCache(options, text, [&] { return run(options, text); });
  });
  return pyvc::tools::finish(outcome, line);
}
