// Pass: choose how each float sum accumulates.
//
//   before:  sum[sequential](x#1 for x#1 in xs#0; start=0.0)        (as the frontend builds it)
//   after:   sum[fixed_lanes](x#1 for x#1 in xs#0; start=0.0)       (unless --strict-fp)
//
// Legal because the kernel dialect defines a Float Sum's order as part of the compile options:
// FixedLanes (IR.h) is deterministic on every target; --strict-fp keeps CPython's order exactly.
// Int sums stay Sequential: integer addition is associative, and overflow must be reported
// where CPython would report it.
#pragma once

#include "ir/IR.h"

namespace pyvc::ir {

void selectReductionOrder(Module &module, bool strictFp);

} // namespace pyvc::ir
