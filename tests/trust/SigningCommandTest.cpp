// `pyvc keygen`, `pyvc sign` and `pyvc verify` as a user runs them: the thin, static pyvc hands
// them to its libexec helper pyvc-keys. Real files: a library compiled by `pyvc compile`, keys,
// the signature next to the library, exit codes and messages.
#include "SigningTestSupport.h"

#include <sys/stat.h>
#include <sys/wait.h>

using namespace pyvc::trust;
using namespace pyvc::trust::testing;

namespace {

struct CommandRun {
  int exitCode = -1;
  std::string out, err;
};

class SigningCommandTest : public ::testing::Test {
protected:
  void SetUp() override {
    writeBytes(scratch / "k.py", "def twice(x: float) -> float:\n    return 2.0 * x\n");
    CommandRun compiled = pyvc("compile k.py --no-cache -o k.so");
    ASSERT_EQ(compiled.exitCode, 0) << compiled.err;
  }

  // Runs `pyvc ARGUMENTS` in the scratch folder.
  CommandRun pyvc(const std::string &arguments) {
    std::string line =
        "cd '" + scratch.path().string() + "' && " PYVC_BINARY " " + arguments + " >out 2>err";
    int status = std::system(line.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, readBytes(scratch / "out"),
            readBytes(scratch / "err")};
  }

  ScratchFolder scratch;
};

TEST_F(SigningCommandTest, KeygenSignVerify) {
  CommandRun keygen = pyvc("keygen owner");
  ASSERT_EQ(keygen.exitCode, 0) << keygen.err;
  auto owner = readPublicKey(scratch / "owner.pub");
  ASSERT_TRUE(owner.ok()) << owner.error().message;
  EXPECT_EQ(keygen.out, "key " + owner->id +
                            ": private owner.key (keep it secret), public owner.pub (copy it to "
                            "the gateway's trusted keys)\n");
  struct stat status {};
  ASSERT_EQ(::stat((scratch / "owner.key").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_EQ(readBytes(scratch / "owner.key").rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);

  CommandRun sign = pyvc("sign k.so --key owner.key");
  ASSERT_EQ(sign.exitCode, 0) << sign.err;
  EXPECT_EQ(sign.out, "k.so.sig: signed by key " + owner->id + "\n");
  auto signature = parseSignature(readBytes(scratch / "k.so.sig"));
  ASSERT_TRUE(signature.ok()) << signature.error().message;
  EXPECT_EQ(signature->keyId, owner->id);

  CommandRun verify = pyvc("verify k.so --trusted-key owner.pub");
  EXPECT_EQ(verify.exitCode, 0) << verify.err;
  EXPECT_EQ(verify.out, "k.so: good signature by key " + owner->id + " (owner.pub)\n");

  flipByte(scratch / "k.so", 100);
  CommandRun altered = pyvc("verify k.so --trusted-key owner.pub");
  EXPECT_EQ(altered.exitCode, 1);
  EXPECT_EQ(
      altered.err.rfind("error: k.so: refused: bad signature: it was made for other bytes", 0), 0u)
      << altered.err;
}

TEST_F(SigningCommandTest, MistakesAreUsageOrEnvironmentErrors) {
  ASSERT_EQ(pyvc("keygen owner").exitCode, 0);
  CommandRun again = pyvc("keygen owner");
  EXPECT_EQ(again.exitCode, 3);
  EXPECT_EQ(again.err, "error: owner.key: exists already; a key is never overwritten\n");
  CommandRun noKey = pyvc("sign k.so");
  EXPECT_EQ(noKey.exitCode, 2);
  EXPECT_NE(noKey.err.find("--key is required"), std::string::npos) << noKey.err;
  CommandRun publicAsPrivate = pyvc("sign k.so --key owner.pub");
  EXPECT_EQ(publicAsPrivate.exitCode, 3);
  EXPECT_EQ(publicAsPrivate.err, "error: owner.pub: not an unencrypted PEM private key (make one "
                                 "with `pyvc keygen`)\n");
  CommandRun unsigned_ = pyvc("verify k.so --trusted-key owner.pub");
  EXPECT_EQ(unsigned_.exitCode, 1);
  EXPECT_EQ(unsigned_.err, "error: k.so: refused: no signature (k.so.sig does not exist; sign it "
                           "with `pyvc sign k.so --key KEY`)\n");
  CommandRun missing = pyvc("sign nothing.so --key owner.key");
  EXPECT_EQ(missing.exitCode, 3);
  EXPECT_EQ(missing.err, "error: nothing.so: no such kernel library\n");
  EXPECT_FALSE(fs::exists(scratch / "nothing.so.sig"));
}

TEST_F(SigningCommandTest, HelpIsTheHelpersAndTheTopLevelListsTheCommands) {
  CommandRun help = pyvc("sign --help");
  EXPECT_EQ(help.exitCode, 0) << help.err;
  EXPECT_NE(help.out.find("--key"), std::string::npos) << help.out;
  CommandRun top = pyvc("--help");
  EXPECT_EQ(top.exitCode, 0);
  for (const char *command : {"keygen", "sign", "verify"})
    EXPECT_NE(top.out.find(std::string("  ") + command + " "), std::string::npos) << top.out;
}

} // namespace
