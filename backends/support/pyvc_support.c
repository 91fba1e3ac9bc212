/* Runtime support linked into every compiled kernel (as bitcode, with internal linkage): the
 * parts of Python's semantics that are clearer in C than as hand-built IR. Compiled per target
 * triple with -ffp-contract=off and -fno-math-errno: every libm error is detected from the
 * result (NaN from non-NaN input, infinity from finite input), never from errno.
 * Status codes and messages follow runtime/include/pyvc/kernel_abi.h and CPython 3.11. */

/* Only libc and libm, declared here so the file compiles for any triple without a sysroot. */
typedef __INT32_TYPE__ int32_t;
typedef __INT64_TYPE__ int64_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __SIZE_TYPE__ size_t;
#define INT64_MAX __INT64_MAX__
/* Mallocs on 64-bit Linux return blocks aligned to at least 8 bytes whatever the size (glibc and
 * musl: 16; jemalloc's smallest class: 8). Saying so (an `align 8` on each call) lets LLVM read
 * a list header's fields once before a loop even when the loop reads them only under a
 * condition: it will not speculate a load whose alignment it does not know. */
void *malloc(size_t size) __attribute__((assume_aligned(8)));
void *realloc(void *pointer, size_t size);
void free(void *pointer);
void *memcpy(void *destination, const void *source, size_t size);
double fmod(double x, double y);
double pow(double x, double y);
double ldexp(double x, int exponent);
double frexp(double x, int *exponent);
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define fabs(x) __builtin_fabs(x)
#define floor(x) __builtin_floor(x)
#define trunc(x) __builtin_trunc(x)
#define sqrt(x) __builtin_sqrt(x)
#define copysign(x, y) __builtin_copysign(x, y)

enum {
  STATUS_OK = 0,
  STATUS_ZERO_DIVISION = 1,
  STATUS_INDEX = 2,
  STATUS_VALUE = 3,
  STATUS_OVERFLOW = 4,
  STATUS_MEMORY = 5,
};

/* ------------------------------------------------------------------------------------------
 * Lists. The backend keeps every list a function creates in that call's arena, a doubly linked
 * list of headers, and frees the arena when the call ends (return or error), except the list
 * being returned, which moves to the caller. Parameter lists are borrowed: their header lives on
 * the callee's stack (FLAG_STACK_HEADER) and their data belongs to the caller (capacity < 0);
 * the first write copies the data (copy on write), because kernels never modify their inputs.
 * The backend reads `data` and `length` directly and relies on this exact layout.
 * ------------------------------------------------------------------------------------------ */
typedef struct pyvc_list {
  char *data;
  int64_t length;
  int64_t capacity; /* in elements; < 0 when the data is borrowed */
  struct pyvc_list *next, *prev;
  int64_t flags;
} pyvc_list;

enum { FLAG_STACK_HEADER = 1, FLAG_IN_ARENA = 2 };

static void arenaLink(pyvc_list **arena, pyvc_list *list) {
  list->prev = 0;
  list->next = *arena;
  if (*arena)
    (*arena)->prev = list;
  *arena = list;
  list->flags |= FLAG_IN_ARENA;
}

static void arenaUnlink(pyvc_list **arena, pyvc_list *list) {
  if (!(list->flags & FLAG_IN_ARENA))
    return;
  if (list->prev)
    list->prev->next = list->next;
  else
    *arena = list->next;
  if (list->next)
    list->next->prev = list->prev;
  list->next = list->prev = 0;
  list->flags &= ~(int64_t)FLAG_IN_ARENA;
}

/* A new owned list of `length` elements (contents unspecified) with room for `capacity`; NULL
 * when memory runs out or the size does not fit. */
pyvc_list *pyvc_rt_list_new(pyvc_list **arena, int64_t elementSize, int64_t length,
                            int64_t capacity) {
  if (capacity < length)
    capacity = length;
  if (capacity < 4)
    capacity = 4;
  if (length < 0 || capacity > INT64_MAX / elementSize)
    return 0;
  pyvc_list *list = (pyvc_list *)malloc(sizeof(pyvc_list));
  if (!list)
    return 0;
  list->data = (char *)malloc((size_t)(capacity * elementSize));
  if (!list->data) {
    free(list);
    return 0;
  }
  list->length = length;
  list->capacity = capacity;
  list->flags = 0;
  arenaLink(arena, list);
  return list;
}

/* Frees every list of a finished call. */
void pyvc_rt_list_free_all(pyvc_list *arena) {
  while (arena) {
    pyvc_list *next = arena->next;
    if (arena->capacity >= 0)
      free(arena->data);
    if (!(arena->flags & FLAG_STACK_HEADER))
      free(arena);
    arena = next;
  }
}

