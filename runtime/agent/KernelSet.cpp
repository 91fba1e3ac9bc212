// KernelSet: opening and checking the config's kernel libraries (see KernelSet.h).
#include "agent/KernelSet.h"

#include "config/RuleModule.h"

#include "trust/KernelSignature.h"

#include <system_error>

namespace pyvc::agent {

std::filesystem::path resolveKernelPath(const AgentConfig &config,
                                        const std::filesystem::path &library) {
  if (library.is_absolute())
    return library;
  std::filesystem::path base =
      config.kernelDir.empty() ? config.file.parent_path() : config.kernelDir;
  return (base / library).lexically_normal();
}

Result<const loader::KernelLibrary *> KernelSet::library(const std::filesystem::path &path) {
  if (auto found = libraries_.find(path); found != libraries_.end())
    return found->second.get();
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored))
    return makeError(path.string() + ": no such kernel library");
  // Read once; the bytes checked are the bytes loaded (KernelLibrary::openImage).
  auto image = allowUnsigned_ ? trust::readLibraryImage(path)
                              : trust::readVerifiedLibrary(path, trustedKeys_);
  if (!image)
    return image.error();
  auto opened = loader::KernelLibrary::openImage(path.string(), image->bytes);
  if (!opened)
    return opened.error();
  const loader::KernelLibrary *raw = opened->get();
  libraries_.emplace(path, std::move(opened.value()));
  return raw;
}

Result<std::unique_ptr<KernelSet>> KernelSet::open(const AgentConfig &config) {
  std::unique_ptr<KernelSet> set(new KernelSet());
  set->config_.file = config.file;
  set->config_.kernelDir = config.kernelDir;
  set->allowUnsigned_ = config.allowUnsignedKernels;
  if (!set->allowUnsigned_ && !config.trustedKeys.empty()) {
    auto keys = trust::TrustedKeys::load(config.trustedKeys);
    if (!keys)
      return makeError("kernels.trusted_keys: " + keys.error().message);
    set->trustedKeys_ = std::move(*keys);
  }
  for (const PipelineConfig &pipeline : config.pipelines) {
    for (const AggregateConfig &aggregate : pipeline.aggregates)
      if (auto opened = set->library(resolveKernelPath(config, aggregate.kernel.library)); !opened)
        return makeError("pipelines." + pipeline.name + ".aggregates." + aggregate.name + ": " +
                         opened.error().message);
    for (const RuleConfig &rule : pipeline.rules)
      if (rule.function)
        if (auto opened = set->library(resolveKernelPath(config, rule.function->library)); !opened)
          return makeError("pipelines." + pipeline.name + ".rules." + rule.name + ": " +
                           opened.error().message);
  }
  if (!hasInlineRules(config))
    return set;

  std::filesystem::path rulesPath = resolveKernelPath(config, config.rulesLibrary);
  std::string rebuild = "run `" + ruleBuildCommand(config) + "`";
  std::error_code ignored;
  if (config.rulesLibrary.empty() || !std::filesystem::exists(rulesPath, ignored))
    return makeError("rules library " + rulesPath.string() +
                     " is missing: the config has inline rules (`when:`); " + rebuild);
  auto opened = set->library(rulesPath);
  if (!opened)
    return makeError("rules library: " + opened.error().message + "; " + rebuild);
  std::string expected = ruleModuleSha256(config);
  if ((*opened)->manifest().sourceSha256 != expected)
    return makeError("rules library " + rulesPath.string() +
                     " is stale: it was compiled from other rule expressions than the config's "
                     "(source sha256 " +
                     (*opened)->manifest().sourceSha256 + ", expected " + expected + "); " +
                     rebuild);
  set->rules_ = *opened;
  set->rulesPath_ = rulesPath;
  return set;
}

Result<const loader::KernelFunction *> KernelSet::function(const KernelRef &ref) const {
  auto found = libraries_.find(resolveKernelPath(config_, ref.library));
  if (found == libraries_.end())
    return makeError("`" + ref.text + "`: library not loaded");
  const loader::KernelFunction *function = found->second->function(ref.function);
  if (!function)
    return makeError("`" + ref.text + "`: " + found->first.string() + " has no function `" +
                     ref.function + "`");
  return function;
}

Result<const loader::KernelFunction *> KernelSet::ruleFunction(const std::string &name) const {
  if (!rules_)
    return makeError("no rules library is loaded");
  const loader::KernelFunction *function = rules_->function(name);
  if (!function)
    return makeError("rules library " + rulesPath_.string() + " has no function `" + name +
                     "`; run the rebuild command again");
  return function;
}

} // namespace pyvc::agent
