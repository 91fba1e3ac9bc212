// The check before dlopen (trust/KernelSignature.h) on real files: a library signed with a real
// Ed25519 key loads and runs; one flipped byte in the library or in the signature, a wrong key,
// a missing signature and a signature for another file are each refused, with a message that
// names the library and says why. Also the key files and the trusted-keys folder.
#include "SigningTestSupport.h"

#include "loader/KernelLibrary.h"
#include "loader/SealedFile.h"
#include "trust/TrustedKeys.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pyvc;
using namespace pyvc::trust;
using namespace pyvc::trust::testing;

namespace {

class KernelSignatureTest : public ::testing::Test {
protected:
  void SetUp() override {
    fs::copy_file(PYVC_TEST_KERNELS, library);
    fs::copy_file(PYVC_TEST_KERNELS_ABI1, other);
    owner = makeKey(scratch.path(), "owner");
    stranger = makeKey(scratch.path(), "stranger");
    signWith(library, scratch.path(), "owner");
    signWith(other, scratch.path(), "owner");
    std::vector<fs::path> paths = {scratch / "owner.pub"};
    auto keys = TrustedKeys::load(paths);
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    trusted = *keys;
  }

  // The refusal, checked through the one function the agent and pyvc-call call.
  std::string refusalOf(const fs::path &path) {
    auto image = readVerifiedLibrary(path, trusted);
    return image.ok() ? "loaded" : image.error().message;
  }
  std::optional<Refusal> kindOf(const fs::path &path) {
    return checkSignature(readBytes(path), readBytes(signaturePathOf(path)), trusted).refusal;
  }

  ScratchFolder scratch;
  fs::path library = scratch / "kernels.so", other = scratch / "other.so";
  PublicKey owner, stranger;
  TrustedKeys trusted;
};

TEST_F(KernelSignatureTest, SignedLibraryLoadsFromTheCheckedBytesAndRuns) {
  auto image = readVerifiedLibrary(library, trusted);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->signer->id, owner.id);
  EXPECT_EQ(image->bytes, readBytes(library));
  auto opened = loader::KernelLibrary::openImage(library.string(), image->bytes);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  // Replacing the file after the check changes nothing: the sealed copy is what runs.
  writeBytes(library, "not a library any more");
  const loader::KernelFunction *div = (*opened)->function("div");
  ASSERT_NE(div, nullptr);
  loader::Value arguments[] = {loader::Value::integer(7), loader::Value::integer(2)};
  loader::CallOutcome outcome = div->call(arguments);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.value().asInt(), 3);
  EXPECT_EQ((*opened)->path(), library.string());
}

