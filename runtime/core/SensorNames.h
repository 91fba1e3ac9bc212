// SensorNames: interns sensor names into dense 32-bit ids once, at ingest, so that every later
// stage (windows, rules, firewall decisions, commit) indexes arrays instead of hashing strings.
#pragma once

#include <cstdint>
#include <deque>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pyvc {

using SensorId = uint32_t;

// Thread-safe. Ids are dense (0, 1, 2, ...) in order of first sight and never reused; a name's
// storage never moves, so the string_view that name() returns stays valid while this lives.
class SensorNames {
public:
  SensorId intern(std::string_view name);
  std::string_view name(SensorId id) const;
  size_t size() const;

private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  mutable std::shared_mutex mutex_;
  std::deque<std::string> names_;
  std::unordered_map<std::string_view, SensorId, Hash, std::equal_to<>> ids_;
};

} // namespace pyvc
