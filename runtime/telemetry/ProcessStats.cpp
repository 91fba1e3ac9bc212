// ProcessStats: the /proc and getrusage readers.
#include "telemetry/ProcessStats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace pyvc::telemetry {

namespace {

Error systemError(const std::string &what, int error) {
  return makeError(what + ": " + std::strerror(error));
}

} // namespace

Result<uint64_t> residentSetBytes() {
  // statm is one short line: size resident shared text lib data dt, in pages.
  std::FILE *file = std::fopen("/proc/self/statm", "re");
  if (!file)
    return systemError("cannot open /proc/self/statm", errno);
  unsigned long long sizePages = 0, residentPages = 0;
  int fields = std::fscanf(file, "%llu %llu", &sizePages, &residentPages);
  std::fclose(file);
  if (fields != 2)
    return makeError("cannot read the resident set from /proc/self/statm");
  long pageSize = ::sysconf(_SC_PAGESIZE);
  if (pageSize <= 0)
    return makeError("cannot read the page size");
  return static_cast<uint64_t>(residentPages) * static_cast<uint64_t>(pageSize);
}

Result<uint64_t> peakResidentSetBytes() {
  std::FILE *file = std::fopen("/proc/self/status", "re");
  if (!file)
    return systemError("cannot open /proc/self/status", errno);
  char line[256];
  bool found = false;
  unsigned long long kibibytes = 0;
  while (std::fgets(line, sizeof line, file)) {
    if (std::strncmp(line, "VmHWM:", 6) == 0) {
      found = std::sscanf(line + 6, "%llu", &kibibytes) == 1;
      break;
    }
  }
  std::fclose(file);
  if (!found)
    return makeError("no VmHWM line in /proc/self/status");
  return static_cast<uint64_t>(kibibytes) * 1024;
}

Result<double> processCpuSeconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0)
    return systemError("getrusage", errno);
  auto seconds = [](const timeval &time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Result<uint64_t> openFileDescriptors() {
  DIR *directory = ::opendir("/proc/self/fd");
  if (!directory)
    return systemError("cannot open /proc/self/fd", errno);
  uint64_t count = 0;
  while (const dirent *entry = ::readdir(directory)) {
    if (entry->d_name[0] != '.')
      ++count;
  }
  ::closedir(directory);
  // The directory stream itself held one descriptor while it was read.
  return count > 0 ? count - 1 : 0;
}

Result<double> processStartTimeSeconds() {
  std::FILE *file = std::fopen("/proc/self/stat", "re");
  if (!file)
    return systemError("cannot open /proc/self/stat", errno);
  char buffer[1024];
  size_t length = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  buffer[length] = '\0';
  // The command name in parentheses may hold spaces and ')': fields resume after the last ')'.
  const char *rest = std::strrchr(buffer, ')');
  unsigned long long startTicks = 0;
  // After ')': state (field 3) ... starttime is field 22, so skip 19 fields after the state.
  if (!rest || std::sscanf(rest + 1,
                           " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
                           "%*d %*d %llu",
                           &startTicks) != 1)
    return makeError("cannot read the start time from /proc/self/stat");

  file = std::fopen("/proc/stat", "re");
  if (!file)
    return systemError("cannot open /proc/stat", errno);
  char line[256];
  unsigned long long bootTime = 0;
  bool found = false;
  while (std::fgets(line, sizeof line, file)) {
    if (std::strncmp(line, "btime ", 6) == 0) {
      found = std::sscanf(line + 6, "%llu", &bootTime) == 1;
      break;
    }
  }
  std::fclose(file);
  long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
  if (!found || ticksPerSecond <= 0)
    return makeError("cannot read the boot time from /proc/stat");
  return static_cast<double>(bootTime) +
         static_cast<double>(startTicks) / static_cast<double>(ticksPerSecond);
}

Result<uint64_t> maxFileDescriptors() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return systemError("getrlimit", errno);
  return static_cast<uint64_t>(limit.rlim_cur);
}

} // namespace pyvc::telemetry
