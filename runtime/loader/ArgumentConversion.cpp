// Python-style argument conversion for kernel calls (see ArgumentConversion.h for the rules).
#include "loader/ArgumentConversion.h"

namespace pyvc::loader {
namespace {

// Converts one scalar; on mismatch returns the Python type name of what was given.
const char *convertScalar(const Value &value, ScalarKind kind, ArgumentSlot &slot, size_t item,
                          bool intoList) {
  switch (kind) {
  case ScalarKind::Float: {
    double converted;
    if (value.isFloat())
      converted = value.asFloat();
    else if (value.isInt())
      converted = static_cast<double>(value.asInt()); // rounds to nearest even, as float(i)
    else if (value.isBool())
      converted = value.asBool() ? 1.0 : 0.0;
    else
      return value.typeName();
    if (intoList)
      slot.floats[item] = converted;
    else
      slot.floatValue = converted;
    return nullptr;
  }
  case ScalarKind::Int: {
    int64_t converted;
    if (value.isInt())
      converted = value.asInt();
    else if (value.isBool())
      converted = value.asBool();
    else
      return value.typeName();
    if (intoList)
      slot.ints[item] = converted;
    else
      slot.intValue = converted;
    return nullptr;
  }
  case ScalarKind::Bool: {
    if (!value.isBool())
      return value.typeName();
    if (intoList)
      slot.bools[item] = value.asBool();
    else
      slot.boolValue = value.asBool();
    return nullptr;
  }
  }
  return value.typeName();
}

KernelError typeError(std::string message) { return KernelError{"TypeError", std::move(message)}; }

std::string pluralArguments(size_t count, const char *what) {
  return std::to_string(count) + " " + what + (count == 1 ? "" : "s");
}

} // namespace

std::optional<KernelError> convertArgument(const FunctionDescription &function, size_t index,
                                           const Value &value, ArgumentSlot &slot) {
  const Parameter &param = function.params[index];
  std::string where = function.name + "() argument '" + param.name + "'";
  if (param.type.isScalar()) {
    if (const char *given = convertScalar(value, param.type.scalar, slot, 0, false))
      return typeError(where + " must be " + param.type.str() + ", not " + given);
    return std::nullopt;
  }

  if (!value.isList() && !value.isTuple())
    return typeError(where + " must be " + param.type.str() + ", not " + value.typeName());
  const std::vector<Value> &items = value.items();
  switch (param.type.scalar) {
  case ScalarKind::Float:
    slot.floats.resize(items.size());
    break;
  case ScalarKind::Int:
    slot.ints.resize(items.size());
    break;
  case ScalarKind::Bool:
    slot.bools.resize(items.size());
    break;
  }
  for (size_t item = 0; item < items.size(); ++item)
    if (const char *given = convertScalar(items[item], param.type.scalar, slot, item, true))
      return typeError(where + " item " + std::to_string(item) + " must be " +
                       scalarName(param.type.scalar) + ", not " + given);
  slot.length = static_cast<int64_t>(items.size());
  switch (param.type.scalar) {
  case ScalarKind::Float:
    slot.data = slot.floats.data();
    break;
  case ScalarKind::Int:
    slot.data = slot.ints.data();
    break;
  case ScalarKind::Bool:
    slot.data = slot.bools.data();
    break;
  }
  if (slot.length == 0)
    slot.data = nullptr; // kernel_abi.h: data may be NULL when the length is 0
  return std::nullopt;
}

std::optional<KernelError> checkArgumentCount(const FunctionDescription &function, size_t given) {
  size_t expected = function.params.size();
  if (given == expected)
    return std::nullopt;
  if (given > expected)
    return typeError(function.name + "() takes " +
                     pluralArguments(expected, "positional argument") + " but " +
                     std::to_string(given) + (given == 1 ? " was" : " were") + " given");
  std::string missing;
  size_t missingCount = expected - given;
  for (size_t i = given; i < expected; ++i) {
    // CPython: "missing 2 required positional arguments: 'a' and 'b'"
    std::string name = "'" + function.params[i].name + "'";
    if (i == given)
      missing = name;
    else if (i + 1 == expected)
      missing += (missingCount > 2 ? ", and " : " and ") + name;
    else
      missing += ", " + name;
  }
  return typeError(function.name + "() missing " +
                   pluralArguments(missingCount, "required positional argument") + ": " + missing);
}

} // namespace pyvc::loader
