// Logger: the exact JSON line, field order, level filtering, rate limiting on an injected clock,
// bytes that are not UTF-8, and whole lines on the real stderr from several threads.
#include "telemetry/Log.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace pyvc::telemetry;
using namespace std::chrono_literals;

namespace {

// 2026-12-07T18:12:01Z is 1796667121 s after the epoch (computed with Python's datetime).
const std::chrono::system_clock::time_point kWallTime =
    std::chrono::system_clock::time_point(std::chrono::milliseconds(1796667121123LL));

struct CapturedLog {
  std::vector<std::string> lines;
  std::chrono::steady_clock::time_point steadyNow{};

  Logger makeLogger(LogLevel threshold) {
    LogClocks clocks;
    clocks.wall = [] { return kWallTime; };
    clocks.steady = [this] { return steadyNow; };
    return Logger(
        threshold, [this](std::string_view line) { lines.emplace_back(line); }, clocks);
  }
};

TEST(Log, ExactLineWithFieldsInOrder) {
  CapturedLog captured;
  Logger logger = captured.makeLogger(LogLevel::Info);
  logger.log(LogLevel::Warn, "kernel_error",
             {{"rule", "hot"}, {"input", {1.5, 0.0}}, {"count", 3}, {"a", nullptr}});
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_EQ(captured.lines[0], R"({"ts":"2026-12-07T18:12:01.123Z","level":"warn",)"
                               R"("event":"kernel_error","rule":"hot","input":[1.5,0.0],)"
                               R"("count":3,"a":null})");
  auto parsed = nlohmann::ordered_json::parse(captured.lines[0]);
  std::vector<std::string> keys;
  for (auto &[key, value] : parsed.items())
    keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"ts", "level", "event", "rule", "input", "count", "a"}));
}

TEST(Log, ReservedAndNonObjectFields) {
  CapturedLog captured;
  Logger logger = captured.makeLogger(LogLevel::Debug);
  logger.log(LogLevel::Info, "start", {{"level", "x"}, {"event", 1}, {"ts", 2}, {"z", 3}});
  logger.log(LogLevel::Info, "odd", nlohmann::ordered_json::array({1, 2}));
  logger.log(LogLevel::Info, "bare");
  ASSERT_EQ(captured.lines.size(), 3u);
  EXPECT_EQ(captured.lines[0], R"({"ts":"2026-12-07T18:12:01.123Z","level":"info",)"
                               R"("event":"start","_level":"x","_event":1,"_ts":2,"z":3})");
  EXPECT_EQ(captured.lines[1], R"({"ts":"2026-12-07T18:12:01.123Z","level":"info",)"
                               R"("event":"odd","fields":[1,2]})");
  EXPECT_EQ(captured.lines[2], R"({"ts":"2026-12-07T18:12:01.123Z","level":"info",)"
                               R"("event":"bare"})");
}

TEST(Log, TimestampsAreUtcWithMilliseconds) {
  using std::chrono::milliseconds;
  using TimePoint = std::chrono::system_clock::time_point;
  EXPECT_EQ(formatLogTimestamp(TimePoint(milliseconds(0))), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatLogTimestamp(TimePoint(milliseconds(-1))), "1969-12-31T23:59:59.999Z");
  // 2024-02-29T23:59:59Z is 1709251199 s (Python's datetime); a leap day, 999 ms.
  EXPECT_EQ(formatLogTimestamp(TimePoint(milliseconds(1709251199999LL))),
            "2024-02-29T23:59:59.999Z");
  // Sub-millisecond parts are cut, not rounded up into the next second.
  EXPECT_EQ(formatLogTimestamp(TimePoint(std::chrono::microseconds(1709251199999999LL))),
            "2024-02-29T23:59:59.999Z");
}

