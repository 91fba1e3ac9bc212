// File replay: exact contents from CSV and JSONL, bad lines set aside with their line numbers,
// pacing in scaled and real time, looping, back-pressure, and the CSV parse rate.
#include "RecordingSink.h"
#include "TemporaryFolder.h"

#include "ingest/ReplaySource.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace pyvc::ingest {
namespace {

using testing::RecordedRow;
using testing::RecordingSink;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int64_t Now = 1'700'000'000'000;

std::string writeFile(const pyvc::testing::TemporaryFolder &folder, const std::string &name,
                      const std::string &text) {
  std::string path = (folder / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

ValidationLimits dayLimits() {
  ValidationLimits limits;
  limits.maxAgeMs = 24LL * 3600 * 1000;
  limits.maxSkewMs = 24LL * 3600 * 1000;
  return limits;
}

bool waitFinished(const Source &source, std::chrono::milliseconds guard) {
  auto deadline = Clock::now() + guard;
  while (!source.finished() && Clock::now() < deadline)
    std::this_thread::sleep_for(2ms);
  return source.finished();
}

TEST(ReplayTest, CsvContentsExactAndBadLinesSetAsideWithTheirNumbers) {
  pyvc::testing::TemporaryFolder folder;
  std::string path = writeFile(folder, "in.csv",
                               "sensor,timestamp_ms,value,unit\r\n"            // line 1
                               "temp.room1,1700000000000,21.5,C\r\n"           // 2
                               "\"hall, \"\"north\"\"\",1700000000100,-3,\r\n" // 3
                               "temp.room1,1700000000200,nan,C\n"              // 4: not finite
                               "\n"                                            // 5: blank
                               "\"multi\nline\",1700000000300,1e3,K\n"         // 6-7
                               "temp.room1,1700000000400,warm,C\n"             // 8: wrong type
                               "temp.room2,1700000000500,7\n"                  // 9: 3 columns
                               "temp.room2,1700000000600,8,\"%\"");            // 10, no newline
  RecordingSink sink(Now);
  ReplayConfig config;
  config.path = path;
  ReplaySource source("replay", 2, config, dayLimits());
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(waitFinished(source, 5s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].sensor, "temp.room1");
  EXPECT_EQ(rows[0].timestampMs, 1700000000000);
  EXPECT_EQ(rows[0].value, 21.5);
  EXPECT_EQ(rows[0].unit, "C");
  EXPECT_EQ(rows[1].sensor, "hall, \"north\"");
  EXPECT_EQ(rows[1].value, -3.0);
  EXPECT_EQ(rows[1].unit, "");
  EXPECT_EQ(rows[2].sensor, "multi\nline");
  EXPECT_EQ(rows[2].timestampMs, 1700000000300);
  EXPECT_EQ(rows[2].value, 1000.0);
  EXPECT_EQ(rows[2].unit, "K");
  EXPECT_EQ(rows[3].sensor, "temp.room2");
  EXPECT_EQ(rows[3].unit, "%");
  std::vector<RejectedReading> rejected = sink.rejected();
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].reason, RejectReason::NotFinite);
  EXPECT_EQ(rejected[0].detail, "line 4: field `value` is not finite (nan)");
  EXPECT_EQ(rejected[0].raw, "temp.room1,1700000000200,nan,C");
  EXPECT_EQ(rejected[0].source, 2u);
  EXPECT_EQ(rejected[1].reason, RejectReason::WrongType);
  EXPECT_EQ(rejected[1].detail, "line 8: field `value` must be a number");
  EXPECT_EQ(rejected[2].reason, RejectReason::MalformedCsv);
  EXPECT_EQ(rejected[2].detail, "line 9: has 3 columns, the header 4");
  SourceStats stats = source.stats();
  EXPECT_EQ(stats.received, 7u);
  EXPECT_EQ(stats.accepted, 4u);
  EXPECT_EQ(stats.rejected[size_t(RejectReason::NotFinite)], 1u);
  EXPECT_EQ(stats.rejected[size_t(RejectReason::WrongType)], 1u);
  EXPECT_EQ(stats.rejected[size_t(RejectReason::MalformedCsv)], 1u);
}

TEST(ReplayTest, JsonlContentsExactAndBadLinesSetAside) {
  pyvc::testing::TemporaryFolder folder;
  std::string path =
      writeFile(folder, "in.jsonl",
                "{\"sensor\":\"a\",\"timestamp_ms\":1700000000000,\"value\":1.25,\"unit\":\"C\","
                "\"extra\":{\"owner\":\"alice\"}}\n"
                "{\"sensor\":\"a\",\"timestamp_ms\":1700000000001,\"value\":\"NaN\"}\n"
                "{\"sensor\":\"b\",\"timestamp_ms\":1700000000002\n"
                "{\"sensor\":\"b\",\"timestamp_ms\":1500000000000,\"value\":2}\n"
                "\n"
                "{\"sensor\":\"b\",\"timestamp_ms\":1700000000003,\"value\":2}\n");
  RecordingSink sink(Now);
  ReplayConfig config;
  config.path = path;
  config.format = ReplayFormat::Jsonl;
  ReplaySource source("replay", 0, config, dayLimits());
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(waitFinished(source, 5s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].sensor, "a");
  EXPECT_EQ(rows[0].value, 1.25);
  EXPECT_EQ(rows[0].unit, "C");
  EXPECT_EQ(rows[0].extra, nlohmann::json({{"owner", "alice"}}));
  EXPECT_EQ(rows[1].sensor, "b");
  EXPECT_EQ(rows[1].timestampMs, 1700000000003);
  std::vector<RejectedReading> rejected = sink.rejected();
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_EQ(rejected[0].reason, RejectReason::WrongType);
  EXPECT_EQ(rejected[0].detail, "line 2: field `value` must be a number");
  EXPECT_EQ(rejected[1].reason, RejectReason::MalformedJson);
  EXPECT_EQ(rejected[1].detail.rfind("line 3: is not valid JSON", 0), 0u) << rejected[1].detail;
  EXPECT_EQ(rejected[2].reason, RejectReason::TimestampOutOfRange);
  EXPECT_EQ(rejected[2].detail.rfind("line 4: field `timestamp_ms`", 0), 0u);
}

TEST(ReplayTest, MissingFileOrBadHeaderIsAnErrorAtStart) {
  pyvc::testing::TemporaryFolder folder;
  RecordingSink sink(Now);
  ReplayConfig config;
  config.path = (folder / "absent.csv").string();
  ReplaySource missing("replay", 0, config, dayLimits());
  Result<void> started = missing.start(sink);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message,
            "replay source `replay`: cannot open " + config.path + ": No such file or directory");
  config.path = writeFile(folder, "bad.csv", "sensor,when,value\na,1,2\n");
  ReplaySource badHeader("replay", 0, config, dayLimits());
  started = badHeader.start(sink);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message,
            "replay source `replay`: " + config.path +
                ":1: csv header: unknown column `when` (expected sensor, timestamp_ms, value and "
                "optionally unit)");
  config.path = writeFile(folder, "empty.csv", "");
  ReplaySource empty("replay", 0, config, dayLimits());
  EXPECT_FALSE(empty.start(sink).ok());
}

