// JSON (de)serialisation of readings and batches, with errors that name the offending field.
#include "core/Reading.h"

#include "core/StrictJson.h"
#include "core/Utf8.h"

#include <cmath>
#include <limits>
#include <utility>

namespace pyvc {

using nlohmann::json;

bool Reading::operator==(const Reading &other) const {
  bool sameValue = value == other.value || (std::isnan(value) && std::isnan(other.value));
  return sensor == other.sensor && timestampMs == other.timestampMs && sameValue &&
         unit == other.unit && extra == other.extra;
}

ExtraProblem findExtraProblem(const json &extra, bool checkUtf8) {
  if (extra.is_null())
    return ExtraProblem::None;
  if (!extra.is_object())
    return ExtraProblem::NotAnObject;
  // An explicit stack of (container, its level): the depth of `extra` is the sender's choice.
  std::vector<std::pair<const json *, int>> pending{{&extra, 1}};
  while (!pending.empty()) {
    auto [container, level] = pending.back();
    pending.pop_back();
    bool isObject = container->is_object();
    for (auto member = container->begin(); member != container->end(); ++member) {
      if (checkUtf8 && isObject && !isValidUtf8(member.key()))
        return ExtraProblem::InvalidUtf8;
      const json &child = member.value();
      if (child.is_string()) {
        if (checkUtf8 && !isValidUtf8(child.get_ref<const std::string &>()))
          return ExtraProblem::InvalidUtf8;
      } else if (child.is_structured()) {
        if (level + 1 > kMaxExtraDepth)
          return ExtraProblem::TooDeep;
        pending.emplace_back(&child, level + 1);
      }
    }
  }
  return ExtraProblem::None;
}

std::string describeExtraProblem(ExtraProblem problem) {
  switch (problem) {
  case ExtraProblem::None:
    return "field `extra` is fine";
  case ExtraProblem::NotAnObject:
    return "field `extra` must be an object";
  case ExtraProblem::TooDeep:
    return "field `extra` is nested deeper than the limit of " + std::to_string(kMaxExtraDepth) +
           " levels";
  case ExtraProblem::InvalidUtf8:
    return "field `extra` holds a key or string that is not valid UTF-8";
  }
  return "field `extra` is malformed";
}

json readingToJson(const Reading &reading) {
  json object = json::object();
  object["sensor"] = reading.sensor;
  object["timestamp_ms"] = reading.timestampMs;
  // nlohmann would write NaN/inf as null anyway; say so explicitly.
  if (std::isfinite(reading.value))
    object["value"] = reading.value;
  else
    object["value"] = nullptr;
  object["unit"] = reading.unit;
  if (reading.extra.is_object() && !reading.extra.empty())
    object["extra"] = reading.extra;
  return object;
}

namespace {

Error fieldError(std::string_view field, std::string_view problem) {
  return makeError("field `" + std::string(field) + "` " + std::string(problem));
}

// Everything serialising needs: valid strings, and an `extra` that dump() can walk safely.
Result<void> checkSerializable(const Reading &reading) {
  if (!isValidUtf8(reading.sensor))
    return fieldError("sensor", "is not valid UTF-8");
  if (!isValidUtf8(reading.unit))
    return fieldError("unit", "is not valid UTF-8");
  if (ExtraProblem problem = findExtraProblem(reading.extra); problem != ExtraProblem::None)
    return makeError(describeExtraProblem(problem));
  return {};
}

// Parse options for a text whose readings sit `outerLevels` deep (1: one reading, 2: a batch).
StrictJsonOptions readingTextOptions(int outerLevels) {
  return StrictJsonOptions{.maxDepth = kMaxExtraDepth, .outerLevels = outerLevels};
}

// Dumps `value`; checkSerializable ran first, so nlohmann's invalid-UTF-8 exception cannot come,
// but an exception must never leave the module.
Result<std::string> dumpJson(const json &value) {
  try {
    return value.dump();
  } catch (const std::exception &error) {
    return makeError(std::string("cannot serialise: ") + error.what());
  }
}

} // namespace

Result<Reading> readingFromJson(const json &value) {
  if (!value.is_object())
    return makeError("a reading must be a JSON object, not " + std::string(value.type_name()));
  Reading reading;
  bool sawSensor = false, sawTimestamp = false, sawValue = false;
  for (const auto &[key, field] : value.items()) {
    if (key == "sensor") {
      if (!field.is_string())
        return fieldError(key, "must be a string");
      reading.sensor = field.get<std::string>();
      sawSensor = true;
    } else if (key == "timestamp_ms") {
      if (!field.is_number_integer())
        return fieldError(key, "must be an integer (milliseconds since the Unix epoch)");
      if (field.is_number_unsigned() &&
          field.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
        return fieldError(key, "is out of the 64-bit range");
      reading.timestampMs = field.get<int64_t>();
      sawTimestamp = true;
    } else if (key == "value") {
      if (field.is_null())
        reading.value = std::numeric_limits<double>::quiet_NaN();
      else if (field.is_number())
        reading.value = field.get<double>();
      else
        return fieldError(key, "must be a number or null");
      sawValue = true;
    } else if (key == "unit") {
      if (!field.is_string())
        return fieldError(key, "must be a string");
      reading.unit = field.get<std::string>();
    } else if (key == "extra") {
      // Checked before the copy below, which recurses.
      if (ExtraProblem problem = findExtraProblem(field); problem != ExtraProblem::None)
        return makeError(describeExtraProblem(problem));
      if (field.is_object() && !field.empty())
        reading.extra = field;
    } else {
      return makeError("unknown field `" + key + "`");
    }
  }
  if (!sawSensor)
    return fieldError("sensor", "is missing");
  if (!sawTimestamp)
    return fieldError("timestamp_ms", "is missing");
  if (!sawValue)
    return fieldError("value", "is missing");
  return reading;
}

Result<std::string> serializeReading(const Reading &reading) {
  if (auto checked = checkSerializable(reading); !checked)
    return checked.error();
  return dumpJson(readingToJson(reading));
}

Result<Reading> parseReading(std::string_view text) {
  Result<json> value = parseStrictJson(text, readingTextOptions(1));
  if (!value)
    return makeError("a reading is not valid JSON: " + value.error().message);
  return readingFromJson(*value);
}

Result<std::string> serializeBatch(const std::vector<Reading> &readings) {
  json array = json::array();
  for (size_t index = 0; index < readings.size(); ++index) {
    if (auto checked = checkSerializable(readings[index]); !checked)
      return makeError("reading " + std::to_string(index) + ": " + checked.error().message);
    array.push_back(readingToJson(readings[index]));
  }
  return dumpJson(array);
}

Result<std::vector<Reading>> parseBatch(std::string_view text) {
  Result<json> parsed = parseStrictJson(text, readingTextOptions(2));
  if (!parsed)
    return makeError("a batch is not valid JSON: " + parsed.error().message);
  const json &value = *parsed;
  if (!value.is_array())
    return makeError("a batch must be a JSON array of readings, not " +
                     std::string(value.type_name()));
  std::vector<Reading> readings;
  readings.reserve(value.size());
  for (size_t index = 0; index < value.size(); ++index) {
    Result<Reading> reading = readingFromJson(value[index]);
    if (!reading)
      return makeError("reading " + std::to_string(index) + ": " + reading.error().message);
    readings.push_back(std::move(reading).value());
  }
  return readings;
}

} // namespace pyvc
