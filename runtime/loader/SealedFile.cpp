// Sealed in-memory files for dlopen (SealedFile.h).
#include "loader/SealedFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace pyvc::loader {

Result<SealedFile> SealedFile::create(const std::string &name, std::string_view bytes) {
  // MFD_EXEC (Linux 6.3) says the file is meant to be mapped executable, as dlopen does; older
  // kernels refuse the unknown flag with EINVAL and make every memfd executable anyway.
  constexpr unsigned kMfdExec = 0x0010U;
  int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING | kMfdExec);
  if (fd < 0 && errno == EINVAL)
    fd = ::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return makeError("cannot create an in-memory file for " + name + ": " + std::strerror(errno));
  SealedFile file(fd);
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return makeError("cannot write the in-memory copy of " + name + ": " + std::strerror(errno));
    written += size_t(n);
  }
  if (::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
    return makeError("cannot seal the in-memory copy of " + name + ": " + std::strerror(errno));
  return file;
}

SealedFile &SealedFile::operator=(SealedFile &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

SealedFile::~SealedFile() {
  if (fd_ >= 0)
    ::close(fd_);
}

std::string SealedFile::path() const { return "/proc/self/fd/" + std::to_string(fd_); }

} // namespace pyvc::loader