/* Gives a borrowed list its own copy of the data (before the first write); 0 on success. */
int32_t pyvc_rt_list_make_owned(pyvc_list **arena, pyvc_list *list, int64_t elementSize) {
  if (list->capacity >= 0)
    return STATUS_OK;
  int64_t capacity = list->length < 4 ? 4 : list->length;
  char *data = (char *)malloc((size_t)(capacity * elementSize));
  if (!data)
    return STATUS_MEMORY;
  if (list->length)
    memcpy(data, list->data, (size_t)(list->length * elementSize));
  list->data = data;
  list->capacity = capacity;
  arenaLink(arena, list); /* its data must now be freed with the call */
  return STATUS_OK;
}

/* Makes room for one more element (called when length == capacity); 0 on success. */
int32_t pyvc_rt_list_grow(pyvc_list **arena, pyvc_list *list, int64_t elementSize) {
  if (list->capacity < 0 && pyvc_rt_list_make_owned(arena, list, elementSize))
    return STATUS_MEMORY;
  if (list->length < list->capacity)
    return STATUS_OK;
  if (list->capacity > INT64_MAX / 2 / elementSize)
    return STATUS_MEMORY;
  int64_t capacity = list->capacity * 2;
  char *data = (char *)realloc(list->data, (size_t)(capacity * elementSize));
  if (!data)
    return STATUS_MEMORY;
  list->data = data;
  list->capacity = capacity;
  return STATUS_OK;
}

/* Moves a list out of a finishing call (for `return`): the result is a heap header that owns its
 * data and is in no arena. NULL when memory runs out. */
pyvc_list *pyvc_rt_list_take(pyvc_list **arena, pyvc_list *list, int64_t elementSize) {
  if (list->capacity >= 0 && !(list->flags & FLAG_STACK_HEADER)) {
    arenaUnlink(arena, list);
    return list;
  }
  pyvc_list *scratch = 0;
  pyvc_list *copy = pyvc_rt_list_new(&scratch, elementSize, list->length, list->length);
  if (!copy)
    return 0;
  arenaUnlink(&scratch, copy);
  if (list->length)
    memcpy(copy->data, list->data, (size_t)(list->length * elementSize));
  return copy;
}

/* Frees a temporary list as soon as its only use is over (`len(sorted(xs[1:]))`, `[0.0] * n`),
 * so loops that build temporaries do not hold them until the call ends. */
void pyvc_rt_list_discard(pyvc_list **arena, pyvc_list *list) {
  arenaUnlink(arena, list);
  if (list->capacity >= 0)
    free(list->data);
  if (!(list->flags & FLAG_STACK_HEADER))
    free(list);
}

/* Puts a list returned by a callee into the caller's arena. */
void pyvc_rt_list_adopt(pyvc_list **arena, pyvc_list *list) { arenaLink(arena, list); }

/* Hands a returned list to the C caller as data + length (NULL data for an empty list) and
 * frees the header. */
void pyvc_rt_list_release(pyvc_list *list, char **outData, int64_t *outLength) {
  *outLength = list->length;
  if (list->length == 0) {
    free(list->data);
    *outData = 0;
  } else {
    *outData = list->data;
  }
  free(list);
}

/* list[lower:upper] with Python's clamping; the bounds are already normalised by the caller
 * to 0 <= lower, upper <= length. */
pyvc_list *pyvc_rt_list_slice(pyvc_list **arena, const pyvc_list *list, int64_t elementSize,
                              int64_t lower, int64_t upper) {
  int64_t length = upper > lower ? upper - lower : 0;
  pyvc_list *slice = pyvc_rt_list_new(arena, elementSize, length, length);
  if (slice && length)
    memcpy(slice->data, list->data + lower * elementSize, (size_t)(length * elementSize));
  return slice;
}

/* list * count; NULL (MemoryError) when the result would not fit. */
pyvc_list *pyvc_rt_list_repeat(pyvc_list **arena, const pyvc_list *list, int64_t elementSize,
                               int64_t count) {
  if (count < 0)
    count = 0;
  int64_t length = 0;
  if (list->length && __builtin_mul_overflow(list->length, count, &length))
    return 0;
  if (length > INT64_MAX / elementSize)
    return 0;
  pyvc_list *result = pyvc_rt_list_new(arena, elementSize, length, length);
  if (!result)
    return 0;
  int64_t bytes = list->length * elementSize;
  for (int64_t i = 0; i < count && bytes; ++i)
    memcpy(result->data + i * bytes, list->data, (size_t)bytes);
  return result;
}

/* ------------------------------------------------------------------------------------------
 * sorted(): CPython 3.11's list.sort (Objects/listobject.c, Objects/listsort.txt), written again
 * for flat arrays of bools (uint8_t), ints (int64_t) and floats (double). With NaN, `<` is no
 * order at all, and CPython's result depends on exactly which `a < b` its algorithm asks and
 * when; so this makes the same comparisons in the same order: natural runs (strictly descending
 * ones reversed), binary insertion up to minrun, the powersort merge policy of 3.11, merges with
 * galloping and the adaptive min_gallop. tests/backends/sort_matches_cpython.py checks the bits.
 * ------------------------------------------------------------------------------------------ */
