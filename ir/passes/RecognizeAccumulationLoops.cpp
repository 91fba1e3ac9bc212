// Pass: `for ...: [if c:] acc = acc + e` becomes `acc = sum(e for ... if c; start=acc)` in the
// fixed lane order. See the header for the legality conditions; each is one check below.
#include "ir/passes/RecognizeAccumulationLoops.h"

#include "ir/Visit.h"

#include <algorithm>

namespace pyvc::ir {

namespace {

bool readsLocal(const Expr *expr, LocalId local) {
  bool reads = false;
  walkExpr(expr, [&](const Expr &node) {
    if (auto *ref = node.as<LocalRefExpr>(); ref && ref->local == local)
      reads = true;
  });
  return reads;
}

// The pieces of a loop that matched the accumulation shape.
struct Accumulation {
  LocalId accumulator;
  Expr *addend;
  Expr *condition; // nullptr without a filter
};

bool matchAccumulate(const Function &function, const Stmt *stmt, Accumulation &match) {
  auto *assign = stmt ? stmt->as<AssignStmt>() : nullptr;
  if (!assign || assign->target >= function.locals.size() ||
      !function.locals[assign->target].type.isFloat())
    return false;
  auto *add = assign->value ? assign->value->as<BinaryExpr>() : nullptr;
  if (!add || add->op != BinaryOp::Add || !add->type.isFloat() || !add->lhs || !add->rhs)
    return false;
  auto *lhs = add->lhs->as<LocalRefExpr>();
  if (!lhs || lhs->local != assign->target || readsLocal(add->rhs, assign->target))
    return false;
  match.accumulator = assign->target;
  match.addend = add->rhs;
  return true;
}

bool matchLoop(const Function &function, const ForStmt &loop, Accumulation &match) {
  if (loop.body.size() != 1 || !loop.body[0])
    return false;
  const Stmt *only = loop.body[0];
  match.condition = nullptr;
  if (auto *ifStmt = only->as<IfStmt>()) {
    if (!ifStmt->elseBody.empty() || ifStmt->thenBody.size() != 1 || !ifStmt->condition)
      return false;
    match.condition = ifStmt->condition;
    only = ifStmt->thenBody[0];
  }
  if (!matchAccumulate(function, only, match))
    return false;
  if (match.condition && readsLocal(match.condition, match.accumulator))
    return false;
  const auto &targets = loop.space.targets;
  if (std::find(targets.begin(), targets.end(), match.accumulator) != targets.end())
    return false;
  bool spaceReadsAccumulator = false;
  forEachSpaceSlot(const_cast<IterationSpace &>(loop.space), [&](Expr *&slot) {
    spaceReadsAccumulator |= readsLocal(slot, match.accumulator);
  });
  return !spaceReadsAccumulator;
}

// How often each local is mentioned (read, assigned, iterated) anywhere in a function.
void countMentions(Block &block, std::vector<int> &mentions) {
  walkBlock(
      block,
      [&](Stmt &stmt) {
        if (auto *assign = stmt.as<AssignStmt>(); assign && assign->target < mentions.size())
          ++mentions[assign->target];
        if (auto *forStmt = stmt.as<ForStmt>())
          for (LocalId target : forStmt->space.targets)
            if (target < mentions.size())
              ++mentions[target];
      },
      [&](Expr &expr) {
        if (auto *ref = expr.as<LocalRefExpr>(); ref && ref->local < mentions.size())
          ++mentions[ref->local];
        if (auto *comprehension = expr.as<ComprehensionExpr>())
          for (const Generator &generator : comprehension->generators)
            for (LocalId target : generator.space.targets)
              if (target < mentions.size())
                ++mentions[target];
      });
}

class AccumulationRewriter {
public:
  AccumulationRewriter(Module &module, Function &function) : module_(module), function_(function) {
    std::vector<int> mentions(function.locals.size(), 0);
    countMentions(function.body, mentions);
    mentions_ = std::move(mentions);
  }

  int rewrite(Block &block) {
    int rewritten = 0;
    for (Stmt *&stmt : block) {
      if (!stmt)
        continue;
      if (auto *loop = stmt->as<ForStmt>()) {
        Accumulation match;
        if (matchLoop(function_, *loop, match) && targetsOnlyUsedInside(*loop)) {
          stmt = makeSum(*loop, match);
          ++rewritten;
          continue;
        }
      }
      forEachNestedBlock(*stmt, [&](Block &nested) { rewritten += rewrite(nested); });
    }
    return rewritten;
  }

private:
  // A comprehension's targets are not visible after it: the loop's must not be read elsewhere.
  bool targetsOnlyUsedInside(ForStmt &loop) {
    std::vector<int> inside(function_.locals.size(), 0);
    for (LocalId target : loop.space.targets)
      if (target < inside.size())
        ++inside[target];
    countMentions(loop.body, inside);
    for (LocalId target : loop.space.targets)
      if (target >= inside.size() || inside[target] != mentions_[target])
        return false;
    return true;
  }

  Stmt *makeSum(ForStmt &loop, const Accumulation &match) {
    auto *sum = module_.make<ComprehensionExpr>(Type::floating(), loop.span, ComprehensionKind::Sum);
    Generator generator;
    generator.space = loop.space;
    if (match.condition)
      generator.conditions.push_back(match.condition);
    sum->generators.push_back(std::move(generator));
    sum->element = match.addend;
    sum->start = module_.make<LocalRefExpr>(Type::floating(), loop.span, match.accumulator);
    sum->order = ReductionOrder::FixedLanes;
    return module_.make<AssignStmt>(loop.span, match.accumulator, sum);
  }

  Module &module_;
  Function &function_;
  std::vector<int> mentions_;
};

} // namespace

int recognizeAccumulationLoops(Module &module, bool strictFp) {
  if (strictFp)
    return 0;
  int rewritten = 0;
  for (Function &function : module.functions)
    rewritten += AccumulationRewriter(module, function).rewrite(function.body);
  return rewritten;
}

} // namespace pyvc::ir
