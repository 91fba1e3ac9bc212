// ReadingDecoder: every RejectReason a reading can earn, with the field it names, and the exact
// fields of the readings that pass.
#include "ingest/ReadingDecoder.h"
#include "ingest/MqttSource.h" // sensorNameForTopic

#include <gtest/gtest.h>

#include <cmath>

namespace pyvc::ingest {
namespace {

constexpr int64_t Now = 1'700'000'000'000;

ValidationLimits limits() {
  ValidationLimits limits;
  limits.maxAgeMs = 3600'000; // one hour back
  limits.maxSkewMs = 60'000;  // one minute ahead
  return limits;
}

// Parses and decodes one JSON reading as the HTTP and replay sources do.
std::optional<Rejection> decodeJson(std::string_view text, DecodedReading &out,
                                    JsonReadingRules rules = {}) {
  nlohmann::json document;
  if (auto bad = parseJsonReadings(text, limits(), document))
    return bad;
  return decodeJsonReading(document, rules, Now, limits(), out);
}

std::string nested(size_t depth) { // an `extra` object nested `depth` levels
  std::string text;
  for (size_t i = 1; i < depth; ++i)
    text += "{\"a\":";
  text += "{}";
  for (size_t i = 1; i < depth; ++i)
    text += "}";
  return text;
}

struct JsonCase {
  const char *what;
  std::string text;
  RejectReason reason;
  const char *field;
};

TEST(ReadingDecoderTest, JsonRejectionsNameReasonAndField) {
  std::string ts = std::to_string(Now);
  auto reading = [&](std::string fields) { return "{\"sensor\":\"t.1\"," + fields + "}"; };
  std::vector<JsonCase> cases = {
      {"truncated", "{\"sensor\":\"t.1\",\"timestamp_ms\":", RejectReason::MalformedJson, ""},
      {"not json", "temperature=21", RejectReason::MalformedJson, ""},
      {"duplicate key", reading("\"timestamp_ms\":" + ts + ",\"value\":1,\"value\":2"),
       RejectReason::MalformedJson, ""},
      {"sensor not utf-8", "{\"sensor\":\"t\xff\",\"timestamp_ms\":" + ts + ",\"value\":1}",
       RejectReason::InvalidName, "sensor"},
      {"unit not utf-8", reading("\"timestamp_ms\":" + ts + ",\"value\":1,\"unit\":\"\xc3\""),
       RejectReason::MalformedJson, ""},
      {"empty name", "{\"sensor\":\"\",\"timestamp_ms\":" + ts + ",\"value\":1}",
       RejectReason::InvalidName, "sensor"},
      {"name of 257 bytes",
       "{\"sensor\":\"" + std::string(257, 'n') + "\",\"timestamp_ms\":" + ts + ",\"value\":1}",
       RejectReason::InvalidName, "sensor"},
      {"value NaN as string", reading("\"timestamp_ms\":" + ts + ",\"value\":\"NaN\""),
       RejectReason::WrongType, "value"},
      {"value null (NaN)", reading("\"timestamp_ms\":" + ts + ",\"value\":null"),
       RejectReason::NotFinite, "value"},
      {"value beyond double", reading("\"timestamp_ms\":" + ts + ",\"value\":1e400"),
       RejectReason::NotFinite, ""},
      {"value negative beyond double", reading("\"timestamp_ms\":" + ts + ",\"value\":-2e308"),
       RejectReason::NotFinite, ""},
      {"value bool", reading("\"timestamp_ms\":" + ts + ",\"value\":true"), RejectReason::WrongType,
       "value"},
      {"sensor number", "{\"sensor\":5,\"timestamp_ms\":" + ts + ",\"value\":1}",
       RejectReason::WrongType, "sensor"},
      {"timestamp string", reading("\"timestamp_ms\":\"now\",\"value\":1"), RejectReason::WrongType,
       "timestamp_ms"},
      {"timestamp fraction", reading("\"timestamp_ms\":1.5,\"value\":1"), RejectReason::WrongType,
       "timestamp_ms"},
      {"timestamp beyond int64", reading("\"timestamp_ms\":18446744073709551615,\"value\":1"),
       RejectReason::TimestampOutOfRange, "timestamp_ms"},
      {"timestamp two hours old",
       reading("\"timestamp_ms\":" + std::to_string(Now - 7200'000) + ",\"value\":1"),
       RejectReason::TimestampOutOfRange, "timestamp_ms"},
      {"timestamp in 1970", reading("\"timestamp_ms\":0,\"value\":1"),
       RejectReason::TimestampOutOfRange, "timestamp_ms"},
      {"timestamp two minutes ahead",
       reading("\"timestamp_ms\":" + std::to_string(Now + 120'000) + ",\"value\":1"),
       RejectReason::TimestampOutOfRange, "timestamp_ms"},
      {"missing value", reading("\"timestamp_ms\":" + ts), RejectReason::MissingField, "value"},
      {"missing timestamp", reading("\"value\":1"), RejectReason::MissingField, "timestamp_ms"},
      {"missing sensor", "{\"timestamp_ms\":" + ts + ",\"value\":1}", RejectReason::MissingField,
       "sensor"},
      {"unknown field", reading("\"timestamp_ms\":" + ts + ",\"value\":1,\"vaule\":2"),
       RejectReason::UnknownField, "vaule"},
      {"extra not an object", reading("\"timestamp_ms\":" + ts + ",\"value\":1,\"extra\":[1]"),
       RejectReason::WrongType, "extra"},
      {"extra 65 deep", reading("\"timestamp_ms\":" + ts + ",\"value\":1,\"extra\":" + nested(65)),
       RejectReason::TooDeep, "extra"},
      {"not an object", "[[1,2]]", RejectReason::WrongType, ""},
  };
  for (const JsonCase &test : cases) {
    SCOPED_TRACE(test.what);
    DecodedReading out;
    std::optional<Rejection> rejection = decodeJson(test.text, out);
    ASSERT_TRUE(rejection.has_value());
    EXPECT_EQ(rejectReasonName(rejection->reason), std::string(rejectReasonName(test.reason)))
        << describeRejection(*rejection);
    EXPECT_EQ(rejection->field, test.field) << describeRejection(*rejection);
  }
}

TEST(ReadingDecoderTest, JsonReadingFieldsExact) {
  DecodedReading out;
  std::string text = "{\"sensor\":\"temp.room1\",\"timestamp_ms\":1699999999000,\"value\":21.5,"
                     "\"unit\":\"C\",\"extra\":{\"owner\":\"alice\"}}";
  ASSERT_FALSE(decodeJson(text, out).has_value());
  EXPECT_EQ(out.sensor, "temp.room1");
  EXPECT_EQ(out.timestampMs, 1699999999000);
  EXPECT_EQ(out.value, 21.5);
  EXPECT_EQ(out.unit, "C");
  EXPECT_EQ(out.extra, nlohmann::json({{"owner", "alice"}}));
}

TEST(ReadingDecoderTest, LimitsAreInclusiveAt256BytesAnd64Levels) {
  DecodedReading out;
  std::string ts = std::to_string(Now - 3600'000); // exactly max age: still accepted
  EXPECT_FALSE(decodeJson("{\"sensor\":\"" + std::string(256, 'n') + "\",\"timestamp_ms\":" + ts +
                              ",\"value\":1,\"extra\":" + nested(64) + "}",
                          out)
                   .has_value());
  EXPECT_EQ(out.sensor.size(), 256u);
  EXPECT_EQ(out.timestampMs, Now - 3600'000);
  std::string multibyte = "\xc3\xa9t\xc3\xa9.\xe2\x82\xac"; // "été.€": valid UTF-8
  EXPECT_FALSE(
      decodeJson("{\"sensor\":\"" + multibyte + "\",\"timestamp_ms\":" + ts + ",\"value\":-0.25}",
                 out)
          .has_value());
  EXPECT_EQ(out.sensor, multibyte);
  EXPECT_EQ(out.value, -0.25);
}

TEST(ReadingDecoderTest, MqttRulesDefaultTimestampToNowAndAllowNoSensor) {
  DecodedReading out;
  ASSERT_FALSE(decodeJson("{\"value\":3}", out, {false, false}).has_value());
  EXPECT_EQ(out.timestampMs, Now);
  EXPECT_EQ(out.sensor, "");
  EXPECT_EQ(out.value, 3.0);
}

TEST(ReadingDecoderTest, DeepNestingIsRefusedWithoutRecursionAndNamesTheReading) {
  // A million levels would overflow the stack of a recursive parser.
  std::string deep(1'000'000, '[');
  nlohmann::json document;
  std::optional<Rejection> rejection = parseJsonReadings(deep, limits(), document);
  ASSERT_TRUE(rejection.has_value());
  EXPECT_EQ(rejection->reason, RejectReason::TooDeep);
  std::string ts = std::to_string(Now);
  std::string good = "{\"sensor\":\"a\",\"timestamp_ms\":" + ts + ",\"value\":1}";
  std::string bad =
      "{\"sensor\":\"a\",\"timestamp_ms\":" + ts + ",\"value\":1,\"extra\":" + nested(70) + "}";
  rejection =
      parseJsonReadings("[" + good + "," + good + ",\"x,[\"," + bad + "]", limits(), document);
  ASSERT_TRUE(rejection.has_value());
  EXPECT_EQ(rejection->reason, RejectReason::TooDeep);
  EXPECT_EQ(rejection->reading, std::optional<size_t>(3)); // the comma in a string is not one
  EXPECT_EQ(describeRejection(*rejection),
            "reading 3: field `extra` is nested deeper than 64 levels");
}

struct CsvCase {
  const char *what;
  std::string record;
  RejectReason reason;
  const char *field;
};

TEST(ReadingDecoderTest, CsvRejectionsNameReasonAndField) {
  Result<CsvColumns> columns = parseCsvHeader("sensor,timestamp_ms,value,unit");
  ASSERT_TRUE(columns.ok());
  std::string ts = std::to_string(Now);
  std::vector<CsvCase> cases = {
      {"nan", "t.1," + ts + ",nan,C", RejectReason::NotFinite, "value"},
      {"NaN", "t.1," + ts + ",NaN,C", RejectReason::NotFinite, "value"},
      {"inf", "t.1," + ts + ",inf,C", RejectReason::NotFinite, "value"},
      {"-Infinity", "t.1," + ts + ",-Infinity,C", RejectReason::NotFinite, "value"},
      {"1e400", "t.1," + ts + ",1e400,C", RejectReason::NotFinite, "value"},
      {"word", "t.1," + ts + ",warm,C", RejectReason::WrongType, "value"},
      {"number and text", "t.1," + ts + ",21.5C,C", RejectReason::WrongType, "value"},
      {"empty value", "t.1," + ts + ",,C", RejectReason::MissingField, "value"},
      {"timestamp text", "t.1,noon,1,C", RejectReason::WrongType, "timestamp_ms"},
      {"timestamp beyond int64", "t.1,99999999999999999999,1,C", RejectReason::TimestampOutOfRange,
       "timestamp_ms"},
      {"timestamp old", "t.1,1000,1,C", RejectReason::TimestampOutOfRange, "timestamp_ms"},
      {"name not utf-8", "t\xc0\xaf," + ts + ",1,C", RejectReason::InvalidName, "sensor"},
      {"empty name", "," + ts + ",1,C", RejectReason::InvalidName, "sensor"},
      {"too few columns", "t.1," + ts + ",1", RejectReason::MalformedCsv, ""},
      {"too many columns", "t.1," + ts + ",1,C,x", RejectReason::MalformedCsv, ""},
      {"unclosed quote", "\"t.1," + ts + ",1,C", RejectReason::MalformedCsv, ""},
      {"quote inside field", "t\"1," + ts + ",1,C", RejectReason::MalformedCsv, ""},
      {"text after quote", "\"t.1\"x," + ts + ",1,C", RejectReason::MalformedCsv, ""},
      {"unit too long", "t.1," + ts + ",1," + std::string(300, 'u'), RejectReason::Oversized,
       "unit"},
  };
  for (const CsvCase &test : cases) {
    SCOPED_TRACE(test.what);
    CsvRow row;
    CsvScratch scratch;
    std::optional<Rejection> rejection =
        decodeCsvRecord(test.record, *columns, Now, limits(), row, scratch);
    ASSERT_TRUE(rejection.has_value());
    EXPECT_EQ(rejectReasonName(rejection->reason), std::string(rejectReasonName(test.reason)))
        << describeRejection(*rejection);
    EXPECT_EQ(rejection->field, test.field) << describeRejection(*rejection);
  }
}

TEST(ReadingDecoderTest, CsvQuotingAndNumbers) {
  Result<CsvColumns> columns = parseCsvHeader("value,unit,sensor,timestamp_ms"); // any order
  ASSERT_TRUE(columns.ok());
  CsvRow row;
  CsvScratch scratch;
  std::string ts = std::to_string(Now);
  std::string record = "+2.5e1,\"deg \"\"C\"\"\",\"hall, north\"," + ts; // views point into it
  ASSERT_FALSE(decodeCsvRecord(record, *columns, Now, limits(), row, scratch).has_value());
  EXPECT_EQ(row.value, 25.0);
  EXPECT_EQ(row.unit, "deg \"C\"");
  EXPECT_EQ(row.sensor, "hall, north");
  EXPECT_EQ(row.timestampMs, Now);
  record = " -0.1 ,,t.2, " + ts + " ";
  ASSERT_FALSE(decodeCsvRecord(record, *columns, Now, limits(), row, scratch).has_value());
  EXPECT_EQ(row.value, -0.1);
  EXPECT_EQ(row.unit, "");
  EXPECT_EQ(row.sensor, "t.2");
  record = "1e-400,,t.3," + ts;
  EXPECT_FALSE(decodeCsvRecord(record, *columns, Now, limits(), row, scratch));
  EXPECT_EQ(row.value, 0.0); // underflow is zero, not an error (as Python's float() says)
}

TEST(ReadingDecoderTest, CsvHeaderErrors) {
  EXPECT_EQ(parseCsvHeader("sensor,timestamp_ms").error().message, "csv header: no `value` column");
  EXPECT_EQ(parseCsvHeader("sensor,timestamp_ms,value,value").error().message,
            "csv header: column `value` appears twice");
  EXPECT_EQ(parseCsvHeader("sensor,time,value").error().message,
            "csv header: unknown column `time` (expected sensor, timestamp_ms, value and "
            "optionally unit)");
  Result<CsvColumns> columns = parseCsvHeader("\xEF\xBB\xBFsensor,timestamp_ms,value\r");
  ASSERT_TRUE(columns.ok());
  EXPECT_EQ(columns->count, 3);
  EXPECT_EQ(columns->unit, -1);
}

TEST(ReadingDecoderTest, NumberPayloads) {
  double value = 0;
  EXPECT_FALSE(decodeNumberPayload(" 21.5\n", value).has_value());
  EXPECT_EQ(value, 21.5);
  EXPECT_FALSE(decodeNumberPayload("-3e2", value).has_value());
  EXPECT_EQ(value, -300.0);
  EXPECT_EQ(decodeNumberPayload("nan", value)->reason, RejectReason::NotFinite);
  EXPECT_EQ(decodeNumberPayload("-inf", value)->reason, RejectReason::NotFinite);
  EXPECT_EQ(decodeNumberPayload("1e999", value)->reason, RejectReason::NotFinite);
  EXPECT_EQ(decodeNumberPayload("warm", value)->reason, RejectReason::WrongType);
  EXPECT_EQ(decodeNumberPayload("", value)->reason, RejectReason::WrongType);
  EXPECT_EQ(decodeNumberPayload("{\"value\":1}", value)->reason, RejectReason::WrongType);
}

TEST(ReadingDecoderTest, TopicToSensorName) {
  EXPECT_EQ(sensorNameForTopic("{topic}", "a/b/c"), std::optional<std::string>("a/b/c"));
  EXPECT_EQ(sensorNameForTopic("{1}.temp", "sensors/room1/temperature"),
            std::optional<std::string>("room1.temp"));
  EXPECT_EQ(sensorNameForTopic("{0}-{2}", "x/y/z"), std::optional<std::string>("x-z"));
  EXPECT_EQ(sensorNameForTopic("{3}", "x/y/z"), std::nullopt);
  EXPECT_EQ(sensorNameForTopic("fixed", "x/y"), std::optional<std::string>("fixed"));
  EXPECT_EQ(sensorNameForTopic("{name}", "x"), std::optional<std::string>("{name}"));
}

TEST(ReadingDecoderTest, EveryReasonHasItsLabel) {
  EXPECT_STREQ(rejectReasonName(RejectReason::MalformedJson), "malformed_json");
  EXPECT_STREQ(rejectReasonName(RejectReason::TimestampOutOfRange), "timestamp_out_of_range");
  EXPECT_STREQ(rejectReasonName(RejectReason::UnmappedTopic), "unmapped_topic");
  EXPECT_EQ(kRejectReasonCount, 11u);
  EXPECT_STREQ(sourceDropReasonName(SourceDropReason::BudgetFull), "budget_full");
}

} // namespace
} // namespace pyvc::ingest
