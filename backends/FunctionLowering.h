// Lowers the body of one IR function into its pyvc_impl_ LLVM function. The class is split by
// responsibility across files: statements, calls and the error channel in FunctionLowering.cpp;
// scalar operators in ArithmeticLowering.cpp; math.* and scalar builtins in MathLowering.cpp;
// lists in ListLowering.cpp; loops and comprehensions in IterationLowering.cpp; fixed-lane float
// sums in FixedLaneSum.cpp and their whole-block vector code in VectorElements.cpp. Internal to
// backends/.
#pragma once

#include "backends/ModuleLowering.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace pyvc::backends {

// Positions per vector block: lowerVectorExpr's vectors, a FixedLanes sum's lanes.
inline constexpr unsigned BlockWidth = 16;

class FunctionLowering {
public:
  FunctionLowering(ModuleLowering &module, const ir::Function &function);
  void lower();

private:
  // Where `break` and `continue` go inside the innermost loop.
  struct LoopTargets {
    llvm::BasicBlock *continueTarget;
    llvm::BasicBlock *exit;
  };

  // --- statements (FunctionLowering.cpp)
  void lowerBlock(const ir::Block &block);
  void lowerStatement(const ir::Stmt &statement);
  void lowerIf(const ir::IfStmt &statement);
  void lowerWhile(const ir::WhileStmt &statement);
  void lowerFor(const ir::ForStmt &statement);
  void lowerReturn(const ir::ReturnStmt &statement);

