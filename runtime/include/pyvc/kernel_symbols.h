// The exported symbol names of kernel_abi.h as C++ strings, built from its macros only: what the
// backend defines, the manifest and the generated header name, and the loaders look up.
#pragma once

#include "pyvc/kernel_abi.h"

#include <string>
#include <string_view>

namespace pyvc::abi {

// pyvc_<module>_fn_<function>
inline std::string functionSymbol(std::string_view module, std::string_view function) {
  return std::string(PYVC_SYMBOL_PREFIX).append(module).append(PYVC_FUNCTION_INFIX).append(function);
}

// pyvc_<module>_batch_<function>
inline std::string batchSymbol(std::string_view module, std::string_view function) {
  return std::string(PYVC_SYMBOL_PREFIX).append(module).append(PYVC_BATCH_INFIX).append(function);
}

// pyvc_<module>_free
inline std::string freeSymbol(std::string_view module) {
  return std::string(PYVC_SYMBOL_PREFIX).append(module).append(PYVC_FREE_SUFFIX);
}

// pyvc_<module>_manifest
inline std::string manifestSymbol(std::string_view module) {
  return std::string(PYVC_SYMBOL_PREFIX).append(module).append(PYVC_MANIFEST_SUFFIX);
}

// Whether `name` can be a module name: a C identifier (it becomes part of C symbol names).
inline bool isModuleName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
    return false;
  for (char c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

} // namespace pyvc::abi
