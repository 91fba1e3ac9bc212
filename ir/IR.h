// Kernel IR: the typed, structured program that the frontend produces and the backends lower.
// One Module per source file; nodes live in the Module's arena and point at each other with
// plain pointers. Printer, verifier, builder and analyses live in their own files beside this.
//
// Semantics, written once (every backend must implement exactly this; CPython 3.11 is the
// reference for all of it):
//  - Evaluation is left to right, each operand exactly once. Logical and CompareChain
//    short-circuit; Select evaluates only the branch taken.
//  - Int arithmetic is 64-bit two's complement *checked*: a result outside [-2^63, 2^63) raises
//    OverflowError (Add, Sub, Mul, Neg, FloorDiv of INT64_MIN by -1, Pow, Abs of INT64_MIN).
//  - FloorDiv and Mod floor (the remainder takes the divisor's sign) for Int and Float; a zero
//    divisor raises ZeroDivisionError for Int and Float alike. Float Mod/FloorDiv follow
//    CPython's float_rem / float_floor_div exactly (signed zeros included).
//  - TrueDiv always produces Float. On Int operands it is CPython's correctly rounded int/int
//    division (not float(a)/float(b) once an operand exceeds 2^53).
//  - Int Pow with a negative exponent raises ValueError (CPython would return a float; the
//    kernel dialect documents this). Float Pow follows CPython's float_pow: 0.0 ** negative
//    raises ZeroDivisionError, negative ** non-integer raises ValueError, a finite result
//    overflowing raises OverflowError.
//  - Comparisons between Int and Float are exact (as CPython's), not float(int) comparisons.
//    NaN compares unequal to everything, including itself.
//  - Floating-point is IEEE double, round to nearest, no contraction (never fuse a*b+c), no
//    reassociation except in reductions marked ReductionOrder::FixedLanes (see Comprehension).
//  - Lists are values with identity like Python's: assigning a list to another local aliases it.
//    Index/StoreIndex accept negative indices (counting from the end) and raise IndexError
//    outside [-len, len). Slices clamp like Python's.
//  - Errors: every raise carries one ErrorKind and a CPython-style message; a raise leaves the
//    current function at once and propagates through callers to the exported entry point.
#pragma once

#include "ir/Type.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace pyvc::ir {

// A range in the source file, 1-based lines and columns; end is exclusive.
struct Span {
  uint32_t line = 0, column = 0, endLine = 0, endColumn = 0;
};

// The Python exceptions a kernel can raise. The numeric values are the C ABI status codes
// (runtime/include/pyvc/kernel_abi.h) and must stay in sync with it.
// The values are kernel_abi.h's status codes (PYVC_ZERO_DIVISION_ERROR ...).
enum class ErrorKind : uint8_t {
  ZeroDivision = 1, // ZeroDivisionError
  Index = 2,        // IndexError
  Value = 3,        // ValueError
  Overflow = 4,     // OverflowError
  Memory = 5,       // MemoryError: allocation failed
  Recursion = 6,    // RecursionError: call depth above the limit (1000, as CPython)
  Assertion = 7,    // AssertionError: a failed `assert` (or `raise AssertionError`)
};

// A local variable or parameter of one function. Ids index Function::locals.
using LocalId = uint32_t;
struct Local {
  std::string name; // as written in the source; temporaries made by the frontend start with '$'
  Type type;
  bool isParameter = false;
  Span span; // where it was first assigned or declared
};

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

enum class ExprKind : uint8_t {
  Constant,      // a bool, int or float literal (module constants are folded into these)
  LocalRef,      // the value of a local
  Unary,         // -x, +x, not x
  Binary,        // arithmetic on two operands of the same numeric type (Int or Float)
  CompareChain,  // a < b <= c ...: operands evaluated once, left to right, short-circuit
  Logical,       // a and b / a or b: Python's value semantics (returns an operand)
  Select,        // b if c else a
  Convert,       // numeric and truth conversions, with Python's checks
  Call,          // call a function of the same module
  Intrinsic,     // math.* and scalar builtins (abs, min/max of scalars, round)
  ListLength,    // len(list)
  Index,         // list[i]
  Slice,         // list[lo:hi], a new list
  ListLiteral,   // [a, b, c]
  ListRepeat,    // [a, b] * n (a new list; n <= 0 gives an empty list)
  Comprehension, // list comprehensions and reductions over generators: sum/min/max/any/all
  Sorted,        // sorted(list), a new list
  TupleMake,     // (a, b): only as a Return value
  TupleGet,      // t[k] with a constant k, on the value of a tuple-returning Call
};

