// The diagnostic table, the engine that collects reports, and the two renderers: rustc-style
// text (with optional ANSI colours) and a JSON array for tools.
#include "frontend-py/Diagnostics.h"
#include "frontend-py/SourceLines.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

namespace pyvc {

namespace {

const std::vector<DiagnosticKindInfo> &kindTable() {
  static const std::vector<DiagnosticKindInfo> table = {
#define DIAGNOSTIC(Name, Severity_, Code, Message, Label, Help)                                       \
  {DiagnosticKind::Name, Severity::Severity_, Code, Message, Label, Help},
#include "frontend-py/DiagnosticKinds.def"
#undef DIAGNOSTIC
  };
  return table;
}

// Replaces {0}, {1}, ... with the arguments; a placeholder without an argument stays empty.
std::string substitute(const char *pattern, const std::vector<std::string> &arguments) {
  std::string result;
  for (const char *p = pattern; *p; ++p) {
    if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
      size_t index = static_cast<size_t>(p[1] - '0');
      if (index < arguments.size())
        result += arguments[index];
      p += 2;
      continue;
    }
    result += *p;
  }
  return result;
}

const char *severityName(Severity severity) {
  switch (severity) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}

// ANSI colours, empty when colour is off.
struct Palette {
  bool enabled;
  std::string paint(const std::string &text, const char *code) const {
    return enabled ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  }
  const char *severity(Severity severity) const {
    return severity == Severity::Error ? "1;31" : severity == Severity::Warning ? "1;33" : "1;32";
  }
};

// One source line prepared for display: tabs become four spaces, control bytes and invalid
// UTF-8 become '?', and `columnOffset[c - 1]` is where code-point column c starts on screen.
struct DisplayLine {
  std::string text;
  std::vector<size_t> columnOffset;
};

DisplayLine prepareLine(const std::string &raw) {
  DisplayLine display;
  for (size_t i = 0; i < raw.size();) {
    unsigned char byte = static_cast<unsigned char>(raw[i]);
    display.columnOffset.push_back(display.text.size());
    if (byte == '\t') {
      display.text += "    ";
      ++i;
      continue;
    }
    size_t length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    if (i + length > raw.size() || (byte >= 0x80 && byte < 0xC0) || byte >= 0xF8 ||
        (byte < 0x20 && byte != '\t')) {
      display.text += '?';
      ++i;
      continue;
    }
    display.text.append(raw, i, length);
    i += length;
  }
  display.columnOffset.push_back(display.text.size());
  return display;
}

// Lines longer than this are cut around the label so one huge line stays readable.
constexpr size_t MaxShownWidth = 160;

void renderLabel(std::string &out, const frontend::SourceLines &lines, const DiagnosticLabel &label, bool primary,
                 size_t gutter, const Palette &palette, Severity severity) {
  std::string bar = palette.paint(std::string(gutter + 1, ' ') + "|", "1;34");
  if (!lines.has(label.span.line)) {
    if (!label.message.empty())
      out += bar + " " + label.message + "\n";
    return;
  }
  DisplayLine display = prepareLine(lines.line(label.span.line));
  auto offsetOf = [&](uint32_t column) {
    size_t index = column == 0 ? 0 : column - 1;
    return index < display.columnOffset.size() ? display.columnOffset[index] : display.text.size();
  };
  size_t begin = offsetOf(label.span.column);
  size_t end = label.span.endLine == label.span.line ? offsetOf(label.span.endColumn) : display.text.size();
  if (end <= begin)
    end = begin + 1;
  size_t windowStart = 0;
  std::string shown = display.text;
  if (shown.size() > MaxShownWidth) {
    windowStart = begin > 40 ? begin - 40 : 0;
    shown = (windowStart ? "..." : "") + shown.substr(windowStart, MaxShownWidth) +
            (windowStart + MaxShownWidth < display.text.size() ? "..." : "");
    if (windowStart)
      windowStart -= 3; // the "..." shifts everything right by three columns
    end = std::min(end, windowStart + MaxShownWidth + 3);
  }
  std::string number = std::to_string(label.span.line);
  out += palette.paint(number + std::string(gutter - number.size(), ' ') + " |", "1;34") + " " + shown + "\n";
  std::string marks(end - begin, primary ? '^' : '-');
  const char *markColour = primary ? palette.severity(severity) : "1;34";
  out += bar + " " + std::string(begin - windowStart, ' ') +
         palette.paint(marks + (label.message.empty() ? "" : " " + label.message), markColour) + "\n";
}

std::string renderText(const std::vector<Diagnostic> &diagnostics, const std::string &path,
                       const std::string &sourceText, bool color) {
  Palette palette{color};
  frontend::SourceLines lines(sourceText);
  std::string out;
  size_t errors = 0, warnings = 0;
  for (const Diagnostic &diagnostic : diagnostics) {
    errors += diagnostic.severity == Severity::Error;
    warnings += diagnostic.severity == Severity::Warning;
    uint32_t maxLine = diagnostic.primary.span.line;
    for (const DiagnosticLabel &label : diagnostic.secondary)
      maxLine = std::max(maxLine, label.span.line);
    size_t gutter = std::to_string(maxLine).size();
    std::string head = std::string(severityName(diagnostic.severity)) +
                       (diagnostic.code.empty() ? "" : "[" + diagnostic.code + "]");
    out += palette.paint(head, palette.severity(diagnostic.severity)) + palette.paint(": " + diagnostic.message, "1") +
           "\n";
    const ir::Span &span = diagnostic.primary.span;
    out += std::string(gutter, ' ') + palette.paint("--> ", "1;34") + path;
    if (span.line)
      out += ":" + std::to_string(span.line) + ":" + std::to_string(span.column);
    out += "\n";
    out += palette.paint(std::string(gutter + 1, ' ') + "|", "1;34") + "\n";
    // Labels in line order; the primary one first among labels on the same line.
    std::vector<std::pair<const DiagnosticLabel *, bool>> labels = {{&diagnostic.primary, true}};
    for (const DiagnosticLabel &label : diagnostic.secondary)
      labels.push_back({&label, false});
    std::stable_sort(labels.begin(), labels.end(),
                     [](const auto &a, const auto &b) { return a.first->span.line < b.first->span.line; });
    uint32_t previousLine = 0;
    for (const auto &[label, primary] : labels) {
      if (previousLine && label->span.line > previousLine + 1)
        out += palette.paint("...", "1;34") + "\n"; // lines left out between two labels
      renderLabel(out, lines, *label, primary, gutter, palette, diagnostic.severity);
      previousLine = label->span.line;
    }
    for (const std::string &help : diagnostic.help)
      out += std::string(gutter + 1, ' ') + palette.paint("= help", "1") + ": " + help + "\n";
    out += "\n";
  }
  if (errors)
    out += palette.paint("error", palette.severity(Severity::Error)) +
           palette.paint(": aborting due to " + std::to_string(errors) + " previous error" + (errors > 1 ? "s" : ""),
                         "1") +
           (warnings ? "; " + std::to_string(warnings) + " warning" + (warnings > 1 ? "s" : "") + " emitted" : "") +
           "\n";
  else if (warnings)
    out += palette.paint("warning", palette.severity(Severity::Warning)) +
           palette.paint(": " + std::to_string(warnings) + " warning" + (warnings > 1 ? "s" : "") + " emitted", "1") +
           "\n";
  return out;
}

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
        out += buffer;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "\"";
}

