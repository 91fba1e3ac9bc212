// ConfigReader: the typed reads the config loader is made of. Each read takes a YAML node with
// its key path, returns the value or nothing, and on nothing has recorded one problem with the
// file, line and path — so the loader keeps going and reports every problem in one pass.
// Internal to runtime/config.
#pragma once

#include "config/ConfigLoader.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pyvc::agent {

// A node and where it is: its key path ("pipelines[2].window.size") and its 1-based line.
struct Field {
  YAML::Node node;
  std::string path;
  int line = 0;
};

class ConfigReader {
public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  void report(int line, const std::string &path, std::string message);
  void report(const Field &field, std::string message) {
    report(field.line, field.path, std::move(message));
  }
  std::vector<ConfigProblem> &problems() { return problems_; }
  const std::string &file() const { return file_; }

  // Checks that `field` is a mapping, and that every key in it is in the key table for
  // `section` (keys of `kind` included); reports unknown and repeated keys. False (reported)
  // when it is not a mapping.
  bool checkMapping(const Field &field, std::string_view section, std::string_view kind = {},
                    std::string_view kindLabel = {});
  // The value under `key` of a mapping already checked, if the key is there.
  std::optional<Field> child(const Field &mapping, std::string_view key) const;
  // Like child(), but reports "is required" when the key is absent.
  std::optional<Field> required(const Field &mapping, std::string_view key,
                                std::string_view hint = {});
  // The elements of a sequence ("sources[0]", ...); reports and returns nothing for a non-list.
  std::optional<std::vector<Field>> sequence(const Field &field, std::string_view what);

  std::optional<std::string> string(const Field &field);
  std::optional<bool> boolean(const Field &field);
  // A number in [min, max] (min excluded when minExclusive).
  std::optional<double> number(const Field &field, double min, double max,
                               bool minExclusive = false);
  std::optional<int64_t> integer(const Field &field, int64_t min, int64_t max);
  // A duration in milliseconds, at least minMs.
  std::optional<int64_t> durationMs(const Field &field, int64_t minMs = 0);
  std::optional<int64_t> sizeBytes(const Field &field, int64_t minBytes = 0);
  // One of the named values; reports "expected one of a, b, c, got `x`".
  template <typename T>
  std::optional<T> choice(const Field &field,
                          std::initializer_list<std::pair<std::string_view, T>> options) {
    std::optional<std::string> text = string(field);
    if (!text)
      return std::nullopt;
    std::string names;
    for (const auto &[name, value] : options) {
      if (*text == name)
        return value;
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    report(field, "expected one of " + names + ", got `" + *text + "`");
    return std::nullopt;
  }

  // Describes what a node is, for "expected X, got Y" messages: "`ten`", "a list", "nothing".
  static std::string describe(const YAML::Node &node);

private:
  std::optional<std::string> plainScalar(const Field &field, std::string_view expected);

  std::string file_;
  std::vector<ConfigProblem> problems_;
};

// A field's own node, path and line.
Field fieldOf(const YAML::Node &node, std::string path);

} // namespace pyvc::agent
