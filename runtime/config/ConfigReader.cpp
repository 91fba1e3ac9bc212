// Typed reads of config values with problems recorded in place (ConfigReader.h).
#include "config/ConfigReader.h"

#include "config/ConfigKeys.h"
#include "config/ConfigValues.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace pyvc::agent {

namespace {

std::string formatNumber(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15)
    return std::to_string(static_cast<int64_t>(value));
  std::string text = std::to_string(value);
  while (!text.empty() && text.back() == '0')
    text.pop_back();
  return text;
}

std::string joinKeys(const std::vector<std::string_view> &keys) {
  std::string text;
  for (std::string_view key : keys)
    text += (text.empty() ? "" : ", ") + std::string(key);
  return text;
}

// The kinds (source or uplink types) that have `key` in `section`.
std::vector<std::string_view> kindsHaving(std::string_view section, std::string_view key) {
  std::vector<std::string_view> kinds;
  for (const ConfigKey &entry : configKeys())
    if (entry.section == section && entry.key == key && !entry.kind.empty())
      kinds.push_back(entry.kind);
  return kinds;
}

} // namespace

Field fieldOf(const YAML::Node &node, std::string path) {
  return Field{node, std::move(path), node.Mark().line >= 0 ? node.Mark().line + 1 : 0};
}

void ConfigReader::report(int line, const std::string &path, std::string message) {
  problems_.push_back(ConfigProblem{file_, line, path, std::move(message)});
}

std::string ConfigReader::describe(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
  case YAML::NodeType::Undefined:
    return "nothing";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Scalar:
    break;
  }
  std::string text = node.Scalar();
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  return "`" + text + "`";
}

