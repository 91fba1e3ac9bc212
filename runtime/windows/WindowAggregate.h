// WindowAggregate: one compiled kernel `f(xs: list[float]) -> float|int|bool` called on a closed
// window's values through its C entry point — the pointer into the ring goes to the kernel as is,
// no copy and no dynamic conversion.
#pragma once

#include "core/Result.h"
#include "loader/KernelCall.h"
#include "loader/KernelLibrary.h"

#include <optional>
#include <span>
#include <string>

namespace pyvc::windows {

struct AggregateOutcome {
  double value = 0.0; // int and bool results converted to double (exact up to 2^53)
  std::optional<loader::KernelError> error;
  bool ok() const { return !error.has_value(); }
};

class WindowAggregate {
public:
  // Checks the signature: exactly one parameter of type list[float], a scalar result. The error
  // names the function and the signature it has ("function `scale` must have the signature
  // f(xs: list[float]) -> float|int|bool, it has scale(x: float) -> float"); the caller adds
  // which pipeline and aggregate asked for it.
  static Result<WindowAggregate> bind(std::string name, const loader::KernelFunction &function);
  const std::string &name() const { return name_; }
  const loader::KernelFunction &function() const { return *function_; }
  // What the kernel returns before the conversion to double: for records that keep ints as ints.
  loader::ScalarKind resultKind() const { return result_; }
  AggregateOutcome call(std::span<const double> values) const;

private:
  WindowAggregate() = default;
  std::string name_;
  const loader::KernelFunction *function_ = nullptr;
  loader::ScalarKind result_ = loader::ScalarKind::Float;
};

} // namespace pyvc::windows
