/* A hand-written kernel library that follows runtime/include/pyvc/kernel_abi.h exactly as
 * `pyvc compile` output must, with module name test_kernels: one pyvc_test_kernels_fn_* per
 * function, batch variants for scalar functions, pyvc_test_kernels_free, and the manifest in the
 * .pyvc_manifest section and as pyvc_test_kernels_manifest. The loader tests call it for every
 * type combination; it is built for the host and with aarch64-linux-gnu-gcc for qemu. */
#include "pyvc/kernel_abi.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Variants: PYVC_TEST_ABI_VERSION=1 is a library of the old ABI (no module); PYVC_TEST_FEATURE
 * lists a CPU feature the loaders do not know, which they must refuse. */
#ifndef PYVC_TEST_ABI_VERSION
#define PYVC_TEST_ABI_VERSION 2
#endif
#ifdef PYVC_TEST_FEATURE
#define FEATURES_JSON "[\"" PYVC_TEST_FEATURE "\"]"
#elif defined(__aarch64__)
#define FEATURES_JSON "[\"neon\"]"
#else
#define FEATURES_JSON "[\"sse2\"]"
#endif
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

#if defined(__aarch64__)
#define TARGET_JSON                                                                                \
  "{\"name\": \"aarch64\", \"triple\": \"aarch64-unknown-linux-gnu\", \"cpu\": \"generic\", "      \
  "\"features\": " FEATURES_JSON "}"
#else
#define TARGET_JSON                                                                                \
  "{\"name\": \"x86-64\", \"triple\": \"x86_64-pc-linux-gnu\", \"cpu\": \"x86-64\", "              \
  "\"features\": " FEATURES_JSON "}"
#endif

#define FN(name, params, returns, cls, batch, errors)                                              \
  "{\"name\": \"" name "\", \"symbol\": \"pyvc_test_kernels_fn_" name "\", "                       \
  "\"batch_symbol\": " batch ", \"params\": [" params "], \"returns\": \"" returns "\", "          \
  "\"classification\": \"" cls "\", \"errors\": [" errors "], \"line\": 1, "                       \
  "\"doc\": \"test kernel " name "\"}"
#define P(name, type) "{\"name\": \"" name "\", \"type\": \"" type "\"}"
#define NO_BATCH "null"
#define BATCH(name) "\"pyvc_test_kernels_batch_" name "\""

