// Classification of functions (IR.h `Classification`): Scalar when no list appears anywhere in
// the function (parameters, locals, result, intermediate values), Kernel otherwise; and which
// functions get a batch variant at the C ABI.
#pragma once

#include "ir/IR.h"

namespace pyvc::ir {

Classification classifyFunction(const Function &function);
// Sets Function::classification on every function of the module.
void classifyFunctions(Module &module);

// True when `function` gets a pyvc_<module>_batch_ variant (kernel_abi.h): every parameter is a
// scalar and the result is a scalar or a tuple of scalars. Its body may still use lists. The one rule
// the backend, the manifest, the header and `explain` all follow.
bool hasBatchVariant(const Function &function);

} // namespace pyvc::ir
