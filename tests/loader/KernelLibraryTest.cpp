// KernelLibrary::open: the manifest decides what is loaded; wrong targets, missing sections and
// missing symbols are load errors with the reason, and every function is resolved up front.
#include "LoaderTestSupport.h"

#include "loader/ManifestReader.h"

using namespace pyvc::loader;
using namespace pyvc::loader::testing;

TEST(LoaderKernelLibrary, OpensTheTestLibraryAndResolvesEveryFunction) {
  auto library = KernelLibrary::open(PYVC_TEST_KERNELS);
  ASSERT_TRUE(library.ok()) << library.error().message;
  const auto &functions = (*library)->functions();
  ASSERT_EQ(functions.size(), (*library)->manifest().functions.size());
  EXPECT_GE(functions.size(), 20u);
  for (const auto &function : functions) {
    EXPECT_NE(function->entry(), nullptr) << function->name();
    EXPECT_EQ(function->hasBatchVariant(), function->description().batchSymbol.has_value())
        << function->name();
  }
  EXPECT_TRUE((*library)->function("div")->hasBatchVariant());
  EXPECT_FALSE((*library)->function("mean")->hasBatchVariant());
  EXPECT_EQ((*library)->function("no_such_function"), nullptr);
  EXPECT_EQ((*library)->function("clamp")->description().signatureText(),
            "clamp(xs: list[float], lo: float, hi: float) -> list[float]");
}

TEST(LoaderKernelLibrary, TwoOpensOfOneFileAreIndependent) {
  auto second = KernelLibrary::open(PYVC_TEST_KERNELS);
  ASSERT_TRUE(second.ok());
  {
    auto first = KernelLibrary::open(PYVC_TEST_KERNELS);
    ASSERT_TRUE(first.ok());
  } // dlclose of one handle keeps the other usable
  Value arguments[] = {F(6.0), F(3.0)};
  CallOutcome outcome = (*second)->function("ratio")->call(arguments);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.value().asFloat(), 2.0);
}

TEST(LoaderKernelLibrary, ForeignArchitectureIsRefusedBeforeDlopen) {
  if (!std::ifstream(PYVC_TEST_KERNELS_AARCH64))
    GTEST_SKIP() << "aarch64-linux-gnu-gcc was not found, so there is no aarch64 test library";
  auto library = KernelLibrary::open(PYVC_TEST_KERNELS_AARCH64);
  ASSERT_FALSE(library.ok());
  EXPECT_NE(library.error().message.find("compiled for aarch64-unknown-linux-gnu (aarch64), but "
                                         "this machine is " +
                                         hostArchitecture()),
            std::string::npos)
      << library.error().message;
}

TEST(LoaderKernelLibrary, MissingSymbolIsALoadError) {
  auto library = KernelLibrary::open(PYVC_TEST_KERNELS_GHOST);
  ASSERT_FALSE(library.ok());
  EXPECT_NE(library.error().message.find("function `ghost`: symbol pyvc_test_kernels_fn_ghost is missing"),
            std::string::npos)
      << library.error().message;
}

TEST(LoaderKernelLibrary, CpuFeatureTheLoaderCannotCheckIsRefusedBeforeDlopen) {
  auto manifest = readManifest(PYVC_TEST_KERNELS_UNKNOWN_FEATURE);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  auto library = KernelLibrary::open(PYVC_TEST_KERNELS_UNKNOWN_FEATURE);
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.error().message,
            std::string(PYVC_TEST_KERNELS_UNKNOWN_FEATURE) + ": compiled for " +
                manifest->target.name + " (cpu " + manifest->target.cpu +
                "), needs CPU feature teleportation that this " + hostArchitecture() +
                " CPU lacks; compile it for an older target or with --target host here");
}

TEST(LoaderKernelLibrary, LibraryWithoutManifestIsRefused) {
  auto library = KernelLibrary::open(PYVC_TEST_NO_MANIFEST);
  ASSERT_FALSE(library.ok());
  EXPECT_NE(library.error().message.find("no .pyvc_manifest section"), std::string::npos);
}

TEST(LoaderKernelLibrary, FileThatIsNotALibraryIsRefused) {
  TemporaryDirectory directory;
  std::string path = directory.file("text.so");
  writeBytes(path, {'h', 'e', 'l', 'l', 'o'});
  auto library = KernelLibrary::open(path);
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.error().message, path + ": not an ELF file");
}
