// Reduction kernels shared by the reduction tests and the cross-target (aarch64) tests, and the
// reference model of ReductionOrder::FixedLanes written plainly in C++ (no vectors, one add at
// a time) to check the lowered code against.
#pragma once

#include "KernelBuilder.h"

#include <vector>

namespace pyvc::backends::test {

// def fsum_lanes(xs: list[float]) -> float: return sum(x for x in xs)                  FixedLanes
// def fsum_sequential(xs: list[float]) -> float: return sum(x for x in xs)             Sequential
// def sum_gt(xs: list[float], t: float) -> float: return sum(x for x in xs if x > t)   FixedLanes
// def sum_products(xs, ys) -> float: return sum(x * y for x in xs for y in ys)        FixedLanes
// def scaled(x: float, a: float) -> float: return x * a + 1.0                         (batch)
void buildReductionKernels(ir::Module &module);

// The FixedLanes order over the values at each position (-0.0 where a filter rejected one).
double fixedLaneReference(const std::vector<double> &values, double start);

// Deterministic test data, exactly reproducible in C on any target: an LCG scaled by powers of 2.
std::vector<double> pseudoRandomDoubles(size_t count, uint64_t seed);

} // namespace pyvc::backends::test
