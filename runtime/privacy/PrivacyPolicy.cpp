// Parsing and validating privacy policies, and deciding which rule applies to a sensor name.
#include "privacy/PrivacyPolicy.h"

#include "core/StrictJson.h"
#include "privacy/KeyFile.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <sstream>

namespace pyvc {

using nlohmann::json;

std::string_view privacyActionName(PrivacyAction action) {
  switch (action) {
  case PrivacyAction::Allow:
    return "allow";
  case PrivacyAction::Drop:
    return "drop";
  case PrivacyAction::Mask:
    return "mask";
  case PrivacyAction::Hash:
    return "hash";
  }
  return "?";
}

namespace {

std::optional<PrivacyAction> actionFromName(std::string_view name) {
  for (PrivacyAction action :
       {PrivacyAction::Allow, PrivacyAction::Drop, PrivacyAction::Mask, PrivacyAction::Hash})
    if (privacyActionName(action) == name)
      return action;
  return std::nullopt;
}

// Reads an action, limited to `allowed`, or says why it is not one. `where` names the rule.
Result<PrivacyAction> parseAction(const json &value, std::string_view where,
                                  std::initializer_list<PrivacyAction> allowed) {
  std::string expected;
  for (PrivacyAction action : allowed)
    expected += (expected.empty() ? "" : ", ") + std::string(privacyActionName(action));
  if (!value.is_string())
    return makeError(std::string(where) + ": \"action\" must be a string (one of " + expected +
                     ")");
  std::string name = value.get<std::string>();
  std::optional<PrivacyAction> action = actionFromName(name);
  bool permitted = false;
  for (PrivacyAction candidate : allowed)
    permitted |= action && *action == candidate;
  if (!permitted)
    return makeError(std::string(where) + ": unknown action `" + name + "` (expected one of " +
                     expected + ")");
  return *action;
}

// One rule object: {"<patternKey>": "<glob>", "action": "<action>"}. `kind` is "rule" or
// "field rule" for messages.
template <typename RuleT>
Result<RuleT> parseRule(const json &object, size_t index, std::string_view kind,
                        const char *patternKey, std::initializer_list<PrivacyAction> allowed) {
  std::string where = std::string(kind) + " " + std::to_string(index);
  if (!object.is_object())
    return makeError(where + ": must be an object like {\"" + patternKey +
                     "\": \"...\", \"action\": \"...\"}");
  for (const auto &[key, unused] : object.items())
    if (key != patternKey && key != "action")
      return makeError(where + ": unknown key `" + key + "` (expected \"" + patternKey +
                       "\" and \"action\")");
  auto pattern = object.find(patternKey);
  if (pattern == object.end())
    return makeError(where + ": missing \"" + patternKey + "\"");
  if (!pattern->is_string())
    return makeError(where + ": \"" + patternKey + "\" must be a string");
  std::string patternText = pattern->get<std::string>();
  where += " (`" + patternText + "`)";
  auto action = object.find("action");
  if (action == object.end())
    return makeError(where + ": missing \"action\"");
  Result<PrivacyAction> parsedAction = parseAction(*action, where, allowed);
  if (!parsedAction)
    return parsedAction.error();
  Result<GlobPattern> glob = GlobPattern::compile(patternText);
  if (!glob)
    return makeError(where + ": bad glob: " + glob.error().message);
  return RuleT{std::move(glob).value(), *parsedAction};
}

// A policy is three levels deep ({"rules": [{...}]}); anything much deeper is a mistake.
constexpr int kMaxPolicyDepth = 8;

constexpr std::initializer_list<PrivacyAction> kSensorActions = {
    PrivacyAction::Allow, PrivacyAction::Drop, PrivacyAction::Mask, PrivacyAction::Hash};
constexpr std::initializer_list<PrivacyAction> kFieldActions = {
    PrivacyAction::Allow, PrivacyAction::Drop, PrivacyAction::Hash};

// Names the first thing that hashes, for the "needs a usable key" message; empty if none does.
std::string firstHashUser(const std::vector<SensorRule> &rules,
                          const std::vector<FieldRule> &fieldRules, PrivacyAction defaultAction,
                          PrivacyAction fieldDefaultAction) {
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i].action == PrivacyAction::Hash)
      return "rule " + std::to_string(i) + " (`" + rules[i].sensor.source() + "`)";
  for (size_t i = 0; i < fieldRules.size(); ++i)
    if (fieldRules[i].action == PrivacyAction::Hash)
      return "field rule " + std::to_string(i) + " (`" + fieldRules[i].field.source() + "`)";
  if (defaultAction == PrivacyAction::Hash)
    return "\"default\"";
  if (fieldDefaultAction == PrivacyAction::Hash)
    return "\"field_default\"";
  return "";
}

} // namespace

