// One 64 KiB alternate signal stack per thread, in thread-local storage.
#include "compiler/AlternateSignalStack.h"

#include <csignal>

namespace pyvc::compiler {

void installAlternateSignalStack() {
  static thread_local char alternateStack[64 * 1024];
  stack_t stack{};
  stack.ss_sp = alternateStack;
  stack.ss_size = sizeof alternateStack;
  sigaltstack(&stack, nullptr);
}

} // namespace pyvc::compiler