enum { SORT_BOOL = 0, SORT_INT = 1, SORT_FLOAT = 2 };
enum { MIN_GALLOP = 7, MAX_MINRUN = 64, MAX_PENDING_RUNS = 64 };

typedef struct SortRun {
  char *base;
  int64_t length;
  int power; /* the run's depth in powersort's conceptual merge tree */
} SortRun;

typedef struct SortState {
  char *items;   /* the whole array */
  int64_t count; /* its length */
  int64_t size;  /* bytes per element: 1 or 8 */
  int32_t kind;
  int64_t minGallop; /* how many wins in a row start galloping; adapts to the data */
  char *scratch;     /* room for the shorter run of a merge */
  int64_t scratchCapacity;
  int runCount;
  SortRun runs[MAX_PENDING_RUNS];
} SortState;

/* The only comparison: Python's `<` (for floats C's, false whenever a NaN is involved). */
static int lessThan(const SortState *state, const char *a, const char *b) {
  if (state->kind == SORT_FLOAT) {
    double x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return x < y;
  }
  if (state->kind == SORT_INT) {
    int64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return x < y;
  }
  return *(const uint8_t *)a < *(const uint8_t *)b;
}

static char *elementAt(const SortState *state, char *base, int64_t index) {
  return base + index * state->size;
}

static void copyElement(const SortState *state, char *destination, const char *source) {
  if (state->size == 8)
    memcpy(destination, source, 8);
  else
    *destination = *source;
}

/* Copies between the array and the scratch space (no overlap). */
static void copyElements(const SortState *state, char *destination, const char *source,
                         int64_t count) {
  if (count > 0)
    memcpy(destination, source, (size_t)(count * state->size));
}

/* Overlapping moves within the array: towards lower addresses, then towards higher ones. */
static void moveElementsDown(const SortState *state, char *destination, const char *source,
                             int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    copyElement(state, destination + i * state->size, source + i * state->size);
}

static void moveElementsUp(const SortState *state, char *destination, const char *source,
                           int64_t count) {
  for (int64_t i = count - 1; i >= 0; --i)
    copyElement(state, destination + i * state->size, source + i * state->size);
}

static void reverseElements(const SortState *state, char *base, int64_t count) {
  char swap[8];
  for (int64_t low = 0, high = count - 1; low < high; ++low, --high) {
    copyElement(state, swap, elementAt(state, base, low));
    copyElement(state, elementAt(state, base, low), elementAt(state, base, high));
    copyElement(state, elementAt(state, base, high), swap);
  }
}

/* Natural runs shorter than this are extended by binary insertion: `count` itself below 64,
 * else a value in [32, 64] such that count / minrun is a power of 2 or just below one. */
static int64_t computeMinRun(int64_t count) {
  int64_t shiftedOff = 0;
  while (count >= MAX_MINRUN) {
    shiftedOff |= count & 1;
    count >>= 1;
  }
  return count + shiftedOff;
}

/* The length of the run at `base` (at most `remaining`): non-descending, or strictly descending
 * and then reversed in place (strictly, so that reversing keeps the sort stable). */
static int64_t countRun(const SortState *state, char *base, int64_t remaining) {
  if (remaining == 1)
    return 1;
  int64_t length = 2;
  if (lessThan(state, elementAt(state, base, 1), elementAt(state, base, 0))) {
    while (length < remaining &&
           lessThan(state, elementAt(state, base, length), elementAt(state, base, length - 1)))
      ++length;
    reverseElements(state, base, length);
    return length;
  }
  while (length < remaining &&
         !lessThan(state, elementAt(state, base, length), elementAt(state, base, length - 1)))
    ++length;
  return length;
}

/* Stable binary insertion sort of base[0:count], whose first `sorted` elements are in order. */
static void binaryInsertionSort(const SortState *state, char *base, int64_t count,
                                int64_t sorted) {
  char pivot[8];
  if (sorted == 0)
    sorted = 1;
  for (; sorted < count; ++sorted) {
    copyElement(state, pivot, elementAt(state, base, sorted));
    /* pivot >= everything in [0, left), pivot < everything in [right, sorted) */
    int64_t left = 0, right = sorted;
    do {
      int64_t middle = left + ((right - left) >> 1);
      if (lessThan(state, pivot, elementAt(state, base, middle)))
        right = middle;
      else
        left = middle + 1;
    } while (left < right);
    moveElementsUp(state, elementAt(state, base, left + 1), elementAt(state, base, left),
                   sorted - left);
    copyElement(state, elementAt(state, base, left), pivot);
  }
}

