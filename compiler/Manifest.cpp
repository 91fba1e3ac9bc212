// Manifest building with nlohmann's ordered_json, so keys keep the order docs/ABI.md shows and
// the bytes never depend on hashing.
#include "compiler/Manifest.h"

#include "compiler/Version.h"
#include "ir/Printer.h"
#include "ir/analysis/Classification.h"
#include "pyvc/kernel_abi.h"
#include "pyvc/kernel_symbols.h"

#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/Module.h>
#include <nlohmann/json.hpp>

namespace pyvc::compiler {

using Json = nlohmann::ordered_json;

std::string compilerVersion() { return compilerVersionString(); }

namespace {

Json functionEntry(const std::string &moduleName, const ir::Function &function) {
  Json params = Json::array();
  for (ir::LocalId id : function.parameters)
    params.push_back(Json{{"name", function.locals[id].name}, {"type", function.locals[id].type.str()}});
  Json errors = Json::array();
  for (ir::ErrorKind error : function.possibleErrors)
    errors.push_back(ir::errorKindName(error));
  Json entry;
  entry["name"] = function.name;
  entry["symbol"] = abi::functionSymbol(moduleName, function.name);
  entry["batch_symbol"] =
      ir::hasBatchVariant(function) ? Json(abi::batchSymbol(moduleName, function.name)) : Json(nullptr);
  entry["params"] = std::move(params);
  entry["returns"] = function.returnType.str();
  entry["classification"] = ir::classificationName(function.classification);
  entry["errors"] = std::move(errors);
  entry["line"] = function.span.line;
  entry["doc"] = function.docstring;
  return entry;
}

} // namespace

std::string moduleNameFromPath(const std::string &sourcePath) {
  size_t slash = sourcePath.find_last_of('/');
  std::string name = slash == std::string::npos ? sourcePath : sourcePath.substr(slash + 1);
  if (size_t dot = name.rfind('.'); dot != std::string::npos && dot > 0)
    name.resize(dot);
  for (char &c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      c = '_';
  if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
    name.insert(name.begin(), '_');
  return name;
}

std::string moduleNameFor(const CompileOptions &options) {
  return options.moduleName.empty() ? moduleNameFromPath(options.sourcePath) : options.moduleName;
}

std::string buildManifest(const ir::Module &module, const ManifestInputs &inputs) {
  Json manifest;
  manifest["format"] = "pyvc-manifest";
  manifest["abi_version"] = PYVC_ABI_VERSION;
  manifest["compiler"] = compilerVersion();
  manifest["module"] = inputs.moduleName;
  manifest["target"] = Json{{"name", inputs.target.name},
                            {"triple", inputs.target.triple},
                            {"cpu", inputs.target.cpu},
                            {"features", inputs.cpuFeatures}};
  manifest["options"] = Json{{"opt_level", inputs.optLevel}, {"strict_fp", inputs.strictFp}};
  manifest["source"] = Json{{"path", inputs.sourcePath}, {"sha256", inputs.sourceSha256}};
  Json functions = Json::array();
  for (const ir::Function &function : module.functions)
    functions.push_back(functionEntry(inputs.moduleName, function));
  manifest["functions"] = std::move(functions);
  // Invalid UTF-8 in a docstring or name must not abort: replace it.
  return manifest.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

void embedManifest(llvm::Module &module, const std::string &moduleName, const std::string &manifest) {
  llvm::Constant *bytes = llvm::ConstantDataArray::getString(module.getContext(), manifest,
                                                             /*AddNull=*/true);
  auto *global = new llvm::GlobalVariable(module, bytes->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::ExternalLinkage, bytes,
                                          abi::manifestSymbol(moduleName));
  global->setSection(PYVC_MANIFEST_SECTION);
  global->setAlignment(llvm::Align(1));
  global->setVisibility(llvm::GlobalValue::DefaultVisibility);
}

} // namespace pyvc::compiler
