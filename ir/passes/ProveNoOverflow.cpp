// Pass: prove Int +, - and * cannot overflow from loop bounds, list lengths and counters. See the
// header for the facts used; intervals are computed in 128-bit arithmetic so the bounds
// themselves cannot overflow.
#include "ir/passes/ProveNoOverflow.h"

#include "ir/Visit.h"

#include <algorithm>
#include <map>
#include <optional>

namespace pyvc::ir {

namespace {

using Wide = __int128;
constexpr Wide MaxListLength = Wide(1) << 60; // exclusive: len(xs) < 2^60
constexpr Wide Int64Min = -(Wide(1) << 63);
constexpr Wide Int64Max = (Wide(1) << 63) - 1;

struct Interval {
  Wide low, high;
  bool fitsInt64() const { return low >= Int64Min && high <= Int64Max; }
};

std::optional<int64_t> intConstant(const Expr *expr) {
  auto *constant = expr ? expr->as<ConstantExpr>() : nullptr;
  if (!constant || !expr->type.isInt())
    return std::nullopt;
  return constant->intValue;
}

bool refersTo(const Expr *expr, LocalId local) {
  auto *ref = expr ? expr->as<LocalRefExpr>() : nullptr;
  return ref && ref->local == local;
}

bool readsLocal(const Expr *expr, LocalId local) {
  bool reads = false;
  walkExpr(expr, [&](const Expr &node) { reads |= refersTo(&node, local); });
  return reads;
}

// Is `stop` len(xs), or min(...) with a len(...) among its arguments? Then stop < 2^60.
bool boundedByListLength(const Expr *stop) {
  if (stop && stop->is<ListLengthExpr>())
    return true;
  auto *intrinsic = stop ? stop->as<IntrinsicExpr>() : nullptr;
  if (!intrinsic || intrinsic->op != IntrinsicOp::Min)
    return false;
  return std::any_of(
      intrinsic->arguments.begin(), intrinsic->arguments.end(),
      [](const Expr *argument) { return argument && argument->is<ListLengthExpr>(); });
}

// The values the first target of a loop or generator takes, when they are bounded.
std::optional<Interval> targetRange(const IterationSpace &space) {
  if (space.targets.empty())
    return std::nullopt;
  if (space.kind == IterationSpace::Kind::Sequences) {
    auto start = space.withIndex ? intConstant(space.indexStart) : std::nullopt;
    if (!start)
      return std::nullopt;
    return Interval{*start, Wide(*start) + MaxListLength - 1};
  }
  auto start = intConstant(space.start);
  auto step = intConstant(space.step);
  if (!start || !step || *step == 0)
    return std::nullopt;
  if (*step < 0) // counting down from start towards stop > INT64_MIN
    return Interval{Int64Min + 1, *start};
  if (auto stop = intConstant(space.stop))
    return Interval{*start, std::max<Wide>(*start, Wide(*stop) - 1)};
  Wide highest = boundedByListLength(space.stop) ? MaxListLength - 1 : Int64Max - 1;
  return Interval{*start, std::max<Wide>(*start, highest)};
}

// How many times a loop body can run at most.
std::optional<Wide> tripBound(const IterationSpace &space) {
  if (space.kind == IterationSpace::Kind::Sequences)
    return MaxListLength;
  auto start = intConstant(space.start);
  auto step = intConstant(space.step);
  if (!start || !step || *step <= 0)
    return std::nullopt;
  if (auto stop = intConstant(space.stop))
    return std::max<Wide>(0, Wide(*stop) - *start);
  if (boundedByListLength(space.stop))
    return MaxListLength + std::max<Wide>(0, -Wide(*start));
  return std::nullopt;
}

// Does anything in `stmt` (nested statements and comprehensions included) assign `local`?
bool assignsLocal(Stmt &stmt, LocalId local) {
  bool assigns = false;
  auto targetsOf = [&](const IterationSpace &space) {
    assigns |= std::find(space.targets.begin(), space.targets.end(), local) != space.targets.end();
  };
  Block single{&stmt};
  walkBlock(
      single,
      [&](Stmt &node) {
        if (auto *assign = node.as<AssignStmt>())
          assigns |= assign->target == local;
        if (auto *loop = node.as<ForStmt>())
          targetsOf(loop->space);
      },
      [&](Expr &node) {
        if (auto *comprehension = node.as<ComprehensionExpr>())
          for (const Generator &generator : comprehension->generators)
            targetsOf(generator.space);
      });
  return assigns;
}

bool blockAssignsLocal(Block &body, LocalId local) {
  return std::any_of(body.begin(), body.end(),
                     [&](Stmt *stmt) { return stmt && assignsLocal(*stmt, local); });
}

// One `x = x + e` / `x = x - e` (or its list-element form) found in a loop body.
struct Increment {
  BinaryExpr *update; // the + or - to mark
  Expr *amount;       // e
  bool subtracts;
};

// What the counter rule needs to know about one kind of counter (a local or a list's elements).
struct CounterShape {
  // The increment `stmt` performs on the counter, if it is one.
  std::function<std::optional<Increment>(Stmt &)> match;
  // Could `stmt` change the counter in any other way (it is not an increment)?
  std::function<bool(Stmt &)> touches;
};

class OverflowProver {
public:
  explicit OverflowProver(Function &function) : function_(function) {}