/* Where `key` goes in the sorted run[0:count], left of any equal elements: the k with
 * run[k-1] < key <= run[k]. The search gallops from `hint` (1, 3, 7, 15, ... away), then
 * bisects the last gap. */
static int64_t gallopLeft(const SortState *state, const char *key, char *run, int64_t count,
                          int64_t hint) {
  int64_t lastOffset = 0, offset = 1;
  if (lessThan(state, elementAt(state, run, hint), key)) {
    /* Gallop right until run[hint + lastOffset] < key <= run[hint + offset]. */
    int64_t maxOffset = count - hint;
    while (offset < maxOffset) {
      if (!lessThan(state, elementAt(state, run, hint + offset), key))
        break;
      lastOffset = offset;
      offset = (offset << 1) + 1;
    }
    if (offset > maxOffset)
      offset = maxOffset;
    lastOffset += hint;
    offset += hint;
  } else {
    /* Gallop left until run[hint - offset] < key <= run[hint - lastOffset]. */
    int64_t maxOffset = hint + 1;
    while (offset < maxOffset) {
      if (lessThan(state, elementAt(state, run, hint - offset), key))
        break;
      lastOffset = offset;
      offset = (offset << 1) + 1;
    }
    if (offset > maxOffset)
      offset = maxOffset;
    int64_t previousLast = lastOffset;
    lastOffset = hint - offset;
    offset = hint - previousLast;
  }
  /* run[lastOffset] < key <= run[offset]: bisect what lies between. */
  ++lastOffset;
  while (lastOffset < offset) {
    int64_t middle = lastOffset + ((offset - lastOffset) >> 1);
    if (lessThan(state, elementAt(state, run, middle), key))
      lastOffset = middle + 1;
    else
      offset = middle;
  }
  return offset;
}

/* As gallopLeft, but right of any equal elements: the k with run[k-1] <= key < run[k]. */
static int64_t gallopRight(const SortState *state, const char *key, char *run, int64_t count,
                           int64_t hint) {
  int64_t lastOffset = 0, offset = 1;
  if (lessThan(state, key, elementAt(state, run, hint))) {
    /* Gallop left until run[hint - offset] <= key < run[hint - lastOffset]. */
    int64_t maxOffset = hint + 1;
    while (offset < maxOffset) {
      if (!lessThan(state, key, elementAt(state, run, hint - offset)))
        break;
      lastOffset = offset;
      offset = (offset << 1) + 1;
    }
    if (offset > maxOffset)
      offset = maxOffset;
    int64_t previousLast = lastOffset;
    lastOffset = hint - offset;
    offset = hint - previousLast;
  } else {
    /* Gallop right until run[hint + lastOffset] <= key < run[hint + offset]. */
    int64_t maxOffset = count - hint;
    while (offset < maxOffset) {
      if (lessThan(state, key, elementAt(state, run, hint + offset)))
        break;
      lastOffset = offset;
      offset = (offset << 1) + 1;
    }
    if (offset > maxOffset)
      offset = maxOffset;
    lastOffset += hint;
    offset += hint;
  }
  /* run[lastOffset] <= key < run[offset]: bisect what lies between. */
  ++lastOffset;
  while (lastOffset < offset) {
    int64_t middle = lastOffset + ((offset - lastOffset) >> 1);
    if (lessThan(state, key, elementAt(state, run, middle)))
      offset = middle;
    else
      lastOffset = middle + 1;
  }
  return offset;
}

/* Room for `count` elements in the scratch space; 0, or -1 when memory runs out. */
static int reserveScratch(SortState *state, int64_t count) {
  if (count <= state->scratchCapacity)
    return 0;
  free(state->scratch);
  state->scratchCapacity = 0;
  state->scratch = (char *)malloc((size_t)(count * state->size));
  if (!state->scratch)
    return -1;
  state->scratchCapacity = count;
  return 0;
}

/* Merges the adjacent runs a[0:countA] and b[0:countB] (b == a + countA) in place, with
 * countA <= countB, copying a to the scratch space and filling from the left. a's last element
 * belongs at the end of the merge (mergeAt made sure), and b's first at the start. */
