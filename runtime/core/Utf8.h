// UTF-8 validity check shared by every runtime stage that must not pass malformed text along
// (sensor names reaching the privacy firewall, strings written to JSON payloads).
#pragma once

#include <string_view>

namespace pyvc {

// True when `text` is well-formed UTF-8 as the Unicode standard defines it (and as Python's
// strict decoder accepts it): no overlong forms, no surrogates (U+D800..U+DFFF), nothing past
// U+10FFFF, no truncated sequences. The empty string is valid.
bool isValidUtf8(std::string_view text);

} // namespace pyvc
