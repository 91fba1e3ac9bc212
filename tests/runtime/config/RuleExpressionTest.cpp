// The `when:` checker (config/RuleExpression.h): what it accepts must parse as Python (checked
// against CPython in RuleModuleTest), and what it refuses gets a message naming the problem.
#include "config/RuleExpression.h"

#include <gtest/gtest.h>

using namespace pyvc::agent;

namespace {

RuleScope readingScope() { return RuleScope{false, {"value"}, {"mean", "max", "min"}, "climate"}; }
RuleScope windowScope() {
  return RuleScope{true, {"mean", "max", "min"}, {"mean", "max", "min"}, "climate"};
}

std::vector<std::string> none() { return {}; }

TEST(RuleExpression, AcceptsRuleExpressions) {
  for (const char *text :
       {"value > 35.0", "value >= 1e3", "not value < 0", "value > 1 and value < 2 or value == 7",
        "-value ** 2 // 3 % 4 > 1", "abs(value - 20) > 5", "min(value, 3.0) == 3.0",
        "0 <= value < 100", "(value)", "value != 0x1F", "True", "value & 1 == 0",
        "max(value, 1, 2,) > .5", "value << 2 > 8 | 1", "~1 < value"})
    EXPECT_EQ(checkRuleExpression(text, readingScope()), none()) << text;
  for (const char *text : {"max - min > 5.0", "mean > 30.0 and max - min > 5.0", "abs(mean) > 3.5"})
    EXPECT_EQ(checkRuleExpression(text, windowScope()), none()) << text;
}

void expectProblem(const char *text, const RuleScope &scope, const std::string &problem) {
  EXPECT_EQ(checkRuleExpression(text, scope), std::vector<std::string>{problem}) << text;
}

TEST(RuleExpression, RefusesWhatIsNotARuleExpression) {
  expectProblem("", readingScope(), "is empty");
  expectProblem("value > 1\nvalue", readingScope(),
                "must be a single-line expression (no newlines, no `;`)");
  expectProblem("import os", readingScope(), "`import` is not allowed in a rule expression");
  expectProblem("value = 3", readingScope(),
                "`=` is not allowed in a rule expression (compare with `==`)");
  expectProblem("value > 'a'", readingScope(), "strings are not allowed in a rule expression");
  expectProblem("value # comment", readingScope(), "`#` is not allowed in a rule expression");
  expectProblem("value > 1.2.3", readingScope(), "bad number `1.2.3` at column 9");
  expectProblem("value > 07", readingScope(), "bad number `07` at column 9");
  expectProblem("value > 1j", readingScope(), "bad number `1j` at column 9");
  expectProblem("value in (1, 2)", readingScope(),
                "`in` is not allowed in a rule expression (allowed: and, or, not, True, False, "
                "abs, min, max)");
  expectProblem("(value > 1", readingScope(),
                "syntax error at column 11: expected `)`, got `end of expression`");
  expectProblem("value > 1)", readingScope(), "syntax error at column 10: unexpected `)`");
  expectProblem("value and and value", readingScope(),
                "syntax error at column 11: expected a value, got `and`");
  expectProblem("value > é", readingScope(), "non-ASCII character at column 9");
  expectProblem("max > 1", readingScope(), "`max` is a function here; call it, as in `max(a, b)`");
  expectProblem("sqrt(value) > 1", readingScope(),
                "unknown name `sqrt`; a reading rule sees only `value`");
  expectProblem("max(mean, 1) > 1", windowScope(),
                "`max` is an aggregate of this window, not a function; it cannot be called");
}

TEST(RuleExpression, ReportsEveryUnknownNameOnce) {
  EXPECT_EQ(checkRuleExpression("a > b and a > 1", readingScope()),
            (std::vector<std::string>{"unknown name `a`; a reading rule sees only `value`",
                                      "unknown name `b`; a reading rule sees only `value`"}));
}

TEST(RuleExpression, KnowsPythonKeywords) {
  EXPECT_TRUE(isPythonKeyword("lambda"));
  EXPECT_TRUE(isPythonKeyword("None"));
  EXPECT_FALSE(isPythonKeyword("value"));
  EXPECT_FALSE(isPythonKeyword("max"));
}

} // namespace
