// PowerLossVfs: the VFS and file method tables that record unsynced writes, and the rewrite of
// each file after a simulated power cut. Real fsyncs are skipped: durability is simulated here,
// which also keeps hundreds of cut-and-reopen rounds quick.
#include "PowerLossVfs.h"

#include <sqlite3.h>

#include <cassert>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <unistd.h>

namespace pyvc::sync::testing {

namespace {

// Everything is written in whole sectors or not at all below this size; a torn write keeps a
// whole number of them (SQLite's unix VFS assumes powersafe overwrite at this granularity).
constexpr int64_t SectorSize = 512;

std::string readWholeFile(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return {};
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

void writeWholeFile(const std::string &path, const std::string &contents) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  assert(file.good() && "rewriting a file after the power cut failed");
}

void applyChange(std::string &image, int64_t offset, const std::string &bytes) {
  size_t end = static_cast<size_t>(offset) + bytes.size();
  if (image.size() < end)
    image.resize(end, '\0');
  std::memcpy(image.data() + offset, bytes.data(), bytes.size());
}

} // namespace

// The file SQLite sees: our header, then the unix VFS's own file structure right after it.
struct PowerLossFile {
  sqlite3_file base; // first: SQLite casts to and from sqlite3_file
  PowerLossVfs *owner;
  std::string *path; // key in owner->files_, or null for an untracked (temporary) file
  sqlite3_file *real() { return reinterpret_cast<sqlite3_file *>(this + 1); }
};

// Static callbacks for SQLite's C tables: each forwards to the unix VFS, recording what a
// power cut needs to know.
struct PowerLossVfsCallbacks {
  static PowerLossFile *cast(sqlite3_file *file) { return reinterpret_cast<PowerLossFile *>(file); }
  static PowerLossVfs *ownerOf(sqlite3_vfs *vfs) {
    return static_cast<PowerLossVfs *>(vfs->pAppData);
  }

