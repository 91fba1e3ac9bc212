// Loading and race-free creation of the firewall's HMAC key file.
#include "privacy/KeyFile.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc {

namespace {

Error systemError(const std::string &what, const std::filesystem::path &path) {
  return makeError(what + " " + path.string() + ": " + std::strerror(errno));
}

std::string octalMode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", unsigned(mode & 07777));
  return text;
}

// Reads the key from an already opened descriptor, checking what kind of file it is first.
Result<std::string> readKey(int descriptor, const std::filesystem::path &path) {
  struct stat status;
  if (fstat(descriptor, &status) != 0)
    return systemError("cannot stat key file", path);
  if (!S_ISREG(status.st_mode))
    return makeError("key file " + path.string() + " is not a regular file");
  if ((status.st_mode & 077) != 0)
    return makeError("key file " + path.string() + " is accessible to group or others (mode " +
                     octalMode(status.st_mode) + "); run chmod 600 on it");
  if (size_t(status.st_size) < kMinimumKeyBytes)
    return makeError("key file " + path.string() + " is too short (" +
                     std::to_string(status.st_size) + " bytes, at least " +
                     std::to_string(kMinimumKeyBytes) + " needed)");
  if (size_t(status.st_size) > kMaximumKeyBytes)
    return makeError("key file " + path.string() + " is too long (" +
                     std::to_string(status.st_size) + " bytes, at most " +
                     std::to_string(kMaximumKeyBytes) + ")");
  std::string key(size_t(status.st_size), '\0');
  size_t done = 0;
  while (done < key.size()) {
    ssize_t got = ::read(descriptor, key.data() + done, key.size() - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return systemError("cannot read key file", path);
    if (got == 0)
      return makeError("key file " + path.string() + " shrank while being read");
    done += size_t(got);
  }
  return key;
}

Result<std::string> loadKey(const std::filesystem::path &path) {
  int descriptor = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (descriptor < 0)
    return systemError("cannot open key file", path);
  Result<std::string> key = readKey(descriptor, path);
  ::close(descriptor);
  return key;
}

Result<void> writeAll(int descriptor, const unsigned char *bytes, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t wrote = ::write(descriptor, bytes + done, size - done);
    if (wrote < 0 && errno == EINTR)
      continue;
    if (wrote < 0)
      return makeError(std::strerror(errno));
    done += size_t(wrote);
  }
  return {};
}

// Writes a fresh random key to a private temporary file beside `path` and returns its name.
Result<std::filesystem::path> writeTemporaryKey(const std::filesystem::path &path) {
  std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  std::string temporary = (folder / ("." + path.filename().string() + ".new.XXXXXX")).string();
  int descriptor = ::mkstemp(temporary.data()); // O_CREAT|O_EXCL, mode 0600
  if (descriptor < 0)
    return systemError("cannot create a key file in", folder);

  unsigned char key[kCreatedKeyBytes];
  Result<void> written;
  if (RAND_bytes(key, sizeof key) != 1)
    written = makeError("RAND_bytes failed");
  else if (::fchmod(descriptor, 0600) != 0)
    written = makeError(std::string("fchmod: ") + std::strerror(errno));
  else
    written = writeAll(descriptor, key, sizeof key);
  OPENSSL_cleanse(key, sizeof key);
  if (written && ::fsync(descriptor) != 0)
    written = makeError(std::string("fsync: ") + std::strerror(errno));
  ::close(descriptor);
  if (!written) {
    ::unlink(temporary.c_str());
    return makeError("cannot write new key file " + path.string() + ": " + written.error().message);
  }
  return std::filesystem::path(temporary);
}

void syncFolder(const std::filesystem::path &path) {
  std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0)
    return; // the key is in place either way; only its survival across a power cut is at stake
  ::fsync(descriptor);
  ::close(descriptor);
}

} // namespace

Result<std::string> loadOrCreateKeyFile(const std::filesystem::path &path) {
  struct stat status;
  if (::lstat(path.c_str(), &status) == 0 || errno != ENOENT)
    return loadKey(path);

  Result<std::filesystem::path> temporary = writeTemporaryKey(path);
  if (!temporary)
    return temporary.error();
  // link() is the atomic "create only if absent" step: the key appears complete or not at all.
  int linked = ::link(temporary->c_str(), path.c_str());
  int linkError = errno;
  ::unlink(temporary->c_str());
  if (linked != 0 && linkError != EEXIST) {
    errno = linkError;
    return systemError("cannot create key file", path);
  }
  if (linked == 0)
    syncFolder(path);
  // Whoever won the race, everyone uses the file now at `path`.
  return loadKey(path);
}

} // namespace pyvc
