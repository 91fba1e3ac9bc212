// Field-by-field checks of incoming readings; see ReadingDecoder.h. Nothing here throws: the JSON
// parser's exceptions are caught where it is called.
#include "ingest/ReadingDecoder.h"

#include "core/StrictJson.h"
#include "core/Utf8.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace pyvc::ingest {

namespace {

Rejection makeRejection(RejectReason reason, std::string field, std::string problem) {
  return Rejection{reason, std::move(field), std::move(problem), std::nullopt, std::nullopt};
}

int64_t saturatingAdd(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum))
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return sum;
}

int64_t saturatingSubtract(int64_t a, int64_t b) {
  int64_t difference;
  if (__builtin_sub_overflow(a, b, &difference))
    return b > 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  return difference;
}

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trimBlanks(std::string_view text) {
  while (!text.empty() && isBlank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && isBlank(text.back()))
    text.remove_suffix(1);
  return text;
}

enum class NumberStatus { Ok, NotANumber, NotFinite };

// A double from the whole of `text`, the way Python's float() reads it (a leading '+' allowed,
// "nan" and "inf" read but reported NotFinite). Values beyond double range are NotFinite; those
// below it underflow to zero or a subnormal as strtod does.
NumberStatus parseDouble(std::string_view text, double &value) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+')
    text.remove_prefix(1);
  if (text.empty())
    return NumberStatus::NotANumber;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size())
    return NumberStatus::NotANumber;
  if (error == std::errc::result_out_of_range) {
    std::string copy(text); // rare: let strtod tell overflow from underflow
    value = std::strtod(copy.c_str(), nullptr);
  } else if (error != std::errc()) {
    return NumberStatus::NotANumber;
  }
  return std::isfinite(value) ? NumberStatus::Ok : NumberStatus::NotFinite;
}

// The deepest nesting of `text` without recursion, and where it first exceeds `limit`: the index
// of the top-level array element holding that point (0 for a top-level object).
struct DepthScan {
  bool tooDeep = false;
  size_t element = 0;
};

DepthScan scanJsonDepth(std::string_view text, size_t limit) {
  DepthScan scan;
  size_t depth = 0;
  bool inString = false, escaped = false, topIsArray = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    switch (c) {
    case '"':
      inString = true;
      break;
    case '[':
    case '{':
      if (depth == 0)
        topIsArray = c == '[';
      if (++depth > limit) {
        scan.tooDeep = true;
        return scan;
      }
      break;
    case ']':
    case '}':
      if (depth > 0)
        --depth;
      break;
    case ',':
      if (depth == 1 && topIsArray)
        ++scan.element;
      break;
    default:
      break;
    }
  }
  return scan;
}

// Where well-formed UTF-8 stops in `text` (Unicode table 3-7), to point at the bad byte in a
// message; isValidUtf8 stays the judge of validity.
size_t firstInvalidUtf8Byte(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](size_t at) { return at < text.size() ? uint8_t(text[at]) : 0; };
    uint8_t lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                    : lead >= 0xE0 && lead <= 0xEF ? 3
                    : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                   : 0;
    if (length == 0)
      return i;
    uint8_t low = 0x80, high = 0xBF; // the second byte's range
    if (lead == 0xE0)
      low = 0xA0;
    else if (lead == 0xED)
      high = 0x9F;
    else if (lead == 0xF0)
      low = 0x90;
    else if (lead == 0xF4)
      high = 0x8F;
    if (byte(i + 1) < low || byte(i + 1) > high)
      return i;
    for (size_t k = 2; k < length; ++k)
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
        return i;
    i += length;
  }
  return i;
}

// Whether the string that contains byte `offset` of `text` is the value of a "sensor" key: back
// to the opening quote, then `"sensor" :`. Only used to word an error well.
bool insideSensorValue(std::string_view text, size_t offset) {
  if (offset > text.size())
    return false;
  size_t quote = text.rfind('"', offset == 0 ? 0 : offset - 1);
  if (quote == std::string_view::npos || quote == 0)
    return false;
  size_t at = quote;
  while (at > 0 && isBlank(text[at - 1]))
    --at;
  if (at == 0 || text[at - 1] != ':')
    return false;
  --at;
  while (at > 0 && isBlank(text[at - 1]))
    --at;
  constexpr std::string_view Key = "\"sensor\"";
  return at >= Key.size() && text.substr(at - Key.size(), Key.size()) == Key;
}

} // namespace

