// ManifestReader: finding the .pyvc_manifest section in ELF files without loading them, and
// refusing truncated, garbage and section-less files with a clear error.
#include "LoaderTestSupport.h"

#include "loader/ManifestReader.h"

#include <elf.h>

#include <cstring>

using namespace pyvc::loader;
using namespace pyvc::loader::testing;
using pyvc::Result;

namespace {

Result<ElfManifest> extract(const std::vector<unsigned char> &bytes) {
  return extractManifestSection(bytes, "test.so");
}

} // namespace

TEST(LoaderManifestReader, ReadsTheSectionOfTheHostLibrary) {
  auto section = readManifestSection(PYVC_TEST_KERNELS);
  ASSERT_TRUE(section.ok()) << section.error().message;
  EXPECT_EQ(section->json.front(), '{');
  EXPECT_EQ(section->json.back(), '}') << "trailing NUL bytes are stripped";
  EXPECT_NE(section->json.find("\"pyvc-manifest\""), std::string::npos);
  EXPECT_EQ(machineArchitecture(section->machine), hostArchitecture());
}

TEST(LoaderManifestReader, ReadsTheSectionOfAnAarch64LibraryWithoutLoadingIt) {
  if (!std::ifstream(PYVC_TEST_KERNELS_AARCH64))
    GTEST_SKIP() << "aarch64-linux-gnu-gcc was not found, so there is no aarch64 test library";
  auto manifest = readManifest(PYVC_TEST_KERNELS_AARCH64);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->target.architecture(), "aarch64");
  EXPECT_EQ(manifest->target.triple, "aarch64-unknown-linux-gnu");
  EXPECT_NE(manifest->find("mean"), nullptr);
}

TEST(LoaderManifestReader, EveryTruncationIsAnErrorNotACrash) {
  std::vector<unsigned char> bytes = readBytes(PYVC_TEST_KERNELS);
  ASSERT_GT(bytes.size(), 4096u);
  // Every prefix shorter than the end of the section header table must fail cleanly; a prefix
  // step of 61 bytes keeps the test quick while crossing every header boundary.
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  size_t tableEnd = header.e_shoff + size_t(header.e_shnum) * header.e_shentsize;
  ASSERT_EQ(tableEnd, bytes.size()) << "gcc places the section headers last";
  for (size_t length = 0; length < bytes.size(); length += 61) {
    std::vector<unsigned char> prefix(bytes.begin(), bytes.begin() + static_cast<long>(length));
    auto result = extract(prefix);
    EXPECT_FALSE(result.ok()) << "a " << length << "-byte prefix was accepted";
  }
  std::vector<unsigned char> oneShort(bytes.begin(), bytes.end() - 1);
  auto result = extract(oneShort);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("truncated section header table"), std::string::npos)
      << result.error().message;
}

TEST(LoaderManifestReader, GarbageIsNotAnElfFile) {
  std::vector<unsigned char> garbage(4096);
  for (size_t i = 0; i < garbage.size(); ++i)
    garbage[i] = static_cast<unsigned char>((i * 2654435761u) >> 13);
  auto result = extract(garbage);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "test.so: not an ELF file");
  EXPECT_FALSE(extract({}).ok());
}

