// Compiling fnmatch patterns into tokens, and matching them with single-star backtracking
// (linear memory, no recursion, worst case O(pattern x text)).
#include "privacy/GlobPattern.h"

#include "core/Utf8.h"

#include <cassert>

namespace pyvc {

namespace {

// Decodes the character at `text[position]` and its length in bytes. Text is expected to be
// valid UTF-8; a malformed byte decodes as itself, one byte long, so matching never overruns.
std::pair<uint32_t, size_t> decodeCharacter(std::string_view text, size_t position) {
  auto byte = [&](size_t offset) { return uint32_t(uint8_t(text[position + offset])); };
  uint32_t lead = byte(0);
  size_t available = text.size() - position;
  auto isContinuation = [&](size_t offset) { return (byte(offset) & 0xC0) == 0x80; };
  if (lead < 0x80)
    return {lead, 1};
  if (lead >= 0xC2 && lead <= 0xDF && available >= 2 && isContinuation(1))
    return {((lead & 0x1F) << 6) | (byte(1) & 0x3F), 2};
  if (lead >= 0xE0 && lead <= 0xEF && available >= 3 && isContinuation(1) && isContinuation(2))
    return {((lead & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F), 3};
  if (lead >= 0xF0 && lead <= 0xF4 && available >= 4 && isContinuation(1) && isContinuation(2) &&
      isContinuation(3))
    return {((lead & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
                (byte(3) & 0x3F),
            4};
  return {lead, 1};
}

size_t characterLength(std::string_view text, size_t position) {
  if (uint8_t(text[position]) < 0x80)
    return 1;
  return decodeCharacter(text, position).second;
}

} // namespace

bool GlobPattern::CharacterSet::contains(uint32_t codePoint) const {
  bool member;
  if (codePoint < 128) {
    member = ascii.test(codePoint);
  } else {
    member = false;
    for (const auto &[low, high] : ranges)
      if (codePoint >= low && codePoint <= high) {
        member = true;
        break;
      }
  }
  return member != negated;
}

Result<GlobPattern> GlobPattern::compile(std::string_view pattern) {
  if (pattern.empty())
    return makeError("empty pattern");
  if (!isValidUtf8(pattern))
    return makeError("pattern is not valid UTF-8");

  GlobPattern glob;
  glob.source_ = std::string(pattern);
  std::string pendingLiteral;
  auto flushLiteral = [&] {
    if (pendingLiteral.empty())
      return;
    glob.tokens_.push_back({TokenKind::Literal, uint32_t(glob.literals_.size())});
    glob.literals_.push_back(std::move(pendingLiteral));
    pendingLiteral.clear();
  };

  size_t position = 0;
  while (position < pattern.size()) {
    char current = pattern[position];
    if (current == '*') {
      flushLiteral();
      // `**` means the same as `*`; one token keeps backtracking simple.
      if (glob.tokens_.empty() || glob.tokens_.back().kind != TokenKind::AnyRun)
        glob.tokens_.push_back({TokenKind::AnyRun, 0});
      ++position;
    } else if (current == '?') {
      flushLiteral();
      glob.tokens_.push_back({TokenKind::AnyCharacter, 0});
      ++position;
    } else if (current == '[') {
      size_t openAt = position;
      CharacterSet set;
      ++position;
      if (position < pattern.size() && pattern[position] == '!') {
        set.negated = true;
        ++position;
      }
      bool first = true;
      bool closed = false;
      while (position < pattern.size()) {
        if (pattern[position] == ']' && !first) {
          closed = true;
          ++position;
          break;
        }
        first = false;
        auto [low, lowLength] = decodeCharacter(pattern, position);
        size_t rangeStart = position;
        position += lowLength;
        uint32_t high = low;
        // `a-z` is a range unless the `-` is the last member (`[a-]`).
        if (position + 1 < pattern.size() && pattern[position] == '-' &&
            pattern[position + 1] != ']') {
          auto [end, endLength] = decodeCharacter(pattern, position + 1);
          high = end;
          position += 1 + endLength;
          if (high < low)
            return makeError("reversed range `" +
                             std::string(pattern.substr(rangeStart, position - rangeStart)) +
                             "` in `[...]` at byte " + std::to_string(openAt));
        }
        for (uint32_t member = low; member <= high && member < 128; ++member)
          set.ascii.set(member);
        if (high >= 128)
          set.ranges.push_back({std::max<uint32_t>(low, 128), high});
      }
      if (!closed)
        return makeError("unterminated `[` at byte " + std::to_string(openAt));
      flushLiteral();
      glob.tokens_.push_back({TokenKind::CharacterSet, uint32_t(glob.sets_.size())});
      glob.sets_.push_back(std::move(set));
    } else {
      pendingLiteral += current;
      ++position;
    }
  }
  flushLiteral();

  const auto &tokens = glob.tokens_;
  if (!tokens.empty() && tokens.front().kind == TokenKind::Literal)
    glob.literalPrefix_ = glob.literals_[tokens.front().index];

  // Recognise the fast shapes: one literal, or [literal] `*` [literal].
  auto isLiteral = [&](size_t i) { return tokens[i].kind == TokenKind::Literal; };
  auto isRun = [&](size_t i) { return tokens[i].kind == TokenKind::AnyRun; };
  if (tokens.size() == 1 && isLiteral(0)) {
    glob.shape_ = Shape::Exact;
  } else {
    size_t next = 0;
    std::string prefix, suffix;
    if (next < tokens.size() && isLiteral(next))
      prefix = glob.literals_[tokens[next++].index];
    if (next < tokens.size() && isRun(next)) {
      ++next;
      if (next < tokens.size() && isLiteral(next))
        suffix = glob.literals_[tokens[next++].index];
      if (next == tokens.size()) {
        glob.shape_ = Shape::PrefixAndSuffix;
        glob.literalSuffix_ = suffix;
      }
    }
  }
  return glob;
}

bool GlobPattern::matches(std::string_view text) const {
  switch (shape_) {
  case Shape::Exact:
    return text == literalPrefix_;
  case Shape::PrefixAndSuffix:
    return text.size() >= literalPrefix_.size() + literalSuffix_.size() &&
           text.starts_with(literalPrefix_) && text.ends_with(literalSuffix_);
  case Shape::General:
    if (!text.starts_with(literalPrefix_))
      return false;
    return matchTokens(text);
  }
  assert(false && "unhandled glob shape");
  return false;
}

// Walks tokens left to right. On a mismatch it returns to the most recent `*` and lets it
// swallow one more character; earlier stars never need revisiting, because the later star can
// absorb anything they would have.
bool GlobPattern::matchTokens(std::string_view text) const {
  size_t tokenIndex = 0, position = 0;
  size_t starToken = SIZE_MAX, starPosition = 0;
  while (position < text.size()) {
    if (tokenIndex < tokens_.size()) {
      const Token &token = tokens_[tokenIndex];
      switch (token.kind) {
      case TokenKind::Literal: {
        const std::string &literal = literals_[token.index];
        if (text.substr(position).starts_with(literal)) {
          position += literal.size();
          ++tokenIndex;
          continue;
        }
        break;
      }
      case TokenKind::AnyCharacter:
        position += characterLength(text, position);
        ++tokenIndex;
        continue;
      case TokenKind::CharacterSet: {
        auto [codePoint, length] = decodeCharacter(text, position);
        if (sets_[token.index].contains(codePoint)) {
          position += length;
          ++tokenIndex;
          continue;
        }
        break;
      }
      case TokenKind::AnyRun:
        starToken = tokenIndex++;
        starPosition = position;
        continue;
      }
    }
    if (starToken == SIZE_MAX)
      return false;
    starPosition += characterLength(text, starPosition);
    position = starPosition;
    tokenIndex = starToken + 1;
  }
  while (tokenIndex < tokens_.size() && tokens_[tokenIndex].kind == TokenKind::AnyRun)
    ++tokenIndex;
  return tokenIndex == tokens_.size();
}

} // namespace pyvc
