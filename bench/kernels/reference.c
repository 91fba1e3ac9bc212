/* The nine benchmark kernels written by hand in C, the same algorithms as kernels.py. Built twice
 * by scripts/bench-kernels.sh: clang-19 -O3 -march=native (strict IEEE order), and the same plus
 * -fassociative-math -fno-signed-zeros -fno-trapping-math (the compiler may reorder sums). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

double ref_sum_gt(const double *xs, int64_t n, double t) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i)
    if (xs[i] > t)
      acc += xs[i];
  return acc;
}

double ref_mean(const double *xs, int64_t n) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i)
    acc += xs[i];
  return acc / (double)n;
}

double ref_variance(const double *xs, int64_t n) {
  double m = ref_mean(xs, n), acc = 0.0;
  for (int64_t i = 0; i < n; ++i)
    acc += (xs[i] - m) * (xs[i] - m);
  return acc / (double)n;
}

double ref_rms(const double *xs, int64_t n) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i)
    acc += xs[i] * xs[i];
  return sqrt(acc / (double)n);
}

double ref_dot(const double *xs, const double *ys, int64_t n) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i)
    acc += xs[i] * ys[i];
  return acc;
}

/* Returns a malloc'ed list, as a pyvc list result is. */
double *ref_clamp(const double *xs, int64_t n, double lo, double hi) {
  double *out = malloc((size_t)(n ? n : 1) * sizeof *out);
  for (int64_t i = 0; i < n; ++i) {
    double x = xs[i] > lo ? xs[i] : lo;
    out[i] = x < hi ? x : hi;
  }
  return out;
}

int64_t ref_zero_crossings(const double *xs, int64_t n) {
  int64_t count = 0;
  for (int64_t i = 1; i < n; ++i)
    count += (xs[i - 1] < 0.0) != (xs[i] < 0.0);
  return count;
}

int64_t *ref_histogram(const double *xs, int64_t n, double lo, double hi, int64_t bins) {
  int64_t *counts = calloc((size_t)bins, sizeof *counts);
  double width = (hi - lo) / (double)bins;
  for (int64_t i = 0; i < n; ++i)
    if (lo <= xs[i] && xs[i] < hi)
      counts[(int64_t)((xs[i] - lo) / width)] += 1;
  return counts;
}

double ref_ewma(const double *xs, int64_t n, double alpha) {
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i)
    acc = alpha * xs[i] + (1.0 - alpha) * acc;
  return acc;
}

/* The read bandwidth of one core: sums 64-bit integers, which the compiler vectorizes freely. */
int64_t ref_read_bandwidth(const int64_t *words, int64_t n) {
  int64_t acc = 0;
  for (int64_t i = 0; i < n; ++i)
    acc += words[i];
  return acc;
}