  int marked = 0;

  void block(Block &body) {
    for (size_t position = 0; position < body.size(); ++position)
      if (body[position])
        statement(body, position);
  }

private:
  void statement(Block &enclosing, size_t position) {
    Stmt &stmt = *enclosing[position];
    auto *loop = stmt.as<ForStmt>();
    if (loop) // counters are proven in the scope the loop starts in
      proveCounters(enclosing, position, *loop);
    forEachStmtExprSlot(stmt, [&](Expr *&slot) { expression(slot); });
    if (!loop) {
      forEachNestedBlock(stmt, [&](Block &nested) { block(nested); });
      return;
    }
    std::map<LocalId, Interval> outer = known_;
    if (auto range = targetRange(loop->space);
        range && !blockAssignsLocal(loop->body, loop->space.targets[0]))
      known_[loop->space.targets[0]] = *range;
    block(loop->body);
    known_ = std::move(outer);
  }

  // Marks every provable arithmetic node below `root`; comprehension targets are known inside
  // their own comprehension (expressions cannot assign locals, only nested generators can).
  void expression(Expr *root) {
    walkExpr(root, [&](Expr &expr) {
      if (auto *binary = expr.as<BinaryExpr>())
        interval(binary);
      auto *comprehension = expr.as<ComprehensionExpr>();
      if (!comprehension)
        return;
      std::map<LocalId, Interval> outer = known_;
      bool added = false;
      for (const Generator &generator : comprehension->generators) {
        auto range = targetRange(generator.space);
        if (range && !comprehensionReassigns(*comprehension, generator.space.targets[0])) {
          known_[generator.space.targets[0]] = *range;
          added = true;
        }
      }
      if (!added)
        return;
      for (Generator &generator : comprehension->generators)
        for (Expr *condition : generator.conditions)
          markInside(condition);
      markInside(comprehension->element);
      known_ = std::move(outer);
    });
  }

  void markInside(Expr *root) {
    walkExpr(root, [&](Expr &expr) {
      if (auto *binary = expr.as<BinaryExpr>())
        interval(binary);
    });
  }

  // A target assigned by two generators of one comprehension (or a nested one) is not bounded
  // by either alone.
  static bool comprehensionReassigns(ComprehensionExpr &comprehension, LocalId target) {
    int assignments = 0;
    walkExpr(&comprehension, [&](Expr &node) {
      if (auto *nested = node.as<ComprehensionExpr>())
        for (const Generator &generator : nested->generators)
          assignments += int(
              std::count(generator.space.targets.begin(), generator.space.targets.end(), target));
    });
    return assignments > 1;
  }

  // The values `expr` can take, marking each Int +, -, * found to stay inside int64.
  std::optional<Interval> interval(Expr *expr) {
    if (!expr)
      return std::nullopt;
    if (auto *constant = expr->as<ConstantExpr>();
        constant && (expr->type.isInt() || expr->type.isBool()))
      return Interval{constant->intValue, constant->intValue};
    if (auto *ref = expr->as<LocalRefExpr>()) {
      auto found = known_.find(ref->local);
      return found == known_.end() ? std::nullopt : std::optional<Interval>(found->second);
    }
    if (expr->is<ListLengthExpr>())
      return Interval{0, MaxListLength - 1};
    if (auto *convert = expr->as<ConvertExpr>(); convert && convert->op == ConvertOp::BoolToInt)
      return Interval{0, 1};
    auto *binary = expr->as<BinaryExpr>();
    if (!binary || !binary->type.isInt())
      return std::nullopt;
    auto lhs = interval(binary->lhs);
    auto rhs = interval(binary->rhs);
    if (!lhs || !rhs)
      return std::nullopt;
    std::optional<Interval> result;
    switch (binary->op) {
    case BinaryOp::Add:
      result = Interval{lhs->low + rhs->low, lhs->high + rhs->high};
      break;
    case BinaryOp::Sub:
      result = Interval{lhs->low - rhs->high, lhs->high - rhs->low};
      break;
    case BinaryOp::Mul: {
      // Operands are inside int64 here, so each product fits in 127 bits.
      Wide corners[] = {lhs->low * rhs->low, lhs->low * rhs->high, lhs->high * rhs->low,
                        lhs->high * rhs->high};
      result = Interval{*std::min_element(std::begin(corners), std::end(corners)),
                        *std::max_element(std::begin(corners), std::end(corners))};
      break;
    }
    default:
      return std::nullopt;
    }
    if (!result->fitsInt64())
      return std::nullopt;
    if (!binary->provenNoOverflow) {
      binary->provenNoOverflow = true;
      ++marked;
    }
    return result;
  }

