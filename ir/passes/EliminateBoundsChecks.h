// Pass: mark list subscripts that cannot be out of range, so the backend drops their IndexError
// checks.
//
//   before:  for i#1 in range(1, len(xs#0), 1):          after:  ... xs#0[i#1 inbounds]
//                s#2 = (xs#0[i#1] - xs#0[(i#1 - 1)])                 ... xs#0[(i#1 - 1) inbounds]
//
// Legal when the subscript is `xs[i]` or `xs[i - c]` (c a constant with 0 <= c <= start) and:
//  - i is the target of `for i in range(start, stop, step)` with constant start >= 0 and
//    constant step > 0, where stop is len(xs), or min(...) of lengths including len(xs); or i is
//    the index target of `for i, ... in enumerate(xs, 0)` (a list's length is re-read each
//    iteration, so i < len(xs) holds when the element is fetched);
//  - nothing in the loop assigns i, rebinds xs, or appends to any list of xs's type (an alias of
//    xs could grow; growing only helps but the rule stays simple). Lists never shrink otherwise.
// The same holds for comprehension generators over such ranges (their bodies are expressions and
// cannot modify lists). Both IndexExpr and StoreIndexStmt are marked.
#pragma once

#include "ir/IR.h"

namespace pyvc::ir {

// Returns the number of subscripts marked provenInBounds. The overflow checks of the index
// arithmetic are proveNoOverflow's (ProveNoOverflow.h), which the driver runs next.
int eliminateBoundsChecks(Module &module);

} // namespace pyvc::ir