struct Expr {
  ExprKind kind;
  Type type;
  Span span;

protected:
  Expr(ExprKind kind, Type type, Span span) : kind(kind), type(std::move(type)), span(span) {}

public:
  virtual ~Expr() = default;
  template <typename T> bool is() const { return kind == T::Kind; }
  template <typename T> T *as() { return is<T>() ? static_cast<T *>(this) : nullptr; }
  template <typename T> const T *as() const { return is<T>() ? static_cast<const T *>(this) : nullptr; }
};

struct ConstantExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Constant;
  // Exactly one is meaningful, chosen by type: Bool and Int use intValue, Float floatValue.
  int64_t intValue = 0;
  double floatValue = 0.0;
  ConstantExpr(Type type, Span span) : Expr(Kind, std::move(type), span) {}
};

struct LocalRefExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::LocalRef;
  LocalId local;
  LocalRefExpr(Type type, Span span, LocalId local) : Expr(Kind, std::move(type), span), local(local) {}
};

enum class UnaryOp : uint8_t { Neg, Pos, Not, Invert }; // Invert: `~x` on an Int, -x - 1
struct UnaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Unary;
  UnaryOp op;
  Expr *operand; // Neg/Pos: Int or Float, same as the result; Not: Bool (frontend adds Truth);
                 // Invert: Int
  UnaryExpr(Type type, Span span, UnaryOp op, Expr *operand)
      : Expr(Kind, std::move(type), span), op(op), operand(operand) {}
};

// BitAnd/BitOr/BitXor take Int operands, or two Bool operands (then the result is Bool, as
// `True & False` is in Python). LShift/RShift take Int operands: a negative count raises
// ValueError; LShift raises OverflowError when the result does not fit in 64 bits; RShift
// by 64 or more gives 0 or -1.
enum class BinaryOp : uint8_t { Add, Sub, Mul, TrueDiv, FloorDiv, Mod, Pow, BitAnd, BitOr, BitXor, LShift, RShift };
inline bool isBitwise(BinaryOp op) { return op >= BinaryOp::BitAnd; }
struct BinaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Binary;
  BinaryOp op;
  // Both operands have the same type, Int or Float (the frontend inserts conversions). The result
  // has that type too, except TrueDiv, whose result is always Float. Bitwise ops: see BinaryOp.
  Expr *lhs, *rhs;
  // Set by analysis (ir/passes/ProveNoOverflow) when an Int Add/Sub/Mul is proven to stay inside
  // [-2^63, 2^63): the backend may skip the OverflowError check.
  bool provenNoOverflow = false;
  BinaryExpr(Type type, Span span, BinaryOp op, Expr *lhs, Expr *rhs)
      : Expr(Kind, std::move(type), span), op(op), lhs(lhs), rhs(rhs) {}
};

enum class CompareOp : uint8_t { Lt, Le, Gt, Ge, Eq, Ne };
struct CompareChainExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::CompareChain;
  // operands.size() == ops.size() + 1 >= 2. Operands are scalars; Bool operands compare as Int;
  // Int against Float compares exactly. The result is Bool.
  std::vector<Expr *> operands;
  std::vector<CompareOp> ops;
  CompareChainExpr(Span span) : Expr(Kind, Type::boolean(), span) {}
};

enum class LogicalOp : uint8_t { And, Or };
struct LogicalExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Logical;
  LogicalOp op;
  // Both operands and the result have the same scalar type. `a and b` is a if not truth(a) else b;
  // `a or b` is a if truth(a) else b.
  Expr *lhs, *rhs;
  LogicalExpr(Type type, Span span, LogicalOp op, Expr *lhs, Expr *rhs)
      : Expr(Kind, std::move(type), span), op(op), lhs(lhs), rhs(rhs) {}
};

