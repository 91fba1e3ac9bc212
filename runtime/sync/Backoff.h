// Backoff: the retry delay of a nacked batch, exponential with full jitter, and the small seeded
// random generator behind it (splitmix64: one 64-bit state, reproducible from a seed in tests).
#pragma once

#include <chrono>
#include <cstdint>

namespace pyvc::sync {

// The next value of a splitmix64 generator; advances state.
inline uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The upper end of the jitter window after `attempts` failed deliveries (attempts >= 1):
// min(cap, base * 2^(attempts-1)), without overflowing however large attempts grows.
inline std::chrono::milliseconds backoffWindow(int attempts, std::chrono::milliseconds base,
                                               std::chrono::milliseconds cap) {
  int doublings = attempts < 1 ? 0 : attempts - 1;
  int64_t window = base.count();
  for (int i = 0; i < doublings && window < cap.count(); ++i)
    window *= 2;
  return std::chrono::milliseconds(window < cap.count() ? window : cap.count());
}

// Full jitter (as in AWS's "Exponential Backoff and Jitter"): uniform in [0, window]. Spreads
// the retries of many gateways that lost the link at the same moment.
inline std::chrono::milliseconds fullJitterDelay(int attempts, std::chrono::milliseconds base,
                                                 std::chrono::milliseconds cap,
                                                 uint64_t &randomState) {
  int64_t window = backoffWindow(attempts, base, cap).count();
  if (window <= 0)
    return std::chrono::milliseconds(0);
  uint64_t draw = nextRandom(randomState) % (static_cast<uint64_t>(window) + 1);
  return std::chrono::milliseconds(static_cast<int64_t>(draw));
}

} // namespace pyvc::sync
