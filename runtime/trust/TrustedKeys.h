// TrustedKeys: the public keys a gateway accepts kernel libraries from, loaded from files and
// folders of `.pub` files (e.g. /etc/pyvc-agent/trusted-keys/), the way the agent config's
// `kernels.trusted_keys` and pyvc-call's `--trusted-key` name them.
#pragma once

#include "core/Result.h"
#include "trust/KeyFiles.h"

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::trust {

class TrustedKeys {
public:
  // Reads every path: a file is one PEM public key; a folder contributes each regular file in it
  // whose name ends in `.pub` (in name order; other files are ignored, so a README may sit
  // there). A missing path, an unreadable or malformed key, or a folder without any `.pub` file
  // is an Error naming it: a trust configuration that trusts nothing is a mistake, not a policy.
  static Result<TrustedKeys> load(std::span<const std::filesystem::path> paths);

  // The key with this id, or nullptr.
  const PublicKey *find(std::string_view id) const;
  const std::vector<PublicKey> &keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }
  // "a1b2c3d4e5f60718 (/etc/pyvc-agent/trusted-keys/build.pub), ...", for refusals.
  std::string describe() const;

  void add(PublicKey key); // a key already present (same id) is kept once

private:
  std::vector<PublicKey> keys_;
};

} // namespace pyvc::trust
