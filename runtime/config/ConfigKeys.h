// ConfigKeys: the one table of every key the agent's config file accepts. The loader checks each
// mapping against it (unknown keys are errors, with a "did you mean"), and a test checks that
// docs/AGENT.md documents every entry, so a key cannot be added without its documentation.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::agent {

struct ConfigKey {
  std::string_view section; // "" (top level), "agent.commit", "sources[]", "sources[].topics[]"
  std::string_view key;     // "max_readings"
  std::string_view kind;    // "" for every kind, else the `type` it belongs to ("simulator")
  std::string path() const; // "agent.commit.max_readings"
};

std::span<const ConfigKey> configKeys();

// The keys of `section` that apply to `kind` ("" = only keys common to every kind, "*" = the keys
// of every kind), in table order.
std::vector<std::string_view> keysOf(std::string_view section, std::string_view kind);

// The allowed key closest to `key` when it is a plausible typo, else empty.
std::string_view closestKey(std::string_view key, const std::vector<std::string_view> &allowed);

} // namespace pyvc::agent