struct SelectExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Select;
  Expr *condition; // Bool
  Expr *ifTrue, *ifFalse; // same type as the result
  SelectExpr(Type type, Span span, Expr *condition, Expr *ifTrue, Expr *ifFalse)
      : Expr(Kind, std::move(type), span), condition(condition), ifTrue(ifTrue), ifFalse(ifFalse) {}
};

enum class ConvertOp : uint8_t {
  BoolToInt,    // exact
  BoolToFloat,  // exact
  IntToFloat,   // round to nearest, as float(int)
  FloatToInt,   // int(x): truncate; NaN raises ValueError, inf or out of range OverflowError
  Truth,        // bool(x) of a scalar: x != 0 (NaN is true)
  ListTruth,    // bool(list): len != 0
};
struct ConvertExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Convert;
  ConvertOp op;
  Expr *operand;
  ConvertExpr(Type type, Span span, ConvertOp op, Expr *operand)
      : Expr(Kind, std::move(type), span), op(op), operand(operand) {}
};

struct CallExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Call;
  uint32_t callee; // index into Module::functions
  std::vector<Expr *> arguments; // already converted to the parameter types
  CallExpr(Type type, Span span, uint32_t callee) : Expr(Kind, std::move(type), span), callee(callee) {}
};

enum class IntrinsicOp : uint8_t {
  // math module, Float -> Float unless noted; domain errors raise ValueError ("math domain
  // error"), finite arguments with an infinite result raise OverflowError ("math range error").
  Sqrt, Exp, Log, Log2, Log10, Sin, Cos, Tan, Fabs,
  LogBase,       // math.log(x, base): log(x) / log(base), as CPython computes it
  Atan2, Hypot,  // two Float arguments
  MathPow,       // math.pow(x, y): CPython's math_pow rules (differ from ** on some inputs)
  Floor, Ceil,   // Float -> Int, NaN raises ValueError, inf raises OverflowError
  IsNan, IsInf, IsFinite, // Float -> Bool
  // builtins on scalars
  Abs,           // Int or Float -> same type; abs(INT64_MIN) raises OverflowError
  Min, Max,      // >= 2 arguments of one numeric type: Python's left-to-right rule (keep the
                 // current value unless the next is strictly less/greater), so NaN handling and
                 // the choice between -0.0 and 0.0 match CPython
  Round,         // round(x) -> Int, half to even; Float NaN raises ValueError, inf OverflowError
};
struct IntrinsicExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Intrinsic;
  IntrinsicOp op;
  std::vector<Expr *> arguments;
  IntrinsicExpr(Type type, Span span, IntrinsicOp op) : Expr(Kind, std::move(type), span), op(op) {}
};

struct ListLengthExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::ListLength;
  Expr *list;
  ListLengthExpr(Span span, Expr *list) : Expr(Kind, Type::integer(), span), list(list) {}
};

struct IndexExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Index;
  Expr *list;
  Expr *index; // Int; negative counts from the end; outside [-len, len) raises IndexError
  // Set by analysis when the index is proven in [0, len): the backend may skip the check.
  bool provenInBounds = false;
  IndexExpr(Type type, Span span, Expr *list, Expr *index)
      : Expr(Kind, std::move(type), span), list(list), index(index) {}
};

struct SliceExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Slice;
  Expr *list;
  Expr *lower, *upper; // Int or nullptr for an omitted bound; clamped like Python (no step)
  SliceExpr(Type type, Span span, Expr *list, Expr *lower, Expr *upper)
      : Expr(Kind, std::move(type), span), list(list), lower(lower), upper(upper) {}
};

struct ListLiteralExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::ListLiteral;
  std::vector<Expr *> elements; // each of the element type
  ListLiteralExpr(Type type, Span span) : Expr(Kind, std::move(type), span) {}
};

struct ListRepeatExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::ListRepeat;
  Expr *list;  // a list value to repeat (often a ListLiteral)
  Expr *count; // Int; a count <= 0 gives an empty list; a huge one raises MemoryError
  bool countFirst = false; // `n * [v]`: Python evaluates the count before the list
  ListRepeatExpr(Type type, Span span, Expr *list, Expr *count)
      : Expr(Kind, std::move(type), span), list(list), count(count) {}
};