std::string describeRejection(const Rejection &rejection) {
  std::string text;
  if (rejection.line)
    text += "line " + std::to_string(*rejection.line) + ": ";
  if (rejection.reading)
    text += "reading " + std::to_string(*rejection.reading) + ": ";
  if (!rejection.field.empty())
    text += "field `" + rejection.field + "` ";
  text += rejection.problem;
  return text;
}

std::optional<Rejection> checkSensorName(std::string_view name, const ValidationLimits &limits) {
  if (name.empty())
    return makeRejection(RejectReason::InvalidName, "sensor", "is empty");
  if (name.size() > limits.maxNameBytes)
    return makeRejection(RejectReason::InvalidName, "sensor",
                         "is " + std::to_string(name.size()) + " bytes, over the limit of " +
                             std::to_string(limits.maxNameBytes));
  if (!isValidUtf8(name))
    return makeRejection(RejectReason::InvalidName, "sensor", "is not valid UTF-8");
  return std::nullopt;
}

std::optional<Rejection> checkTimestamp(int64_t timestampMs, int64_t nowMs,
                                        const ValidationLimits &limits) {
  int64_t earliest = saturatingSubtract(nowMs, limits.maxAgeMs);
  int64_t latest = saturatingAdd(nowMs, limits.maxSkewMs);
  if (timestampMs < earliest)
    return makeRejection(RejectReason::TimestampOutOfRange, "timestamp_ms",
                         std::to_string(timestampMs) + " is more than " +
                             std::to_string(limits.maxAgeMs) + " ms in the past");
  if (timestampMs > latest)
    return makeRejection(RejectReason::TimestampOutOfRange, "timestamp_ms",
                         std::to_string(timestampMs) + " is more than " +
                             std::to_string(limits.maxSkewMs) + " ms in the future");
  return std::nullopt;
}

std::optional<Rejection> parseJsonReadings(std::string_view text, const ValidationLimits &limits,
                                           nlohmann::json &document) {
  size_t start = 0;
  while (start < text.size() && isBlank(text[start]))
    ++start;
  bool isArray = start < text.size() && text[start] == '[';
  // A reading is level 1 (2 inside an array); its `extra` object is one level below.
  DepthScan scan = scanJsonDepth(text, limits.maxExtraDepth + (isArray ? 2 : 1));
  if (scan.tooDeep) {
    Rejection rejection =
        makeRejection(RejectReason::TooDeep, "extra",
                      "is nested deeper than " + std::to_string(limits.maxExtraDepth) + " levels");
    if (isArray)
      rejection.reading = scan.element;
    return rejection;
  }
  if (!isValidUtf8(text)) {
    // nlohmann refuses such text; say whether the bad bytes are the sensor name.
    size_t valid = firstInvalidUtf8Byte(text);
    if (insideSensorValue(text, valid))
      return makeRejection(RejectReason::InvalidName, "sensor", "is not valid UTF-8");
    return makeRejection(RejectReason::MalformedJson, "",
                         "text is not valid UTF-8 (byte " + std::to_string(valid) + ")");
  }
  StrictJsonOptions options;
  options.maxDepth = int(limits.maxExtraDepth);
  options.outerLevels = isArray ? 2 : 1;
  Result<nlohmann::json> parsed = parseStrictJson(text, options);
  if (!parsed) {
    const std::string &message = parsed.error().message;
    if (message.find("number overflow") != std::string::npos ||
        message.find("out of range") != std::string::npos)
      return makeRejection(RejectReason::NotFinite, "",
                           "holds a number beyond the double range (" + message + ")");
    return makeRejection(RejectReason::MalformedJson, "", "is not valid JSON: " + message);
  }
  document = std::move(parsed.value());
  return std::nullopt;
}

