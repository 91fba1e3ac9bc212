// Many calls of an all-scalar function answered through its batch variant: the arguments are
// converted exactly as a single call converts them, gathered into columns, and evaluated in as
// few batch calls as the errors allow (a batch stops at its first failing element).
#include "loader/ArgumentConversion.h"
#include "loader/KernelLibrary.h"

#include <algorithm>

namespace pyvc::loader {
namespace {

// The columns of a run of calls whose arguments converted cleanly, in call order.
struct PendingColumns {
  std::vector<Column> columns;
  std::vector<size_t> callIndices; // which call each row answers

  explicit PendingColumns(const FunctionDescription &function) {
    for (const Parameter &param : function.params) {
      switch (param.type.scalar) {
      case ScalarKind::Bool:
        columns.emplace_back(std::vector<uint8_t>());
        break;
      case ScalarKind::Int:
        columns.emplace_back(std::vector<int64_t>());
        break;
      case ScalarKind::Float:
        columns.emplace_back(std::vector<double>());
        break;
      }
    }
  }

  void append(size_t callIndex, const std::vector<ArgumentSlot> &slots) {
    for (size_t i = 0; i < columns.size(); ++i)
      std::visit(
          [&](auto &column) {
            using Element = typename std::decay_t<decltype(column)>::value_type;
            if constexpr (std::is_same_v<Element, uint8_t>)
              column.push_back(slots[i].boolValue);
            else if constexpr (std::is_same_v<Element, int64_t>)
              column.push_back(slots[i].intValue);
            else
              column.push_back(slots[i].floatValue);
          },
          columns[i]);
    callIndices.push_back(callIndex);
  }

  // Views of rows [first, end).
  std::vector<ColumnView> views(size_t first) const {
    std::vector<ColumnView> result;
    for (const Column &column : columns)
      std::visit(
          [&](const auto &vector) {
            using Element = typename std::decay_t<decltype(vector)>::value_type;
            result.emplace_back(std::span<const Element>(vector).subspan(first));
          },
          column);
    return result;
  }
};

Value element(const Column &column, size_t index) {
  return std::visit(
      [&](const auto &vector) {
        using Element = typename std::decay_t<decltype(vector)>::value_type;
        if constexpr (std::is_same_v<Element, uint8_t>)
          return Value::boolean(vector[index] != 0);
        else if constexpr (std::is_same_v<Element, int64_t>)
          return Value::integer(vector[index]);
        else
          return Value::floating(vector[index]);
      },
      column);
}

Value rowValue(const FunctionDescription &function, const BatchOutcome &batch, size_t row) {
  if (function.returns.isNone())
    return Value::none();
  if (function.returns.isScalar())
    return element(batch.results[0], row);
  std::vector<Value> members;
  for (const Column &column : batch.results)
    members.push_back(element(column, row));
  return Value::tuple(std::move(members));
}

} // namespace

std::vector<CallOutcome> KernelFunction::callInBatches(
    std::span<const std::vector<Value>> argumentLists) const {
  const FunctionDescription &function = description();
  std::vector<std::optional<CallOutcome>> outcomes(argumentLists.size());
  if (!function.allScalar()) {
    for (auto &outcome : outcomes)
      outcome = KernelError{"TypeError", function.name + "() takes or returns lists; it has no batch form"};
  } else if (function.params.empty()) {
    // No column to say how many rows: each call on its own.
    for (size_t call = 0; call < argumentLists.size(); ++call)
      outcomes[call] = this->call(argumentLists[call]);
  } else {
    PendingColumns pending(function);
    for (size_t call = 0; call < argumentLists.size(); ++call) {
      const std::vector<Value> &arguments = argumentLists[call];
      std::optional<KernelError> error = checkArgumentCount(function, arguments.size());
      std::vector<ArgumentSlot> slots(arguments.size());
      for (size_t i = 0; !error && i < arguments.size(); ++i)
        error = convertArgument(function, i, arguments[i], slots[i]);
      if (error)
        outcomes[call] = std::move(*error);
      else
        pending.append(call, slots);
    }
    // Each batch call answers every row up to its first failure, which is answered with the
    // error; the rows after it go into the next batch call.
    size_t first = 0;
    while (first < pending.callIndices.size()) {
      BatchOutcome batch = callBatch(pending.views(first));
      size_t answered = pending.callIndices.size() - first;
      if (!batch.ok() && batch.errorIndex < 0) { // the columns themselves were refused
        for (size_t row = first; row < pending.callIndices.size(); ++row)
          outcomes[pending.callIndices[row]] = *batch.error;
        break;
      }
      if (!batch.ok())
        answered = std::min(static_cast<size_t>(batch.errorIndex), answered - 1);
      for (size_t row = 0; row < answered; ++row)
        outcomes[pending.callIndices[first + row]] = rowValue(function, batch, row);
      if (!batch.ok()) {
        outcomes[pending.callIndices[first + answered]] = *batch.error;
        ++answered;
      }
      first += answered;
    }
  }
  std::vector<CallOutcome> result;
  result.reserve(outcomes.size());
  for (auto &outcome : outcomes)
    result.push_back(std::move(*outcome));
  return result;
}

} // namespace pyvc::loader