/* The section and the exported symbol are one object, so the two copies are the same bytes. */
__attribute__((section(".pyvc_manifest"), used, visibility("default")))
const char pyvc_test_kernels_manifest[] =
    "{\"format\": \"pyvc-manifest\", \"abi_version\": " STRINGIFY(PYVC_TEST_ABI_VERSION) ", "
    "\"compiler\": \"hand-written test library\", \"module\": \"test_kernels\", "
    "\"target\": " TARGET_JSON ", "
    "\"options\": {\"opt_level\": 2, \"strict_fp\": false}, "
    "\"source\": {\"path\": \"tests/loader/test_kernels.c\", \"sha256\": \"0\"}, "
    "\"future_key\": {\"ignored\": true}, "
    "\"functions\": ["
    FN("mean", P("xs", "list[float]"), "float", "kernel", NO_BATCH, "\"ZeroDivisionError\"") ", "
    FN("div", P("a", "int") ", " P("b", "int"), "int", "scalar", BATCH("div"),
       "\"OverflowError\", \"ZeroDivisionError\"") ", "
    FN("ratio", P("a", "float") ", " P("b", "float"), "float", "scalar", BATCH("ratio"),
       "\"ZeroDivisionError\"") ", "
    FN("clamp", P("xs", "list[float]") ", " P("lo", "float") ", " P("hi", "float"), "list[float]",
       "kernel", NO_BATCH, "\"MemoryError\"") ", "
    FN("minmax", P("xs", "list[float]"), "tuple[float, float]", "kernel", NO_BATCH,
       "\"ValueError\"") ", "
    FN("describe", P("xs", "list[int]"), "tuple[int, float, bool]", "kernel", NO_BATCH, "") ", "
    FN("select", P("flag", "bool") ", " P("a", "float") ", " P("b", "float"), "float", "scalar",
       BATCH("select"), "") ", "
    FN("is_positive", P("x", "float"), "bool", "scalar", BATCH("is_positive"), "") ", "
    FN("split", P("x", "float"), "tuple[int, float]", "scalar", BATCH("split"),
       "\"OverflowError\", \"ValueError\"") ", "
    FN("negate_all", P("flags", "list[bool]"), "list[bool]", "kernel", NO_BATCH,
       "\"MemoryError\"") ", "
    FN("count_true", P("flags", "list[bool]"), "int", "kernel", NO_BATCH, "") ", "
    FN("iota", P("n", "int"), "list[int]", "kernel", NO_BATCH, "\"MemoryError\"") ", "
    FN("at", P("xs", "list[int]") ", " P("i", "int"), "int", "kernel", NO_BATCH,
       "\"IndexError\"") ", "
    FN("address_of", P("xs", "list[float]"), "int", "kernel", NO_BATCH, "") ", "
    FN("address_of_ints", P("xs", "list[int]"), "int", "kernel", NO_BATCH, "") ", "
    FN("address_of_bools", P("flags", "list[bool]"), "int", "kernel", NO_BATCH, "") ", "
    FN("deep", P("n", "int"), "int", "scalar", NO_BATCH, "\"RecursionError\"") ", "
    FN("mix", P("a", "int") ", " P("b", "float") ", " P("c", "bool") ", " P("d", "int") ", "
       P("e", "float") ", " P("f", "float") ", " P("g", "float") ", " P("h", "float") ", "
       P("i", "float") ", " P("j", "float") ", " P("k", "float") ", " P("l", "int") ", "
       P("m", "bool"), "float", "scalar", BATCH("mix"), "") ", "
    FN("bad_status", P("x", "int"), "int", "scalar", NO_BATCH, "") ", "
    FN("nothing", P("x", "float"), "None", "scalar", NO_BATCH, "") ", "
    FN("live_allocations", "", "int", "scalar", NO_BATCH, "")
#ifdef PYVC_TEST_MISSING_SYMBOL
    ", " FN("ghost", "", "int", "scalar", NO_BATCH, "")
#endif
    "]}";

/* List results handed out and not yet released with pyvc_test_kernels_free, so tests can prove the
 * release. */
static int64_t live_allocations;

static void *allocate(size_t bytes) {
  void *data = malloc(bytes);
  if (data)
    ++live_allocations;
  return data;
}

void pyvc_test_kernels_free(void *data) {
  if (data) {
    --live_allocations;
    free(data);
  }
}

#define FAIL(status, text)                                                                         \
  do {                                                                                             \
    if (message)                                                                                   \
      *message = text;                                                                             \
    return status;                                                                                 \
  } while (0)

pyvc_status pyvc_test_kernels_fn_mean(const double *xs, int64_t n, double *out,
                                      const char **message) {
  if (n == 0)
    FAIL(PYVC_ZERO_DIVISION_ERROR, "division by zero");
  double total = 0;
  for (int64_t i = 0; i < n; ++i)
    total += xs[i];
  *out = total / (double)n;
  return PYVC_OK;
}

