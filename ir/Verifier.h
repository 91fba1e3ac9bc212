// The IR verifier: checks every invariant IR.h states (types of operands, local ids, callee
// indices, returns on all paths, tuple member bounds, ...). A violation is a compiler bug, never
// a user error: the driver reports the messages and exits with status 3.
#pragma once

#include "ir/IR.h"

#include <string>
#include <vector>

namespace pyvc::ir {

// Every violated invariant, one message each ("function `f`, line 3: ..."); empty when the
// module is well formed. Never crashes on malformed IR (null pointers, bad ids).
std::vector<std::string> verifyModule(const Module &module);

} // namespace pyvc::ir
