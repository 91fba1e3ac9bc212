// Crash guard: sigaltstack so even a stack overflow reaches the handler; the handler only calls
// async-signal-safe functions (write, _exit).
#include "CrashGuard.h"

#include "compiler/AlternateSignalStack.h"

#include <csignal>
#include <cstring>
#include <pthread.h>
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

struct ThreadCall {
  const std::function<int()> *body;
  int result;
};

void *threadMain(void *argument) {
  pyvc::compiler::installAlternateSignalStack();
  auto *call = static_cast<ThreadCall *>(argument);
  call->result = (*call->body)();
  return nullptr;
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

int runWithLargeStack(const std::function<int()> &body) {
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, size_t(512) << 20);
  ThreadCall call{&body, 3};
  pthread_t thread;
  if (pthread_create(&thread, &attributes, threadMain, &call) != 0) {
    pthread_attr_destroy(&attributes);
    return body(); // no thread: run on this stack rather than not at all
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  return call.result;
}

} // namespace pyvc::tools
