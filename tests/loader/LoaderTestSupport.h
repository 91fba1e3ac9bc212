// Shared helpers of the loader tests: the test libraries' paths (from CMake), opening them, and
// building Values and temporary files tersely.
#pragma once

#include "loader/KernelLibrary.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace pyvc::loader::testing {

inline Value F(double value) { return Value::floating(value); }
inline Value I(int64_t value) { return Value::integer(value); }
inline Value B(bool value) { return Value::boolean(value); }
inline Value L(std::vector<Value> items) { return Value::list(std::move(items)); }
inline Value T(std::vector<Value> items) { return Value::tuple(std::move(items)); }

// The host test library, opened once per test binary; the loader itself must never fail here.
inline const KernelLibrary &testKernels() {
  static std::unique_ptr<KernelLibrary> library = [] {
    auto opened = KernelLibrary::open(PYVC_TEST_KERNELS);
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      std::abort();
    }
    return std::move(*opened);
  }();
  return *library;
}

inline const KernelFunction &kernel(const char *name) {
  const KernelFunction *function = testKernels().function(name);
  if (!function) {
    ADD_FAILURE() << "no test kernel " << name;
    std::abort();
  }
  return *function;
}

inline CallOutcome callKernel(const char *name, std::vector<Value> arguments) {
  return kernel(name).call(arguments);
}

inline std::vector<unsigned char> readBytes(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// A fresh directory under the test temporary directory, removed with the object.
class TemporaryDirectory {
public:
  TemporaryDirectory() {
    std::string pattern = ::testing::TempDir() + "pyvc-loader-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!mkdtemp(buffer.data()))
      std::abort();
    path_ = buffer.data();
  }
  ~TemporaryDirectory() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

inline void writeBytes(const std::string &path, const std::vector<unsigned char> &bytes) {
  std::ofstream file(path, std::ios::binary);
  file.write(reinterpret_cast<const char *>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

} // namespace pyvc::loader::testing
