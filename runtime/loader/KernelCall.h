// What calling a compiled kernel function gives back: a Value or the Python exception it raised
// (CallOutcome), and the array-in, array-out shapes of batch calls (BatchOutcome).
#pragma once

#include "loader/Value.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace pyvc::loader {

// A Python exception raised by a kernel or by argument conversion: {"ZeroDivisionError",
// "float division by zero"}. Kernel messages are the static strings of the library.
struct KernelError {
  std::string name;
  std::string message;
};

class CallOutcome {
public:
  CallOutcome(Value value) : state_(std::move(value)) {}
  CallOutcome(KernelError error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<Value>(state_); }
  const Value &value() const { return std::get<Value>(state_); }
  const KernelError &error() const { return std::get<KernelError>(state_); }

private:
  std::variant<Value, KernelError> state_;
};

// A batch column: one array per scalar parameter or result. bool is one byte (0 or 1), as at the
// C ABI, so that columns pass to the kernel without conversion.
using ColumnView =
    std::variant<std::span<const uint8_t>, std::span<const int64_t>, std::span<const double>>;
using Column = std::variant<std::vector<uint8_t>, std::vector<int64_t>, std::vector<double>>;

struct BatchOutcome {
  // One column per result (per tuple member for tuple results, none for None), each as long as
  // the input. On error only the elements before errorIndex are meaningful.
  std::vector<Column> results;
  std::optional<KernelError> error;
  int64_t errorIndex = -1; // first failing element; -1 when the columns themselves were wrong

  bool ok() const { return !error.has_value(); }
};

// The exception name of a kernel status (kernel_abi.h), "SystemError" for unknown codes.
std::string statusExceptionName(int32_t status);

} // namespace pyvc::loader
