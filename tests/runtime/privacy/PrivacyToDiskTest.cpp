// The operator's first promise, end to end: what the policy forbids never reaches the disk.
// Readings go through the firewall into a real ReadingStore; then the raw bytes of the database
// and its WAL are searched for every name and value that should not be there.
#include "privacy/Firewall.h"
#include "store/ReadingStore.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using pyvc::Reading;
namespace fs = std::filesystem;

std::string fileBytes(const fs::path &path) {
  std::ifstream input(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << input.rdbuf();
  return bytes.str();
}

TEST(PrivacyToDisk, ForbiddenNamesAndFieldsNeverReachTheStore) {
  pyvc::testing::TemporaryFolder folder;
  auto policy = pyvc::PrivacyPolicy::parse(R"({
      "default": "drop",
      "hash_key_file": "firewall.key",
      "rules": [
        {"sensor": "temp.*", "action": "allow"},
        {"sensor": "door.*", "action": "hash"},
        {"sensor": "secret.*", "action": "drop"}
      ],
      "field_rules": [{"field": "owner", "action": "drop"}, {"field": "mac", "action": "hash"}]
    })",
                                           folder.path());
  ASSERT_TRUE(policy) << policy.error().message;
  pyvc::Firewall firewall(*policy);

  std::vector<Reading> batch;
  for (int i = 0; i < 100; ++i) {
    Reading temperature{"temp.kitchen", 1000 + i, 21.0, "C", {}};
    temperature.extra = {{"owner", "Alice Liddell"}, {"mac", "de:ad:be:ef:00:01"}};
    batch.push_back(temperature);
    batch.push_back(Reading{"door.front_of_alice_house", 1000 + i, 1.0, "open", {}});
    batch.push_back(Reading{"secret.diary_entry", 1000 + i, 42.0, "x", {}});
    batch.push_back(Reading{"unlisted.camera_bedroom", 1000 + i, 3.0, "x", {}});
    batch.push_back(Reading{"temp.\xff\xfe_invalid", 1000 + i, 3.0, "x", {}});
  }
  firewall.applyBatch(batch);
  ASSERT_EQ(batch.size(), 200u);

  fs::path database = folder / "readings.db";
  {
    auto store = pyvc::ReadingStore::open(database);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->insertBatch(batch));
    // Searched while the store is open, so the WAL (not yet checkpointed) is searched too.
    std::string onDisk = fileBytes(database) + fileBytes(database.string() + "-wal");
    ASSERT_NE(onDisk.find("temp.kitchen"), std::string::npos) << "the search must see the data";
    for (const char *forbidden : {"front_of_alice_house", "secret.diary", "camera_bedroom",
                                  "Alice Liddell", "de:ad:be:ef", "\xff\xfe_invalid"})
      EXPECT_EQ(onDisk.find(forbidden), std::string::npos) << forbidden << " reached the disk";
  }
  const auto &counters = firewall.counters();
  EXPECT_EQ(counters.malformed, 100u);
  EXPECT_EQ(counters.action(pyvc::PrivacyAction::Drop), 200u);
  EXPECT_EQ(counters.fieldsDropped, 100u);
  EXPECT_EQ(counters.fieldsHashed, 100u);
}

} // namespace
