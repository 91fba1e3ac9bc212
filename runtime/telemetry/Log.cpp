// Log: JSON lines, levels, and per-key rate limiting.
#include "telemetry/Log.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <vector>

namespace pyvc::telemetry {

namespace {

// Past this many keys, the ones that hold nothing back are forgotten (a key per sensor must not
// grow the map forever); forgetting them changes nothing, since their next line goes out anyway.
constexpr size_t kMaxQuietKeys = 4096;

void writeToStderr(std::string_view line) {
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer += '\n';
  const char *data = buffer.data();
  size_t left = buffer.size();
  while (left > 0) {
    ssize_t written = ::write(STDERR_FILENO, data, left);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return; // stderr is gone; there is nowhere left to report it
    data += written;
    left -= static_cast<size_t>(written);
  }
}

bool isReservedKey(const std::string &key) {
  return key == "ts" || key == "level" || key == "event" || key == "suppressed";
}

} // namespace

const char *logLevelName(LogLevel level) {
  switch (level) {
  case LogLevel::Debug:
    return "debug";
  case LogLevel::Info:
    return "info";
  case LogLevel::Warn:
    return "warn";
  case LogLevel::Error:
    return "error";
  }
  return "error";
}

bool parseLogLevel(std::string_view text, LogLevel &level) {
  for (LogLevel candidate : {LogLevel::Debug, LogLevel::Info, LogLevel::Warn, LogLevel::Error}) {
    if (text == logLevelName(candidate)) {
      level = candidate;
      return true;
    }
  }
  return false;
}

std::string formatLogTimestamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto milliseconds = floor<std::chrono::milliseconds>(time.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(milliseconds >= 0 ? milliseconds / 1000
                                                            : (milliseconds - 999) / 1000);
  int millisecond = static_cast<int>(milliseconds - static_cast<int64_t>(seconds) * 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millisecond);
  return buffer;
}

Logger::Logger(LogLevel threshold, Sink sink, LogClocks clocks)
    : threshold_(threshold), sink_(sink ? std::move(sink) : Sink(writeToStderr)),
      clocks_(std::move(clocks)) {}

void Logger::setThreshold(LogLevel threshold) {
  threshold_.store(threshold, std::memory_order_relaxed);
}

bool Logger::enabled(LogLevel level) const {
  return static_cast<int>(level) >= static_cast<int>(threshold_.load(std::memory_order_relaxed));
}

void Logger::log(LogLevel level, std::string_view event, nlohmann::ordered_json fields) {
  if (enabled(level))
    write(level, event, std::move(fields), 0);
}

void Logger::logLimited(LogLevel level, std::string_view key, std::chrono::milliseconds interval,
                        std::string_view event, nlohmann::ordered_json fields) {
  if (!enabled(level))
    return;
  auto now = clocks_.steady();
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(limitsMutex_);
    auto found = limits_.find(key);
    bool inserted = found == limits_.end();
    if (inserted)
      found = limits_.emplace(std::string(key), Limit{}).first;
    Limit &limit = found->second;
    if (!inserted && now - limit.lastLogged < interval) {
      ++limit.suppressed;
      limit.lastLevel = level;
      limit.lastEvent.assign(event);
      limit.lastFields = std::move(fields);
      return;
    }
    suppressed = limit.suppressed;
    limit.lastLogged = now;
    limit.interval = interval;
    limit.suppressed = 0;
    limit.lastFields = nullptr;
    if (inserted && limits_.size() > kMaxQuietKeys)
      forgetQuietKeys(now);
  }
  write(level, event, std::move(fields), suppressed);
}

void Logger::forgetQuietKeys(std::chrono::steady_clock::time_point now) {
  for (auto it = limits_.begin(); it != limits_.end();) {
    if (it->second.suppressed == 0 && now - it->second.lastLogged >= it->second.interval)
      it = limits_.erase(it);
    else
      ++it;
  }
}

void Logger::flushSuppressed() {
  struct HeldBack {
    LogLevel level;
    std::string event;
    nlohmann::ordered_json fields;
    uint64_t others;
  };
  std::vector<HeldBack> lines;
  {
    std::lock_guard lock(limitsMutex_);
    auto now = clocks_.steady();
    for (auto &[key, limit] : limits_) {
      if (limit.suppressed == 0)
        continue;
      lines.push_back({limit.lastLevel, std::move(limit.lastEvent), std::move(limit.lastFields),
                       limit.suppressed - 1});
      limit.suppressed = 0;
      limit.lastLogged = now;
      limit.lastFields = nullptr;
    }
  }
  for (HeldBack &line : lines)
    write(line.level, line.event, std::move(line.fields), line.others);
}

void Logger::write(LogLevel level, std::string_view event, nlohmann::ordered_json &&fields,
                   uint64_t suppressed) {
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  line["ts"] = formatLogTimestamp(clocks_.wall());
  line["level"] = logLevelName(level);
  line["event"] = std::string(event);
  if (fields.is_object()) {
    for (auto &[key, value] : fields.items())
      line[isReservedKey(key) ? "_" + key : key] = std::move(value);
  } else if (!fields.is_null()) {
    line["fields"] = std::move(fields);
  }
  if (suppressed > 0)
    line["suppressed"] = suppressed;
  // Replace, not throw: a sensor name with bad bytes must still produce its log line.
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::lock_guard lock(sinkMutex_);
  sink_(text);
}

} // namespace pyvc::telemetry
