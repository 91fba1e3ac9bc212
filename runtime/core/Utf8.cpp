// UTF-8 validation: an ASCII fast path eight bytes at a time, then a byte-exact state check of
// each multi-byte sequence following Table 3-7 of the Unicode standard.
#include "core/Utf8.h"

#include <cstdint>
#include <cstring>

namespace pyvc {

namespace {

bool isContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Length of the well-formed sequence starting at `text[0]`, or 0 when it is malformed.
size_t wellFormedSequenceLength(const unsigned char *text, size_t available) {
  unsigned char lead = text[0];
  if (lead < 0x80)
    return 1;
  // Second-byte bounds are what rule out overlongs (E0, F0), surrogates (ED) and > U+10FFFF (F4).
  unsigned char secondLow = 0x80, secondHigh = 0xBF;
  size_t length;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0)
      secondLow = 0xA0;
    if (lead == 0xED)
      secondHigh = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0)
      secondLow = 0x90;
    if (lead == 0xF4)
      secondHigh = 0x8F;
  } else {
    return 0; // 0x80..0xC1 and 0xF5..0xFF never start a sequence
  }
  if (available < length)
    return 0;
  if (text[1] < secondLow || text[1] > secondHigh)
    return 0;
  for (size_t i = 2; i < length; ++i)
    if (!isContinuation(text[i]))
      return 0;
  return length;
}

} // namespace

bool isValidUtf8(std::string_view text) {
  const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
  size_t size = text.size();
  size_t position = 0;
  while (position < size) {
    // Sensor names are almost always ASCII: skip eight ASCII bytes per step.
    if (position + 8 <= size) {
      uint64_t chunk;
      std::memcpy(&chunk, bytes + position, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        position += 8;
        continue;
      }
    }
    size_t length = wellFormedSequenceLength(bytes + position, size - position);
    if (length == 0)
      return false;
    position += length;
  }
  return true;
}

} // namespace pyvc
