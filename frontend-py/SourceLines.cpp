// Line starts found once; columns are code points, so UTF-8 continuation bytes share a column.
#include "frontend-py/SourceLines.h"

namespace pyvc::frontend {

SourceLines::SourceLines(const std::string &text) : text_(text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r')
      continue;
    ends_.push_back(i);
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
      ++i;
    starts_.push_back(i + 1);
  }
  ends_.push_back(text.size());
}

std::string SourceLines::line(uint32_t line) const {
  return text_.substr(starts_[line - 1], ends_[line - 1] - starts_[line - 1]);
}

std::string SourceLines::spanText(ir::Span span) const {
  if (!has(span.line) || span.endLine != span.line || span.endColumn <= span.column || span.column == 0)
    return "";
  size_t end = ends_[span.line - 1];
  auto advance = [&](size_t from, uint32_t codePoints) {
    for (; codePoints > 0 && from < end; --codePoints) {
      ++from;
      while (from < end && (static_cast<unsigned char>(text_[from]) & 0xC0) == 0x80)
        ++from;
    }
    return from;
  };
  size_t begin = advance(starts_[span.line - 1], span.column - 1);
  return text_.substr(begin, advance(begin, span.endColumn - span.column) - begin);
}

} // namespace pyvc::frontend
