// Fuzzes PrivacyPolicy::parse, the strict JSON parser under it, and a loaded policy's decisions.
// Oracles: nothing crashes or throws; what the strict parser accepts, nlohmann's lenient parser
// reads the same way (so strictness only ever refuses, never changes a policy); a policy that
// loads decides every name by one of its rules or its default.
#include "FuzzSupport.h"

#include "core/StrictJson.h"
#include "privacy/PrivacyPolicy.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

using nlohmann::json;

namespace {

// The policy target must not create key files (see FuzzSupport.h): true when `document` names
// none, or only one of the prepared ones.
bool namesOnlyPreparedKeys(const json &document) {
  if (!document.is_object())
    return true;
  auto keyFile = document.find("hash_key_file");
  if (keyFile == document.end() || !keyFile->is_string())
    return true;
  return pyvc::fuzz::isKnownKeyName(keyFile->get_ref<const std::string &>());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);

  pyvc::Result<json> strict = pyvc::parseStrictJson(text, {.maxDepth = 8});
  json lenient = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (strict) {
    pyvc::fuzz::check(!lenient.is_discarded(), "strict JSON accepted what nlohmann refuses");
    pyvc::fuzz::check(*strict == lenient, "strict and lenient JSON read different values");
    if (!namesOnlyPreparedKeys(*strict))
      return 0;
  }

  auto policy = pyvc::PrivacyPolicy::parse(text, pyvc::fuzz::scratchFolder());
  if (!policy) {
    pyvc::fuzz::check(!policy.error().message.empty(), "an error without a message");
    return 0;
  }
  pyvc::fuzz::check(strict.ok(), "a policy loaded from text the strict parser refuses");
  const pyvc::PrivacyPolicy &loaded = **policy;
  for (std::string_view name : {"temp.room1", "door.3", "", "secret.x", "a"}) {
    pyvc::SensorDecision decision = loaded.decide(name);
    size_t firstMatch = 0;
    while (firstMatch < loaded.rules().size() && !loaded.rules()[firstMatch].sensor.matches(name))
      ++firstMatch;
    pyvc::fuzz::check(firstMatch == std::min<size_t>(decision.ruleIndex, loaded.rules().size()),
                      "the first matching rule decides");
    if (decision.ruleIndex == pyvc::SensorDecision::kDefaultRule) {
      pyvc::fuzz::check(decision.action == loaded.defaultAction(), "default decision");
    } else {
      pyvc::fuzz::check(decision.ruleIndex < loaded.rules().size(), "rule index in range");
      const pyvc::SensorRule &rule = loaded.rules()[decision.ruleIndex];
      pyvc::fuzz::check(rule.sensor.matches(name), "the deciding rule matches");
      pyvc::fuzz::check(rule.action == decision.action, "the deciding rule's action");
    }
    (void)loaded.decideField(name);
  }
  return 0;
}
