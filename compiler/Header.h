// The C header for a compiled library (`--emit=header`): one prototype per exported function,
// following kernel_abi.h. It includes <pyvc/kernel_abi.h> when the include path has it and
// otherwise declares the one typedef it needs, so it compiles on its own.
#pragma once

#include "ir/IR.h"

#include <string>

namespace pyvc::compiler {

// `moduleName` prefixes every symbol, as in the library (kernel_abi.h).
std::string emitHeader(const ir::Module &module, const std::string &moduleName);

} // namespace pyvc::compiler
