// Golden diagnostic tests: each input file carries its expected diagnostics inline, as trailing
// comments on the offending line:
//     table = {1: 2}  # error[E0203] 13: `dict` is not supported in kernels
// (column, then message; several may follow each other in one comment). A diagnostic on a line
// that does not exist (end of file) is written on the last line with an explicit line:
//     # error[E0201] 7:1: expected an expression, found end of file
//
//   pyvc_golden_check FILE...            check: exit 1 and print a diff on any mismatch
//   pyvc_golden_check --update FILE...   rewrite the expectations from the current frontend
//   pyvc_golden_check --coverage FILE... check that every diagnostic kind occurs somewhere
//   pyvc_golden_check --print FILE...    show the diagnostics (rendered) or the IR of each file
#include "frontend-py/Frontend.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

namespace {

using pyvc::Diagnostic;
using pyvc::DiagnosticEngine;
using pyvc::Severity;

struct Expectation {
  uint32_t line = 0, column = 0;
  std::string severity, code, message;
  std::string text() const {
    return severity + "[" + code + "] " + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  }
  bool operator<(const Expectation &other) const {
    return std::tie(line, column, code, message) < std::tie(other.line, other.column, other.code, other.message);
  }
  bool operator==(const Expectation &other) const { return text() == other.text(); }
};

bool readFile(const std::string &path, std::string &text) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      if (start < text.size())
        lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Where the expectation comment of a line starts, or npos.
size_t expectationStart(const std::string &line) {
  size_t best = std::string::npos;
  for (const char *marker : {"# error[", "# warning["}) {
    size_t at = line.find(marker);
    best = std::min(best, at);
  }
  return best;
}

std::vector<Expectation> parseExpectations(const std::string &text) {
  static const std::regex entry(R"((error|warning)\[(\w+)\] (?:(\d+):)?(\d+): (.*?)(?=\s+# (?:error|warning)\[|\s*$))");
  std::vector<Expectation> result;
  std::vector<std::string> lines = splitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    size_t start = expectationStart(line);
    if (start == std::string::npos)
      continue;
    std::string comment = line.substr(start);
    for (std::sregex_iterator it(comment.begin(), comment.end(), entry), end; it != end; ++it) {
      const std::smatch &match = *it;
      Expectation expectation;
      expectation.severity = match[1];
      expectation.code = match[2];
      expectation.line = match[3].matched ? static_cast<uint32_t>(std::stoul(match[3])) : static_cast<uint32_t>(i + 1);
      expectation.column = static_cast<uint32_t>(std::stoul(match[4]));
      expectation.message = match[5];
      result.push_back(expectation);
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<Expectation> actualDiagnostics(const std::string &path, const std::string &text, DiagnosticEngine &diags,
                                           std::unique_ptr<pyvc::ir::Module> *module = nullptr) {
  auto built = pyvc::frontend::buildIR(path, text, diags);
  if (module)
    *module = std::move(built);
  std::vector<Expectation> result;
  for (const Diagnostic &diagnostic : diags.diagnostics()) {
    Expectation expectation;
    expectation.severity = diagnostic.severity == Severity::Error ? "error" : diagnostic.severity == Severity::Warning ? "warning" : "note";
    expectation.code = diagnostic.code;
    expectation.line = diagnostic.primary.span.line;
    expectation.column = diagnostic.primary.span.column;
    expectation.message = diagnostic.message;
    result.push_back(expectation);
  }
  std::sort(result.begin(), result.end());
  return result;
}

bool check(const std::string &path) {
  std::string text;
  if (!readFile(path, text)) {
    std::cerr << path << ": cannot read\n";
    return false;
  }
  DiagnosticEngine diags;
  std::vector<Expectation> expected = parseExpectations(text);
  std::unique_ptr<pyvc::ir::Module> module;
  std::vector<Expectation> actual = actualDiagnostics(path, text, diags, &module);
  // Accepted files must also give IR that satisfies every invariant of ir/IR.h.
  std::vector<std::string> problems = module ? pyvc::ir::verifyModule(*module) : std::vector<std::string>{};
  for (const std::string &problem : problems)
    std::cerr << path << ": IR verifier: " << problem << "\n";
  if (expected == actual && problems.empty())
    return true;
  if (expected == actual)
    return false;
  std::cerr << path << ": diagnostics differ from the expectations\n";
  for (const Expectation &e : expected)
    if (std::find(actual.begin(), actual.end(), e) == actual.end())
      std::cerr << "  - expected, not reported: " << e.text() << "\n";
  for (const Expectation &a : actual)
    if (std::find(expected.begin(), expected.end(), a) == expected.end())
      std::cerr << "  + reported, not expected: " << a.text() << "\n";
  std::cerr << "  (run tests/golden/update.sh and review the diff if the change is intended)\n";
  return false;
}

bool update(const std::string &path) {
  std::string text;
  if (!readFile(path, text))
    return false;
  // Strip the old expectations (and the spaces before them), keeping every line in place.
  std::vector<std::string> lines = splitLines(text);
  bool endsWithNewline = !text.empty() && text.back() == '\n';
  for (std::string &line : lines) {
    bool crlf = !line.empty() && line.back() == '\r';
    size_t start = expectationStart(line);
    if (start == std::string::npos)
      continue;
    line.erase(start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    if (crlf)
      line += '\r';
  }
  std::string stripped;
  for (size_t i = 0; i < lines.size(); ++i)
    stripped += lines[i] + (i + 1 < lines.size() || endsWithNewline ? "\n" : "");
  DiagnosticEngine diags;
  std::vector<Expectation> actual = actualDiagnostics(path, stripped, diags);
  if (lines.empty())
    lines.push_back("");
  for (const Expectation &e : actual) {
    bool onOwnLine = e.line >= 1 && e.line <= lines.size();
    size_t index = onOwnLine ? e.line - 1 : lines.size() - 1;
    std::string &line = lines[index];
    bool crlf = !line.empty() && line.back() == '\r';
    if (crlf)
      line.pop_back();
    std::string entry = e.severity + "[" + e.code + "] " + (onOwnLine ? "" : std::to_string(e.line) + ":") +
                        std::to_string(e.column) + ": " + e.message;
    line += (line.find_first_not_of(" \t") == std::string::npos ? "" : "  ") + std::string("# ") + entry;
    if (crlf)
      line += '\r';
  }
  std::string result;
  for (size_t i = 0; i < lines.size(); ++i)
    result += lines[i] + (i + 1 < lines.size() || endsWithNewline ? "\n" : "");
  if (result != text) {
    std::ofstream(path, std::ios::binary) << result;
    std::cout << "updated " << path << "\n";
  }
  return check(path);
}

bool coverage(const std::vector<std::string> &paths) {
  std::set<std::string> seen;
  for (const std::string &path : paths) {
    std::string text;
    if (readFile(path, text))
      for (const Expectation &e : parseExpectations(text))
        seen.insert(e.code);
  }
  bool ok = true;
  for (const pyvc::DiagnosticKindInfo &kind : pyvc::allDiagnosticKinds())
    if (!seen.count(kind.code)) {
      std::cerr << "diagnostic " << kind.code << " (" << kind.message << ") has no golden test\n";
      ok = false;
    }
  return ok;
}

void print(const std::string &path) {
  std::string text;
  if (!readFile(path, text))
    return;
  DiagnosticEngine diags;
  std::unique_ptr<pyvc::ir::Module> module;
  actualDiagnostics(path, text, diags, &module);
  std::cout << pyvc::renderDiagnostics(diags.diagnostics(), path, text, pyvc::DiagnosticFormat::Text, false);
  if (module)
    std::cout << pyvc::ir::printModule(*module);
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = "check";
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--update") == 0)
      mode = "update";
    else if (std::strcmp(argv[i], "--coverage") == 0)
      mode = "coverage";
    else if (std::strcmp(argv[i], "--print") == 0)
      mode = "print";
    else
      paths.push_back(argv[i]);
  }
  if (paths.empty()) {
    std::cerr << "usage: pyvc_golden_check [--update|--coverage|--print] FILE...\n";
    return 2;
  }
  if (mode == "coverage")
    return coverage(paths) ? 0 : 1;
  bool ok = true;
  for (const std::string &path : paths) {
    if (mode == "print")
      print(path);
    else
      ok = (mode == "update" ? update(path) : check(path)) && ok;
  }
  return ok ? 0 : 1;
}
