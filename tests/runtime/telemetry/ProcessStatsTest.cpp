// ProcessStats against changes the test makes itself: memory it touches, CPU it burns,
// descriptors it opens.
#include "telemetry/ProcessStats.h"

#include "telemetry/Metrics.h"
#include "telemetry/ProcessMetrics.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <vector>

using namespace pyvc::telemetry;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;

TEST(ProcessStats, ResidentSetGrowsWithTouchedMemory) {
  auto before = residentSetBytes();
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_GT(*before, 0u);
  // 64 MiB mapped and written page by page: resident now, whatever malloc would have done.
  constexpr size_t kSize = 64 * kMiB;
  void *memory = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  std::memset(memory, 1, kSize);
  auto during = residentSetBytes();
  auto peak = peakResidentSetBytes();
  ASSERT_TRUE(during.ok());
  ASSERT_TRUE(peak.ok()) << peak.error().message;
  EXPECT_GE(*during, *before + 60 * kMiB);
  EXPECT_LE(*during, *before + 80 * kMiB);
  EXPECT_GE(*peak, *during - kMiB); // VmHWM is sampled at kB granularity, never below now
  ::munmap(memory, kSize);
  auto after = residentSetBytes();
  ASSERT_TRUE(after.ok());
  EXPECT_LE(*after, *during - 60 * kMiB);
  auto peakAfter = peakResidentSetBytes();
  ASSERT_TRUE(peakAfter.ok());
  EXPECT_GE(*peakAfter, *before + 60 * kMiB) << "the peak remembers the 64 MiB";
}

TEST(ProcessStats, CpuSecondsFollowBusyWork) {
  auto before = processCpuSeconds();
  ASSERT_TRUE(before.ok());
  // Burn about 0.2 s of CPU, measured by the thread's own CPU clock.
  timespec start{}, now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  volatile double sink = 0;
  double burned = 0;
  while (burned < 0.2) {
    for (int i = 0; i < 100000; ++i)
      sink = sink + i * 0.5;
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    burned = double(now.tv_sec - start.tv_sec) + double(now.tv_nsec - start.tv_nsec) / 1e9;
  }
  auto after = processCpuSeconds();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(*after - *before, 0.19);
  EXPECT_LT(*after - *before, 2.0);
}

TEST(ProcessStats, OpenDescriptorsCountWhatIsOpened) {
  auto before = openFileDescriptors();
  ASSERT_TRUE(before.ok()) << before.error().message;
  std::vector<int> opened;
  for (int i = 0; i < 5; ++i)
    opened.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  auto during = openFileDescriptors();
  for (int fd : opened)
    ::close(fd);
  auto after = openFileDescriptors();
  ASSERT_TRUE(during.ok());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*during, *before + 5);
  EXPECT_EQ(*after, *before);
  EXPECT_GE(*before, 3u) << "at least stdin, stdout and stderr";

  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  auto max = maxFileDescriptors();
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, limit.rlim_cur);
}

TEST(ProcessStats, StartTimeIsBeforeNowAndRecent) {
  auto start = processStartTimeSeconds();
  ASSERT_TRUE(start.ok()) << start.error().message;
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Clock ticks are 10 ms; the boot time is whole seconds.
  EXPECT_LE(*start, now + 1.0);
  EXPECT_GT(*start, now - 600) << "this test process started less than 10 minutes ago";
}

TEST(ProcessMetrics, RegisteredAndComputedAtScrape) {
  MetricsRegistry registry;
  registerProcessMetrics(registry);
  std::string text = registry.renderPrometheus();
  for (const char *line :
       {"# TYPE process_resident_memory_bytes gauge\n",
        "# TYPE process_resident_memory_peak_bytes gauge\n",
        "# TYPE process_cpu_seconds_total counter\n", "# TYPE process_open_fds gauge\n",
        "# TYPE process_max_fds gauge\n", "# TYPE process_start_time_seconds gauge\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
  // The open_fds value is read at scrape: opening descriptors changes the next scrape.
  auto valueOf = [&](const std::string &rendered, const std::string &name) {
    size_t at = rendered.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name;
    return std::stod(rendered.substr(at + name.size() + 2));
  };
  double fdsBefore = valueOf(registry.renderPrometheus(), "process_open_fds");
  int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC), b = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  double fdsDuring = valueOf(registry.renderPrometheus(), "process_open_fds");
  ::close(a);
  ::close(b);
  EXPECT_EQ(fdsDuring, fdsBefore + 2);
  EXPECT_GT(valueOf(text, "process_resident_memory_bytes"), 1e5);
}

} // namespace
