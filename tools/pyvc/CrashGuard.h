// The last line of defence for "never a crash": runs the compile on a thread with a large stack
// (deeply nested input recurses deeply), and turns a fatal signal or an LLVM fatal error into a
// one-line internal error with exit status 3 instead of a core dump.
#pragma once

#include <functional>

namespace pyvc::tools {

// Installs the fatal-signal and LLVM fatal-error handlers (once).
void installCrashGuard();

// Runs `body` on a thread with a 512 MiB stack and returns its result.
int runWithLargeStack(const std::function<int()> &body);

} // namespace pyvc::tools
