// The HMAC key file and the tokens made with it: created 0600, refused when readable by others
// or too short, created once when processes race, and tokens equal to independently computed
// HMAC-SHA256 values, stable across processes and reloads.
#include "privacy/KeyFile.h"
#include "privacy/HmacSha256.h"
#include "privacy/PrivacyPolicy.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using pyvc::testing::TemporaryFolder;
namespace fs = std::filesystem;

// Key and expected tokens computed while writing this test, independently of this code:
//   printf %s door.1 | openssl dgst -sha256 -mac HMAC -macopt key:0123456789abcdef0123456789abcdef
//   python3 -c "import hmac,hashlib; print(hmac.new(KEY, b'42', hashlib.sha256).hexdigest())"
const std::string kKnownKey = "0123456789abcdef0123456789abcdef";
const std::string kDoor1Token = "1572f04e2064926cfdc15a5e1fafa02d7598b3c1ba61bb2ddc32bfa29acb3570";
const std::string kFortyTwoToken =
    "3b12d0412db185c98ff58825ed4c81cfbc7bdabcf33ac48bdaaae5f39fc65445";
// hmac.new(b'X' * 32, b'door.1', hashlib.sha256).hexdigest()
const std::string kDoor1TokenOtherKey =
    "9884a892a09ca6632d9e945bf4ee297d223293bdf769e0f79e52298a40f1a688";

void writeFile(const fs::path &path, const std::string &content, fs::perms mode) {
  std::ofstream(path, std::ios::binary) << content;
  fs::permissions(path, mode);
}

TEST(PrivacyKeyFile, CreatesAMissingKeyWithMode0600) {
  TemporaryFolder folder;
  fs::path path = folder / "firewall.key";
  auto key = pyvc::loadOrCreateKeyFile(path);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->size(), pyvc::kCreatedKeyBytes);
  struct stat status;
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(folder.path()), fs::directory_iterator()), 1);
  auto again = pyvc::loadOrCreateKeyFile(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *key) << "loading must not replace an existing key";
}

TEST(PrivacyKeyFile, RefusesKeysOthersCanReadOrThatAreTooShort) {
  TemporaryFolder folder;
  writeFile(folder / "open.key", kKnownKey, fs::perms(0644));
  auto open = pyvc::loadOrCreateKeyFile(folder / "open.key");
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("accessible to group or others (mode 0644)"),
            std::string::npos)
      << open.error().message;
  EXPECT_EQ(open.error().message.find(kKnownKey), std::string::npos);

  writeFile(folder / "group.key", kKnownKey, fs::perms(0640));
  EXPECT_FALSE(pyvc::loadOrCreateKeyFile(folder / "group.key"));

  writeFile(folder / "short.key", "too short", fs::perms(0600));
  auto shortKey = pyvc::loadOrCreateKeyFile(folder / "short.key");
  ASSERT_FALSE(shortKey);
  EXPECT_NE(shortKey.error().message.find("too short (9 bytes, at least 32 needed)"),
            std::string::npos)
      << shortKey.error().message;

  fs::create_symlink(folder / "short.key", folder / "link.key");
  EXPECT_FALSE(pyvc::loadOrCreateKeyFile(folder / "link.key")) << "symlinks are not followed";

  auto noFolder = pyvc::loadOrCreateKeyFile(folder / "missing" / "x.key");
  ASSERT_FALSE(noFolder);
  EXPECT_NE(noFolder.error().message.find("cannot create a key file in"), std::string::npos);
}

TEST(PrivacyKeyFile, RacingProcessesAllGetTheSameKey) {
  TemporaryFolder folder;
  fs::path path = folder / "raced.key";
  constexpr int kProcesses = 8;
  int pipes[kProcesses][2];
  pid_t children[kProcesses];
  for (int i = 0; i < kProcesses; ++i) {
    ASSERT_EQ(::pipe(pipes[i]), 0);
    children[i] = ::fork();
    ASSERT_GE(children[i], 0);
    if (children[i] == 0) {
      auto key = pyvc::loadOrCreateKeyFile(path);
      std::string hex = key ? pyvc::HmacSha256::create(*key).value()->token("probe").value()
                            : "error: " + key.error().message;
      (void)!::write(pipes[i][1], hex.data(), hex.size());
      ::_exit(0);
    }
    ::close(pipes[i][1]);
  }
  std::set<std::string> tokens;
  for (int i = 0; i < kProcesses; ++i) {
    char buffer[256];
    ssize_t got = ::read(pipes[i][0], buffer, sizeof buffer);
    ::close(pipes[i][0]);
    int status = 0;
    ::waitpid(children[i], &status, 0);
    ASSERT_GT(got, 0);
    tokens.insert(std::string(buffer, size_t(got)));
  }
  ASSERT_EQ(tokens.size(), 1u) << "processes disagree on the key: " << *tokens.begin();
  EXPECT_EQ(tokens.begin()->rfind("error", 0), std::string::npos) << *tokens.begin();
  EXPECT_EQ(std::distance(fs::directory_iterator(folder.path()), fs::directory_iterator()), 1);
}

