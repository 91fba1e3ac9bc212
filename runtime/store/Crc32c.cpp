// CRC32C with slicing-by-8 tables built once at start-up. zlib's crc32 is the IEEE polynomial,
// which hardware (SSE4.2, ARMv8 CRC) does not accelerate and which detects fewer burst errors in
// short messages; CRC32C is ~40 lines and needs no library.
#include "store/Crc32c.h"

#include <array>
#include <cstring>

namespace pyvc::store {

namespace {

constexpr uint32_t Polynomial = 0x82F63B78; // CRC32C, reflected

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables makeTables() {
  Tables tables{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ ((crc & 1) ? Polynomial : 0);
    tables[0][byte] = crc;
  }
  for (uint32_t byte = 0; byte < 256; ++byte)
    for (size_t slice = 1; slice < 8; ++slice)
      tables[slice][byte] =
          (tables[slice - 1][byte] >> 8) ^ tables[0][tables[slice - 1][byte] & 0xFF];
  return tables;
}

constexpr Tables CrcTables = makeTables();

} // namespace

uint32_t crc32c(std::string_view bytes, uint32_t crc) {
  const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
  size_t size = bytes.size();
  crc = ~crc;
  // Eight bytes per step; the byte order of the load is fixed (little-endian assembly below), so
  // the result is the same on every host.
  while (size >= 8) {
    uint32_t low = crc ^ (uint32_t(data[0]) | uint32_t(data[1]) << 8 | uint32_t(data[2]) << 16 |
                          uint32_t(data[3]) << 24);
    uint32_t high = uint32_t(data[4]) | uint32_t(data[5]) << 8 | uint32_t(data[6]) << 16 |
                    uint32_t(data[7]) << 24;
    crc = CrcTables[7][low & 0xFF] ^ CrcTables[6][(low >> 8) & 0xFF] ^
          CrcTables[5][(low >> 16) & 0xFF] ^ CrcTables[4][low >> 24] ^ CrcTables[3][high & 0xFF] ^
          CrcTables[2][(high >> 8) & 0xFF] ^ CrcTables[1][(high >> 16) & 0xFF] ^
          CrcTables[0][high >> 24];
    data += 8;
    size -= 8;
  }
  while (size-- > 0)
    crc = (crc >> 8) ^ CrcTables[0][(crc ^ *data++) & 0xFF];
  return ~crc;
}

} // namespace pyvc::store
