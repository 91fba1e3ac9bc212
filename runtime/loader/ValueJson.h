// The JSON line protocol of pyvc-call: a line holding a JSON array of arguments in, a JSON object
// with the result or the exception out. Floats follow Python's json module: NaN, Infinity and
// -Infinity are bare tokens, and every float prints as Python's repr prints it, so it
// round-trips exactly and never reads back as an int.
#pragma once

#include "loader/KernelCall.h"
#include "loader/Value.h"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pyvc::loader {

// Parses one line holding a JSON array of arguments. A line that is not valid JSON (with the
// NaN/Infinity extension) is an "InputError"; valid JSON holding something a kernel cannot take
// (a string, an object) is a "TypeError"; an int beyond 64 bits is an "OverflowError".
std::variant<std::vector<Value>, KernelError> parseArgumentLine(std::string_view line);

// Python's repr of a float: 0.1 -> "0.1", 1e300 -> "1e+300", 2.0 -> "2.0", -0.0 -> "-0.0";
// NaN and infinities as the JSON extension tokens "NaN", "Infinity", "-Infinity".
std::string formatFloat(double value);

// JSON text of a value: lists and tuples as arrays, None as null, ", " between items as
// Python's json.dumps writes them.
std::string toJson(const Value &value);

// {"ok": <value>} or {"error": "<name>", "message": "<message>"}.
std::string outcomeJson(const CallOutcome &outcome);
std::string errorJson(const std::string &name, const std::string &message);

// A JSON string literal for `text` (quotes and escapes added).
std::string quoteJson(std::string_view text);

} // namespace pyvc::loader
