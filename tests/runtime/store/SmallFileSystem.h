// A small file system mounted for one test, to fill up for real: ext4 on a loop device (1 KiB or
// 4 KiB blocks, mkfs's other defaults) or tmpfs. Unmounted and removed when it goes out of scope,
// also when the test failed. Needs root and loop devices; skipReason() says why it could not
// mount, for GTEST_SKIP. Shared by the store and sync queue full-disk tests.
#pragma once

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pyvc::testing {

enum class SmallFileSystemKind { Ext4OneKiBBlocks, Ext4FourKiBBlocks, Tmpfs };

inline const char *nameOf(SmallFileSystemKind kind) {
  switch (kind) {
  case SmallFileSystemKind::Ext4OneKiBBlocks:
    return "Ext4OneKiBBlocks";
  case SmallFileSystemKind::Ext4FourKiBBlocks:
    return "Ext4FourKiBBlocks";
  case SmallFileSystemKind::Tmpfs:
    return "Tmpfs";
  }
  return "unknown";
}

class SmallFileSystem {
public:
  SmallFileSystem(SmallFileSystemKind kind, int64_t bytes) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pyvc-small-fs-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      skipReason_ = std::string("mkdtemp failed: ") + std::strerror(errno);
      return;
    }
    root_ = pattern;
    mountPoint_ = root_ / "mnt";
    std::filesystem::create_directory(mountPoint_);
    if (::geteuid() != 0) {
      skipReason_ = "mounting a small file system needs root";
      return;
    }
    if (kind == SmallFileSystemKind::Tmpfs) {
      run("mount -t tmpfs -o size=" + std::to_string(bytes / 1024) + "k pyvc-test " +
              quoted(mountPoint_),
          "mount tmpfs");
    } else {
      std::filesystem::path image = root_ / "disk.img";
      {
        int fd = ::open(image.c_str(), O_RDWR | O_CREAT, 0600);
        bool sized = fd >= 0 && ::ftruncate(fd, bytes) == 0;
        if (fd >= 0)
          ::close(fd);
        if (!sized) {
          skipReason_ = "cannot make the disk image";
          return;
        }
      }
      const char *blocks = kind == SmallFileSystemKind::Ext4OneKiBBlocks ? "1024" : "4096";
      if (!run(std::string("mkfs.ext4 -q -F -b ") + blocks + " " + quoted(image), "mkfs.ext4"))
        return;
      run("mount -o loop " + quoted(image) + " " + quoted(mountPoint_),
          "mount -o loop (no loop device available?)");
    }
    mounted_ = skipReason_.empty();
  }
  ~SmallFileSystem() {
    if (mounted_ && std::system(("umount " + quoted(mountPoint_) + " 2>/dev/null").c_str()) != 0)
      std::system(("umount -l " + quoted(mountPoint_)).c_str());
    std::error_code ignored;
    if (!root_.empty())
      std::filesystem::remove_all(root_, ignored);
  }
  SmallFileSystem(const SmallFileSystem &) = delete;
  SmallFileSystem &operator=(const SmallFileSystem &) = delete;

  // Empty when mounted.
  const std::string &skipReason() const { return skipReason_; }
  std::string file(const std::string &name) const { return (mountPoint_ / name).string(); }

  int64_t freeBytes() const {
    struct statvfs info;
    if (::statvfs(mountPoint_.c_str(), &info) != 0)
      return -1;
    return static_cast<int64_t>(info.f_bfree) * static_cast<int64_t>(info.f_frsize);
  }

  // Writes a file until the disk refuses another byte, then allocates with posix_fallocate
  // what writing left (ext4 refuses delayed-allocation writes while fallocate can still take
  // some blocks): the disk is then full for everyone.
  void fillUp(const std::string &name) const {
    int fd = ::open(file(name).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ASSERT_GE(fd, 0);
    std::string chunk(4096, 'f');
    for (size_t size = chunk.size(); size > 0; size /= 2)
      while (::write(fd, chunk.data(), size) == static_cast<ssize_t>(size)) {
      }
    ::fsync(fd);
    ::close(fd);
    int more = ::open(file(name + ".allocated").c_str(), O_RDWR | O_CREAT, 0600);
    ASSERT_GE(more, 0);
    off_t end = 0;
    for (off_t size = 1 << 20; size >= 1024; size /= 2)
      while (::posix_fallocate(more, end, size) == 0)
        end += size;
    ::close(more);
  }

  // Writes a file of `bytes` bytes (data, not a hole).
  bool writeFile(const std::string &name, int64_t bytes) const {
    int fd = ::open(file(name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
      return false;
    std::string chunk(4096, 'g');
    bool ok = true;
    for (int64_t written = 0; ok && written < bytes; written += 4096)
      ok = ::write(fd, chunk.data(), 4096) == 4096;
    ::close(fd);
    return ok;
  }

private:
  static std::string quoted(const std::filesystem::path &path) { return "'" + path.string() + "'"; }
  bool run(const std::string &command, const char *what) {
    if (std::system((command + " >/dev/null 2>&1").c_str()) == 0)
      return true;
    skipReason_ = std::string(what) + " failed: " + command;
    return false;
  }

  std::filesystem::path root_, mountPoint_;
  std::string skipReason_;
  bool mounted_ = false;
};

} // namespace pyvc::testing
