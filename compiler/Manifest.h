// The manifest: the JSON document (docs/ABI.md) describing every exported function, built from
// the analysed IR, and its embedding as the `pyvc_<module>_manifest` constant in section
// .pyvc_manifest; and the module name that prefixes every exported symbol.
#pragma once

#include "compiler/Options.h"
#include "compiler/Targets.h"
#include "ir/IR.h"

#include <string>

namespace llvm {
class Module;
}

namespace pyvc::compiler {

// "pyvc 0.1.0 (LLVM 19.1.7)"
std::string compilerVersion();

// The module name of a compile: --module-name, or else the kernel file's name without folders
// and extension, made a C identifier ("sensor-rules.py" -> "sensor_rules", "2x.py" -> "_2x").
std::string moduleNameFor(const CompileOptions &options);
std::string moduleNameFromPath(const std::string &sourcePath);

struct ManifestInputs {
  std::string moduleName;
  TargetDescription target;
  std::vector<std::string> cpuFeatures; // enabledCpuFeatures() of the target machine
  int optLevel = 2;
  bool strictFp = false;
  std::string sourcePath;   // as given on the command line
  std::string sourceSha256; // hex
};

// The manifest JSON (pretty-printed, stable key order). Classification and possible errors must
// already be computed.
std::string buildManifest(const ir::Module &module, const ManifestInputs &inputs);

// Adds `const char pyvc_<module>_manifest[]` (NUL-terminated, exported) in section
// .pyvc_manifest.
void embedManifest(llvm::Module &module, const std::string &moduleName, const std::string &manifest);

} // namespace pyvc::compiler
