// RecordEncoding: what the hand-written JSON says must read back, through nlohmann's parser, as
// exactly the values written (shortest round-trip numbers, escaped strings, null for NaN).
#include "agent/RecordEncoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

using namespace pyvc::agent;

TEST(RecordEncoding, ReadingsReadBackExactly) {
  std::mt19937_64 random(3);
  std::uniform_real_distribution<double> values(-1e6, 1e6);
  for (int i = 0; i < 2000; ++i) {
    double value = i % 7 == 0 ? std::ldexp(values(random), -300) : values(random);
    std::string text;
    appendReadingJson(text, "temp.room1", 1732312345678 + i, value, "", nullptr);
    auto parsed = nlohmann::json::parse(text);
    EXPECT_EQ(parsed["sensor"], "temp.room1");
    EXPECT_EQ(parsed["timestamp_ms"].get<int64_t>(), 1732312345678 + i);
    EXPECT_EQ(parsed["value"].get<double>(), value) << text;
    EXPECT_EQ(rawReadingJsonBytes("temp.room1", 1732312345678 + i, value), text.size());
  }
}

TEST(RecordEncoding, StringsAreEscapedAndNonFiniteNumbersAreNull) {
  std::string text;
  appendReadingJson(text, "a\"b\\c\n\x01\xc3\xa9", -5, std::nan(""), "°C",
                    nullptr);
  auto parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["sensor"], "a\"b\\c\n\x01\xc3\xa9");
  EXPECT_TRUE(parsed["value"].is_null());
  EXPECT_EQ(parsed["unit"], "°C");
  EXPECT_EQ(parsed["timestamp_ms"], -5);
  std::string infinite;
  appendJsonNumber(infinite, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(infinite, "null");
}

TEST(RecordEncoding, ExtraFieldsAndNamedValues) {
  std::string text;
  nlohmann::json extra{{"owner", "alice"}, {"depth", {{"x", 1}}}};
  appendReadingJson(text, "s", 1, 2.5, "", &extra);
  EXPECT_EQ(nlohmann::json::parse(text)["extra"], extra);
  std::string named;
  std::vector<std::string> names{"mean", "max"};
  std::vector<double> values{21.5, std::numeric_limits<double>::quiet_NaN()};
  appendNamedValues(named, names, values);
  EXPECT_EQ(named, "{\"mean\":21.5,\"max\":null}");
}
