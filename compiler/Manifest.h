// The manifest: the JSON document (docs/ABI.md) describing every exported function, built from
// the analysed IR, and its embedding as the `pyvc_manifest` constant in section .pyvc_manifest.
#pragma once

#include "compiler/Targets.h"
#include "ir/IR.h"

#include <string>

namespace llvm {
class Module;
}

namespace pyvc::compiler {

// "pyvc 0.1.0 (LLVM 19.1.7)"
std::string compilerVersion();

struct ManifestInputs {
  TargetDescription target;
  int optLevel = 2;
  bool strictFp = false;
  std::string sourcePath;   // as given on the command line
  std::string sourceSha256; // hex
};

// The manifest JSON (pretty-printed, stable key order). Classification and possible errors must
// already be computed.
std::string buildManifest(const ir::Module &module, const ManifestInputs &inputs);

// Adds `const char pyvc_manifest[]` (NUL-terminated, exported) in section .pyvc_manifest.
void embedManifest(llvm::Module &module, const std::string &manifest);

} // namespace pyvc::compiler
