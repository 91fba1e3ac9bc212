// window-report: calls the kernels of kernels/stats.py and kernels/smoothing.py, compiled by
// pyvc_add_kernels, through their generated C headers, on a few fixed windows. Prints one line
// per call in the format of reference.py, which runs the same functions under CPython.
#include "smoothing.h"
#include "stats.h"

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using Window = std::vector<double>;

// CPython's exception name for a failed call (messages may differ in wording: only the
// exception is compared).
bool reportError(const std::string &call, pyvc_status status) {
  if (status == PYVC_OK)
    return false;
  std::printf("%s: %s\n", call.c_str(), pyvc_status_name(status));
  return true;
}

void reportWindow(const std::string &label, const Window &xs) {
  const double *data = xs.data();
  auto length = static_cast<int64_t>(xs.size());
  double real = 0;
  int64_t count = 0;
  pyvc_status status = pyvc_stats_fn_mean(data, length, &real, nullptr);
  if (!reportError(label + " mean", status))
    std::printf("%s mean: %.17g\n", label.c_str(), real);
  status = pyvc_stats_fn_stddev(data, length, &real, nullptr);
  if (!reportError(label + " stddev", status))
    std::printf("%s stddev: %.17g\n", label.c_str(), real);
  status = pyvc_stats_fn_count_above(data, length, 21.0, &count, nullptr);
  if (!reportError(label + " count_above", status))
    std::printf("%s count_above: %" PRId64 "\n", label.c_str(), count);
  status = pyvc_smoothing_fn_zero_crossings(data, length, &count, nullptr);
  if (!reportError(label + " zero_crossings", status))
    std::printf("%s zero_crossings: %" PRId64 "\n", label.c_str(), count);

  // A list result belongs to the library that made it: released with its pyvc_smoothing_free.
  double *smoothed = nullptr;
  int64_t smoothedLength = 0;
  status = pyvc_smoothing_fn_smooth(data, length, 0.25, &smoothed, &smoothedLength, nullptr);
  if (!reportError(label + " smooth", status)) {
    std::printf("%s smooth:", label.c_str());
    for (int64_t i = 0; i < smoothedLength; ++i)
      std::printf(" %.17g", smoothed[i]);
    std::printf("\n");
    pyvc_smoothing_free(smoothed);
  }
}

} // namespace

int main() {
  reportWindow("warm", {21.5, 22.0, 35.5, 19.25, 20.0, 23.75});
  reportWindow("wave", {0.5, -0.25, -1.0, 0.75, 1e-3, -2.5, 3.0});
  reportWindow("one", {0.1});
  reportWindow("empty", {});
  return 0;
}
