// Durations, sizes and numbers as the config file writes them (config/ConfigValues.h).
#include "config/ConfigValues.h"

#include <gtest/gtest.h>

using namespace pyvc::agent;

TEST(ConfigValues, DurationsInEveryUnit) {
  EXPECT_EQ(parseDurationMs("500ms"), 500);
  EXPECT_EQ(parseDurationMs("10s"), 10000);
  EXPECT_EQ(parseDurationMs("5m"), 300000);
  EXPECT_EQ(parseDurationMs("2h"), 7200000);
  EXPECT_EQ(parseDurationMs("7d"), 604800000);
  EXPECT_EQ(parseDurationMs("0s"), 0);
  EXPECT_EQ(parseDurationMs("1.5s"), 1500);
  EXPECT_EQ(parseDurationMs("0.25m"), 15000);
}

TEST(ConfigValues, DurationsRefused) {
  for (const char *text : {"10", "", "s", "ten", "10 s", "-1s", "+1s", "1.5ms", "10sec", "1e3s",
                           "1.s", ".5s", "10S", "99999999999999999999d", "106751992000d"})
    EXPECT_EQ(parseDurationMs(text), std::nullopt) << text;
}

TEST(ConfigValues, Sizes) {
  EXPECT_EQ(parseSizeBytes("1000"), 1000);
  EXPECT_EQ(parseSizeBytes("16MiB"), 16 * 1024 * 1024);
  EXPECT_EQ(parseSizeBytes("512KiB"), 512 * 1024);
  EXPECT_EQ(parseSizeBytes("1GiB"), 1073741824);
  EXPECT_EQ(parseSizeBytes("2TiB"), 2199023255552);
  EXPECT_EQ(parseSizeBytes("1.5KiB"), 1536);
  EXPECT_EQ(parseSizeBytes("3MB"), 3000000);
  EXPECT_EQ(parseSizeBytes("7B"), 7);
}

TEST(ConfigValues, SizesRefused) {
  for (const char *text :
       {"", "MiB", "16 MiB", "16mib", "-1", "1.1B", "0.3KiB", "16M", "1e6", "9999999TiB"})
    EXPECT_EQ(parseSizeBytes(text), std::nullopt) << text;
}

TEST(ConfigValues, Numbers) {
  EXPECT_EQ(parseNumber("1"), 1.0);
  EXPECT_EQ(parseNumber("-2.5"), -2.5);
  EXPECT_EQ(parseNumber("1e-3"), 0.001);
  for (const char *text : {"", "nan", "inf", "-inf", "0x10", "+1", "1,5", "1e999", " 1"})
    EXPECT_EQ(parseNumber(text), std::nullopt) << text;
  EXPECT_EQ(parseInteger("-42"), -42);
  EXPECT_EQ(parseInteger("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parseInteger("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parseInteger("4.0"), std::nullopt);
}

TEST(ConfigValues, EditDistance) {
  EXPECT_EQ(editDistance("rate", "rate"), 0u);
  EXPECT_EQ(editDistance("rat", "rate"), 1u);
  EXPECT_EQ(editDistance("tpye", "type"), 2u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
}