// Where a loop or generator takes its values from.
struct IterationSpace {
  enum class Kind : uint8_t {
    Range,     // range(start, stop, step): step == 0 raises ValueError
    Sequences, // one list, or zip(lists...) which stops at the shortest; optional enumerate()
  };
  Kind kind = Kind::Range;
  Expr *start = nullptr, *stop = nullptr, *step = nullptr; // Range: all three present, Int
  std::vector<Expr *> lists; // Sequences: at least one list
  bool withIndex = false;    // Sequences: enumerate(...) adds an Int index as the first target
  Expr *indexStart = nullptr; // Sequences with index: enumerate's start (Int), never nullptr then
  // The locals assigned each iteration: Range: [i]; Sequences: [index if withIndex] + one per list.
  std::vector<LocalId> targets;
};

enum class ComprehensionKind : uint8_t {
  List, // [element for ...]
  Sum,  // sum(element for ...), with `start` as the initial value
  Min,  // min(element for ...): ValueError on an empty sequence
  Max,  // max(element for ...): ValueError on an empty sequence
  Any,  // any(element for ...): short-circuits on the first true element
  All,  // all(element for ...): short-circuits on the first false element
};

// How a Float Sum accumulates. Only Float sums use FixedLanes; everything else is Sequential.
enum class ReductionOrder : uint8_t {
  Sequential, // CPython's order: ((start + e0) + e1) + ...; used under --strict-fp
  FixedLanes, // 16 partial sums starting at -0.0; the candidate at iteration position p (of the
              // innermost generator, after outer filters) goes to lane p % 16, and a candidate
              // its own filters reject adds -0.0 (the exact identity, so equal to skipping it);
              // the lanes combine in a fixed halving tree ((l0+l8)+(l4+l12))+..., then
              // start + combined, then the last count % 16 positions sequentially. Identical
              // bits on every target and -O level (backends/FixedLaneSum.cpp writes it out)
};

// One `for targets in space [if condition]...` clause of a comprehension.
struct Generator {
  IterationSpace space;
  std::vector<Expr *> conditions; // Bool; all must be true for the element to count
};

struct ComprehensionExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Comprehension;
  ComprehensionKind comprehensionKind;
  std::vector<Generator> generators; // nested left to right, as in Python
  Expr *element;                     // evaluated for each combination that passes the filters
  Expr *start = nullptr;             // Sum only: the initial value (Int 0 unless given), of the result type
  ReductionOrder order = ReductionOrder::Sequential;
  ComprehensionExpr(Type type, Span span, ComprehensionKind comprehensionKind)
      : Expr(Kind, std::move(type), span), comprehensionKind(comprehensionKind) {}
};

struct SortedExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Sorted;
  Expr *list; // CPython's list.sort (TimSort, `<` only): the same order, NaN included
  SortedExpr(Type type, Span span, Expr *list) : Expr(Kind, std::move(type), span), list(list) {}
};

struct TupleMakeExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::TupleMake;
  std::vector<Expr *> members;
  TupleMakeExpr(Type type, Span span) : Expr(Kind, std::move(type), span) {}
};

struct TupleGetExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::TupleGet;
  Expr *tuple; // a Call returning a Tuple, or a LocalRef of a Tuple local
  uint32_t member;
  TupleGetExpr(Type type, Span span, Expr *tuple, uint32_t member)
      : Expr(Kind, std::move(type), span), tuple(tuple), member(member) {}
};

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

enum class StmtKind : uint8_t { Assign, StoreIndex, Append, If, While, For, Break, Continue, Return, Raise };

struct Stmt;
using Block = std::vector<Stmt *>;

struct Stmt {
  StmtKind kind;
  Span span;

protected:
  Stmt(StmtKind kind, Span span) : kind(kind), span(span) {}

public:
  virtual ~Stmt() = default;
  template <typename T> bool is() const { return kind == T::Kind; }
  template <typename T> T *as() { return is<T>() ? static_cast<T *>(this) : nullptr; }
  template <typename T> const T *as() const { return is<T>() ? static_cast<const T *>(this) : nullptr; }
};

