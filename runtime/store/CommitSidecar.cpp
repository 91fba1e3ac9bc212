// The commit sidecar's record: magic, commits, highest id (little-endian) and a CRC32C of them,
// written with one 32-byte pwrite at offset 0.
#include "store/CommitSidecar.h"

#include "store/Crc32c.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace pyvc::store {

namespace {

constexpr char Magic[8] = {'P', 'Y', 'V', 'C', 'Q', 'S', 'C', '1'};
constexpr size_t RecordBytes = 32;

void putInt64(unsigned char *to, int64_t value) {
  for (int byte = 0; byte < 8; ++byte)
    to[byte] = static_cast<unsigned char>(static_cast<uint64_t>(value) >> (8 * byte));
}

int64_t getInt64(const unsigned char *from) {
  uint64_t value = 0;
  for (int byte = 0; byte < 8; ++byte)
    value |= static_cast<uint64_t>(from[byte]) << (8 * byte);
  return static_cast<int64_t>(value);
}

uint32_t checksumOf(const unsigned char *record) {
  return crc32c(std::string_view(reinterpret_cast<const char *>(record), 24));
}

std::optional<CommitRecord> decode(const unsigned char *record) {
  if (std::memcmp(record, Magic, sizeof Magic) != 0)
    return std::nullopt;
  if (static_cast<uint32_t>(getInt64(record + 24)) != checksumOf(record))
    return std::nullopt;
  return CommitRecord{getInt64(record + 8), getInt64(record + 16)};
}

} // namespace

Result<std::unique_ptr<CommitSidecar>> CommitSidecar::open(const std::string &databasePath,
                                                           const char *owner) {
  std::string path = pathFor(databasePath);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return makeError(std::string(owner) + ": cannot open " + path + ": " + std::strerror(errno));
  std::unique_ptr<CommitSidecar> sidecar(new CommitSidecar(fd, path, owner));
  // Exclusive only if nobody else holds it; then shared for as long as the queue is open.
  sidecar->soleOpener_ = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  if (::flock(fd, LOCK_SH) != 0)
    return makeError(std::string(owner) + ": cannot lock " + path + ": " + std::strerror(errno));
  unsigned char record[RecordBytes] = {};
  ssize_t got = ::pread(fd, record, RecordBytes, 0);
  if (got < 0)
    return makeError(std::string(owner) + ": cannot read " + path + ": " + std::strerror(errno));
  if (got == static_cast<ssize_t>(RecordBytes))
    sidecar->recordedAtOpen_ = decode(record);
  else if (got > 0)
    std::fprintf(stderr, "pyvc %s: %s is truncated (%zd bytes); not checked\n", owner, path.c_str(),
                 got);
  return sidecar;
}

CommitSidecar::~CommitSidecar() { ::close(fd_); }

void CommitSidecar::record(const CommitRecord &record) {
  unsigned char bytes[RecordBytes] = {};
  std::memcpy(bytes, Magic, sizeof Magic);
  putInt64(bytes + 8, record.commits);
  putInt64(bytes + 16, record.highestId);
  putInt64(bytes + 24, checksumOf(bytes));
  if (::pwrite(fd_, bytes, RecordBytes, 0) == static_cast<ssize_t>(RecordBytes) || failureLogged_)
    return;
  failureLogged_ = true;
  std::fprintf(stderr, "pyvc %s: cannot update %s (%s); lost commits go unnoticed\n", owner_,
               path_.c_str(), std::strerror(errno));
}

} // namespace pyvc::store