static int mergeLow(SortState *state, char *a, int64_t countA, char *b, int64_t countB) {
  if (reserveScratch(state, countA))
    return -1;
  int64_t size = state->size;
  copyElements(state, state->scratch, a, countA);
  char *destination = a;
  a = state->scratch;

  copyElement(state, destination, b);
  destination += size, b += size, --countB;
  if (countB == 0)
    goto finish;
  if (countA == 1)
    goto lastOfA;

  int64_t minGallop = state->minGallop;
  for (;;) {
    int64_t winsA = 0, winsB = 0; /* how many times in a row each run won */
    /* One element at a time until one run wins minGallop times in a row. */
    for (;;) {
      if (lessThan(state, b, a)) {
        copyElement(state, destination, b);
        destination += size, b += size, --countB;
        ++winsB, winsA = 0;
        if (countB == 0)
          goto finish;
        if (winsB >= minGallop)
          break;
      } else {
        copyElement(state, destination, a);
        destination += size, a += size, --countA;
        ++winsA, winsB = 0;
        if (countA == 1)
          goto lastOfA;
        if (winsA >= minGallop)
          break;
      }
    }
    /* Gallop while either run keeps winning by MIN_GALLOP or more; each round of it lowers
     * minGallop, leaving it raises it. */
    ++minGallop;
    do {
      minGallop -= minGallop > 1;
      state->minGallop = minGallop;
      int64_t k = gallopRight(state, b, a, countA, 0);
      winsA = k;
      if (k) {
        copyElements(state, destination, a, k);
        destination += k * size, a += k * size, countA -= k;
        if (countA == 1)
          goto lastOfA;
        /* countA == 0 cannot happen with a consistent `<`; NaN makes it inconsistent. */
        if (countA == 0)
          goto finish;
      }
      copyElement(state, destination, b);
      destination += size, b += size, --countB;
      if (countB == 0)
        goto finish;

      k = gallopLeft(state, a, b, countB, 0);
      winsB = k;
      if (k) {
        moveElementsDown(state, destination, b, k);
        destination += k * size, b += k * size, countB -= k;
        if (countB == 0)
          goto finish;
      }
      copyElement(state, destination, a);
      destination += size, a += size, --countA;
      if (countA == 1)
        goto lastOfA;
    } while (winsA >= MIN_GALLOP || winsB >= MIN_GALLOP);
    ++minGallop;
    state->minGallop = minGallop;
  }
finish:
  copyElements(state, destination, a, countA);
  return 0;
lastOfA:
  moveElementsDown(state, destination, b, countB);
  copyElement(state, destination + countB * size, a);
  return 0;
}

/* The mirror image of mergeLow for countA >= countB: b goes to the scratch space and the merge
 * fills from the right. */
static int mergeHigh(SortState *state, char *a, int64_t countA, char *b, int64_t countB) {
  if (reserveScratch(state, countB))
    return -1;
  int64_t size = state->size;
  char *baseA = a, *baseB = state->scratch;
  char *destination = b + (countB - 1) * size;
  copyElements(state, state->scratch, b, countB);
  /* a and b point at the last element of each run from here on. */
  b = state->scratch + (countB - 1) * size;
  a += (countA - 1) * size;

  copyElement(state, destination, a);
  destination -= size, a -= size, --countA;
  if (countA == 0)
    goto finish;
  if (countB == 1)
    goto firstOfB;

  int64_t minGallop = state->minGallop;
  for (;;) {
    int64_t winsA = 0, winsB = 0;
    for (;;) {
      if (lessThan(state, b, a)) {
        copyElement(state, destination, a);
        destination -= size, a -= size, --countA;
        ++winsA, winsB = 0;
        if (countA == 0)
          goto finish;
        if (winsA >= minGallop)
          break;
      } else {
        copyElement(state, destination, b);
        destination -= size, b -= size, --countB;
        ++winsB, winsA = 0;
        if (countB == 1)
          goto firstOfB;
        if (winsB >= minGallop)
          break;
      }
    }
    ++minGallop;
    do {
      minGallop -= minGallop > 1;
      state->minGallop = minGallop;
      int64_t k = countA - gallopRight(state, b, baseA, countA, countA - 1);
      winsA = k;
      if (k) {
        destination -= k * size, a -= k * size;
        moveElementsUp(state, destination + size, a + size, k);
        countA -= k;
        if (countA == 0)
          goto finish;
      }
      copyElement(state, destination, b);
      destination -= size, b -= size, --countB;
      if (countB == 1)
        goto firstOfB;

      k = countB - gallopLeft(state, a, baseB, countB, countB - 1);
      winsB = k;
      if (k) {
        destination -= k * size, b -= k * size;
        copyElements(state, destination + size, b + size, k);
        countB -= k;
        if (countB == 1)
          goto firstOfB;
        /* countB == 0 cannot happen with a consistent `<`; NaN makes it inconsistent. */
        if (countB == 0)
          goto finish;
      }
      copyElement(state, destination, a);
      destination -= size, a -= size, --countA;
      if (countA == 0)
        goto finish;
    } while (winsA >= MIN_GALLOP || winsB >= MIN_GALLOP);
    ++minGallop;
    state->minGallop = minGallop;
  }
finish:
  copyElements(state, destination - (countB - 1) * size, baseB, countB);
  return 0;
firstOfB:
  destination -= countA * size, a -= countA * size;
  moveElementsUp(state, destination + size, a + size, countA);
  copyElement(state, destination, b);
  return 0;
}

