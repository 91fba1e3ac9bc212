// Parsing and validating the manifest JSON (docs/ABI.md). nlohmann::json is used in its
// non-throwing mode and every key is type-checked before it is read, so a hostile manifest yields
// an Error that names the offending key instead of an exception.
#include "loader/Manifest.h"

#include "pyvc/kernel_abi.h"

#include <nlohmann/json.hpp>

#include <set>

namespace pyvc::loader {
namespace {

using Json = nlohmann::json;

std::optional<ScalarKind> parseScalar(std::string_view text) {
  if (text == "float")
    return ScalarKind::Float;
  if (text == "int")
    return ScalarKind::Int;
  if (text == "bool")
    return ScalarKind::Bool;
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ')
    text.remove_suffix(1);
  return text;
}

bool isIdentifier(std::string_view text) {
  if (text.empty() || (text[0] >= '0' && text[0] <= '9'))
    return false;
  for (char c : text)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

// Reads an optional string key: absent and null give `fallback`, anything but a string fails.
Result<std::string> optionalString(const Json &object, const char *key, std::string fallback,
                                   const std::string &where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null())
    return fallback;
  if (!it->is_string())
    return makeError(where + ": `" + key + "` must be a string");
  return it->get<std::string>();
}

Result<std::string> requiredString(const Json &object, const char *key, const std::string &where) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string())
    return makeError(where + ": missing string `" + key + "`");
  return it->get<std::string>();
}

Result<std::vector<Parameter>> parseParams(const Json &function, const std::string &where) {
  auto it = function.find("params");
  if (it == function.end() || !it->is_array())
    return makeError(where + ": missing array `params`");
  std::vector<Parameter> params;
  std::set<std::string> seen;
  for (const Json &entry : *it) {
    std::string at = where + " parameter " + std::to_string(params.size() + 1);
    if (!entry.is_object())
      return makeError(at + ": must be an object");
    auto name = requiredString(entry, "name", at);
    if (!name)
      return name.error();
    auto typeText = requiredString(entry, "type", at);
    if (!typeText)
      return typeText.error();
    auto type = ValueType::parse(*typeText);
    if (!type || !(type->isScalar() || type->isList()))
      return makeError(at + ": unsupported parameter type `" + *typeText + "`");
    if (!seen.insert(*name).second)
      return makeError(at + ": duplicate parameter name `" + *name + "`");
    params.push_back({*name, *type});
  }
  return params;
}

Result<std::vector<std::string>> parseErrors(const Json &function, const std::string &where) {
  std::vector<std::string> errors;
  auto it = function.find("errors");
  if (it == function.end() || it->is_null())
    return errors;
  if (!it->is_array())
    return makeError(where + ": `errors` must be an array of exception names");
  for (const Json &name : *it) {
    if (!name.is_string())
      return makeError(where + ": `errors` must be an array of exception names");
    errors.push_back(name.get<std::string>());
  }
  return errors;
}

Result<FunctionDescription> parseFunction(const Json &entry, size_t index) {
  std::string where = "function " + std::to_string(index + 1);
  if (!entry.is_object())
    return makeError(where + ": must be an object");
  FunctionDescription function;
  auto name = requiredString(entry, "name", where);
  if (!name)
    return name.error();
  if (!isIdentifier(*name))
    return makeError(where + ": `" + *name + "` is not a Python identifier");
  function.name = *name;
  where = "function `" + function.name + "`";

  auto symbol = requiredString(entry, "symbol", where);
  if (!symbol)
    return symbol.error();
  function.symbol = *symbol;
  auto batch = optionalString(entry, "batch_symbol", "", where);
  if (!batch)
    return batch.error();
  if (!batch->empty())
    function.batchSymbol = *batch;

  auto params = parseParams(entry, where);
  if (!params)
    return params.error();
  function.params = std::move(*params);

  auto returns = optionalString(entry, "returns", "None", where);
  if (!returns)
    return returns.error();
  auto returnType = ValueType::parse(*returns);
  if (!returnType)
    return makeError(where + ": unsupported return type `" + *returns + "`");
  function.returns = *returnType;

  auto classification = optionalString(entry, "classification", "kernel", where);
  if (!classification)
    return classification.error();
  if (*classification == "scalar")
    function.classification = Classification::Scalar;
  else if (*classification == "kernel")
    function.classification = Classification::Kernel;
  else
    return makeError(where + ": classification must be `scalar` or `kernel`, not `" +
                     *classification + "`");
  if (function.batchSymbol && !function.allScalar())
    return makeError(where + ": has a batch variant but takes or returns a list");

  auto errors = parseErrors(entry, where);
  if (!errors)
    return errors.error();
  function.errors = std::move(*errors);
  auto doc = optionalString(entry, "doc", "", where);
  if (!doc)
    return doc.error();
  function.doc = *doc;
  if (auto line = entry.find("line"); line != entry.end() && line->is_number_integer())
    function.line = line->get<int64_t>();
  return function;
}

