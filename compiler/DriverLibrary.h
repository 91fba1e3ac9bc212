// The entry points of libpyvc_driver.so, the heavy half of the `pyvc` tool (frontend, IR,
// backends, LLVM, lld). The thin `pyvc` executable loads it with dlopen only when it has to
// compile, so --help, --version and cache hits never pay for loading LLVM.
#pragma once

#include "compiler/Pipeline.h"

extern "C" {
// Both fill *outcome; the pointers stay owned by the caller. Same compiler, same C++ ABI on both
// sides (the library is built with the tool), so C++ types cross this boundary safely, even
// though `pyvc` links libstdc++ statically and the library dynamically: the types that cross
// have the same layout on both sides and both copies of operator new/delete are malloc/free.
void pyvc_driver_compile(const pyvc::compiler::CompileOptions *options, const std::string *sourceText,
                         pyvc::compiler::CompileOutcome *outcome);
void pyvc_driver_explain(const pyvc::compiler::CompileOptions *options, const std::string *sourceText,
                         pyvc::compiler::CompileOutcome *outcome);
}

#define PYVC_DRIVER_LIBRARY_NAME "libpyvc_driver.so"
