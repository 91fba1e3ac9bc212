// The compiler's version string, "pyvc 0.1.0 (LLVM 19.1.7)": header-only, so the light half of
// the driver knows it without linking LLVM (the LLVM version is a macro of llvm-config.h).
#pragma once

#include <llvm/Config/llvm-config.h>

#include <string>

namespace pyvc::compiler {

inline std::string compilerVersionString() { return "pyvc 0.1.0 (LLVM " LLVM_VERSION_STRING ")"; }

} // namespace pyvc::compiler
