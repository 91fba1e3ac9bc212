// KernelSet: the compiled kernel libraries a config names, each opened once through its manifest
// (runtime/loader checks the ABI version and the target before any code runs), and the rules
// library checked against the config's inline rules so that a missing or stale one is refused
// with the command that rebuilds it. Each library is read once, its signature checked against the
// config's trusted keys (runtime/trust; unless `kernels.allow_unsigned`), and exactly the checked
// bytes are loaded, from a sealed in-memory copy: a library swapped on disk after the check never
// runs, and a library rebuilt in place is new code after a reload.
#pragma once

#include "config/AgentConfig.h"
#include "core/Result.h"
#include "loader/KernelLibrary.h"
#include "trust/TrustedKeys.h"

#include <map>
#include <memory>
#include <string>

namespace pyvc::agent {

class KernelSet {
public:
  // Opens every library the config refers to (aggregates, rule functions, the rules library).
  static Result<std::unique_ptr<KernelSet>> open(const AgentConfig &config);
  // The function a KernelRef names, or an Error naming the reference and what is wrong.
  Result<const loader::KernelFunction *> function(const KernelRef &ref) const;
  // The rules library's function for an inline rule.
  Result<const loader::KernelFunction *> ruleFunction(const std::string &name) const;
  size_t libraries() const { return libraries_.size(); }

private:
  KernelSet() = default;
  Result<const loader::KernelLibrary *> library(const std::filesystem::path &path);
  std::map<std::filesystem::path, std::unique_ptr<loader::KernelLibrary>> libraries_;
  AgentConfig config_; // only file and kernelDir: what resolveKernelPath reads
  bool allowUnsigned_ = false;
  trust::TrustedKeys trustedKeys_;
  const loader::KernelLibrary *rules_ = nullptr;
  std::filesystem::path rulesPath_;
};

// Resolves a library path of the config against its kernel directory.
std::filesystem::path resolveKernelPath(const AgentConfig &config,
                                        const std::filesystem::path &library);

} // namespace pyvc::agent
