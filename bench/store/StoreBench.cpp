// Batched inserts per second into a ReadingStore file in a temporary folder (WAL; synchronous
// NORMAL and FULL; batch sizes 100, 1000 and 10000), and indexed range queries.
#include "store/ReadingStore.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace {

using pyvc::Reading;
using pyvc::ReadingStore;
using pyvc::StoreDurability;
namespace fs = std::filesystem;

// A folder of its own under $TMPDIR (or /tmp), removed when the benchmark ends.
class BenchFolder {
public:
  BenchFolder() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/pyvc-bench-store-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      std::abort();
    path_ = pattern;
  }
  ~BenchFolder() { fs::remove_all(path_); }
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

// 100 sensors with realistic names, one reading each per "tick".
std::vector<Reading> makeBatch(size_t size, int64_t firstMs) {
  std::vector<Reading> batch(size);
  for (size_t i = 0; i < size; ++i) {
    batch[i].sensor = "site3.temp.room" + std::to_string(i % 100);
    batch[i].timestampMs = firstMs + int64_t(i / 100);
    batch[i].value = 20.0 + double(i % 17) * 0.25;
    batch[i].unit = "C";
  }
  return batch;
}

void insertThroughput(benchmark::State &state, StoreDurability durability) {
  BenchFolder folder;
  auto store = ReadingStore::open(folder.path() / "bench.db", {.durability = durability});
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  size_t batchSize = size_t(state.range(0));
  std::vector<Reading> batch = makeBatch(batchSize, 1732312345678);
  for (auto _ : state) {
    if (auto inserted = (*store)->insertBatch(batch); !inserted) {
      state.SkipWithError(inserted.error().message.c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * int64_t(batchSize));
  state.counters["db_MiB"] = double((*store)->databaseBytes().value()) / (1 << 20);
}

void BM_InsertWalNormal(benchmark::State &state) {
  insertThroughput(state, StoreDurability::Normal);
}
void BM_InsertWalFull(benchmark::State &state) { insertThroughput(state, StoreDurability::Full); }

// One sensor, a 1000-reading window out of a million-reading store.
void BM_RangeQuery(benchmark::State &state) {
  BenchFolder folder;
  auto store = ReadingStore::open(folder.path() / "bench.db");
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  for (int64_t tick = 0; tick < 100; ++tick)
    if (!(*store)->insertBatch(makeBatch(10000, tick * 100))) {
      state.SkipWithError("fill failed");
      return;
    }
  int64_t from = 0;
  for (auto _ : state) {
    auto readings = (*store)->query("site3.temp.room42", from, from + 1000);
    benchmark::DoNotOptimize(readings);
    from = (from + 1000) % 9000;
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

} // namespace

// Wall-clock rates (what a gateway sees), then the same work as rates per second of this
// thread's CPU time (what the store costs one core, whatever else the machine is doing).
BENCHMARK(BM_InsertWalNormal)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime();
BENCHMARK(BM_InsertWalFull)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime();
BENCHMARK(BM_InsertWalNormal)->Arg(10000);
BENCHMARK(BM_InsertWalFull)->Arg(10000);
BENCHMARK(BM_RangeQuery)->UseRealTime();
BENCHMARK_MAIN();
