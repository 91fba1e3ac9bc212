// Readings and stores for the store tests: one reading, many readings over a few sensors, and a
// store opened with a test failure (not a crash) when it cannot be.
#pragma once

#include "store/ReadingStore.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace pyvc::testing {

inline Reading reading(std::string sensor, int64_t timestampMs, double value = 1.0) {
  Reading result;
  result.sensor = std::move(sensor);
  result.timestampMs = timestampMs;
  result.value = value;
  result.unit = "C";
  return result;
}

// `count` readings cycling over `sensors` sensors named "sensor.N", timestamps from `firstMs`
// on, values 0, 1, 2...
inline std::vector<Reading> manyReadings(int64_t count, int sensors = 10, int64_t firstMs = 0) {
  std::vector<Reading> readings;
  readings.reserve(size_t(count));
  for (int64_t i = 0; i < count; ++i)
    readings.push_back(reading("sensor." + std::to_string(i % sensors), firstMs + i, double(i)));
  return readings;
}

inline std::unique_ptr<ReadingStore> openStore(const std::filesystem::path &path,
                                               StoreOptions options = {}) {
  auto store = ReadingStore::open(path, options);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(store).value() : nullptr;
}

} // namespace pyvc::testing
