// Reads the manifest of a compiled kernel library straight from its ELF file, without dlopen and
// without running any of its code: the loader can inspect an untrusted or foreign-architecture
// library safely. ELF64 little-endian only (x86-64 and aarch64).
#pragma once

#include "core/Result.h"
#include "loader/Manifest.h"

#include <cstdint>
#include <span>
#include <string>

namespace pyvc::loader {

struct ElfManifest {
  std::string json;     // the .pyvc_manifest section, trailing NUL bytes removed
  uint16_t machine = 0; // e_machine of the file (EM_X86_64, EM_AARCH64, ...)
};

// Finds the manifest section in the bytes of an ELF file. Every offset and size read from the
// file is checked against `bytes` before use; `origin` names the file in error messages.
Result<ElfManifest> extractManifestSection(std::span<const unsigned char> bytes,
                                           const std::string &origin);

// Reads `path` and extracts its manifest section.
Result<ElfManifest> readManifestSection(const std::string &path);

// Reads, parses and validates the manifest of `path`, and checks that its target architecture
// agrees with the ELF machine of the file.
Result<Manifest> readManifest(const std::string &path);

// The same for the bytes of a library already in memory; `origin` names it in error messages.
Result<Manifest> readManifestFromImage(std::span<const unsigned char> bytes,
                                       const std::string &origin);

// "x86_64", "aarch64", or "machine 183" for others: the spelling used in target triples.
std::string machineArchitecture(uint16_t machine);

// The architecture this process runs on, spelled as machineArchitecture() spells it.
std::string hostArchitecture();

} // namespace pyvc::loader
