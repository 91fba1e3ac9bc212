// Readings from outside are strict and bounded: `extra` nests at most kMaxExtraDepth levels,
// refused without recursion by every entry point (text or parsed JSON, in or out), and a
// repeated field or a NUL byte is an error, never a silent choice.
#include "core/Reading.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using pyvc::kMaxExtraDepth;
using pyvc::Reading;

// {"d":{"d":...{"d":1}}} with `levels` objects, built top-down in place: no copy, no recursion.
json nestedObject(int levels) {
  json root = json::object();
  json *innermost = &root;
  for (int level = 1; level < levels; ++level)
    innermost = &((*innermost)["d"] = json::object());
  (*innermost)["d"] = 1;
  return root;
}

// The text of a reading whose extra field nests `levels` levels (arrays below the object).
std::string readingWithExtraDepth(int levels) {
  return R"({"sensor":"a","timestamp_ms":1,"value":2,"extra":{"d":)" +
         std::string(levels - 1, '[') + "1" + std::string(levels - 1, ']') + "}}";
}

const char kExtraTooDeep[] = "field `extra` is nested deeper than the limit of 64 levels";

TEST(CoreReadingLimits, ExtraMayNestSixtyFourLevels) {
  static_assert(kMaxExtraDepth == 64, "docs/RUNTIME-privacy.md documents 64");
  auto atLimit = pyvc::parseReading(readingWithExtraDepth(64));
  ASSERT_TRUE(atLimit) << atLimit.error().message;
  auto text = pyvc::serializeReading(*atLimit);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, R"({"extra":{"d":)" + std::string(63, '[') + "1" + std::string(63, ']') +
                       R"(},"sensor":"a","timestamp_ms":1,"unit":"","value":2.0})");

  // The 65th level is the 64th `[`, at byte 54 + 63 = 117 (column 118).
  auto overLimit = pyvc::parseReading(readingWithExtraDepth(65));
  ASSERT_FALSE(overLimit);
  EXPECT_EQ(overLimit.error().message,
            "a reading is not valid JSON: line 1, column 118: nested deeper than the limit of 64 "
            "levels at `extra.d[0]...[0][0]`");
}

TEST(CoreReadingLimits, BatchesCountExtraFromTheReading) {
  std::string batch = "[" + readingWithExtraDepth(64) + "," + readingWithExtraDepth(65) + "]";
  auto parsed = pyvc::parseBatch(batch);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message.rfind("a batch is not valid JSON: line 1, column ", 0), 0u)
      << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("nested deeper than the limit of 64 levels at `[1].extra"),
            std::string::npos)
      << parsed.error().message;
  auto fine = pyvc::parseBatch("[" + readingWithExtraDepth(64) + "]");
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->size(), 1u);
}

TEST(CoreReadingLimits, DeepInputNeverReachesTheStack) {
  // 1,000,000 levels: the old recursive code overflowed at 25,000 (firewall) and 100,000.
  std::string deepText = readingWithExtraDepth(1000000);
  auto parsed = pyvc::parseReading(deepText);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("limit of 64 levels"), std::string::npos);

  json deepValue = json::parse(deepText); // nlohmann's own parser and destructor iterate
  auto fromValue = pyvc::readingFromJson(deepValue);
  ASSERT_FALSE(fromValue);
  EXPECT_EQ(fromValue.error().message, kExtraTooDeep);

  Reading reading;
  reading.sensor = "a";
  reading.extra = nestedObject(100000);
  auto serialized = pyvc::serializeReading(reading);
  ASSERT_FALSE(serialized);
  EXPECT_EQ(serialized.error().message, kExtraTooDeep);
  std::vector<Reading> readings(1); // moved in: copying 100,000 levels would itself recurse
  readings.push_back(std::move(reading));
  auto batch = pyvc::serializeBatch(readings);
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().message, std::string("reading 1: ") + kExtraTooDeep);
}

TEST(CoreReadingLimits, FindExtraProblemWalksWithoutRecursion) {
  using pyvc::ExtraProblem;
  EXPECT_EQ(pyvc::findExtraProblem(json()), ExtraProblem::None);
  EXPECT_EQ(pyvc::findExtraProblem(nestedObject(64)), ExtraProblem::None);
  EXPECT_EQ(pyvc::findExtraProblem(nestedObject(65)), ExtraProblem::TooDeep);
  EXPECT_EQ(pyvc::findExtraProblem(nestedObject(200000)), ExtraProblem::TooDeep);
  EXPECT_EQ(pyvc::findExtraProblem(json::array()), ExtraProblem::NotAnObject);
  EXPECT_EQ(pyvc::findExtraProblem(json("x")), ExtraProblem::NotAnObject);
  json badKey = {{"ok", {{"deeper", {1, 2, "x"}}}}};
  badKey["ok"]["deeper"].push_back({{"bad\xff", 1}});
  EXPECT_EQ(pyvc::findExtraProblem(badKey), ExtraProblem::InvalidUtf8);
  EXPECT_EQ(pyvc::findExtraProblem(badKey, /*checkUtf8=*/false), ExtraProblem::None);
  json badString = {{"a", {"fine", "bad\xc0\xaf"}}};
  EXPECT_EQ(pyvc::findExtraProblem(badString), ExtraProblem::InvalidUtf8);
}

TEST(CoreReadingLimits, RepeatedFieldsAndNulBytesAreErrors) {
  // Which "sensor" should win? Neither: the reading is refused.
  auto twice =
      pyvc::parseReading(R"({"sensor":"secret.a","sensor":"temp.b","timestamp_ms":1,"value":1})");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message,
            "a reading is not valid JSON: line 1, column 22: duplicate key `sensor`");
  auto inExtra =
      pyvc::parseReading(R"({"sensor":"a","timestamp_ms":1,"value":1,"extra":{"k":1,"k":2}})");
  ASSERT_FALSE(inExtra);
  EXPECT_EQ(inExtra.error().message,
            "a reading is not valid JSON: line 1, column 57: duplicate key `k` in `extra`");
  std::string withNul = std::string(R"({"sensor":"a","timestamp_ms":1,"value":1})") + '\0' + "junk";
  auto nul = pyvc::parseReading(withNul);
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().message, "a reading is not valid JSON: line 1, column 42: NUL byte (byte "
                                 "41), which JSON text cannot hold");
  auto huge = pyvc::parseBatch(R"([{"sensor":"a","timestamp_ms":1,"value":1e999}])");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().message, "a batch is not valid JSON: line 1, column 45: number overflow "
                                  "parsing '1e999' at `[0].value`");
}

TEST(CoreReadingLimits, ExtraThatIsNotAnObjectIsNotDroppedSilently) {
  Reading reading;
  reading.sensor = "a";
  reading.extra = json::array({1, 2});
  auto text = pyvc::serializeReading(reading);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "field `extra` must be an object");
  auto parsed = pyvc::parseReading(R"({"sensor":"a","timestamp_ms":1,"value":1,"extra":[1]})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "field `extra` must be an object");
}

} // namespace
