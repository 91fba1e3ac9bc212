// Text forms of tokens and of the AST: one item per line, children indented by two spaces, each
// with its span, so a test or a user can see exactly what the parser understood.
#include "frontend-py/AstDump.h"

#include <cstdio>

namespace pyvc::frontend {

namespace {

std::string spanText(const ir::Span &span) {
  return std::to_string(span.line) + ":" + std::to_string(span.column) + "-" + std::to_string(span.endLine) + ":" +
         std::to_string(span.endColumn);
}

std::string floatText(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// Escapes a string for one-line display.
std::string quoted(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + c;
    else
      out += c;
  }
  return out + "\"";
}

const char *exprKindName(AstExprKind kind) {
  switch (kind) {
  case AstExprKind::Name: return "Name";
  case AstExprKind::Integer: return "Int";
  case AstExprKind::Float: return "Float";
  case AstExprKind::Bool: return "Bool";
  case AstExprKind::NoneLiteral: return "None";
  case AstExprKind::String: return "String";
  case AstExprKind::Ellipsis: return "Ellipsis";
  case AstExprKind::Unary: return "Unary";
  case AstExprKind::Binary: return "Binary";
  case AstExprKind::BoolOp: return "BoolOp";
  case AstExprKind::Compare: return "Compare";
  case AstExprKind::IfExp: return "IfExp";
  case AstExprKind::Call: return "Call";
  case AstExprKind::Attribute: return "Attribute";
  case AstExprKind::Subscript: return "Subscript";
  case AstExprKind::Slice: return "Slice";
  case AstExprKind::List: return "List";
  case AstExprKind::Tuple: return "Tuple";
  case AstExprKind::ListComp: return "ListComp";
  case AstExprKind::GeneratorExp: return "GeneratorExp";
  case AstExprKind::Starred: return "Starred";
  case AstExprKind::Unsupported: return "Unsupported";
  }
  return "?";
}

const char *stmtKindName(AstStmtKind kind) {
  switch (kind) {
  case AstStmtKind::FunctionDef: return "FunctionDef";
  case AstStmtKind::Return: return "Return";
  case AstStmtKind::Assign: return "Assign";
  case AstStmtKind::AnnAssign: return "AnnAssign";
  case AstStmtKind::AugAssign: return "AugAssign";
  case AstStmtKind::ExprStmt: return "Expr";
  case AstStmtKind::If: return "If";
  case AstStmtKind::While: return "While";
  case AstStmtKind::For: return "For";
  case AstStmtKind::Break: return "Break";
  case AstStmtKind::Continue: return "Continue";
  case AstStmtKind::Pass: return "Pass";
  case AstStmtKind::Assert: return "Assert";
  case AstStmtKind::Raise: return "Raise";
  case AstStmtKind::Import: return "Import";
  case AstStmtKind::ImportFrom: return "ImportFrom";
  case AstStmtKind::Unsupported: return "Unsupported";
  }
  return "?";
}

class AstPrinter {
public:
  std::string out;

  void expr(const AstExpr *node, int indent, const std::string &role = "") {
    std::string pad(static_cast<size_t>(indent) * 2, ' ');
    if (!role.empty())
      pad += role + ": ";
    if (!node) {
      out += pad + "<none>\n";
      return;
    }
    out += pad + exprKindName(node->kind);
    switch (node->kind) {
    case AstExprKind::Name:
    case AstExprKind::Attribute:
    case AstExprKind::Unsupported: out += " " + node->text; break;
    case AstExprKind::Integer: out += " " + (node->integerTooLarge ? node->text : std::to_string(node->integerValue)); break;
    case AstExprKind::Float: out += " " + floatText(node->floatValue); break;
    case AstExprKind::Bool: out += node->integerValue ? " True" : " False"; break;
    case AstExprKind::String: out += " " + node->op + quoted(node->text); break;
    case AstExprKind::Unary:
    case AstExprKind::Binary:
    case AstExprKind::BoolOp: out += " " + node->op; break;
    case AstExprKind::Compare:
      for (const std::string &op : node->compareOps)
        out += " " + op;
      break;
    default: break;
    }
    out += " @" + spanText(node->span) + "\n";
    for (const AstExpr *child : node->children)
      expr(child, indent + 1);
    for (const AstKeyword &keyword : node->keywords)
      expr(keyword.value, indent + 1, "keyword " + (keyword.name.empty() ? "**" : keyword.name));
    for (const AstComprehension &clause : node->generators) {
      expr(clause.target, indent + 1, "for");
      expr(clause.iterable, indent + 1, "in");
      for (const AstExpr *condition : clause.conditions)
        expr(condition, indent + 1, "if");
    }
  }

  void block(const AstBlock &statements, int indent) {
    for (const AstStmt *statement : statements)
      stmt(statement, indent);
  }

  void stmt(const AstStmt *node, int indent) {
    std::string pad(static_cast<size_t>(indent) * 2, ' ');
    out += pad + stmtKindName(node->kind);
    if (!node->name.empty())
      out += " " + node->name;
    for (const AstImportName &name : node->names)
      out += " " + name.name + (name.asName.empty() ? "" : " as " + name.asName);
    out += " @" + spanText(node->span) + "\n";
    for (const AstParameter &parameter : node->parameters) {
      out += pad + "  param " + parameter.star + parameter.name + "\n";
      if (parameter.annotation)
        expr(parameter.annotation, indent + 2, "annotation");
    }
    if (node->returns)
      expr(node->returns, indent + 1, "returns");
    for (const AstExpr *decorator : node->decorators)
      expr(decorator, indent + 1, "decorator");
    for (const AstExpr *target : node->targets)
      expr(target, indent + 1, "target");
    if (node->annotation)
      expr(node->annotation, indent + 1, "annotation");
    if (node->test)
      expr(node->test, indent + 1, "test");
    if (node->value)
      expr(node->value, indent + 1, "value");
    if (!node->body.empty()) {
      out += pad + "  body:\n";
      block(node->body, indent + 2);
    }
    if (!node->orElse.empty()) {
      out += pad + "  else:\n";
      block(node->orElse, indent + 2);
    }
  }
};

} // namespace

std::string printTokens(const std::vector<Token> &tokens) {
  std::string out;
  for (const Token &token : tokens) {
    out += spanText(token.span) + " " + tokenKindName(token.kind);
    if (!token.text.empty())
      out += " " + (token.kind == TokenKind::String ? quoted(token.text) : token.text);
    out += "\n";
  }
  return out;
}

std::string printAst(const AstModule &module) {
  AstPrinter printer;
  printer.out = "Module\n";
  printer.block(module.body, 1);
  return printer.out;
}

} // namespace pyvc::frontend
