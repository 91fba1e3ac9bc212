// The IR printer: one function per node family, writing Python-like text into a string.
// Output must stay stable (golden tests compare it), so numbers print in a fixed format.
#include "ir/Printer.h"
#include "pyvc/kernel_abi.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pyvc::ir {

const char *errorKindName(ErrorKind kind) {
  // ErrorKind values are kernel_abi.h's status codes, which name their exceptions.
  const char *name = pyvc_status_name(static_cast<pyvc_status>(kind));
  return name ? name : "UnknownError";
}

const char *classificationName(Classification kind) {
  return kind == Classification::Kernel ? "kernel" : "scalar";
}

const char *binaryOpSymbol(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add: return "+";
  case BinaryOp::Sub: return "-";
  case BinaryOp::Mul: return "*";
  case BinaryOp::TrueDiv: return "/";
  case BinaryOp::FloorDiv: return "//";
  case BinaryOp::Mod: return "%";
  case BinaryOp::Pow: return "**";
  case BinaryOp::BitAnd: return "&";
  case BinaryOp::BitOr: return "|";
  case BinaryOp::BitXor: return "^";
  case BinaryOp::LShift: return "<<";
  case BinaryOp::RShift: return ">>";
  }
  return "?";
}

const char *compareOpSymbol(CompareOp op) {
  switch (op) {
  case CompareOp::Lt: return "<";
  case CompareOp::Le: return "<=";
  case CompareOp::Gt: return ">";
  case CompareOp::Ge: return ">=";
  case CompareOp::Eq: return "==";
  case CompareOp::Ne: return "!=";
  }
  return "?";
}

const char *intrinsicName(IntrinsicOp op) {
  switch (op) {
  case IntrinsicOp::Sqrt: return "math.sqrt";
  case IntrinsicOp::Exp: return "math.exp";
  case IntrinsicOp::Log: return "math.log";
  case IntrinsicOp::Log2: return "math.log2";
  case IntrinsicOp::Log10: return "math.log10";
  case IntrinsicOp::Sin: return "math.sin";
  case IntrinsicOp::Cos: return "math.cos";
  case IntrinsicOp::Tan: return "math.tan";
  case IntrinsicOp::Fabs: return "math.fabs";
  case IntrinsicOp::LogBase: return "math.log";
  case IntrinsicOp::Atan2: return "math.atan2";
  case IntrinsicOp::Hypot: return "math.hypot";
  case IntrinsicOp::MathPow: return "math.pow";
  case IntrinsicOp::Floor: return "math.floor";
  case IntrinsicOp::Ceil: return "math.ceil";
  case IntrinsicOp::IsNan: return "math.isnan";
  case IntrinsicOp::IsInf: return "math.isinf";
  case IntrinsicOp::IsFinite: return "math.isfinite";
  case IntrinsicOp::Abs: return "abs";
  case IntrinsicOp::Min: return "min";
  case IntrinsicOp::Max: return "max";
  case IntrinsicOp::Round: return "round";
  }
  return "?";
}

const char *comprehensionKindName(ComprehensionKind kind) {
  switch (kind) {
  case ComprehensionKind::List: return "list";
  case ComprehensionKind::Sum: return "sum";
  case ComprehensionKind::Min: return "min";
  case ComprehensionKind::Max: return "max";
  case ComprehensionKind::Any: return "any";
  case ComprehensionKind::All: return "all";
  }
  return "?";
}

namespace {

const char *convertName(ConvertOp op) {
  switch (op) {
  case ConvertOp::BoolToInt: return "bool_to_int";
  case ConvertOp::BoolToFloat: return "bool_to_float";
  case ConvertOp::IntToFloat: return "int_to_float";
  case ConvertOp::FloatToInt: return "float_to_int";
  case ConvertOp::Truth: return "truth";
  case ConvertOp::ListTruth: return "list_truth";
  }
  return "?";
}

// Shortest text that reads back as the same double, always with a '.', 'e', or a special name.
std::string formatFloat(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  std::string text = buffer;
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return text;
}

class FunctionPrinter {
public:
  FunctionPrinter(const Module &module, const Function &function)
      : module_(module), function_(function) {}

  std::string local(LocalId id) const {
    std::string name = id < function_.locals.size() ? function_.locals[id].name : "<bad local>";
    return name + "#" + std::to_string(id);
  }

  std::string expr(const Expr *expr) const;
  std::string space(const IterationSpace &space) const;
  void block(const Block &block, int depth, std::string &out) const;
  void stmt(const Stmt &stmt, int depth, std::string &out) const;
  std::string header() const;

private:
  std::string list(const std::vector<Expr *> &exprs) const {
    std::string text;
    for (size_t i = 0; i < exprs.size(); ++i)
      text += (i ? ", " : "") + expr(exprs[i]);
    return text;
  }
  std::string targets(const std::vector<LocalId> &ids) const {
    std::string text;
    for (size_t i = 0; i < ids.size(); ++i)
      text += (i ? ", " : "") + local(ids[i]);
    return text;
  }
  std::string comprehension(const ComprehensionExpr &comprehension) const;

