// RulePrefixIndex: narrows the first-match search over sensor rules to the rules that can match
// a name at all: those whose literal prefix the name starts with, and those that start with a
// wildcard. Candidates are tried in rule order, so the first match found is the policy's.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc {

class RulePrefixIndex {
public:
  static constexpr uint32_t kNoRule = UINT32_MAX;

  // `literalPrefixes[i]` is rule i's literal prefix ("" when it starts with a wildcard).
  explicit RulePrefixIndex(const std::vector<std::string> &literalPrefixes);
  RulePrefixIndex() = default;

  // The smallest rule index among the candidates for `name` for which `matches(index)` is true,
  // or kNoRule. `matches` is called on candidates in ascending order and never on others.
  template <typename MatchesRule>
  uint32_t firstMatch(std::string_view name, MatchesRule &&matches) const;

private:
  struct PrefixNode {
    std::string prefix;
    int32_t parent;              // the node of the longest other prefix this one starts with, or -1
    std::vector<uint32_t> rules; // ascending
  };
  // The node of the longest indexed prefix `name` starts with, or -1.
  int32_t longestPrefixOf(std::string_view name) const;
  uint32_t firstMatchByScan(std::string_view name, auto &matches) const;

  // Sorted by prefix. The nodes whose prefixes a name starts with form one parent chain: if q is
  // a prefix of the name and p is the greatest prefix <= the name, p starts with q.
  std::vector<PrefixNode> nodes_;
  std::vector<uint32_t> wildcardRules_; // ascending
  uint32_t ruleCount_ = 0;
};

template <typename MatchesRule>
uint32_t RulePrefixIndex::firstMatch(std::string_view name, MatchesRule &&matches) const {
  // Candidate lists: the wildcard rules, then one list per prefix node on the chain. A chain
  // longer than the inline space (a policy of nested prefixes a, ab, abc, ...) falls back to
  // trying every rule in order, which is always correct.
  constexpr size_t kMaxLists = 16;
  std::array<const std::vector<uint32_t> *, kMaxLists> lists;
  std::array<size_t, kMaxLists> positions{};
  size_t listCount = 0;
  lists[listCount++] = &wildcardRules_;
  for (int32_t node = longestPrefixOf(name); node >= 0; node = nodes_[size_t(node)].parent) {
    if (listCount == kMaxLists)
      return firstMatchByScan(name, matches);
    lists[listCount++] = &nodes_[size_t(node)].rules;
  }
  // Merge the sorted lists, trying the smallest unseen rule index each time.
  while (true) {
    uint32_t best = kNoRule;
    size_t bestList = 0;
    for (size_t list = 0; list < listCount; ++list)
      if (positions[list] < lists[list]->size() && (*lists[list])[positions[list]] < best) {
        best = (*lists[list])[positions[list]];
        bestList = list;
      }
    if (best == kNoRule)
      return kNoRule;
    if (matches(best))
      return best;
    ++positions[bestList];
  }
}

uint32_t RulePrefixIndex::firstMatchByScan(std::string_view, auto &matches) const {
  for (uint32_t rule = 0; rule < ruleCount_; ++rule)
    if (matches(rule))
      return rule;
  return kNoRule;
}

} // namespace pyvc
