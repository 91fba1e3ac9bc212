// What the fuzz targets share: a scratch folder with known key files (so no input can make a
// target write outside it), and a check that stops the fuzzer when an oracle disagrees.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace pyvc::fuzz {

// Stops the run the way a sanitizer would, so libFuzzer saves the input as a crash.
inline void check(bool condition, const char *what) {
  if (condition)
    return;
  std::fprintf(stderr, "fuzz oracle failed: %s\n", what);
  std::abort();
}

// Key files a policy may name. Anything else is skipped by the policy target: creating keys
// would write (and fsync) a new file per input, and an absolute path could land anywhere.
inline constexpr std::string_view kGoodKey = "good.key";     // 32 bytes, mode 0600
inline constexpr std::string_view kOpenKey = "open.key";     // mode 0644: refused
inline constexpr std::string_view kShortKey = "short.key";   // 9 bytes: refused
inline constexpr std::string_view kFolderKey = "folder.key"; // a folder: refused

inline bool isKnownKeyName(std::string_view name) {
  return name == kGoodKey || name == kOpenKey || name == kShortKey || name == kFolderKey;
}

// Made once per process under $TMPDIR and removed at exit.
inline const std::filesystem::path &scratchFolder() {
  static const std::filesystem::path folder = [] {
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/pyvc-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      std::abort();
    std::filesystem::path path = pattern;
    auto write = [&](std::string_view name, std::string_view bytes, std::filesystem::perms mode) {
      std::ofstream(path / name, std::ios::binary) << bytes;
      std::filesystem::permissions(path / name, mode);
    };
    write(kGoodKey, "0123456789abcdef0123456789abcdef", std::filesystem::perms(0600));
    write(kOpenKey, "0123456789abcdef0123456789abcdef", std::filesystem::perms(0644));
    write(kShortKey, "too short", std::filesystem::perms(0600));
    std::filesystem::create_directory(path / kFolderKey);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(scratchFolder(), ignored);
    });
    return path;
  }();
  return folder;
}

} // namespace pyvc::fuzz
