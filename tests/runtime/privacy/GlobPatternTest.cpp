// GlobPattern against Python's fnmatch.fnmatchcase: every expected value in the table below was
// produced by running fnmatchcase(text, pattern) under /usr/bin/python3 (3.11) while writing it.
#include "privacy/GlobPattern.h"

#include <gtest/gtest.h>

namespace {

using pyvc::GlobPattern;

struct GlobCase {
  const char *pattern;
  const char *text;
  bool matches;
};

const GlobCase kPythonVerifiedCases[] = {
    {"temp.*", "temp.room1", true},
    {"temp.*", "temp.", true},
    {"temp.*", "temp", false},
    {"temp.*", "Temp.x", false},
    {"temp.*", "xtemp.a", false},
    {"door.[0-9]", "door.1", true},
    {"door.[0-9]", "door.a", false},
    {"door.[0-9]", "door.10", false},
    {"door.[0-9]", "door.", false},
    {"gps.*", "gps.lat", true},
    {"gps.*", "gps", false},
    {"gps.*", "gps.x.y", true},
    {"*", "", true},
    {"*", "a", true},
    {"*", "anything/at.all", true},
    {"*.raw", "cam.raw", true},
    {"*.raw", ".raw", true},
    {"*.raw", "raw", false},
    {"*.raw", "cam.raw.x", false},
    {"gps*lat", "gpslat", true},
    {"gps*lat", "gps.lat", true},
    {"gps*lat", "gps.lon", false},
    {"gps*lat", "gplat", false},
    {"?", "", false},
    {"?", "a", true},
    {"?", "ab", false},
    {"?", "é", true},
    {"a?c", "abc", true},
    {"a?c", "ac", false},
    {"a?c", "a/c", true},
    {"a?c", "aéc", true},
    {"[!a]*", "abc", false},
    {"[!a]*", "bcd", true},
    {"[!a]*", "", false},
    {"[!a]*", "!x", true},
    {"[]a]", "]", true},
    {"[]a]", "a", true},
    {"[]a]", "b", false},
    {"[!]a]", "]", false},
    {"[!]a]", "a", false},
    {"[!]a]", "b", true},
    {"[a-]", "a", true},
    {"[a-]", "-", true},
    {"[a-]", "b", false},
    {"[-a]", "a", true},
    {"[-a]", "-", true},
    {"[-a]", "b", false},
    {"[a-c-e]", "b", true},
    {"[a-c-e]", "-", true},
    {"[a-c-e]", "e", true},
    {"[a-c-e]", "d", false},
    {"[^a]", "^", true},
    {"[^a]", "a", true},
    {"[^a]", "b", false},
    {"*a*b*c*", "abc", true},
    {"*a*b*c*", "aXbYc", true},
    {"*a*b*c*", "acb", false},
    {"*a*b*c*", "xxaxxbxxcxx", true},
    {"a*b*c", "abc", true},
    {"a*b*c", "abcbc", true},
    {"a*b*c", "abcb", false},
    {"a*b*c", "aaabbbccc", true},
    {"*ab", "aab", true},
    {"*ab", "abab", true},
    {"*ab", "aba", false},
    {"[a-zA-Z_]*[0-9]", "x1", true},
    {"[a-zA-Z_]*[0-9]", "_abc9", true},
    {"[a-zA-Z_]*[0-9]", "9", false},
    {"[a-zA-Z_]*[0-9]", "ab", false},
    {"é*", "été", true},
    {"é*", "e", false},
    {"é*", "é", true},
    {"[à-ÿ]x", "éx", true},
    {"[à-ÿ]x", "ax", false},
    {"[à-ÿ]x", "Āx", false},
    {"[!é]", "é", false},
    {"[!é]", "e", true},
    {"a\\b", "a\\b", true},
    {"a\\b", "ab", false},
    {"line*", "line\nbreak", true},
    {"*.[!t]*", "a.bc", true},
    {"*.[!t]*", "a.tc", false},
    {"*.[!t]*", "a.t.x", true},
    {"*.[!t]*", "a.", false},
    {"**x", "x", true},
    {"**x", "ax", true},
    {"sensor[0-9][0-9]?", "sensor12a", true},
    {"sensor[0-9][0-9]?", "sensor1a", false},
    {"sensor[0-9][0-9]?", "sensor123", true},
    {"a*", "a", true},
    {"a*", "ab", true},
    {"a*", "b", false},
    {"ab*ab", "abab", true},
    {"ab*ab", "ab", false},
    {"ab*ab", "abXab", true},
    {"ab*ab", "aab", false},
};

TEST(PrivacyGlob, AgreesWithPythonFnmatchcase) {
  for (const GlobCase &testCase : kPythonVerifiedCases) {
    auto glob = GlobPattern::compile(testCase.pattern);
    ASSERT_TRUE(glob) << testCase.pattern << ": " << glob.error().message;
    EXPECT_EQ(glob->matches(testCase.text), testCase.matches)
        << "pattern `" << testCase.pattern << "` text `" << testCase.text << "`";
  }
}

TEST(PrivacyGlob, RefusesPatternsPythonWouldQuietlyReinterpret) {
  struct BadCase {
    const char *pattern;
    const char *message;
  };
  const BadCase cases[] = {
      {"", "empty pattern"},
      {"door.[0-9", "unterminated `[` at byte 5"},
      {"[!]", "unterminated `[` at byte 0"},
      {"[]", "unterminated `[` at byte 0"},
      {"x[z-a]", "reversed range `z-a` in `[...]` at byte 1"},
      {"bad\xff", "pattern is not valid UTF-8"},
  };
  for (const BadCase &testCase : cases) {
    auto glob = GlobPattern::compile(testCase.pattern);
    ASSERT_FALSE(glob) << testCase.pattern;
    EXPECT_EQ(glob.error().message, testCase.message) << testCase.pattern;
  }
}

TEST(PrivacyGlob, ExposesTheLiteralPrefixUsedToIndexRules) {
  EXPECT_EQ(GlobPattern::compile("temp.*")->literalPrefix(), "temp.");
  EXPECT_EQ(GlobPattern::compile("door.[0-9]")->literalPrefix(), "door.");
  EXPECT_EQ(GlobPattern::compile("*.raw")->literalPrefix(), "");
  EXPECT_EQ(GlobPattern::compile("exact")->literalPrefix(), "exact");
}

TEST(PrivacyGlob, PathologicalStarsStayCorrect) {
  // Many stars against a long non-matching text: correct answer, no blow-up in recursion.
  auto glob = GlobPattern::compile("*a*a*a*a*a*a*a*a*b");
  ASSERT_TRUE(glob);
  EXPECT_FALSE(glob->matches(std::string(2000, 'a')));
  EXPECT_TRUE(glob->matches(std::string(2000, 'a') + "b"));
}

} // namespace