// 21 readings 100 ms apart: a file of 2 s.
std::string twoSecondFile(const pyvc::testing::TemporaryFolder &folder) {
  std::string text = "sensor,timestamp_ms,value\n";
  for (int i = 0; i <= 20; ++i)
    text += "s," + std::to_string(Now + i * 100) + "," + std::to_string(i) + "\n";
  return writeFile(folder, "paced.csv", text);
}

TEST(ReplayTest, ScaledPacingDividesTheGaps) {
  pyvc::testing::TemporaryFolder folder;
  RecordingSink sink(Now);
  ReplayConfig config;
  config.path = twoSecondFile(folder);
  config.pacing = ReplayPacing::Scaled;
  config.speed = 10.0;
  ReplaySource source("replay", 0, config, dayLimits());
  auto begin = Clock::now();
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(waitFinished(source, 5s));
  double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  source.stop();
  EXPECT_EQ(sink.rowCount(), 21u);
  EXPECT_GE(seconds, 0.19);
  EXPECT_LT(seconds, 0.8);
  // Paced readings leave as they fall due, not in one batch at the end.
  EXPECT_GE(sink.batchSizes().size(), 15u);
}

TEST(ReplayTest, RealTimePacingWaitsOutTheGaps) {
  pyvc::testing::TemporaryFolder folder;
  RecordingSink sink(Now);
  std::string path = writeFile(folder, "rt.csv",
                               "sensor,timestamp_ms,value\ns," + std::to_string(Now) + ",1\ns," +
                                   std::to_string(Now + 300) + ",2\n");
  ReplayConfig config;
  config.path = path;
  config.pacing = ReplayPacing::RealTime;
  ReplaySource source("replay", 0, config, dayLimits());
  auto begin = Clock::now();
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(sink.waitForRows(1, 2s));
  EXPECT_EQ(sink.rowCount(), 1u); // the second is 300 ms later
  ASSERT_TRUE(waitFinished(source, 5s));
  EXPECT_GE(Clock::now() - begin, 295ms);
  source.stop();
  EXPECT_EQ(sink.rowCount(), 2u);
}

