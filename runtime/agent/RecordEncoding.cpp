// RecordEncoding: hand-written JSON for the hot path (see RecordEncoding.h).
#include "agent/RecordEncoding.h"

#include <charconv>
#include <cmath>

namespace pyvc::agent {

void appendJsonString(std::string &out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void appendJsonNumber(std::string &out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void appendJsonInteger(std::string &out, int64_t value) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void appendReadingJson(std::string &out, std::string_view sensor, int64_t timestampMs,
                       double value, std::string_view unit, const nlohmann::json *extra) {
  out += "{\"sensor\":";
  appendJsonString(out, sensor);
  out += ",\"timestamp_ms\":";
  appendJsonInteger(out, timestampMs);
  out += ",\"value\":";
  appendJsonNumber(out, value);
  if (!unit.empty()) {
    out += ",\"unit\":";
    appendJsonString(out, unit);
  }
  if (extra && extra->is_object() && !extra->empty()) {
    out += ",\"extra\":";
    out += extra->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out.push_back('}');
}

size_t rawReadingJsonBytes(std::string_view sensor, int64_t timestampMs, double value) {
  // {"sensor":,"timestamp_ms":,"value":} is 36 bytes around the three fields.
  char buffer[32];
  size_t numberBytes = 4; // null
  if (std::isfinite(value))
    numberBytes = size_t(std::to_chars(buffer, buffer + sizeof buffer, value).ptr - buffer);
  size_t timeBytes = size_t(std::to_chars(buffer, buffer + sizeof buffer, timestampMs).ptr - buffer);
  return 36 + sensor.size() + 2 + timeBytes + numberBytes;
}

void appendNamedValues(std::string &out, std::span<const std::string> names,
                       std::span<const double> values) {
  out.push_back('{');
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i)
      out.push_back(',');
    appendJsonString(out, names[i]);
    out.push_back(':');
    appendJsonNumber(out, values[i]);
  }
  out.push_back('}');
}

} // namespace pyvc::agent
