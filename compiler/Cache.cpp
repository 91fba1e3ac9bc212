// Cache entries: "pyvc-cache 1\n<payload size>\n<payload sha256>\n<payload>". Writes go through
// mkstemp + rename (atomic on POSIX file systems); reads verify size and hash.
#include "compiler/Cache.h"

#include "compiler/Sha256.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::compiler {

namespace {
const char *const kMagic = "pyvc-cache 1\n";
}

Result<CompileCache> CompileCache::open() {
  if (const char *configured = std::getenv("PYVC_CACHE_DIR"); configured && *configured)
    return openAt(configured);
  const char *home = std::getenv("HOME");
  if (!home || !*home)
    return makeError("cannot locate the compile cache: neither PYVC_CACHE_DIR nor HOME is set");
  return openAt(std::string(home) + "/.cache/pyvc");
}

Result<CompileCache> CompileCache::openAt(const std::string &directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory))
    return makeError("cannot create the compile cache directory " + directory +
                     (error ? ": " + error.message() : ""));
  return CompileCache(directory);
}

std::string CompileCache::key(const std::vector<std::string> &parts) {
  std::string material;
  for (const std::string &part : parts)
    material += std::to_string(part.size()) + ":" + part + ";";
  return sha256Hex(material);
}

std::optional<std::string> CompileCache::lookup(const std::string &key) const {
  std::ifstream in(entryPath(key), std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string entry = contents.str();
  size_t magicLength = std::strlen(kMagic);
  if (entry.compare(0, magicLength, kMagic) != 0)
    return std::nullopt;
  size_t sizeEnd = entry.find('\n', magicLength);
  if (sizeEnd == std::string::npos)
    return std::nullopt;
  size_t hashEnd = entry.find('\n', sizeEnd + 1);
  if (hashEnd == std::string::npos || hashEnd - sizeEnd - 1 != 64)
    return std::nullopt;
  std::string sizeText = entry.substr(magicLength, sizeEnd - magicLength);
  char *end = nullptr;
  unsigned long long size = std::strtoull(sizeText.c_str(), &end, 10);
  if (sizeText.empty() || *end != '\0' || entry.size() - hashEnd - 1 != size)
    return std::nullopt;
  std::string payload = entry.substr(hashEnd + 1);
  if (sha256Hex(payload) != entry.substr(sizeEnd + 1, 64))
    return std::nullopt;
  return payload;
}

Result<void> CompileCache::store(const std::string &key, const std::string &output) const {
  std::string entry = std::string(kMagic) + std::to_string(output.size()) + "\n" + sha256Hex(output) +
                      "\n" + output;
  std::string pattern = directory_ + "/." + key + ".XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0)
    return makeError("cannot create a file in the compile cache " + directory_ + ": " +
                     std::strerror(errno));
  size_t written = 0;
  while (written < entry.size()) {
    ssize_t chunk = ::write(fd, entry.data() + written, entry.size() - written);
    if (chunk < 0 && errno == EINTR)
      continue;
    if (chunk <= 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(name.data());
      return makeError("cannot write to the compile cache " + directory_ + ": " + reason);
    }
    written += static_cast<size_t>(chunk);
  }
  ::fchmod(fd, 0644);
  ::close(fd);
  if (std::rename(name.data(), entryPath(key).c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(name.data());
    return makeError("cannot rename into the compile cache " + directory_ + ": " + reason);
  }
  return {};
}

} // namespace pyvc::compiler
