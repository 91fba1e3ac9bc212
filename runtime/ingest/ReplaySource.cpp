// File replay: the file is mapped once and read record by record with no allocation beyond the
// batch; see ReplaySource.h.
#include "ingest/ReplaySource.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

namespace pyvc::ingest {

namespace {

using Clock = std::chrono::steady_clock;

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

} // namespace

struct ReplaySource::Pass {
  explicit Pass(SensorNames &names) : ids(names) {}
  SensorIdCache ids;
  ReadingBatch batch;
  CsvScratch scratch;
  int64_t nowMs = 0;
  // Pacing: the first reading's (shifted) timestamp and when it was replayed.
  std::optional<int64_t> firstMs;
  Clock::time_point firstAt;
  // Looping: what is added to every timestamp in this pass, and the range seen in it.
  int64_t offsetMs = 0;
  int64_t minMs = INT64_MAX, maxMs = INT64_MIN;
  uint64_t readings = 0;
  bool stopped = false;
};

ReplaySource::ReplaySource(std::string name, uint32_t index, ReplayConfig config,
                           ValidationLimits limits)
    : Source(std::move(name), index), config_(std::move(config)), limits_(limits) {}

ReplaySource::~ReplaySource() {
  stop();
  if (data_)
    munmap(const_cast<char *>(data_), size_);
  if (fd_ >= 0)
    close(fd_);
}

Result<void> ReplaySource::start(ReadingSink &sink) {
  if (thread_.joinable())
    return makeError("replay source `" + name() + "` is already running");
  if (config_.pacing == ReplayPacing::Scaled &&
      !(config_.speed > 0 && std::isfinite(config_.speed)))
    return makeError("replay source `" + name() + "`: speed must be a positive number");
  if (!data_) {
    fd_ = open(config_.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      return makeError("replay source `" + name() + "`: cannot open " + config_.path + ": " +
                       std::strerror(errno));
    struct stat status {};
    if (fstat(fd_, &status) != 0)
      return makeError("replay source `" + name() + "`: cannot stat " + config_.path + ": " +
                       std::strerror(errno));
    size_ = size_t(status.st_size);
    if (size_ > 0) {
      void *mapped = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (mapped == MAP_FAILED)
        return makeError("replay source `" + name() + "`: cannot map " + config_.path + ": " +
                         std::strerror(errno));
      madvise(mapped, size_, MADV_SEQUENTIAL);
      data_ = static_cast<const char *>(mapped);
    }
  }
  if (config_.format == ReplayFormat::Csv) {
    size_t position = 0, line = 1;
    std::string_view header = nextRecord(position, line);
    if (header.empty())
      return makeError("replay source `" + name() + "`: " + config_.path +
                       " has no CSV header (sensor,timestamp_ms,value[,unit])");
    Result<CsvColumns> columns = parseCsvHeader(header);
    if (!columns)
      return makeError("replay source `" + name() + "`: " + config_.path +
                       ":1: " + columns.error().message);
    columns_ = *columns;
    dataStart_ = position;
    firstLine_ = line;
  }
  finished_.store(false, std::memory_order_release);
  stop_.reset();
  thread_ = std::thread([this, &sink] { run(sink); });
  return {};
}

void ReplaySource::stop() {
  stop_.raise();
  if (thread_.joinable())
    thread_.join();
}

std::string_view ReplaySource::nextRecord(size_t &position, size_t &line) const {
  size_t begin = position, end = position;
  while (true) {
    const void *newline = end < size_ ? std::memchr(data_ + end, '\n', size_ - end) : nullptr;
    end = newline ? size_t(static_cast<const char *>(newline) - data_) : size_;
    ++line;
    // Inside quotes a line break belongs to the field: an odd number of quotes so far means the
    // record goes on (only CSV quotes that way).
    if (config_.format != ReplayFormat::Csv || end >= size_ ||
        !std::memchr(data_ + begin, '"', end - begin))
      break;
    size_t quotes = 0;
    for (size_t i = begin; i < end; ++i)
      quotes += data_[i] == '"';
    if (quotes % 2 == 0)
      break;
    ++end; // past the newline, and look for the next one
  }
  position = end < size_ ? end + 1 : size_;
  std::string_view record(data_ + begin, end - begin);
  if (!record.empty() && record.back() == '\r')
    record.remove_suffix(1);
  return record;
}

bool ReplaySource::flush(ReadingSink &sink, Pass &pass) {
  if (pass.batch.empty())
    return true;
  size_t rows = pass.batch.size();
  pass.batch.source = index();
  pass.batch.ingestedAtNs = steadyNowNs();
  while (!stop_.raised()) {
    if (sink.offer(pass.batch, std::chrono::milliseconds(100))) {
      counters_.addAccepted(rows);
      pass.batch = ReadingBatch();
      pass.batch.reserve(config_.batchSize);
      pass.nowMs = sink.nowMs();
      return true;
    }
  }
  counters_.addDropped(SourceDropReason::Stopping, rows);
  pass.batch = ReadingBatch();
  pass.stopped = true;
  return false;
}

void ReplaySource::addRow(ReadingSink &sink, Pass &pass, std::string_view sensor,
                          int64_t timestampMs, double value, std::string_view unit,
                          nlohmann::json extra) {
  int64_t shiftedMs = timestampMs + pass.offsetMs;
  pass.minMs = std::min(pass.minMs, timestampMs);
  pass.maxMs = std::max(pass.maxMs, timestampMs);
  ++pass.readings;
  if (config_.pacing != ReplayPacing::AsFastAsPossible) {
    if (!pass.firstMs) {
      pass.firstMs = shiftedMs;
      pass.firstAt = Clock::now();
    }
    double speed = config_.pacing == ReplayPacing::Scaled ? config_.speed : 1.0;
    auto due =
        pass.firstAt +
        std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double, std::milli>(double(shiftedMs - *pass.firstMs) / speed));
    if (due > Clock::now() + std::chrono::milliseconds(1)) {
      // What is due now goes out before we sleep, so nothing waits in a half-full batch.
      if (!flush(sink, pass) || stop_.waitUntil(due)) {
        pass.stopped = true;
        counters_.addDropped(SourceDropReason::Stopping, 1);
        return;
      }
    }
  }
  SensorId id = pass.ids.idOf(sensor);
  if (unit.empty() && extra.is_null())
    pass.batch.append(id, shiftedMs, value);
  else
    pass.batch.append(id, shiftedMs, value, std::string(unit), std::move(extra));
  if (pass.batch.size() >= config_.batchSize)
    flush(sink, pass);
}

void ReplaySource::replayOnce(ReadingSink &sink, Pass &pass) {
  size_t position = config_.format == ReplayFormat::Csv ? dataStart_ : 0;
  size_t line = config_.format == ReplayFormat::Csv ? firstLine_ - 1 : 0;
  JsonReadingRules rules;
  CsvRow row;
  DecodedReading decoded;
  nlohmann::json document;
  // Counted locally and published every few thousand records: two atomic adds per line would
  // cost a tenth of the parse rate.
  uint64_t received = 0;
  size_t published = position;
  auto publish = [&] {
    counters_.addReceived(received);
    counters_.addBytes(position - published);
    received = 0;
    published = position;
  };
  while (position < size_ && !pass.stopped) {
    size_t recordLine = line + 1; // a quoted line break makes a record span several lines
    std::string_view record = nextRecord(position, line);
    if (record.find_first_not_of(" \t") == std::string_view::npos)
      continue; // blank lines are not readings
    if (++received == 4096)
      publish();
    // Shifted timestamps are checked against the clock: checking the file's own timestamp
    // against now - offset is the same test.
    int64_t checkNowMs = pass.nowMs - pass.offsetMs;
    std::optional<Rejection> rejection;
    if (config_.format == ReplayFormat::Csv) {
      rejection = decodeCsvRecord(record, columns_, checkNowMs, limits_, row, pass.scratch);
      if (!rejection) {
        addRow(sink, pass, row.sensor, row.timestampMs, row.value, row.unit, nlohmann::json());
        continue;
      }
    } else {
      rejection = parseJsonReadings(record, limits_, document);
      if (!rejection)
        rejection = decodeJsonReading(document, rules, checkNowMs, limits_, decoded);
      if (!rejection) {
        addRow(sink, pass, decoded.sensor, decoded.timestampMs, decoded.value, decoded.unit,
               std::move(decoded.extra));
        continue;
      }
    }
    rejection->line = recordLine;
    rejectReading(sink, rejection->reason, describeRejection(*rejection), record);
  }
  publish();
}

void ReplaySource::run(ReadingSink &sink) {
  Pass pass(sink.sensorNames());
  pass.batch.reserve(config_.batchSize);
  pass.nowMs = sink.nowMs();
  while (!pass.stopped) {
    pass.minMs = INT64_MAX;
    pass.maxMs = INT64_MIN;
    pass.readings = 0;
    replayOnce(sink, pass);
    if (pass.stopped || !flush(sink, pass))
      return;
    if (!config_.loop || pass.readings == 0) {
      finished_.store(true, std::memory_order_release);
      return;
    }
    // The next pass starts one average gap after this one ended, so timestamps keep increasing
    // at the file's own spacing.
    int64_t span = pass.maxMs - pass.minMs;
    int64_t gap = pass.readings > 1 ? std::max<int64_t>(1, span / int64_t(pass.readings - 1)) : 1;
    pass.offsetMs += span + gap;
  }
}

} // namespace pyvc::ingest
