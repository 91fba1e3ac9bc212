// An alternate signal stack for the calling thread, so that pyvc's fatal-signal handler
// (tools/pyvc/CrashGuard) can run even when the thread overflowed its own stack. Every thread of
// the compiler installs one: the main thread, the large-stack compile thread and the codegen
// unit helpers.
#pragma once

namespace pyvc::compiler {

void installAlternateSignalStack();

} // namespace pyvc::compiler
