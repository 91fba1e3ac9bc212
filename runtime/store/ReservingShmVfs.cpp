// The reserving VFS: every method forwards to the base VFS; xShmMap first lets the base open the
// -shm (the first connection truncates it), then fills the region's range with posix_fallocate,
// so the base finds the file long enough and maps blocks that exist.
#include "store/ReservingShmVfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <memory>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::store {

namespace {

// Our header, then the base VFS's own file structure right after it.
struct ReservingFile {
  sqlite3_file base;    // first: SQLite casts to and from sqlite3_file
  std::string *shmPath; // "<main db>-shm" for a main database file, else null
  int shmFd;            // our own read-write descriptor of the -shm, opened on first map
  sqlite3_file *real() { return reinterpret_cast<sqlite3_file *>(this + 1); }
};

ReservingFile *cast(sqlite3_file *file) { return reinterpret_cast<ReservingFile *>(file); }
sqlite3_vfs *baseOf(sqlite3_vfs *vfs) { return static_cast<sqlite3_vfs *>(vfs->pAppData); }
const sqlite3_io_methods *realMethods(sqlite3_file *file) { return cast(file)->real()->pMethods; }

// The byte length unixShmMap needs for `region`: whole OS pages of whole regions.
int64_t shmBytesFor(int region, int regionSize) {
  long pageSize = ::sysconf(_SC_PAGESIZE);
  int64_t regionsPerMap = pageSize > regionSize ? pageSize / regionSize : 1;
  int64_t regions = ((region + regionsPerMap) / regionsPerMap) * regionsPerMap;
  return regions * regionSize;
}

// Allocates [0, bytes) of the -shm (extending it when `extend`, else only filling holes below its
// current size). Returns SQLITE_OK, SQLITE_FULL when the disk has no room, or SQLITE_IOERR_SHMSIZE.
int reserveShm(ReservingFile *self, int64_t bytes, bool extend) {
  if (self->shmFd < 0)
    self->shmFd = ::open(self->shmPath->c_str(), O_RDWR | O_CLOEXEC);
  if (self->shmFd < 0)
    return SQLITE_OK; // read-only -shm (or none): SQLite does not write into it
  struct stat info;
  if (::fstat(self->shmFd, &info) != 0)
    return SQLITE_IOERR_SHMSIZE;
  if (!extend)
    bytes = std::min<int64_t>(bytes, info.st_size);
  if (bytes <= 0)
    return SQLITE_OK;
  int error = ::posix_fallocate(self->shmFd, 0, bytes);
  if (error == 0)
    return SQLITE_OK;
  if (error == ENOSPC || error == EDQUOT)
    return SQLITE_FULL;
  return SQLITE_IOERR_SHMSIZE;
}

int shmMap(sqlite3_file *file, int region, int size, int extend, void volatile **map) {
  ReservingFile *self = cast(file);
  sqlite3_file *real = self->real();
  if (!self->shmPath)
    return realMethods(file)->xShmMap(real, region, size, extend, map);
  // Opens (and, for the first connection, resets) the -shm without growing it.
  int code = realMethods(file)->xShmMap(real, region, size, 0, map);
  if (code != SQLITE_OK)
    return code;
  code = reserveShm(self, shmBytesFor(region, size), extend != 0 || *map != nullptr);
  if (code != SQLITE_OK) {
    *map = nullptr;
    return code;
  }
  if (*map || !extend)
    return SQLITE_OK;
  return realMethods(file)->xShmMap(real, region, size, extend, map);
}

int close(sqlite3_file *file) {
  ReservingFile *self = cast(file);
  int code = realMethods(file)->xClose(self->real());
  if (self->shmFd >= 0)
    ::close(self->shmFd);
  delete self->shmPath;
  self->shmPath = nullptr;
  self->shmFd = -1;
  return code;
}
int read(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
  return realMethods(file)->xRead(cast(file)->real(), buffer, amount, offset);
}
int write(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
  return realMethods(file)->xWrite(cast(file)->real(), buffer, amount, offset);
}
int truncate(sqlite3_file *file, sqlite3_int64 size) {
  return realMethods(file)->xTruncate(cast(file)->real(), size);
}
int sync(sqlite3_file *file, int flags) {
  return realMethods(file)->xSync(cast(file)->real(), flags);
}
int fileSize(sqlite3_file *file, sqlite3_int64 *size) {
  return realMethods(file)->xFileSize(cast(file)->real(), size);
}
int lock(sqlite3_file *file, int level) {
  return realMethods(file)->xLock(cast(file)->real(), level);
}
int unlock(sqlite3_file *file, int level) {
  return realMethods(file)->xUnlock(cast(file)->real(), level);
}
int checkReservedLock(sqlite3_file *file, int *result) {
  return realMethods(file)->xCheckReservedLock(cast(file)->real(), result);
}
int fileControl(sqlite3_file *file, int operation, void *argument) {
  return realMethods(file)->xFileControl(cast(file)->real(), operation, argument);
}
int sectorSize(sqlite3_file *file) { return realMethods(file)->xSectorSize(cast(file)->real()); }
int deviceCharacteristics(sqlite3_file *file) {
  return realMethods(file)->xDeviceCharacteristics(cast(file)->real());
}
int shmLock(sqlite3_file *file, int offset, int count, int flags) {
  return realMethods(file)->xShmLock(cast(file)->real(), offset, count, flags);
}
void shmBarrier(sqlite3_file *file) { realMethods(file)->xShmBarrier(cast(file)->real()); }
int shmUnmap(sqlite3_file *file, int deleteFlag) {
  ReservingFile *self = cast(file);
  if (self->shmFd >= 0) {
    ::close(self->shmFd); // the -shm may be deleted now; a later map opens it again
    self->shmFd = -1;
  }
  return realMethods(file)->xShmUnmap(self->real(), deleteFlag);
}
int fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **pointer) {
  if (realMethods(file)->iVersion < 3) {
    *pointer = nullptr;
    return SQLITE_OK;
  }
  return realMethods(file)->xFetch(cast(file)->real(), offset, amount, pointer);
}
int unfetch(sqlite3_file *file, sqlite3_int64 offset, void *pointer) {
  if (realMethods(file)->iVersion < 3)
    return SQLITE_OK;
  return realMethods(file)->xUnfetch(cast(file)->real(), offset, pointer);
}