Result<std::shared_ptr<const PrivacyPolicy>>
PrivacyPolicy::parse(std::string_view jsonText, const std::filesystem::path &baseFolder) {
  // Strict: a repeated key would otherwise let its last copy win silently ("drop" then "allow"),
  // and a NUL byte would end the text early; both must refuse the policy, never weaken it.
  Result<json> parsed = parseStrictJson(jsonText, StrictJsonOptions{.maxDepth = kMaxPolicyDepth});
  if (!parsed)
    return makeError("policy is not valid JSON: " + parsed.error().message);
  const json &document = *parsed;
  if (!document.is_object())
    return makeError("policy must be a JSON object");

  std::shared_ptr<PrivacyPolicy> policy(new PrivacyPolicy());
  std::optional<std::string> keyFile;
  for (const auto &[key, value] : document.items()) {
    if (key == "default" || key == "field_default") {
      bool isField = key == "field_default";
      Result<PrivacyAction> action =
          parseAction(value, "\"" + key + "\"", isField ? kFieldActions : kSensorActions);
      if (!action)
        return action.error();
      (isField ? policy->fieldDefaultAction_ : policy->defaultAction_) = *action;
    } else if (key == "hash_key_file") {
      if (!value.is_string() || value.get<std::string>().empty())
        return makeError("\"hash_key_file\" must be a non-empty string (a path)");
      keyFile = value.get<std::string>();
    } else if (key == "rules" || key == "field_rules") {
      if (!value.is_array())
        return makeError("\"" + key + "\" must be an array of rule objects");
      for (size_t index = 0; index < value.size(); ++index) {
        if (key == "rules") {
          auto rule = parseRule<SensorRule>(value[index], index, "rule", "sensor", kSensorActions);
          if (!rule)
            return rule.error();
          policy->rules_.push_back(std::move(rule).value());
        } else {
          auto rule =
              parseRule<FieldRule>(value[index], index, "field rule", "field", kFieldActions);
          if (!rule)
            return rule.error();
          policy->fieldRules_.push_back(std::move(rule).value());
        }
      }
    } else {
      return makeError("unknown key `" + key +
                       "` in policy (expected default, field_default, hash_key_file, rules, "
                       "field_rules)");
    }
  }
  if (policy->rules_.size() >= SensorDecision::kDefaultRule)
    return makeError("policy has too many rules");

  std::string hashUser = firstHashUser(policy->rules_, policy->fieldRules_, policy->defaultAction_,
                                       policy->fieldDefaultAction_);
  if (!hashUser.empty()) {
    if (!keyFile)
      return makeError(hashUser + ": action `hash` needs a usable key, but the policy sets no "
                                  "\"hash_key_file\"");
    std::filesystem::path keyPath = *keyFile;
    if (keyPath.is_relative() && !baseFolder.empty())
      keyPath = baseFolder / keyPath;
    Result<std::string> key = loadOrCreateKeyFile(keyPath);
    if (!key)
      return makeError(hashUser + ": action `hash` needs a usable key: " + key.error().message);
    auto hasher = HmacSha256::create(*key);
    std::fill(key->begin(), key->end(), '\0');
    if (!hasher)
      return makeError(hashUser + ": action `hash` needs a usable key: " + hasher.error().message);
    policy->hasher_ = std::move(hasher).value();
  }
  std::vector<std::string> literalPrefixes;
  for (const SensorRule &rule : policy->rules_)
    literalPrefixes.push_back(rule.sensor.literalPrefix());
  policy->ruleIndex_ = RulePrefixIndex(literalPrefixes);
  return std::shared_ptr<const PrivacyPolicy>(std::move(policy));
}

Result<std::shared_ptr<const PrivacyPolicy>>
PrivacyPolicy::loadFile(const std::filesystem::path &policyFile) {
  // A folder opens as a stream that reads nothing; say so rather than "not valid JSON".
  std::error_code ignored;
  if (std::filesystem::is_directory(policyFile, ignored))
    return makeError("cannot read policy file " + policyFile.string() + ": it is a folder");
  std::ifstream input(policyFile, std::ios::binary);
  if (!input)
    return makeError("cannot open policy file " + policyFile.string());
  std::ostringstream text;
  text << input.rdbuf();
  if (input.bad())
    return makeError("cannot read policy file " + policyFile.string());
  auto policy = parse(text.str(), policyFile.parent_path());
  if (!policy)
    return makeError(policyFile.string() + ": " + policy.error().message);
  return policy;
}

SensorDecision PrivacyPolicy::decide(std::string_view sensor) const {
  uint32_t rule = ruleIndex_.firstMatch(
      sensor, [&](uint32_t index) { return rules_[index].sensor.matches(sensor); });
  if (rule == RulePrefixIndex::kNoRule)
    return {SensorDecision::kDefaultRule, defaultAction_};
  return {rule, rules_[rule].action};
}

PrivacyAction PrivacyPolicy::decideField(std::string_view field) const {
  for (const FieldRule &rule : fieldRules_)
    if (rule.field.matches(field))
      return rule.action;
  return fieldDefaultAction_;
}

} // namespace pyvc
