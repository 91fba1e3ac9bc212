// A process for the crash tests to kill with SIGKILL at random instants. It reports on stdout,
// with one write(2) per line, only after the queue call it reports on has returned success:
//   write <queue> <full|normal> <first> <count>   enqueue "item-<n>", then print "E <n> <id>"
//   consume <queue> <full|normal>                 dequeue a batch, print "P <n>" per item
//                                                 before the ack and "C" once ack returned
//   lease <queue>                                 dequeue one batch, print "L <batchId>", hang
#include "sync/SyncQueue.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unistd.h>

using namespace pyvc::sync;
using pyvc::Result;

namespace {

void say(const std::string &line) {
  std::string text = line + "\n";
  // One write per line: a SIGKILL leaves either the whole line or none of it.
  if (::write(STDOUT_FILENO, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    std::exit(3);
}

[[noreturn]] void fail(const std::string &what) {
  std::fprintf(stderr, "sync_queue_crash_helper: %s\n", what.c_str());
  std::exit(2);
}

std::unique_ptr<SyncQueue> openQueue(const char *path, const char *durability) {
  QueueOptions options;
  options.path = path;
  options.durability = std::strcmp(durability, "full") == 0 ? Durability::Full : Durability::Normal;
  Result<std::unique_ptr<SyncQueue>> queue = SyncQueue::open(options);
  if (!queue)
    fail(queue.error().message);
  return std::move(*queue);
}

int runWriter(const char *path, const char *durability, long first, long count) {
  std::unique_ptr<SyncQueue> queue = openQueue(path, durability);
  for (long n = first; n < first + count; ++n) {
    Result<int64_t> id =
        queue->enqueue("item-" + std::to_string(n), int(n % 3), std::chrono::milliseconds(0));
    if (!id)
      fail(id.error().message);
    say("E " + std::to_string(n) + " " + std::to_string(*id));
  }
  return 0;
}

int runConsumer(const char *path, const char *durability) {
  std::unique_ptr<SyncQueue> queue = openQueue(path, durability);
  for (;;) {
    Result<Batch> batch = queue->dequeueBatch(7, 1 << 20);
    if (!batch)
      fail(batch.error().message);
    if (batch->empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    for (const QueueItem &item : batch->items)
      say("P " + item.payload.substr(5));
    if (Result<void> acked = queue->ack(*batch); !acked)
      fail(acked.error().message);
    say("C");
  }
}

int runLeaseHolder(const char *path) {
  std::unique_ptr<SyncQueue> queue = openQueue(path, "normal");
  Result<Batch> batch = queue->dequeueBatch(100, 1 << 20);
  if (!batch)
    fail(batch.error().message);
  say("L " + batch->batchId);
  for (;;)
    ::pause(); // holds the lease until killed
}

} // namespace

int main(int argc, char **argv) {
  if (argc == 6 && std::strcmp(argv[1], "write") == 0)
    return runWriter(argv[2], argv[3], std::atol(argv[4]), std::atol(argv[5]));
  if (argc == 4 && std::strcmp(argv[1], "consume") == 0)
    return runConsumer(argv[2], argv[3]);
  if (argc == 3 && std::strcmp(argv[1], "lease") == 0)
    return runLeaseHolder(argv[2]);
  std::fprintf(stderr,
               "usage: %s write <queue> <full|normal> <first> <count> | "
               "consume <queue> <full|normal> | lease <queue>\n",
               argv[0]);
  return 64;
}