  // The bounded change of a counter over one pass through `body`: prefix sums of the increments
  // on any path stay inside [low, high] (an if contributes its wider branch on each side).
  std::optional<Interval> changePerIteration(Block &body, const CounterShape &shape,
                                             std::vector<Increment> &increments) {
    Interval change{0, 0};
    for (Stmt *stmt : body) {
      if (!stmt)
        continue;
      if (auto increment = shape.match(*stmt)) {
        auto amount = interval(increment->amount);
        if (!amount)
          return std::nullopt;
        Interval delta = increment->subtracts ? Interval{-amount->high, -amount->low} : *amount;
        change.low += std::min<Wide>(0, delta.low);
        change.high += std::max<Wide>(0, delta.high);
        increments.push_back(*increment);
        continue;
      }
      if (auto *ifStmt = stmt->as<IfStmt>()) {
        auto thenChange = changePerIteration(ifStmt->thenBody, shape, increments);
        auto elseChange = changePerIteration(ifStmt->elseBody, shape, increments);
        if (!thenChange || !elseChange)
          return std::nullopt;
        change.low += std::min(thenChange->low, elseChange->low);
        change.high += std::max(thenChange->high, elseChange->high);
        continue;
      }
      if (shape.touches(*stmt))
        return std::nullopt;
    }
    if (change.high - change.low > MaxListLength) // keeps trips * change far from 128 bits
      return std::nullopt;
    return change;
  }

  // Counter rule, for every local and every fresh list initialised earlier in `enclosing`.
  void proveCounters(Block &enclosing, size_t loopPosition, ForStmt &loop) {
    auto trips = tripBound(loop.space);
    if (!trips)
      return;
    for (size_t earlier = loopPosition; earlier-- > 0;) {
      auto *init = enclosing[earlier] ? enclosing[earlier]->as<AssignStmt>() : nullptr;
      if (!init || init->target >= function_.locals.size())
        continue;
      LocalId counter = init->target;
      if (!untouchedBetween(enclosing, earlier, loopPosition, counter))
        continue;
      const Type &type = function_.locals[counter].type;
      if (type.isInt())
        proveLocalCounter(loop, counter, init->value, *trips);
      else if (type.isList() && type.element().isInt())
        proveElementCounter(enclosing, earlier, loopPosition, loop, counter, init->value, *trips);
    }
  }

  // Is `init` (at `earlier`) the last assignment to `counter` before the loop?
  bool untouchedBetween(Block &enclosing, size_t earlier, size_t loopPosition, LocalId counter) {
    for (size_t between = earlier + 1; between < loopPosition; ++between)
      if (enclosing[between] && assignsLocal(*enclosing[between], counter))
        return false;
    return true;
  }

  void proveLocalCounter(ForStmt &loop, LocalId counter, Expr *initValue, Wide trips) {
    auto start = interval(initValue);
    if (!start || std::find(loop.space.targets.begin(), loop.space.targets.end(), counter) !=
                      loop.space.targets.end())
      return;
    CounterShape shape;
    shape.match = [&](Stmt &stmt) -> std::optional<Increment> {
      auto *assign = stmt.as<AssignStmt>();
      if (!assign || assign->target != counter)
        return std::nullopt;
      return matchUpdate(
          assign->value, [&](Expr *operand) { return refersTo(operand, counter); }, counter);
    };
    shape.touches = [&](Stmt &stmt) { return assignsLocal(stmt, counter); };
    markIfBounded(loop, shape, *start, trips);
  }

  // `w[k] = w[k] + e` where w is a fresh list whose elements start bounded.
  void proveElementCounter(Block &enclosing, size_t earlier, size_t loopPosition, ForStmt &loop,
                           LocalId list, Expr *initValue, Wide trips) {
    auto start = freshListElements(initValue);
    if (!start || !onlyIndexedBetween(enclosing, earlier + 1, loopPosition + 1, list))
      return;
    CounterShape shape;
    shape.match = [&](Stmt &stmt) -> std::optional<Increment> {
      auto *store = stmt.as<StoreIndexStmt>();
      auto *index = store ? store->index->as<LocalRefExpr>() : nullptr;
      if (!store || store->list != list || !index)
        return std::nullopt;
      auto sameElement = [&](Expr *operand) {
        auto *read = operand ? operand->as<IndexExpr>() : nullptr;
        return read && refersTo(read->list, list) && refersTo(read->index, index->local);
      };
      return matchUpdate(store->value, sameElement, list);
    };
    shape.touches = [&](Stmt &stmt) {
      bool touches = false;
      Block single{&stmt};
      walkBlock(
          single,
          [&](Stmt &node) {
            if (auto *store = node.as<StoreIndexStmt>())
              touches |= store->list == list;
            if (auto *append = node.as<AppendStmt>())
              touches |= append->list == list;
          },
          [](Expr &) {});
      return touches || assignsLocal(stmt, list);
    };
    // A store between the initialisation and the loop could already have raised an element.
    for (size_t between = earlier + 1; between < loopPosition; ++between)
      if (enclosing[between] && shape.touches(*enclosing[between]))
        return;
    markIfBounded(loop, shape, *start, trips);
  }

