// `pyvc explain`, the compile pipeline up to optimisation with the vectorizer's remarks, printed
// per function next to pyvc's own analysis.
#pragma once

#include "compiler/Options.h"

#include <string>

namespace pyvc::compiler {

// `pyvc explain`: per function, its signature, classification, possible errors, batch variant
// and the vectorization verdict of each loop and reduction, with source lines.
CompileOutcome explainSource(const CompileOptions &options, const std::string &sourceText);

} // namespace pyvc::compiler
