// Times the nine benchmark kernels compiled by pyvc (called directly through the kernel ABI)
// against the same algorithms hand-written in C, in one process, one after the other on the same
// data. Prints one tab-separated line per measurement: kernel, n, implementation, seconds/call.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void *openLibrary(const char *path) {
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "bench: cannot load %s: %s\n", path, dlerror());
    std::exit(3);
  }
  return handle;
}

template <typename F> F *symbol(void *library, const std::string &name) {
  void *address = dlsym(library, name.c_str());
  if (!address) {
    std::fprintf(stderr, "bench: missing symbol %s\n", name.c_str());
    std::exit(3);
  }
  return reinterpret_cast<F *>(address);
}

// Best time per call. Calls are timed in batches of at least 20 us, so that the clock's
// resolution and cost (tens of ns with this VM's kvm-clock) do not show in 100 ns calls; the
// best batch over ~0.3 s of work (at least 3 batches, at most 200) is reported.
double bestSecondsPerCall(const std::function<void()> &call) {
  auto timeBatch = [&](long calls) {
    auto start = Clock::now();
    for (long i = 0; i < calls; ++i)
      call();
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  timeBatch(3); // warm-up: first-touch page faults and cold caches are not the kernel's speed
  long batch = 1;
  while (batch < (1L << 20) && timeBatch(batch) < 20e-6)
    batch *= 2;
  double best = 1e30, total = 0;
  for (int repetition = 0; repetition < 200 && (repetition < 3 || total < 0.3); ++repetition) {
    double seconds = timeBatch(batch);
    best = std::min(best, seconds / static_cast<double>(batch));
    total += seconds;
  }
  return best;
}

volatile double floatSink;
volatile int64_t intSink;

struct Data {
  std::vector<double> xs, ys;
};

Data makeData(int64_t n) {
  Data data{std::vector<double>(n), std::vector<double>(n)};
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * 0x1.0p-53 * 2.0 - 1.0; // uniform in [-1, 1)
  };
  for (int64_t i = 0; i < n; ++i) {
    data.xs[i] = next();
    data.ys[i] = next();
  }
  return data;
}

using Status = int32_t;
using Message = const char **;

struct Kernels {
  // pyvc, per docs/ABI.md
  Status (*sum_gt)(const double *, int64_t, double, double *, Message);
  Status (*mean)(const double *, int64_t, double *, Message);
  Status (*variance)(const double *, int64_t, double *, Message);
  Status (*rms)(const double *, int64_t, double *, Message);
  Status (*dot)(const double *, int64_t, const double *, int64_t, double *, Message);
  Status (*clamp)(const double *, int64_t, double, double, double **, int64_t *, Message);
  Status (*zero_crossings)(const double *, int64_t, int64_t *, Message);
  Status (*histogram)(const double *, int64_t, double, double, int64_t, int64_t **, int64_t *,
                      Message);
  Status (*ewma)(const double *, int64_t, double, double *, Message);
  void (*release)(void *);
};

struct References {
  double (*sum_gt)(const double *, int64_t, double);
  double (*mean)(const double *, int64_t);
  double (*variance)(const double *, int64_t);
  double (*rms)(const double *, int64_t);
  double (*dot)(const double *, const double *, int64_t);
  double *(*clamp)(const double *, int64_t, double, double);
  int64_t (*zero_crossings)(const double *, int64_t);
  int64_t *(*histogram)(const double *, int64_t, double, double, int64_t);
  double (*ewma)(const double *, int64_t, double);
  int64_t (*read_bandwidth)(const int64_t *, int64_t);
};