// local = value. Tuple unpacking and augmented assignment are desugared by the frontend into
// temporaries and plain assignments, in Python's evaluation order.
struct AssignStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Assign;
  LocalId target;
  Expr *value; // of the local's type
  AssignStmt(Span span, LocalId target, Expr *value) : Stmt(Kind, span), target(target), value(value) {}
};

// list[index] = value on a local list (parameters are read-only in kernels).
struct StoreIndexStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::StoreIndex;
  LocalId list;
  Expr *index, *value;
  bool provenInBounds = false;
  StoreIndexStmt(Span span, LocalId list, Expr *index, Expr *value)
      : Stmt(Kind, span), list(list), index(index), value(value) {}
};

// list.append(value) on a local list.
struct AppendStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Append;
  LocalId list;
  Expr *value;
  AppendStmt(Span span, LocalId list, Expr *value) : Stmt(Kind, span), list(list), value(value) {}
};

struct IfStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::If;
  Expr *condition; // Bool; elif chains nest in elseBody
  Block thenBody, elseBody;
  IfStmt(Span span, Expr *condition) : Stmt(Kind, span), condition(condition) {}
};

struct WhileStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::While;
  Expr *condition; // Bool
  Block body;
  WhileStmt(Span span, Expr *condition) : Stmt(Kind, span), condition(condition) {}
};

// for targets in space: body. Range bounds are evaluated once before the loop; a list's length
// is re-read before each iteration, as CPython's list iterator does.
struct ForStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::For;
  IterationSpace space;
  Block body;
  ForStmt(Span span) : Stmt(Kind, span) {}
};

struct BreakStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Break;
  BreakStmt(Span span) : Stmt(Kind, span) {}
};

struct ContinueStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Continue;
  ContinueStmt(Span span) : Stmt(Kind, span) {}
};

struct ReturnStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Return;
  Expr *value; // of the function's return type (nullptr only when it returns None)
  ReturnStmt(Span span, Expr *value) : Stmt(Kind, span), value(value) {}
};

// raise E("message"): the function returns `error` with `message` (`assert c, "m"` is
// `if not c: raise AssertionError("m")`). Nothing after it in its block runs.
struct RaiseStmt : Stmt {
  static constexpr StmtKind Kind = StmtKind::Raise;
  ErrorKind error;
  std::string message;
  RaiseStmt(Span span, ErrorKind error, std::string message)
      : Stmt(Kind, span), error(error), message(std::move(message)) {}
};

// ---------------------------------------------------------------------------------------------
// Functions and modules
// ---------------------------------------------------------------------------------------------

enum class Classification : uint8_t {
  Scalar, // no list anywhere: parameters, locals and result are scalars
  Kernel, // loops or reductions over sequences
};

struct Function {
  std::string name;
  std::vector<LocalId> parameters; // ids into locals, in order
  Type returnType;                 // a scalar, a list, or a tuple of scalars
  std::vector<Local> locals;
  Block body;          // every path ends in a Return (the frontend guarantees it)
  Span span;           // the `def` line
  std::string docstring;
  // Filled by analyses (ir/analysis); the frontend leaves them at their defaults.
  Classification classification = Classification::Scalar;
  std::vector<ErrorKind> possibleErrors; // sorted, unique; includes those of callees
};

class Module {
public:
  std::string sourcePath;
  std::string sourceText;
  std::vector<Function> functions;

  // Create a node owned by this module.
  template <typename T, typename... Args> T *make(Args &&...args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    T *raw = node.get();
    if constexpr (std::is_base_of_v<Expr, T>)
      exprs_.push_back(std::move(node));
    else
      stmts_.push_back(std::move(node));
    return raw;
  }

  int findFunction(const std::string &name) const {
    for (size_t i = 0; i < functions.size(); ++i)
      if (functions[i].name == name)
        return static_cast<int>(i);
    return -1;
  }

private:
  std::deque<std::unique_ptr<Expr>> exprs_;
  std::deque<std::unique_ptr<Stmt>> stmts_;
};

} // namespace pyvc::ir
