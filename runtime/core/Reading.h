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
// - `extra` is either null (no extra fields, the common and cheap case) or a JSON object nested
//   at most kMaxExtraDepth levels (see below).
struct Reading {
  std::string sensor;
  int64_t timestampMs = 0;
  double value = 0.0;
  std::string unit;
  nlohmann::json extra;

  // Compares `extra` recursively: for readings whose depth an entry point below has checked.
  bool operator==(const Reading &other) const;
};

// How deep `extra` may nest: the extra object itself is level 1, so {"a": {"b": [1]}} has 3.
// Deeper readings are refused by every entry point that takes a reading from outside
// (parseReading, parseBatch, readingFromJson, serializeReading, serializeBatch,
// Firewall::apply), each checking without recursion. Past those, code may recurse on `extra`
// (nlohmann's copy, dump and == do) because its depth is bounded. Text that has not been parsed
// yet can be checked with checkJsonDepth (core/StrictJson.h).
inline constexpr int kMaxExtraDepth = 64;

// What can be wrong with a reading's `extra`, found by findExtraProblem.
enum class ExtraProblem : uint8_t { None, NotAnObject, TooDeep, InvalidUtf8 };

// Walks `extra` with an explicit stack (never recursing, whatever its depth) and returns the
// first problem: not null or an object, nested deeper than kMaxExtraDepth, or a key or string
// that is not valid UTF-8 (checked only when `checkUtf8`).
ExtraProblem findExtraProblem(const nlohmann::json &extra, bool checkUtf8 = true);
// "field `extra` is nested deeper than the limit of 64 levels", for messages.
std::string describeExtraProblem(ExtraProblem problem);

// JSON form of a reading:
//   {"sensor": "temp.room1", "timestamp_ms": 1732312345678, "value": 21.5, "unit": "C",
//    "extra": {"owner": "alice"}}
// `unit` and `extra` are optional on input; `extra` is written only when it is non-empty.
// A batch is a JSON array of readings.

// The JSON value of `reading`. Nothing is checked here (it copies `extra` recursively: pass
// readings that came through an entry point above); `serializeReading` checks everything.
nlohmann::json readingToJson(const Reading &reading);

// Reads one reading from a parsed JSON value. Errors name the field (and say what was expected);
// unknown fields are errors too, so a typo never silently loses data. `extra` is checked
// (depth, UTF-8) before it is copied.
Result<Reading> readingFromJson(const nlohmann::json &value);

// Text forms. Serialising fails (naming the field) when a string is not valid UTF-8 or `extra`
// is too deep or not an object, rather than replacing or dropping anything behind the caller's
// back.
Result<std::string> serializeReading(const Reading &reading);
// Strict: exactly one JSON object, no NUL byte, no duplicate key, `extra` nested at most
// kMaxExtraDepth levels (refused while parsing, before anything deep is built). Errors name the
// place: "a reading is not valid JSON: line 1, column 30: duplicate key `value`".
Result<Reading> parseReading(std::string_view text);

Result<std::string> serializeBatch(const std::vector<Reading> &readings);
// As strict as parseReading. Errors name the index of the bad reading: "reading 3: field
// `value` must be a number or null", or the place in the text for JSON errors.
Result<std::vector<Reading>> parseBatch(std::string_view text);

} // namespace pyvc