TEST(Log, LevelsBelowTheThresholdAreDropped) {
  CapturedLog captured;
  Logger logger = captured.makeLogger(LogLevel::Warn);
  EXPECT_FALSE(logger.enabled(LogLevel::Debug));
  EXPECT_FALSE(logger.enabled(LogLevel::Info));
  EXPECT_TRUE(logger.enabled(LogLevel::Warn));
  EXPECT_TRUE(logger.enabled(LogLevel::Error));
  logger.log(LogLevel::Debug, "d");
  logger.log(LogLevel::Info, "i");
  logger.log(LogLevel::Warn, "w");
  logger.log(LogLevel::Error, "e");
  logger.setThreshold(LogLevel::Debug);
  logger.log(LogLevel::Debug, "d2");
  ASSERT_EQ(captured.lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(captured.lines[0])["event"], "w");
  EXPECT_EQ(nlohmann::json::parse(captured.lines[1])["event"], "e");
  EXPECT_EQ(nlohmann::json::parse(captured.lines[2])["event"], "d2");
  EXPECT_EQ(nlohmann::json::parse(captured.lines[2])["level"], "debug");
}

TEST(Log, ParseLogLevel) {
  LogLevel level = LogLevel::Info;
  EXPECT_TRUE(parseLogLevel("debug", level));
  EXPECT_EQ(level, LogLevel::Debug);
  EXPECT_TRUE(parseLogLevel("error", level));
  EXPECT_EQ(level, LogLevel::Error);
  EXPECT_TRUE(parseLogLevel("warn", level));
  EXPECT_EQ(level, LogLevel::Warn);
  EXPECT_TRUE(parseLogLevel("info", level));
  EXPECT_EQ(level, LogLevel::Info);
  for (const char *bad : {"", "WARN", "warning", "info ", "trace"}) {
    level = LogLevel::Error;
    EXPECT_FALSE(parseLogLevel(bad, level)) << bad;
    EXPECT_EQ(level, LogLevel::Error) << "a failed parse leaves the level alone";
  }
}

TEST(Log, RateLimitedLinesCarryTheirCount) {
  CapturedLog captured;
  Logger logger = captured.makeLogger(LogLevel::Info);
  auto limited = [&](const char *key, int input) {
    logger.logLimited(LogLevel::Error, key, 1000ms, "kernel_error", {{"input", input}});
  };
  auto at = [&](int milliseconds) {
    captured.steadyNow =
        std::chrono::steady_clock::time_point(std::chrono::milliseconds(milliseconds));
  };
  at(0);
  limited("rule_a", 1); // first: out
  at(100);
  limited("rule_a", 2);
  limited("rule_b", 3); // another key: out
  at(999);
  limited("rule_a", 4);
  limited("rule_a", 5);
  at(1000);
  limited("rule_a", 6); // the interval has passed: out, with 3 held back (2, 4, 5)
  at(1500);
  limited("rule_a", 7);
  at(2000);
  limited("rule_a", 8); // out, 1 held back
  at(2100);
  limited("rule_a", 9);
  limited("rule_a", 10);
  ASSERT_EQ(captured.lines.size(), 4u);
  auto line = [&](size_t i) { return nlohmann::ordered_json::parse(captured.lines[i]); };
  EXPECT_EQ(line(0)["input"], 1);
  EXPECT_FALSE(line(0).contains("suppressed"));
  EXPECT_EQ(line(1)["input"], 3);
  EXPECT_FALSE(line(1).contains("suppressed"));
  EXPECT_EQ(captured.lines[2], R"({"ts":"2026-12-07T18:12:01.123Z","level":"error",)"
                               R"("event":"kernel_error","input":6,"suppressed":3})");
  EXPECT_EQ(line(3)["input"], 8);
  EXPECT_EQ(line(3)["suppressed"], 1);

  // At shutdown, the last held-back line (10) goes out with the other one (9) counted.
  logger.flushSuppressed();
  ASSERT_EQ(captured.lines.size(), 5u);
  EXPECT_EQ(line(4)["input"], 10);
  EXPECT_EQ(line(4)["suppressed"], 1);
  logger.flushSuppressed();
  EXPECT_EQ(captured.lines.size(), 5u) << "nothing is held back any more";

  // Below the threshold nothing is logged or counted.
  logger.setThreshold(LogLevel::Error);
  at(10000);
  logger.logLimited(LogLevel::Warn, "rule_a", 1000ms, "quiet");
  logger.logLimited(LogLevel::Error, "rule_a", 1000ms, "loud");
  ASSERT_EQ(captured.lines.size(), 6u);
  EXPECT_FALSE(line(5).contains("suppressed"));
}

