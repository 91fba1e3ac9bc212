// SHA-256 of bytes, as lower-case hex: the source hash in the manifest and the cache keys.
// Uses OpenSSL's libcrypto (EVP interface).
#pragma once

#include <string>
#include <string_view>

namespace pyvc::compiler {

std::string sha256Hex(std::string_view bytes);

} // namespace pyvc::compiler
