// The policy fails closed: a repeated key (at any level), a NUL byte, a number out of range or
// trailing data refuses the whole policy with the place, where nlohmann's defaults would have
// loaded a weaker one (the last "default" winning, the first "rules" dropped, the rest after a
// NUL ignored) or thrown out_of_range through the caller.
#include "privacy/PrivacyPolicy.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <fstream>

namespace {

using pyvc::PrivacyPolicy;
using pyvc::testing::TemporaryFolder;

std::string errorOf(std::string_view policyJson) {
  auto policy = PrivacyPolicy::parse(policyJson);
  return policy ? "<loaded>" : policy.error().message;
}

TEST(PrivacyPolicyStrictness, EveryBadInputIsRefusedWithItsPlace) {
  struct Case {
    std::string json;
    const char *message;
  };
  const Case cases[] = {
      {R"({"default":"drop","default":"allow"})",
       "policy is not valid JSON: line 1, column 19: duplicate key `default`"},
      {"{\"rules\": [{\"sensor\": \"secret.*\", \"action\": \"drop\"}],\n \"rules\": []}",
       "policy is not valid JSON: line 2, column 2: duplicate key `rules`"},
      {R"({"rules":[{"sensor":"a","action":"drop","action":"allow"}]})",
       "policy is not valid JSON: line 1, column 41: duplicate key `action` in `rules[0]`"},
      {R"({"field_rules":[{"field":"a","action":"drop"},{"field":"b","field":"mac","action":"drop"}]})",
       "policy is not valid JSON: line 1, column 60: duplicate key `field` in `field_rules[1]`"},
      {std::string(R"({"default":"drop"})") + '\0' + R"({"default":"allow"})",
       "policy is not valid JSON: line 1, column 19: NUL byte (byte 18), which JSON text cannot "
       "hold"},
      {R"({"default":1e999})",
       "policy is not valid JSON: line 1, column 16: number overflow parsing '1e999' at "
       "`default`"},
      {R"({"unknown":[-1e400]})",
       "policy is not valid JSON: line 1, column 18: number overflow parsing '-1e400' at "
       "`unknown[0]`"},
      {R"({"default":"drop"} {"default":"allow"})",
       "policy is not valid JSON: line 1, column 20: syntax error while parsing value - "
       "unexpected '{'; expected end of input"},
      {R"({"rules":[[[[[[[[1]]]]]]]]})",
       "policy is not valid JSON: line 1, column 17: nested deeper than the limit of 8 levels at "
       "`rules[0][0]...[0][0]`"},
  };
  for (const Case &testCase : cases)
    EXPECT_EQ(errorOf(testCase.json), testCase.message);
}

TEST(PrivacyPolicyStrictness, AStrictPolicyStillLoads) {
  auto policy = PrivacyPolicy::parse(R"({
      "default": "drop",
      "rules": [{"sensor": "temp.*", "action": "allow"}, {"sensor": "gps.*", "action": "mask"}],
      "field_rules": [{"field": "owner", "action": "drop"}],
      "field_default": "allow"})");
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ((*policy)->rules().size(), 2u);
  EXPECT_EQ((*policy)->decide("temp.a").action, pyvc::PrivacyAction::Allow);
  EXPECT_EQ((*policy)->decide("other").action, pyvc::PrivacyAction::Drop);
}

TEST(PrivacyPolicyStrictness, LoadFileNamesTheFileAndThePlace) {
  TemporaryFolder folder;
  std::filesystem::path file = folder / "policy.json";
  std::ofstream(file, std::ios::binary)
      << "{\n  \"default\": \"drop\",\n  \"default\": \"allow\"\n}\n";
  auto policy = PrivacyPolicy::loadFile(file);
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().message,
            file.string() +
                ": policy is not valid JSON: line 3, column 3: duplicate key `default`");
}

} // namespace