  const Module &module_;
  const Function &function_;
};

std::string FunctionPrinter::space(const IterationSpace &space) const {
  std::string text = targets(space.targets) + " in ";
  if (space.kind == IterationSpace::Kind::Range)
    return text + "range(" + expr(space.start) + ", " + expr(space.stop) + ", " +
           expr(space.step) + ")";
  std::string lists = list(space.lists);
  if (space.lists.size() > 1)
    lists = "zip(" + lists + ")";
  if (space.withIndex)
    lists = "enumerate(" + lists + ", " + expr(space.indexStart) + ")";
  return text + lists;
}

std::string FunctionPrinter::comprehension(const ComprehensionExpr &comprehension) const {
  std::string body = expr(comprehension.element);
  for (const Generator &generator : comprehension.generators) {
    body += " for " + space(generator.space);
    for (const Expr *condition : generator.conditions)
      body += " if " + expr(condition);
  }
  if (comprehension.comprehensionKind == ComprehensionKind::List)
    return "[" + body + "]";
  std::string name = comprehensionKindName(comprehension.comprehensionKind);
  if (comprehension.comprehensionKind == ComprehensionKind::Sum) {
    name += comprehension.order == ReductionOrder::FixedLanes ? "[fixed_lanes]" : "[sequential]";
    return name + "(" + body + "; start=" + expr(comprehension.start) + ")";
  }
  return name + "(" + body + ")";
}

std::string FunctionPrinter::expr(const Expr *node) const {
  if (!node)
    return "<null>";
  switch (node->kind) {
  case ExprKind::Constant: {
    auto *constant = node->as<ConstantExpr>();
    if (node->type.isBool())
      return constant->intValue ? "True" : "False";
    if (node->type.isFloat())
      return formatFloat(constant->floatValue);
    return std::to_string(constant->intValue);
  }
  case ExprKind::LocalRef:
    return local(node->as<LocalRefExpr>()->local);
  case ExprKind::Unary: {
    auto *unary = node->as<UnaryExpr>();
    const char *op = unary->op == UnaryOp::Neg      ? "-"
                     : unary->op == UnaryOp::Pos    ? "+"
                     : unary->op == UnaryOp::Invert ? "~"
                                                    : "not ";
    return "(" + std::string(op) + expr(unary->operand) + ")";
  }
  case ExprKind::Binary: {
    auto *binary = node->as<BinaryExpr>();
    return "(" + expr(binary->lhs) + " " + binaryOpSymbol(binary->op) + " " + expr(binary->rhs) +
           (binary->provenNoOverflow ? " nooverflow" : "") + ")";
  }
  case ExprKind::CompareChain: {
    auto *chain = node->as<CompareChainExpr>();
    std::string text = "(";
    for (size_t i = 0; i < chain->operands.size(); ++i) {
      text += expr(chain->operands[i]);
      if (i < chain->ops.size())
        text += std::string(" ") + compareOpSymbol(chain->ops[i]) + " ";
    }
    return text + ")";
  }
  case ExprKind::Logical: {
    auto *logical = node->as<LogicalExpr>();
    return "(" + expr(logical->lhs) + (logical->op == LogicalOp::And ? " and " : " or ") +
           expr(logical->rhs) + ")";
  }
  case ExprKind::Select: {
    auto *select = node->as<SelectExpr>();
    return "(" + expr(select->ifTrue) + " if " + expr(select->condition) + " else " +
           expr(select->ifFalse) + ")";
  }
  case ExprKind::Convert: {
    auto *convert = node->as<ConvertExpr>();
    return std::string(convertName(convert->op)) + "(" + expr(convert->operand) + ")";
  }
  case ExprKind::Call: {
    auto *call = node->as<CallExpr>();
    std::string name = call->callee < module_.functions.size()
                           ? module_.functions[call->callee].name
                           : "<bad callee " + std::to_string(call->callee) + ">";
    return name + "(" + list(call->arguments) + ")";
  }
  case ExprKind::Intrinsic: {
    auto *intrinsic = node->as<IntrinsicExpr>();
    return std::string(intrinsicName(intrinsic->op)) + "(" + list(intrinsic->arguments) + ")";
  }
  case ExprKind::ListLength:
    return "len(" + expr(node->as<ListLengthExpr>()->list) + ")";
  case ExprKind::Index: {
    auto *index = node->as<IndexExpr>();
    return expr(index->list) + "[" + expr(index->index) + (index->provenInBounds ? " inbounds" : "") +
           "]";
  }
  case ExprKind::Slice: {
    auto *slice = node->as<SliceExpr>();
    return expr(slice->list) + "[" + (slice->lower ? expr(slice->lower) : "") + ":" +
           (slice->upper ? expr(slice->upper) : "") + "]";
  }
  case ExprKind::ListLiteral:
    return "[" + list(node->as<ListLiteralExpr>()->elements) + "]:" + node->type.str();
  case ExprKind::ListRepeat: {
    auto *repeat = node->as<ListRepeatExpr>();
    return repeat->countFirst ? "(" + expr(repeat->count) + " * " + expr(repeat->list) + ")"
                              : "(" + expr(repeat->list) + " * " + expr(repeat->count) + ")";
  }
  case ExprKind::Comprehension:
    return comprehension(*node->as<ComprehensionExpr>());
  case ExprKind::Sorted:
    return "sorted(" + expr(node->as<SortedExpr>()->list) + ")";
  case ExprKind::TupleMake:
    return "(" + list(node->as<TupleMakeExpr>()->members) + ",)";
  case ExprKind::TupleGet: {
    auto *get = node->as<TupleGetExpr>();
    return expr(get->tuple) + "[" + std::to_string(get->member) + "]";
  }
  }
  return "<unknown expr>";
}

void FunctionPrinter::block(const Block &body, int depth, std::string &out) const {
  if (body.empty()) {
    out += std::string(depth * 4, ' ') + "pass\n";
    return;
  }
  for (const Stmt *statement : body) {
    if (!statement) {
      out += std::string(depth * 4, ' ') + "<null statement>\n";
      continue;
    }
    stmt(*statement, depth, out);
  }
}

void FunctionPrinter::stmt(const Stmt &node, int depth, std::string &out) const {
  std::string indent(depth * 4, ' ');
  switch (node.kind) {
  case StmtKind::Assign: {
    auto *assign = node.as<AssignStmt>();
    out += indent + local(assign->target) + " = " + expr(assign->value) + "\n";
    return;
  }
  case StmtKind::StoreIndex: {
    auto *store = node.as<StoreIndexStmt>();
    out += indent + local(store->list) + "[" + expr(store->index) +
           (store->provenInBounds ? " inbounds" : "") + "] = " + expr(store->value) + "\n";
    return;
  }
  case StmtKind::Append: {
    auto *append = node.as<AppendStmt>();
    out += indent + local(append->list) + ".append(" + expr(append->value) + ")\n";
    return;
  }
  case StmtKind::If: {
    auto *ifStmt = node.as<IfStmt>();
    out += indent + "if " + expr(ifStmt->condition) + ":\n";
    block(ifStmt->thenBody, depth + 1, out);
    if (!ifStmt->elseBody.empty()) {
      out += indent + "else:\n";
      block(ifStmt->elseBody, depth + 1, out);
    }
    return;
  }
  case StmtKind::While: {
    auto *whileStmt = node.as<WhileStmt>();
    out += indent + "while " + expr(whileStmt->condition) + ":\n";
    block(whileStmt->body, depth + 1, out);
    return;
  }
  case StmtKind::For: {
    auto *forStmt = node.as<ForStmt>();
    out += indent + "for " + space(forStmt->space) + ":\n";
    block(forStmt->body, depth + 1, out);
    return;
  }
  case StmtKind::Break: out += indent + "break\n"; return;
  case StmtKind::Continue: out += indent + "continue\n"; return;
  case StmtKind::Return: {
    auto *returnStmt = node.as<ReturnStmt>();
    out += indent + "return" + (returnStmt->value ? " " + expr(returnStmt->value) : "") + "\n";
    return;
  }
  case StmtKind::Raise: {
    auto *raise = node.as<RaiseStmt>();
    out += indent + "raise " + errorKindName(raise->error) + "(\"" + raise->message + "\")\n";
    return;
  }
  }
}

std::string FunctionPrinter::header() const {
  std::string text = "def " + function_.name + "(";
  for (size_t i = 0; i < function_.parameters.size(); ++i) {
    LocalId id = function_.parameters[i];
    text += (i ? ", " : "") + local(id) + ": " +
            (id < function_.locals.size() ? function_.locals[id].type.str() : "?");
  }
  text += ") -> " + function_.returnType.str() + ":  # " +
          classificationName(function_.classification) + "; errors: ";
  if (function_.possibleErrors.empty())
    text += "none";
  for (size_t i = 0; i < function_.possibleErrors.size(); ++i)
    text += (i ? ", " : "") + std::string(errorKindName(function_.possibleErrors[i]));
  text += "; line " + std::to_string(function_.span.line) + "\n";
  // Locals that are not parameters, so a reader knows every name's type.
  std::string locals;
  for (LocalId id = 0; id < function_.locals.size(); ++id) {
    if (function_.locals[id].isParameter)
      continue;
    locals += (locals.empty() ? "" : ", ") + local(id) + ": " + function_.locals[id].type.str();
  }
  if (!locals.empty())
    text += "    # locals: " + locals + "\n";
  return text;
}

} // namespace

std::string printExpr(const Module &module, const Function &function, const Expr *expr) {
  return FunctionPrinter(module, function).expr(expr);
}

std::string printFunction(const Module &module, const Function &function) {
  FunctionPrinter printer(module, function);
  std::string out = printer.header();
  printer.block(function.body, 1, out);
  return out;
}

std::string printModule(const Module &module) {
  std::string out = "# module " + module.sourcePath + "\n";
  for (const Function &function : module.functions)
    out += "\n" + printFunction(module, function);
  return out;
}

} // namespace pyvc::ir
