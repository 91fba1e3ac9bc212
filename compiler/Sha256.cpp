// SHA-256 through OpenSSL's one-shot EVP_Digest.
#include "compiler/Sha256.h"

#include <openssl/evp.h>

#include <cassert>

namespace pyvc::compiler {

std::string sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  [[maybe_unused]] int ok =
      EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  assert(ok == 1 && length == 32 && "SHA-256 cannot fail on memory input");
  static const char hex[] = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 15];
  }
  return text;
}

} // namespace pyvc::compiler
