// RuleExpression: checks a rule's inline `when:` expression before it becomes the body of a
// Python function in the rules library (RuleModule.h). The expression must be one line of the
// Python expression grammar a rule needs — numbers, its parameters, True/False, arithmetic,
// comparisons, `and`/`or`/`not`, parentheses and calls of abs, min and max — so the generated
// module always parses, and a typo in a name is reported against the config, not the compiler.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pyvc::agent {

struct RuleScope {
  bool windowRule = false;
  std::vector<std::string> parameters; // ["value"], or the pipeline's aggregate names
  std::vector<std::string> aggregates; // the pipeline's aggregates (named in messages)
  std::string pipeline;
  // False when the rule's scope is itself in error (a window rule without a window): names are
  // then not judged, so one mistake is not reported twice.
  bool namesKnown = true;
};

// Every problem found, each a message without place ("unknown name `maen` ..."); empty when the
// expression is fine.
std::vector<std::string> checkRuleExpression(std::string_view expression, const RuleScope &scope);

// Python's keywords: not usable as aggregate names (they become parameters).
bool isPythonKeyword(std::string_view word);

} // namespace pyvc::agent
