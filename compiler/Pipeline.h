// The compile pipeline of `pyvc compile`: options in, the requested representation (or
// diagnostics, or a one-line error) out, with the exit status to use (Options.h).
#pragma once

#include "compiler/Options.h"

#include <string>

namespace pyvc::compiler {

// Compiles `sourceText` (the contents of options.sourcePath).
CompileOutcome compileSource(const CompileOptions &options, const std::string &sourceText);

} // namespace pyvc::compiler
