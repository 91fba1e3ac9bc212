// Sync queue throughput and flash wear: enqueue (one transaction per item, and batched),
// dequeue and ack of 1 KB payloads under FULL and NORMAL, bytes written per payload byte, and
// the cost of the quick_check on open. Prints figures; never fails.
//   usage: pyvc_sync_bench [directory] [items] [page size] [checkpoint pages]
//          (defaults: $TMPDIR or /tmp, 200000, 4096, 1000)
#include "sync/SyncQueue.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <vector>

using namespace pyvc::sync;
using pyvc::Result;
using Clock = std::chrono::steady_clock;

namespace {

// /proc/self/io: wchar counts bytes handed to write(2)/pwrite(2) (what SQLite writes, before
// the page cache); write_bytes what reached the block layer (0 on tmpfs and some overlays).
struct IoCounters {
  int64_t wchar = 0, writeBytes = 0;
};

IoCounters readIo() {
  IoCounters counters;
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value;
  while (io >> key >> value) {
    if (key == "wchar:")
      counters.wchar = value;
    else if (key == "write_bytes:")
      counters.writeBytes = value;
  }
  return counters;
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds (user + system) this process used so far: on a shared, loaded machine the
// wall-clock rate says more about the neighbours than about the queue.
double cpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval &time) { return time.tv_sec + time.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// A phase's figures: wall-clock rate and rate per CPU second.
struct Phase {
  double wall = 0, cpu = 0;
  int64_t written = 0; // write(2) bytes during the phase
  void add(Clock::time_point wallStart, double cpuStart, int64_t wcharStart) {
    wall += secondsSince(wallStart);
    cpu += cpuSeconds() - cpuStart;
    written += readIo().wchar - wcharStart;
  }
};

void printRate(const char *name, const std::string &operation, int64_t items, const Phase &phase) {
  std::printf("%-7s %-28s %8lld items %9.0f items/s wall %9.0f items/CPU-s %6.2f B/B\n", name,
              operation.c_str(), static_cast<long long>(items), items / phase.wall,
              items / phase.cpu, phase.written / (items * 1024.0));
}

[[noreturn]] void die(const std::string &what) {
  std::fprintf(stderr, "pyvc_sync_bench: %s\n", what.c_str());
  std::exit(1);
}

int PageSize = 4096;        // the page size of new queue files, from the command line
int CheckpointPages = 1000; // QueueOptions::checkpointPages, from the command line

std::unique_ptr<SyncQueue> openQueue(const std::string &path, Durability durability) {
  QueueOptions options;
  options.path = path;
  options.durability = durability;
  options.pageSize = PageSize;
  options.checkpointPages = CheckpointPages;
  Result<std::unique_ptr<SyncQueue>> queue = SyncQueue::open(options);
  if (!queue)
    die(queue.error().message);
  return std::move(*queue);
}

void removeQueueFiles(const std::string &path) {
  for (const char *extension : {"", "-wal", "-shm"})
    std::filesystem::remove(path + extension);
}

const std::string Payload(1024, 'p');

void benchSingleEnqueues(const std::string &path, Durability durability, const char *name,
                         int items) {
  removeQueueFiles(path);
  auto queue = openQueue(path, durability);
  Phase phase;
  Clock::time_point start = Clock::now();
  double cpuStart = cpuSeconds();
  int64_t wcharStart = readIo().wchar;
  for (int i = 0; i < items; ++i)
    if (Result<int64_t> id = queue->enqueue(Payload, i % 3, std::chrono::milliseconds(0)); !id)
      die(id.error().message);
  phase.add(start, cpuStart, wcharStart);
  printRate(name, "enqueue, 1 per transaction", items, phase);
}

void benchBatched(const std::string &path, Durability durability, const char *name, int items,
                  size_t batchSize) {
  removeQueueFiles(path);
  auto queue = openQueue(path, durability);
  std::vector<EnqueueRequest> requests(batchSize, EnqueueRequest{Payload, 0, {}});
  IoCounters ioBefore = readIo();
  Phase enqueuePhase, dequeuePhase, ackPhase;
  for (int done = 0; done < items; done += static_cast<int>(batchSize)) {
    for (size_t i = 0; i < batchSize; ++i)
      requests[i].priority = static_cast<int>((done + i) % 3);
    Clock::time_point start = Clock::now();
    double cpuStart = cpuSeconds();
    int64_t wcharStart = readIo().wchar;
    if (Result<std::vector<int64_t>> ids = queue->enqueueBatch(requests); !ids)
      die(ids.error().message);
    enqueuePhase.add(start, cpuStart, wcharStart);
  }
  IoCounters ioAfterEnqueue = readIo();

  int64_t delivered = 0;
  for (;;) {
    Clock::time_point start = Clock::now();
    double cpuStart = cpuSeconds();
    int64_t wcharStart = readIo().wchar;
    Result<Batch> batch = queue->dequeueBatch(batchSize, 1 << 30);
    dequeuePhase.add(start, cpuStart, wcharStart);
    if (!batch)
      die(batch.error().message);
    if (batch->empty())
      break;
    start = Clock::now();
    cpuStart = cpuSeconds();
    wcharStart = readIo().wchar;
    if (Result<void> acked = queue->ack(*batch); !acked)
      die(acked.error().message);
    ackPhase.add(start, cpuStart, wcharStart);
    delivered += static_cast<int64_t>(batch->items.size());
  }
  IoCounters ioAfter = readIo();
  if (delivered != items)
    die("delivered " + std::to_string(delivered) + " of " + std::to_string(items));

  double payloadBytes = double(items) * double(Payload.size());
  std::string size = std::to_string(batchSize);
  printRate(name, "enqueueBatch(" + size + ")", items, enqueuePhase);
  printRate(name, "dequeueBatch(" + size + ")", items, dequeuePhase);
  printRate(name, "ack(batch of " + size + ")", items, ackPhase);
  std::printf("%-7s written per payload byte: enqueue %.2f, whole cycle %.2f (write(2) bytes); "
              "block layer %.2f\n",
              name, (ioAfterEnqueue.wchar - ioBefore.wchar) / payloadBytes,
              (ioAfter.wchar - ioBefore.wchar) / payloadBytes,
              (ioAfter.writeBytes - ioBefore.writeBytes) / payloadBytes);
}

// The online case: the link keeps up, so every batch is enqueued, sent and acked before the
// next arrives. Pages written at enqueue are often freed again before a checkpoint copies them.
void benchSteadyState(const std::string &path, Durability durability, const char *name, int items,
                      size_t batchSize) {
  removeQueueFiles(path);
  auto queue = openQueue(path, durability);
  std::vector<EnqueueRequest> requests(batchSize, EnqueueRequest{Payload, 0, {}});
  Phase cycle;
  Clock::time_point start = Clock::now();
  double cpuStart = cpuSeconds();
  int64_t wcharStart = readIo().wchar;
  for (int done = 0; done < items; done += static_cast<int>(batchSize)) {
    if (Result<std::vector<int64_t>> ids = queue->enqueueBatch(requests); !ids)
      die(ids.error().message);
    Result<Batch> batch = queue->dequeueBatch(batchSize, 1 << 30);
    if (!batch || batch->items.size() != batchSize)
      die("steady state: dequeue did not return the batch just enqueued");
    if (Result<void> acked = queue->ack(*batch); !acked)
      die(acked.error().message);
  }
  cycle.add(start, cpuStart, wcharStart);
  printRate(name, "steady enqueue+deq+ack(" + std::to_string(batchSize) + ")", items, cycle);
}

void benchOpenCheck(const std::string &path, int items) {
  removeQueueFiles(path);
  {
    auto queue = openQueue(path, Durability::Normal);
    std::vector<EnqueueRequest> requests(1000, EnqueueRequest{Payload, 0, {}});
    for (int done = 0; done < items; done += 1000)
      if (Result<std::vector<int64_t>> ids = queue->enqueueBatch(requests); !ids)
        die(ids.error().message);
  }
  double megabytes = double(std::filesystem::file_size(path)) / 1e6;
  for (bool check : {false, true}) {
    QueueOptions options;
    options.path = path;
    options.quickCheckOnOpen = check;
    Clock::time_point start = Clock::now();
    Result<std::unique_ptr<SyncQueue>> queue = SyncQueue::open(options);
    double milliseconds = secondsSince(start) * 1000;
    if (!queue)
      die(queue.error().message);
    std::printf("open of a %.0f MB queue (%d items), quick_check %-3s %8.1f ms\n", megabytes, items,
                check ? "on" : "off", milliseconds);
  }
}

} // namespace

int main(int argc, char **argv) {
  const char *temporary = std::getenv("TMPDIR");
  std::string directory = argc > 1 ? argv[1] : (temporary ? temporary : "/tmp");
  int items = argc > 2 ? std::atoi(argv[2]) : 200000;
  PageSize = argc > 3 ? std::atoi(argv[3]) : 4096;
  CheckpointPages = argc > 4 ? std::atoi(argv[4]) : 1000;
  std::string scratch = directory + "/pyvc-sync-bench-" + std::to_string(::getpid());
  std::filesystem::create_directories(scratch);
  std::string path = scratch + "/queue.db";
  struct statfs filesystem;
  if (::statfs(directory.c_str(), &filesystem) == 0)
    std::printf("queue directory %s (filesystem magic 0x%lx), 1 KB payloads, %d-byte pages, "
                "checkpoint every %d pages\n",
                directory.c_str(), static_cast<unsigned long>(filesystem.f_type), PageSize,
                CheckpointPages);

  benchSingleEnqueues(path, Durability::Full, "FULL", 1000);
  benchSingleEnqueues(path, Durability::Normal, "NORMAL", 5000);
  benchBatched(path, Durability::Full, "FULL", items, 1000);
  benchBatched(path, Durability::Normal, "NORMAL", items, 1000);
  benchBatched(path, Durability::Normal, "NORMAL", items / 10, 100);
  benchSteadyState(path, Durability::Normal, "NORMAL", items, 100);
  benchSteadyState(path, Durability::Full, "FULL", items / 10, 100);
  benchOpenCheck(path, items / 2);
  std::filesystem::remove_all(scratch);
  return 0;
}