/* Merges runs i and i + 1 of the stack (i is the second or third from the top). */
static int mergeAt(SortState *state, int i) {
  SortRun *runs = state->runs;
  char *a = runs[i].base, *b = runs[i + 1].base;
  int64_t countA = runs[i].length, countB = runs[i + 1].length;
  runs[i].length = countA + countB;
  if (i == state->runCount - 3)
    runs[i + 1] = runs[i + 2];
  --state->runCount;

  /* Elements of a before b's first element, and of b after a's last, are already in place. */
  int64_t k = gallopRight(state, b, a, countA, 0);
  a += k * state->size;
  countA -= k;
  if (countA == 0)
    return 0;
  countB = gallopLeft(state, elementAt(state, a, countA - 1), b, countB, countB - 1);
  if (countB == 0)
    return 0;
  return countA <= countB ? mergeLow(state, a, countA, b, countB)
                          : mergeHigh(state, a, countA, b, countB);
}

/* Powersort's "power" of the boundary between the run [start, start + countA) and the next run
 * of countB: the first bit where the binary expansions of the two runs' midpoints (as
 * fractions of the whole array) differ. */
static int runPower(int64_t start, int64_t countA, int64_t countB, int64_t total) {
  int power = 0;
  int64_t a = 2 * start + countA; /* twice the midpoints, to stay in integers */
  int64_t b = a + countA + countB;
  for (;;) {
    ++power;
    if (a >= total) {
      a -= total;
      b -= total;
    } else if (b >= total) {
      break;
    }
    a <<= 1;
    b <<= 1;
  }
  return power;
}

/* Before a new run of `count` is pushed: merges the runs whose boundary lies deeper in the merge
 * tree than the new boundary's. */
static int mergeBeforePush(SortState *state, int64_t count) {
  if (state->runCount == 0)
    return 0;
  SortRun *top = &state->runs[state->runCount - 1];
  int power = runPower((top->base - state->items) / state->size, top->length, count, state->count);
  while (state->runCount > 1 && state->runs[state->runCount - 2].power > power)
    if (mergeAt(state, state->runCount - 2))
      return -1;
  state->runs[state->runCount - 1].power = power;
  return 0;
}

/* At the end: merges what is left on the stack, the shorter neighbour of the top run first. */
static int mergeAll(SortState *state) {
  while (state->runCount > 1) {
    int i = state->runCount - 2;
    if (i > 0 && state->runs[i - 1].length < state->runs[i + 1].length)
      --i;
    if (mergeAt(state, i))
      return -1;
  }
  return 0;
}

static int timSort(SortState *state) {
  int64_t remaining = state->count;
  int64_t minRun = computeMinRun(remaining);
  char *next = state->items;
  do {
    int64_t length = countRun(state, next, remaining);
    if (length < minRun) {
      int64_t extended = remaining <= minRun ? remaining : minRun;
      binaryInsertionSort(state, next, extended, length);
      length = extended;
    }
    if (mergeBeforePush(state, length))
      return -1;
    SortRun *run = &state->runs[state->runCount++];
    run->base = next;
    run->length = length;
    next += length * state->size;
    remaining -= length;
  } while (remaining);
  return mergeAll(state);
}

/* Sorts `list` in place (it is a fresh copy made by the backend), as CPython 3.11 sorts the same
 * values. kind: 0 bool (uint8_t), 1 int, 2 float. 0, or STATUS_MEMORY. */
int32_t pyvc_rt_list_sort(pyvc_list *list, int64_t elementSize, int32_t kind,
                          const char **message) {
  if (list->length < 2)
    return STATUS_OK;
  SortState state;
  state.items = list->data;
  state.count = list->length;
  state.size = elementSize;
  state.kind = kind;
  state.minGallop = MIN_GALLOP;
  state.scratch = 0;
  state.scratchCapacity = 0;
  state.runCount = 0;
  int failed = timSort(&state);
  free(state.scratch);
  if (failed) {
    *message = "out of memory";
    return STATUS_MEMORY;
  }
  return STATUS_OK;
}

/* ------------------------------------------------------------------------------------------
 * Numbers
 * ------------------------------------------------------------------------------------------ */

/* Exact comparison of an int with a float, as CPython's float_richcompare: -1, 0 or 1, and 2 when
 * the float is NaN (unordered). */
int32_t pyvc_rt_compare_int_float(int64_t i, double f) {
  if (isnan(f))
    return 2;
  if (f >= 9223372036854775808.0)
    return -1;
  if (f < -9223372036854775808.0)
    return 1;
  double whole = trunc(f);
  int64_t wholeInt = (int64_t)whole; /* in range: checked above */
  if (i != wholeInt)
    return i < wholeInt ? -1 : 1;
  double fraction = f - whole; /* exact */
  return fraction > 0.0 ? -1 : (fraction < 0.0 ? 1 : 0);
}