TEST(ReplayTest, LoopShiftsTimestampsToKeepIncreasing) {
  pyvc::testing::TemporaryFolder folder;
  RecordingSink sink(Now);
  std::string path = writeFile(
      folder, "loop.jsonl",
      "{\"sensor\":\"s\",\"timestamp_ms\":" + std::to_string(Now) +
          ",\"value\":1}\n{\"sensor\":\"s\",\"timestamp_ms\":" + std::to_string(Now + 10) +
          ",\"value\":2}\n{\"sensor\":\"s\",\"timestamp_ms\":" + std::to_string(Now + 20) +
          ",\"value\":3}\n");
  ReplayConfig config;
  config.path = path;
  config.format = ReplayFormat::Jsonl;
  config.loop = true;
  config.batchSize = 2;
  ReplaySource source("replay", 0, config, dayLimits());
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(sink.waitForRows(9, 5s));
  source.stop();
  EXPECT_FALSE(source.finished());
  std::vector<RecordedRow> rows = sink.rows();
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(rows[i].timestampMs, Now + int64_t(i) * 10) << i; // one average gap between passes
    EXPECT_EQ(rows[i].value, double(i % 3 + 1)) << i;
  }
}

TEST(ReplayTest, BackPressureWaitsAndLosesNothing) {
  pyvc::testing::TemporaryFolder folder;
  std::string text = "sensor,timestamp_ms,value\n";
  for (int i = 0; i < 10000; ++i)
    text += "s" + std::to_string(i % 10) + "," + std::to_string(Now + i) + "," + std::to_string(i) +
            "\n";
  RecordingSink sink(Now);
  sink.setFull(true);
  ReplayConfig config;
  config.path = writeFile(folder, "big.csv", text);
  config.batchSize = 1000;
  ReplaySource source("replay", 0, config, dayLimits());
  ASSERT_TRUE(source.start(sink).ok());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(sink.rowCount(), 0u);
  EXPECT_FALSE(source.finished());
  sink.setFull(false);
  ASSERT_TRUE(waitFinished(source, 10s));
  source.stop();
  std::vector<RecordedRow> rows = sink.rows();
  ASSERT_EQ(rows.size(), 10000u);
  for (int i = 0; i < 10000; ++i)
    ASSERT_EQ(rows[size_t(i)].value, double(i));
  EXPECT_EQ(source.stats().dropped[size_t(SourceDropReason::BudgetFull)], 0u);
  EXPECT_EQ(source.stats().dropped[size_t(SourceDropReason::Stopping)], 0u);
}

// A sink that only counts, so the measurement is the replay's own parse rate.
class CountingSink final : public ReadingSink {
public:
  bool offer(ReadingBatch &batch, std::chrono::milliseconds) override {
    rows += batch.size();
    batch = ReadingBatch();
    return true;
  }
  void reject(RejectedReading) override { ++rejected; }
  SensorNames &sensorNames() override { return names; }
  int64_t nowMs() const override { return Now; }
  std::atomic<size_t> rows{0}, rejected{0};
  SensorNames names;
};

TEST(ReplayTest, CsvParseRate) {
  pyvc::testing::TemporaryFolder folder;
  constexpr int Lines = 2'000'000;
  std::string path = (folder / "rate.csv").string();
  {
    FILE *file = std::fopen(path.c_str(), "w");
    std::fputs("sensor,timestamp_ms,value\n", file);
    for (int i = 0; i < Lines; ++i)
      std::fprintf(file, "gateway.sensor.%d,%lld,%.3f\n", i % 1000, (long long)(Now + i / 10),
                   20.0 + (i % 997) * 0.013);
    std::fclose(file);
  }
  CountingSink sink;
  ReplayConfig config;
  config.path = path;
  ReplaySource source("replay", 0, config, dayLimits());
  auto begin = Clock::now();
  ASSERT_TRUE(source.start(sink).ok());
  ASSERT_TRUE(waitFinished(source, 60s));
  double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  source.stop();
  EXPECT_EQ(sink.rows.load(), size_t(Lines));
  EXPECT_EQ(sink.rejected.load(), 0u);
  double rate = Lines / seconds;
  std::printf("csv replay: %d lines in %.3f s = %.2f million lines/s\n", Lines, seconds,
              rate / 1e6);
  RecordProperty("lines_per_second", std::to_string(int64_t(rate)));
  EXPECT_GT(rate, 300'000.0); // a floor for a loaded CI machine; see the printed figure
}

} // namespace
} // namespace pyvc::ingest
