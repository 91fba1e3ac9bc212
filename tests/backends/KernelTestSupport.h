// Shared by the backend tests: call an exported pyvc_kernels_fn_ symbol with scalar results and capture
// status, value and message; bit-exact float comparison.
#pragma once

#include "NativeCompile.h"
#include "pyvc/kernel_abi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace pyvc::backends::test {

template <typename Result> struct Outcome {
  int32_t status = -1;
  Result value{};
  std::string message;
};

// Calls pyvc_kernels_fn_<name>(args..., Result *out, const char **message).
template <typename Result, typename... Arguments>
Outcome<Result> callKernel(const NativeLibrary &library, const std::string &name, Arguments... arguments) {
  using Function = int32_t (*)(Arguments..., Result *, const char **);
  auto function = library.symbol<Function>("pyvc_kernels_fn_" + name);
  Outcome<Result> outcome;
  if (!function) {
    ADD_FAILURE() << "no symbol pyvc_kernels_fn_" << name;
    return outcome;
  }
  const char *message = nullptr;
  outcome.status = function(arguments..., &outcome.value, &message);
  outcome.message = message ? message : "";
  return outcome;
}

inline uint64_t bitsOf(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Expects success with exactly these bits (so -0.0 differs from 0.0 and NaN equals NaN).
#define EXPECT_FLOAT_RESULT(outcome, expected)                                                    \
  do {                                                                                            \
    auto captured = (outcome);                                                                    \
    EXPECT_EQ(captured.status, PYVC_OK) << captured.message;                                      \
    EXPECT_EQ(::pyvc::backends::test::bitsOf(captured.value), ::pyvc::backends::test::bitsOf(expected)) \
        << captured.value << " vs " << (expected);                                                \
  } while (0)

#define EXPECT_RESULT(outcome, expected)                                                          \
  do {                                                                                            \
    auto captured = (outcome);                                                                    \
    EXPECT_EQ(captured.status, PYVC_OK) << captured.message;                                      \
    EXPECT_EQ(captured.value, (expected));                                                        \
  } while (0)

#define EXPECT_RAISES(outcome, expectedStatus, expectedMessage)                                   \
  do {                                                                                            \
    auto captured = (outcome);                                                                    \
    EXPECT_EQ(captured.status, (expectedStatus));                                                 \
    EXPECT_EQ(captured.message, std::string(expectedMessage));                                    \
  } while (0)

} // namespace pyvc::backends::test
