// ELF64 section lookup for the manifest: header, section headers, section-name string table, then
// the .pyvc_manifest bytes. Structures are memcpy'd out of the byte buffer, so a file of any
// alignment or truncation is read safely.
#include "loader/ManifestReader.h"

#include "pyvc/kernel_abi.h"

#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace pyvc::loader {
namespace {

// Manifests are a few kilobytes and kernel libraries well under this; the cap keeps a bogus path
// (a device, a huge file) from exhausting memory.
constexpr uint64_t MaxLibraryBytes = uint64_t(1) << 30;

// Copies a T out of `bytes` at `offset`, or fails when it does not fit.
template <typename T>
bool readStruct(std::span<const unsigned char> bytes, uint64_t offset, T &out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
    return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

bool rangeFits(std::span<const unsigned char> bytes, uint64_t offset, uint64_t size) {
  return offset <= bytes.size() && size <= bytes.size() - offset;
}

Error elfError(const std::string &origin, const std::string &what) {
  return makeError(origin + ": " + what);
}

} // namespace

std::string machineArchitecture(uint16_t machine) {
  switch (machine) {
  case EM_X86_64:
    return "x86_64";
  case EM_AARCH64:
    return "aarch64";
  }
  return "machine " + std::to_string(machine);
}

std::string hostArchitecture() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "unsupported";
#endif
}

Result<ElfManifest> extractManifestSection(std::span<const unsigned char> bytes,
                                           const std::string &origin) {
  Elf64_Ehdr header;
  if (bytes.size() < SELFMAG || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return elfError(origin, "not an ELF file");
  if (!readStruct(bytes, 0, header))
    return elfError(origin, "truncated ELF header");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB)
    return elfError(origin, "not a 64-bit little-endian ELF file");
  if (header.e_shoff == 0)
    return elfError(origin, "has no section headers");
  if (header.e_shentsize < sizeof(Elf64_Shdr))
    return elfError(origin, "section header entries are too small");

  auto sectionHeader = [&](uint64_t index, Elf64_Shdr &out) {
    if (index >
        (bytes.size() - std::min<uint64_t>(bytes.size(), header.e_shoff)) / header.e_shentsize)
      return false;
    return readStruct(bytes, header.e_shoff + index * header.e_shentsize, out);
  };

  // Files with many sections keep the real count and string-table index in section 0.
  Elf64_Shdr first;
  if (!sectionHeader(0, first))
    return elfError(origin, "truncated section header table");
  uint64_t sectionCount = header.e_shnum ? header.e_shnum : first.sh_size;
  uint64_t namesIndex = header.e_shstrndx == SHN_XINDEX ? first.sh_link : header.e_shstrndx;
  if (!rangeFits(bytes, header.e_shoff, sectionCount * uint64_t(header.e_shentsize)) ||
      sectionCount > bytes.size() / sizeof(Elf64_Shdr))
    return elfError(origin, "truncated section header table");
  Elf64_Shdr names;
  if (namesIndex >= sectionCount || !sectionHeader(namesIndex, names))
    return elfError(origin, "bad section name table index");
  if (names.sh_type == SHT_NOBITS || !rangeFits(bytes, names.sh_offset, names.sh_size))
    return elfError(origin, "truncated section name table");

  std::string_view wanted = PYVC_MANIFEST_SECTION;
  for (uint64_t index = 0; index < sectionCount; ++index) {
    Elf64_Shdr section;
    if (!sectionHeader(index, section))
      return elfError(origin, "truncated section header table");
    if (section.sh_name >= names.sh_size)
      continue; // a name outside the table cannot be ours
    const char *nameStart =
        reinterpret_cast<const char *>(bytes.data() + names.sh_offset) + section.sh_name;
    size_t available = names.sh_size - section.sh_name;
    std::string_view name(nameStart, strnlen(nameStart, available));
    if (name != wanted)
      continue;
    if (section.sh_type == SHT_NOBITS || !rangeFits(bytes, section.sh_offset, section.sh_size))
      return elfError(origin, "truncated " + std::string(wanted) + " section");
    ElfManifest manifest;
    manifest.machine = header.e_machine;
    manifest.json.assign(reinterpret_cast<const char *>(bytes.data() + section.sh_offset),
                         section.sh_size);
    while (!manifest.json.empty() && manifest.json.back() == '\0')
      manifest.json.pop_back();
    if (manifest.json.find('\0') != std::string::npos)
      return elfError(origin, "the " + std::string(wanted) + " section holds more than one string");
    return manifest;
  }
  return elfError(origin,
                  "no " + std::string(wanted) + " section; is this a library compiled by pyvc?");
}

Result<ElfManifest> readManifestSection(const std::string &path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file)
    return makeError("cannot open " + path + ": " + std::strerror(errno));
  std::streamoff size = file.tellg();
  if (size < 0 || uint64_t(size) > MaxLibraryBytes)
    return makeError("cannot read " + path + ": not a regular file of a sane size");
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  file.seekg(0);
  if (!file.read(reinterpret_cast<char *>(bytes.data()), size))
    return makeError("cannot read " + path);
  return extractManifestSection(bytes, path);
}

namespace {

// Parses and validates a manifest section, and checks its target against the ELF machine.
Result<Manifest> manifestOfSection(const ElfManifest &section, const std::string &origin) {
  auto manifest = parseManifest(section.json);
  if (!manifest)
    return makeError(origin + ": " + manifest.error().message);
  std::string elfArchitecture = machineArchitecture(section.machine);
  if (manifest->target.architecture() != elfArchitecture)
    return makeError(origin + ": the manifest says target " + manifest->target.triple +
                     " but the file is " + elfArchitecture + " code");
  return manifest;
}

} // namespace

Result<Manifest> readManifest(const std::string &path) {
  auto section = readManifestSection(path);
  if (!section)
    return section.error();
  return manifestOfSection(*section, path);
}

Result<Manifest> readManifestFromImage(std::span<const unsigned char> bytes,
                                       const std::string &origin) {
  auto section = extractManifestSection(bytes, origin);
  if (!section)
    return section.error();
  return manifestOfSection(*section, origin);
}

} // namespace pyvc::loader