/* CPython's float_rem; the caller has checked that w != 0. */
double pyvc_rt_float_mod(double v, double w) {
  double mod = fmod(v, w);
  if (mod != 0.0) {
    if ((w < 0) != (mod < 0))
      mod += w;
  } else {
    mod = copysign(0.0, w);
  }
  return mod;
}

/* CPython's float_floor_div (through float_divmod); the caller has checked that w != 0. */
double pyvc_rt_float_floor_div(double v, double w) {
  double mod = fmod(v, w);
  double div = (v - mod) / w;
  if (mod != 0.0) {
    if ((w < 0) != (mod < 0))
      div -= 1.0;
  }
  double floordiv;
  if (div != 0.0) {
    floordiv = floor(div);
    if (div - floordiv > 0.5)
      floordiv += 1.0;
  } else {
    floordiv = copysign(0.0, v / w);
  }
  return floordiv;
}

static int isOddInteger(double x) { return fmod(fabs(x), 2.0) == 1.0; }

/* CPython's float_pow (Objects/floatobject.c), except that a negative base with a non-integer
 * exponent raises ValueError where CPython returns a complex number. */
int32_t pyvc_rt_float_pow(double iv, double iw, double *out, const char **message) {
  if (iw == 0.0) {
    *out = 1.0;
    return STATUS_OK;
  }
  if (isnan(iv)) {
    *out = iv;
    return STATUS_OK;
  }
  if (isnan(iw)) {
    *out = iv == 1.0 ? 1.0 : iw;
    return STATUS_OK;
  }
  if (isinf(iw)) {
    iv = fabs(iv);
    if (iv == 1.0)
      *out = 1.0;
    else if ((iw > 0.0) == (iv > 1.0))
      *out = fabs(iw);
    else
      *out = 0.0;
    return STATUS_OK;
  }
  if (isinf(iv)) {
    int odd = isOddInteger(iw);
    if (iw > 0.0)
      *out = odd ? iv : fabs(iv);
    else
      *out = odd ? copysign(0.0, iv) : 0.0;
    return STATUS_OK;
  }
  if (iv == 0.0) {
    int odd = isOddInteger(iw);
    if (iw < 0.0) {
      *message = "0.0 cannot be raised to a negative power";
      return STATUS_ZERO_DIVISION;
    }
    *out = odd ? iv : 0.0;
    return STATUS_OK;
  }
  int negate = 0;
  if (iv < 0.0) {
    if (iw != floor(iw)) {
      *message = "negative number cannot be raised to a fractional power";
      return STATUS_VALUE;
    }
    iv = -iv;
    negate = isOddInteger(iw);
  }
  if (iv == 1.0) {
    *out = negate ? -1.0 : 1.0;
    return STATUS_OK;
  }
  double result = pow(iv, iw);
  if (isinf(result)) {
    *message = "(34, 'Numerical result out of range')";
    return STATUS_OVERFLOW;
  }
  *out = negate ? -result : result;
  return STATUS_OK;
}

/* CPython's math_pow (Modules/mathmodule.c). */
int32_t pyvc_rt_math_pow(double x, double y, double *out, const char **message) {
  double r;
  if (!isfinite(x) || !isfinite(y)) {
    if (isnan(x))
      r = y == 0.0 ? 1.0 : x;
    else if (isnan(y))
      r = x == 1.0 ? 1.0 : y;
    else if (isinf(x)) {
      int oddY = isfinite(y) && isOddInteger(y);
      if (y > 0.0)
        r = oddY ? x : fabs(x);
      else if (y == 0.0)
        r = 1.0;
      else
        r = oddY ? copysign(0.0, x) : 0.0;
    } else {
      if (fabs(x) == 1.0)
        r = 1.0;
      else if (y > 0.0 && fabs(x) > 1.0)
        r = y;
      else if (y < 0.0 && fabs(x) < 1.0)
        r = -y;
      else
        r = 0.0;
    }
    *out = r;
    return STATUS_OK;
  }
  r = pow(x, y);
  if (isnan(r)) {
    *message = "math domain error";
    return STATUS_VALUE;
  }
  if (isinf(r)) {
    if (x == 0.0) {
      *message = "math domain error";
      return STATUS_VALUE;
    }
    *message = "math range error";
    return STATUS_OVERFLOW;
  }
  *out = r;
  return STATUS_OK;
}

