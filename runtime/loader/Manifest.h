// The manifest model: what a compiled kernel library says about itself (docs/ABI.md, "Manifest"),
// parsed from JSON and validated, so that the loader can call any function without glue code.
#pragma once

#include "core/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::loader {

enum class ScalarKind : uint8_t { Bool, Int, Float };

enum class TypeShape : uint8_t {
  None,   // a function that returns nothing
  Scalar, // bool, int or float
  List,   // list of one scalar kind
  Tuple,  // tuple of scalars; results only
};

// A parameter or result type as spelled in the manifest: "float", "list[int]", "tuple[float,
// bool]".
struct ValueType {
  TypeShape shape = TypeShape::None;
  ScalarKind scalar = ScalarKind::Float; // the scalar, or the list's element
  std::vector<ScalarKind> members;       // tuple members

  static ValueType none() { return {}; }
  static ValueType scalarOf(ScalarKind kind) { return {TypeShape::Scalar, kind, {}}; }
  static ValueType listOf(ScalarKind kind) { return {TypeShape::List, kind, {}}; }
  static ValueType tupleOf(std::vector<ScalarKind> kinds) {
    return {TypeShape::Tuple, ScalarKind::Float, std::move(kinds)};
  }

  // Parses the Python annotation spelling; std::nullopt for anything else.
  static std::optional<ValueType> parse(std::string_view text);
  std::string str() const;
  bool isScalar() const { return shape == TypeShape::Scalar; }
  bool isList() const { return shape == TypeShape::List; }
  bool isTuple() const { return shape == TypeShape::Tuple; }
  bool isNone() const { return shape == TypeShape::None; }
};

const char *scalarName(ScalarKind kind);

struct Parameter {
  std::string name;
  ValueType type;
};

enum class Classification : uint8_t { Scalar, Kernel };

struct FunctionDescription {
  std::string name;
  std::string symbol;
  std::optional<std::string> batchSymbol; // present for scalar functions
  std::vector<Parameter> params;
  ValueType returns;
  Classification classification = Classification::Kernel;
  std::vector<std::string> errors; // Python exception names it can raise
  int64_t line = 0;
  std::string doc;

  // "clamp(xs: list[float], lo: float, hi: float) -> list[float]"
  std::string signatureText() const;
  // True when every parameter and result is a scalar (or the function returns nothing).
  bool allScalar() const;
};

struct TargetDescription {
  std::string name;   // "aarch64-cortex-a72", "x86-64"
  std::string triple; // "aarch64-unknown-linux-gnu"
  std::string cpu;
  std::vector<std::string> features; // CPU features the code needs (pyvc/cpu_features.def)
  // The architecture part of the triple: "aarch64", "x86_64".
  std::string architecture() const;
};

struct Manifest {
  int64_t abiVersion = 0;
  std::string compiler;
  std::string module; // the <module> of the library's exported symbols (kernel_abi.h)
  TargetDescription target;
  std::string sourcePath;
  std::string sourceSha256;
  std::vector<FunctionDescription> functions;
  std::string json; // the document as read, for tools that show it

  const FunctionDescription *find(std::string_view name) const;
};

// Parses and validates a manifest document: format, abi_version, target and every function's
// types. Unknown keys are ignored so that later compilers of the same ABI version stay loadable.
Result<Manifest> parseManifest(std::string_view json);

} // namespace pyvc::loader
