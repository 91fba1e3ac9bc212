// Batched inserts per second into a ReadingStore file in a temporary folder (WAL; synchronous
// NORMAL and FULL; batch sizes 100, 1000 and 10000; each batch one committed transaction), the
// version-1 layout side by side, and indexed range queries.
#include "Version1Baseline.h"

#include "store/ReadingStore.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

using pyvc::Reading;
using pyvc::ReadingStore;
using pyvc::Result;
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

// Bytes this process has handed to write(2)/pwrite(2) so far (/proc/self/io `wchar`): WAL
// frames plus checkpoint copies. Unlike time, it does not depend on what else the machine does.
int64_t bytesWrittenByProcess() {
  std::ifstream io("/proc/self/io");
  std::string field;
  int64_t value = 0;
  while (io >> field >> value)
    if (field == "wchar:")
      return value;
  return -1;
}

constexpr int64_t kSensors = 100;

// 100 sensors with realistic names, one reading each per millisecond "tick".
std::vector<Reading> makeBatch(size_t size, int64_t firstMs) {
  std::vector<Reading> batch(size);
  for (size_t i = 0; i < size; ++i) {
    batch[i].sensor = "site3.temp.room" + std::to_string(i % kSensors);
    batch[i].timestampMs = firstMs + int64_t(i) / kSensors;
    batch[i].value = 20.0 + double(i % 17) * 0.25;
    batch[i].unit = "C";
  }
  return batch;
}

// Moves a batch on in time, as the next batch of a live gateway would be (re-inserting the same
// timestamps would put every row in the middle of its sensor's readings instead of at the end).
void advanceBatch(std::vector<Reading> &batch) {
  int64_t ticks = std::max<int64_t>(1, int64_t(batch.size()) / kSensors);
  for (Reading &reading : batch)
    reading.timestampMs += ticks;
}

// Each iteration inserts (and commits) one batch. The number of iterations is fixed per batch
// size (see the registrations), so every layout ends with a file of the same size.
template <typename Store>
void insertThroughput(benchmark::State &state, Result<std::unique_ptr<Store>> store) {
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  size_t batchSize = size_t(state.range(0));
  std::vector<Reading> batch = makeBatch(batchSize, 1732312345678);
  int64_t writtenBefore = bytesWrittenByProcess();
  for (auto _ : state) {
    if (auto inserted = (*store)->insertBatch(batch); !inserted) {
      state.SkipWithError(inserted.error().message.c_str());
      return;
    }
    advanceBatch(batch);
  }
  int64_t readings = state.iterations() * int64_t(batchSize);
  state.SetItemsProcessed(readings);
  state.counters["written_B_per_reading"] =
      double(bytesWrittenByProcess() - writtenBefore) / double(readings);
  state.counters["db_MiB"] = double((*store)->databaseBytes().value()) / (1 << 20);
}

void BM_InsertWalNormal(benchmark::State &state) {
  BenchFolder folder;
  insertThroughput(state, ReadingStore::open(folder.path() / "bench.db",
                                             {.durability = StoreDurability::Normal}));
}
void BM_InsertWalFull(benchmark::State &state) {
  BenchFolder folder;
  insertThroughput(
      state, ReadingStore::open(folder.path() / "bench.db", {.durability = StoreDurability::Full}));
}
// The same workload into the version-1 layout (WAL, NORMAL): the "before" of schema version 2.
void BM_InsertVersion1WalNormal(benchmark::State &state) {
  BenchFolder folder;
  insertThroughput(state, pyvc::bench::Version1Baseline::open(folder.path() / "bench.db"));
}

// A million readings of 100 sensors over 10 s of (millisecond) time, in batches of 10,000.
bool fillMillion(benchmark::State &state, ReadingStore &store) {
  for (int64_t tick = 0; tick < 100; ++tick)
    if (!store.insertBatch(makeBatch(10000, tick * 100))) {
      state.SkipWithError("fill failed");
      return false;
    }
  return true;
}

// One sensor, a 1000-reading window out of a million-reading store.
void BM_RangeQuery(benchmark::State &state) {
  BenchFolder folder;
  auto store = ReadingStore::open(folder.path() / "bench.db");
  if (!store) {
    state.SkipWithError(store.error().message.c_str());
    return;
  }
  if (!fillMillion(state, **store))
    return;
  int64_t from = 0;
  for (auto _ : state) {
    auto readings = (*store)->query("site3.temp.room42", from, from + 1000);
    benchmark::DoNotOptimize(readings);
    from = (from + 1000) % 9000;
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

// Retention by age deleting the oldest 10% of a million readings (one primary-key range per
// sensor), and the sensors table pruning that follows it.
void BM_RetentionByAge(benchmark::State &state) {
  for (auto _ : state) {
    state.PauseTiming();
    BenchFolder folder;
    auto store = ReadingStore::open(folder.path() / "bench.db");
    if (!store || !fillMillion(state, **store))
      return;
    state.ResumeTiming();
    auto deleted = (*store)->deleteOlderThan(1000);
    state.PauseTiming();
    if (!deleted || *deleted != 100000)
      state.SkipWithError("retention by age deleted the wrong number of readings");
    store->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * 100000);
}

// Retention by size taking a million-reading store down by 10% (oldest readings first, then
// incremental vacuum and a WAL checkpoint).
void BM_RetentionBySize(benchmark::State &state) {
  for (auto _ : state) {
    state.PauseTiming();
    BenchFolder folder;
    auto store = ReadingStore::open(folder.path() / "bench.db");
    if (!store || !fillMillion(state, **store))
      return;
    int64_t limit = (*store)->databaseBytes().value() / 10 * 9;
    state.ResumeTiming();
    auto deleted = (*store)->enforceSizeLimit(limit);
    state.PauseTiming();
    if (!deleted)
      state.SkipWithError(deleted.error().message.c_str());
    else
      state.counters["deleted"] = double(*deleted);
    store->reset();
    state.ResumeTiming();
  }
}

} // namespace

// Wall-clock rates (what a gateway sees), then the same work as rates per second of this
// thread's CPU time (what the store costs one core, whatever else the machine is doing). Fixed
// iteration counts: 200k readings at batch 100, 500k at 1,000, 1M at 10,000 (a file of ~30 MiB,
// past the 16 MiB page cache).
BENCHMARK(BM_InsertVersion1WalNormal)->Arg(100)->Iterations(2000)->UseRealTime();
BENCHMARK(BM_InsertVersion1WalNormal)->Arg(1000)->Iterations(500)->UseRealTime();
BENCHMARK(BM_InsertVersion1WalNormal)->Arg(10000)->Iterations(100)->UseRealTime();
BENCHMARK(BM_InsertWalNormal)->Arg(100)->Iterations(2000)->UseRealTime();
BENCHMARK(BM_InsertWalNormal)->Arg(1000)->Iterations(500)->UseRealTime();
BENCHMARK(BM_InsertWalNormal)->Arg(10000)->Iterations(100)->UseRealTime();
BENCHMARK(BM_InsertWalFull)->Arg(100)->Iterations(2000)->UseRealTime();
BENCHMARK(BM_InsertWalFull)->Arg(1000)->Iterations(500)->UseRealTime();
BENCHMARK(BM_InsertWalFull)->Arg(10000)->Iterations(100)->UseRealTime();
BENCHMARK(BM_InsertVersion1WalNormal)->Arg(10000)->Iterations(100);
BENCHMARK(BM_InsertWalNormal)->Arg(10000)->Iterations(100);
BENCHMARK(BM_RangeQuery)->UseRealTime();
BENCHMARK(BM_RetentionByAge)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RetentionBySize)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
