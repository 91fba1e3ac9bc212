// Policy parsing: every invalid policy is refused with an error that names the rule; valid ones
// decide by first match, then the default.
#include "privacy/PrivacyPolicy.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <random>

namespace {

using pyvc::PrivacyAction;
using pyvc::PrivacyPolicy;
using pyvc::SensorDecision;
using pyvc::testing::TemporaryFolder;

std::string errorOf(const std::string &policyJson, const std::filesystem::path &base = {}) {
  auto policy = PrivacyPolicy::parse(policyJson, base);
  if (policy)
    return "<loaded>";
  return policy.error().message;
}

TEST(PrivacyPolicy, InvalidPoliciesNameTheRule) {
  struct Case {
    const char *json;
    const char *message;
  };
  const Case cases[] = {
      {R"({"rules": [{"sensor": "a", "action": "allow"}, {"sensor": "b*", "action": "hsh"}]})",
       "rule 1 (`b*`): unknown action `hsh` (expected one of allow, drop, mask, hash)"},
      {R"({"rules": [{"sensor": "door.[0-9", "action": "drop"}]})",
       "rule 0 (`door.[0-9`): bad glob: unterminated `[` at byte 5"},
      {R"({"rules": [{"sensor": "", "action": "drop"}]})", "rule 0 (``): bad glob: empty pattern"},
      {R"({"rules": [{"sensor": "temp.*", "acton": "drop"}]})",
       "rule 0: unknown key `acton` (expected \"sensor\" and \"action\")"},
      {R"({"rules": [{"sensor": "temp.*"}]})", "rule 0 (`temp.*`): missing \"action\""},
      {R"({"rules": [{"action": "drop"}]})", "rule 0: missing \"sensor\""},
      {R"({"rules": [{"sensor": 5, "action": "drop"}]})", "rule 0: \"sensor\" must be a string"},
      {R"({"rules": [{"sensor": "a", "action": 1}]})",
       "rule 0 (`a`): \"action\" must be a string (one of allow, drop, mask, hash)"},
      {R"({"rules": ["temp.*"]})",
       "rule 0: must be an object like {\"sensor\": \"...\", \"action\": \"...\"}"},
      {R"({"rules": {"sensor": "a"}})", "\"rules\" must be an array of rule objects"},
      {R"({"default": "alow"})",
       "\"default\": unknown action `alow` (expected one of allow, drop, mask, hash)"},
      {R"({"defualt": "allow"})",
       "unknown key `defualt` in policy (expected default, field_default, hash_key_file, rules, "
       "field_rules)"},
      {R"({"field_rules": [{"field": "owner", "action": "mask"}]})",
       "field rule 0 (`owner`): unknown action `mask` (expected one of allow, drop, hash)"},
      {R"({"rules": [{"sensor": "door.*", "action": "hash"}]})",
       "rule 0 (`door.*`): action `hash` needs a usable key, but the policy sets no "
       "\"hash_key_file\""},
      {R"({"field_rules": [{"field": "mac", "action": "hash"}]})",
       "field rule 0 (`mac`): action `hash` needs a usable key, but the policy sets no "
       "\"hash_key_file\""},
      {R"([1, 2])", "policy must be a JSON object"},
  };
  for (const Case &testCase : cases)
    EXPECT_EQ(errorOf(testCase.json), testCase.message) << testCase.json;
}

TEST(PrivacyPolicy, MalformedJsonSaysWhere) {
  std::string message = errorOf(R"({"rules": [{"sensor": "a", "action": "drop"},]})");
  EXPECT_NE(message.find("policy is not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1"), std::string::npos) << message;
}

TEST(PrivacyPolicy, HashRuleWithUnusableKeyNamesTheRuleNotTheKey) {
  TemporaryFolder folder;
  std::string secret = "0123456789abcdef0123456789abcdef";
  {
    FILE *file = std::fopen((folder / "leaky.key").c_str(), "w");
    std::fputs(secret.c_str(), file);
    std::fclose(file);
  }
  std::filesystem::permissions(folder / "leaky.key", std::filesystem::perms(0644));
  std::string message = errorOf(R"({"hash_key_file": "leaky.key",
      "rules": [{"sensor": "gps.*", "action": "mask"}, {"sensor": "door.*", "action": "hash"}]})",
                                folder.path());
  EXPECT_NE(message.find("rule 1 (`door.*`): action `hash` needs a usable key: key file"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("mode 0644"), std::string::npos) << message;
  EXPECT_EQ(message.find(secret), std::string::npos) << "the key leaked into an error";
}

TEST(PrivacyPolicy, FirstMatchingRuleWinsThenTheDefault) {
  auto policy = PrivacyPolicy::parse(R"({
      "default": "mask",
      "rules": [
        {"sensor": "temp.secret*", "action": "drop"},
        {"sensor": "temp.*", "action": "allow"},
        {"sensor": "*", "action": "drop"}
      ]})");
  ASSERT_TRUE(policy) << policy.error().message;
  SensorDecision secret = (*policy)->decide("temp.secret1");
  EXPECT_EQ(secret.ruleIndex, 0u);
  EXPECT_EQ(secret.action, PrivacyAction::Drop);
  SensorDecision room = (*policy)->decide("temp.room");
  EXPECT_EQ(room.ruleIndex, 1u);
  EXPECT_EQ(room.action, PrivacyAction::Allow);
  EXPECT_EQ((*policy)->decide("hum.x").ruleIndex, 2u);
  EXPECT_EQ((*policy)->decide("").ruleIndex, 2u) << "`*` matches the empty name";

