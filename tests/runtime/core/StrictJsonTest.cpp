// Strict JSON: every way nlohmann's defaults would read too much or too little (a repeated key,
// a NUL byte, a number out of range, trailing data, deep nesting) is refused with the place;
// what it accepts reads exactly as nlohmann's own parser reads it.
#include "core/StrictJson.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using pyvc::parseStrictJson;
using pyvc::StrictJsonOptions;

std::string errorOf(std::string_view text, StrictJsonOptions options = {}) {
  pyvc::Result<json> parsed = parseStrictJson(text, options);
  return parsed ? "<parsed>" : parsed.error().message;
}

std::string nested(int levels, std::string_view inner = "1") {
  return std::string(levels, '[') + std::string(inner) + std::string(levels, ']');
}

TEST(CoreStrictJson, RepeatedKeysAreRefusedWithTheirPlaceAndPath) {
  // Columns count bytes from 1 and point at the repeated key's opening quote.
  EXPECT_EQ(errorOf(R"({"default":"drop","default":"allow"})"),
            "line 1, column 19: duplicate key `default`");
  EXPECT_EQ(errorOf(R"({"rules":[{"sensor":"a","sensor":"b","action":"drop"}]})"),
            "line 1, column 25: duplicate key `sensor` in `rules[0]`");
  EXPECT_EQ(errorOf("{\"rules\": [],\n  \"x\": {\"a\": [{}, {\"k\": 1,\n \"k\": 2}]}}"),
            "line 3, column 2: duplicate key `k` in `x.a[1]`");
  // Escapes before the quote: the key is `a\"` (with a quote) twice.
  EXPECT_EQ(errorOf(R"({"a\\":1,"a\\":2})"), "line 1, column 10: duplicate key `a\\`");
  EXPECT_EQ(errorOf(R"({"a\"":1,"a\"":2})"), "line 1, column 10: duplicate key `a\"`");
  // The same key in different objects is fine.
  EXPECT_EQ(errorOf(R"({"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]})"), "<parsed>");
}

TEST(CoreStrictJson, NulBytesAreRefusedWherever) {
  std::string afterValue = std::string(R"({"default":"drop"})") + '\0' + R"({"default":"allow"})";
  EXPECT_EQ(errorOf(afterValue),
            "line 1, column 19: NUL byte (byte 18), which JSON text cannot hold");
  std::string inString = std::string("{\n\"a\":\"x") + '\0' + "\"}";
  EXPECT_EQ(errorOf(inString), "line 2, column 7: NUL byte (byte 8), which JSON text cannot hold");
  EXPECT_EQ(errorOf(std::string(1, '\0')),
            "line 1, column 1: NUL byte (byte 0), which JSON text cannot hold");
  // The escaped form is an ordinary character.
  pyvc::Result<json> escaped = parseStrictJson(R"({"a":"x\u0000y"})");
  ASSERT_TRUE(escaped) << escaped.error().message;
  EXPECT_EQ((*escaped)["a"].get<std::string>(), std::string("x\0y", 3));
}

TEST(CoreStrictJson, NumbersOutsideDoubleRangeAreErrorsNotExceptions) {
  EXPECT_EQ(errorOf(R"({"default":1e999})"),
            "line 1, column 16: number overflow parsing '1e999' at `default`");
  EXPECT_EQ(errorOf(R"({"x":[0, -1e400]})"),
            "line 1, column 15: number overflow parsing '-1e400' at `x[1]`");
  // 400 digits: too large for any integer type, and for a double.
  EXPECT_EQ(errorOf(std::string(400, '9')).rfind("line 1, column 400: number overflow", 0), 0u);
  // In range: the largest double, and integers past int64 as unsigned.
  pyvc::Result<json> large = parseStrictJson("[1.7976931348623157e308, 18446744073709551615]");
  ASSERT_TRUE(large) << large.error().message;
  EXPECT_EQ((*large)[1].get<uint64_t>(), UINT64_MAX);
}

