// ProcessMetrics: the standard process_* metrics of Prometheus' clients (memory, CPU, file
// descriptors, start time), computed from ProcessStats at each scrape.
#pragma once

namespace pyvc::telemetry {

class MetricsRegistry;

// Registers process_resident_memory_bytes, process_resident_memory_peak_bytes,
// process_cpu_seconds_total, process_open_fds, process_max_fds and process_start_time_seconds.
// A value the kernel does not give shows as NaN.
void registerProcessMetrics(MetricsRegistry &registry);

} // namespace pyvc::telemetry
