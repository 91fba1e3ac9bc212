// pyvc-driver's code on transparent huge pages (tools/pyvc/HugePages.h): its loadable segments
// start on 2 MiB boundaries, and after the build the page cache holds it in 2 MiB folios, so a
// mapping of it gets 2 MiB page-table entries. Mapping checks need a kernel and a filesystem
// that cache files in large folios (ext4 from Linux 6.16) with THP not switched off: a scratch
// file next to the driver tells, and elsewhere they skip.
#include "TestSupport.h"

#include "tools/pyvc/HugePages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pyvc::compiler::testing;

namespace {

constexpr uint64_t HugePage = uint64_t{2} << 20;

std::string readText(const std::string &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Maps `path` at a 2 MiB-aligned address, asking for huge pages as the driver does for itself,
// reads every page, and returns how many kB of the mapping the kernel mapped with 2 MiB entries.
// Only the first `prefix` bytes when given.
long hugeMappedKilobytes(const std::string &path, size_t prefix = 0) {
  int file = open(path.c_str(), O_RDONLY);
  struct stat status {};
  if (file < 0 || fstat(file, &status) != 0)
    return -1;
  size_t length = (prefix ? std::min(prefix, size_t(status.st_size)) : size_t(status.st_size)) & ~(HugePage - 1);
  void *reserved = mmap(nullptr, length + HugePage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  auto aligned = (reinterpret_cast<uintptr_t>(reserved) + HugePage - 1) & ~(HugePage - 1);
  auto *bytes = static_cast<unsigned char *>(
      mmap(reinterpret_cast<void *>(aligned), length, PROT_READ, MAP_PRIVATE | MAP_FIXED, file, 0));
  close(file);
  madvise(bytes, length, MADV_HUGEPAGE);
  volatile unsigned char sink = 0;
  for (size_t offset = 0; offset < length; offset += 4096)
    sink = sink + bytes[offset];

  std::ifstream smaps("/proc/self/smaps");
  char start[32];
  std::snprintf(start, sizeof start, "%lx-", static_cast<unsigned long>(aligned));
  long kilobytes = -1;
  bool inMapping = false;
  for (std::string line; std::getline(smaps, line);) {
    if (line.find('-') != std::string::npos && line.find(':') > line.find(' '))
      inMapping = line.rfind(start, 0) == 0;
    else if (inMapping && line.rfind("FilePmdMapped:", 0) == 0)
      kilobytes = std::stol(line.substr(14));
  }
  munmap(reserved, length + HugePage);
  return kilobytes;
}

// Writes `megabytes` MiB next to the driver (the filesystem the build reloads it on), under a
// name of this process's own: CTest runs tests in parallel.
std::string writeScratchFile(const std::string &name, int megabytes) {
  std::string path = std::string(PYVC_DRIVER_BINARY) + "." + name + "." + std::to_string(getpid());
  std::string block(4096, '\0');
  std::ofstream file(path, std::ios::binary);
  for (int page = 0; page < megabytes * 256; ++page) {
    block[0] = static_cast<char>(page);
    file.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  return path;
}

// Why a mapping check cannot run here, or "" if it can: a scratch file, dropped from the page
// cache and read back through a huge-page mapping (done here by hand, not by the code under
// test), must map with 2 MiB entries.
std::string whyNoHugeFilePages() {
  if (readText("/sys/kernel/mm/transparent_hugepage/enabled").find("[never]") != std::string::npos)
    return "transparent huge pages are switched off";
  std::string probe = writeScratchFile("huge-pages-probe", 4);
  int file = open(probe.c_str(), O_RDONLY);
  if (file >= 0) {
    fdatasync(file);
    posix_fadvise(file, 0, 0, POSIX_FADV_DONTNEED);
    close(file);
  }
  long kilobytes = hugeMappedKilobytes(probe);
  std::remove(probe.c_str());
  if (kilobytes <= 0)
    return "this kernel or filesystem does not cache files in 2 MiB folios";
  return "";
}

// The driver's loadable segments, from its ELF program headers.
std::vector<Elf64_Phdr> loadableSegments() {
  std::vector<Elf64_Phdr> segments;
  std::ifstream image(PYVC_DRIVER_BINARY, std::ios::binary);
  Elf64_Ehdr header{};
  if (!image.read(reinterpret_cast<char *>(&header), sizeof header))
    return segments;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment{};
    image.seekg(static_cast<std::streamoff>(header.e_phoff + i * sizeof segment));
    if (image.read(reinterpret_cast<char *>(&segment), sizeof segment) && segment.p_type == PT_LOAD)
      segments.push_back(segment);
  }
  return segments;
}

TEST(HugePages, DriverSegmentsStartOnHugePageBoundaries) {
  if (!PYVC_DRIVER_HUGE_PAGE_ALIGNED)
    GTEST_SKIP() << "the driver is not linked statically with lld";
  std::vector<Elf64_Phdr> segments = loadableSegments();
  EXPECT_GE(segments.size(), 2u);
  for (const Elf64_Phdr &segment : segments) {
    EXPECT_EQ(segment.p_offset % HugePage, 0u) << "segment at file offset " << segment.p_offset;
    EXPECT_EQ(segment.p_vaddr % HugePage, 0u) << "segment at file offset " << segment.p_offset;
  }
}

TEST(HugePages, BuiltDriverIsCachedInHugeFolios) {
  if (!PYVC_DRIVER_HUGE_PAGE_ALIGNED)
    GTEST_SKIP() << "the driver is not linked statically with lld";
  if (std::string why = whyNoHugeFilePages(); !why.empty())
    GTEST_SKIP() << why;
  // What the driver maps: the file up to its last loadable segment (debug sections follow).
  size_t loaded = 0;
  for (const Elf64_Phdr &segment : loadableSegments())
    loaded = std::max<size_t>(loaded, segment.p_offset + segment.p_filesz);
  long wholeHugePages = long(loaded / HugePage);
  ASSERT_GE(wholeHugePages, 4);
  // The build reloaded the driver after linking it; without that, the linker's 4 KiB folios
  // would stay, and no part of this mapping would get a 2 MiB entry. Memory pressure may have
  // split a few folios since, hence half rather than all.
  EXPECT_GE(hugeMappedKilobytes(PYVC_DRIVER_BINARY, loaded), (wholeHugePages / 2) * 2048);
}

TEST(HugePages, ReloadTurnsSmallFoliosIntoHugeOnes) {
  if (std::string why = whyNoHugeFilePages(); !why.empty())
    GTEST_SKIP() << why;
  std::string path = writeScratchFile("huge-pages-test", 8), error;
  long written = hugeMappedKilobytes(path);
  if (written == 8 * 1024) {
    std::remove(path.c_str());
    GTEST_SKIP() << "this filesystem writes files in 2 MiB folios itself: nothing to reload";
  }
  ASSERT_TRUE(pyvc::tools::reloadAsHugePages(path, error)) << error;
  long kilobytes = hugeMappedKilobytes(path);
  std::string content = readText(path);
  std::remove(path.c_str());
  EXPECT_EQ(kilobytes, 8 * 1024);
  ASSERT_EQ(content.size(), 8u << 20);
  EXPECT_EQ(content[4096 * 7], 7); // the reload reads, never writes
}

TEST(HugePages, ReloadOfAMissingFileIsAnError) {
  std::string error;
  EXPECT_FALSE(pyvc::tools::reloadAsHugePages("/nonexistent/pyvc-driver", error));
  EXPECT_NE(error.find("/nonexistent/pyvc-driver"), std::string::npos);
}

} // namespace
