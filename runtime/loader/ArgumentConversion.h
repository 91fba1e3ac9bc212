// Converts dynamic Values to the C representation of a kernel parameter, following Python's rules
// for what a function annotated `float`/`int`/`bool`/`list[...]` would accept.
#pragma once

#include "loader/KernelCall.h"
#include "loader/Manifest.h"

#include <optional>

namespace pyvc::loader {

// One converted argument, in the storage libffi reads it from. Lists are converted to an owned
// contiguous array; `data`/`length` are what the kernel receives.
struct ArgumentSlot {
  double floatValue = 0;
  int64_t intValue = 0;
  uint8_t boolValue = 0;
  std::vector<double> floats;
  std::vector<int64_t> ints;
  std::vector<uint8_t> bools;
  const void *data = nullptr;
  int64_t length = 0;
};

// Python's rules, as a kernel running under CPython would see them:
//   float parameter: float, int (converted exactly as float(i) does) and bool are accepted;
//   int parameter: int and bool are accepted; a float is a TypeError;
//   bool parameter: only bool;
//   list parameter: a list (or tuple) whose items each follow the scalar rule.
// Returns the TypeError to raise, or nothing when `slot` is filled.
std::optional<KernelError> convertArgument(const FunctionDescription &function, size_t index,
                                           const Value &value, ArgumentSlot &slot);

// TypeError worded as CPython words it when `given` arguments do not match the parameters.
std::optional<KernelError> checkArgumentCount(const FunctionDescription &function, size_t given);

} // namespace pyvc::loader