Kernels loadKernels(void *library) {
  Kernels k;
  k.sum_gt = symbol<std::remove_pointer_t<decltype(k.sum_gt)>>(library, "pyvc_kernels_fn_sum_gt");
  k.mean = symbol<std::remove_pointer_t<decltype(k.mean)>>(library, "pyvc_kernels_fn_mean");
  k.variance = symbol<std::remove_pointer_t<decltype(k.variance)>>(library, "pyvc_kernels_fn_variance");
  k.rms = symbol<std::remove_pointer_t<decltype(k.rms)>>(library, "pyvc_kernels_fn_rms");
  k.dot = symbol<std::remove_pointer_t<decltype(k.dot)>>(library, "pyvc_kernels_fn_dot");
  k.clamp = symbol<std::remove_pointer_t<decltype(k.clamp)>>(library, "pyvc_kernels_fn_clamp");
  k.zero_crossings =
      symbol<std::remove_pointer_t<decltype(k.zero_crossings)>>(library, "pyvc_kernels_fn_zero_crossings");
  k.histogram = symbol<std::remove_pointer_t<decltype(k.histogram)>>(library, "pyvc_kernels_fn_histogram");
  k.ewma = symbol<std::remove_pointer_t<decltype(k.ewma)>>(library, "pyvc_kernels_fn_ewma");
  k.release = symbol<void(void *)>(library, "pyvc_kernels_free");
  return k;
}

References loadReferences(void *library) {
  References r;
  r.sum_gt = symbol<std::remove_pointer_t<decltype(r.sum_gt)>>(library, "ref_sum_gt");
  r.mean = symbol<std::remove_pointer_t<decltype(r.mean)>>(library, "ref_mean");
  r.variance = symbol<std::remove_pointer_t<decltype(r.variance)>>(library, "ref_variance");
  r.rms = symbol<std::remove_pointer_t<decltype(r.rms)>>(library, "ref_rms");
  r.dot = symbol<std::remove_pointer_t<decltype(r.dot)>>(library, "ref_dot");
  r.clamp = symbol<std::remove_pointer_t<decltype(r.clamp)>>(library, "ref_clamp");
  r.zero_crossings =
      symbol<std::remove_pointer_t<decltype(r.zero_crossings)>>(library, "ref_zero_crossings");
  r.histogram = symbol<std::remove_pointer_t<decltype(r.histogram)>>(library, "ref_histogram");
  r.ewma = symbol<std::remove_pointer_t<decltype(r.ewma)>>(library, "ref_ewma");
  r.read_bandwidth =
      symbol<std::remove_pointer_t<decltype(r.read_bandwidth)>>(library, "ref_read_bandwidth");
  return r;
}

constexpr double Threshold = 0.0, Low = -0.5, High = 0.5, Alpha = 0.1;
constexpr double HistogramLow = -1.0, HistogramHigh = 1.0;
constexpr int64_t Bins = 16;

void report(const char *kernel, int64_t n, const char *implementation, double seconds) {
  std::printf("%s\t%lld\t%s\t%.9g\n", kernel, static_cast<long long>(n), implementation, seconds);
  std::fflush(stdout);
}

void checkStatus(Status status, const char *kernel) {
  if (status != 0) {
    std::fprintf(stderr, "bench: pyvc %s failed with status %d\n", kernel, status);
    std::exit(3);
  }
}

void benchPyvc(const Kernels &k, const Data &d, int64_t n, const char *label) {
  const double *xs = d.xs.data(), *ys = d.ys.data();
  double f = 0;
  int64_t i = 0;
  report("sum_gt", n, label, bestSecondsPerCall([&] { checkStatus(k.sum_gt(xs, n, Threshold, &f, nullptr), "sum_gt"); floatSink = f; }));
  report("mean", n, label, bestSecondsPerCall([&] { checkStatus(k.mean(xs, n, &f, nullptr), "mean"); floatSink = f; }));
  report("variance", n, label, bestSecondsPerCall([&] { checkStatus(k.variance(xs, n, &f, nullptr), "variance"); floatSink = f; }));
  report("rms", n, label, bestSecondsPerCall([&] { checkStatus(k.rms(xs, n, &f, nullptr), "rms"); floatSink = f; }));
  report("dot", n, label, bestSecondsPerCall([&] { checkStatus(k.dot(xs, n, ys, n, &f, nullptr), "dot"); floatSink = f; }));
  report("clamp", n, label, bestSecondsPerCall([&] {
    double *out = nullptr;
    int64_t length = 0;
    checkStatus(k.clamp(xs, n, Low, High, &out, &length, nullptr), "clamp");
    floatSink = out[length / 2];
    k.release(out);
  }));
  report("zero_crossings", n, label, bestSecondsPerCall([&] { checkStatus(k.zero_crossings(xs, n, &i, nullptr), "zero_crossings"); intSink = i; }));
  report("histogram", n, label, bestSecondsPerCall([&] {
    int64_t *out = nullptr, length = 0;
    checkStatus(k.histogram(xs, n, HistogramLow, HistogramHigh, Bins, &out, &length, nullptr), "histogram");
    intSink = out[0];
    k.release(out);
  }));
  report("ewma", n, label, bestSecondsPerCall([&] { checkStatus(k.ewma(xs, n, Alpha, &f, nullptr), "ewma"); floatSink = f; }));
}

