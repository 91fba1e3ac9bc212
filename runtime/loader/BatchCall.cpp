// Batch calls for the rule engine: evaluate an all-scalar function over whole columns of
// readings in one call of its vectorized batch variant (or element by element when the library
// has none), arrays in and arrays out.
#include "loader/KernelLibrary.h"

#include "pyvc/kernel_abi.h"

namespace pyvc::loader {
namespace {

// The column variant index for a scalar kind: uint8_t (bool), int64_t (int), double (float).
size_t columnIndex(ScalarKind kind) {
  switch (kind) {
  case ScalarKind::Bool:
    return 0;
  case ScalarKind::Int:
    return 1;
  case ScalarKind::Float:
    return 2;
  }
  return 0;
}

size_t columnLength(const ColumnView &column) {
  return std::visit([](auto span) { return span.size(); }, column);
}

const void *columnData(const ColumnView &column) {
  return std::visit([](auto span) -> const void * { return span.data(); }, column);
}

Column makeColumn(ScalarKind kind, size_t count) {
  switch (kind) {
  case ScalarKind::Bool:
    return std::vector<uint8_t>(count);
  case ScalarKind::Int:
    return std::vector<int64_t>(count);
  case ScalarKind::Float:
    return std::vector<double>(count);
  }
  return std::vector<double>(count);
}

void *columnData(Column &column) {
  return std::visit([](auto &vector) -> void * { return vector.data(); }, column);
}

std::vector<ScalarKind> resultKinds(const ValueType &returns) {
  if (returns.isScalar())
    return {returns.scalar};
  if (returns.isTuple())
    return returns.members;
  return {};
}

Value columnElement(const ColumnView &column, size_t index) {
  switch (column.index()) {
  case 0:
    return Value::boolean(std::get<0>(column)[index] != 0);
  case 1:
    return Value::integer(std::get<1>(column)[index]);
  default:
    return Value::floating(std::get<2>(column)[index]);
  }
}

void storeElement(Column &column, size_t index, const Value &value) {
  switch (column.index()) {
  case 0:
    std::get<0>(column)[index] = value.asBool();
    break;
  case 1:
    std::get<1>(column)[index] = value.asInt();
    break;
  default:
    std::get<2>(column)[index] = value.asFloat();
    break;
  }
}

// Checks the columns against the parameters; returns the TypeError/ValueError to report.
std::optional<KernelError> checkColumns(const FunctionDescription &function,
                                        std::span<const ColumnView> columns) {
  if (!function.allScalar())
    return KernelError{"TypeError",
                       function.name + "() takes or returns lists; it has no batch form"};
  if (columns.size() != function.params.size())
    return KernelError{"TypeError", function.name + "() takes " +
                                        std::to_string(function.params.size()) + " columns but " +
                                        std::to_string(columns.size()) + " were given"};
  for (size_t i = 0; i < columns.size(); ++i) {
    const Parameter &param = function.params[i];
    if (columns[i].index() != columnIndex(param.type.scalar))
      return KernelError{"TypeError", function.name + "() column '" + param.name + "' must hold " +
                                          param.type.str() + " values"};
    if (columnLength(columns[i]) != columnLength(columns[0]))
      return KernelError{"ValueError", function.name + "() columns differ in length"};
  }
  return std::nullopt;
}

} // namespace

BatchOutcome KernelFunction::callBatch(std::span<const ColumnView> columns) const {
  const FunctionDescription &function = description();
  BatchOutcome outcome;
  if (auto error = checkColumns(function, columns)) {
    outcome.error = std::move(error);
    return outcome;
  }
  auto count = static_cast<int64_t>(columns.empty() ? 0 : columnLength(columns[0]));
  if (!batchEntry_)
    return callBatchPerElement(columns, count);

  for (ScalarKind kind : resultKinds(function.returns))
    outcome.results.push_back(makeColumn(kind, static_cast<size_t>(count)));
  std::vector<const void *> inputPointers;
  for (const ColumnView &column : columns)
    inputPointers.push_back(columnData(column));
  std::vector<void *> outputPointers;
  for (Column &column : outcome.results)
    outputPointers.push_back(columnData(column));
  int64_t errorIndex = -1;
  int64_t *errorIndexPointer = &errorIndex;
  const char *message = nullptr;
  const char **messagePointer = &message;

  std::vector<void *> argumentAddresses;
  for (const void *&pointer : inputPointers)
    argumentAddresses.push_back(&pointer);
  argumentAddresses.push_back(&count);
  for (void *&pointer : outputPointers)
    argumentAddresses.push_back(&pointer);
  argumentAddresses.push_back(&errorIndexPointer);
  argumentAddresses.push_back(&messagePointer);

  ffi_arg status = 0;
  ffi_call(batchSignature_->cif(), batchEntry_, &status, argumentAddresses.data());
  auto statusCode = static_cast<int32_t>(status);
  if (statusCode != PYVC_OK) {
    outcome.error = KernelError{statusExceptionName(statusCode),
                                message ? message : "kernel status " + std::to_string(statusCode)};
    outcome.errorIndex = errorIndex;
  }
  return outcome;
}

BatchOutcome KernelFunction::callBatchPerElement(std::span<const ColumnView> columns,
                                                 int64_t count) const {
  BatchOutcome outcome;
  std::vector<ScalarKind> kinds = resultKinds(description().returns);
  for (ScalarKind kind : kinds)
    outcome.results.push_back(makeColumn(kind, static_cast<size_t>(count)));
  std::vector<Value> arguments(columns.size());
  for (int64_t index = 0; index < count; ++index) {
    for (size_t i = 0; i < columns.size(); ++i)
      arguments[i] = columnElement(columns[i], static_cast<size_t>(index));
    CallOutcome result = call(arguments);
    if (!result.ok()) {
      outcome.error = result.error();
      outcome.errorIndex = index;
      return outcome;
    }
    if (description().returns.isScalar())
      storeElement(outcome.results[0], static_cast<size_t>(index), result.value());
    for (size_t member = 0; description().returns.isTuple() && member < kinds.size(); ++member)
      storeElement(outcome.results[member], static_cast<size_t>(index),
                   result.value().items()[member]);
  }
  return outcome;
}

} // namespace pyvc::loader