  static int close(sqlite3_file *file) {
    PowerLossFile *self = cast(file);
    int code = self->real()->pMethods->xClose(self->real());
    delete self->path;
    self->path = nullptr;
    return code;
  }
  static int read(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
    return cast(file)->real()->pMethods->xRead(cast(file)->real(), buffer, amount, offset);
  }
  static int write(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
    PowerLossFile *self = cast(file);
    if (!self->owner->powerForNextOperation(false))
      return SQLITE_IOERR_WRITE;
    int code = self->real()->pMethods->xWrite(self->real(), buffer, amount, offset);
    if (code == SQLITE_OK && self->path)
      self->owner->stateFor(*self->path)
          .pending.push_back({offset, std::string(static_cast<const char *>(buffer), amount)});
    return code;
  }
  static int truncate(sqlite3_file *file, sqlite3_int64 size) {
    PowerLossFile *self = cast(file);
    if (!self->owner->powerForNextOperation(false))
      return SQLITE_IOERR_TRUNCATE;
    int code = self->real()->pMethods->xTruncate(self->real(), size);
    if (code == SQLITE_OK && self->path)
      self->owner->stateFor(*self->path).pending.push_back({size, {}, true});
    return code;
  }
  static int sync(sqlite3_file *file, int) {
    PowerLossFile *self = cast(file);
    if (!self->owner->powerForNextOperation(true))
      return SQLITE_IOERR_FSYNC;
    if (!self->path)
      return SQLITE_OK;
    // What the real fsync would have made durable, without paying for it.
    PowerLossVfs::FileState &state = self->owner->stateFor(*self->path);
    for (const PowerLossVfs::PendingChange &change : state.pending) {
      if (change.truncate)
        state.durable.resize(static_cast<size_t>(change.offset), '\0');
      else
        applyChange(state.durable, change.offset, change.bytes);
    }
    state.pending.clear();
    return SQLITE_OK;
  }
  static int fileSize(sqlite3_file *file, sqlite3_int64 *size) {
    return cast(file)->real()->pMethods->xFileSize(cast(file)->real(), size);
  }
  static int lock(sqlite3_file *file, int level) {
    return cast(file)->real()->pMethods->xLock(cast(file)->real(), level);
  }
  static int unlock(sqlite3_file *file, int level) {
    return cast(file)->real()->pMethods->xUnlock(cast(file)->real(), level);
  }
  static int checkReservedLock(sqlite3_file *file, int *result) {
    return cast(file)->real()->pMethods->xCheckReservedLock(cast(file)->real(), result);
  }
  static int fileControl(sqlite3_file *file, int operation, void *argument) {
    return cast(file)->real()->pMethods->xFileControl(cast(file)->real(), operation, argument);
  }
  static int sectorSize(sqlite3_file *file) {
    return cast(file)->real()->pMethods->xSectorSize(cast(file)->real());
  }
  static int deviceCharacteristics(sqlite3_file *file) {
    return cast(file)->real()->pMethods->xDeviceCharacteristics(cast(file)->real());
  }
  static int shmMap(sqlite3_file *file, int region, int size, int extend, void volatile **map) {
    return cast(file)->real()->pMethods->xShmMap(cast(file)->real(), region, size, extend, map);
  }
  static int shmLock(sqlite3_file *file, int offset, int count, int flags) {
    return cast(file)->real()->pMethods->xShmLock(cast(file)->real(), offset, count, flags);
  }
  static void shmBarrier(sqlite3_file *file) {
    cast(file)->real()->pMethods->xShmBarrier(cast(file)->real());
  }
  static int shmUnmap(sqlite3_file *file, int deleteFlag) {
    return cast(file)->real()->pMethods->xShmUnmap(cast(file)->real(), deleteFlag);
  }
  // No memory-mapped reads: every byte SQLite sees goes through read(), like the writes.
  static int fetch(sqlite3_file *, sqlite3_int64, int, void **pointer) {
    *pointer = nullptr;
    return SQLITE_OK;
  }
  static int unfetch(sqlite3_file *, sqlite3_int64, void *) { return SQLITE_OK; }

  static constexpr sqlite3_io_methods Methods = {
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

  static int open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                  int *outFlags) {
    PowerLossVfs *owner = ownerOf(vfs);
    PowerLossFile *self = cast(file);
    self->base.pMethods = nullptr;
    self->owner = owner;
    self->path = nullptr;
    int code = owner->underlying_->xOpen(owner->underlying_, name, self->real(), flags, outFlags);
    if (code != SQLITE_OK)
      return code;
    // Only the database and its WAL matter after a power cut; the -shm is rebuilt.
    if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL))) {
      self->path = new std::string(name);
      owner->stateFor(*self->path);
    }
    self->base.pMethods = &Methods;
    return SQLITE_OK;
  }
  static int remove(sqlite3_vfs *vfs, const char *name, int syncDirectory) {
    PowerLossVfs *owner = ownerOf(vfs);
    if (!owner->powerForNextOperation(false))
      return SQLITE_IOERR_DELETE;
    int code = owner->underlying_->xDelete(owner->underlying_, name, syncDirectory);
    // A deletion counts as durable at once (directory updates are not simulated).
    auto known = owner->files_.find(name);
    if (code == SQLITE_OK && known != owner->files_.end())
      known->second = PowerLossVfs::FileState{{}, {}, true};
    return code;
  }
  static int access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xAccess(under, name, flags, result);
  }
  static int fullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xFullPathname(under, name, size, out);
  }
  static int randomness(sqlite3_vfs *vfs, int size, char *out) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xRandomness(under, size, out);
  }
  static int sleep(sqlite3_vfs *vfs, int microseconds) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xSleep(under, microseconds);
  }
  static int currentTime(sqlite3_vfs *vfs, double *now) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xCurrentTime(under, now);
  }
  static int lastError(sqlite3_vfs *vfs, int size, char *out) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xGetLastError(under, size, out);
  }
  static int currentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    sqlite3_vfs *under = ownerOf(vfs)->underlying_;
    return under->xCurrentTimeInt64(under, now);
  }
};

