// ProcessMetrics: ProcessStats as scrape-time gauges and a counter.
#include "telemetry/ProcessMetrics.h"

#include "telemetry/Metrics.h"
#include "telemetry/ProcessStats.h"

#include <limits>

namespace pyvc::telemetry {

namespace {

template <typename T> double orNaN(const Result<T> &result) {
  return result ? static_cast<double>(result.value()) : std::numeric_limits<double>::quiet_NaN();
}

} // namespace

void registerProcessMetrics(MetricsRegistry &registry) {
  registry.gaugeFunction("process_resident_memory_bytes", "Resident memory size in bytes.", {},
                         [] { return orNaN(residentSetBytes()); });
  registry.gaugeFunction("process_resident_memory_peak_bytes",
                         "Highest resident memory size so far in bytes.", {},
                         [] { return orNaN(peakResidentSetBytes()); });
  registry.counterFunction("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds.", {},
                           [] { return orNaN(processCpuSeconds()); });
  registry.gaugeFunction("process_open_fds", "Number of open file descriptors.", {},
                         [] { return orNaN(openFileDescriptors()); });
  registry.gaugeFunction("process_max_fds", "Maximum number of open file descriptors.", {},
                         [] { return orNaN(maxFileDescriptors()); });
  // Read once: it cannot change, and a scrape should not reopen two /proc files for it.
  double startTime = orNaN(processStartTimeSeconds());
  registry.gaugeFunction("process_start_time_seconds",
                         "Start time of the process since unix epoch in seconds.", {},
                         [startTime] { return startTime; });
}

} // namespace pyvc::telemetry
