// The compile cache: round trip, corrupt and truncated entries ignored and replaced, keys that
// separate their parts, and concurrent writers of one key.
#include "TestSupport.h"
#include "compiler/Cache.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace pyvc::compiler;
using namespace pyvc::compiler::testing;

TEST(Cache, StoreThenLookup) {
  TemporaryDirectory directory;
  auto cache = CompileCache::openAt(directory.path() + "/nested/cache");
  ASSERT_TRUE(cache.ok());
  std::string key = CompileCache::key({"source", "x86-64"});
  EXPECT_FALSE(cache->lookup(key).has_value());
  std::string payload("\x7f" "ELF\0binary\n", 12);
  ASSERT_TRUE(cache->store(key, payload).ok());
  EXPECT_EQ(cache->lookup(key), payload);
}

TEST(Cache, KeysSeparateParts) {
  EXPECT_NE(CompileCache::key({"ab", "c"}), CompileCache::key({"a", "bc"}));
  EXPECT_EQ(CompileCache::key({"a", "b"}), CompileCache::key({"a", "b"}));
  EXPECT_EQ(CompileCache::key({"a"}).size(), 64u);
}

TEST(Cache, CorruptOrTruncatedEntriesAreMissesAndGetReplaced) {
  TemporaryDirectory directory;
  auto cache = CompileCache::openAt(directory.path());
  ASSERT_TRUE(cache.ok());
  std::string key = CompileCache::key({"k"});
  std::string payload(5000, 'x');
  ASSERT_TRUE(cache->store(key, payload).ok());
  std::string entry = readBytes(cache->entryPath(key));

  writeBytes(cache->entryPath(key), entry.substr(0, entry.size() - 10)); // truncated
  EXPECT_FALSE(cache->lookup(key).has_value());
  std::string flipped = entry;
  flipped[flipped.size() - 1] = 'y'; // same size, wrong hash
  writeBytes(cache->entryPath(key), flipped);
  EXPECT_FALSE(cache->lookup(key).has_value());
  writeBytes(cache->entryPath(key), "garbage");
  EXPECT_FALSE(cache->lookup(key).has_value());

  ASSERT_TRUE(cache->store(key, payload).ok());
  EXPECT_EQ(cache->lookup(key), payload);
}

TEST(Cache, ConcurrentWritersLeaveOneCompleteEntry) {
  TemporaryDirectory directory;
  std::string key = CompileCache::key({"shared"});
  std::string payload(200000, 'p');
  // Real processes, as concurrent `pyvc compile` runs would be.
  std::vector<pid_t> children;
  for (int i = 0; i < 6; ++i) {
    pid_t child = fork();
    if (child == 0) {
      auto cache = CompileCache::openAt(directory.path());
      bool ok = cache.ok();
      for (int round = 0; ok && round < 20; ++round)
        ok = cache->store(key, payload).ok() && (!cache->lookup(key) || *cache->lookup(key) == payload);
      _exit(ok ? 0 : 1);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto cache = CompileCache::openAt(directory.path());
  EXPECT_EQ(cache->lookup(key), payload);
  // No temporary files left behind.
  int files = 0;
  for ([[maybe_unused]] auto &entry : std::filesystem::directory_iterator(directory.path()))
    ++files;
  EXPECT_EQ(files, 1);
}

TEST(Cache, UnwritableDirectoryIsAnError) {
  if (geteuid() == 0)
    GTEST_SKIP() << "root can write anywhere";
  TemporaryDirectory directory;
  auto cache = CompileCache::openAt(directory.path());
  ASSERT_TRUE(cache.ok());
  chmod(directory.path().c_str(), 0500);
  EXPECT_FALSE(cache->store(CompileCache::key({"k"}), "x").ok());
  chmod(directory.path().c_str(), 0700);
}