TEST_F(KernelSignatureTest, OneFlippedByteInTheLibraryIsRefused) {
  flipByte(library, 4000);
  EXPECT_EQ(kindOf(library), Refusal::OtherContent);
  std::string message = refusalOf(library);
  EXPECT_EQ(message.rfind(library.string() + ": refused: bad signature: it was made for other "
                                             "bytes (sha256 ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("): the library was altered or replaced"), std::string::npos) << message;
}

TEST_F(KernelSignatureTest, OneChangedByteInTheSignatureIsRefused) {
  // One hex digit of the Ed25519 value, changed to another hex digit: the parser accepts it, so
  // it is the Ed25519 check that refuses it.
  std::string text = readBytes(signaturePathOf(library));
  char &digit = text[text.find("ed25519 ") + 8 + 40];
  digit = digit == '0' ? '1' : '0';
  writeBytes(signaturePathOf(library), text);
  EXPECT_EQ(kindOf(library), Refusal::BadSignature);
  EXPECT_EQ(refusalOf(library), library.string() +
                                    ": refused: bad signature: it does not verify "
                                    "with key " +
                                    owner.id + " (" + (scratch / "owner.pub").string() + ")");
}

TEST_F(KernelSignatureTest, ASignatureByAnotherKeyIsRefused) {
  signWith(library, scratch.path(), "stranger");
  EXPECT_EQ(kindOf(library), Refusal::UntrustedKey);
  EXPECT_EQ(refusalOf(library), library.string() + ": refused: signed by an untrusted key " +
                                    stranger.id + " (trusted: " + owner.id + " (" +
                                    (scratch / "owner.pub").string() + "))");
}

TEST_F(KernelSignatureTest, AMissingSignatureIsRefused) {
  fs::remove(signaturePathOf(library));
  EXPECT_EQ(checkSignature(readBytes(library), std::nullopt, trusted).refusal,
            Refusal::MissingSignature);
  EXPECT_EQ(refusalOf(library),
            library.string() + ": refused: no signature (" + signaturePathOf(library).string() +
                " does not exist; sign it with `pyvc sign " + library.string() + " --key KEY`)");
}

TEST_F(KernelSignatureTest, ASignatureForAnotherFileIsRefused) {
  fs::copy_file(signaturePathOf(other), signaturePathOf(library),
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(kindOf(library), Refusal::OtherContent);
  EXPECT_NE(refusalOf(library).find(": refused: bad signature: it was made for other bytes"),
            std::string::npos);
}

// An attacker who alters the library and rewrites the sha256 line to match still fails: the
// Ed25519 signature covers the digest.
TEST_F(KernelSignatureTest, AlteredLibraryWithAMatchingDigestLineIsRefused) {
  auto original = parseSignature(readBytes(signaturePathOf(library)));
  ASSERT_TRUE(original.ok());
  flipByte(library, 4000);
  auto forger = readPrivateKey(scratch / "stranger.key");
  auto forged = signLibraryBytes(readBytes(library), *forger);
  ASSERT_TRUE(forged.ok());
  forged->keyId = owner.id; // claims the trusted key, with the new digest
  writeBytes(signaturePathOf(library), formatSignature(*forged));
  EXPECT_EQ(kindOf(library), Refusal::BadSignature);
}

TEST_F(KernelSignatureTest, MalformedSignaturesSayWhichLine) {
  writeBytes(signaturePathOf(library), "pyvc-kernel-signature v2\n");
  EXPECT_EQ(refusalOf(library), library.string() + ": refused: malformed signature: line 1: "
                                                   "expected `pyvc-kernel-signature v1` "
                                                   "(another format or version)");
  std::string text = readBytes(signaturePathOf(other));
  writeBytes(signaturePathOf(library), text.substr(0, text.size() - 1));
  EXPECT_EQ(kindOf(library), Refusal::MalformedSignature);
  text.replace(text.find("key-id "), 7, "key-ID ");
  writeBytes(signaturePathOf(library), text);
  EXPECT_EQ(refusalOf(library), library.string() + ": refused: malformed signature: line 2: "
                                                   "expected `key-id ` and 16 lower-case hex "
                                                   "digits");
}

TEST_F(KernelSignatureTest, FormatRoundTripsAndIsFourLines) {
  std::string text = readBytes(signaturePathOf(library));
  auto parsed = parseSignature(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(formatSignature(*parsed), text);
  EXPECT_EQ(parsed->keyId, owner.id);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  EXPECT_EQ(text.rfind("pyvc-kernel-signature v1\nkey-id " + owner.id + "\nsha256 ", 0), 0u);
}

// The bytes behind a sealed in-memory library cannot be changed by anyone, this process included.
TEST(SealedFileTest, NoWriteReachesTheLoadedBytes) {
  auto sealed = loader::SealedFile::create("kernels.so", "abc");
  ASSERT_TRUE(sealed.ok()) << sealed.error().message;
  int fd = ::open(sealed->path().c_str(), O_WRONLY);
  if (fd >= 0) {
    EXPECT_EQ(::write(fd, "x", 1), -1);
    EXPECT_EQ(errno, EPERM);
    EXPECT_NE(::ftruncate(fd, 0), 0);
    ::close(fd);
  }
  EXPECT_EQ(readBytes(sealed->path()), "abc");
}

TEST(TrustedKeysTest, AFolderContributesItsPubFilesOnly) {
  ScratchFolder scratch;
  fs::create_directory(scratch / "keys");
  PublicKey first = makeKey(scratch / "keys", "build-a");
  PublicKey second = makeKey(scratch / "keys", "build-b");
  writeBytes(scratch / "keys" / "README", "not a key");
  fs::remove(scratch / "keys" / "build-a.key");
  fs::remove(scratch / "keys" / "build-b.key");
  std::vector<fs::path> paths = {scratch / "keys"};
  auto keys = TrustedKeys::load(paths);
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->keys().size(), 2u);
  EXPECT_EQ(keys->keys()[0].id, first.id);
  EXPECT_EQ(keys->keys()[1].id, second.id);
  EXPECT_NE(keys->find(second.id), nullptr);
}

TEST(TrustedKeysTest, NothingToTrustIsAnError) {
  ScratchFolder scratch;
  fs::create_directory(scratch / "empty");
  std::vector<fs::path> empty = {scratch / "empty"};
  auto none = TrustedKeys::load(empty);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            (scratch / "empty").string() + ": the folder holds no public key (*.pub)");
  std::vector<fs::path> missing = {scratch / "nowhere.pub"};
  auto absent = TrustedKeys::load(missing);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().message,
            (scratch / "nowhere.pub").string() + ": no such key file or folder");
  makeKey(scratch.path(), "owner");
  std::vector<fs::path> privateOnly = {scratch / "owner.key"};
  auto wrongHalf = TrustedKeys::load(privateOnly);
  ASSERT_FALSE(wrongHalf.ok());
  EXPECT_EQ(wrongHalf.error().message,
            (scratch / "owner.key").string() + ": not a PEM public key (\"BEGIN PUBLIC KEY\")");
}

TEST(KeyFilesTest, ThePrivateKeyIsMode0600AndNeverOverwritten) {
  ScratchFolder scratch;
  ::umask(022);
  PublicKey key = makeKey(scratch.path(), "owner");
  struct stat status {};
  ASSERT_EQ(::stat((scratch / "owner.key").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((scratch / "owner.pub").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0644u);
  std::string before = readBytes(scratch / "owner.key");
  auto again = generateKeyPair(scratch / "owner.key", scratch / "owner.pub");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message,
            (scratch / "owner.key").string() + ": exists already; a key is never overwritten");
  EXPECT_EQ(readBytes(scratch / "owner.key"), before);
  auto reread = readPublicKey(scratch / "owner.pub");
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->id, key.id);
  auto secret = readPrivateKey(scratch / "owner.key");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->publicId, key.id);
  EXPECT_EQ(key.id, keyIdOf(key.raw));
  EXPECT_EQ(key.id.size(), 16u);
}

} // namespace