constexpr sqlite3_io_methods Methods = {
    .iVersion = 3,
    .xClose = close,
    .xRead = read,
    .xWrite = write,
    .xTruncate = truncate,
    .xSync = sync,
    .xFileSize = fileSize,
    .xLock = lock,
    .xUnlock = unlock,
    .xCheckReservedLock = checkReservedLock,
    .xFileControl = fileControl,
    .xSectorSize = sectorSize,
    .xDeviceCharacteristics = deviceCharacteristics,
    .xShmMap = shmMap,
    .xShmLock = shmLock,
    .xShmBarrier = shmBarrier,
    .xShmUnmap = shmUnmap,
    .xFetch = fetch,
    .xUnfetch = unfetch,
};

int open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
  sqlite3_vfs *base = baseOf(vfs);
  ReservingFile *self = cast(file);
  self->base.pMethods = nullptr;
  self->shmPath = nullptr;
  self->shmFd = -1;
  int code = base->xOpen(base, name, self->real(), flags, outFlags);
  if (code != SQLITE_OK)
    return code;
  if (self->real()->pMethods == nullptr)
    return code;
  if (name && (flags & SQLITE_OPEN_MAIN_DB))
    self->shmPath = new (std::nothrow) std::string(std::string(name) + "-shm");
  self->base.pMethods = &Methods;
  return SQLITE_OK;
}
int remove(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
  return baseOf(vfs)->xDelete(baseOf(vfs), name, syncDirectory);
}
int access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
  return baseOf(vfs)->xAccess(baseOf(vfs), name, flags, result);
}
int fullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
  return baseOf(vfs)->xFullPathname(baseOf(vfs), name, size, out);
}
int randomness(sqlite3_vfs *vfs, int size, char *out) {
  return baseOf(vfs)->xRandomness(baseOf(vfs), size, out);
}
int sleep(sqlite3_vfs *vfs, int microseconds) {
  return baseOf(vfs)->xSleep(baseOf(vfs), microseconds);
}
int currentTime(sqlite3_vfs *vfs, double *now) {
  return baseOf(vfs)->xCurrentTime(baseOf(vfs), now);
}
int lastError(sqlite3_vfs *vfs, int size, char *out) {
  return baseOf(vfs)->xGetLastError(baseOf(vfs), size, out);
}
int currentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
  sqlite3_vfs *base = baseOf(vfs);
  if (base->iVersion >= 2 && base->xCurrentTimeInt64)
    return base->xCurrentTimeInt64(base, now);
  double days = 0;
  int code = base->xCurrentTime(base, &days);
  *now = static_cast<sqlite3_int64>(days * 86400000.0);
  return code;
}

// A registered VFS and the storage of its name; both live as long as the process.
struct Registered {
  sqlite3_vfs vfs{};
  std::string name;
};

} // namespace

Result<std::string> reservingShmVfs(const std::string &baseVfs) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Registered>> registered;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto found = registered.find(baseVfs); found != registered.end())
    return found->second->name;
  sqlite3_vfs *base = sqlite3_vfs_find(baseVfs.empty() ? nullptr : baseVfs.c_str());
  if (!base)
    return makeError("no SQLite VFS named `" + baseVfs + "`");
  auto entry = std::make_unique<Registered>();
  entry->name = "pyvc-reserving-shm" + (baseVfs.empty() ? std::string() : ":" + baseVfs);
  sqlite3_vfs &vfs = entry->vfs;
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(ReservingFile)) + base->szOsFile;
  vfs.mxPathname = base->mxPathname;
  vfs.zName = entry->name.c_str();
  vfs.pAppData = base;
  vfs.xOpen = open;
  vfs.xDelete = remove;
  vfs.xAccess = access;
  vfs.xFullPathname = fullPathname;
  vfs.xDlOpen = base->xDlOpen;
  vfs.xDlError = base->xDlError;
  vfs.xDlSym = base->xDlSym;
  vfs.xDlClose = base->xDlClose;
  vfs.xRandomness = randomness;
  vfs.xSleep = sleep;
  vfs.xCurrentTime = currentTime;
  vfs.xGetLastError = lastError;
  vfs.xCurrentTimeInt64 = currentTimeInt64;
  if (int code = sqlite3_vfs_register(&vfs, /*makeDefault=*/0); code != SQLITE_OK)
    return makeError("cannot register the SQLite VFS " + entry->name + ": " + sqlite3_errstr(code));
  std::string name = entry->name;
  registered.emplace(baseVfs, std::move(entry));
  return name;
}

} // namespace pyvc::store
