// KernelSet: opening and checking the config's kernel libraries (see KernelSet.h).
#include "agent/KernelSet.h"

#include "config/RuleModule.h"

#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <system_error>

namespace pyvc::agent {

namespace {

std::string sha256Hex(const std::string &bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// The dynamic loader keeps a library it has loaded under its path: dlopen of the same path
// returns the old code even after the file was rebuilt (a SIGHUP after `pyvc compile`). Each
// library is therefore loaded from a copy named by its content, in the data folder, so a new
// build is new code and an unchanged one is shared.
Result<std::filesystem::path> stageLibrary(const std::filesystem::path &library,
                                           const std::filesystem::path &stageFolder) {
  std::ifstream in(library, std::ios::binary);
  if (!in)
    return makeError(library.string() + ": cannot read the kernel library");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code error;
  std::filesystem::create_directories(stageFolder, error);
  if (error)
    return makeError(stageFolder.string() + ": " + error.message());
  std::filesystem::path staged =
      stageFolder / (sha256Hex(bytes).substr(0, 32) + "-" + library.filename().string());
  if (std::filesystem::exists(staged, error))
    return staged;
  std::filesystem::path temporary = staged;
  temporary += ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out.flush())
      return makeError(temporary.string() + ": cannot write the staged kernel library");
  }
  std::filesystem::rename(temporary, staged, error);
  if (error)
    return makeError(staged.string() + ": " + error.message());
  return staged;
}

} // namespace

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
  auto staged = stageLibrary(path, stageFolder_);
  if (!staged)
    return staged.error();
  auto opened = loader::KernelLibrary::open(staged->string());
  if (!opened)
    return makeError(path.string() + ": " + opened.error().message);
  const loader::KernelLibrary *raw = opened->get();
  libraries_.emplace(path, std::move(opened.value()));
  return raw;
}

Result<std::unique_ptr<KernelSet>> KernelSet::open(const AgentConfig &config) {
  std::unique_ptr<KernelSet> set(new KernelSet());
  set->config_.file = config.file;
  set->config_.kernelDir = config.kernelDir;
  set->stageFolder_ = config.dataDir / "loaded-kernels";
  for (const PipelineConfig &pipeline : config.pipelines) {
    for (const AggregateConfig &aggregate : pipeline.aggregates)
      if (auto opened = set->library(resolveKernelPath(config, aggregate.kernel.library));
          !opened)
        return makeError("pipelines." + pipeline.name + ".aggregates." + aggregate.name + ": " +
                         opened.error().message);
    for (const RuleConfig &rule : pipeline.rules)
      if (rule.function)
        if (auto opened = set->library(resolveKernelPath(config, rule.function->library));
            !opened)
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
