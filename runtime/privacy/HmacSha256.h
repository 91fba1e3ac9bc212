// HmacSha256: the keyed hash that turns sensor names and field values into tokens. Same input
// and key, same token; without the key, guessing inputs cannot confirm a token.
#pragma once

#include "core/Result.h"

#include <memory>
#include <string>
#include <string_view>

namespace pyvc {

class HmacSha256 {
public:
  // Keys the hash once (the padded-key SHA-256 states are kept); each token() starts from them.
  // Thread-safe: token() only reads the kept states.
  static Result<std::shared_ptr<const HmacSha256>> create(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256 &) = delete;
  HmacSha256 &operator=(const HmacSha256 &) = delete;

  // The token of `message`: HMAC-SHA256(key, message bytes) as 64 lower-case hex digits, the
  // same as `printf %s MESSAGE | openssl dgst -sha256 -mac HMAC -macopt hexkey:KEYHEX`.
  // Fails only if OpenSSL does (out of memory).
  Result<std::string> token(std::string_view message) const;

private:
  HmacSha256() = default;
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace pyvc
