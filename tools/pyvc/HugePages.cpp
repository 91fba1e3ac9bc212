#include "HugePages.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::tools {

namespace {

constexpr uintptr_t HugePageSize = uintptr_t{2} << 20;

// The 2 MiB pages wholly inside [begin, end), as [first, last).
void adviseWholeHugePages(uintptr_t begin, uintptr_t end) {
  uintptr_t first = (begin + HugePageSize - 1) & ~(HugePageSize - 1);
  uintptr_t last = end & ~(HugePageSize - 1);
  if (first < last)
    madvise(reinterpret_cast<void *>(first), last - first, MADV_HUGEPAGE);
}

int adviseProgramSegments(dl_phdr_info *info, size_t, void *) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) &segment = info->dlpi_phdr[i];
    // Writable segments are copied on write page by page; only read-only ones share the cache.
    if (segment.p_type != PT_LOAD || (segment.p_flags & PF_W) || segment.p_align < HugePageSize)
      continue;
    uintptr_t begin = info->dlpi_addr + segment.p_vaddr;
    adviseWholeHugePages(begin, begin + segment.p_memsz);
  }
  return 1; // the first object is the program itself
}

} // namespace

void adviseHugePagesForProgram() { dl_iterate_phdr(adviseProgramSegments, nullptr); }

bool reloadAsHugePages(const std::string &path, std::string &error) {
  int file = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat status {};
  if (file < 0 || fstat(file, &status) != 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    if (file >= 0)
      close(file);
    return false;
  }
  // Dirty pages cannot be dropped: write the file out first.
  fdatasync(file);
  posix_fadvise(file, 0, 0, POSIX_FADV_DONTNEED);
  size_t length = static_cast<size_t>(status.st_size);
  void *mapping = length ? mmap(nullptr, length, PROT_READ, MAP_PRIVATE, file, 0) : MAP_FAILED;
  int mapError = errno;
  close(file);
  if (mapping == MAP_FAILED) {
    error = length ? "cannot map " + path + ": " + std::strerror(mapError) : path + " is empty";
    return false;
  }
  // With MADV_HUGEPAGE the kernel reads a fault's whole 2 MiB-aligned range of the file into one
  // folio where the filesystem supports it; touching one byte per 4 KiB page reads everything.
  madvise(mapping, length, MADV_HUGEPAGE);
  volatile unsigned char sink = 0;
  const auto *bytes = static_cast<const unsigned char *>(mapping);
  for (size_t offset = 0; offset < length; offset += 4096)
    sink = sink + bytes[offset];
  munmap(mapping, length);
  return true;
}

} // namespace pyvc::tools
