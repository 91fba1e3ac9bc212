// PrivacyPolicy: the operator's rules, parsed from JSON and validated completely before the
// firewall starts; an invalid policy never half-loads. The JSON schema is in
// docs/RUNTIME-privacy.md.
#pragma once

#include "core/Result.h"
#include "privacy/GlobPattern.h"
#include "privacy/HmacSha256.h"
#include "privacy/RulePrefixIndex.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

namespace pyvc {

enum class PrivacyAction : uint8_t { Allow, Drop, Mask, Hash };
inline constexpr size_t kPrivacyActionCount = 4;
std::string_view privacyActionName(PrivacyAction action);

struct SensorRule {
  GlobPattern sensor;
  PrivacyAction action;
};

// Applies to the top-level keys of a reading's extra fields; actions allow, drop or hash.
struct FieldRule {
  GlobPattern field;
  PrivacyAction action;
};

// Which rule decided a sensor name. ruleIndex is kDefaultRule when no rule matched.
struct SensorDecision {
  static constexpr uint32_t kDefaultRule = UINT32_MAX;
  uint32_t ruleIndex;
  PrivacyAction action;
};

class PrivacyPolicy {
public:
  // Parses and validates a policy. A relative "hash_key_file" is resolved against
  // `baseFolder` (the policy file's folder when loaded from a file). The key file is read, or
  // created, only when some rule actually hashes. Errors name the rule: "rule 2 (`door.[`): bad
  // glob: unterminated `[` at byte 5".
  static Result<std::shared_ptr<const PrivacyPolicy>>
  parse(std::string_view jsonText, const std::filesystem::path &baseFolder = {});
  static Result<std::shared_ptr<const PrivacyPolicy>>
  loadFile(const std::filesystem::path &policyFile);

  // The first rule whose glob matches `sensor`, or the default. Does not check UTF-8.
  SensorDecision decide(std::string_view sensor) const;
  // The action for an extra field named `field`: first matching field rule, else the field
  // default (allow unless "field_default" says otherwise).
  PrivacyAction decideField(std::string_view field) const;

  const std::vector<SensorRule> &rules() const { return rules_; }
  const std::vector<FieldRule> &fieldRules() const { return fieldRules_; }
  PrivacyAction defaultAction() const { return defaultAction_; }
  PrivacyAction fieldDefaultAction() const { return fieldDefaultAction_; }
  // Set whenever any action is hash; null otherwise.
  const HmacSha256 *hasher() const { return hasher_.get(); }

private:
  PrivacyPolicy() = default;

  std::vector<SensorRule> rules_;
  std::vector<FieldRule> fieldRules_;
  PrivacyAction defaultAction_ = PrivacyAction::Drop;
  PrivacyAction fieldDefaultAction_ = PrivacyAction::Allow;
  std::shared_ptr<const HmacSha256> hasher_;
  RulePrefixIndex ruleIndex_;
};

} // namespace pyvc
