// The parser: the AST it builds (seen through dumpAst), precedence, recovery after errors, and
// the constructs it rejects by name.
#include "FrontendTestSupport.h"

namespace pyvc::frontend::testing {
namespace {

std::string ast(const std::string &text) {
  DiagnosticEngine diags;
  std::string dump = dumpAst("t.py", text, diags);
  EXPECT_FALSE(diags.hasErrors()) << renderDiagnostics(diags.diagnostics(), "t.py", text, DiagnosticFormat::Text, false);
  return dump;
}

std::vector<std::string> parseCodes(const std::string &text) {
  DiagnosticEngine diags;
  dumpAst("t.py", text, diags);
  std::vector<std::string> codes;
  for (const Diagnostic &diagnostic : diags.diagnostics())
    codes.push_back(diagnostic.code);
  return codes;
}

TEST(FrontendParser, PrecedenceOfArithmeticAndPower) {
  std::string dump = ast("y = -2 ** 2 + 3 * 4\n");
  EXPECT_EQ(dump, "Module\n"
                  "  Assign @1:1-1:20\n"
                  "    target: Name y @1:1-1:2\n"
                  "    value: Binary + @1:5-1:20\n"
                  "      Unary - @1:5-1:12\n"
                  "        Binary ** @1:6-1:12\n"
                  "          Int 2 @1:6-1:7\n"
                  "          Int 2 @1:11-1:12\n"
                  "      Binary * @1:15-1:20\n"
                  "        Int 3 @1:15-1:16\n"
                  "        Int 4 @1:19-1:20\n");
}

TEST(FrontendParser, ChainedComparisonIsOneNode) {
  std::string dump = ast("b = lo <= v < hi\n");
  EXPECT_NE(dump.find("Compare <= < @1:5-1:17"), std::string::npos) << dump;
}

TEST(FrontendParser, BooleanOperatorsAndConditionalExpression) {
  std::string dump = ast("z = a if not b or c and d else e\n");
  EXPECT_NE(dump.find("IfExp"), std::string::npos);
  EXPECT_NE(dump.find("BoolOp or"), std::string::npos);
  EXPECT_NE(dump.find("BoolOp and"), std::string::npos);
  EXPECT_NE(dump.find("Unary not"), std::string::npos);
}

TEST(FrontendParser, FunctionWithAnnotationsAndDocstring) {
  std::string dump = ast("def f(xs: list[float], n: int) -> tuple[float, int]:\n    \"\"\"Doc.\"\"\"\n    return xs[0], n\n");
  EXPECT_NE(dump.find("FunctionDef f"), std::string::npos);
  EXPECT_NE(dump.find("param xs"), std::string::npos);
  EXPECT_NE(dump.find("returns: Subscript"), std::string::npos);
  EXPECT_NE(dump.find("value: Tuple"), std::string::npos);
}

TEST(FrontendParser, ComprehensionsWithSeveralClauses) {
  std::string dump = ast("s = sum(x * y for x in xs if x > 0 for y in ys)\nl = [i for i in range(3)]\n");
  EXPECT_NE(dump.find("GeneratorExp"), std::string::npos);
  EXPECT_NE(dump.find("ListComp"), std::string::npos);
  EXPECT_EQ(std::count(dump.begin(), dump.end(), '\n') > 10, true);
  EXPECT_NE(dump.find("if: Compare >"), std::string::npos);
}

TEST(FrontendParser, SlicesAndTupleTargets) {
  std::string dump = ast("a, b = xs[1:-1], xs[:n]\nfor i, (x, y) in enumerate(zip(xs, ys)):\n    pass\n");
  EXPECT_NE(dump.find("Slice"), std::string::npos);
  EXPECT_NE(dump.find("For @2:1"), std::string::npos);
}

TEST(FrontendParser, ElifChainsNestInElse) {
  std::string dump = ast("if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\n");
  EXPECT_NE(dump.find("  else:\n      If @3:1"), std::string::npos) << dump;
}

TEST(FrontendParser, RecoversAndReportsOneErrorPerBrokenStatement) {
  // Three broken statements, then a good function: three errors, and parsing goes on.
  auto codes = parseCodes("x = 1 +\ny = 2\ndef f(:\n    pass\nz = ]\ndef g(x: float) -> float:\n    return x\n");
  EXPECT_EQ(codes, (std::vector<std::string>{"E0201", "E0201", "E0108"})); // in source order
  DiagnosticEngine diags;
  std::string dump = dumpAst("t.py", "x = = 1\ndef g(x: float) -> float:\n    return x\n", diags);
  EXPECT_NE(dump.find("FunctionDef g"), std::string::npos);
}

TEST(FrontendParser, UnsupportedConstructsAreNamed) {
  EXPECT_EQ(parseCodes("class A:\n    pass\n"), std::vector<std::string>{"E0204"});
  EXPECT_EQ(parseCodes("try:\n    x = 1\nexcept E:\n    pass\nfinally:\n    pass\n"), std::vector<std::string>{"E0204"});
  EXPECT_EQ(parseCodes("d = {1: 2}\n"), std::vector<std::string>{"E0203"});
  EXPECT_EQ(parseCodes("s = {1, 2}\n"), std::vector<std::string>{"E0203"});
  EXPECT_EQ(parseCodes("f = lambda x: x\n"), std::vector<std::string>{"E0205"});
  EXPECT_EQ(parseCodes("if (n := 3):\n    pass\n"), std::vector<std::string>{"E0205"});
  EXPECT_EQ(parseCodes("@dec\ndef f(x: int) -> int:\n    return x\n"), std::vector<std::string>{"E0205"});
}

TEST(FrontendParser, IndentationErrors) {
  EXPECT_EQ(parseCodes("x = 1\n    y = 2\n"), std::vector<std::string>{"E0202"});
  EXPECT_EQ(parseCodes("def f():\nreturn 1\n"), std::vector<std::string>{"E0201"});
}

TEST(FrontendParser, NestingLimitIsADiagnostic) {
  std::string deep = "x = " + std::string(250, '(') + "1" + std::string(250, ')') + "\n";
  EXPECT_EQ(parseCodes(deep), std::vector<std::string>{"E0206"});
  std::string fine = "x = " + std::string(100, '(') + "1" + std::string(100, ')') + "\n";
  EXPECT_TRUE(parseCodes(fine).empty());
}

} // namespace
} // namespace pyvc::frontend::testing
