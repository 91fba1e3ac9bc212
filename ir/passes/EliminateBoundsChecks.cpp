// Pass: prove subscripts in [0, len) from the loop that produces the index. See the header for
// the legality conditions.
#include "ir/passes/EliminateBoundsChecks.h"

#include "ir/Visit.h"

#include <map>
#include <optional>

namespace pyvc::ir {

namespace {

std::optional<int64_t> intConstant(const Expr *expr) {
  auto *constant = expr ? expr->as<ConstantExpr>() : nullptr;
  if (!constant || !expr->type.isInt())
    return std::nullopt;
  return constant->intValue;
}

std::optional<LocalId> localOf(const Expr *expr) {
  auto *ref = expr ? expr->as<LocalRefExpr>() : nullptr;
  return ref ? std::optional<LocalId>(ref->local) : std::nullopt;
}

// The lists whose length bounds `stop` from above: len(xs), or min(len(xs), len(ys), ...).
std::vector<LocalId> listsBoundingStop(const Expr *stop) {
  std::vector<LocalId> lists;
  auto addLength = [&](const Expr *expr) {
    auto *length = expr ? expr->as<ListLengthExpr>() : nullptr;
    if (auto list = length ? localOf(length->list) : std::nullopt)
      lists.push_back(*list);
  };
  if (auto *intrinsic = stop ? stop->as<IntrinsicExpr>() : nullptr) {
    if (intrinsic->op == IntrinsicOp::Min)
      for (const Expr *argument : intrinsic->arguments)
        addLength(argument);
    return lists;
  }
  addLength(stop);
  return lists;
}

// One proven fact: while the loop runs, index local `index` + 0 is in [0, len(list)), and
// index - c stays >= 0 for c <= minimum.
struct IndexFact {
  LocalId index;
  LocalId list;
  int64_t minimum; // the smallest value the index takes
};

std::vector<IndexFact> factsOfSpace(const IterationSpace &space) {
  std::vector<IndexFact> facts;
  if (space.targets.empty())
    return facts;
  if (space.kind == IterationSpace::Kind::Range) {
    auto start = intConstant(space.start);
    auto step = intConstant(space.step);
    if (!start || *start < 0 || !step || *step <= 0)
      return facts;
    for (LocalId list : listsBoundingStop(space.stop))
      facts.push_back({space.targets[0], list, *start});
    return facts;
  }
  if (space.withIndex && intConstant(space.indexStart) == 0 && space.lists.size() == 1)
    if (auto list = localOf(space.lists[0]))
      facts.push_back({space.targets[0], *list, 0});
  return facts;
}

// Does anything in `body` break a fact: assign the index, rebind the list, grow a list of its type?
bool bodyKeepsFact(const Function &function, Block &body, const IndexFact &fact) {
  bool kept = true;
  const Type &listType = function.locals[fact.list].type;
  auto assigns = [&](LocalId target) { return target == fact.index || target == fact.list; };
  walkBlock(
      body,
      [&](Stmt &stmt) {
        if (auto *assign = stmt.as<AssignStmt>(); assign && assigns(assign->target))
          kept = false;
        if (auto *append = stmt.as<AppendStmt>();
            append && append->list < function.locals.size() &&
            function.locals[append->list].type == listType)
          kept = false;
        if (auto *forStmt = stmt.as<ForStmt>())
          for (LocalId target : forStmt->space.targets)
            if (assigns(target))
              kept = false;
      },
      [&](Expr &expr) {
        if (auto *comprehension = expr.as<ComprehensionExpr>())
          for (const Generator &generator : comprehension->generators)
            for (LocalId target : generator.space.targets)
              if (assigns(target))
                kept = false;
      });
  return kept;
}

// Is `index` (an index expression used on `list`) proven by one of the facts?
bool provenByFacts(const std::vector<IndexFact> &facts, const Expr *list, const Expr *index) {
  auto listLocal = localOf(list);
  if (!listLocal || !index)
    return false;
  LocalId indexLocal;
  int64_t offset = 0;
  if (auto local = localOf(index)) {
    indexLocal = *local;
  } else if (auto *sub = index->as<BinaryExpr>(); sub && sub->op == BinaryOp::Sub) {
    auto local = localOf(sub->lhs);
    auto constant = intConstant(sub->rhs);
    if (!local || !constant || *constant < 0)
      return false;
    indexLocal = *local;
    offset = *constant;
  } else {
    return false;
  }
  for (const IndexFact &fact : facts)
    if (fact.index == indexLocal && fact.list == *listLocal && offset <= fact.minimum)
      return true;
  return false;
}

class BoundsCheckEliminator {
public:
  explicit BoundsCheckEliminator(Function &function) : function_(function) {}

