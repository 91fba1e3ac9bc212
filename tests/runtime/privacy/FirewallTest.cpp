// Firewall: actions applied to readings, field rules, malformed input dropped and counted, and
// counters per rule and per action; the decision cache never changes an outcome.
#include "privacy/Firewall.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using pyvc::Firewall;
using pyvc::FirewallOptions;
using pyvc::PrivacyAction;
using pyvc::PrivacyPolicy;
using pyvc::Reading;
using pyvc::testing::TemporaryFolder;
namespace fs = std::filesystem;

// Same known key as KeyFileTest: HMAC-SHA256(key, "door.1") computed with `openssl dgst`.
const std::string kKnownKey = "0123456789abcdef0123456789abcdef";
const std::string kDoor1Token = "1572f04e2064926cfdc15a5e1fafa02d7598b3c1ba61bb2ddc32bfa29acb3570";
// python3: hmac.new(KEY, b"aa:bb:cc:dd:ee:ff", hashlib.sha256).hexdigest()
const std::string kMacToken = "d56b7d89993d91a53ee696acfc6cc9d96ee6f6ce357c5cec04ffc15617f56a8a";

class PrivacyFirewall : public ::testing::Test {
protected:
  void SetUp() override {
    fs::path keyPath = folder_ / "known.key";
    std::ofstream(keyPath, std::ios::binary) << kKnownKey;
    fs::permissions(keyPath, fs::perms(0600));
    auto policy = PrivacyPolicy::parse(R"({
        "default": "drop",
        "hash_key_file": "known.key",
        "rules": [
          {"sensor": "temp.*", "action": "allow"},
          {"sensor": "door.[0-9]", "action": "hash"},
          {"sensor": "gps.*", "action": "mask"},
          {"sensor": "*.debug", "action": "drop"}
        ],
        "field_rules": [
          {"field": "owner", "action": "drop"},
          {"field": "mac", "action": "hash"}
        ]})",
                                       folder_.path());
    ASSERT_TRUE(policy) << policy.error().message;
    policy_ = *policy;
  }

  static Reading reading(std::string sensor, double value = 1.5, std::string unit = "C") {
    Reading result;
    result.sensor = std::move(sensor);
    result.timestampMs = 1000;
    result.value = value;
    result.unit = std::move(unit);
    return result;
  }

  TemporaryFolder folder_;
  std::shared_ptr<const PrivacyPolicy> policy_;
};

TEST_F(PrivacyFirewall, AppliesEachActionAndTheDefault) {
  Firewall firewall(policy_);
  Reading allowed = reading("temp.room1", 21.5);
  EXPECT_TRUE(firewall.apply(allowed));
  EXPECT_EQ(allowed, reading("temp.room1", 21.5));

  Reading hashed = reading("door.1", 1.0, "open");
  EXPECT_TRUE(firewall.apply(hashed));
  EXPECT_EQ(hashed.sensor, kDoor1Token);
  EXPECT_EQ(hashed.value, 1.0);
  EXPECT_EQ(hashed.unit, "open");

  Reading masked = reading("gps.lat", 48.85, "deg");
  EXPECT_TRUE(firewall.apply(masked));
  EXPECT_EQ(masked.sensor, "gps.lat");
  EXPECT_EQ(masked.value, 0.0);
  EXPECT_EQ(masked.unit, "masked");

  Reading debug = reading("cam.debug");
  EXPECT_FALSE(firewall.apply(debug));
  Reading unknown = reading("hum.cellar");
  EXPECT_FALSE(firewall.apply(unknown)) << "default is drop";
  Reading twoDigitDoor = reading("door.12");
  EXPECT_FALSE(firewall.apply(twoDigitDoor)) << "door.[0-9] matches one digit only";

  const auto &counters = firewall.counters();
  EXPECT_EQ(counters.perRule, (std::vector<uint64_t>{1, 1, 1, 1}));
  EXPECT_EQ(counters.defaultRule, 2u);
  EXPECT_EQ(counters.action(PrivacyAction::Allow), 1u);
  EXPECT_EQ(counters.action(PrivacyAction::Hash), 1u);
  EXPECT_EQ(counters.action(PrivacyAction::Mask), 1u);
  EXPECT_EQ(counters.action(PrivacyAction::Drop), 3u);
  EXPECT_EQ(counters.malformed, 0u);
}

