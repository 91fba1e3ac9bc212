// The value types of kernel IR: the scalars bool/int/float, lists of one scalar element type,
// and tuples of scalars (function results only). A Type is a small value, cheap to copy.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <vector>

namespace pyvc::ir {

enum class TypeKind : uint8_t {
  None,  // the type of statements and of functions that return nothing
  Bool,  // Python bool; stored as one byte (0 or 1) in memory and at the C ABI
  Int,   // Python int restricted to 64 bits; leaving that range raises OverflowError
  Float, // Python float: an IEEE-754 double
  List,  // list of Bool, Int or Float elements
  Tuple, // tuple of scalars; only as a function result and the value of a call to one
};

class Type {
public:
  Type() = default;
  static Type none() { return Type(TypeKind::None); }
  static Type boolean() { return Type(TypeKind::Bool); }
  static Type integer() { return Type(TypeKind::Int); }
  static Type floating() { return Type(TypeKind::Float); }
  static Type list(TypeKind element) {
    assert(isScalarKind(element) && "list elements are scalars");
    Type type(TypeKind::List);
    type.members_.push_back(element);
    return type;
  }
  static Type tuple(std::vector<TypeKind> members) {
    for ([[maybe_unused]] TypeKind member : members)
      assert(isScalarKind(member) && "tuple members are scalars");
    Type type(TypeKind::Tuple);
    type.members_ = std::move(members);
    return type;
  }

  TypeKind kind() const { return kind_; }
  bool isNone() const { return kind_ == TypeKind::None; }
  bool isBool() const { return kind_ == TypeKind::Bool; }
  bool isInt() const { return kind_ == TypeKind::Int; }
  bool isFloat() const { return kind_ == TypeKind::Float; }
  bool isList() const { return kind_ == TypeKind::List; }
  bool isTuple() const { return kind_ == TypeKind::Tuple; }
  bool isScalar() const { return isScalarKind(kind_); }
  bool isNumeric() const { return kind_ == TypeKind::Int || kind_ == TypeKind::Float; }

  // The element type of a list.
  Type element() const {
    assert(isList() && "element() of a non-list");
    return Type(members_[0]);
  }
  // The member types of a tuple.
  std::vector<Type> members() const {
    assert(isTuple() && "members() of a non-tuple");
    std::vector<Type> result;
    for (TypeKind member : members_)
      result.push_back(Type(member));
    return result;
  }

  // Spelled as in Python annotations: "float", "list[int]", "tuple[float, bool]"; "None".
  std::string str() const {
    switch (kind_) {
    case TypeKind::None: return "None";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::List: return "list[" + Type(members_[0]).str() + "]";
    case TypeKind::Tuple: {
      std::string text = "tuple[";
      for (size_t i = 0; i < members_.size(); ++i)
        text += (i ? ", " : "") + Type(members_[i]).str();
      return text + "]";
    }
    }
    return "?";
  }

  friend bool operator==(const Type &a, const Type &b) {
    return a.kind_ == b.kind_ && a.members_ == b.members_;
  }
  friend bool operator!=(const Type &a, const Type &b) { return !(a == b); }

  static bool isScalarKind(TypeKind kind) {
    return kind == TypeKind::Bool || kind == TypeKind::Int || kind == TypeKind::Float;
  }

private:
  explicit Type(TypeKind kind) : kind_(kind) {}
  TypeKind kind_ = TypeKind::None;
  std::vector<TypeKind> members_;
};

} // namespace pyvc::ir