  int marked = 0;

  void block(Block &body) {
    for (Stmt *stmt : body)
      if (stmt)
        statement(*stmt);
  }

private:
  void statement(Stmt &stmt) {
    if (auto *store = stmt.as<StoreIndexStmt>(); store && !store->provenInBounds) {
      LocalRefExpr listRef(function_.locals.size() > store->list ? function_.locals[store->list].type
                                                                 : Type::none(),
                           stmt.span, store->list);
      if (provenByFacts(facts_, &listRef, store->index)) {
        store->provenInBounds = true;
        ++marked;
      }
    }
    forEachStmtExprSlot(stmt, [&](Expr *&slot) { expression(slot); });
    auto *loop = stmt.as<ForStmt>();
    if (!loop) {
      forEachNestedBlock(stmt, [&](Block &nested) { block(nested); });
      return;
    }
    size_t outerFacts = facts_.size();
    for (const IndexFact &fact : factsOfSpace(loop->space))
      if (validFact(fact) && bodyKeepsFact(function_, loop->body, fact))
        facts_.push_back(fact);
    block(loop->body);
    facts_.resize(outerFacts);
  }

  // Expressions cannot modify lists, so a generator's facts hold for its conditions, the later
  // generators and the element.
  void expression(Expr *root) {
    walkExpr(root, [&](Expr &expr) {
      if (auto *index = expr.as<IndexExpr>(); index && !index->provenInBounds &&
                                               provenByFacts(facts_, index->list, index->index)) {
        index->provenInBounds = true;
        ++marked;
      }
      auto *comprehension = expr.as<ComprehensionExpr>();
      if (!comprehension)
        return;
      // Facts of this comprehension's ranges apply inside it only; push them for its subtree.
      // walkExpr visits the children after this call, so collect and mark them here directly.
      size_t outerFacts = facts_.size();
      for (const Generator &generator : comprehension->generators)
        for (const IndexFact &fact : factsOfSpace(generator.space))
          if (validFact(fact))
            facts_.push_back(fact);
      if (facts_.size() == outerFacts)
        return;
      for (Generator &generator : comprehension->generators)
        for (Expr *condition : generator.conditions)
          markInside(condition);
      markInside(comprehension->element);
      facts_.resize(outerFacts);
    });
  }

  void markInside(Expr *root) {
    walkExpr(root, [&](Expr &expr) {
      if (auto *index = expr.as<IndexExpr>(); index && !index->provenInBounds &&
                                               provenByFacts(facts_, index->list, index->index)) {
        index->provenInBounds = true;
        ++marked;
      }
    });
  }

  bool validFact(const IndexFact &fact) const {
    return fact.index < function_.locals.size() && fact.list < function_.locals.size() &&
           function_.locals[fact.list].type.isList();
  }

  Function &function_;
  std::vector<IndexFact> facts_;
};

} // namespace

int eliminateBoundsChecks(Module &module) {
  int marked = 0;
  for (Function &function : module.functions) {
    BoundsCheckEliminator eliminator(function);
    eliminator.block(function.body);
    marked += eliminator.marked;
  }
  return marked;
}

} // namespace pyvc::ir
