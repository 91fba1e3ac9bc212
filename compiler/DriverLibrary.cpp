// libpyvc_driver.so: the compile and explain entry points, and LLVM's fatal-error handler
// (a fatal LLVM error becomes a one-line internal error, exit 3, instead of an abort).
#include "compiler/DriverLibrary.h"

#include <llvm/Support/ErrorHandling.h>

#include <cstring>
#include <mutex>
#include <unistd.h>

namespace {

void onLlvmFatalError(void *, const char *reason, bool) {
  const char *prefix = "error: internal compiler error: LLVM: ";
  ssize_t ignored = ::write(2, prefix, std::strlen(prefix));
  ignored = ::write(2, reason, std::strlen(reason));
  ignored = ::write(2, "\n", 1);
  (void)ignored;
  ::_exit(3);
}

void installFatalErrorHandler() {
  static std::once_flag once;
  std::call_once(once, [] { llvm::install_fatal_error_handler(onLlvmFatalError, nullptr); });
}

} // namespace

extern "C" PYVC_DRIVER_EXPORT void pyvc_driver_compile(const pyvc::compiler::CompileOptions *options,
                                    const std::string *sourceText, pyvc::compiler::CompileOutcome *outcome) {
  installFatalErrorHandler();
  *outcome = pyvc::compiler::compileSource(*options, *sourceText);
}

extern "C" PYVC_DRIVER_EXPORT void pyvc_driver_explain(const pyvc::compiler::CompileOptions *options,
                                    const std::string *sourceText, pyvc::compiler::CompileOutcome *outcome) {
  installFatalErrorHandler();
  *outcome = pyvc::compiler::explainSource(*options, *sourceText);
}
