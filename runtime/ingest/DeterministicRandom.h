// DeterministicRandom: xoshiro256** seeded through splitmix64, with uniform and Gaussian draws
// written out here rather than taken from <random>, whose distributions differ between standard
// libraries: the simulator must give the same readings on x86-64 and on the aarch64 gateway.
#pragma once

#include <cmath>
#include <cstdint>

namespace pyvc::ingest {

class DeterministicRandom {
public:
  explicit DeterministicRandom(uint64_t seed) {
    uint64_t mix = seed;
    for (uint64_t &word : state_)
      word = splitMix64(mix);
  }

  uint64_t next() {
    uint64_t result = rotateLeft(state_[1] * 5, 7) * 9;
    uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = rotateLeft(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

  // Standard normal by the Box-Muller transform (both outputs used in turn). std::log, std::sqrt,
  // std::cos and std::sin are correctly rounded or nearly so in glibc on both targets.
  double gaussian() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    double u1 = 1.0 - uniform(); // (0, 1]: log(0) never happens
    double u2 = uniform();
    double radius = std::sqrt(-2.0 * std::log(u1));
    double angle = 2.0 * M_PI * u2;
    spare_ = radius * std::sin(angle);
    hasSpare_ = true;
    return radius * std::cos(angle);
  }

private:
  static uint64_t rotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitMix64(uint64_t &state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
  double spare_ = 0.0;
  bool hasSpare_ = false;
};

} // namespace pyvc::ingest