TEST(LoaderManifestReader, CorruptHeadersAreRefused) {
  std::vector<unsigned char> bytes = readBytes(PYVC_TEST_KERNELS);
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);

  auto withHeader = [&](auto change) {
    Elf64_Ehdr changed = header;
    change(changed);
    std::vector<unsigned char> copy = bytes;
    std::memcpy(copy.data(), &changed, sizeof changed);
    return extract(copy);
  };
  auto message = [](const Result<ElfManifest> &result) {
    return result.ok() ? std::string("accepted") : result.error().message;
  };
  EXPECT_EQ(message(withHeader([](Elf64_Ehdr &h) { h.e_ident[EI_CLASS] = ELFCLASS32; })),
            "test.so: not a 64-bit little-endian ELF file");
  EXPECT_EQ(message(withHeader([](Elf64_Ehdr &h) { h.e_shoff = ~uint64_t(0) - 8; })),
            "test.so: truncated section header table");
  EXPECT_EQ(message(withHeader([](Elf64_Ehdr &h) { h.e_shnum = 0xffff; })),
            "test.so: truncated section header table");
  EXPECT_EQ(message(withHeader([](Elf64_Ehdr &h) { h.e_shstrndx = 0xfffe; })),
            "test.so: bad section name table index");
  EXPECT_EQ(message(withHeader([](Elf64_Ehdr &h) { h.e_shentsize = 8; })),
            "test.so: section header entries are too small");
  EXPECT_EQ(message(withHeader([](Elf64_Ehdr &h) { h.e_shoff = 0; })),
            "test.so: has no section headers");
}

TEST(LoaderManifestReader, SectionPointingOutsideTheFileIsRefused) {
  std::vector<unsigned char> bytes = readBytes(PYVC_TEST_KERNELS);
  Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  Elf64_Shdr names;
  std::memcpy(&names, bytes.data() + header.e_shoff + header.e_shstrndx * header.e_shentsize,
              sizeof names);
  bool patched = false;
  for (size_t index = 0; index < header.e_shnum; ++index) {
    size_t at = header.e_shoff + index * header.e_shentsize;
    Elf64_Shdr section;
    std::memcpy(&section, bytes.data() + at, sizeof section);
    const char *name =
        reinterpret_cast<const char *>(bytes.data() + names.sh_offset + section.sh_name);
    if (std::strcmp(name, ".pyvc_manifest") != 0)
      continue;
    section.sh_size = bytes.size(); // runs past the end of the file
    std::memcpy(bytes.data() + at, &section, sizeof section);
    patched = true;
  }
  ASSERT_TRUE(patched);
  auto result = extract(bytes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "test.so: truncated .pyvc_manifest section");
}

TEST(LoaderManifestReader, LibraryWithoutTheSectionIsExplained) {
  auto result = readManifestSection(PYVC_TEST_NO_MANIFEST);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("no .pyvc_manifest section"), std::string::npos)
      << result.error().message;
}

TEST(LoaderManifestReader, MissingFileNamesThePath) {
  TemporaryDirectory directory;
  auto result = readManifestSection(directory.file("absent.so"));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("cannot open " + directory.file("absent.so")),
            std::string::npos);
}

TEST(LoaderManifestReader, WrongAbiVersionIsRefusedBeforeLoading) {
  auto result = readManifest(PYVC_TEST_KERNELS_ABI1);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("built for kernel ABI 1, this loader needs ABI 2: recompile"),
            std::string::npos)
      << result.error().message;
  EXPECT_FALSE(KernelLibrary::open(PYVC_TEST_KERNELS_ABI1).ok());
}

TEST(LoaderManifestReader, RandomCorruptionNeverCrashes) {
  // Flip bytes in the ELF header and the section header table, where every offset and size the
  // reader follows comes from; each result must be a manifest or an error, never a crash.
  std::vector<unsigned char> original = readBytes(PYVC_TEST_KERNELS);
  Elf64_Ehdr header;
  std::memcpy(&header, original.data(), sizeof header);
  size_t tableSize = size_t(header.e_shnum) * header.e_shentsize;
  uint64_t state = 88172645463325252u;
  auto next = [&] { // xorshift64: deterministic, so a failure reproduces
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<unsigned char> bytes = original;
    for (int flip = 0; flip < 4; ++flip) {
      uint64_t pick = next();
      size_t at = pick % 2 ? pick / 2 % sizeof header
                           : header.e_shoff + (pick / 2) % tableSize;
      bytes[at] = static_cast<unsigned char>(next());
    }
    auto result = extract(bytes);
    if (!result.ok())
      ++errors;
    else
      EXPECT_LE(result->json.size(), bytes.size());
  }
  EXPECT_GT(errors, 0) << "corruption was never noticed";
}
