// ProcessStats: what the kernel knows about this process — resident memory, its peak, CPU time
// and open file descriptors — read from /proc and getrusage for gauges and benchmarks.
#pragma once

#include "core/Result.h"

#include <cstdint>

namespace pyvc::telemetry {

// Resident set size now, in bytes (/proc/self/statm, pages times the page size).
Result<uint64_t> residentSetBytes();
// The highest resident set size so far, in bytes (VmHWM in /proc/self/status).
Result<uint64_t> peakResidentSetBytes();
// User plus system CPU time of every thread of the process, in seconds (getrusage).
Result<double> processCpuSeconds();
// Descriptors open now (the entries of /proc/self/fd, without the one used to list them).
Result<uint64_t> openFileDescriptors();
// When the process started, in seconds since the Unix epoch (/proc/self/stat and btime).
Result<double> processStartTimeSeconds();
// The soft limit on open descriptors (RLIMIT_NOFILE).
Result<uint64_t> maxFileDescriptors();

} // namespace pyvc::telemetry
