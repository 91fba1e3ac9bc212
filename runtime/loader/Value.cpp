// Value helpers: typed list construction, Python type names and bitwise structural equality.
#include "loader/Value.h"

#include <cassert>
#include <cstring>

namespace pyvc::loader {

Value Value::floatList(const std::vector<double> &values) {
  std::vector<Value> items;
  items.reserve(values.size());
  for (double value : values)
    items.push_back(Value::floating(value));
  return Value::list(std::move(items));
}

Value Value::intList(const std::vector<int64_t> &values) {
  std::vector<Value> items;
  items.reserve(values.size());
  for (int64_t value : values)
    items.push_back(Value::integer(value));
  return Value::list(std::move(items));
}

const std::vector<Value> &Value::items() const {
  if (const auto *list = std::get_if<ValueList>(&storage))
    return list->items;
  assert(isTuple() && "items() of a value that is neither a list nor a tuple");
  return std::get<ValueTuple>(storage).items;
}

const char *Value::typeName() const {
  switch (storage.index()) {
  case 0:
    return "NoneType";
  case 1:
    return "bool";
  case 2:
    return "int";
  case 3:
    return "float";
  case 4:
    return "list";
  case 5:
    return "tuple";
  }
  return "?";
}

bool identical(const Value &a, const Value &b) {
  if (a.storage.index() != b.storage.index())
    return false;
  if (a.isNone())
    return true;
  if (a.isBool())
    return a.asBool() == b.asBool();
  if (a.isInt())
    return a.asInt() == b.asInt();
  if (a.isFloat()) {
    double x = a.asFloat(), y = b.asFloat();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  const auto &left = a.items(), &right = b.items();
  if (left.size() != right.size())
    return false;
  for (size_t i = 0; i < left.size(); ++i)
    if (!identical(left[i], right[i]))
      return false;
  return true;
}

} // namespace pyvc::loader
