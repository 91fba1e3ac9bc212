// The last line of defence for "never a crash": runs the compile on a thread with a large stack
// (deeply nested input recurses deeply), and turns a fatal signal into a one-line internal error
// with exit status 3 instead of a core dump. (LLVM's fatal errors: DriverMain.cpp.)
#pragma once

#include <functional>

namespace pyvc::tools {

// Installs the fatal-signal handlers.
void installCrashGuard();

// Runs `body` on a thread with a 512 MiB stack and returns its result.
int runWithLargeStack(const std::function<int()> &body);

} // namespace pyvc::tools
