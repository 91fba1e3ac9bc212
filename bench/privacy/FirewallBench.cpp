// Readings per second through a 50-rule policy with mixed actions (allow, drop, mask, hash),
// with the per-name decision cache on and off, and the bare rule matcher for comparison.
#include "privacy/Firewall.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

namespace {

using pyvc::Firewall;
using pyvc::FirewallOptions;
using pyvc::PrivacyPolicy;
using pyvc::Reading;

// 50 rules in the shapes operators write: prefix globs, exact names, character classes,
// suffix globs and a few general patterns; every action appears.
std::string fiftyRulePolicyJson() {
  std::string rules;
  const char *actions[] = {"allow", "drop", "mask", "hash"};
  for (int i = 0; i < 50; ++i) {
    std::string pattern;
    switch (i % 5) {
    case 0:
      pattern = "site" + std::to_string(i) + ".temp.*";
      break;
    case 1:
      pattern = "site" + std::to_string(i) + ".door.[0-9]";
      break;
    case 2:
      pattern = "*.raw" + std::to_string(i);
      break;
    case 3:
      pattern = "site" + std::to_string(i) + ".gps.lat";
      break;
    case 4:
      pattern = "site" + std::to_string(i) + ".hum.?[a-f]*";
      break;
    }
    rules += std::string(rules.empty() ? "" : ",") + "{\"sensor\": \"" + pattern +
             "\", \"action\": \"" + actions[i % 4] + "\"}";
  }
  return R"({"default": "drop", "hash_key_file": "bench.key", "rules": [)" + rules + "]}";
}

// Sensor names spread evenly over the 50 rules (so actions are mixed: a quarter each of allow,
// drop, mask and hash), plus one name in eleven that no rule matches (default: drop).
std::vector<Reading> sampleReadings(size_t distinctNames) {
  std::vector<Reading> readings;
  std::mt19937 random(42);
  for (size_t i = 0; i < distinctNames; ++i) {
    int rule = int(random() % 55);
    std::string site = "site" + std::to_string(rule);
    std::string variant = std::to_string(i % 1000);
    std::string name;
    if (rule >= 50) {
      name = "other.sensor" + variant;
    } else {
      switch (rule % 5) {
      case 0:
        name = site + ".temp.r" + variant;
        break;
      case 1:
        name = site + ".door." + std::to_string(i % 10);
        break;
      case 2:
        name = "cam" + variant + ".raw" + std::to_string(rule);
        break;
      case 3:
        name = site + ".gps.lat";
        break;
      case 4:
        name = site + ".hum.xb" + variant;
        break;
      }
    }
    Reading reading;
    reading.sensor = name;
    reading.timestampMs = 1732312345678 + int64_t(i);
    reading.value = double(i) * 0.5;
    reading.unit = "C";
    readings.push_back(std::move(reading));
  }
  return readings;
}

std::shared_ptr<const PrivacyPolicy> benchPolicy() {
  static std::shared_ptr<const PrivacyPolicy> policy = [] {
    std::filesystem::path folder = std::filesystem::temp_directory_path() /
                                   ("pyvc-bench-privacy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    auto parsed = PrivacyPolicy::parse(fiftyRulePolicyJson(), folder);
    std::filesystem::remove_all(folder); // the key is in memory now
    if (!parsed) {
      std::fprintf(stderr, "bench policy: %s\n", parsed.error().message.c_str());
      std::abort();
    }
    return *parsed;
  }();
  return policy;
}

// Each iteration copies one reading from the sample (as ingest would hand over a fresh one) and
// applies the policy to it.
void firewallThroughput(benchmark::State &state, size_t cacheCapacity) {
  std::vector<Reading> samples = sampleReadings(size_t(state.range(0)));
  Firewall firewall(benchPolicy(), FirewallOptions{.decisionCacheCapacity = cacheCapacity});
  size_t next = 0, kept = 0;
  for (auto _ : state) {
    Reading reading = samples[next];
    kept += firewall.apply(reading);
    benchmark::DoNotOptimize(reading);
    if (++next == samples.size())
      next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["kept%"] = 100.0 * double(kept) / double(state.iterations());
}

void BM_FirewallWithCache(benchmark::State &state) { firewallThroughput(state, 4096); }
void BM_FirewallWithoutCache(benchmark::State &state) { firewallThroughput(state, 0); }

// The rule matcher alone: first-match search over the 50 rules, no reading copies, no hashing.
void BM_PolicyDecideOnly(benchmark::State &state) {
  std::vector<Reading> samples = sampleReadings(size_t(state.range(0)));
  auto policy = benchPolicy();
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(policy->decide(samples[next].sensor));
    if (++next == samples.size())
      next = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// One HMAC-SHA256 token of a short sensor name: what a cache miss on a hash rule costs.
void BM_HashToken(benchmark::State &state) {
  auto policy = benchPolicy();
  std::string name = "site1.door.7";
  for (auto _ : state)
    benchmark::DoNotOptimize(policy->hasher()->token(name));
  state.SetItemsProcessed(state.iterations());
}

// A whole batch of 1000 fresh readings per iteration through applyBatch.
void BM_FirewallBatch(benchmark::State &state) {
  std::vector<Reading> samples = sampleReadings(1000);
  Firewall firewall(benchPolicy());
  for (auto _ : state) {
    std::vector<Reading> batch = samples;
    firewall.applyBatch(batch);
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * int64_t(samples.size()));
}

} // namespace

BENCHMARK(BM_FirewallWithCache)->Arg(1000)->Arg(100000);
BENCHMARK(BM_FirewallWithoutCache)->Arg(1000)->Arg(100000);
BENCHMARK(BM_PolicyDecideOnly)->Arg(1000);
BENCHMARK(BM_HashToken);
BENCHMARK(BM_FirewallBatch);
BENCHMARK_MAIN();
