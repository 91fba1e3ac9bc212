// The content-addressed compile cache: outputs keyed by the SHA-256 of everything that decides
// them (source bytes, source path, compiler version, target, flags, emit kind, soname). Entries
// are written to a temporary file in the cache directory and renamed into place, so concurrent
// compiles never see a partial entry; each entry carries its size and hash, so a corrupt or
// truncated one is ignored (and replaced by the next store).
#pragma once

#include "runtime/core/Result.h"

#include <optional>
#include <string>
#include <vector>

namespace pyvc::compiler {

class CompileCache {
public:
  // $PYVC_CACHE_DIR, else $HOME/.cache/pyvc; created when missing.
  static Result<CompileCache> open();
  static Result<CompileCache> openAt(const std::string &directory);

  // The key of a compile: a hex SHA-256 over the given parts, each length-prefixed so that no
  // two different part lists can collide by concatenation.
  static std::string key(const std::vector<std::string> &parts);

  // The stored output, or nullopt when absent, unreadable or failing its size/hash check.
  std::optional<std::string> lookup(const std::string &key) const;
  Result<void> store(const std::string &key, const std::string &output) const;

  std::string entryPath(const std::string &key) const { return directory_ + "/" + key + ".entry"; }
  const std::string &directory() const { return directory_; }

private:
  explicit CompileCache(std::string directory) : directory_(std::move(directory)) {}
  std::string directory_;
};

} // namespace pyvc::compiler
