// The frontend's entry points, each a short pipeline: tokenize -> parse -> analyse.
#include "frontend-py/Frontend.h"

#include "frontend-py/AstDump.h"
#include "frontend-py/Lexer.h"
#include "frontend-py/Parser.h"
#include "frontend-py/Sema.h"

namespace pyvc::frontend {

std::string dumpTokens(const std::string &path, const std::string &text, DiagnosticEngine &diags) {
  (void)path;
  std::string dump = printTokens(tokenize(text, diags));
  diags.sortByLocation();
  return dump;
}

std::string dumpAst(const std::string &path, const std::string &text, DiagnosticEngine &diags) {
  (void)path;
  AstModule ast;
  parseModule(tokenize(text, diags), ast, diags);
  diags.sortByLocation();
  return printAst(ast);
}

std::unique_ptr<ir::Module> buildIR(const std::string &path, const std::string &text, DiagnosticEngine &diags) {
  AstModule ast;
  parseModule(tokenize(text, diags), ast, diags);
  // Analyse even after syntax errors: the statements that parsed may hold more errors worth
  // reporting in the same run.
  std::unique_ptr<ir::Module> module = analyzeModule(ast, path, text, diags);
  diags.sortByLocation();
  if (diags.hasErrors())
    return nullptr;
  return module;
}

} // namespace pyvc::frontend
