// The last line of defence for "never a crash": turns a fatal signal into a one-line internal
// error with exit status 3 instead of a core dump. (LLVM's fatal errors: DriverMain.cpp.) The
// compile runs on the default stack: the parser caps nesting (frontend-py/Parser.h), and the
// deepest input it accepts compiles with 1 MiB (tests/compiler/DriverTest.cpp, DeepestInputs).
#pragma once

namespace pyvc::tools {

// Installs the fatal-signal handlers.
void installCrashGuard();

} // namespace pyvc::tools
