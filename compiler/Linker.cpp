// In-process lld. DT_NEEDED entries come from two stub shared libraries named libc.so.6 and
// libm.so.6, made at build time from an empty object of each machine and embedded
// (compiler/CMakeLists.txt): lld records the soname of every shared library it is given, and
// the stubs need no files from a sysroot. Undefined symbols stay allowed (-shared) and are bound
// by the dynamic loader to the real libc and libm at dlopen time.
#include "compiler/Linker.h"

#include <lld/Common/Driver.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

LLD_HAS_DRIVER(elf)

namespace pyvc::compiler {

// The stub libraries, embedded by compiler/CMakeLists.txt.
extern const unsigned char libcStub_x86_64_data[], libmStub_x86_64_data[];
extern const size_t libcStub_x86_64_size, libmStub_x86_64_size;
extern const unsigned char libcStub_aarch64_data[], libmStub_aarch64_data[];
extern const size_t libcStub_aarch64_size, libmStub_aarch64_size;

namespace {

namespace fs = std::filesystem;

std::mutex linkerMutex; // lld keeps global state: one link at a time per process

// A private directory removed when the scope ends, whatever happens.
class TemporaryDirectory {
public:
  TemporaryDirectory() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/pyvc-link-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()))
      path_ = buffer.data();
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty())
      fs::remove_all(path_, ignored);
  }
  bool ok() const { return !path_.empty(); }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

Result<void> writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.good())
    return makeError("cannot write " + path);
  return {};
}

Result<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError("cannot read " + path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Runs lld's ELF driver; returns its messages on failure.
Result<void> runLld(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "ld.lld");
  // lld reports fatal errors by unwinding to lldMain's CrashRecoveryContext; without it enabled,
  // a fatal error (a corrupt object, say) would _exit() the whole compiler.
  static std::once_flag recoveryEnabled;
  std::call_once(recoveryEnabled, [] { llvm::CrashRecoveryContext::Enable(); });
  std::vector<const char *> argv;
  for (const std::string &argument : arguments)
    argv.push_back(argument.c_str());
  std::string messages;
  llvm::raw_string_ostream out(messages), err(messages);
  lld::Result result = lld::lldMain(argv, out, err, {{lld::Gnu, &lld::elf::link}});
  out.flush();
  err.flush();
  if (result.retCode != 0 || !result.canRunAgain)
    return makeError("lld failed: " + (messages.empty() ? std::string("no message") : messages));
  return {};
}

struct StubLibraries {
  std::string libc, libm;
};

// The embedded stubs for the machine of `object` (its ELF e_machine), if pyvc has them.
std::optional<StubLibraries> stubLibrariesFor(const std::string &object) {
  unsigned machine = static_cast<unsigned char>(object[18]) | static_cast<unsigned char>(object[19]) << 8;
  auto bytes = [](const unsigned char *data, size_t size) { return std::string(reinterpret_cast<const char *>(data), size); };
  if (machine == 62) // EM_X86_64
    return StubLibraries{bytes(libcStub_x86_64_data, libcStub_x86_64_size),
                         bytes(libmStub_x86_64_data, libmStub_x86_64_size)};
  if (machine == 183) // EM_AARCH64
    return StubLibraries{bytes(libcStub_aarch64_data, libcStub_aarch64_size),
                         bytes(libmStub_aarch64_data, libmStub_aarch64_size)};
  return std::nullopt;
}

// Whether `objects` are all 64-bit ELF objects of the first one's machine.
bool sameMachineObjects(const std::vector<std::string> &objects) {
  for (const std::string &objectBytes : objects)
    if (objectBytes.size() < 64 || objectBytes.compare(0, 4, "\x7f" "ELF") != 0 ||
        objectBytes[4] != 2 /*ELFCLASS64*/ || objectBytes.compare(18, 2, objects.front(), 18, 2) != 0)
      return false;
  return true;
}

} // namespace

Result<std::string> linkRelocatableObject(const std::vector<std::string> &objects) {
  if (objects.empty())
    return makeError("no object to link");
  if (!sameMachineObjects(objects))
    return makeError("an object to link is not a 64-bit ELF file of the same machine as the first");
  std::lock_guard<std::mutex> lock(linkerMutex);
  TemporaryDirectory directory;
  if (!directory.ok())
    return makeError("cannot create a temporary directory for linking");
  std::string output = directory.file("out.o");
  std::vector<std::string> arguments = {"-r", "--build-id=none", "--threads=1", "-o", output};
  for (size_t unit = 0; unit < objects.size(); ++unit) {
    std::string path = directory.file("unit" + std::to_string(unit) + ".o");
    if (Result<void> written = writeFile(path, objects[unit]); !written)
      return written.error();
    arguments.push_back(path);
  }
  if (Result<void> linked = runLld(arguments); !linked)
    return linked.error();
  return readFile(output);
}

Result<std::string> linkSharedLibrary(const std::string &objectBytes, const std::string &soname) {
  return linkSharedLibrary(std::vector<std::string>{objectBytes}, soname);
}

Result<std::string> linkSharedLibrary(const std::vector<std::string> &objects, const std::string &soname) {
  if (objects.empty())
    return makeError("no object to link");
  if (!sameMachineObjects(objects))
    return makeError("an object to link is not a 64-bit ELF file of the same machine as the first");
  std::optional<StubLibraries> stubs = stubLibrariesFor(objects.front());
  if (!stubs)
    return makeError("objects for this machine cannot be linked: pyvc links x86-64 and aarch64 only");
  std::lock_guard<std::mutex> lock(linkerMutex);
  TemporaryDirectory directory;
  if (!directory.ok())
    return makeError("cannot create a temporary directory for linking");

  std::string versionScript = directory.file("exports.map"), output = directory.file("out.so");
  std::string libc = directory.file("libc.so.6"), libm = directory.file("libm.so.6");
  std::vector<std::pair<std::string, std::string>> files = {
      {versionScript, std::string("{ global: pyvc_*; local: *; };\n")}, {libc, stubs->libc}, {libm, stubs->libm}};
  std::vector<std::string> objectPaths;
  for (size_t unit = 0; unit < objects.size(); ++unit) {
    // One object keeps the name it always had, so its .so is the same bytes as before units.
    objectPaths.push_back(directory.file(unit == 0 ? "kernel.o" : "kernel" + std::to_string(unit) + ".o"));
    files.emplace_back(objectPaths.back(), objects[unit]);
  }
  for (const auto &[path, bytes] : files)
    if (Result<void> written = writeFile(path, bytes); !written)
      return written.error();

  // --threads=1: a kernel library is a few kilobytes, and lld's thread pool (two threads started
  // per process, futex hand-offs for every parallel loop) costs more than it saves.
  const std::vector<std::string> common = {"--build-id=none", "--hash-style=gnu", "-z", "noexecstack",
                                           "-z", "relro", "-z", "now", "--threads=1"};
  std::vector<std::string> arguments = {"-shared", "-soname", soname, "--version-script", versionScript,
                                        "-o", output};
  arguments.insert(arguments.end(), objectPaths.begin(), objectPaths.end());
  for (const std::string &argument : {std::string("--no-as-needed"), libc, libm})
    arguments.push_back(argument);
  arguments.insert(arguments.end(), common.begin(), common.end());
  if (Result<void> linked = runLld(arguments); !linked)
    return linked.error();
  return readFile(output);
}

} // namespace pyvc::compiler