TEST(PrivacyHmac, TokensEqualIndependentlyComputedHmacSha256) {
  auto hmac = pyvc::HmacSha256::create(kKnownKey);
  ASSERT_TRUE(hmac);
  EXPECT_EQ((*hmac)->token("door.1").value(), kDoor1Token);
  EXPECT_EQ((*hmac)->token("42").value(), kFortyTwoToken);
  auto other = pyvc::HmacSha256::create(std::string(32, 'X'));
  ASSERT_TRUE(other);
  EXPECT_EQ((*other)->token("door.1").value(), kDoor1TokenOtherKey);
  EXPECT_NE(kDoor1TokenOtherKey, kDoor1Token);
}

TEST(PrivacyHmac, KeysOfEveryLengthAndEmptyMessagesMatchPython) {
  // hmac.new(bytes(range(100)), b"door.1", hashlib.sha256): a key longer than one block is
  // hashed first; b"k" * 64 is exactly one block; the empty message still has a token.
  std::string longKey;
  for (int i = 0; i < 100; ++i)
    longKey += char(i);
  EXPECT_EQ(pyvc::HmacSha256::create(longKey).value()->token("door.1").value(),
            "a7b800ec4f9d11cadc3a34cc7f2b0565596f91d96f991e08e700f1c5c8130ba8");
  EXPECT_EQ(pyvc::HmacSha256::create(std::string(64, 'k')).value()->token("door.1").value(),
            "3e973a7f4b7c6c8bcca065c0dbf15ec0ca0051732d7fb40db9c68d67ff93bf45");
  EXPECT_EQ(pyvc::HmacSha256::create(kKnownKey).value()->token("").value(),
            "796cd3078af14636753d26b3b5555422ff55a3e261cf847b48e95371b9bd0aa2");
  EXPECT_FALSE(pyvc::HmacSha256::create(""));
}

// The token of `sensor` under the policy in `folder`, computed in a separate process that loads
// the policy and its key file from disk itself.
std::string tokenInChildProcess(const fs::path &policyFile, const std::string &sensor) {
  int channel[2];
  if (::pipe(channel) != 0)
    return "pipe failed";
  pid_t child = ::fork();
  if (child == 0) {
    auto policy = pyvc::PrivacyPolicy::loadFile(policyFile);
    std::string token = policy ? (*policy)->hasher()->token(sensor).value() : "load failed";
    (void)!::write(channel[1], token.data(), token.size());
    ::_exit(0);
  }
  ::close(channel[1]);
  char buffer[128];
  ssize_t got = ::read(channel[0], buffer, sizeof buffer);
  ::close(channel[0]);
  ::waitpid(child, nullptr, 0);
  return got > 0 ? std::string(buffer, size_t(got)) : "no answer";
}

TEST(PrivacyHmac, TokenIsStableAcrossProcessesAndReloads) {
  TemporaryFolder folder;
  writeFile(folder / "policy.json",
            R"({"hash_key_file": "k.key", "rules": [{"sensor": "*", "action": "hash"}]})",
            fs::perms(0644));
  auto first = pyvc::PrivacyPolicy::loadFile(folder / "policy.json"); // creates k.key
  ASSERT_TRUE(first) << first.error().message;
  std::string token = (*first)->hasher()->token("door.7").value();
  EXPECT_EQ(tokenInChildProcess(folder / "policy.json", "door.7"), token);
  auto reloaded = pyvc::PrivacyPolicy::loadFile(folder / "policy.json");
  ASSERT_TRUE(reloaded);
  EXPECT_EQ((*reloaded)->hasher()->token("door.7").value(), token);

  // A different key gives a different token for the same name.
  fs::remove(folder / "k.key");
  auto rekeyed = pyvc::PrivacyPolicy::loadFile(folder / "policy.json");
  ASSERT_TRUE(rekeyed);
  EXPECT_NE((*rekeyed)->hasher()->token("door.7").value(), token);
}

} // namespace
