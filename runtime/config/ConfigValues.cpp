// Parsing of the config file's scalar forms (durations, sizes, numbers); see ConfigValues.h.
#include "config/ConfigValues.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace pyvc::agent {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Splits "12.5MiB" into the number "12.5" and the unit "MiB". The number must be digits with at
// most one '.' between digits; nothing else (no sign, no exponent) so "1e3s" is not a duration.
bool splitNumberAndUnit(std::string_view text, std::string_view &number, std::string_view &unit) {
  size_t end = 0;
  while (end < text.size() && isDigit(text[end]))
    ++end;
  if (end == 0)
    return false;
  if (end < text.size() && text[end] == '.') {
    size_t fractionStart = ++end;
    while (end < text.size() && isDigit(text[end]))
      ++end;
    if (end == fractionStart)
      return false;
  }
  number = text.substr(0, end);
  unit = text.substr(end);
  return true;
}

// number * scale as a whole count, or nothing when it is not whole or does not fit. The number
// is exact decimal text, so it is scaled in integers: "1.5" * 1000 = 15 * 1000 / 10.
std::optional<int64_t> scaleExactly(std::string_view number, int64_t scale) {
  size_t dot = number.find('.');
  std::string digits(number.substr(0, dot));
  int64_t divisor = 1;
  if (dot != std::string_view::npos) {
    std::string_view fraction = number.substr(dot + 1);
    while (!fraction.empty() && fraction.back() == '0')
      fraction.remove_suffix(1);
    if (fraction.size() > 18)
      return std::nullopt;
    digits += fraction;
    for (size_t i = 0; i < fraction.size(); ++i)
      divisor *= 10;
  }
  int64_t mantissa = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), mantissa);
  if (error != std::errc() || end != digits.data() + digits.size())
    return std::nullopt;
  __int128 product = static_cast<__int128>(mantissa) * scale;
  if (product % divisor != 0)
    return std::nullopt;
  product /= divisor;
  if (product > INT64_MAX)
    return std::nullopt;
  return static_cast<int64_t>(product);
}

} // namespace

std::optional<int64_t> parseDurationMs(std::string_view text) {
  std::string_view number, unit;
  if (!splitNumberAndUnit(text, number, unit))
    return std::nullopt;
  int64_t scale = 0;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = 1000;
  else if (unit == "m")
    scale = 60 * 1000;
  else if (unit == "h")
    scale = 3600 * 1000;
  else if (unit == "d")
    scale = 24 * 3600 * 1000;
  else
    return std::nullopt;
  return scaleExactly(number, scale);
}

std::optional<int64_t> parseSizeBytes(std::string_view text) {
  std::string_view number, unit;
  if (!splitNumberAndUnit(text, number, unit))
    return std::nullopt;
  static const std::vector<std::pair<std::string_view, int64_t>> units = {
      {"", 1},
      {"B", 1},
      {"KiB", 1LL << 10},
      {"MiB", 1LL << 20},
      {"GiB", 1LL << 30},
      {"TiB", 1LL << 40},
      {"KB", 1000},
      {"MB", 1000 * 1000},
      {"GB", 1000LL * 1000 * 1000},
      {"TB", 1000LL * 1000 * 1000 * 1000}};
  for (const auto &[name, scale] : units)
    if (unit == name)
      return scaleExactly(number, scale);
  return std::nullopt;
}

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::optional<double> parseNumber(std::string_view text) {
  // from_chars would accept "nan", "inf" and hex floats; a config value is plain decimal.
  for (char c : text)
    if (!(isDigit(c) || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+'))
      return std::nullopt;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.front() == '+' || error != std::errc() ||
      end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

} // namespace pyvc::agent
