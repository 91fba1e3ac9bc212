// HMAC-SHA256 tokens through OpenSSL 3's EVP_MAC, keyed once and duplicated per message so the
// key schedule is not recomputed for every sensor name.
#include "privacy/HmacSha256.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace pyvc {

struct HmacSha256::State {
  EVP_MAC *mac = nullptr;
  EVP_MAC_CTX *keyed = nullptr;
  ~State() {
    EVP_MAC_CTX_free(keyed); // also cleanses the key material it holds
    EVP_MAC_free(mac);
  }
};

HmacSha256::~HmacSha256() = default;

Result<std::shared_ptr<const HmacSha256>> HmacSha256::create(std::string_view key) {
  if (key.empty())
    return makeError("an HMAC key must not be empty");
  std::shared_ptr<HmacSha256> hmac(new HmacSha256());
  hmac->state_ = std::make_unique<State>();
  State &state = *hmac->state_;
  state.mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  if (!state.mac)
    return makeError("OpenSSL has no HMAC implementation");
  state.keyed = EVP_MAC_CTX_new(state.mac);
  if (!state.keyed)
    return makeError("cannot allocate an HMAC context");
  char digest[] = "SHA256";
  OSSL_PARAM parameters[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(state.keyed, reinterpret_cast<const unsigned char *>(key.data()), key.size(),
                   parameters) != 1)
    return makeError("cannot initialise HMAC-SHA256");
  return std::shared_ptr<const HmacSha256>(std::move(hmac));
}

Result<std::string> HmacSha256::token(std::string_view message) const {
  EVP_MAC_CTX *context = EVP_MAC_CTX_dup(state_->keyed);
  if (!context)
    return makeError("cannot duplicate the HMAC context");
  unsigned char digest[32];
  size_t digestLength = 0;
  bool ok = EVP_MAC_update(context, reinterpret_cast<const unsigned char *>(message.data()),
                           message.size()) == 1 &&
            EVP_MAC_final(context, digest, &digestLength, sizeof digest) == 1 &&
            digestLength == sizeof digest;
  EVP_MAC_CTX_free(context);
  if (!ok)
    return makeError("HMAC-SHA256 computation failed");
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string hex(2 * sizeof digest, '\0');
  for (size_t i = 0; i < sizeof digest; ++i) {
    hex[2 * i] = kHexDigits[digest[i] >> 4];
    hex[2 * i + 1] = kHexDigits[digest[i] & 0xF];
  }
  return hex;
}

} // namespace pyvc
