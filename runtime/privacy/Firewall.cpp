// Applying a privacy policy to readings: malformed input is dropped and counted first, then the
// first matching sensor rule decides (through a bounded per-name cache), then field rules run.
#include "privacy/Firewall.h"

#include "core/Utf8.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

namespace pyvc {

namespace {

// What a hashed field's token is computed over: a string's bytes, or any other value's compact
// JSON text (which cannot throw, and recurses only to kMaxExtraDepth: apply checked both).
std::string hashInput(const nlohmann::json &value) {
  if (value.is_string())
    return value.get<std::string>();
  return value.dump();
}

} // namespace

Firewall::Firewall(std::shared_ptr<const PrivacyPolicy> policy, FirewallOptions options)
    : policy_(std::move(policy)), options_(options) {
  assert(policy_ && "a firewall needs a policy");
  counters_.perRule.assign(policy_->rules().size(), 0);
  cache_.reserve(std::min<size_t>(options_.decisionCacheCapacity, 1 << 16));
}

void Firewall::dropForHashFailure(const Error &error) {
  // Loud but short; the error comes from OpenSSL and never contains the key.
  if (counters_.hashFailures++ == 0)
    std::fprintf(stderr, "pyvc privacy: dropping readings that cannot be hashed: %s\n",
                 error.message.c_str());
}

const Firewall::CachedDecision *Firewall::lookUp(const std::string &sensor) {
  if (options_.decisionCacheCapacity > 0) {
    auto found = cache_.find(std::string_view(sensor));
    if (found != cache_.end()) {
      // Only valid names are ever cached, so a hit needs no UTF-8 check.
      ++counters_.cacheHits;
      return &found->second;
    }
    ++counters_.cacheMisses;
  }
  if (!isValidUtf8(sensor)) {
    ++counters_.malformed;
    return nullptr;
  }
  CachedDecision computed{policy_->decide(sensor), {}};
  if (computed.decision.action == PrivacyAction::Hash) {
    assert(policy_->hasher() && "a policy that hashes always has a key");
    Result<std::string> token = policy_->hasher()->token(sensor);
    if (!token) {
      dropForHashFailure(token.error());
      return nullptr;
    }
    computed.token = std::move(token).value();
  }
  if (options_.decisionCacheCapacity == 0) {
    uncached_ = std::move(computed);
    return &uncached_;
  }
  // Bounded memory: evict one arbitrary entry rather than clearing everything, so a working set
  // slightly larger than the capacity still mostly hits.
  if (cache_.size() >= options_.decisionCacheCapacity)
    cache_.erase(cache_.begin());
  return &cache_.emplace(sensor, std::move(computed)).first->second;
}

bool Firewall::applyFieldRules(nlohmann::json &extra) {
  for (auto field = extra.begin(); field != extra.end();) {
    PrivacyAction action = policy_->decideField(field.key());
    if (action == PrivacyAction::Drop) {
      field = extra.erase(field);
      ++counters_.fieldsDropped;
      continue;
    }
    if (action == PrivacyAction::Hash) {
      Result<std::string> token = policy_->hasher()->token(hashInput(field.value()));
      if (!token) {
        dropForHashFailure(token.error());
        return false;
      }
      field.value() = std::move(token).value();
      ++counters_.fieldsHashed;
    }
    ++field;
  }
  return true;
}

bool Firewall::apply(Reading &reading) {
  bool hasExtra = !reading.extra.is_null();
  if (!isValidUtf8(reading.unit)) {
    ++counters_.malformed;
    return false;
  }
  // Iterative, so no depth of `extra` can exhaust the stack; everything after it may recurse.
  if (ExtraProblem problem = findExtraProblem(reading.extra); problem != ExtraProblem::None) {
    ++counters_.malformed;
    counters_.tooDeep += problem == ExtraProblem::TooDeep;
    return false;
  }
  const CachedDecision *cached = lookUp(reading.sensor);
  if (!cached)
    return false;

  SensorDecision decision = cached->decision;
  if (decision.ruleIndex == SensorDecision::kDefaultRule)
    ++counters_.defaultRule;
  else
    ++counters_.perRule[decision.ruleIndex];
  ++counters_.perAction[size_t(decision.action)];

  switch (decision.action) {
  case PrivacyAction::Drop:
    return false;
  case PrivacyAction::Allow:
    break;
  case PrivacyAction::Mask:
    reading.value = 0.0;
    reading.unit = "masked";
    break;
  case PrivacyAction::Hash:
    reading.sensor = cached->token;
    break;
  }
  if (hasExtra && !reading.extra.empty() && !applyFieldRules(reading.extra))
    return false;
  // No fields left is no extra (null), as the JSON form reads it: found by fuzz_reading, where
  // a reading whose fields were all dropped did not survive its text form unchanged.
  if (hasExtra && reading.extra.empty())
    reading.extra = nullptr;
  return true;
}

size_t Firewall::applyBatch(std::vector<Reading> &batch) {
  size_t kept = 0;
  for (size_t index = 0; index < batch.size(); ++index) {
    if (!apply(batch[index]))
      continue;
    if (kept != index)
      batch[kept] = std::move(batch[index]);
    ++kept;
  }
  size_t erased = batch.size() - kept;
  batch.resize(kept);
  return erased;
}

} // namespace pyvc
