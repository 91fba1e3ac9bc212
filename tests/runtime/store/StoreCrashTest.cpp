// Durability: a writer process killed with SIGKILL while inserting never loses a batch whose
// insertBatch returned success, and never leaves half a batch behind.
#include "store/ReadingStore.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using pyvc::testing::TemporaryFolder;

struct KilledWriter {
  int64_t lastAcknowledged = -1; // the last batch the writer said was committed
  bool killed = false;
};

// Runs the crash writer from batch `firstBatch` and SIGKILLs it once it has acknowledged
// `acknowledgementsBeforeKill` batches (the kill lands wherever the writer happens to be).
KilledWriter runAndKillWriter(const std::string &database, int64_t batchSize, int64_t firstBatch,
                              int acknowledgementsBeforeKill) {
  KilledWriter result;
  int output[2];
  if (::pipe(output) != 0)
    return result;
  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(output[1], STDOUT_FILENO);
    ::close(output[0]);
    ::close(output[1]);
    std::string size = std::to_string(batchSize), first = std::to_string(firstBatch);
    ::execl(STORE_CRASH_WRITER, STORE_CRASH_WRITER, database.c_str(), size.c_str(), first.c_str(),
            static_cast<char *>(nullptr));
    ::_exit(127);
  }
  ::close(output[1]);
  std::string pending;
  int acknowledged = 0;
  char buffer[256];
  while (acknowledged < acknowledgementsBeforeKill) {
    ssize_t got = ::read(output[0], buffer, sizeof buffer);
    if (got <= 0)
      break; // the writer died by itself: the test below will fail on the counts
    pending.append(buffer, size_t(got));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.rfind("committed ", 0) == 0) {
        result.lastAcknowledged = std::stoll(line.substr(10));
        ++acknowledged;
      }
    }
  }
  result.killed = ::kill(child, SIGKILL) == 0;
  // Acknowledgements already in the pipe when the kill landed count too.
  while (true) {
    ssize_t got = ::read(output[0], buffer, sizeof buffer);
    if (got <= 0)
      break;
    pending.append(buffer, size_t(got));
  }
  size_t position = 0, newline;
  while ((newline = pending.find('\n', position)) != std::string::npos) {
    std::string line = pending.substr(position, newline - position);
    position = newline + 1;
    if (line.rfind("committed ", 0) == 0)
      result.lastAcknowledged = std::stoll(line.substr(10));
  }
  ::close(output[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  result.killed = result.killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  return result;
}

TEST(StoreCrash, KilledWriterLosesNoAcknowledgedBatch) {
  TemporaryFolder folder;
  std::string database = (folder / "crash.db").string();
  const int64_t batchSize = 1000;
  int64_t nextBatch = 0;
  // Kill points vary so the kill lands at different moments of a batch's life.
  for (int acknowledgementsBeforeKill : {1, 3, 7, 2, 11}) {
    KilledWriter writer =
        runAndKillWriter(database, batchSize, nextBatch, acknowledgementsBeforeKill);
    ASSERT_TRUE(writer.killed) << "the writer must die by SIGKILL, not by itself";
    ASSERT_GE(writer.lastAcknowledged, nextBatch);

    auto store = pyvc::ReadingStore::open(database);
    ASSERT_TRUE(store) << store.error().message;
    int64_t rows = (*store)->countReadings().value();
    EXPECT_EQ(rows % batchSize, 0) << "half a batch survived the kill";
    // Every acknowledged batch is complete...
    for (int64_t batch = nextBatch; batch <= writer.lastAcknowledged; ++batch) {
      auto readings = (*store)->query("crash", batch * batchSize, (batch + 1) * batchSize);
      ASSERT_TRUE(readings);
      ASSERT_EQ(readings->size(), size_t(batchSize)) << "batch " << batch << " was acknowledged";
    }
    // ...and at most the one batch in flight committed without its acknowledgement reaching us.
    int64_t committedBatches = rows / batchSize;
    EXPECT_GE(committedBatches, writer.lastAcknowledged + 1);
    EXPECT_LE(committedBatches, writer.lastAcknowledged + 2);
    nextBatch = committedBatches; // the next writer continues after what is there
  }
}

} // namespace
