// The lexer: token kinds, values and spans; indentation; line joining; and its diagnostics.
#include "FrontendTestSupport.h"

#include "frontend-py/Lexer.h"

#include <cmath>

namespace pyvc::frontend::testing {
namespace {

std::vector<Token> lex(const std::string &text, DiagnosticEngine &diags) { return tokenize(text, diags); }

std::string kinds(const std::vector<Token> &tokens) {
  std::string out;
  for (const Token &token : tokens)
    out += std::string(out.empty() ? "" : " ") + tokenKindName(token.kind);
  return out;
}

TEST(FrontendLexer, IndentAndDedent) {
  DiagnosticEngine diags;
  auto tokens = lex("def f():\n    if x:\n        y\n    z\n", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(kinds(tokens), "NAME NAME OP OP OP NEWLINE INDENT NAME NAME OP NEWLINE INDENT NAME NEWLINE DEDENT NAME "
                           "NEWLINE DEDENT EOF");
}

TEST(FrontendLexer, BlankLinesCommentsAndBracketsDoNotEndLines) {
  DiagnosticEngine diags;
  auto tokens = lex("x = (1,\n  # comment\n     2)  # trailing\n\n   \ny = 3 \\\n  + 4\n", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(kinds(tokens), "NAME OP OP INT OP INT OP NEWLINE NAME OP INT OP INT NEWLINE EOF");
}

TEST(FrontendLexer, NumbersWithValues) {
  DiagnosticEngine diags;
  auto tokens = lex("0 42 1_000 0x1F 0o17 0b101 1.5 .25 1e3 2.5E-2 18446744073709551616", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(tokens[0].integerValue, 0u);
  EXPECT_EQ(tokens[1].integerValue, 42u);
  EXPECT_EQ(tokens[2].integerValue, 1000u);
  EXPECT_EQ(tokens[3].integerValue, 31u);
  EXPECT_EQ(tokens[4].integerValue, 15u);
  EXPECT_EQ(tokens[5].integerValue, 5u);
  EXPECT_EQ(tokens[6].floatValue, 1.5);
  EXPECT_EQ(tokens[7].floatValue, 0.25);
  EXPECT_EQ(tokens[8].floatValue, 1000.0);
  EXPECT_EQ(tokens[9].floatValue, 0.025);
  EXPECT_TRUE(tokens[10].integerTooLarge);
}

TEST(FrontendLexer, FloatLiteralsAreCorrectlyRounded) {
  DiagnosticEngine diags;
  auto tokens = lex("0.1 2.2250738585072014e-308 1e400", diags);
  EXPECT_EQ(tokens[0].floatValue, 0.1);
  EXPECT_EQ(tokens[1].floatValue, 2.2250738585072014e-308);
  EXPECT_TRUE(std::isinf(tokens[2].floatValue)); // as CPython: float('1e400') == inf
}

TEST(FrontendLexer, StringsDecodeEscapesAndKeepPrefixes) {
  DiagnosticEngine diags;
  auto tokens = lex("'a\\tb' r'a\\tb' f\"x\" \"\"\"two\nlines\"\"\"", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(tokens[0].stringValue, "a\tb");
  EXPECT_EQ(tokens[1].stringValue, "a\\tb");
  EXPECT_EQ(tokens[2].stringPrefix, "f");
  EXPECT_EQ(tokens[3].stringValue, "two\nlines");
  EXPECT_EQ(tokens[3].span.endLine, 2u);
}

TEST(FrontendLexer, SpansCountCodePointsAndHandleCrlf) {
  DiagnosticEngine diags;
  auto tokens = lex("é = 1\r\nx = 2\r\n", diags);
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(tokens[0].text, "é");
  EXPECT_EQ(tokens[1].span.column, 3u); // `=` is the third character, fourth byte
  EXPECT_EQ(tokens[4].span.line, 2u);
  EXPECT_EQ(tokens[4].span.column, 1u);
}

TEST(FrontendLexer, MultiCharacterOperatorsAreLongestMatch) {
  DiagnosticEngine diags;
  auto tokens = lex("a //= b ** -c -> d != e := f", diags);
  std::vector<std::string> ops;
  for (const Token &token : tokens)
    if (token.kind == TokenKind::Operator)
      ops.push_back(token.text);
  EXPECT_EQ(ops, (std::vector<std::string>{"//=", "**", "-", "->", "!=", ":="}));
}

TEST(FrontendLexer, ErrorsAreReportedWithCodesAndLexingContinues) {
  DiagnosticEngine diags;
  auto tokens = lex("x = 1 $ 2\ny = 'open\nz = 3j\nw = 1__0\n", diags);
  std::vector<std::string> codes;
  for (const Diagnostic &diagnostic : diags.diagnostics())
    codes.push_back(diagnostic.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"E0103", "E0104", "E0110", "E0105"}));
  EXPECT_EQ(tokens.back().kind, TokenKind::EndOfFile);
}

TEST(FrontendLexer, TabsAfterSpacesAreInconsistent) {
  DiagnosticEngine diags;
  lex("if x:\n        y\n\tz\n", diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].code, "E0106");
  DiagnosticEngine consistent;
  lex("if x:\n\ty\n\tz\n", consistent);
  EXPECT_FALSE(consistent.hasErrors());
}

TEST(FrontendLexer, InvalidUtf8AndNulStopWithOneError) {
  DiagnosticEngine utf8;
  auto tokens = lex("x = 1\ny = '\xff'\n", utf8);
  ASSERT_EQ(utf8.diagnostics().size(), 1u);
  EXPECT_EQ(utf8.diagnostics()[0].code, "E0101");
  EXPECT_EQ(utf8.diagnostics()[0].primary.span.line, 2u);
  EXPECT_EQ(tokens.size(), 1u);
  DiagnosticEngine nul;
  lex(std::string("x = 1\0", 6), nul);
  ASSERT_EQ(nul.diagnostics().size(), 1u);
  EXPECT_EQ(nul.diagnostics()[0].code, "E0102");
}

TEST(FrontendLexer, UnclosedBracketReportsTheOpening) {
  DiagnosticEngine diags;
  lex("x = f(1,\n  [2\n", diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].code, "E0109");
  EXPECT_EQ(diags.diagnostics()[0].primary.span.column, 6u);
}

TEST(FrontendLexer, DumpTokensShowsSpansAndKinds) {
  DiagnosticEngine diags;
  std::string dump = dumpTokens("t.py", "x = 1.5\n", diags);
  EXPECT_EQ(dump, "1:1-1:2 NAME x\n1:3-1:4 OP =\n1:5-1:8 FLOAT 1.5\n1:8-1:9 NEWLINE\n2:1-2:1 EOF\n");
}

} // namespace
} // namespace pyvc::frontend::testing
