// ReadingDecoder: turns what sources receive (a JSON reading object, a CSV record, a plain-number
// MQTT payload) into the fields of one batch row, or a Rejection saying which RejectReason and
// which field. Shared by every source so a reading is judged the same way wherever it comes from.
#pragma once

#include "core/Result.h"
#include "ingest/Source.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace pyvc::ingest {

// What a reading must satisfy; the agent fills it from AgentConfig (maxReadingAgeMs,
// maxReadingSkewMs). Timestamps outside [now - maxAgeMs, now + maxSkewMs] are rejected; the bounds
// saturate, so INT64_MAX means "no bound".
struct ValidationLimits {
  int64_t maxAgeMs = 7LL * 24 * 3600 * 1000;
  int64_t maxSkewMs = 10LL * 60 * 1000;
  // Sensor names (and units) longer than this many bytes are rejected: 256 bytes holds any
  // reasonable dotted name, and the limit keeps one reading from bloating every later stage.
  size_t maxNameBytes = 256;
  size_t maxExtraDepth = 64; // `extra` may nest objects and arrays this deep (itself level 1)
};

// Why one reading could not become a row. `field` is empty when the reading as a whole is bad;
// `reading` is its index in a batch of several (an HTTP body, an MQTT array payload, a CSV line
// number when `line` is set).
struct Rejection {
  RejectReason reason = RejectReason::MalformedJson;
  std::string field;
  std::string problem; // "must be a number", lower-case, no trailing period
  std::optional<size_t> reading;
  std::optional<size_t> line;
};
// "line 7: field `value` is not finite (nan)", "reading 3: field `value` must be a number".
std::string describeRejection(const Rejection &rejection);

std::optional<Rejection> checkSensorName(std::string_view name, const ValidationLimits &limits);
std::optional<Rejection> checkTimestamp(int64_t timestampMs, int64_t nowMs,
                                        const ValidationLimits &limits);

// --- JSON ---------------------------------------------------------------------------------------

// Parses a JSON text that is one reading object or an array of them. Before the (exception-free
// to the caller) parse, a non-recursive byte scan refuses documents nested deeper than a reading's
// `extra` may be, naming the reading (TooDeep); numbers beyond double range are NotFinite; text
// that is not UTF-8 is MalformedJson, or InvalidName when the bad bytes are in "sensor".
std::optional<Rejection> parseJsonReadings(std::string_view text, const ValidationLimits &limits,
                                           nlohmann::json &document);

struct JsonReadingRules {
  bool sensorRequired = true;    // MQTT: the topic can name the sensor instead
  bool timestampRequired = true; // MQTT: a missing timestamp_ms means "now"
};

struct DecodedReading {
  std::string sensor; // empty when absent and not required
  int64_t timestampMs = 0;
  double value = 0.0;
  std::string unit;
  nlohmann::json extra; // null or an object
};

// One reading object (core/Reading.h's JSON form): known fields only, each of the right type and
// within the limits. A missing optional timestamp becomes `nowMs`.
std::optional<Rejection> decodeJsonReading(const nlohmann::json &object,
                                           const JsonReadingRules &rules, int64_t nowMs,
                                           const ValidationLimits &limits, DecodedReading &out);

// --- CSV ----------------------------------------------------------------------------------------

// Which column holds which field; from the header line "sensor,timestamp_ms,value[,unit]" (any
// order).
struct CsvColumns {
  int sensor = -1, timestampMs = -1, value = -1, unit = -1;
  int count = 0;
};
Result<CsvColumns> parseCsvHeader(std::string_view line);

// A decoded record; the views point into the record or into `scratch` (unquoted fields).
struct CsvRow {
  std::string_view sensor;
  int64_t timestampMs = 0;
  double value = 0.0;
  std::string_view unit;
};
struct CsvScratch {
  std::string sensor, unit;
};

// One record without its line terminator. Fields may be quoted as RFC 4180 says ("a ""b""",
// commas and line breaks inside quotes); numbers are parsed with std::from_chars, no allocation.
std::optional<Rejection> decodeCsvRecord(std::string_view record, const CsvColumns &columns,
                                         int64_t nowMs, const ValidationLimits &limits, CsvRow &out,
                                         CsvScratch &scratch);

// --- plain numbers ------------------------------------------------------------------------------

// An MQTT payload that is just a number ("21.5", " -3e2\n"). `nan` and `inf` are NotFinite.
std::optional<Rejection> decodeNumberPayload(std::string_view payload, double &value);

} // namespace pyvc::ingest