Result<TargetDescription> parseTarget(const Json &document) {
  auto it = document.find("target");
  if (it == document.end() || !it->is_object())
    return makeError("manifest: missing object `target`");
  TargetDescription target;
  auto triple = requiredString(*it, "triple", "manifest target");
  if (!triple)
    return triple.error();
  target.triple = *triple;
  auto name = optionalString(*it, "name", target.architecture(), "manifest target");
  if (!name)
    return name.error();
  target.name = *name;
  auto cpu = optionalString(*it, "cpu", "", "manifest target");
  if (!cpu)
    return cpu.error();
  target.cpu = *cpu;
  auto features = it->find("features");
  if (features == it->end() || !features->is_array())
    return makeError("manifest target: missing array `features`");
  for (const Json &feature : *features) {
    if (!feature.is_string())
      return makeError("manifest target: `features` must be an array of strings");
    target.features.push_back(feature.get<std::string>());
  }
  return target;
}

} // namespace

const char *scalarName(ScalarKind kind) {
  switch (kind) {
  case ScalarKind::Bool:
    return "bool";
  case ScalarKind::Int:
    return "int";
  case ScalarKind::Float:
    return "float";
  }
  return "?";
}

std::optional<ValueType> ValueType::parse(std::string_view text) {
  text = trim(text);
  if (text == "None")
    return ValueType::none();
  if (auto scalar = parseScalar(text))
    return ValueType::scalarOf(*scalar);
  auto bracketed = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (text.size() <= prefix.size() + 1 || text.substr(0, prefix.size()) != prefix ||
        text.back() != ']')
      return std::nullopt;
    return text.substr(prefix.size(), text.size() - prefix.size() - 1);
  };
  if (auto inner = bracketed("list[")) {
    if (auto element = parseScalar(trim(*inner)))
      return ValueType::listOf(*element);
    return std::nullopt;
  }
  if (auto inner = bracketed("tuple[")) {
    std::vector<ScalarKind> members;
    std::string_view rest = *inner;
    while (true) {
      size_t comma = rest.find(',');
      auto member = parseScalar(trim(rest.substr(0, comma)));
      if (!member)
        return std::nullopt;
      members.push_back(*member);
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
    }
    return ValueType::tupleOf(std::move(members));
  }
  return std::nullopt;
}

std::string ValueType::str() const {
  switch (shape) {
  case TypeShape::None:
    return "None";
  case TypeShape::Scalar:
    return scalarName(scalar);
  case TypeShape::List:
    return std::string("list[") + scalarName(scalar) + "]";
  case TypeShape::Tuple: {
    std::string text = "tuple[";
    for (size_t i = 0; i < members.size(); ++i)
      text += std::string(i ? ", " : "") + scalarName(members[i]);
    return text + "]";
  }
  }
  return "?";
}

std::string FunctionDescription::signatureText() const {
  std::string text = name + "(";
  for (size_t i = 0; i < params.size(); ++i)
    text += (i ? ", " : "") + params[i].name + ": " + params[i].type.str();
  return text + ") -> " + returns.str();
}

bool FunctionDescription::allScalar() const {
  for (const Parameter &param : params)
    if (!param.type.isScalar())
      return false;
  return !returns.isList();
}

std::string TargetDescription::architecture() const { return triple.substr(0, triple.find('-')); }

const FunctionDescription *Manifest::find(std::string_view name) const {
  for (const FunctionDescription &function : functions)
    if (function.name == name)
      return &function;
  return nullptr;
}

Result<Manifest> parseManifest(std::string_view json) {
  Json document = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded())
    return makeError("manifest: not valid JSON");
  if (!document.is_object())
    return makeError("manifest: the document must be a JSON object");
  if (auto format = document.find("format"); format == document.end() || *format != "pyvc-manifest")
    return makeError("manifest: `format` must be \"pyvc-manifest\"");
  auto version = document.find("abi_version");
  if (version == document.end() || !version->is_number_integer())
    return makeError("manifest: missing integer `abi_version`");
  Manifest manifest;
  manifest.abiVersion = version->get<int64_t>();
  if (manifest.abiVersion != PYVC_ABI_VERSION)
    return makeError("manifest: the library was built for kernel ABI " +
                     std::to_string(manifest.abiVersion) + ", this loader needs ABI " +
                     std::to_string(PYVC_ABI_VERSION) + ": recompile it with a pyvc of ABI " +
                     std::to_string(PYVC_ABI_VERSION));
  auto compiler = optionalString(document, "compiler", "", "manifest");
  if (!compiler)
    return compiler.error();
  manifest.compiler = *compiler;
  auto module = requiredString(document, "module", "manifest");
  if (!module)
    return module.error();
  if (!isIdentifier(*module))
    return makeError("manifest: module `" + *module + "` is not a C identifier");
  manifest.module = *module;
  auto target = parseTarget(document);
  if (!target)
    return target.error();
  manifest.target = std::move(*target);
  if (auto source = document.find("source"); source != document.end() && source->is_object()) {
    auto path = optionalString(*source, "path", "", "manifest source");
    auto sha = optionalString(*source, "sha256", "", "manifest source");
    if (!path)
      return path.error();
    if (!sha)
      return sha.error();
    manifest.sourcePath = *path;
    manifest.sourceSha256 = *sha;
  }

  auto functions = document.find("functions");
  if (functions == document.end() || !functions->is_array())
    return makeError("manifest: missing array `functions`");
  std::set<std::string> names;
  for (const Json &entry : *functions) {
    auto function = parseFunction(entry, manifest.functions.size());
    if (!function)
      return function.error();
    if (!names.insert(function->name).second)
      return makeError("manifest: function `" + function->name + "` is listed twice");
    manifest.functions.push_back(std::move(*function));
  }
  manifest.json = std::string(json);
  return manifest;
}

} // namespace pyvc::loader
