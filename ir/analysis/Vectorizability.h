// Which loops and reductions can be vectorized, and why not otherwise, for `pyvc explain`.
// This is pyvc's own reading of the IR (early exits, calls, appends, checks that can raise,
// sequential float order); the driver combines it with LLVM's loop-vectorize remarks.
#pragma once

#include "ir/IR.h"

#include <string>
#include <vector>

namespace pyvc::ir {

enum class LoopKind : uint8_t { For, While, Comprehension };

struct LoopVerdict {
  LoopKind kind;
  Span span;
  std::string description; // "for loop over xs", "sum(...) over range", "list comprehension"
  bool vectorizable = false;
  // Vectorised by pyvc's own lowering (fixed-lane float sums), whatever LLVM says.
  bool vectorizedByConstruction = false;
  std::string reason; // why (not): "early exit (break)", "fixed lane order, 16 partial sums"
};

struct FunctionVectorization {
  uint32_t function; // index into Module::functions
  std::vector<LoopVerdict> loops; // in source order
};

std::vector<FunctionVectorization> analyzeVectorizability(const Module &module);

} // namespace pyvc::ir
