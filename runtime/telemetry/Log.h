// Log: structured logs, one JSON object per line on stderr (or any sink), with levels, and
// rate limiting so that an error repeated a million times is one line per interval with a count.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pyvc::telemetry {

enum class LogLevel { Debug, Info, Warn, Error };
const char *logLevelName(LogLevel level); // "debug", "info", "warn", "error"
// Parses "debug" / "info" / "warn" / "error"; false for anything else.
bool parseLogLevel(std::string_view text, LogLevel &level);

// Thread-safe. A line looks like
//   {"ts":"2026-12-07T18:12:01.123Z","level":"warn","event":"kernel_error","rule":"hot",...}
// with the fields in the order given.
class Logger {
public:
  using Sink = std::function<void(std::string_view line)>; // gets the line without its newline
  explicit Logger(LogLevel threshold = LogLevel::Info, Sink sink = {}); // default sink: stderr
  void setThreshold(LogLevel threshold);
  bool enabled(LogLevel level) const;

  void log(LogLevel level, std::string_view event, nlohmann::ordered_json fields = {});
  // Logs at most once per `interval` for the same `key`; the next line that is let through
  // carries "suppressed": N, how many were held back since the previous one.
  void logLimited(LogLevel level, std::string_view key, std::chrono::milliseconds interval,
                  std::string_view event, nlohmann::ordered_json fields = {});

private:
  struct Limit {
    std::chrono::steady_clock::time_point lastLogged;
    uint64_t suppressed = 0;
  };
  void write(LogLevel level, std::string_view event, nlohmann::ordered_json &&fields);
  mutable std::mutex mutex_;
  LogLevel threshold_;
  Sink sink_;
  std::unordered_map<std::string, Limit> limits_;
};

} // namespace pyvc::telemetry
