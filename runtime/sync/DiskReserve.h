// DiskReserve: "<queue>-reserve", a file of preallocated blocks the queue keeps while the disk has
// room and gives back when a drain (dequeue, ack, nack, ...) or an open hits a full disk. It is
// what lets a queue on a disk that something else filled still open, drain and checkpoint.
// Enqueues never use it: while it is released, an enqueue first has to restore it.
#pragma once

#include <cstdint>
#include <string>

namespace pyvc::sync {

class DiskReserve {
public:
  // bytes = 0: no reserve (held() is then always true and nothing is written).
  DiskReserve(std::string databasePath, int64_t bytes);
  DiskReserve(const DiskReserve &) = delete;
  DiskReserve &operator=(const DiskReserve &) = delete;

  static std::string pathFor(const std::string &databasePath) { return databasePath + "-reserve"; }

  bool held() const { return held_; }
  // Allocates the reserve's blocks; false (and nothing kept) when the disk has no room.
  bool restore();
  // Gives the blocks back to the file system. Logged on stderr.
  void release(const char *why);
  int64_t bytes() const { return bytes_; }

private:
  std::string path_;
  int64_t bytes_;
  bool held_ = false;
};

} // namespace pyvc::sync