TEST_F(PrivacyFirewall, NonUtf8InputIsDroppedAndCountedNeverPassed) {
  Firewall firewall(policy_);
  std::vector<Reading> batch = {reading("temp.\xff"), reading("temp.ok"), reading("temp.\xc0\xaf"),
                                reading("temp.unit", 1, "\xe2\x82")};
  Reading badExtra = reading("temp.extra");
  badExtra.extra = {{"note", "bad\xed\xa0\x80"}};
  batch.push_back(badExtra);
  Reading notObject = reading("temp.array");
  notObject.extra = nlohmann::json::array({1, 2});
  batch.push_back(notObject);

  size_t erased = firewall.applyBatch(batch);
  EXPECT_EQ(erased, 5u);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].sensor, "temp.ok");
  EXPECT_EQ(firewall.counters().malformed, 5u);
  EXPECT_EQ(firewall.counters().perRule[0], 1u) << "malformed readings are not counted per rule";

  // The same bad name again, now that good names are cached: still dropped.
  Reading again = reading("temp.\xff");
  EXPECT_FALSE(firewall.apply(again));
  EXPECT_EQ(firewall.counters().malformed, 6u);
}

TEST_F(PrivacyFirewall, FieldRulesDropAndHashExtraFields) {
  Firewall firewall(policy_);
  Reading withFields = reading("temp.room1");
  withFields.extra = {{"owner", "alice"}, {"mac", "aa:bb:cc:dd:ee:ff"}, {"floor", 3}};
  ASSERT_TRUE(firewall.apply(withFields));
  EXPECT_FALSE(withFields.extra.contains("owner"));
  EXPECT_EQ(withFields.extra["mac"], kMacToken);
  EXPECT_EQ(withFields.extra["floor"], 3) << "fields without a rule follow field_default (allow)";
  EXPECT_EQ(firewall.counters().fieldsDropped, 1u);
  EXPECT_EQ(firewall.counters().fieldsHashed, 1u);
}

TEST_F(PrivacyFirewall, FieldDefaultCanDropUnknownFields) {
  auto policy = PrivacyPolicy::parse(R"({"default": "allow", "field_default": "drop",
      "field_rules": [{"field": "site*", "action": "allow"}]})");
  ASSERT_TRUE(policy) << policy.error().message;
  Firewall firewall(*policy);
  Reading withFields = reading("any");
  withFields.extra = {{"site_id", 4}, {"owner", "bob"}};
  ASSERT_TRUE(firewall.apply(withFields));
  EXPECT_EQ(withFields.extra, (nlohmann::json{{"site_id", 4}}));
}

TEST_F(PrivacyFirewall, CacheNeverChangesAnOutcomeAndStaysBounded) {
  Firewall cached(policy_, FirewallOptions{.decisionCacheCapacity = 3});
  Firewall uncached(policy_, FirewallOptions{.decisionCacheCapacity = 0});
  const char *names[] = {"temp.a", "door.1", "gps.x", "x.debug", "hum", "door.2", "temp.b"};
  for (int round = 0; round < 5; ++round)
    for (const char *name : names) {
      Reading left = reading(name), right = reading(name);
      EXPECT_EQ(cached.apply(left), uncached.apply(right)) << name;
      EXPECT_EQ(left, right) << name;
      EXPECT_LE(cached.cachedNames(), 3u);
    }
  EXPECT_EQ(cached.counters().perRule, uncached.counters().perRule);
  EXPECT_EQ(cached.counters().perAction, uncached.counters().perAction);
  EXPECT_GT(cached.counters().cacheHits, 0u);
  EXPECT_EQ(uncached.counters().cacheHits, 0u);
}

TEST_F(PrivacyFirewall, ApplyBatchKeepsOrderOfSurvivors) {
  Firewall firewall(policy_);
  std::vector<Reading> batch = {reading("temp.1"), reading("hum.1"), reading("gps.1"),
                                reading("temp.2"), reading("x.debug")};
  EXPECT_EQ(firewall.applyBatch(batch), 2u);
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].sensor, "temp.1");
  EXPECT_EQ(batch[1].sensor, "gps.1");
  EXPECT_EQ(batch[1].unit, "masked");
  EXPECT_EQ(batch[2].sensor, "temp.2");
}

} // namespace
