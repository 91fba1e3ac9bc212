// Lowers one function body from the AST to kernel IR: name resolution, type inference for
// locals, conversions, desugaring (tuple and augmented assignment, loops, comprehensions) and
// the flow checks (possibly unassigned locals, missing returns). Implemented in
// LowerStatements.cpp, LowerExpressions.cpp and LowerCalls.cpp.
//
// Locals are inferred by running the same lowering several times: each inference pass joins the
// type of every value assigned to a local into that local's type (bool < int < float; a list's
// element type joins what is stored into it) and reports nothing; once no type changes, a final
// pass lowers with the settled types and reports every problem. A local thus keeps one type
// for the whole function and every assignment converts to it.
#pragma once

#include "frontend-py/ModuleScope.h"

#include <map>
#include <set>

namespace pyvc::frontend {

// A lowered expression. `expr` is nullptr when it could not be typed: an error was reported,
// or (in an inference pass) a type is not known yet. `emptyList` marks a `[]` whose element type
// is still unknown; `borrowed` marks a list that may be a parameter's buffer.
struct Value {
  ir::Expr *expr = nullptr;
  bool emptyList = false;
  bool borrowed = false;
  explicit operator bool() const { return expr != nullptr; }
  const ir::Type &type() const { return expr->type; }
};

class FunctionLowerer {
public:
  FunctionLowerer(ModuleScope &scope, uint32_t functionIndex);
  // Infers local types, then lowers the body into the module's function.
  void run();

private:
  // A loop being lowered: what `break` needs and what the statement after the loop learns.
  struct LoopState {
    bool hasBreak = false;
    int brokeFlag = -1;                // with an `else`: the temporary a `break` sets
    bool breakReachable = false;       // some `break` of this loop can run
    std::vector<bool> assignedAtBreak; // assigned on every reachable `break` (when there is one)
  };

  // ---- passes and locals (LowerStatements.cpp) ---------------------------------------------
  void collectNamedLocals(const AstBlock &block);
  void collectTargetNames(const AstExpr *target, ir::Span span);
  void addNamedLocal(const std::string &name, ir::Span span);
  void runPass(bool reporting, ir::Module &arena);
  void report(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments = {});
  ir::LocalId newTemporary(const std::string &purpose, const ir::Type &type, ir::Span span);
  ir::LocalId newComprehensionLocal(const std::string &name, const ir::Type &type, ir::Span span);
  bool isNamedLocal(ir::LocalId id) const { return id < namedCount_; }
  void noteAssignment(ir::LocalId id, const Value &value);
  void noteStoredElement(ir::LocalId id, const ir::Type &elementType);
  void noteExpectedList(const AstExpr *node, const ir::Type &expected);
  int lookupNamedLocal(const std::string &name) const;
  // The comprehension variable `name` refers to: its id, -1 when none, or UnboundTarget.
  static constexpr int UnboundTarget = -2;
  int lookupComprehensionLocal(const std::string &name) const;
  bool isShadowed(const std::string &name) const;

  // ---- statements (LowerStatements.cpp) -----------------------------------------------------
  void lowerBlock(const AstBlock &block, ir::Block &out);
  void lowerStatement(const AstStmt &statement, ir::Block &out);
  void lowerAssign(const AstStmt &statement, ir::Block &out);
  void lowerAnnotatedAssign(const AstStmt &statement, ir::Block &out);
  void lowerAugmentedAssign(const AstStmt &statement, ir::Block &out);
  void lowerExpressionStatement(const AstStmt &statement, ir::Block &out);
  void lowerIf(const AstStmt &statement, ir::Block &out);
  void lowerWhile(const AstStmt &statement, ir::Block &out);
  void lowerFor(const AstStmt &statement, ir::Block &out);
  void lowerReturn(const AstStmt &statement, ir::Block &out);
  void lowerAssert(const AstStmt &statement, ir::Block &out);
  void lowerRaise(const AstStmt &statement, ir::Block &out);
  // The message of `assert c, "m"` or `raise E("m")`: a string literal, or none (""). False
  // after a diagnostic.
  bool exceptionMessage(const AstExpr *node, std::string &message);
  // `for`/`while` with `else`: a flag set by `break` and `if not flag: <else>` after the loop.
  ir::LocalId beginLoopElse(const AstStmt &statement, ir::Block &out);
  void lowerLoopElse(const AstStmt &statement, ir::LocalId brokeFlag, const LoopState &loop, ir::Block &out);
  void assignTo(const AstExpr *target, const AstExpr *value, ir::Span span, ir::Block &out);
  void assignValue(const AstExpr *target, Value value, ir::Span span, ir::Block &out);
  void storeElement(const AstExpr *target, Value value, ir::Span span, ir::Block &out);
  int mutableListLocal(const AstExpr *base, ir::Span span);
  ir::Type hintForTarget(const AstExpr *target) const;
  void markTargetsAssigned(const AstExpr *target);
  ir::LocalId bindLoopTarget(const AstExpr *target, const ir::Type &type, bool comprehension, ir::Block &prologue);
  void appendUnreachableReturn(ir::Block &body);

