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
    SensorId id;
    if (found != ids_.end()) {
      id = found->second;
    } else {
      if (ids_.size() >= capacity_)
        ids_.clear();
      id = names_.intern(name);
      ids_.emplace(std::string(name), id);
    }
    lastName_.assign(name);
    lastId_ = id;
    hasLast_ = true;
    return id;
  }

private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  SensorNames &names_;
  size_t capacity_;
  std::unordered_map<std::string, SensorId, Hash, std::equal_to<>> ids_;
  std::string lastName_;
  SensorId lastId_ = 0;
  bool hasLast_ = false;
};

} // namespace pyvc::ingest