bool ConfigReader::checkMapping(const Field &field, std::string_view section, std::string_view kind,
                                std::string_view kindLabel) {
  if (!field.node.IsMap()) {
    report(field, "expected a mapping of keys, got " + describe(field.node));
    return false;
  }
  std::vector<std::string_view> allowed = keysOf(section, kind);
  std::set<std::string> seen;
  for (const auto &entry : field.node) {
    const YAML::Node &keyNode = entry.first;
    int line = keyNode.Mark().line + 1;
    std::string prefix = field.path.empty() ? "" : field.path + ".";
    if (!keyNode.IsScalar()) {
      report(line, field.path, "a key must be a name, got " + describe(keyNode));
      continue;
    }
    std::string key = keyNode.Scalar();
    if (!seen.insert(key).second) {
      report(line, prefix + key, "repeated key (each key may appear once)");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
      continue;
    std::vector<std::string_view> otherKinds = kindsHaving(section, key);
    if (!otherKinds.empty() && !kind.empty()) {
      report(line, prefix + key,
             "not a key of " + std::string(kind) + " " + std::string(kindLabel) +
                 "s (it belongs to " + joinKeys(otherKinds) + " " + std::string(kindLabel) + "s)");
      continue;
    }
    std::string_view suggestion = closestKey(key, allowed);
    if (!suggestion.empty())
      report(line, prefix + key, "unknown key; did you mean `" + std::string(suggestion) + "`?");
    else
      report(line, prefix + key, "unknown key; expected one of " + joinKeys(allowed));
  }
  return true;
}

std::optional<Field> ConfigReader::child(const Field &mapping, std::string_view key) const {
  if (!mapping.node.IsMap())
    return std::nullopt;
  for (const auto &entry : mapping.node)
    if (entry.first.IsScalar() && entry.first.Scalar() == key) {
      Field value = fieldOf(entry.second,
                            (mapping.path.empty() ? "" : mapping.path + ".") + std::string(key));
      // A key with no value ("rate:") has a null node whose mark may be unset: use the key's.
      if (value.line == 0)
        value.line = entry.first.Mark().line + 1;
      return value;
    }
  return std::nullopt;
}

std::optional<Field> ConfigReader::required(const Field &mapping, std::string_view key,
                                            std::string_view hint) {
  std::optional<Field> value = child(mapping, key);
  if (!value && mapping.node.IsMap())
    report(mapping.line == 0 ? 1 : mapping.line,
           (mapping.path.empty() ? "" : mapping.path + ".") + std::string(key),
           "is required" + (hint.empty() ? "" : " (" + std::string(hint) + ")"));
  return value;
}

std::optional<std::vector<Field>> ConfigReader::sequence(const Field &field,
                                                         std::string_view what) {
  if (!field.node.IsSequence()) {
    report(field, "expected a list of " + std::string(what) + ", got " + describe(field.node));
    return std::nullopt;
  }
  std::vector<Field> elements;
  for (size_t index = 0; index < field.node.size(); ++index) {
    Field element = fieldOf(field.node[index], field.path + "[" + std::to_string(index) + "]");
    if (element.line == 0)
      element.line = field.line;
    elements.push_back(std::move(element));
  }
  return elements;
}

std::optional<std::string> ConfigReader::string(const Field &field) {
  if (!field.node.IsScalar()) {
    report(field, "expected a string, got " + describe(field.node));
    return std::nullopt;
  }
  return field.node.Scalar();
}

// The text of an unquoted scalar: numbers and booleans are never written in quotes (in JSON
// they cannot be), so "5" in quotes is a string where a number belongs.
std::optional<std::string> ConfigReader::plainScalar(const Field &field,
                                                     std::string_view expected) {
  if (!field.node.IsScalar()) {
    report(field, "expected " + std::string(expected) + ", got " + describe(field.node));
    return std::nullopt;
  }
  if (field.node.Tag() == "!") {
    report(field, "expected " + std::string(expected) + ", got the string \"" +
                      field.node.Scalar() + "\"");
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<bool> ConfigReader::boolean(const Field &field) {
  std::optional<std::string> text = plainScalar(field, "true or false");
  if (!text)
    return std::nullopt;
  if (*text == "true" || *text == "True" || *text == "TRUE")
    return true;
  if (*text == "false" || *text == "False" || *text == "FALSE")
    return false;
  report(field, "expected true or false, got `" + *text + "`");
  return std::nullopt;
}

std::optional<double> ConfigReader::number(const Field &field, double min, double max,
                                           bool minExclusive) {
  std::optional<std::string> text = plainScalar(field, "a number");
  if (!text)
    return std::nullopt;
  std::optional<double> value = parseNumber(*text);
  if (!value) {
    report(field, "expected a number, got `" + *text + "`");
    return std::nullopt;
  }
  bool belowMin = minExclusive ? *value <= min : *value < min;
  if (belowMin || *value > max) {
    std::string range =
        minExclusive ? "must be > " + formatNumber(min) : "must be at least " + formatNumber(min);
    if (max < 1e300)
      range = minExclusive ? "must be > " + formatNumber(min) + " and at most " + formatNumber(max)
                           : "must be between " + formatNumber(min) + " and " + formatNumber(max);
    report(field, range + ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ConfigReader::integer(const Field &field, int64_t min, int64_t max) {
  std::optional<std::string> text = plainScalar(field, "a whole number");
  if (!text)
    return std::nullopt;
  std::optional<int64_t> value = parseInteger(*text);
  if (!value) {
    report(field, "expected a whole number, got `" + *text + "`");
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    report(field, (max == INT64_MAX
                       ? "must be at least " + std::to_string(min)
                       : "must be between " + std::to_string(min) + " and " + std::to_string(max)) +
                      ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ConfigReader::durationMs(const Field &field, int64_t minMs) {
  if (!field.node.IsScalar()) {
    report(field, "expected a duration like 10s, got " + describe(field.node));
    return std::nullopt;
  }
  const std::string &text = field.node.Scalar();
  std::optional<int64_t> value = parseDurationMs(text);
  if (!value) {
    std::string message = "expected a duration like 10s, got `" + text + "`";
    if (parseNumber(text))
      message += " (a number needs a unit: ms, s, m, h or d)";
    report(field, message);
    return std::nullopt;
  }
  if (*value < minMs) {
    report(field, minMs == 1 ? "must be longer than 0, got " + text
                             : "must be at least " + std::to_string(minMs) + "ms, got " + text);
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ConfigReader::sizeBytes(const Field &field, int64_t minBytes) {
  if (!field.node.IsScalar()) {
    report(field, "expected a size like 16MiB, got " + describe(field.node));
    return std::nullopt;
  }
  const std::string &text = field.node.Scalar();
  std::optional<int64_t> value = parseSizeBytes(text);
  if (!value) {
    report(field,
           "expected a size like 16MiB (units B, KiB, MiB, GiB, KB, MB, GB), got `" + text + "`");
    return std::nullopt;
  }
  if (*value < minBytes) {
    report(field, "must be at least " + std::to_string(minBytes) + " bytes, got " + text);
    return std::nullopt;
  }
  return value;
}

} // namespace pyvc::agent
