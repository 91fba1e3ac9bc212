// Reading: the one value every runtime stage passes along (firewall, store, sync queue,
// uplinks), and its JSON form used in queue payloads and uplink bodies.
#pragma once

#include "core/Result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc {

// One sensor reading.
//
// - `sensor` may hold any bytes on input (it comes from the outside world); the privacy firewall
//   drops and counts readings whose sensor name is not valid UTF-8 before anything stores them.
// - `timestampMs` is milliseconds since the Unix epoch (UTC), signed: a plain integer rather than
//   std::chrono so it maps 1:1 onto SQLite INTEGER and JSON numbers.
// - `value` may be NaN or infinite in memory; JSON has no such numbers, so they serialise as
//   `null` and `null` parses back as NaN.
// - `extra` is either null (no extra fields, the common and cheap case) or a JSON object.
struct Reading {
  std::string sensor;
  int64_t timestampMs = 0;
  double value = 0.0;
  std::string unit;
  nlohmann::json extra;

  bool operator==(const Reading &other) const;
};

// JSON form of a reading:
//   {"sensor": "temp.room1", "timestamp_ms": 1732312345678, "value": 21.5, "unit": "C",
//    "extra": {"owner": "alice"}}
// `unit` and `extra` are optional on input; `extra` is written only when it is non-empty.
// A batch is a JSON array of readings.

// The JSON value of `reading`. Strings are not checked here; `serializeReading` checks them.
nlohmann::json readingToJson(const Reading &reading);

// Reads one reading from a parsed JSON value. Errors name the field (and say what was expected);
// unknown fields are errors too, so a typo never silently loses data.
Result<Reading> readingFromJson(const nlohmann::json &value);

// Text forms. Serialising fails (naming the field) when a string is not valid UTF-8, rather
// than replacing bytes behind the caller's back.
Result<std::string> serializeReading(const Reading &reading);
Result<Reading> parseReading(std::string_view text);

Result<std::string> serializeBatch(const std::vector<Reading> &readings);
// Errors name the index of the bad reading: "reading 3: field `value` must be a number".
Result<std::vector<Reading>> parseBatch(std::string_view text);

} // namespace pyvc
