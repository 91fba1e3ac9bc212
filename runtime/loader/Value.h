// Value: a dynamically typed kernel argument or result, as pyvc-call reads it from JSON and the
// rule engine passes it around: None, bool, int (64 bits), float, a list or a tuple of those.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace pyvc::loader {

struct Value;

// The two sequence kinds stay distinct types so that a list result prints as a list and a tuple
// result as a tuple, exactly as Python would show them.
struct ValueList {
  std::vector<Value> items;
};
struct ValueTuple {
  std::vector<Value> items;
};

struct Value {
  using Storage = std::variant<std::monostate, bool, int64_t, double, ValueList, ValueTuple>;
  Storage storage;

  // Named constructors: implicit conversions between bool, int and double are exactly the
  // confusion this type exists to prevent.
  static Value none() { return Value{}; }
  static Value boolean(bool value) { return Value{Storage(value)}; }
  static Value integer(int64_t value) { return Value{Storage(value)}; }
  static Value floating(double value) { return Value{Storage(value)}; }
  static Value list(std::vector<Value> items) {
    return Value{Storage(ValueList{std::move(items)})};
  }
  static Value tuple(std::vector<Value> items) {
    return Value{Storage(ValueTuple{std::move(items)})};
  }
  static Value floatList(const std::vector<double> &values);
  static Value intList(const std::vector<int64_t> &values);

  bool isNone() const { return std::holds_alternative<std::monostate>(storage); }
  bool isBool() const { return std::holds_alternative<bool>(storage); }
  bool isInt() const { return std::holds_alternative<int64_t>(storage); }
  bool isFloat() const { return std::holds_alternative<double>(storage); }
  bool isList() const { return std::holds_alternative<ValueList>(storage); }
  bool isTuple() const { return std::holds_alternative<ValueTuple>(storage); }

  bool asBool() const { return std::get<bool>(storage); }
  int64_t asInt() const { return std::get<int64_t>(storage); }
  double asFloat() const { return std::get<double>(storage); }
  const std::vector<Value> &items() const;

  // The Python type name of this value ("float", "list", "NoneType"), for TypeError messages.
  const char *typeName() const;
};

// Structural equality; floats compare by bits, so NaN equals the same NaN and 0.0 differs from
// -0.0 (what tests of "the same result" need, unlike Python's ==).
bool identical(const Value &a, const Value &b);

} // namespace pyvc::loader
