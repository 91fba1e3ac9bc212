// Log: structured logs, one JSON object per line on stderr (or any sink), with levels, and
// rate limiting so that an error repeated a million times is one line per interval with a count.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
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

// Where a Logger reads the time: the wall clock for "ts", the steady clock for rate limits.
// Tests replace them to make both deterministic.
struct LogClocks {
  std::function<std::chrono::system_clock::time_point()> wall = [] {
    return std::chrono::system_clock::now();
  };
  std::function<std::chrono::steady_clock::time_point()> steady = [] {
    return std::chrono::steady_clock::now();
  };
};

// "2026-12-07T18:12:01.123Z": UTC, milliseconds, rounded down.
std::string formatLogTimestamp(std::chrono::system_clock::time_point time);

// Thread-safe. A line looks like
//   {"ts":"2026-12-07T18:12:01.123Z","level":"warn","event":"kernel_error","rule":"hot",...}
// with the fields in the order given. A field named like one of the line's own keys ("ts",
// "level", "event", "suppressed") is written with a leading underscore; fields that are not a
// JSON object go under "fields". Text that is not valid UTF-8 is written with U+FFFD in place
// of the bad bytes.
class Logger {
public:
  using Sink = std::function<void(std::string_view line)>; // gets the line without its newline
  // Default sink: stderr, one write() per line, so lines of several threads never interleave
  // (nor, up to PIPE_BUF = 4096 bytes a line, those of other processes writing to the same pipe).
  explicit Logger(LogLevel threshold = LogLevel::Info, Sink sink = {}, LogClocks clocks = {});
  void setThreshold(LogLevel threshold);
  bool enabled(LogLevel level) const;

  void log(LogLevel level, std::string_view event, nlohmann::ordered_json fields = {});
  // Logs at most once per `interval` for the same `key`; the next line that is let through
  // carries "suppressed": N, how many were held back since the previous one.
  void logLimited(LogLevel level, std::string_view key, std::chrono::milliseconds interval,
                  std::string_view event, nlohmann::ordered_json fields = {});
  // Writes, for every key with lines held back, the last of them with "suppressed" counting
  // the others; for shutdown, so that no count is lost.
  void flushSuppressed();

private:
  struct Limit {
    std::chrono::steady_clock::time_point lastLogged;
    std::chrono::milliseconds interval{0};
    uint64_t suppressed = 0;
    // The last line held back, for flushSuppressed().
    LogLevel lastLevel = LogLevel::Info;
    std::string lastEvent;
    nlohmann::ordered_json lastFields;
  };
  void write(LogLevel level, std::string_view event, nlohmann::ordered_json &&fields,
             uint64_t suppressed);
  void forgetQuietKeys(std::chrono::steady_clock::time_point now);

  std::atomic<LogLevel> threshold_;
  Sink sink_;
  LogClocks clocks_;
  std::mutex sinkMutex_; // one line at a time through the sink, in the order written
  std::mutex limitsMutex_;
  // Looked up by string_view, so that a held-back line allocates nothing for its key.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>()(key); }
  };
  std::unordered_map<std::string, Limit, KeyHash, std::equal_to<>> limits_;
};

} // namespace pyvc::telemetry
