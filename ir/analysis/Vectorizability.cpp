// Vectorizability: for each loop and comprehension, the first reason (in a fixed order of
// severity) that keeps it scalar, or why it can go wide. LLVM vectorizes innermost loops that
// have a computable trip count, no exits but the latch, no calls it cannot widen, and no
// loop-carried dependences except reductions it may reassociate, which pyvc never allows for floats.
#include "ir/analysis/Vectorizability.h"

#include "ir/Printer.h"
#include "ir/Visit.h"
#include "ir/analysis/PossibleErrors.h"

#include <set>

namespace pyvc::ir {

namespace {

// The first obstacle found among the expressions of a loop body, or "" when there is none.
struct BodyFacts {
  std::string firstCall;      // name of the first function called
  std::string firstError;     // the first error a node can raise, with what raises it
  bool hasInnerLoop = false;
  bool hasEarlyExit = false;  // break or return
  std::string earlyExitWord;
  std::string appendedList;
  std::set<LocalId> assigned; // locals assigned in the body
  int provenNoOverflow = 0;   // int +, -, * whose overflow check analysis removed
  int provenInBounds = 0;     // subscripts whose IndexError check analysis removed
};

// What the check-eliminating passes proved in a loop, for the verdict: " (proven: ...)".
std::string provenFacts(const BodyFacts &facts) {
  std::string text;
  auto add = [&](int count, const char *one, const char *several) {
    if (count)
      text += (text.empty() ? "" : ", ") + std::to_string(count) + " " + (count > 1 ? several : one);
  };
  add(facts.provenNoOverflow, "int operation that cannot overflow", "int operations that cannot overflow");
  add(facts.provenInBounds, "subscript in bounds", "subscripts in bounds");
  return text.empty() ? "" : " (proven: " + text + ")";
}

class LoopAnalyzer {
public:
  LoopAnalyzer(const Module &module, const Function &function, std::vector<LoopVerdict> &out)
      : module_(module), function_(function), out_(out) {}

  void block(const Block &block);

private:
  void stmt(const Stmt &stmt);
  void exprTree(const Expr *expr);
  void forLoop(const ForStmt &loop);
  void whileLoop(const WhileStmt &loop);
  void comprehension(const ComprehensionExpr &comprehension);
  void noteExpr(const Expr &expr, BodyFacts &facts) const;
  void collectBody(const Block &body, BodyFacts &facts, int depth) const;
  std::string localName(LocalId id) const {
    return id < function_.locals.size() ? function_.locals[id].name : "?";
  }
  std::string spaceDescription(const IterationSpace &space) const;

