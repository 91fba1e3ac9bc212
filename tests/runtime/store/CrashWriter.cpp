// A process for the crash test to kill: inserts batches of readings for sensor "crash" forever,
// and after each insertBatch that returned success prints "committed <batch>" on stdout.
// Batch b holds timestamps [b * size, (b + 1) * size). Usage: store_crash_writer DB SIZE FIRST
#include "store/ReadingStore.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DB BATCH_SIZE FIRST_BATCH\n", argv[0]);
    return 2;
  }
  int64_t batchSize = std::atoll(argv[2]);
  int64_t batch = std::atoll(argv[3]);
  auto store = pyvc::ReadingStore::open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "crash writer: %s\n", store.error().message.c_str());
    return 1;
  }
  std::vector<pyvc::Reading> readings(static_cast<size_t>(batchSize));
  for (;; ++batch) {
    for (int64_t i = 0; i < batchSize; ++i) {
      readings[size_t(i)].sensor = "crash";
      readings[size_t(i)].timestampMs = batch * batchSize + i;
      readings[size_t(i)].value = double(i);
      readings[size_t(i)].unit = "n";
    }
    if (auto inserted = (*store)->insertBatch(readings); !inserted) {
      std::fprintf(stderr, "crash writer: %s\n", inserted.error().message.c_str());
      return 1;
    }
    // Unbuffered, so the parent learns of each commit as soon as it is acknowledged.
    std::string line = "committed " + std::to_string(batch) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) != ssize_t(line.size()))
      return 1;
  }
}
