// The compile cache in front of the pipeline: computes the key of a compile without LLVM (so a
// hit needs neither LLVM nor the compiler loaded), returns a hit, or runs the compile and
// stores its output.
#pragma once

#include "compiler/Options.h"

#include <functional>

namespace pyvc::compiler {

// The key: compiler version, source bytes and path, target (a named target is pinned by the
// table; `host` adds a fingerprint of this machine's CPU from /proc/cpuinfo), -O level,
// strict-fp, emit kind and soname.
std::string compileCacheKey(const CompileOptions &options, const std::string &sourceText);

// With options.useCache: a valid entry is returned as is (outcome.cacheHit); otherwise
// `compile` runs and a successful output is stored. Without it: just `compile`.
// An unusable cache directory is an environment error (exit 3).
CompileOutcome compileWithCache(const CompileOptions &options, const std::string &sourceText,
                                const std::function<CompileOutcome()> &compile);

} // namespace pyvc::compiler