  auto withDefault = PrivacyPolicy::parse(R"({"default": "mask",
      "rules": [{"sensor": "temp.*", "action": "allow"}]})");
  ASSERT_TRUE(withDefault);
  SensorDecision fallback = (*withDefault)->decide("hum.x");
  EXPECT_EQ(fallback.ruleIndex, SensorDecision::kDefaultRule);
  EXPECT_EQ(fallback.action, PrivacyAction::Mask);
}

TEST(PrivacyPolicy, DefaultIsDropWhenUnset) {
  auto policy = PrivacyPolicy::parse(R"({})");
  ASSERT_TRUE(policy);
  EXPECT_EQ((*policy)->defaultAction(), PrivacyAction::Drop);
  EXPECT_EQ((*policy)->fieldDefaultAction(), PrivacyAction::Allow);
}

TEST(PrivacyPolicy, LoadFileResolvesTheKeyBesideThePolicy) {
  TemporaryFolder folder;
  {
    FILE *file = std::fopen((folder / "policy.json").c_str(), "w");
    std::fputs(R"({"hash_key_file": "firewall.key",
                   "rules": [{"sensor": "door.*", "action": "hash"}]})",
               file);
    std::fclose(file);
  }
  auto policy = PrivacyPolicy::loadFile(folder / "policy.json");
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_NE((*policy)->hasher(), nullptr);
  EXPECT_TRUE(std::filesystem::exists(folder / "firewall.key"));

  auto missing = PrivacyPolicy::loadFile(folder / "absent.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot open policy file"), std::string::npos);
}

} // namespace

namespace {

// The rule index must never change which rule wins: decide() against a plain scan of every
// rule in order, on random policies built from nested and overlapping prefixes (including a
// chain of more nested prefixes than the index keeps inline, which takes its fallback path).
TEST(PrivacyPolicy, RuleIndexAgreesWithAPlainFirstMatchScan) {
  std::mt19937 random(7);
  const char *pieces[] = {"a", "ab", "b", ".", "*", "?", "[ab]", "a.", "ba"};
  const char *actions[] = {"allow", "drop", "mask"};
  for (int policyIndex = 0; policyIndex < 60; ++policyIndex) {
    std::string rules;
    int ruleCount = 1 + int(random() % 30);
    if (policyIndex == 0)
      ruleCount = 0; // filled below with a 20-deep chain a, aa, aaa, ...
    for (int rule = 0; rule < ruleCount; ++rule) {
      std::string glob;
      int length = 1 + int(random() % 4);
      for (int i = 0; i < length; ++i)
        glob += pieces[random() % std::size(pieces)];
      rules += std::string(rules.empty() ? "" : ",") + R"({"sensor": ")" + glob +
               R"(", "action": ")" + actions[random() % 3] + "\"}";
    }
    if (policyIndex == 0)
      for (int depth = 1; depth <= 20; ++depth)
        rules += std::string(rules.empty() ? "" : ",") + R"({"sensor": ")" +
                 std::string(size_t(depth), 'a') + (depth % 2 ? "*" : "") +
                 R"(", "action": "allow"})";
    auto policy = PrivacyPolicy::parse(R"({"default": "drop", "rules": [)" + rules + "]}");
    ASSERT_TRUE(policy) << policy.error().message;
    const auto &allRules = (*policy)->rules();
    for (int nameIndex = 0; nameIndex < 200; ++nameIndex) {
      std::string name;
      int length = int(random() % 25);
      for (int i = 0; i < length; ++i)
        name += "ab."[random() % (policyIndex == 0 ? 1 : 3)];
      uint32_t expected = SensorDecision::kDefaultRule;
      for (uint32_t rule = 0; rule < allRules.size(); ++rule)
        if (allRules[rule].sensor.matches(name)) {
          expected = rule;
          break;
        }
      ASSERT_EQ((*policy)->decide(name).ruleIndex, expected)
          << "policy " << policyIndex << " name `" << name << "`";
    }
  }
}

} // namespace
