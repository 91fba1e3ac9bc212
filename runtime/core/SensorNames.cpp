// SensorNames: the interning table (see SensorNames.h).
#include "core/SensorNames.h"

#include <cassert>
#include <mutex>

namespace pyvc {

SensorId SensorNames::intern(std::string_view name) {
  {
    std::shared_lock lock(mutex_);
    if (auto found = ids_.find(name); found != ids_.end())
      return found->second;
  }
  std::unique_lock lock(mutex_);
  if (auto found = ids_.find(name); found != ids_.end())
    return found->second;
  auto id = SensorId(names_.size());
  const std::string &stored = names_.emplace_back(name);
  ids_.emplace(std::string_view(stored), id);
  return id;
}

std::string_view SensorNames::name(SensorId id) const {
  std::shared_lock lock(mutex_);
  assert(id < names_.size() && "sensor id was never interned");
  return names_[id];
}

size_t SensorNames::size() const {
  std::shared_lock lock(mutex_);
  return names_.size();
}

} // namespace pyvc