/* base ** exponent for ints, checked; a negative exponent is refused (see ir/IR.h). */
int32_t pyvc_rt_int_pow(int64_t base, int64_t exponent, int64_t *out, const char **message) {
  if (exponent < 0) {
    *message = "negative int exponents are not supported in kernels (use a float base)";
    return STATUS_VALUE;
  }
  int64_t result = 1;
  while (exponent) {
    if ((exponent & 1) && __builtin_mul_overflow(result, base, &result))
      goto overflow;
    exponent >>= 1;
    /* Squaring only while bits remain: an overflow here means the final result overflows. */
    if (exponent && __builtin_mul_overflow(base, base, &base))
      goto overflow;
  }
  *out = result;
  return STATUS_OK;
overflow:
  *message = "integer overflow";
  return STATUS_OVERFLOW;
}

/* a / b for ints, correctly rounded like CPython's long_true_divide; the caller has checked that
 * b != 0. Quotient bits are produced by long division until 55 significant bits are known; the
 * remainder is the sticky bit for round-half-even. */
double pyvc_rt_int_true_divide(int64_t a, int64_t b) {
  int negative = (a < 0) != (b < 0);
  uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a;
  uint64_t ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
  const uint64_t exactLimit = (uint64_t)1 << 53;
  if (ua <= exactLimit && ub <= exactLimit)
    return (double)a / (double)b; /* both exact: IEEE division rounds correctly */
  if (ua == 0)
    return negative ? -0.0 : 0.0;
  uint64_t quotient = ua / ub, remainder = ua % ub;
  int exponent = 0;
  while (quotient < ((uint64_t)1 << 54)) {
    int bit = remainder >= ub - remainder;
    remainder = bit ? remainder - (ub - remainder) : remainder * 2;
    quotient = quotient * 2 + (uint64_t)bit;
    --exponent;
  }
  int bits = 64 - __builtin_clzll(quotient);
  int shift = bits - 53;
  uint64_t low = quotient & (((uint64_t)1 << shift) - 1);
  uint64_t half = (uint64_t)1 << (shift - 1);
  uint64_t high = quotient >> shift;
  if (low > half || (low == half && (remainder != 0 || (high & 1))))
    ++high;
  double result = ldexp((double)high, exponent + shift);
  return negative ? -result : result;
}

/* math.hypot(x, y) exactly as CPython 3.11's vector_norm (Modules/mathmodule.c) computes it for
 * two coordinates: scaled squares summed with error-free transformations, then one correction
 * step, so the result matches CPython bit for bit where libm's hypot may differ in the last bit. */
typedef struct {
  double hi, lo;
} DoubleLength;

static DoubleLength fastTwoSum(double a, double b) { /* |a| >= |b| */
  double x = a + b;
  double y = (a - x) + b;
  return (DoubleLength){x, y};
}

static DoubleLength veltkampSplit(double x) {
  double t = x * 134217729.0; /* 2**27 + 1 */
  double hi = t - (t - x);
  return (DoubleLength){hi, x - hi};
}

static DoubleLength exactProduct(double x, double y) { /* Dekker */
  DoubleLength xx = veltkampSplit(x), yy = veltkampSplit(y);
  double p = xx.hi * yy.hi;
  double q = xx.hi * yy.lo + xx.lo * yy.hi;
  double z = p + q;
  double zz = p - z + q + xx.lo * yy.lo;
  return (DoubleLength){z, zz};
}

static double vectorNorm2(double a, double b, double max, int foundNan) {
  if (isinf(max))
    return max;
  if (foundNan)
    return __builtin_nan("");
  if (max == 0.0)
    return max;
  int maxExponent;
  frexp(max, &maxExponent);
  if (maxExponent < -1023) { /* subnormal: ldexp(1.0, -maxExponent) would overflow */
    const double minNormal = 0x1p-1022;
    return minNormal * vectorNorm2(a / minNormal, b / minNormal, max / minNormal, foundNan);
  }
  double scale = ldexp(1.0, -maxExponent);
  double csum = 1.0, frac1 = 0.0, frac2 = 0.0;
  double coordinates[2] = {a, b};
  for (int i = 0; i < 2; ++i) {
    double x = coordinates[i] * scale;
    DoubleLength product = exactProduct(x, x);
    DoubleLength sum = fastTwoSum(csum, product.hi);
    csum = sum.hi;
    frac1 += product.lo;
    frac2 += sum.lo;
  }
  double h = sqrt(csum - 1.0 + (frac1 + frac2));
  DoubleLength product = exactProduct(-h, h);
  DoubleLength sum = fastTwoSum(csum, product.hi);
  csum = sum.hi;
  frac1 += product.lo;
  frac2 += sum.lo;
  double x = csum - 1.0 + (frac1 + frac2);
  h += x / (2.0 * h);
  return h / scale;
}

double pyvc_rt_hypot(double x, double y) {
  x = fabs(x);
  y = fabs(y);
  double max = 0.0;
  if (x > max)
    max = x;
  if (y > max)
    max = y;
  return vectorNorm2(x, y, max, isnan(x) || isnan(y));
}
