// Crash guard: sigaltstack so even a stack overflow reaches the handler; the handler only calls
// async-signal-safe functions (write, _exit).
#include "CrashGuard.h"

#include "compiler/AlternateSignalStack.h"

#include <csignal>
#include <initializer_list>
#include <cstring>
#include <unistd.h>

namespace pyvc::tools {

namespace {

void writeError(const char *text) {
  ssize_t ignored = ::write(2, text, std::strlen(text));
  (void)ignored;
}

void onFatalSignal(int signal) {
  writeError("error: internal compiler error: ");
  writeError(signal == SIGSEGV ? "segmentation fault (stack overflow or bug)"
             : signal == SIGBUS ? "bus error"
             : signal == SIGFPE ? "arithmetic exception"
             : signal == SIGILL ? "illegal instruction"
                                : "abort");
  writeError("\n");
  ::_exit(3);
}

} // namespace

void installCrashGuard() {
  pyvc::compiler::installAlternateSignalStack();
  struct sigaction action{};
  action.sa_handler = onFatalSignal;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    sigaction(signal, &action, nullptr);
}

} // namespace pyvc::tools
