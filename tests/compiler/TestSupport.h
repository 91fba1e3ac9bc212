// Helpers for the compiler tests: private temporary directories, files, running commands, and
// reading an ELF section straight from a file (as a loader does, without dlopen).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace pyvc::compiler::testing {

class TemporaryDirectory {
public:
  TemporaryDirectory() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/pyvc-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    path_ = mkdtemp(buffer.data()) ? buffer.data() : "";
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty())
      std::filesystem::remove_all(path_, ignored);
  }
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

struct CommandResult {
  int exitCode = -1;     // -1 when killed by a signal
  int signal = 0;
  std::string output;    // stdout (stderr too when the command redirects it)
};

// Runs a shell command and captures its stdout.
inline CommandResult runShell(const std::string &command) {
  CommandResult result;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return result;
  char buffer[4096];
  size_t count;
  while ((count = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, count);
  int status = pclose(pipe);
  if (WIFEXITED(status))
    result.exitCode = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.signal = WTERMSIG(status);
  return result;
}

inline std::string runCommand(const std::string &command) { return runShell(command + " 2>&1").output; }

// The shared libraries listed as (NEEDED) in `llvm-readelf -d` output, in order.
inline std::vector<std::string> neededLibraries(const std::string &dynamicSection) {
  std::vector<std::string> needed;
  std::istringstream lines(dynamicSection);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("(NEEDED)") == std::string::npos)
      continue;
    size_t open = line.find('['), close = line.find(']');
    if (open != std::string::npos && close != std::string::npos)
      needed.push_back(line.substr(open + 1, close - open - 1));
  }
  return needed;
}

// The bytes of a named section of a 64-bit little-endian ELF file; empty when absent.
inline std::string readElfSection(const std::string &path, const std::string &name) {
  std::string file = readBytes(path);
  auto read = [&](size_t offset, size_t size) -> uint64_t {
    uint64_t value = 0;
    if (offset + size <= file.size())
      std::memcpy(&value, file.data() + offset, size);
    return value;
  };
  if (file.size() < 64 || file.compare(0, 4, "\x7f" "ELF") != 0)
    return {};
  uint64_t sectionTable = read(0x28, 8);
  uint64_t entrySize = read(0x3a, 2), count = read(0x3c, 2), namesIndex = read(0x3e, 2);
  uint64_t namesOffset = read(sectionTable + namesIndex * entrySize + 0x18, 8);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t header = sectionTable + i * entrySize;
    uint64_t nameOffset = namesOffset + read(header, 4);
    if (nameOffset >= file.size() || std::strcmp(file.c_str() + nameOffset, name.c_str()) != 0)
      continue;
    uint64_t offset = read(header + 0x18, 8), size = read(header + 0x20, 8);
    if (offset + size > file.size())
      return {};
    return file.substr(offset, size);
  }
  return {};
}

} // namespace pyvc::compiler::testing
