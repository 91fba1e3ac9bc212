// Pass: a small integer range analysis that marks Int +, - and * whose result provably stays in
// [-2^63, 2^63), so the backend drops their OverflowError checks (and LLVM can if-convert and
// vectorize the loops they sit in).
//
//   before:  count#1 = 0
//            for i#2 in range(1, len(xs#0), 1):
//                if (xs#0[(i#2 - 1)] < 0.0):
//                    count#1 = (count#1 + 1)
//   after:   ...     if (xs#0[(i#2 - 1 nooverflow)] < 0.0):
//                        count#1 = (count#1 + 1 nooverflow)
//
// The facts, each legal because of a CPython rule the kernel dialect keeps:
//  - a list holds fewer than 2^60 elements (its buffer would not fit in any address space), so
//    len(xs) is in [0, 2^60) and a loop over a list, or over range(c, stop) with a constant c
//    and stop bounded by a list length, runs fewer than 2^60 + |c| times;
//  - the target of `for i in range(c, stop, s)` (c, s constants, s > 0) is in [c, stop - 1],
//    enumerate's index in [c, c + 2^60), while nothing in the body assigns the target;
//  - a counter `v = <bounded>` followed in the same block by such a loop, in which every
//    assignment to v is `v = v + e` or `v = v - e` with e bounded, changes by at most the sum of
//    its increments per iteration (the larger of an if's two branches), so its value stays in
//    init + trips * [down, up]; nothing between the initialisation and the loop may assign v;
//  - the same for the elements of a fresh list `w = [c] * n` whose only stores in the loop are
//    `w[k] = w[k] + e`, when w is used meanwhile only to index, iterate or take its length (no
//    alias is made through which another store could reach it).
// An expression is proven when interval arithmetic on these facts (constants, bool-to-int,
// len(), proven locals, +, -, *) stays inside int64. Everything else keeps its check: counters
// in while loops, counters initialised from parameters, increments that are not bounded.
#pragma once

#include "ir/IR.h"

namespace pyvc::ir {

// Returns the number of BinaryExprs marked provenNoOverflow.
int proveNoOverflow(Module &module);

} // namespace pyvc::ir
