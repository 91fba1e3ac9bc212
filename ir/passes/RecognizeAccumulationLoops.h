// Pass: turn float accumulation loops into fixed-lane sums, so they vectorize like sum().
//
//   before:  for x#2 in xs#0:                 after:  acc#1 = sum[fixed_lanes](
//                if (x#2 > t#3):                           f(x#2) for x#2 in xs#0 if (x#2 > t#3);
//                    acc#1 = (acc#1 + f(x#2))              start=acc#1)
//
// Legal when (and only when): strict FP is off (the fixed lane order replaces CPython's
// sequential one, as for sum()); the body is exactly one `acc = acc + e` or one
// `if c: acc = acc + e` with no else; acc is a Float local; acc is not read by e, c or the
// iteration space; the loop targets are not acc and are not used outside the loop (a
// comprehension does not leave them assigned afterwards); no break/continue (there are no
// other statements). Errors raised by e or c still occur at the same element, and a raise
// leaves the function, so the partial value of acc is never observed.
#pragma once

#include "ir/IR.h"

namespace pyvc::ir {

// Returns the number of loops rewritten. Does nothing when strictFp is set.
int recognizeAccumulationLoops(Module &module, bool strictFp);

} // namespace pyvc::ir
