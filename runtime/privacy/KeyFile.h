// The HMAC key file of the privacy firewall: loaded with strict permission checks, or created
// once (0600, 32 random bytes) without a window in which another process could see it half
// written.
#pragma once

#include "core/Result.h"

#include <cstddef>
#include <filesystem>
#include <string>

namespace pyvc {

inline constexpr size_t kCreatedKeyBytes = 32;
inline constexpr size_t kMinimumKeyBytes = 32;   // a shorter key is refused
inline constexpr size_t kMaximumKeyBytes = 4096; // a larger file is probably not a key

// Returns the key bytes of `path`. When the file does not exist it is created: 32 bytes from
// OpenSSL's RAND_bytes are written to a private temporary file (mkstemp: O_CREAT|O_EXCL, mode
// 0600) in the same folder, fsynced, then hard-linked to `path`. link() fails if `path` appeared
// meanwhile, so when two processes race, exactly one key wins and both return it.
//
// Refused with an Error: a file with any group or other permission bit, a file that is not a
// regular file (symlinks are not followed), shorter than kMinimumKeyBytes or longer than
// kMaximumKeyBytes. Errors name the path, never any key bytes.
Result<std::string> loadOrCreateKeyFile(const std::filesystem::path &path);

} // namespace pyvc
