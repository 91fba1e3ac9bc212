// isValidUtf8 against a table whose expected column came from Python's strict decoder
// (`bytes.decode("utf-8")` under /usr/bin/python3, run while writing this test).
#include "core/Utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Utf8Case {
  std::string bytes;
  bool valid;
};

TEST(CoreUtf8, AgreesWithPythonStrictDecoder) {
  const std::vector<Utf8Case> cases = {
      {std::string("", 0), true},
      {std::string("temp.room1", 10), true},
      {std::string("caf\xc3\xa9", 5), true},
      {std::string("\xe2\x82\xac", 3), true},
      {std::string("\xf0\x9f\x98\x80", 4), true},
      {std::string("\xc3", 1), false},             // truncated 2-byte sequence
      {std::string("\xc0\xaf", 2), false},         // overlong '/'
      {std::string("\xe0\x80\xaf", 3), false},     // overlong 3-byte
      {std::string("\xed\xa0\x80", 3), false},     // surrogate U+D800
      {std::string("\xf4\x90\x80\x80", 4), false}, // U+110000
      {std::string("\xf5\x80\x80\x80", 4), false}, // lead byte never valid
      {std::string("\x80", 1), false},             // lone continuation
      {std::string("abcdefgh\xff", 9), false},     // after the 8-byte ASCII fast path
      {std::string("abcdefghij\xc3\xa9klmnopq", 19), true},
      {std::string("\xef\xbf\xbf", 3), true},     // U+FFFF
      {std::string("\xf4\x8f\xbf\xbf", 4), true}, // U+10FFFF
      {std::string("\xe2\x82", 2), false},        // truncated 3-byte sequence
      {std::string("a\x00"
                   "b",
                   3),
       true},                                      // NUL is valid UTF-8
      {std::string("\xed\x9f\xbf", 3), true},      // U+D7FF, just below the surrogates
      {std::string("\xf0\x8f\xbf\xbf", 4), false}, // overlong 4-byte
  };
  for (const Utf8Case &testCase : cases)
    EXPECT_EQ(pyvc::isValidUtf8(testCase.bytes), testCase.valid)
        << "bytes of length " << testCase.bytes.size();
}

} // namespace