std::optional<Rejection> decodeJsonReading(const nlohmann::json &object,
                                           const JsonReadingRules &rules, int64_t nowMs,
                                           const ValidationLimits &limits, DecodedReading &out) {
  using Json = nlohmann::json;
  if (!object.is_object())
    return makeRejection(RejectReason::WrongType, "", "must be a JSON object");
  out = DecodedReading{};
  bool hasSensor = false, hasTimestamp = false, hasValue = false;
  for (auto item = object.begin(); item != object.end(); ++item) {
    const std::string &key = item.key();
    const Json &field = item.value();
    if (key == "sensor") {
      if (!field.is_string())
        return makeRejection(RejectReason::WrongType, key, "must be a string");
      out.sensor = field.get_ref<const std::string &>();
      if (auto bad = checkSensorName(out.sensor, limits))
        return bad;
      hasSensor = true;
    } else if (key == "timestamp_ms") {
      if (field.is_number_unsigned()) {
        uint64_t raw = field.get<uint64_t>();
        if (raw > uint64_t(std::numeric_limits<int64_t>::max()))
          return makeRejection(RejectReason::TimestampOutOfRange, key,
                               "is beyond the 64-bit range");
        out.timestampMs = int64_t(raw);
      } else if (field.is_number_integer()) {
        out.timestampMs = field.get<int64_t>();
      } else {
        return makeRejection(RejectReason::WrongType, key,
                             "must be an integer (milliseconds since the Unix epoch)");
      }
      hasTimestamp = true;
    } else if (key == "value") {
      if (field.is_null()) // core/Reading.h writes NaN as null
        return makeRejection(RejectReason::NotFinite, key, "is null (not a finite number)");
      if (!field.is_number())
        return makeRejection(RejectReason::WrongType, key, "must be a number");
      out.value = field.get<double>();
      if (!std::isfinite(out.value))
        return makeRejection(RejectReason::NotFinite, key, "is not finite");
      hasValue = true;
    } else if (key == "unit") {
      if (!field.is_string())
        return makeRejection(RejectReason::WrongType, key, "must be a string");
      out.unit = field.get_ref<const std::string &>();
      if (out.unit.size() > limits.maxNameBytes)
        return makeRejection(RejectReason::Oversized, key,
                             "is over the limit of " + std::to_string(limits.maxNameBytes) +
                                 " bytes");
    } else if (key == "extra") {
      if (!field.is_object() && !field.is_null())
        return makeRejection(RejectReason::WrongType, key, "must be an object");
      if (field.is_object() && !field.empty())
        out.extra = field;
    } else {
      return makeRejection(RejectReason::UnknownField, key,
                           "is not a reading field (sensor, timestamp_ms, value, unit, extra)");
    }
  }
  if (!hasSensor && rules.sensorRequired)
    return makeRejection(RejectReason::MissingField, "sensor", "is missing");
  if (!hasValue)
    return makeRejection(RejectReason::MissingField, "value", "is missing");
  if (!hasTimestamp) {
    if (rules.timestampRequired)
      return makeRejection(RejectReason::MissingField, "timestamp_ms", "is missing");
    out.timestampMs = nowMs;
  }
  return checkTimestamp(out.timestampMs, nowMs, limits);
}

