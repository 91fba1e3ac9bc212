// JSON round trips of readings and batches, and errors that name the bad field.
#include "core/Reading.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using pyvc::Reading;

Reading sampleReading() {
  Reading reading;
  reading.sensor = "temp.room1";
  reading.timestampMs = 1732312345678;
  reading.value = 21.5;
  reading.unit = "C";
  reading.extra = {{"owner", "alice"}, {"floor", 3}};
  return reading;
}

TEST(CoreReading, RoundTripsThroughJsonText) {
  Reading original = sampleReading();
  auto text = pyvc::serializeReading(original);
  ASSERT_TRUE(text) << text.error().message;
  auto parsed = pyvc::parseReading(*text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, original);
}

TEST(CoreReading, NonFiniteValueBecomesNullAndParsesAsNan) {
  Reading reading = sampleReading();
  reading.value = std::nan("");
  auto text = pyvc::serializeReading(reading);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("\"value\":null"), std::string::npos) << *text;
  auto parsed = pyvc::parseReading(*text);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(std::isnan(parsed->value));
}

TEST(CoreReading, UnitAndExtraAreOptional) {
  auto parsed = pyvc::parseReading(R"({"sensor":"a","timestamp_ms":-5,"value":1})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->timestampMs, -5);
  EXPECT_EQ(parsed->unit, "");
  EXPECT_TRUE(parsed->extra.is_null());
  auto text = pyvc::serializeReading(*parsed);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->find("extra"), std::string::npos) << "empty extra must not be written";
}

TEST(CoreReading, MalformedReadingNamesTheField) {
  struct Case {
    const char *json;
    const char *expectedMessage;
  };
  const Case cases[] = {
      {R"({"timestamp_ms":1,"value":1})", "field `sensor` is missing"},
      {R"({"sensor":"a","value":1})", "field `timestamp_ms` is missing"},
      {R"({"sensor":"a","timestamp_ms":1})", "field `value` is missing"},
      {R"({"sensor":7,"timestamp_ms":1,"value":1})", "field `sensor` must be a string"},
      {R"({"sensor":"a","timestamp_ms":1.5,"value":1})", "field `timestamp_ms` must be an integer"},
      {R"({"sensor":"a","timestamp_ms":1,"value":"hot"})", "field `value` must be a number"},
      {R"({"sensor":"a","timestamp_ms":1,"value":1,"unit":3})", "field `unit` must be a string"},
      {R"({"sensor":"a","timestamp_ms":1,"value":1,"extra":[1]})",
       "field `extra` must be an object"},
      {R"({"sensor":"a","timestamp_ms":1,"value":1,"vaule":2})", "unknown field `vaule`"},
      {R"({"sensor":"a","timestamp_ms":18446744073709551615,"value":1})",
       "out of the 64-bit range"},
      {R"([1,2])", "must be a JSON object"},
      {R"({"sensor":)", "not valid JSON"},
  };
  for (const Case &testCase : cases) {
    auto parsed = pyvc::parseReading(testCase.json);
    ASSERT_FALSE(parsed) << testCase.json;
    EXPECT_NE(parsed.error().message.find(testCase.expectedMessage), std::string::npos)
        << testCase.json << " gave: " << parsed.error().message;
  }
}

TEST(CoreReading, SerialisingInvalidUtf8IsAnErrorNotAReplacement) {
  Reading reading = sampleReading();
  reading.sensor = "door\xff";
  auto text = pyvc::serializeReading(reading);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "field `sensor` is not valid UTF-8");

  reading = sampleReading();
  reading.extra["owner"] = "bad\xc3";
  text = pyvc::serializeReading(reading);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("field `extra`"), std::string::npos);
}

TEST(CoreReading, BatchRoundTripsAndErrorsNameTheIndex) {
  std::vector<Reading> batch = {sampleReading(), sampleReading()};
  batch[1].sensor = "hum.cellar";
  batch[1].extra = nullptr;
  auto text = pyvc::serializeBatch(batch);
  ASSERT_TRUE(text) << text.error().message;
  auto parsed = pyvc::parseBatch(*text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, batch);

  auto bad = pyvc::parseBatch(
      R"([{"sensor":"a","timestamp_ms":1,"value":1},{"sensor":"b","timestamp_ms":2,"value":"x"}])");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "reading 1: field `value` must be a number or null");

  batch[0].unit = "\xc3";
  auto badText = pyvc::serializeBatch(batch);
  ASSERT_FALSE(badText);
  EXPECT_EQ(badText.error().message, "reading 0: field `unit` is not valid UTF-8");

  auto notArray = pyvc::parseBatch(R"({"sensor":"a"})");
  ASSERT_FALSE(notArray);
  EXPECT_NE(notArray.error().message.find("JSON array"), std::string::npos);
}

} // namespace