  // `x + e`, `e + x` or `x - e`, where isCounter(x) and e does not read the counter.
  static std::optional<Increment>
  matchUpdate(Expr *value, const std::function<bool(Expr *)> &isCounter, LocalId counter) {
    auto *update = value ? value->as<BinaryExpr>() : nullptr;
    if (!update || !update->type.isInt() ||
        (update->op != BinaryOp::Add && update->op != BinaryOp::Sub))
      return std::nullopt;
    Expr *amount = nullptr;
    if (isCounter(update->lhs))
      amount = update->rhs;
    else if (update->op == BinaryOp::Add && isCounter(update->rhs))
      amount = update->lhs;
    if (!amount || readsLocal(amount, counter))
      return std::nullopt;
    return Increment{update, amount, update->op == BinaryOp::Sub};
  }

  void markIfBounded(ForStmt &loop, const CounterShape &shape, Interval start, Wide trips) {
    // The loop target's facts hold inside the body, where the increments are evaluated.
    std::map<LocalId, Interval> outer = known_;
    if (auto range = targetRange(loop.space);
        range && !blockAssignsLocal(loop.body, loop.space.targets[0]))
      known_[loop.space.targets[0]] = *range;
    std::vector<Increment> increments;
    auto change = changePerIteration(loop.body, shape, increments);
    known_ = std::move(outer);
    if (!change || increments.empty())
      return;
    Interval reachable{start.low + trips * change->low, start.high + trips * change->high};
    if (!reachable.fitsInt64())
      return;
    for (const Increment &increment : increments)
      if (!increment.update->provenNoOverflow) {
        increment.update->provenNoOverflow = true;
        ++marked;
      }
  }

  // The elements of `[c, ...] * n` or `[c, ...]` with constant elements.
  std::optional<Interval> freshListElements(Expr *value) {
    if (auto *repeat = value ? value->as<ListRepeatExpr>() : nullptr)
      value = repeat->list;
    auto *literal = value ? value->as<ListLiteralExpr>() : nullptr;
    if (!literal || literal->elements.empty())
      return std::nullopt;
    std::optional<Interval> hull;
    for (Expr *element : literal->elements) {
      auto constant = intConstant(element);
      if (!constant)
        return std::nullopt;
      hull = hull ? Interval{std::min<Wide>(hull->low, *constant),
                             std::max<Wide>(hull->high, *constant)}
                  : Interval{*constant, *constant};
    }
    return hull;
  }

  // In statements [from, to) of `enclosing`, is the list only read through w[...], len(w) and
  // `for ... in w`? Then no other local aliases it, so only stores naming w can change it.
  bool onlyIndexedBetween(Block &enclosing, size_t from, size_t to, LocalId list) {
    int references = 0, harmless = 0;
    for (size_t position = from; position < to; ++position) {
      if (!enclosing[position])
        continue;
      Block single{enclosing[position]};
      walkBlock(
          single,
          [&](Stmt &stmt) {
            if (auto *loop = stmt.as<ForStmt>())
              for (Expr *iterated : loop->space.lists)
                harmless += refersTo(iterated, list);
          },
          [&](Expr &expr) {
            references += refersTo(&expr, list);
            if (auto *index = expr.as<IndexExpr>())
              harmless += refersTo(index->list, list);
            if (auto *length = expr.as<ListLengthExpr>())
              harmless += refersTo(length->list, list);
            if (auto *comprehension = expr.as<ComprehensionExpr>())
              for (const Generator &generator : comprehension->generators)
                for (Expr *iterated : generator.space.lists)
                  harmless += refersTo(iterated, list);
          });
    }
    return references == harmless;
  }

  Function &function_;
  std::map<LocalId, Interval> known_; // bounded locals in the current scope (loop targets)
};

} // namespace

int proveNoOverflow(Module &module) {
  int marked = 0;
  for (Function &function : module.functions) {
    OverflowProver prover(function);
    prover.block(function.body);
    marked += prover.marked;
  }
  return marked;
}

} // namespace pyvc::ir
