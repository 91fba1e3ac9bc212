// JSON (de)serialisation of readings and batches, with errors that name the offending field.
#include "core/Reading.h"

#include "core/Utf8.h"

#include <cmath>
#include <limits>

namespace pyvc {

using nlohmann::json;

bool Reading::operator==(const Reading &other) const {
  bool sameValue = value == other.value || (std::isnan(value) && std::isnan(other.value));
  return sensor == other.sensor && timestampMs == other.timestampMs && sameValue &&
         unit == other.unit && extra == other.extra;
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

Result<void> checkStringsAreUtf8(const Reading &reading) {
  if (!isValidUtf8(reading.sensor))
    return fieldError("sensor", "is not valid UTF-8");
  if (!isValidUtf8(reading.unit))
    return fieldError("unit", "is not valid UTF-8");
  return {};
}

// Dumps `value`, turning nlohmann's invalid-UTF-8 exception (which can only come from `extra`,
// the other strings were checked) into an Error.
Result<std::string> dumpJson(const json &value) {
  try {
    return value.dump();
  } catch (const json::exception &) {
    return fieldError("extra", "holds a string that is not valid UTF-8");
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
      if (!field.is_object() && !field.is_null())
        return fieldError(key, "must be an object");
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
  if (auto checked = checkStringsAreUtf8(reading); !checked)
    return checked.error();
  return dumpJson(readingToJson(reading));
}

Result<Reading> parseReading(std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded())
    return makeError("a reading is not valid JSON");
  return readingFromJson(value);
}

Result<std::string> serializeBatch(const std::vector<Reading> &readings) {
  json array = json::array();
  for (size_t index = 0; index < readings.size(); ++index) {
    if (auto checked = checkStringsAreUtf8(readings[index]); !checked)
      return makeError("reading " + std::to_string(index) + ": " + checked.error().message);
    array.push_back(readingToJson(readings[index]));
  }
  return dumpJson(array);
}

Result<std::vector<Reading>> parseBatch(std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded())
    return makeError("a batch is not valid JSON");
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