PowerLossVfs::PowerLossVfs() {
  underlying_ = sqlite3_vfs_find("unix");
  assert(underlying_ && "the unix VFS is always built into SQLite on Linux");
  vfs_ = new sqlite3_vfs{};
  vfs_->iVersion = 2;
  vfs_->szOsFile = static_cast<int>(sizeof(PowerLossFile)) + underlying_->szOsFile;
  vfs_->mxPathname = underlying_->mxPathname;
  vfs_->zName = Name;
  vfs_->pAppData = this;
  vfs_->xOpen = PowerLossVfsCallbacks::open;
  vfs_->xDelete = PowerLossVfsCallbacks::remove;
  vfs_->xAccess = PowerLossVfsCallbacks::access;
  vfs_->xFullPathname = PowerLossVfsCallbacks::fullPathname;
  vfs_->xRandomness = PowerLossVfsCallbacks::randomness;
  vfs_->xSleep = PowerLossVfsCallbacks::sleep;
  vfs_->xCurrentTime = PowerLossVfsCallbacks::currentTime;
  vfs_->xGetLastError = PowerLossVfsCallbacks::lastError;
  vfs_->xCurrentTimeInt64 = PowerLossVfsCallbacks::currentTimeInt64;
  int code = sqlite3_vfs_register(vfs_, /*makeDefault=*/0);
  assert(code == SQLITE_OK && "registering the power-loss VFS failed");
  (void)code;
}

PowerLossVfs &PowerLossVfs::install() {
  static PowerLossVfs *instance = new PowerLossVfs(); // registered for the process's life
  return *instance;
}

void PowerLossVfs::startRun(int64_t cutAtOperation) {
  files_.clear();
  syncOperations_.clear();
  operations_ = 0;
  cutAtOperation_ = cutAtOperation;
  powerOff_ = false;
}

PowerLossVfs::FileState &PowerLossVfs::stateFor(const std::string &path) {
  auto known = files_.find(path);
  if (known != files_.end()) {
    if (known->second.deleted) // created again after a deletion: starts out empty
      known->second = FileState{};
    return known->second;
  }
  // First sight of a file in this run: what it holds now is taken as durable.
  return files_.emplace(path, FileState{readWholeFile(path), {}, false}).first->second;
}

bool PowerLossVfs::powerForNextOperation(bool isSync) {
  if (powerOff_)
    return false;
  if (operations_ == cutAtOperation_) {
    powerOff_ = true;
    return false;
  }
  if (isSync)
    syncOperations_.push_back(operations_);
  ++operations_;
  return true;
}

void PowerLossVfs::applyPowerCut(UnsyncedWrites mode, uint64_t seed) {
  std::mt19937_64 random(seed);
  for (auto &[path, state] : files_) {
    if (state.deleted) {
      ::unlink(path.c_str());
      continue;
    }
    std::string image = state.durable;
    if (mode == UnsyncedWrites::PartlyTorn) {
      for (const PendingChange &change : state.pending) {
        if (random() % 2 == 0)
          continue; // this one never reached the device
        if (change.truncate) {
          image.resize(static_cast<size_t>(change.offset), '\0');
          continue;
        }
        std::string kept = change.bytes;
        int64_t sectors = (static_cast<int64_t>(kept.size()) + SectorSize - 1) / SectorSize;
        if (sectors > 1 && random() % 4 == 0) // torn: only the first sectors made it
          kept.resize(static_cast<size_t>(SectorSize * (1 + random() % (sectors - 1))));
        applyChange(image, change.offset, kept);
      }
    }
    writeWholeFile(path, image);
    std::string sharedMemory = path + "-shm";
    ::unlink(sharedMemory.c_str());
  }
  files_.clear();
}

} // namespace pyvc::sync::testing
