// Firewall: applies a PrivacyPolicy to readings before anything stores or queues them, and
// counts what it did per rule and per action.
#pragma once

#include "core/Reading.h"
#include "privacy/PrivacyPolicy.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace pyvc {

struct FirewallCounters {
  std::vector<uint64_t> perRule; // readings decided by rule i (same order as the policy)
  uint64_t defaultRule = 0;      // readings no rule matched
  std::array<uint64_t, kPrivacyActionCount> perAction{}; // indexed by PrivacyAction
  // Dropped before any rule was consulted: sensor or unit not valid UTF-8, extra fields not an
  // object, nested deeper than kMaxExtraDepth or holding a key or string that is not valid
  // UTF-8. Not counted per rule or per action.
  uint64_t malformed = 0;
  // Of those, dropped because extra was nested deeper than kMaxExtraDepth.
  uint64_t tooDeep = 0;
  // Dropped because OpenSSL failed to hash (never passed through unhashed).
  uint64_t hashFailures = 0;
  uint64_t fieldsDropped = 0;
  uint64_t fieldsHashed = 0;
  uint64_t cacheHits = 0;
  uint64_t cacheMisses = 0;

  uint64_t action(PrivacyAction which) const { return perAction[size_t(which)]; }
};

struct FirewallOptions {
  // Decisions (and hash tokens) remembered per sensor name. When full, one arbitrary entry is
  // evicted per new name, so memory stays bounded by about capacity x (name + token + ~64)
  // bytes. 0 disables the cache.
  size_t decisionCacheCapacity = 4096;
};

// Not thread-safe: use one Firewall per thread. Firewalls may share one policy.
class Firewall {
public:
  explicit Firewall(std::shared_ptr<const PrivacyPolicy> policy, FirewallOptions options = {});

  // Applies the policy to `reading` in place: allow leaves it, mask sets value 0.0 and unit
  // "masked", hash replaces the sensor name by its HMAC token; then field rules drop or hash
  // extra fields. Returns false when the reading is dropped (by a rule, or as malformed): the
  // caller must then discard it, its content is unspecified.
  bool apply(Reading &reading);

  // Applies the policy to every reading and erases the dropped ones, keeping the order of the
  // rest. Returns how many were erased.
  size_t applyBatch(std::vector<Reading> &batch);

  const FirewallCounters &counters() const { return counters_; }
  const PrivacyPolicy &policy() const { return *policy_; }
  size_t cachedNames() const { return cache_.size(); }

private:
  struct CachedDecision {
    SensorDecision decision;
    std::string token; // the hash token when the action is hash
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  // Finds (or computes and caches) the decision for a sensor name; null when the name is
  // malformed or hashing failed (counted).
  const CachedDecision *lookUp(const std::string &sensor);
  bool applyFieldRules(nlohmann::json &extra);
  void dropForHashFailure(const Error &error);

  std::shared_ptr<const PrivacyPolicy> policy_;
  FirewallOptions options_;
  FirewallCounters counters_;
  std::unordered_map<std::string, CachedDecision, NameHash, std::equal_to<>> cache_;
  CachedDecision uncached_; // holds the decision when the cache is disabled
};

} // namespace pyvc