TEST(CoreStrictJson, TrailingDataAndBrokenTextAreRefused) {
  for (std::string_view text : {R"({"a":1} x)", R"({"a":1}{"b":2})", "1 2", "", "   ", "{", "[1,]",
                                "{\"a\" 1}", "tru", "\"\xff\""}) {
    std::string message = errorOf(text);
    EXPECT_EQ(message.rfind("line ", 0), 0u) << text << " -> " << message;
    EXPECT_NE(message, "<parsed>") << text;
  }
  EXPECT_EQ(errorOf("{\"a\":1}\n\n  x"),
            "line 3, column 3: syntax error while parsing value - invalid literal; last read: "
            "'1}<U+000A><U+000A>  x'; expected end of input")
      << "our place, then nlohmann's words (its `last read` runs from the previous token)";
}

TEST(CoreStrictJson, DepthIsLimitedWhileParsing) {
  EXPECT_EQ(errorOf(nested(64)), "<parsed>");
  // The 65th `[` is byte 64; the path keeps its first three and last two steps.
  EXPECT_EQ(errorOf(nested(65)),
            "line 1, column 65: nested deeper than the limit of 64 levels at `[0][0][0]...[0][0]`");
  StrictJsonOptions reading{.maxDepth = 3, .outerLevels = 1};
  EXPECT_EQ(errorOf(R"({"extra":{"a":{"b":[1]}}})", reading), "<parsed>");
  EXPECT_EQ(errorOf(R"({"extra":{"a":{"b":[[1]]}}})", reading),
            "line 1, column 21: nested deeper than the limit of 3 levels at `extra.a.b[0]`");
  // Far past any stack: refused as soon as the limit is passed, nothing recurses.
  EXPECT_EQ(errorOf(nested(1000000)).rfind("line 1, column 65: nested deeper", 0), 0u);
  EXPECT_EQ(errorOf(std::string(1000000, '{')).rfind("line 1, column 2: ", 0), 0u)
      << "a key is expected after `{`";
}

TEST(CoreStrictJson, AcceptedTextReadsAsNlohmannReadsIt) {
  for (std::string_view text :
       {R"({"sensor":"temp","timestamp_ms":-5,"value":null,"extra":{"a":[1,2.5,"x",true,{}]}})",
        R"([])", R"("caf\u00e9 \ud83d\ude00")", "  -0.0  ", "18446744073709551615",
        "-9223372036854775808", "[[[[]]],{}]", "{\"\":{\"\":[]}}", "\t\r\n{\"k\" : \"v\"}\n"}) {
    pyvc::Result<json> strict = parseStrictJson(text);
    ASSERT_TRUE(strict) << text << ": " << strict.error().message;
    json lenient = json::parse(text);
    EXPECT_EQ(*strict, lenient) << text;
    EXPECT_EQ(strict->dump(), lenient.dump()) << text << " (same types, same order)";
  }
}

TEST(CoreStrictJson, DepthScanCountsOnlyOutsideStrings) {
  EXPECT_TRUE(pyvc::checkJsonDepth(nested(64), 64));
  pyvc::Result<void> deep = pyvc::checkJsonDepth(nested(65), 64);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "JSON nested deeper than the limit of 64 levels at byte 64");
  EXPECT_TRUE(pyvc::checkJsonDepth(R"(["[[[[", "\"[[[", {"{{{": "\\"}])", 2));
  pyvc::Result<void> afterEscapes = pyvc::checkJsonDepth(R"(["\\", [[1]]])", 2);
  ASSERT_FALSE(afterEscapes) << "a string ending in an escaped backslash has ended";
  EXPECT_EQ(afterEscapes.error().message,
            "JSON nested deeper than the limit of 2 levels at byte 8");
  EXPECT_TRUE(pyvc::checkJsonDepth("", 0));
  EXPECT_TRUE(pyvc::checkJsonDepth(std::string(100000, ']'), 1)) << "closers alone never nest";
  EXPECT_FALSE(pyvc::checkJsonDepth(std::string(1000000, '{'), 64));
}

} // namespace
