// SealedFile: bytes in an anonymous, sealed in-memory file (memfd_create with F_SEAL_WRITE,
// F_SEAL_GROW and F_SEAL_SHRINK) that dlopen can load through /proc/self/fd/N. Once sealed, no
// process can change the bytes, so what was checked (a signature, a manifest) is exactly what
// runs: there is no window between the check and dlopen in which the file could be swapped.
#pragma once

#include "core/Result.h"

#include <string>
#include <string_view>

namespace pyvc::loader {

class SealedFile {
public:
  // `name` shows in /proc/PID/maps as "/memfd:NAME (deleted)"; it need not be unique.
  static Result<SealedFile> create(const std::string &name, std::string_view bytes);
  SealedFile(SealedFile &&other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SealedFile &operator=(SealedFile &&other) noexcept;
  SealedFile(const SealedFile &) = delete;
  SealedFile &operator=(const SealedFile &) = delete;
  ~SealedFile();

  // "/proc/self/fd/N". Unique while this object lives: the dynamic loader identifies a library
  // by the path it was opened with, so the descriptor stays open as long as the library is
  // loaded (a reused number would otherwise give back the old library).
  std::string path() const;

private:
  explicit SealedFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

} // namespace pyvc::loader