std::string jsonSpanFields(const ir::Span &span) {
  return "\"line\": " + std::to_string(span.line) + ", \"column\": " + std::to_string(span.column) +
         ", \"end_line\": " + std::to_string(span.endLine) + ", \"end_column\": " + std::to_string(span.endColumn);
}

std::string renderJson(const std::vector<Diagnostic> &diagnostics, const std::string &path) {
  std::string out = "[";
  for (size_t i = 0; i < diagnostics.size(); ++i) {
    const Diagnostic &diagnostic = diagnostics[i];
    out += i ? ",\n " : "\n ";
    out += "{\"severity\": " + jsonString(severityName(diagnostic.severity)) +
           ", \"code\": " + jsonString(diagnostic.code) + ", \"message\": " + jsonString(diagnostic.message) +
           ", \"file\": " + jsonString(path) + ", " + jsonSpanFields(diagnostic.primary.span) + ", \"labels\": [";
    std::vector<std::pair<const DiagnosticLabel *, bool>> labels = {{&diagnostic.primary, true}};
    for (const DiagnosticLabel &label : diagnostic.secondary)
      labels.push_back({&label, false});
    for (size_t j = 0; j < labels.size(); ++j)
      out += std::string(j ? ", " : "") + "{" + jsonSpanFields(labels[j].first->span) +
             ", \"message\": " + jsonString(labels[j].first->message) +
             ", \"primary\": " + (labels[j].second ? "true" : "false") + "}";
    out += "], \"help\": [";
    for (size_t j = 0; j < diagnostic.help.size(); ++j)
      out += std::string(j ? ", " : "") + jsonString(diagnostic.help[j]);
    out += "]}";
  }
  return out + (diagnostics.empty() ? "]\n" : "\n]\n");
}

} // namespace

const std::vector<DiagnosticKindInfo> &allDiagnosticKinds() { return kindTable(); }

const DiagnosticKindInfo &diagnosticKindInfo(DiagnosticKind kind) {
  const auto &table = kindTable();
  size_t index = static_cast<size_t>(kind);
  assert(index < table.size() && table[index].kind == kind && "diagnostic table out of order");
  return table[index];
}

Diagnostic makeDiagnostic(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments) {
  const DiagnosticKindInfo &info = diagnosticKindInfo(kind);
  Diagnostic diagnostic;
  diagnostic.severity = info.severity;
  diagnostic.code = info.code;
  diagnostic.message = substitute(info.message, arguments);
  diagnostic.primary = {span, substitute(info.label, arguments)};
  std::string help = substitute(info.help, arguments);
  if (!help.empty())
    diagnostic.help.push_back(std::move(help));
  return diagnostic;
}

void DiagnosticEngine::report(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::Error)
    ++errorCount_;
  diagnostics_.push_back(std::move(diagnostic));
}

void DiagnosticEngine::sortByLocation() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic &a, const Diagnostic &b) {
    const ir::Span &x = a.primary.span, &y = b.primary.span;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
}

void DiagnosticEngine::report(DiagnosticKind kind, ir::Span span, const std::vector<std::string> &arguments) {
  report(makeDiagnostic(kind, span, arguments));
}

std::string renderDiagnostics(const std::vector<Diagnostic> &diagnostics, const std::string &path,
                              const std::string &sourceText, DiagnosticFormat format, bool color) {
  if (format == DiagnosticFormat::Json)
    return renderJson(diagnostics, path);
  return renderText(diagnostics, path, sourceText, color);
}

} // namespace pyvc