void benchReference(const References &r, const Data &d, int64_t n, const char *label) {
  const double *xs = d.xs.data(), *ys = d.ys.data();
  report("sum_gt", n, label, bestSecondsPerCall([&] { floatSink = r.sum_gt(xs, n, Threshold); }));
  report("mean", n, label, bestSecondsPerCall([&] { floatSink = r.mean(xs, n); }));
  report("variance", n, label, bestSecondsPerCall([&] { floatSink = r.variance(xs, n); }));
  report("rms", n, label, bestSecondsPerCall([&] { floatSink = r.rms(xs, n); }));
  report("dot", n, label, bestSecondsPerCall([&] { floatSink = r.dot(xs, ys, n); }));
  report("clamp", n, label, bestSecondsPerCall([&] {
    double *out = r.clamp(xs, n, Low, High);
    floatSink = out[n / 2];
    std::free(out);
  }));
  report("zero_crossings", n, label, bestSecondsPerCall([&] { intSink = r.zero_crossings(xs, n); }));
  report("histogram", n, label, bestSecondsPerCall([&] {
    int64_t *out = r.histogram(xs, n, HistogramLow, HistogramHigh, Bins);
    intSink = out[0];
    std::free(out);
  }));
  report("ewma", n, label, bestSecondsPerCall([&] { floatSink = r.ewma(xs, n, Alpha); }));
}

// At a size far beyond the caches: the reductions' read rate next to the core's read bandwidth.
void benchBandwidth(const Kernels &k, const References &r, int64_t n) {
  Data d = makeData(n);
  std::vector<int64_t> words(n, 1);
  report("read_bandwidth", n, "c-int64-sum", bestSecondsPerCall([&] { intSink = r.read_bandwidth(words.data(), n); }));
  benchPyvc(k, d, n, "pyvc-direct");
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 5) {
    std::fprintf(stderr,
                 "usage: %s PYVC.so REF_STRICT.so REF_ASSOC.so [--uncontracted REF_ASSOC_NO_FMA.so] "
                 "N [N...] [--bandwidth N]\n",
                 argv[0]);
    return 2;
  }
  Kernels pyvc = loadKernels(openLibrary(argv[1]));
  References strict = loadReferences(openLibrary(argv[2]));
  References associative = loadReferences(openLibrary(argv[3]));
  // The associative C compiled with -ffp-contract=off: the arithmetic Python (and pyvc) does,
  // where clang's default fuses a*b+c into one FMA.
  std::optional<References> uncontracted;
  for (int arg = 4; arg < argc; ++arg) {
    if (std::string(argv[arg]) == "--uncontracted" && arg + 1 < argc) {
      uncontracted = loadReferences(openLibrary(argv[++arg]));
      continue;
    }
    if (std::string(argv[arg]) == "--bandwidth" && arg + 1 < argc) {
      benchBandwidth(pyvc, strict, std::atoll(argv[++arg]));
      continue;
    }
    int64_t n = std::atoll(argv[arg]);
    Data data = makeData(n);
    benchPyvc(pyvc, data, n, "pyvc-direct");
    benchReference(strict, data, n, "c-O3-strict");
    benchReference(associative, data, n, "c-O3-assoc");
    if (uncontracted)
      benchReference(*uncontracted, data, n, "c-O3-assoc-no-fma");
  }
  return 0;
}