  // ---- expressions (LowerExpressions.cpp) ---------------------------------------------------
  // lowerExpr reports an empty `[]` whose element type is unknown; lowerExprOrEmpty returns it
  // (as a Value with emptyList set) to the places that can type it: assignments, returns,
  // arguments, conditional expressions and `[] * n`.
  Value lowerExpr(const AstExpr *node, const ir::Type *hint = nullptr);
  Value lowerExprOrEmpty(const AstExpr *node, const ir::Type *hint = nullptr);
  ir::Expr *lowerCondition(const AstExpr *node);
  Value lowerName(const AstExpr *node);
  Value lowerIntegerLiteral(const AstExpr *node, bool negated);
  Value lowerUnary(const AstExpr *node);
  Value lowerBinary(const AstExpr *node, const ir::Type *hint);
  Value binaryValues(const std::string &op, Value lhs, Value rhs, ir::Span span);
  // `countFirst`: written `n * list`, so the count is evaluated first.
  Value repeatList(Value list, Value count, ir::Span span, bool countFirst = false);
  Value lowerBoolOp(const AstExpr *node);
  Value lowerCompare(const AstExpr *node);
  Value lowerIfExp(const AstExpr *node, const ir::Type *hint);
  Value lowerSubscript(const AstExpr *node);
  Value lowerList(const AstExpr *node, const ir::Type *hint);
  Value lowerAttribute(const AstExpr *node);
  Value lowerString(const AstExpr *node);
  Value coerce(Value value, const ir::Type &to, ir::Span span, const std::string &what);
  Value coerceIndex(Value value, ir::Span span, const std::string &what);
  ir::Expr *convert(ir::Expr *expr, const ir::Type &to);
  ir::Expr *truth(ir::Expr *expr, ir::Span span);
  ir::Expr *intConstant(int64_t value, ir::Span span);
  ir::Expr *floatConstant(double value, ir::Span span);
  ir::Expr *boolConstant(bool value, ir::Span span);
  ir::Expr *localRef(ir::LocalId id, ir::Span span);
  ir::Expr *zeroValue(const ir::Type &type, ir::Span span);

  // ---- calls, builtins, comprehensions, iteration (LowerCalls.cpp) --------------------------
  Value lowerCall(const AstExpr *node, const ir::Type *hint);
  Value lowerUserCall(const AstExpr *node, uint32_t callee);
  Value lowerMathCall(const AstExpr *node, const std::string &function);
  Value lowerBuiltinCall(const AstExpr *node, const std::string &name, const ir::Type *hint);
  Value lowerMinMax(const AstExpr *node, const std::string &name);
  Value lowerConversion(const AstExpr *node, const std::string &name);
  Value lowerReduction(ir::ComprehensionKind kind, const AstExpr *argument, ir::Expr *start, ir::Span span,
                       const ir::Type *hint);
  Value lowerGenerator(const AstExpr *node, ir::ComprehensionKind kind, const ir::Type *hint, ir::Expr *start = nullptr);
  Value finishComprehension(ir::ComprehensionExpr *comprehension, Value element, ir::Expr *start, const ir::Type *hint,
                            ir::Span elementSpan);
  bool bindTargets(const AstExpr *target, const std::vector<ir::Type> &types, bool comprehension,
                   ir::IterationSpace &space, ir::Block &prologue);
  bool lowerIterationSpace(const AstExpr *iterable, const AstExpr *target, bool comprehension,
                           ir::IterationSpace &space, ir::Block &prologue);
  bool lowerSequence(const AstExpr *iterable, std::vector<ir::Expr *> &lists);
  bool checkArgumentCount(const AstExpr *node, const std::string &name, size_t minimum, size_t maximum);
  bool rejectKeywords(const AstExpr *node, const std::set<std::string> &allowed = {});
  const AstExpr *keywordArgument(const AstExpr *node, const std::string &name) const;
  bool isBuiltinName(const std::string &name, const char *builtin) const;
  // `($v for $v in iterable)`, made once per call site and kept for every pass (`list(...)`).
  const AstExpr *copyComprehension(const AstExpr *iterable);

  ModuleScope &scope_;
  uint32_t functionIndex_;
  const AstStmt &definition_;
  ir::Function &function_;
  ir::Module *arena_ = nullptr; // where nodes of the current pass go (scratch in inference passes)
  bool reporting_ = false;
  bool changed_ = false;

  // Function-scope names (Python: every name assigned anywhere in the body), parameters first;
  // their ids are the same in every pass. Temporaries and comprehension variables follow.
  std::map<std::string, ir::LocalId> named_;
  std::vector<ir::Local> namedLocals_;
  std::vector<bool> fixedType_; // parameters and annotated locals keep their declared type
  std::vector<bool> borrowed_;  // may alias a parameter's list
  uint32_t namedCount_ = 0;
  uint32_t temporaryCounter_ = 0;
  // One per comprehension being lowered, innermost last: its bound `for` targets, and the
  // targets of its later clauses, which are its locals too but not bound yet (E0330).
  struct ComprehensionScope {
    std::map<std::string, ir::LocalId> bound;
    std::set<std::string> unbound;
  };
  std::vector<ComprehensionScope> comprehensionScopes_;

  // Flow state of the final pass: which named locals are assigned on every path so far, and
  // whether the current point is reachable at all.
  std::vector<bool> assigned_;
  bool reachable_ = true;
  std::vector<LoopState> loops_; // the loops around the current statement, innermost last
  std::map<const AstExpr *, std::vector<std::unique_ptr<AstExpr>>> synthesized_; // see copyComprehension
  std::set<ir::LocalId> reportedUnassigned_;
};

// Cleans a docstring like inspect.cleandoc: strips the common indentation and blank edges.
std::string cleanDocstring(const std::string &text);

} // namespace pyvc::frontend
