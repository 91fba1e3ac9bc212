// A kernel file's text split into lines the way the lexer counts them (\n, \r\n and \r all end a
// line), for quoting source: the diagnostic renderer's snippets and E0329's suggested call.
#pragma once

#include "ir/IR.h"

#include <string>
#include <vector>

namespace pyvc::frontend {

class SourceLines {
public:
  explicit SourceLines(const std::string &text);

  bool has(uint32_t line) const { return line >= 1 && line <= starts_.size(); }
  // Line `line` (from 1) without its terminator.
  std::string line(uint32_t line) const;
  // The text a one-line span covers (columns count code points from 1, the end is exclusive);
  // empty for a span over several lines or outside the text.
  std::string spanText(ir::Span span) const;

private:
  const std::string &text_;
  std::vector<size_t> starts_; // where each line starts
  std::vector<size_t> ends_;   // where its terminator starts
};

} // namespace pyvc::frontend