Result<CsvColumns> parseCsvHeader(std::string_view line) {
  line = trimBlanks(line);
  if (line.size() >= 3 && line.substr(0, 3) == "\xEF\xBB\xBF") // a byte-order mark
    line.remove_prefix(3);
  CsvColumns columns;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    std::string_view name =
        trimBlanks(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    int *slot = name == "sensor"         ? &columns.sensor
                : name == "timestamp_ms" ? &columns.timestampMs
                : name == "value"        ? &columns.value
                : name == "unit"         ? &columns.unit
                                         : nullptr;
    if (!slot)
      return makeError("csv header: unknown column `" + std::string(name) +
                       "` (expected sensor, timestamp_ms, value and optionally unit)");
    if (*slot >= 0)
      return makeError("csv header: column `" + std::string(name) + "` appears twice");
    *slot = columns.count++;
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  for (auto [index, name] :
       {std::pair{columns.sensor, "sensor"}, std::pair{columns.timestampMs, "timestamp_ms"},
        std::pair{columns.value, "value"}})
    if (index < 0)
      return makeError(std::string("csv header: no `") + name + "` column");
  return columns;
}

namespace {

// Splits off the next field of `record` at `position`. Quoted fields lose their quotes; when they
// hold doubled quotes, the unescaped text goes to `unescaped` and the view points there.
bool nextCsvField(std::string_view record, size_t &position, std::string_view &field,
                  std::string &unescaped) {
  if (position < record.size() && record[position] == '"') {
    size_t begin = position + 1, at = begin;
    bool doubled = false;
    while (true) {
      size_t quote = record.find('"', at);
      if (quote == std::string_view::npos)
        return false; // no closing quote
      if (quote + 1 < record.size() && record[quote + 1] == '"') {
        doubled = true;
        at = quote + 2;
        continue;
      }
      field = record.substr(begin, quote - begin);
      position = quote + 1;
      break;
    }
    if (position < record.size() && record[position] != ',')
      return false; // text after the closing quote
    if (doubled) {
      unescaped.clear();
      for (size_t i = 0; i < field.size(); ++i) {
        unescaped.push_back(field[i]);
        if (field[i] == '"')
          ++i;
      }
      field = unescaped;
    }
  } else {
    size_t comma = record.find(',', position);
    size_t end = comma == std::string_view::npos ? record.size() : comma;
    field = record.substr(position, end - position);
    if (field.find('"') != std::string_view::npos)
      return false; // a quote inside an unquoted field
    position = end;
  }
  if (position < record.size())
    ++position; // the comma
  else
    position = record.size() + 1; // no more fields
  return true;
}

} // namespace

std::optional<Rejection> decodeCsvRecord(std::string_view record, const CsvColumns &columns,
                                         int64_t nowMs, const ValidationLimits &limits, CsvRow &out,
                                         CsvScratch &scratch) {
  std::string_view timestampText, valueText;
  std::string timestampSpare, valueSpare, otherSpare; // no allocation unless quotes are doubled
  size_t position = 0;
  int column = 0;
  while (position <= record.size()) {
    if (column >= columns.count)
      return makeRejection(RejectReason::MalformedCsv, "",
                           "has more than " + std::to_string(columns.count) + " columns");
    std::string_view field;
    std::string &target = column == columns.sensor        ? scratch.sensor
                          : column == columns.unit        ? scratch.unit
                          : column == columns.timestampMs ? timestampSpare
                          : column == columns.value       ? valueSpare
                                                          : otherSpare;
    if (!nextCsvField(record, position, field, target))
      return makeRejection(RejectReason::MalformedCsv, "",
                           "has bad quoting in column " + std::to_string(column + 1));
    if (column == columns.sensor)
      out.sensor = field;
    else if (column == columns.timestampMs)
      timestampText = field;
    else if (column == columns.value)
      valueText = field;
    else if (column == columns.unit)
      out.unit = field;
    ++column;
  }
  if (column != columns.count)
    return makeRejection(RejectReason::MalformedCsv, "",
                         "has " + std::to_string(column) + " columns, the header " +
                             std::to_string(columns.count));
  if (columns.unit < 0)
    out.unit = {};
  if (auto bad = checkSensorName(out.sensor, limits))
    return bad;
  timestampText = trimBlanks(timestampText);
  if (timestampText.empty())
    return makeRejection(RejectReason::MissingField, "timestamp_ms", "is empty");
  auto [end, error] = std::from_chars(timestampText.data(),
                                      timestampText.data() + timestampText.size(), out.timestampMs);
  if (end != timestampText.data() + timestampText.size() ||
      (error != std::errc() && error != std::errc::result_out_of_range))
    return makeRejection(RejectReason::WrongType, "timestamp_ms",
                         "must be an integer (milliseconds since the Unix epoch)");
  if (error == std::errc::result_out_of_range)
    return makeRejection(RejectReason::TimestampOutOfRange, "timestamp_ms",
                         "is beyond the 64-bit range");
  valueText = trimBlanks(valueText);
  if (valueText.empty())
    return makeRejection(RejectReason::MissingField, "value", "is empty");
  switch (parseDouble(valueText, out.value)) {
  case NumberStatus::Ok:
    break;
  case NumberStatus::NotANumber:
    return makeRejection(RejectReason::WrongType, "value", "must be a number");
  case NumberStatus::NotFinite:
    return makeRejection(RejectReason::NotFinite, "value",
                         "is not finite (" + std::string(valueText) + ")");
  }
  if (out.unit.size() > limits.maxNameBytes)
    return makeRejection(RejectReason::Oversized, "unit",
                         "is over the limit of " + std::to_string(limits.maxNameBytes) + " bytes");
  return checkTimestamp(out.timestampMs, nowMs, limits);
}

std::optional<Rejection> decodeNumberPayload(std::string_view payload, double &value) {
  std::string_view text = trimBlanks(payload);
  switch (parseDouble(text, value)) {
  case NumberStatus::Ok:
    return std::nullopt;
  case NumberStatus::NotANumber:
    return makeRejection(RejectReason::WrongType, "", "payload must be a number");
  case NumberStatus::NotFinite:
    return makeRejection(RejectReason::NotFinite, "",
                         "payload is not a finite number (" + std::string(text.substr(0, 32)) +
                             ")");
  }
  return std::nullopt;
}

} // namespace pyvc::ingest
