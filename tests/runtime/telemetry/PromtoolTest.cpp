// The rendered text of a registry holding every kind of metric, tricky labels and the process
// metrics goes through Prometheus' own checker (`promtool check metrics`, Debian's prometheus
// package): it must parse, and the linter must find nothing to say.
#include "telemetry/Metrics.h"
#include "telemetry/MetricsServer.h"
#include "telemetry/ProcessMetrics.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

using namespace pyvc::telemetry;

namespace {

constexpr const char *kPromtool = "/usr/bin/promtool";

struct CheckResult {
  int exitCode = -1;
  std::string output; // what promtool printed, stdout and stderr
};

CheckResult promtoolCheck(const std::string &text) {
  pyvc::testing::TemporaryFolder folder;
  std::filesystem::path input = folder / "metrics.txt";
  std::filesystem::path output = folder / "promtool.out";
  std::ofstream(input, std::ios::binary) << text;
  std::string command = std::string(kPromtool) + " check metrics < " + input.string() + " > " +
                        output.string() + " 2>&1";
  int status = std::system(command.c_str());
  CheckResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ostringstream printed;
  printed << std::ifstream(output).rdbuf();
  result.output = printed.str();
  return result;
}

void fillWithEveryKind(MetricsRegistry &registry) {
  registry.counter("pyvc_readings_in", "Readings accepted, by source.", {{"source", "mqtt"}})
      .add(12);
  registry.counter("pyvc_readings_in", "Readings accepted, by source.", {{"source", "http"}})
      .add(3);
  registry.counter("pyvc_readings_dropped_total", "Readings dropped, by reason.",
                   {{"source", "http"}, {"reason", "budget_full"}});
  registry.gauge("pyvc_queue_depth", "Items waiting in the sync queue.").set(42);
  registry
      .gauge("pyvc_window_lag_seconds", "Event-time lag of the windows.", {{"pipeline", "temps"}})
      .set(std::numeric_limits<double>::quiet_NaN());
  registry
      .gauge("pyvc_window_lag_seconds", "Event-time lag of the windows.",
             {{"pipeline", "vibration"}})
      .set(std::numeric_limits<double>::infinity());
  registry.gauge("pyvc_temperature_offset_celsius", "A signed value.")
      .set(-std::numeric_limits<double>::infinity());
  Histogram &calls = registry.histogram("pyvc_kernel_call_seconds", "Kernel call time.",
                                        exponentialBuckets(1e-6, 4, 10), {{"kernel", "mean"}});
  for (double seconds : {2e-6, 3e-5, 3e-5, 0.0007, 1.5})
    calls.observe(seconds);
  registry.histogram("pyvc_kernel_call_seconds", "Kernel call time.",
                     exponentialBuckets(1e-6, 4, 10), {{"kernel", "variance"}});
  registry.gaugeFunction("pyvc_memory_budget_used_bytes", "Bytes of readings in flight.", {},
                         [] { return 1048576.0; });
  registry.counterFunction("pyvc_uplink_retries", "Uplink retries.", {{"uplink", "http"}},
                           [] { return 7.0; });
  // Label values with everything the format escapes, UTF-8, and bytes that are not UTF-8.
  registry
      .gauge("pyvc_sensor_up", "Sensors seen, with a \\ backslash\nand a newline in help.",
             {{"sensor", "line\"1\"\\path\nnext"}, {"unit", "°C"}, {"raw", "bad\xff\xfe"}})
      .set(1);
  registry
      .gauge("pyvc_sensor_up", "Sensors seen, with a \\ backslash\nand a newline in help.",
             {{"sensor", ""}, {"unit", "{}=,"}, {"raw", "\t"}})
      .set(0);
  registerProcessMetrics(registry);
}

TEST(Promtool, EveryKindOfMetricPassesCleanly) {
  if (!std::filesystem::exists(kPromtool))
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  MetricsRegistry registry;
  fillWithEveryKind(registry);
  std::string text = registry.renderPrometheus();
  CheckResult result = promtoolCheck(text);
  EXPECT_EQ(result.exitCode, 0) << result.output << "\n--- input ---\n" << text;
  EXPECT_EQ(result.output, "") << text;
}

// What a Prometheus server scrapes over HTTP is the same text, and passes too.
TEST(Promtool, ScrapedOverHttpPassesCleanly) {
  if (!std::filesystem::exists(kPromtool))
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  MetricsRegistry registry;
  fillWithEveryKind(registry);
  auto server = MetricsServer::start("127.0.0.1:0", registry, {}, {});
  ASSERT_TRUE(server.ok()) << server.error().message;
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_read_timeout(std::chrono::seconds(5));
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  CheckResult result = promtoolCheck(response->body);
  EXPECT_EQ(result.exitCode, 0) << result.output << "\n--- input ---\n" << response->body;
  EXPECT_EQ(result.output, "");
}

// The harness itself must be able to fail: promtool rejects broken text and lints bad names.
TEST(Promtool, HarnessSeesProblems) {
  if (!std::filesystem::exists(kPromtool))
    GTEST_SKIP() << "promtool is not installed (Debian package prometheus)";
  CheckResult unparsable = promtoolCheck("# TYPE x gauge\nx{a=\"unterminated} 1\n");
  EXPECT_NE(unparsable.exitCode, 0) << unparsable.output;
  CheckResult lint = promtoolCheck("# HELP x h\n# TYPE x counter\nx 1\n");
  EXPECT_NE(lint.exitCode, 0);
  EXPECT_NE(lint.output.find("_total"), std::string::npos) << lint.output;
}

} // namespace
