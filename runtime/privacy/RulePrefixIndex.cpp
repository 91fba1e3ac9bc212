// Building the prefix index of sensor rules and finding the longest indexed prefix of a name.
#include "privacy/RulePrefixIndex.h"

namespace pyvc {

RulePrefixIndex::RulePrefixIndex(const std::vector<std::string> &literalPrefixes)
    : ruleCount_(uint32_t(literalPrefixes.size())) {
  for (uint32_t rule = 0; rule < literalPrefixes.size(); ++rule)
    if (literalPrefixes[rule].empty())
      wildcardRules_.push_back(rule);
    else
      nodes_.push_back({literalPrefixes[rule], -1, {rule}});
  std::stable_sort(nodes_.begin(), nodes_.end(),
                   [](const PrefixNode &a, const PrefixNode &b) { return a.prefix < b.prefix; });
  // Merge equal prefixes (their rule lists stay ascending: the sort was stable).
  std::vector<PrefixNode> merged;
  for (PrefixNode &node : nodes_) {
    if (!merged.empty() && merged.back().prefix == node.prefix)
      merged.back().rules.push_back(node.rules.front());
    else
      merged.push_back(std::move(node));
  }
  nodes_ = std::move(merged);
  // Each node's parent is the longest shorter prefix it starts with; by the chain property it
  // is on the chain of the node just before it.
  for (size_t index = 1; index < nodes_.size(); ++index) {
    int32_t candidate = int32_t(index) - 1;
    while (candidate >= 0 &&
           !std::string_view(nodes_[index].prefix).starts_with(nodes_[size_t(candidate)].prefix))
      candidate = nodes_[size_t(candidate)].parent;
    nodes_[index].parent = candidate;
  }
}

int32_t RulePrefixIndex::longestPrefixOf(std::string_view name) const {
  auto greater = std::upper_bound(
      nodes_.begin(), nodes_.end(), name,
      [](std::string_view value, const PrefixNode &node) { return value < node.prefix; });
  int32_t node = int32_t(greater - nodes_.begin()) - 1;
  while (node >= 0 && !name.starts_with(nodes_[size_t(node)].prefix))
    node = nodes_[size_t(node)].parent;
  return node;
}

} // namespace pyvc
