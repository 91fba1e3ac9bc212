// Real keys, real signatures and real kernel libraries for the signature tests: a scratch folder
// holding a copy of the loader's test library, key pairs made by KeyFiles.h, and files changed
// one byte at a time.
#pragma once

#include "trust/KernelSignature.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace pyvc::trust::testing {

namespace fs = std::filesystem;

class ScratchFolder {
public:
  ScratchFolder() {
    std::string pattern = ::testing::TempDir() + "pyvc-trust-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      std::abort();
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string &name) const { return path_ / name; }
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

inline std::string readBytes(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void writeBytes(const fs::path &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Flips the low bit of the byte at `offset` (from the end when negative).
inline void flipByte(const fs::path &path, long offset) {
  std::string bytes = readBytes(path);
  size_t at = offset < 0 ? bytes.size() - size_t(-offset) : size_t(offset);
  bytes.at(at) ^= 1;
  writeBytes(path, bytes);
}

// A new key pair NAME.key / NAME.pub in `folder`.
inline PublicKey makeKey(const fs::path &folder, const std::string &name) {
  auto key = generateKeyPair(folder / (name + ".key"), folder / (name + ".pub"));
  EXPECT_TRUE(key.ok()) << (key.ok() ? "" : key.error().message);
  return key.ok() ? *key : PublicKey{};
}

// Signs `library` with NAME.key from `folder`, writing LIB.sig, as `pyvc sign` does.
inline void signWith(const fs::path &library, const fs::path &folder, const std::string &name) {
  auto key = readPrivateKey(folder / (name + ".key"));
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto signature = signLibraryBytes(readBytes(library), *key);
  ASSERT_TRUE(signature.ok()) << signature.error().message;
  writeBytes(signaturePathOf(library), formatSignature(*signature));
}

} // namespace pyvc::trust::testing
