// ReplaySource: readings from a CSV or JSONL file, in real time, scaled time or as fast as
// possible, once or in a loop. Bad lines are rejected with their line number and the rest go on.
#pragma once

#include "ingest/ReadingDecoder.h"
#include "ingest/SensorIdCache.h"
#include "ingest/Source.h"
#include "ingest/SourceConfig.h"
#include "ingest/StopSignal.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace pyvc::ingest {

class ReplaySource final : public Source {
public:
  ReplaySource(std::string name, uint32_t index, ReplayConfig config, ValidationLimits limits);
  ~ReplaySource() override;

  // Maps the file and reads the CSV header: a missing file or a bad header is an Error here.
  Result<void> start(ReadingSink &sink) override;
  void stop() override;
  bool finished() const override { return finished_.load(std::memory_order_acquire); }

private:
  struct Pass; // the state of one pass over the file
  void run(ReadingSink &sink);
  void replayOnce(ReadingSink &sink, Pass &pass);
  // The record starting at `position` (a CSV record may span lines inside quotes); advances
  // `position` and `line` past it.
  std::string_view nextRecord(size_t &position, size_t &line) const;
  void addRow(ReadingSink &sink, Pass &pass, std::string_view sensor, int64_t timestampMs,
              double value, std::string_view unit, nlohmann::json extra);
  bool flush(ReadingSink &sink, Pass &pass);

  ReplayConfig config_;
  ValidationLimits limits_;
  CsvColumns columns_;
  int fd_ = -1;
  const char *data_ = nullptr;
  size_t size_ = 0;
  size_t dataStart_ = 0; // after the CSV header
  size_t firstLine_ = 1; // the line number of the first data line
  StopSignal stop_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
};

} // namespace pyvc::ingest
