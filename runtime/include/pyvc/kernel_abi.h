/* The pyvc kernel ABI: the one C header shared by the compiler (which generates code to it) and
 * the runtime (which calls that code). Versioned; docs/ABI.md explains it with examples.
 *
 * Every exported symbol carries the library's module name M (the kernel file's name, or
 * `pyvc compile --module-name M`), so that several libraries link into one program and load into
 * one process. The manifest records M; the names are built only from the macros below.
 *
 * For a kernel function `def f(p1: T1, ..., pn: Tn) -> R` a compiled library exports
 *
 *     pyvc_status pyvc_M_fn_f(<params>, <results>, const char **message);
 *
 *   params   float -> double, int -> int64_t, bool -> uint8_t (0 or 1);
 *            list[T] -> two arguments: `const E *data, int64_t length` (E as for scalars; data may
 *            be NULL when length is 0). Kernels never write to or keep a parameter list.
 *   results  scalar R -> one `R *out`; tuple[T1..Tk] -> k out pointers, in order;
 *            list[T] -> `E **out_data, int64_t *out_length`: the data is allocated by the library
 *            and released with pyvc_M_free() from the same library (NULL when the length is 0).
 *   message  on error, set to a static, NUL-terminated CPython-style message (never freed);
 *            may be NULL when the caller does not want it.
 *   return   PYVC_OK, or the status naming the Python exception. On error no out-value is
 *            meaningful and nothing needs freeing.
 *
 * A scalar function (all parameters and results scalar) also gets a batch variant that evaluates
 * it element-wise over arrays, vectorized where possible:
 *
 *     pyvc_status pyvc_M_batch_f(const P1 *p1, ..., const Pn *pn, int64_t count,
 *                                R1 *out1, ..., int64_t *error_index, const char **message);
 *
 *   On error it stops, stores the index of the first failing element in *error_index (may be NULL)
 *   and returns that element's status; outputs before that index are valid.
 *
 * Every library also exports
 *     void pyvc_M_free(void *data);                    release a list result
 *     const char pyvc_M_manifest[];                    the manifest JSON, NUL-terminated
 * and nothing else, and carries the same manifest bytes in the ELF section PYVC_MANIFEST_SECTION,
 * so a loader can read it without running any code from the library. The manifest also lists
 * the CPU features the code needs (pyvc/cpu_features.def); loaders refuse a library the running
 * CPU cannot execute.
 */
#ifndef PYVC_KERNEL_ABI_H
#define PYVC_KERNEL_ABI_H

#include <stdint.h>

/* 2: symbols carry the module name; the manifest records `module` and `target.features`. */
#define PYVC_ABI_VERSION 2
#define PYVC_MANIFEST_SECTION ".pyvc_manifest"

/* The one table of exported names: PYVC_SYMBOL_PREFIX M, then an infix and the function's name,
 * or a suffix. Compiler, header generator and loaders build every name from these. */
#define PYVC_SYMBOL_PREFIX "pyvc_"
#define PYVC_FUNCTION_INFIX "_fn_"
#define PYVC_BATCH_INFIX "_batch_"
#define PYVC_FREE_SUFFIX "_free"
#define PYVC_MANIFEST_SUFFIX "_manifest"

/* The same names as C identifiers, for a program linked against a library:
 * PYVC_FN(windows, mean) is pyvc_windows_fn_mean. */
#define PYVC_FN(module, name) pyvc_##module##_fn_##name
#define PYVC_BATCH(module, name) pyvc_##module##_batch_##name
#define PYVC_FREE(module) pyvc_##module##_free
#define PYVC_MANIFEST(module) pyvc_##module##_manifest

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t pyvc_status;

enum {
  PYVC_OK = 0,
  PYVC_ZERO_DIVISION_ERROR = 1,
  PYVC_INDEX_ERROR = 2,
  PYVC_VALUE_ERROR = 3,
  PYVC_OVERFLOW_ERROR = 4,
  PYVC_MEMORY_ERROR = 5,
  PYVC_RECURSION_ERROR = 6,
  PYVC_ASSERTION_ERROR = 7,
};

/* The Python exception class name for a status ("ZeroDivisionError"), or NULL for PYVC_OK and
 * unknown values. Header-only so both sides agree without linking anything. */
static inline const char *pyvc_status_name(pyvc_status status) {
  switch (status) {
  case PYVC_ZERO_DIVISION_ERROR: return "ZeroDivisionError";
  case PYVC_INDEX_ERROR: return "IndexError";
  case PYVC_VALUE_ERROR: return "ValueError";
  case PYVC_OVERFLOW_ERROR: return "OverflowError";
  case PYVC_MEMORY_ERROR: return "MemoryError";
  case PYVC_RECURSION_ERROR: return "RecursionError";
  case PYVC_ASSERTION_ERROR: return "AssertionError";
  default: return 0;
  }
}

#ifdef __cplusplus
}
#endif

#endif /* PYVC_KERNEL_ABI_H */