TEST(Log, ManyKeysStayBounded) {
  CapturedLog captured;
  Logger logger = captured.makeLogger(LogLevel::Info);
  // 20,000 keys, each logged once and quiet afterwards: all lines go out, none is lost.
  for (int i = 0; i < 20000; ++i) {
    captured.steadyNow = std::chrono::steady_clock::time_point(std::chrono::milliseconds(i * 10));
    logger.logLimited(LogLevel::Warn, "sensor_" + std::to_string(i), 5ms, "late");
  }
  EXPECT_EQ(captured.lines.size(), 20000u);
  // A key held back survives the pruning: its count arrives later.
  captured.steadyNow = std::chrono::steady_clock::time_point(std::chrono::seconds(1000));
  logger.logLimited(LogLevel::Warn, "busy", 1000ms, "x");
  logger.logLimited(LogLevel::Warn, "busy", 1000ms, "x");
  for (int i = 0; i < 10000; ++i)
    logger.logLimited(LogLevel::Warn, "other_" + std::to_string(i), 0ms, "y");
  captured.steadyNow += std::chrono::seconds(2);
  logger.logLimited(LogLevel::Warn, "busy", 1000ms, "x");
  EXPECT_EQ(nlohmann::json::parse(captured.lines.back())["suppressed"], 1);
}

TEST(Log, InvalidUtf8DoesNotThrow) {
  CapturedLog captured;
  Logger logger = captured.makeLogger(LogLevel::Info);
  std::string bad = "temp\xff\xfe_sensor";
  EXPECT_NO_THROW(logger.log(LogLevel::Warn,
                             "bad\xc3\x28"
                             "event",
                             {{"sensor", bad}, {"key\x80", 1}, {"nested", {{"x", bad}}}}));
  ASSERT_EQ(captured.lines.size(), 1u);
  nlohmann::json parsed;
  ASSERT_NO_THROW(parsed = nlohmann::json::parse(captured.lines[0])) << captured.lines[0];
  EXPECT_EQ(parsed["sensor"], "temp\xEF\xBF\xBD\xEF\xBF\xBD_sensor");
  EXPECT_EQ(parsed["event"], "bad\xEF\xBF\xBD(event");
  EXPECT_EQ(parsed["nested"]["x"], "temp\xEF\xBF\xBD\xEF\xBF\xBD_sensor");
  EXPECT_EQ(parsed["key\xEF\xBF\xBD"], 1);
}

// The default sink: fd 2 pointed at a file while 4 threads log; every line must come out whole.
TEST(Log, DefaultSinkWritesWholeLinesFromThreads) {
  pyvc::testing::TemporaryFolder folder;
  std::string path = (folder / "stderr.log").string();
  int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(file, 0);
  std::fflush(stderr);
  int savedStderr = ::dup(STDERR_FILENO);
  ASSERT_GE(savedStderr, 0);
  ::dup2(file, STDERR_FILENO);
  constexpr int kThreads = 4, kLines = 500;
  {
    Logger logger(LogLevel::Info);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&logger, t] {
        std::string padding(300, char('a' + t));
        for (int i = 0; i < kLines; ++i)
          logger.log(LogLevel::Info, "tick", {{"thread", t}, {"seq", i}, {"padding", padding}});
      });
    }
    for (std::thread &thread : threads)
      thread.join();
  }
  ::dup2(savedStderr, STDERR_FILENO);
  ::close(savedStderr);
  ::close(file);

  std::ifstream in(path);
  std::string text;
  std::vector<int> nextSeq(kThreads, 0);
  int lines = 0;
  while (std::getline(in, text)) {
    ++lines;
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(text)) << text;
    int thread = parsed["thread"];
    ASSERT_GE(thread, 0);
    ASSERT_LT(thread, kThreads);
    EXPECT_EQ(parsed["seq"], nextSeq[thread]) << "lines of one thread stay in order";
    EXPECT_EQ(parsed["padding"], std::string(300, char('a' + thread)));
    ++nextSeq[thread];
  }
  EXPECT_EQ(lines, kThreads * kLines);
}

} // namespace
