// Strict JSON for text that comes from outside (policies, readings): exactly one value, no NUL
// byte, no duplicate key, bounded nesting, numbers in double range. Nothing here recurses on the
// depth of the input, and nothing throws.
#pragma once

#include "core/Result.h"

#include <nlohmann/json.hpp>

#include <string_view>

namespace pyvc {

struct StrictJsonOptions {
  // Arrays and objects may nest this many levels below the first `outerLevels` levels; a top
  // level object or array is level 1. A reading (one object) limits its extra fields with
  // outerLevels 1; a batch (an array of them) with outerLevels 2.
  int maxDepth = 64;
  int outerLevels = 0;
};

// Parses `text` as exactly one JSON value and nothing else. Refused, with an Error that names
// the place ("line 3, column 14: ...") and, where there is one, the key path (`rules[0].action`):
//   - bytes that are not JSON, trailing data, an empty text;
//   - a NUL byte anywhere (nlohmann's lexer would take it for the end of the input and ignore
//     what follows);
//   - a key that appears twice in one object (nlohmann would keep the last: a policy saying
//     "drop" then "allow" would silently allow);
//   - a number outside double range (1e999), which nlohmann reports as out_of_range;
//   - nesting deeper than the options allow; checked as the parser opens each array or object,
//     so a deep input is refused before it is built, and no step recurses.
// Strings are validated as UTF-8 by nlohmann's lexer.
Result<nlohmann::json> parseStrictJson(std::string_view text,
                                       const StrictJsonOptions &options = {});

// Checks, without parsing and without recursion, that no array or object in `text` nests deeper
// than `maxDepth` levels (a top-level one is level 1): counts `[` and `{` against `]` and `}`
// outside strings. Says nothing else about validity; it is the cheap guard for code that hands
// `text` to a recursive consumer. Errors give the byte offset and the limit.
Result<void> checkJsonDepth(std::string_view text, int maxDepth);

} // namespace pyvc
