// SHA-256 as specified in FIPS 180-4: 64-byte blocks, a 64-round compression function, the
// message padded with 0x80, zeros and its bit length (big-endian).
#include "compiler/Sha256.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace pyvc::compiler {

namespace {

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
constexpr std::array<uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr uint32_t rotateRight(uint32_t value, int bits) {
  return (value >> bits) | (value << (32 - bits));
}

uint32_t loadBigEndian(const unsigned char *bytes) {
  return uint32_t(bytes[0]) << 24 | uint32_t(bytes[1]) << 16 | uint32_t(bytes[2]) << 8 | bytes[3];
}

class Sha256 {
public:
  void update(std::string_view bytes) {
    for (char c : bytes) {
      block_[blockLength_++] = static_cast<unsigned char>(c);
      if (blockLength_ == 64) {
        compress();
        blockLength_ = 0;
      }
    }
    messageBits_ += uint64_t(bytes.size()) * 8;
  }

  std::array<unsigned char, 32> finish() {
    uint64_t messageBits = messageBits_;
    update(std::string_view("\x80", 1));
    while (blockLength_ != 56)
      update(std::string_view("\0", 1));
    for (int shift = 56; shift >= 0; shift -= 8) {
      char lengthByte = static_cast<char>(messageBits >> shift);
      update(std::string_view(&lengthByte, 1));
    }
    std::array<unsigned char, 32> digest{};
    for (int word = 0; word < 8; ++word)
      for (int byte = 0; byte < 4; ++byte)
        digest[word * 4 + byte] = static_cast<unsigned char>(state_[word] >> (24 - 8 * byte));
    return digest;
  }

private:
  void compress() {
    uint32_t schedule[64];
    for (int i = 0; i < 16; ++i)
      schedule[i] = loadBigEndian(block_ + 4 * i);
    for (int i = 16; i < 64; ++i) {
      uint32_t s0 = rotateRight(schedule[i - 15], 7) ^ rotateRight(schedule[i - 15], 18) ^ (schedule[i - 15] >> 3);
      uint32_t s1 = rotateRight(schedule[i - 2], 17) ^ rotateRight(schedule[i - 2], 19) ^ (schedule[i - 2] >> 10);
      schedule[i] = schedule[i - 16] + s0 + schedule[i - 7] + s1;
    }
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (int i = 0; i < 64; ++i) {
      uint32_t sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
      uint32_t choose = (e & f) ^ (~e & g);
      uint32_t temp1 = h + sum1 + choose + kRoundConstants[i] + schedule[i];
      uint32_t sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
      uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
      uint32_t temp2 = sum0 + majority;
      h = g;
      g = f;
      f = e;
      e = d + temp1;
      d = c;
      c = b;
      b = a;
      a = temp1 + temp2;
    }
    uint32_t results[8] = {a, b, c, d, e, f, g, h};
    for (int i = 0; i < 8; ++i)
      state_[i] += results[i];
  }

  // The first 32 bits of the fractional parts of the square roots of the first 8 primes.
  uint32_t state_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  unsigned char block_[64] = {};
  int blockLength_ = 0;
  uint64_t messageBits_ = 0;
};

} // namespace

std::string sha256Hex(std::string_view bytes) {
  Sha256 hash;
  hash.update(bytes);
  static const char hex[] = "0123456789abcdef";
  std::string text;
  for (unsigned char byte : hash.finish()) {
    text += hex[byte >> 4];
    text += hex[byte & 15];
  }
  return text;
}

} // namespace pyvc::compiler
