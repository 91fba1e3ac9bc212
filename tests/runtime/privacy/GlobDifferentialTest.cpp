// GlobPattern against an independent oracle on random input: each glob is translated to a
// std::regex the way Python's fnmatch.translate does (`*` -> `.*`, `?` -> `.`, sets kept, the
// rest escaped), and both must agree on every text. ASCII only: std::regex works on bytes.
#include "privacy/GlobPattern.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <regex>

namespace {

// Pattern pieces; sets are written in forms both sides read the same way.
const char *const kPieces[] = {"a", "b", ".", "ab", "*", "?", "[ab]", "[!a]", "[a-c]", "[!.b]"};
const char kTextAlphabet[] = {'a', 'b', 'c', '.'};

std::string regexOf(const std::string &glob) {
  std::string regex;
  for (size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*') {
      regex += ".*";
    } else if (c == '?') {
      regex += '.';
    } else if (c == '[') {
      size_t close = glob.find(']', i + 1);
      std::string set = glob.substr(i + 1, close - i - 1);
      if (!set.empty() && set[0] == '!')
        set[0] = '^';
      regex += "[" + set + "]";
      i = close;
    } else {
      if (!std::isalnum(static_cast<unsigned char>(c)))
        regex += '\\'; // escaping a letter would mean something else (`\b` is a word boundary)
      regex += c;
    }
  }
  return regex;
}

TEST(PrivacyGlob, AgreesWithARegexTranslationOnRandomInput) {
  std::mt19937 random(20261122);
  for (int patternIndex = 0; patternIndex < 400; ++patternIndex) {
    std::string glob;
    int pieces = 1 + int(random() % 6);
    for (int i = 0; i < pieces; ++i)
      glob += kPieces[random() % std::size(kPieces)];
    auto compiled = pyvc::GlobPattern::compile(glob);
    ASSERT_TRUE(compiled) << glob << ": " << compiled.error().message;
    std::regex oracle(regexOf(glob));
    for (int textIndex = 0; textIndex < 50; ++textIndex) {
      std::string text;
      int length = int(random() % 9);
      for (int i = 0; i < length; ++i)
        text += kTextAlphabet[random() % std::size(kTextAlphabet)];
      ASSERT_EQ(compiled->matches(text), std::regex_match(text, oracle))
          << "glob `" << glob << "` regex `" << regexOf(glob) << "` text `" << text << "`";
    }
  }
}

} // namespace
