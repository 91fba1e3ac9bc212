// ConfigValues: the scalar forms the agent's config file writes values in — durations ("500ms",
// "10s", "5m", "2h", "7d"), sizes ("16MiB", "512KiB", "1000"), numbers — parsed exactly, with no
// locale and no silent truncation. The loader turns a failed parse into a problem with a place.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pyvc::agent {

// "10s" -> 10000. A number and a unit (ms, s, m, h, d), no space, no sign; a fraction is allowed
// when it comes out as whole milliseconds ("1.5s"). A bare number has no unit and is refused.
std::optional<int64_t> parseDurationMs(std::string_view text);

// "16MiB" -> 16777216. A number and an optional unit: B, KiB, MiB, GiB, TiB (powers of 1024) or
// KB, MB, GB, TB (powers of 1000); no unit means bytes. Whole bytes only.
std::optional<int64_t> parseSizeBytes(std::string_view text);

// A decimal integer (optional '-'), the whole text, within int64.
std::optional<int64_t> parseInteger(std::string_view text);

// A finite decimal floating-point number, the whole text ("1", "-2.5", "1e-3"; no "nan", "inf",
// hex or leading '+').
std::optional<double> parseNumber(std::string_view text);

// The edit distance between two keys, for "did you mean" suggestions.
size_t editDistance(std::string_view a, std::string_view b);

} // namespace pyvc::agent
