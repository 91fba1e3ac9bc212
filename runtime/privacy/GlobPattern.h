// GlobPattern: an fnmatch-style sensor-name pattern compiled once and matched many times, with
// fast paths for the shapes policies are mostly made of (`temp.*`, `*.raw`, exact names).
#pragma once

#include "core/Result.h"

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pyvc {

// Syntax and meaning follow Python's `fnmatch.fnmatchcase` on str, character by character
// (characters are Unicode code points of the UTF-8 text):
//   `*`        any run of characters, possibly empty (including `/`, `.` and newlines)
//   `?`        exactly one character
//   `[abc]`    one character of the set; `a-z` is a range (by code point); `[!...]` negates;
//              a `]` right after `[` or `[!` is a member; a `-` first or last is a member;
//              `^` has no special meaning; there is no backslash escaping
// Matching is case-sensitive. Where Python quietly degrades, compiling refuses instead, because
// an operator's typo must not become a rule that matches something else:
//   - an empty pattern;
//   - an unterminated `[` (Python would match a literal `[`);
//   - a reversed range such as `[z-a]` (Python would drop it and may match nothing);
//   - a pattern that is not valid UTF-8.
class GlobPattern {
public:
  // Compiles `pattern`, or says what is wrong with it ("unterminated `[` at byte 4").
  static Result<GlobPattern> compile(std::string_view pattern);

  // Text is treated as UTF-8; a byte that does not start a well-formed sequence counts as one
  // character (the firewall never matches invalid UTF-8: it drops it first).
  bool matches(std::string_view text) const;

  const std::string &source() const { return source_; }
  // The literal characters every match starts with (empty if the pattern starts with a
  // wildcard). The firewall indexes rules by its first byte.
  const std::string &literalPrefix() const { return literalPrefix_; }

private:
  enum class TokenKind : uint8_t { Literal, AnyCharacter, AnyRun, CharacterSet };
  struct Token {
    TokenKind kind;
    uint32_t index; // into literals_ or sets_
  };
  struct CharacterSet {
    std::bitset<128> ascii;
    std::vector<std::pair<uint32_t, uint32_t>> ranges; // non-ASCII members, inclusive
    bool negated = false;
    bool contains(uint32_t codePoint) const;
  };
  // Whole-pattern shapes answered without walking tokens.
  enum class Shape : uint8_t {
    Exact,           // `temp.room1`
    PrefixAndSuffix, // `temp.*`, `*.raw`, `gps*lat`, `*`
    General,
  };

  bool matchTokens(std::string_view text) const;

  std::string source_;
  std::string literalPrefix_;
  std::string literalSuffix_; // used by PrefixAndSuffix
  Shape shape_ = Shape::General;
  std::vector<Token> tokens_;
  std::vector<std::string> literals_;
  std::vector<CharacterSet> sets_;
};

} // namespace pyvc