/* Python's a // b: floors, and refuses what does not fit in 64 bits. */
pyvc_status pyvc_test_kernels_fn_div(int64_t a, int64_t b, int64_t *out, const char **message) {
  if (b == 0)
    FAIL(PYVC_ZERO_DIVISION_ERROR, "integer division or modulo by zero");
  if (a == INT64_MIN && b == -1)
    FAIL(PYVC_OVERFLOW_ERROR, "int too large to fit in 64 bits");
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  *out = q;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_batch_div(const int64_t *a, const int64_t *b, int64_t count,
                                        int64_t *out, int64_t *error_index, const char **message) {
  for (int64_t i = 0; i < count; ++i) {
    pyvc_status status = pyvc_test_kernels_fn_div(a[i], b[i], &out[i], message);
    if (status != PYVC_OK) {
      if (error_index)
        *error_index = i;
      return status;
    }
  }
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_ratio(double a, double b, double *out, const char **message) {
  if (b == 0)
    FAIL(PYVC_ZERO_DIVISION_ERROR, "float division by zero");
  *out = a / b;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_batch_ratio(const double *a, const double *b, int64_t count,
                                          double *out, int64_t *error_index, const char **message) {
  for (int64_t i = 0; i < count; ++i) {
    pyvc_status status = pyvc_test_kernels_fn_ratio(a[i], b[i], &out[i], message);
    if (status != PYVC_OK) {
      if (error_index)
        *error_index = i;
      return status;
    }
  }
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_clamp(const double *xs, int64_t n, double lo, double hi,
                                       double **out_data, int64_t *out_length,
                                       const char **message) {
  *out_data = NULL;
  *out_length = n;
  if (n == 0)
    return PYVC_OK;
  double *result = allocate((size_t)n * sizeof(double));
  if (!result)
    FAIL(PYVC_MEMORY_ERROR, "out of memory");
  for (int64_t i = 0; i < n; ++i)
    result[i] = xs[i] < lo ? lo : (xs[i] > hi ? hi : xs[i]);
  *out_data = result;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_minmax(const double *xs, int64_t n, double *low, double *high,
                           const char **message) {
  if (n == 0)
    FAIL(PYVC_VALUE_ERROR, "min() arg is an empty sequence");
  *low = *high = xs[0];
  for (int64_t i = 1; i < n; ++i) {
    if (xs[i] < *low)
      *low = xs[i];
    if (xs[i] > *high)
      *high = xs[i];
  }
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_describe(const int64_t *xs, int64_t n, int64_t *count,
                                          double *total, uint8_t *any_negative,
                                          const char **message) {
  *count = n;
  *total = 0;
  *any_negative = 0;
  for (int64_t i = 0; i < n; ++i) {
    *total += (double)xs[i];
    if (xs[i] < 0)
      *any_negative = 1;
  }
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_select(uint8_t flag, double a, double b, double *out,
                                        const char **message) {
  *out = flag ? a : b;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_batch_select(const uint8_t *flag, const double *a, const double *b,
                              int64_t count, double *out, int64_t *error_index,
                              const char **message) {
  for (int64_t i = 0; i < count; ++i)
    out[i] = flag[i] ? a[i] : b[i];
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_is_positive(double x, uint8_t *out, const char **message) {
  *out = x > 0;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_batch_is_positive(const double *x, int64_t count, uint8_t *out,
                                   int64_t *error_index, const char **message) {
  for (int64_t i = 0; i < count; ++i)
    out[i] = x[i] > 0;
  return PYVC_OK;
}

/* (int(math.floor(x)), x - math.floor(x)), with int()'s errors for NaN and infinities. */
pyvc_status pyvc_test_kernels_fn_split(double x, int64_t *whole, double *fraction,
                                       const char **message) {
  if (isnan(x))
    FAIL(PYVC_VALUE_ERROR, "cannot convert float NaN to integer");
  if (isinf(x))
    FAIL(PYVC_OVERFLOW_ERROR, "cannot convert float infinity to integer");
  double floored = floor(x);
  if (floored < -9223372036854775808.0 || floored >= 9223372036854775808.0)
    FAIL(PYVC_OVERFLOW_ERROR, "int too large to fit in 64 bits");
  *whole = (int64_t)floored;
  *fraction = x - floored;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_batch_split(const double *x, int64_t count, int64_t *whole,
                                          double *fraction, int64_t *error_index,
                                          const char **message) {
  for (int64_t i = 0; i < count; ++i) {
    pyvc_status status = pyvc_test_kernels_fn_split(x[i], &whole[i], &fraction[i], message);
    if (status != PYVC_OK) {
      if (error_index)
        *error_index = i;
      return status;
    }
  }
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_negate_all(const uint8_t *flags, int64_t n, uint8_t **out_data,
                               int64_t *out_length, const char **message) {
  *out_data = NULL;
  *out_length = n;
  if (n == 0)
    return PYVC_OK;
  uint8_t *result = allocate((size_t)n);
  if (!result)
    FAIL(PYVC_MEMORY_ERROR, "out of memory");
  for (int64_t i = 0; i < n; ++i)
    result[i] = !flags[i];
  *out_data = result;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_count_true(const uint8_t *flags, int64_t n, int64_t *out,
                               const char **message) {
  *out = 0;
  for (int64_t i = 0; i < n; ++i)
    *out += flags[i];
  return PYVC_OK;
}

/* list(range(n)); a length no gateway could hold is the MemoryError CPython would raise. */
pyvc_status pyvc_test_kernels_fn_iota(int64_t n, int64_t **out_data, int64_t *out_length,
                         const char **message) {
  *out_data = NULL;
  *out_length = 0;
  if (n <= 0)
    return PYVC_OK;
  if (n > ((int64_t)1 << 40))
    FAIL(PYVC_MEMORY_ERROR, "");
  int64_t *result = allocate((size_t)n * sizeof(int64_t));
  if (!result)
    FAIL(PYVC_MEMORY_ERROR, "");
  for (int64_t i = 0; i < n; ++i)
    result[i] = i;
  *out_data = result;
  *out_length = n;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_at(const int64_t *xs, int64_t n, int64_t i, int64_t *out,
                       const char **message) {
  if (i < 0)
    i += n;
  if (i < 0 || i >= n)
    FAIL(PYVC_INDEX_ERROR, "list index out of range");
  *out = xs[i];
  return PYVC_OK;
}

/* The address the kernel received: equal to the caller's buffer address when nothing was copied. */
pyvc_status pyvc_test_kernels_fn_address_of(const double *xs, int64_t n, int64_t *out,
                                            const char **message) {
  *out = (int64_t)(intptr_t)xs;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_address_of_ints(const int64_t *xs, int64_t n, int64_t *out,
                                    const char **message) {
  *out = (int64_t)(intptr_t)xs;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_address_of_bools(const uint8_t *flags, int64_t n, int64_t *out,
                                     const char **message) {
  *out = (int64_t)(intptr_t)flags;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_deep(int64_t n, int64_t *out, const char **message) {
  if (n > 1000)
    FAIL(PYVC_RECURSION_ERROR, "maximum recursion depth exceeded");
  *out = n;
  return PYVC_OK;
}

/* Thirteen arguments of mixed classes overflow the argument registers of both x86-64 and
 * aarch64, so stack-passed ints, doubles and bytes are all exercised. Weights make each argument
 * visible in the result. */
pyvc_status pyvc_test_kernels_fn_mix(int64_t a, double b, uint8_t c, int64_t d, double e, double f,
                                     double g, double h, double i, double j, double k, int64_t l,
                                     uint8_t m, double *out, const char **message) {
  *out = (double)a + 2 * b + 4 * c + 8 * (double)d + 16 * e + 32 * f + 64 * g + 128 * h +
         256 * i + 512 * j + 1024 * k + 2048 * (double)l + 4096 * m;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_batch_mix(const int64_t *a, const double *b, const uint8_t *c,
                                        const int64_t *d, const double *e, const double *f,
                                        const double *g, const double *h, const double *i,
                                        const double *j, const double *k, const int64_t *l,
                                        const uint8_t *m, int64_t count, double *out,
                                        int64_t *error_index, const char **message) {
  for (int64_t n = 0; n < count; ++n)
    pyvc_test_kernels_fn_mix(a[n], b[n], c[n], d[n], e[n], f[n], g[n], h[n], i[n], j[n], k[n], l[n],
                             m[n], &out[n], message);
  return PYVC_OK;
}

/* A status this ABI version does not define: the loader must not crash or invent a name. */
pyvc_status pyvc_test_kernels_fn_bad_status(int64_t x, int64_t *out, const char **message) {
  FAIL(99, "status from the future");
}

static double last_nothing;

pyvc_status pyvc_test_kernels_fn_nothing(double x, const char **message) {
  last_nothing = x;
  return PYVC_OK;
}

pyvc_status pyvc_test_kernels_fn_live_allocations(int64_t *out, const char **message) {
  *out = live_allocations;
  return PYVC_OK;
}
