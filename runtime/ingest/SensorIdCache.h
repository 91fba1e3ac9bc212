// SensorIdCache: a source's own map from sensor name (or MQTT topic) to interned id, so the hot
// path neither takes SensorNames' lock nor interns a name more than once. One per source thread.
#pragma once

#include "core/SensorNames.h"

#include <string>
#include <string_view>
#include <unordered_map>

namespace pyvc::ingest {

class SensorIdCache {
public:
  // Past `capacity` names the cache starts over, so a flood of one-off names cannot grow it
  // without bound (SensorNames keeps them anyway).
  explicit SensorIdCache(SensorNames &names, size_t capacity = 1 << 16)
      : names_(names), capacity_(capacity) {}

  SensorId idOf(std::string_view name) {
    // Files and devices often send runs of one sensor: one compare instead of a hash.
    if (hasLast_ && name == lastName_)
      return lastId_;
    auto found = ids_.find(name);
    if (found == ids_.end()) {
      if (ids_.size() >= capacity_)
        ids_.clear();
      found = ids_.emplace(std::string(name), names_.intern(name)).first;
    }
    lastName_ = found->first; // a node's key never moves while the node lives
    lastId_ = found->second;
    hasLast_ = true;
    return lastId_;
  }

private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  SensorNames &names_;
  size_t capacity_;
  std::unordered_map<std::string, SensorId, Hash, std::equal_to<>> ids_;
  std::string_view lastName_;
  SensorId lastId_ = 0;
  bool hasLast_ = false;
};

} // namespace pyvc::ingest
