// CRC32C (Castagnoli), the checksum every queued payload and stored reading carries so that bytes
// damaged on disk are caught before they are delivered or returned. Table-driven, no dependency.
#pragma once

#include <cstdint>
#include <string_view>

namespace pyvc::store {

// CRC32C of `bytes`, continuing from `crc` (0 to start): crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view bytes, uint32_t crc = 0);

} // namespace pyvc::store
