// The firewall walks `extra` without recursion: a reading nested far past kMaxExtraDepth is
// dropped and counted (malformed and tooDeep), where the recursive check used to overflow the
// stack at 25,000 levels; readings at the limit pass with their fields ruled as usual.
#include "privacy/Firewall.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using pyvc::Firewall;
using pyvc::PrivacyAction;
using pyvc::PrivacyPolicy;
using pyvc::Reading;

// An extra object nesting `levels` levels ({"d":{"d":...}}), built in place without recursion.
json nestedExtra(int levels, std::string_view leafKey = "d") {
  json root = json::object();
  json *innermost = &root;
  for (int level = 1; level < levels; ++level)
    innermost = &((*innermost)["d"] = json::object());
  (*innermost)[std::string(leafKey)] = "leaf";
  return root;
}

std::shared_ptr<const PrivacyPolicy> allowPolicy() {
  auto policy = PrivacyPolicy::parse(
      R"({"default":"allow","field_rules":[{"field":"owner","action":"drop"}]})");
  EXPECT_TRUE(policy) << policy.error().message;
  return *policy;
}

Reading readingWith(json extra) {
  Reading reading;
  reading.sensor = "temp.room1";
  reading.timestampMs = 1;
  reading.value = 2.5;
  reading.extra = std::move(extra);
  return reading;
}

TEST(PrivacyFirewallDepth, FarTooDeepIsDroppedAndCountedWithoutCrashing) {
  Firewall firewall(allowPolicy());
  for (int levels : {65, 25000, 200000}) {
    Reading deep = readingWith(nestedExtra(levels));
    EXPECT_FALSE(firewall.apply(deep)) << levels << " levels";
  }
  EXPECT_EQ(firewall.counters().malformed, 3u);
  EXPECT_EQ(firewall.counters().tooDeep, 3u);
  EXPECT_EQ(firewall.counters().action(PrivacyAction::Allow), 0u)
      << "dropped before any rule, so not counted per action";
}

TEST(PrivacyFirewallDepth, AtTheLimitFieldRulesStillApply) {
  Firewall firewall(allowPolicy());
  json extra = nestedExtra(pyvc::kMaxExtraDepth);
  extra["owner"] = "alice";
  Reading reading = readingWith(extra);
  ASSERT_TRUE(firewall.apply(reading));
  extra.erase("owner");
  EXPECT_EQ(reading.extra, extra);
  EXPECT_EQ(firewall.counters().fieldsDropped, 1u);
  EXPECT_EQ(firewall.counters().tooDeep, 0u);
  auto text = pyvc::serializeReading(reading);
  ASSERT_TRUE(text) << text.error().message;
}

TEST(PrivacyFirewallDepth, InvalidUtf8DeepInsideIsFound) {
  Firewall firewall(allowPolicy());
  Reading badKey = readingWith(nestedExtra(pyvc::kMaxExtraDepth, "\xff"));
  EXPECT_FALSE(firewall.apply(badKey));
  Reading badLeaf = readingWith(nestedExtra(40));
  json *innermost = &badLeaf.extra;
  while (innermost->contains("d") && (*innermost)["d"].is_object())
    innermost = &(*innermost)["d"];
  (*innermost)["list"] = json::array({"fine", json::array({"bad\xed\xa0\x80"})});
  EXPECT_FALSE(firewall.apply(badLeaf));
  EXPECT_EQ(firewall.counters().malformed, 2u);
  EXPECT_EQ(firewall.counters().tooDeep, 0u);
}

// Found by fuzz_reading (crash-f4bed611...): dropping every field left `{}`, which the JSON form
// writes as no extra and reads back as null, so the kept reading changed on its way to text.
TEST(PrivacyFirewallDepth, DroppingEveryFieldLeavesNoExtra) {
  Firewall firewall(allowPolicy());
  Reading reading = readingWith(json{{"owner", json::array({"a", json{{"b", nullptr}}})}});
  ASSERT_TRUE(firewall.apply(reading));
  EXPECT_TRUE(reading.extra.is_null()) << reading.extra.dump();
  auto text = pyvc::serializeReading(reading);
  ASSERT_TRUE(text) << text.error().message;
  auto back = pyvc::parseReading(*text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, reading);
}

} // namespace
