// PowerLossVfs: a SQLite VFS over the default "unix" one that simulates a power cut. It counts
// every write, truncate and sync, remembers per file what the last sync made durable, and after
// a cut rewrites each file as a disk would hold it: the synced image plus none, or a random
// (possibly torn) part, of the writes since. Modelled on SQLite's own test "crash" VFS.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

struct sqlite3_vfs;

namespace pyvc::sync::testing {

// What the disk kept of the writes a file had not synced when the power went.
enum class UnsyncedWrites {
  Lost,       // none of them (the page cache is gone, the device wrote nothing more)
  PartlyTorn, // each kept or lost at random, in any order, a kept one cut at a random sector
};

class PowerLossVfs {
public:
  static constexpr const char *Name = "pyvc-power-loss";

  // Registers the VFS once per process (not as the default) and returns it.
  static PowerLossVfs &install();

  // Forgets every file and starts counting operations (writes, truncates and syncs through
  // this VFS) from zero. The power goes off just before operation `cutAtOperation` (never when
  // negative): that operation and every later one fail with an I/O error and change nothing.
  void startRun(int64_t cutAtOperation);
  bool powerIsOff() const { return powerOff_; }
  int64_t operations() const { return operations_; }
  // The operation numbers of the syncs of this run, in order: the interesting places to cut.
  const std::vector<int64_t> &syncOperations() const { return syncOperations_; }

  // Call once every connection through this VFS is closed: rewrites every file the run wrote
  // (main databases and WALs) as the disk holds it after the cut, and removes the -shm files
  // (shared memory does not survive a reboot either). `seed` drives PartlyTorn.
  void applyPowerCut(UnsyncedWrites mode, uint64_t seed);

private:
  struct PendingChange {
    int64_t offset = 0;
    std::string bytes;     // written at offset
    bool truncate = false; // or: the file was truncated to offset
  };
  struct FileState {
    std::string durable;                // contents as of the last sync
    std::vector<PendingChange> pending; // changes since, in order
    bool deleted = false;
  };

  PowerLossVfs();
  FileState &stateFor(const std::string &path);
  // Counts one operation; false once the power is off (the caller fails without effect).
  bool powerForNextOperation(bool isSync);

  friend struct PowerLossFile;
  friend struct PowerLossVfsCallbacks;

  sqlite3_vfs *underlying_ = nullptr;
  sqlite3_vfs *vfs_ = nullptr;
  std::map<std::string, FileState> files_;
  int64_t operations_ = 0;
  int64_t cutAtOperation_ = -1;
  bool powerOff_ = false;
  std::vector<int64_t> syncOperations_;
};

} // namespace pyvc::sync::testing
