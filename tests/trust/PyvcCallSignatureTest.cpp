// pyvc-call's signature policy, as a real process on real files: with --trusted-key it calls a
// library only with a good signature by one of those keys (a file or a folder of keys), and
// refuses each kind of bad one with exit 3 and the reason; --allow-unsigned and --trusted-key
// together are a usage error; with neither (and no installed key folder) it warns and calls.
#include "SigningTestSupport.h"

#include <sys/wait.h>

using namespace pyvc::trust;
using namespace pyvc::trust::testing;

namespace {

struct Call {
  int exitCode = -1;
  std::string out, err;
};

std::string quote(const std::string &word) {
  std::string quoted = "'";
  for (char c : word)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class PyvcCallSignatureTest : public ::testing::Test {
protected:
  void SetUp() override {
    fs::copy_file(PYVC_TEST_KERNELS, library);
    fs::copy_file(PYVC_TEST_KERNELS_ABI1, other);
    fs::create_directory(scratch / "keys");
    owner = makeKey(scratch / "keys", "owner");
    fs::rename(scratch / "keys" / "owner.key", scratch / "owner.key");
    makeKey(scratch.path(), "stranger");
    signWith(library, scratch.path(), "owner");
    signWith(other, scratch.path(), "owner");
  }

  // pyvc-call LIBRARY div with "[7, 2]" on stdin, and `flags`; `prefix` runs another pyvc-call.
  Call callDiv(const std::vector<std::string> &flags, const std::string &prefix = "") {
    std::string line =
        (prefix.empty() ? quote(PYVC_CALL) : prefix) + " " + quote(library.string()) + " div";
    for (const std::string &flag : flags)
      line += " " + quote(flag);
    writeBytes(scratch / "in", "[7, 2]\n");
    line += " <" + quote((scratch / "in").string()) + " >" + quote((scratch / "out").string()) +
            " 2>" + quote((scratch / "err").string());
    int status = std::system(line.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, readBytes(scratch / "out"),
            readBytes(scratch / "err")};
  }
  Call callTrustingOwner() {
    return callDiv({"--trusted-key", (scratch / "keys/owner.pub").string()});
  }

  void expectRefused(const Call &call, const std::string &reason) {
    EXPECT_EQ(call.exitCode, 3) << call.err;
    EXPECT_EQ(call.out, "");
    EXPECT_EQ(call.err, "pyvc-call: error: " + library.string() + ": refused: " + reason + "\n");
  }

  ScratchFolder scratch;
  fs::path library = scratch / "kernels.so", other = scratch / "other.so";
  PublicKey owner;
};

TEST_F(PyvcCallSignatureTest, ASignedLibraryIsCalledWithAKeyFileOrAKeyFolder) {
  Call byFile = callTrustingOwner();
  EXPECT_EQ(byFile.exitCode, 0) << byFile.err;
  EXPECT_EQ(byFile.out, "{\"ok\": 3}\n");
  EXPECT_EQ(byFile.err, "");
  Call byFolder = callDiv({"--trusted-key", (scratch / "keys").string()});
  EXPECT_EQ(byFolder.exitCode, 0) << byFolder.err;
  EXPECT_EQ(byFolder.out, "{\"ok\": 3}\n");
}

TEST_F(PyvcCallSignatureTest, TheKeyOptionBeforeTheLibraryTakesOnePathEach) {
  // `--trusted-key K LIB FUNC`, as scripts/demo.sh writes it: the option must not swallow LIB.
  std::string key = (scratch / "keys/owner.pub").string();
  Call call = callDiv({}, quote(PYVC_CALL) + " --trusted-key " + quote(key) + " --trusted-key " +
                              quote(key));
  EXPECT_EQ(call.exitCode, 0) << call.err;
  EXPECT_EQ(call.out, "{\"ok\": 3}\n"); // div(7, 2) is 7 // 2
}

TEST_F(PyvcCallSignatureTest, OneFlippedByteInTheLibraryIsRefused) {
  flipByte(library, 4000);
  Call call = callTrustingOwner();
  EXPECT_EQ(call.exitCode, 3);
  EXPECT_NE(call.err.find(": refused: bad signature: it was made for other bytes"),
            std::string::npos)
      << call.err;
}

TEST_F(PyvcCallSignatureTest, OneChangedByteInTheSignatureIsRefused) {
  std::string text = readBytes(signaturePathOf(library));
  char &digit = text[text.find("ed25519 ") + 8 + 7];
  digit = digit == '0' ? '1' : '0';
  writeBytes(signaturePathOf(library), text);
  expectRefused(callTrustingOwner(), "bad signature: it does not verify with key " + owner.id +
                                         " (" + (scratch / "keys/owner.pub").string() + ")");
}

TEST_F(PyvcCallSignatureTest, AWrongKeyIsRefused) {
  signWith(library, scratch.path(), "stranger");
  Call call = callTrustingOwner();
  EXPECT_EQ(call.exitCode, 3);
  EXPECT_NE(call.err.find(": refused: signed by an untrusted key "), std::string::npos) << call.err;
}

TEST_F(PyvcCallSignatureTest, AMissingSignatureIsRefused) {
  fs::remove(signaturePathOf(library));
  expectRefused(callTrustingOwner(), "no signature (" + signaturePathOf(library).string() +
                                         " does not exist; sign it with `pyvc sign " +
                                         library.string() + " --key KEY`)");
}

TEST_F(PyvcCallSignatureTest, ASignatureForAnotherFileIsRefused) {
  fs::copy_file(signaturePathOf(other), signaturePathOf(library),
                fs::copy_options::overwrite_existing);
  Call call = callTrustingOwner();
  EXPECT_EQ(call.exitCode, 3);
  EXPECT_NE(call.err.find(": refused: bad signature: it was made for other bytes"),
            std::string::npos)
      << call.err;
}

TEST_F(PyvcCallSignatureTest, AKeyFolderWithoutKeysIsAnErrorNotAnOpenDoor) {
  fs::create_directory(scratch / "empty");
  Call call = callDiv({"--trusted-key", (scratch / "empty").string()});
  EXPECT_EQ(call.exitCode, 3);
  EXPECT_EQ(call.err, "pyvc-call: error: trusted keys: " + (scratch / "empty").string() +
                          ": the folder holds no public key (*.pub)\n");
}

TEST_F(PyvcCallSignatureTest, WithoutAnyKeyItWarnsUnlessToldTheLibraryIsMeantUnsigned) {
  fs::remove(signaturePathOf(library));
  // Where the key folder is installed (a gateway), pyvc-call verifies by default instead.
  if (fs::exists("/etc/pyvc-agent/trusted-keys"))
    GTEST_SKIP() << "/etc/pyvc-agent/trusted-keys exists on this machine";
  Call warned = callDiv({});
  EXPECT_EQ(warned.exitCode, 0) << warned.err;
  EXPECT_EQ(warned.out, "{\"ok\": 3}\n");
  EXPECT_EQ(warned.err, "pyvc-call: warning: " + library.string() +
                            " is loaded without a signature check: no trusted key is configured "
                            "(--trusted-key, or the folder /etc/pyvc-agent/trusted-keys); "
                            "--allow-unsigned says this is meant\n");
  Call quiet = callDiv({"--allow-unsigned"});
  EXPECT_EQ(quiet.exitCode, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "{\"ok\": 3}\n");
  EXPECT_EQ(quiet.err, "");
  Call both = callDiv({"--allow-unsigned", "--trusted-key", (scratch / "keys").string()});
  EXPECT_EQ(both.exitCode, 2);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

// The aarch64 pyvc-call (scripts/build-aarch64.sh) under qemu: the same check, and the same
// sealed in-memory load through /proc/self/fd, on an aarch64 library.
TEST_F(PyvcCallSignatureTest, Aarch64BuildChecksSignaturesUnderQemu) {
  if (!fs::exists(PYVC_AARCH64_CALL))
    GTEST_SKIP() << PYVC_AARCH64_CALL << " is absent: run `bash scripts/build-aarch64.sh` first";
  ASSERT_TRUE(fs::exists(PYVC_TEST_KERNELS_AARCH64)) << "the aarch64 test library was not built";
  fs::copy_file(PYVC_TEST_KERNELS_AARCH64, library, fs::copy_options::overwrite_existing);
  signWith(library, scratch.path(), "owner");
  std::string qemu = "qemu-aarch64 -L /usr/aarch64-linux-gnu " + quote(PYVC_AARCH64_CALL);
  std::vector<std::string> trustOwner = {"--trusted-key", (scratch / "keys/owner.pub").string()};
  Call good = callDiv(trustOwner, qemu);
  EXPECT_EQ(good.exitCode, 0) << good.err;
  EXPECT_EQ(good.out, "{\"ok\": 3}\n");
  flipByte(library, 4000);
  Call altered = callDiv(trustOwner, qemu);
  EXPECT_EQ(altered.exitCode, 3);
  EXPECT_NE(altered.err.find(": refused: bad signature: it was made for other bytes"),
            std::string::npos)
      << altered.err;
}

} // namespace
