// RecordEncoding: the JSON the agent puts in queue payloads (docs/AGENT.md, "What is synced"),
// written directly into a string — the hot path formats numbers with to_chars and never builds a
// JSON tree. Non-finite numbers are written as null, as JSON has no NaN.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pyvc::agent {

// Appends `text` as a JSON string literal (quotes included); `text` must be valid UTF-8.
void appendJsonString(std::string &out, std::string_view text);
// Appends the shortest text that reads back as `value`, or null when it is not finite.
void appendJsonNumber(std::string &out, double value);
void appendJsonInteger(std::string &out, int64_t value);

// {"sensor":"temp.room1","timestamp_ms":1732312345678,"value":21.5[,"unit":"C"][,"extra":{...}]}
void appendReadingJson(std::string &out, std::string_view sensor, int64_t timestampMs,
                       double value, std::string_view unit, const nlohmann::json *extra);
// The length appendReadingJson would append for a reading without unit and extra fields: the
// wire cost of sending it raw, for the egress figures.
size_t rawReadingJsonBytes(std::string_view sensor, int64_t timestampMs, double value);

// {"name1":v1,"name2":v2,...}
void appendNamedValues(std::string &out, std::span<const std::string> names,
                       std::span<const double> values);

} // namespace pyvc::agent
