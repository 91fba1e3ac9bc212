// Diagnostics for problems in the user's source: the engine that collects them, the table of
// every kind (DiagnosticKinds.def) and the renderer (rustc-style text or JSON).
#pragma once

#include "ir/IR.h"

#include <cstddef>
#include <string>
#include <vector>

namespace pyvc {

enum class Severity { Error, Warning, Note };

struct DiagnosticLabel {
  ir::Span span;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;    // stable code, e.g. "E0203"
  std::string message; // lower-case, no trailing period
  DiagnosticLabel primary;
  std::vector<DiagnosticLabel> secondary;
  std::vector<std::string> help;
};

// Every kind of diagnostic the frontend can report, declared once in DiagnosticKinds.def.
enum class DiagnosticKind {
#define DIAGNOSTIC(Name, Severity, Code, Message, Label, Help) Name,
#include "frontend-py/DiagnosticKinds.def"
#undef DIAGNOSTIC
};

// The static description of one kind, straight from the table.
struct DiagnosticKindInfo {
  DiagnosticKind kind;
  Severity severity;
  const char *code;
  const char *message; // may contain {0}, {1}, ... placeholders
  const char *label;
  const char *help; // empty when the kind has no help line
};
const DiagnosticKindInfo &diagnosticKindInfo(DiagnosticKind kind);
const std::vector<DiagnosticKindInfo> &allDiagnosticKinds();

// Builds a diagnostic of a kind from the table, filling {0}, {1}, ... in the message, the label
// and the help with `arguments`.
Diagnostic makeDiagnostic(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments = {});

class DiagnosticEngine {
public:
  void report(Diagnostic diagnostic);
  // Shorthand for report(makeDiagnostic(...)).
  void report(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments = {});
  bool hasErrors() const { return errorCount_ > 0; }
  size_t errorCount() const { return errorCount_; }
  const std::vector<Diagnostic> &diagnostics() const { return diagnostics_; }
  // Orders the diagnostics by source position (stable), so a file reads top to bottom even
  // though the lexer, the parser and sema find problems in separate passes.
  void sortByLocation();

private:
  std::vector<Diagnostic> diagnostics_;
  size_t errorCount_ = 0;
};

enum class DiagnosticFormat { Text, Json };

// Renders every diagnostic: text in rustc style (optionally with ANSI colours), or JSON (one
// array of objects with severity, code, message, file, line, column, end_line, end_column,
// labels, help).
std::string renderDiagnostics(const std::vector<Diagnostic> &diagnostics, const std::string &path,
                              const std::string &sourceText, DiagnosticFormat format, bool color);

} // namespace pyvc