  // --- expressions
  llvm::Value *lowerExpr(const ir::Expr &expr);
  llvm::Value *lowerConstant(const ir::ConstantExpr &expr);
  llvm::Value *lowerCall(const ir::CallExpr &expr);
  llvm::Value *lowerTupleMake(const ir::TupleMakeExpr &expr);
  // ArithmeticLowering.cpp
  llvm::Value *lowerUnary(const ir::UnaryExpr &expr);
  llvm::Value *lowerBinary(const ir::BinaryExpr &expr);
  llvm::Value *lowerIntBinary(ir::BinaryOp op, llvm::Value *lhs, llvm::Value *rhs);
  llvm::Value *lowerFloatBinary(ir::BinaryOp op, llvm::Value *lhs, llvm::Value *rhs);
  llvm::Value *lowerCompareChain(const ir::CompareChainExpr &expr);
  llvm::Value *lowerCompare(ir::CompareOp op, llvm::Value *lhs, const ir::Type &lhsType,
                            llvm::Value *rhs, const ir::Type &rhsType);
  llvm::Value *lowerLogical(const ir::LogicalExpr &expr);
  llvm::Value *lowerSelect(const ir::SelectExpr &expr);
  llvm::Value *lowerConvert(const ir::ConvertExpr &expr);
  llvm::Value *truth(llvm::Value *value, const ir::Type &type);
  // Float -> int, truncating toward zero as int(), with CPython's errors (NaN: ValueError; inf,
  // out of range: OverflowError). Floor, ceil and round pass values already made integral.
  llvm::Value *checkedFloatToInt(llvm::Value *value);
  // Whether each double of `floats` (a scalar or a vector) is in [-2^63, 2^63), where int()
  // converts it to a 64-bit int: false for NaN and the infinities.
  llvm::Value *fitsInt64(llvm::Value *floats);
  // MathLowering.cpp
  llvm::Value *lowerIntrinsic(const ir::IntrinsicExpr &expr);
  llvm::Value *callMath1(llvm::StringRef name, llvm::Value *x, bool canOverflow);
  llvm::Value *checkedLog(llvm::StringRef name, llvm::Value *x);
  llvm::Value *lowerMinMax(const ir::IntrinsicExpr &expr);
  // ListLowering.cpp
  llvm::Value *lowerIndex(const ir::IndexExpr &expr);
  llvm::Value *lowerSlice(const ir::SliceExpr &expr);
  llvm::Value *lowerListLiteral(const ir::ListLiteralExpr &expr);
  llvm::Value *lowerListRepeat(const ir::ListRepeatExpr &expr);
  llvm::Value *lowerSorted(const ir::SortedExpr &expr);
  // [a, b] * n made directly: one list and a fill loop, no temporary literal to copy and free
  // (`[0] * bins` cost four mallocs and two frees, 1-2% of histogram at n = 1000).
  llvm::Value *lowerLiteralRepeat(const ir::ListLiteralExpr &literal, const ir::Expr &count, bool countFirst,
                                  ir::TypeKind element);
  void lowerStoreIndex(const ir::StoreIndexStmt &statement);
  void lowerAppend(const ir::AppendStmt &statement);
  llvm::Value *newList(ir::TypeKind element, llvm::Value *length, llvm::Value *capacity);
  // Tells LLVM that `header`, a list just made or received (never null), stays a readable header
  // for as long as it is used, so header loads under a condition may be hoisted out of loops.
  void assumeListHeader(llvm::Value *header);
  // Frees `header` now when `expr` made a fresh list that nothing else can reach (a temporary
  // consumed by len, an index, a slice, sorted, a repeat, a call or a loop).
  void discardIfTemporary(const ir::Expr &expr, llvm::Value *header);
  llvm::Value *borrowList(llvm::Value *data, llvm::Value *length, const llvm::Twine &name);
  llvm::Value *listData(llvm::Value *header);
  llvm::Value *listLength(llvm::Value *header);
  llvm::Value *elementAddress(llvm::Value *header, llvm::Value *index, ir::TypeKind element);
  llvm::Value *loadElement(llvm::Value *header, llvm::Value *index, ir::TypeKind element);
  void appendElement(llvm::Value *header, llvm::Value *value, ir::TypeKind element);
  // An index normalised to [0, length), raising IndexError outside [-length, length).
  llvm::Value *checkedIndex(llvm::Value *header, llvm::Value *index, bool provenInBounds);
  llvm::Value *normalizedIndex(llvm::Value *length, llvm::Value *index, const char *message);
  // Is `list` a local that only ever holds lists this call made (never a borrowed parameter)?
  // Then a store into it needs no copy-on-write check.
  bool alwaysOwned(ir::LocalId list);
  // Type-based alias tags: the kernel's own element accesses never touch a list header, so
  // LLVM may keep a header's data pointer and length in registers across element stores.
  void tagHeaderAccess(llvm::Instruction *access, const char *field);
  void tagElementAccess(llvm::Instruction *access);
  // IterationLowering.cpp
  // The evaluated operands of an iteration space, shared by its loop header and body.
  struct Iteration {
    const ir::IterationSpace *space = nullptr;
    llvm::Value *start = nullptr, *step = nullptr, *count = nullptr; // Range (count of values)
    std::vector<llvm::Value *> lists;                                // Sequences: headers
    llvm::Value *indexStart = nullptr;                               // enumerate's start
  };
  Iteration beginIteration(const ir::IterationSpace &space);
  // Whether position `position` exists; list lengths are re-read, as CPython's list iterator.
  llvm::Value *iterationContinues(const Iteration &iteration, llvm::Value *position);
  // The number of positions, read once (comprehensions: nothing in an expression changes a list).
  llvm::Value *iterationCount(const Iteration &iteration);
  void assignTargets(const Iteration &iteration, llvm::Value *position);
  void emitIterationLoop(const ir::IterationSpace &space,
                         llvm::function_ref<void(const LoopTargets &)> body);
  // The same loop over an iteration space whose operands were evaluated already (`begun`).
  void emitIterationLoop(const Iteration &begun, llvm::function_ref<void(const LoopTargets &)> body);
  llvm::Value *lowerComprehension(const ir::ComprehensionExpr &expr);
  // A list comprehension of known length whose element cannot raise, as a counted fill loop;
  // nullptr (having emitted nothing) when the element may raise.
  llvm::Value *lowerCountedListComprehension(const ir::ComprehensionExpr &expr);
  // `first`, when given, is the first generator's space, begun by the caller (sum() evaluates
  // its first iterable before its start value, as CPython makes the generator first).
  void emitGenerators(const ir::ComprehensionExpr &expr, size_t level,
                      llvm::function_ref<void()> onElement, const Iteration *first = nullptr);
  // ScatterUpdateLoop.cpp: a `for` over parameters whose body is `[if c:] i = int(q); l[i] = v`
  // with c and q vector code, as speculative blocks of 16 (false, having emitted nothing, for
  // any other loop).
  struct ScatterUpdate {
    const ir::Expr *condition = nullptr; // nullptr: every position updates
    const ir::AssignStmt *index = nullptr;
    const ir::StoreIndexStmt *store = nullptr;
    const ir::Expr *quotient = nullptr; // the float that int() converts to the index
  };
  std::optional<ScatterUpdate> matchScatterUpdate(const ir::ForStmt &loop);
  bool lowerScatterUpdateLoop(const ir::ForStmt &loop);
  // FixedLaneSum.cpp
  static void keepRolled(llvm::BranchInst *latch);
  llvm::Value *lowerFixedLaneSum(const ir::ComprehensionExpr &expr);
  // The element at the current position, or -0.0 (the exact identity of +) when a condition of
  // `generator` filters it out. Conditions short-circuit; the element is evaluated only if kept.
  llvm::Value *laneValue(const ir::ComprehensionExpr &expr, const ir::Generator &generator);
  llvm::Value *combineLanes(llvm::Value *lanes);
  void prefetchBlock(const Iteration &iteration, llvm::Value *base);
  // Whole-block vector code for elements and filters that cannot raise (VectorElements.cpp):
  // isVectorizable says whether `expr` is in that subset; lowerVectorExpr (only for such
  // expressions) computes it for the 16 positions starting at `base` at once. `speculative`
  // also admits divisions by any float; lowerVectorExpr then ORs the lanes whose divisor is
  // zero into *zeroDivisors (their quotients are inf or NaN, where CPython would raise).
  bool isVectorizable(const ir::Expr &expr, const Iteration &iteration, bool speculative = false);
  llvm::Value *lowerVectorExpr(const ir::Expr &expr, const Iteration &iteration, llvm::Value *base,
                               llvm::Value **zeroDivisors = nullptr);
  void emitFixedLaneElements(const ir::ComprehensionExpr &expr, size_t level,
                             llvm::function_ref<void(llvm::Value *)> onValue, const Iteration *first = nullptr);

