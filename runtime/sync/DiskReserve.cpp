// The drain reserve: posix_fallocate to take the blocks, truncate to zero to give them back.
#include "sync/DiskReserve.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::sync {

DiskReserve::DiskReserve(std::string databasePath, int64_t bytes)
    : path_(pathFor(databasePath)), bytes_(bytes), held_(bytes <= 0) {}

bool DiskReserve::restore() {
  if (held_)
    return true;
  int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  struct stat info;
  // Blocks actually allocated, not the length: a file truncated short and extended is sparse.
  bool whole = ::fstat(fd, &info) == 0 && info.st_size == bytes_ && info.st_blocks * 512 >= bytes_;
  if (!whole && ::posix_fallocate(fd, 0, bytes_) == 0)
    whole = true;
  if (!whole && ::ftruncate(fd, 0) != 0) // a partial allocation helps nobody: give it back
    std::fprintf(stderr, "pyvc sync queue: cannot empty %s: %s\n", path_.c_str(),
                 std::strerror(errno));
  ::close(fd);
  held_ = whole;
  return held_;
}

void DiskReserve::release(const char *why) {
  if (bytes_ <= 0)
    return;
  if (::truncate(path_.c_str(), 0) != 0 && errno != ENOENT)
    std::fprintf(stderr, "pyvc sync queue: cannot release %s: %s\n", path_.c_str(),
                 std::strerror(errno));
  if (held_)
    std::fprintf(stderr,
                 "pyvc sync queue: disk full (%s); released the %lld-byte drain reserve %s\n", why,
                 static_cast<long long>(bytes_), path_.c_str());
  held_ = false;
}

} // namespace pyvc::sync
