// Calling one kernel function through libffi with dynamic Values: convert the arguments, lay out
// the result pointers kernel_abi.h asks for, call, then turn the status or the results into a
// CallOutcome. List results are copied out and released with the library's pyvc_<module>_free.
#include "loader/ArgumentConversion.h"
#include "loader/KernelLibrary.h"

#include "pyvc/kernel_abi.h"

namespace pyvc::loader {
namespace {

// Where the kernel writes one result (a scalar, a list, or one tuple member).
struct ResultSlot {
  double floatValue = 0;
  int64_t intValue = 0;
  uint8_t boolValue = 0;
  void *listData = nullptr;
  int64_t listLength = 0;
  void *pointers[2] = {nullptr, nullptr}; // the out-pointer arguments libffi passes by address
};

void pointScalarResult(ResultSlot &slot, ScalarKind kind) {
  switch (kind) {
  case ScalarKind::Float:
    slot.pointers[0] = &slot.floatValue;
    break;
  case ScalarKind::Int:
    slot.pointers[0] = &slot.intValue;
    break;
  case ScalarKind::Bool:
    slot.pointers[0] = &slot.boolValue;
    break;
  }
}

Value scalarResult(const ResultSlot &slot, ScalarKind kind) {
  switch (kind) {
  case ScalarKind::Float:
    return Value::floating(slot.floatValue);
  case ScalarKind::Int:
    return Value::integer(slot.intValue);
  case ScalarKind::Bool:
    return Value::boolean(slot.boolValue != 0);
  }
  return Value::none();
}

Value listResult(const void *data, int64_t length, ScalarKind kind) {
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) {
    switch (kind) {
    case ScalarKind::Float:
      items.push_back(Value::floating(static_cast<const double *>(data)[i]));
      break;
    case ScalarKind::Int:
      items.push_back(Value::integer(static_cast<const int64_t *>(data)[i]));
      break;
    case ScalarKind::Bool:
      items.push_back(Value::boolean(static_cast<const uint8_t *>(data)[i] != 0));
      break;
    }
  }
  return Value::list(std::move(items));
}

} // namespace

std::string statusExceptionName(int32_t status) {
  const char *name = pyvc_status_name(status);
  return name ? name : "SystemError";
}

CallOutcome KernelFunction::call(std::span<const Value> arguments) const {
  const FunctionDescription &function = description();
  if (auto error = checkArgumentCount(function, arguments.size()))
    return *error;

  std::vector<ArgumentSlot> slots(function.params.size());
  std::vector<void *> argumentAddresses;
  argumentAddresses.reserve(signature_->argumentCount());
  for (size_t i = 0; i < function.params.size(); ++i) {
    if (auto error = convertArgument(function, i, arguments[i], slots[i]))
      return *error;
    const ValueType &type = function.params[i].type;
    if (type.isList()) {
      argumentAddresses.push_back(&slots[i].data);
      argumentAddresses.push_back(&slots[i].length);
      continue;
    }
    switch (type.scalar) {
    case ScalarKind::Float:
      argumentAddresses.push_back(&slots[i].floatValue);
      break;
    case ScalarKind::Int:
      argumentAddresses.push_back(&slots[i].intValue);
      break;
    case ScalarKind::Bool:
      argumentAddresses.push_back(&slots[i].boolValue);
      break;
    }
  }

  const ValueType &returns = function.returns;
  std::vector<ResultSlot> results(returns.isTuple() ? returns.members.size()
                                                    : (returns.isNone() ? 0 : 1));
  if (returns.isScalar())
    pointScalarResult(results[0], returns.scalar);
  for (size_t i = 0; returns.isTuple() && i < results.size(); ++i)
    pointScalarResult(results[i], returns.members[i]);
  if (returns.isList()) {
    results[0].pointers[0] = &results[0].listData;
    results[0].pointers[1] = &results[0].listLength;
    argumentAddresses.push_back(&results[0].pointers[0]);
    argumentAddresses.push_back(&results[0].pointers[1]);
  } else {
    for (ResultSlot &slot : results)
      argumentAddresses.push_back(&slot.pointers[0]);
  }
  const char *message = nullptr;
  const char **messagePointer = &message;
  argumentAddresses.push_back(&messagePointer);

  ffi_arg status = 0;
  ffi_call(signature_->cif(), entry_, &status, argumentAddresses.data());
  auto statusCode = static_cast<int32_t>(status);
  if (statusCode != PYVC_OK)
    return KernelError{statusExceptionName(statusCode),
                       message ? message : "kernel status " + std::to_string(statusCode)};

  switch (returns.shape) {
  case TypeShape::None:
    return Value::none();
  case TypeShape::Scalar:
    return scalarResult(results[0], returns.scalar);
  case TypeShape::Tuple: {
    std::vector<Value> members;
    for (size_t i = 0; i < results.size(); ++i)
      members.push_back(scalarResult(results[i], returns.members[i]));
    return Value::tuple(std::move(members));
  }
  case TypeShape::List:
    break;
  }
  ResultSlot &list = results[0];
  if (list.listLength < 0 || (list.listLength > 0 && !list.listData)) {
    if (list.listData)
      free_(list.listData);
    return KernelError{"SystemError", function.name + "() returned a malformed list (length " +
                                          std::to_string(list.listLength) + ")"};
  }
  Value value = listResult(list.listData, list.listLength, returns.scalar);
  if (list.listData)
    free_(list.listData);
  return value;
}

} // namespace pyvc::loader
