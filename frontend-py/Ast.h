// The Python AST of a kernel file, with a span on every node. Nodes are deliberately generic
// (a kind, a few fields, child pointers) and owned by an AstModule arena, so that deep trees are
// freed without recursion. The parser builds it; sema reads it; dumpAst prints it.
#pragma once

#include "ir/IR.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace pyvc::frontend {

enum class AstExprKind : uint8_t {
  Name,         // text
  Integer,      // integerValue (integerTooLarge when over 2^64-1)
  Float,        // floatValue
  Bool,         // integerValue 0/1
  NoneLiteral,
  String,       // text = decoded value, op = prefix ("f" for f-strings)
  Ellipsis,
  Unary,        // op in {"-", "+", "not", "~"}; children[0]
  Binary,       // op in {"+","-","*","/","//","%","**","@","<<",">>","&","|","^"}; children[0..1]
  BoolOp,       // op in {"and","or"}; children (two or more)
  Compare,      // compareOps[i] between children[i] and children[i+1]
  IfExp,        // children: {value if true, condition, value if false}
  Call,         // children[0] callee, children[1..] positional arguments; keywords
  Attribute,    // children[0] . text
  Subscript,    // children[0] [ children[1] ]
  Slice,        // children: {lower, upper, step}, each may be nullptr
  List,         // children: elements
  Tuple,        // children: elements
  ListComp,     // children[0] element; generators
  GeneratorExp, // children[0] element; generators
  Starred,      // *children[0]
  Unsupported,  // a construct kernels reject (dict, set, lambda, ...): text names it, op labels it
};

struct AstExpr;

struct AstKeyword {
  std::string name; // empty for **kwargs
  AstExpr *value;
  ir::Span span;
};

struct AstComprehension {
  AstExpr *target;
  AstExpr *iterable;
  std::vector<AstExpr *> conditions;
  bool isAsync = false;
};

struct AstExpr {
  AstExprKind kind;
  ir::Span span;
  std::string text;
  std::string op;
  uint64_t integerValue = 0;
  bool integerTooLarge = false;
  double floatValue = 0.0;
  bool parenthesized = false; // written inside its own parentheses: `(a, b)`
  uint32_t depth = 1;         // height of this subtree, to bound recursion in later phases
  std::vector<AstExpr *> children;
  std::vector<std::string> compareOps; // "<", "<=", "==", "!=", ">", ">=", "in", "not in", "is", "is not"
  std::vector<AstKeyword> keywords;
  std::vector<AstComprehension> generators;

  AstExpr(AstExprKind kind, ir::Span span) : kind(kind), span(span) {}
};

enum class AstStmtKind : uint8_t {
  FunctionDef, // name, parameters, returns, body, decorators
  Return,      // value (may be nullptr)
  Assign,      // targets (a = b = value), value
  AnnAssign,   // targets[0], annotation, value (may be nullptr)
  AugAssign,   // targets[0] op= value
  ExprStmt,    // value
  If,          // test, body, orElse
  While,       // test, body, orElse
  For,         // targets[0] in value: body, orElse
  Break,
  Continue,
  Pass,
  Assert,      // test, value (the message; may be nullptr)
  Raise,       // value (the exception; may be nullptr for a bare `raise`)
  Import,      // names
  ImportFrom,  // module, names
  Unsupported, // a statement kernels reject (class, try, with, ...): name says which
};

struct AstParameter {
  std::string name;
  AstExpr *annotation = nullptr;
  AstExpr *defaultValue = nullptr;
  std::string star; // "", "*", "**", or "/" for the positional-only marker
  ir::Span span;
};

struct AstImportName {
  std::string name;   // dotted name
  std::string asName; // empty when there is no `as`
  ir::Span span;
};

struct AstStmt;
using AstBlock = std::vector<AstStmt *>;

struct AstStmt {
  AstStmtKind kind;
  ir::Span span;
  std::string name; // FunctionDef name, ImportFrom module, Unsupported keyword, AugAssign operator
  std::vector<AstExpr *> targets;
  AstExpr *value = nullptr;
  AstExpr *test = nullptr;
  AstExpr *annotation = nullptr;
  AstBlock body, orElse;
  ir::Span elseSpan;                    // the `else` keyword of a loop, when present
  std::vector<AstParameter> parameters; // FunctionDef
  AstExpr *returns = nullptr;           // FunctionDef
  std::vector<AstExpr *> decorators;    // FunctionDef
  std::vector<AstImportName> names;     // Import, ImportFrom
  bool isAsync = false;
  // FunctionDef: some statement of the body was dropped after a syntax error, so sema skips the
  // checks that a missing statement would make wrong (unknown names, missing return, ...).
  bool recovered = false;

  AstStmt(AstStmtKind kind, ir::Span span) : kind(kind), span(span) {}
};

// A parsed file: the top-level statements and the arena owning every node.
class AstModule {
public:
  AstBlock body;

  AstExpr *makeExpr(AstExprKind kind, ir::Span span) {
    exprs_.push_back(std::make_unique<AstExpr>(kind, span));
    return exprs_.back().get();
  }
  AstStmt *makeStmt(AstStmtKind kind, ir::Span span) {
    stmts_.push_back(std::make_unique<AstStmt>(kind, span));
    return stmts_.back().get();
  }

private:
  std::deque<std::unique_ptr<AstExpr>> exprs_;
  std::deque<std::unique_ptr<AstStmt>> stmts_;
};

// Spans covering two nodes.
inline ir::Span joinSpans(const ir::Span &first, const ir::Span &last) {
  return {first.line, first.column, last.endLine, last.endColumn};
}

} // namespace pyvc::frontend
