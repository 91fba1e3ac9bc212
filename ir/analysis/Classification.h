// Classification of functions (IR.h `Classification`): Scalar when no list appears anywhere in
// the function (parameters, locals, result, intermediate values), Kernel otherwise. Scalar
// functions get a batch variant at the C ABI.
#pragma once

#include "ir/IR.h"

namespace pyvc::ir {

Classification classifyFunction(const Function &function);
// Sets Function::classification on every function of the module.
void classifyFunctions(Module &module);

} // namespace pyvc::ir