  const Module &module_;
  const Function &function_;
  std::vector<LoopVerdict> &out_;
};

std::string LoopAnalyzer::spaceDescription(const IterationSpace &space) const {
  if (space.kind == IterationSpace::Kind::Range)
    return "range";
  std::string text;
  for (const Expr *list : space.lists) {
    auto *ref = list ? list->as<LocalRefExpr>() : nullptr;
    text += (text.empty() ? "" : ", ") + (ref ? localName(ref->local) : std::string("a list"));
  }
  if (space.lists.size() > 1)
    text = "zip(" + text + ")";
  return space.withIndex ? "enumerate(" + text + ")" : text;
}

void LoopAnalyzer::noteExpr(const Expr &expr, BodyFacts &facts) const {
  if (auto *call = expr.as<CallExpr>(); call && facts.firstCall.empty())
    facts.firstCall = call->callee < module_.functions.size()
                          ? module_.functions[call->callee].name
                          : "?";
  if (expr.is<ComprehensionExpr>())
    facts.hasInnerLoop = true;
  if (auto *binary = expr.as<BinaryExpr>(); binary && binary->provenNoOverflow)
    ++facts.provenNoOverflow;
  if (auto *index = expr.as<IndexExpr>(); index && index->provenInBounds)
    ++facts.provenInBounds;
  if (facts.firstError.empty()) {
    std::vector<ErrorKind> errors = errorsOfExpr(expr);
    if (!errors.empty())
      facts.firstError = std::string(errorKindName(errors.front())) + " check";
  }
}

void LoopAnalyzer::collectBody(const Block &body, BodyFacts &facts, int depth) const {
  for (const Stmt *statement : body) {
    if (!statement)
      continue;
    if (statement->is<BreakStmt>() && depth == 0) {
      facts.hasEarlyExit = true;
      facts.earlyExitWord = facts.earlyExitWord.empty() ? "break" : facts.earlyExitWord;
    }
    if (statement->is<ReturnStmt>() || statement->is<RaiseStmt>()) {
      facts.hasEarlyExit = true;
      facts.earlyExitWord = facts.earlyExitWord.empty() ? (statement->is<RaiseStmt>() ? "raise" : "return")
                                                        : facts.earlyExitWord;
    }
    if (statement->is<ForStmt>() || statement->is<WhileStmt>())
      facts.hasInnerLoop = true;
    if (auto *append = statement->as<AppendStmt>(); append && facts.appendedList.empty())
      facts.appendedList = localName(append->list);
    if (auto *assign = statement->as<AssignStmt>())
      facts.assigned.insert(assign->target);
    if (auto *store = statement->as<StoreIndexStmt>(); store && store->provenInBounds)
      ++facts.provenInBounds;
    if (facts.firstError.empty()) {
      std::vector<ErrorKind> errors = errorsOfStmt(*statement);
      if (!errors.empty() && !statement->is<AppendStmt>())
        facts.firstError = std::string(errorKindName(errors.front())) + " check";
    }
    Stmt &mutableStmt = const_cast<Stmt &>(*statement);
    forEachStmtExprSlot(mutableStmt, [&](Expr *&slot) {
      walkExpr(static_cast<const Expr *>(slot), [&](const Expr &expr) { noteExpr(expr, facts); });
    });
    bool isLoop = statement->is<ForStmt>() || statement->is<WhileStmt>();
    forEachNestedBlock(mutableStmt,
                       [&](Block &nested) { collectBody(nested, facts, depth + (isLoop ? 1 : 0)); });
  }
}

// The loop-carried float accumulations: `acc = acc <op> ...` where acc is a Float local.
std::string sequentialFloatAccumulator(const Function &function, const Block &body) {
  std::string found;
  walkBlock(
      body,
      [&](const Stmt &stmt) {
        auto *assign = stmt.as<AssignStmt>();
        if (!found.empty() || !assign || assign->target >= function.locals.size() ||
            !function.locals[assign->target].type.isFloat())
          return;
        bool readsItself = false;
        walkExpr(static_cast<const Expr *>(assign->value), [&](const Expr &expr) {
          if (auto *ref = expr.as<LocalRefExpr>(); ref && ref->local == assign->target)
            readsItself = true;
        });
        if (readsItself)
          found = function.locals[assign->target].name;
      },
      [](const Expr &) {});
  return found;
}

void LoopAnalyzer::forLoop(const ForStmt &loop) {
  BodyFacts facts;
  collectBody(loop.body, facts, 0);
  LoopVerdict verdict{LoopKind::For, loop.span, "for loop over " + spaceDescription(loop.space),
                      false, false, ""};
  std::string accumulator = sequentialFloatAccumulator(function_, loop.body);
  if (facts.hasInnerLoop)
    verdict.reason = "contains an inner loop (only innermost loops are vectorized)";
  else if (facts.hasEarlyExit)
    verdict.reason = "early exit (" + facts.earlyExitWord + ") in the body";
  else if (!facts.firstCall.empty())
    verdict.reason = "calls `" + facts.firstCall + "` in the body";
  else if (!facts.appendedList.empty())
    verdict.reason = "appends to `" + facts.appendedList + "` in the body";
  else if (!facts.firstError.empty())
    verdict.reason = "the body can raise (" + facts.firstError + " is an exit)";
  else if (!accumulator.empty())
    verdict.reason = "sequential float accumulation into `" + accumulator +
                     "` (CPython's order; not an accumulation loop pyvc can rewrite)";
  else if (loop.space.kind == IterationSpace::Kind::Range && !loop.space.step->is<ConstantExpr>())
    verdict.reason = "range step is not a constant";
  else {
    verdict.vectorizable = true;
    verdict.reason = "no exits, calls, appends or checks in the body";
  }
  verdict.description += provenFacts(facts);
  out_.push_back(verdict);
  block(loop.body);
}

void LoopAnalyzer::whileLoop(const WhileStmt &loop) {
  out_.push_back({LoopKind::While, loop.span, "while loop", false, false,
                  "while loop: the trip count is unknown before the loop"});
  block(loop.body);
}

void LoopAnalyzer::comprehension(const ComprehensionExpr &comprehension) {
  std::string kind = comprehensionKindName(comprehension.comprehensionKind);
  LoopVerdict verdict{LoopKind::Comprehension, comprehension.span, "", false, false, ""};
  const IterationSpace &space = comprehension.generators.empty()
                                    ? IterationSpace{}
                                    : comprehension.generators.front().space;
  verdict.description = (comprehension.comprehensionKind == ComprehensionKind::List
                             ? std::string("list comprehension")
                             : kind + "(...)") +
                        " over " + spaceDescription(space);
  BodyFacts facts;
  bool filtered = false;
  for (const Generator &generator : comprehension.generators)
    for (const Expr *condition : generator.conditions) {
      filtered = true;
      walkExpr(condition, [&](const Expr &expr) { noteExpr(expr, facts); });
    }
  walkExpr(static_cast<const Expr *>(comprehension.element),
           [&](const Expr &expr) { noteExpr(expr, facts); });
  bool isFloat = comprehension.type.isFloat();
  switch (comprehension.comprehensionKind) {
  case ComprehensionKind::Any:
  case ComprehensionKind::All:
    verdict.reason = kind + "() stops at the first " +
                     (comprehension.comprehensionKind == ComprehensionKind::Any ? "true" : "false") +
                     " element (early exit)";
    break;
  default:
    if (comprehension.generators.size() > 1)
      verdict.reason = "nested generators (only the innermost loop may vectorize)";
    else if (facts.hasInnerLoop)
      verdict.reason = "contains an inner comprehension";
    else if (!facts.firstCall.empty())
      verdict.reason = "calls `" + facts.firstCall + "` for each element";
    else if (!facts.firstError.empty())
      verdict.reason = "an element can raise (" + facts.firstError + " is an exit)";
    else if (comprehension.comprehensionKind == ComprehensionKind::Sum && isFloat &&
             comprehension.order == ReductionOrder::Sequential)
      verdict.reason = "float sum in CPython's sequential order (--strict-fp)";
    else if (comprehension.comprehensionKind == ComprehensionKind::Sum && isFloat) {
      verdict.vectorizable = verdict.vectorizedByConstruction = true;
      verdict.reason = "float sum in the fixed lane order (16 partial sums)";
    } else if (comprehension.comprehensionKind == ComprehensionKind::Sum && comprehension.type.isInt())
      verdict.reason = "int sum: each addition is checked for OverflowError";
    else if ((comprehension.comprehensionKind == ComprehensionKind::Min ||
              comprehension.comprehensionKind == ComprehensionKind::Max) && isFloat)
      verdict.reason = kind + "() of floats keeps Python's first-wins order for NaN and -0.0";
    else if (comprehension.comprehensionKind == ComprehensionKind::List && filtered)
      verdict.reason = "the filter makes each output position depend on earlier elements";
    else {
      verdict.vectorizable = true;
      verdict.reason = "no exits, calls or checks per element";
    }
  }
  verdict.description += provenFacts(facts);
  out_.push_back(verdict);
}

void LoopAnalyzer::exprTree(const Expr *expr) {
  walkExpr(expr, [&](const Expr &node) {
    if (auto *comprehensionExpr = node.as<ComprehensionExpr>())
      comprehension(*comprehensionExpr);
  });
}

void LoopAnalyzer::stmt(const Stmt &statement) {
  Stmt &mutableStmt = const_cast<Stmt &>(statement);
  forEachStmtExprSlot(mutableStmt, [&](Expr *&slot) { exprTree(slot); });
  if (auto *forStmt = statement.as<ForStmt>())
    return forLoop(*forStmt);
  if (auto *whileStmt = statement.as<WhileStmt>())
    return whileLoop(*whileStmt);
  forEachNestedBlock(mutableStmt, [&](Block &nested) { block(nested); });
}

void LoopAnalyzer::block(const Block &body) {
  for (const Stmt *statement : body)
    if (statement)
      stmt(*statement);
}

} // namespace

std::vector<FunctionVectorization> analyzeVectorizability(const Module &module) {
  std::vector<FunctionVectorization> result;
  for (uint32_t i = 0; i < module.functions.size(); ++i) {
    FunctionVectorization entry{i, {}};
    LoopAnalyzer(module, module.functions[i], entry.loops).block(module.functions[i].body);
    result.push_back(std::move(entry));
  }
  return result;
}

} // namespace pyvc::ir