  // --- the error channel and helpers (FunctionLowering.cpp)
  // Raises `kind` with `text` when `failed` is true; code continues in the success block.
  void raiseIf(llvm::Value *failed, ir::ErrorKind kind, const std::string &text);
  // Propagates a status returned by a callee or the support library (message already set).
  void propagateIfFailed(llvm::Value *status);
  llvm::AllocaInst *entryAlloca(llvm::Type *type, const llvm::Twine &name);
  llvm::Value *arenaSlot(); // the call's list arena, created on first use
  llvm::BasicBlock *newBlock(const llvm::Twine &name);
  // Starts a new block when the current one already ended (code after return/break).
  void ensureInsertionBlock();
  void setLocation(const ir::Span &span);
  llvm::Value *elementSizeValue(ir::TypeKind element);

  ModuleLowering &module_;
  const ir::Function &function_;
  llvm::Function *llvmFunction_;
  llvm::LLVMContext &context_;
  llvm::IRBuilder<> builder_;
  llvm::DISubprogram *subprogram_ = nullptr;
  std::vector<llvm::AllocaInst *> localSlots_; // one per ir local
  std::vector<bool> alwaysOwned_;              // by local; filled on first use by alwaysOwned()
  std::vector<llvm::Value *> parameterValues_; // lowered parameters (list: borrowed header)
  std::vector<llvm::Value *> resultPointers_;
  llvm::Value *messageOut_ = nullptr;
  llvm::Value *depth_ = nullptr;
  llvm::AllocaInst *statusSlot_ = nullptr;
  llvm::AllocaInst *arenaSlot_ = nullptr;
  llvm::BasicBlock *entryBlock_ = nullptr;
  llvm::BasicBlock *exitBlock_ = nullptr;
  std::vector<LoopTargets> loops_;
};

} // namespace pyvc::backends
