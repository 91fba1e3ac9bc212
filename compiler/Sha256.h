// SHA-256 of bytes, as lower-case hex: the source hash in the manifest and the cache keys.
// Self-contained (FIPS 180-4), so the thin `pyvc` executable answers cache hits without loading
// libcrypto: its relocations and initialisation cost more than the whole cache lookup.
#pragma once

#include <string>
#include <string_view>

namespace pyvc::compiler {

std::string sha256Hex(std::string_view bytes);

} // namespace pyvc::compiler
