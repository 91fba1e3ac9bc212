// Diagnostics: the table (stable, unique codes), and both renderers on real reports.
#include "FrontendTestSupport.h"

#include <set>

namespace pyvc::frontend::testing {
namespace {

TEST(FrontendDiagnostics, TableCodesAreUniqueAndMessagesFollowTheStyle) {
  std::set<std::string> codes;
  for (const DiagnosticKindInfo &kind : allDiagnosticKinds()) {
    EXPECT_TRUE(codes.insert(kind.code).second) << "duplicate code " << kind.code;
    std::string message = kind.message;
    ASSERT_FALSE(message.empty());
    EXPECT_FALSE(std::isupper(static_cast<unsigned char>(message[0])) && message[0] != '`') << kind.code;
    EXPECT_NE(message.back(), '.') << kind.code;
    EXPECT_EQ(diagnosticKindInfo(kind.kind).code, std::string(kind.code));
  }
  EXPECT_GE(codes.size(), 40u);
}

TEST(FrontendDiagnostics, RendersLikeRustc) {
  std::string text = "def f(x: int) -> int:\n    table = {1: 2, 3: 4}\n    return x\n";
  auto compiled = compile(text);
  EXPECT_EQ(renderDiagnostics(compiled->diags.diagnostics(), "sensors/rules.py", text, DiagnosticFormat::Text, false),
            "error[E0203]: `dict` is not supported in kernels\n"
            " --> sensors/rules.py:2:13\n"
            "  |\n"
            "2 |     table = {1: 2, 3: 4}\n"
            "  |             ^^^^^^^^^^^^ dict literal\n"
            "  = help: kernels take numbers, bools and lists of them\n"
            "\n"
            "error: aborting due to 1 previous error\n");
}

TEST(FrontendDiagnostics, SecondaryLabelsAndWideGutters) {
  std::string text = "def f(x: float) -> float:\n    return x\n";
  for (int i = 0; i < 9; ++i)
    text += "\n";
  text += "def f(x: float) -> float:\n    return x\n";
  auto compiled = compile(text);
  std::string rendered = compiled->rendered();
  EXPECT_NE(rendered.find("error[E0313]: `f` is defined more than once\n  --> test.py:12:1\n   |\n1  | def f"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("   | ------------------------ first defined here"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("...\n12 | def f(x: float) -> float:\n   | ^^^^^^^^^^^^^^^^^^^^^^^^ redefined here"),
            std::string::npos)
      << rendered;
}

TEST(FrontendDiagnostics, TabsAreExpandedUnderTheCaret) {
  std::string text = "def f(x: float) -> float:\n\treturn y\n";
  auto compiled = compile(text);
  std::string rendered = compiled->rendered();
  EXPECT_NE(rendered.find("2 |     return y\n  |            ^ not found"), std::string::npos) << rendered;
}

TEST(FrontendDiagnostics, JsonHasEveryField) {
  std::string text = "def f(x: float) -> float:\n    return \"a\\\"b\"\n";
  auto compiled = compile(text);
  std::string json = renderDiagnostics(compiled->diags.diagnostics(), "dir/k.py", text, DiagnosticFormat::Json, false);
  EXPECT_EQ(json, "[\n {\"severity\": \"error\", \"code\": \"E0214\", \"message\": \"strings are not supported in "
                  "kernels\", \"file\": \"dir/k.py\", \"line\": 2, \"column\": 12, \"end_line\": 2, \"end_column\": 18, "
                  "\"labels\": [{\"line\": 2, \"column\": 12, \"end_line\": 2, \"end_column\": 18, \"message\": "
                  "\"string literal\", \"primary\": true}], \"help\": [\"strings are only allowed as docstrings, and as "
                  "`float(\\\"nan\\\")`/`float(\\\"inf\\\")`\"]}\n]\n");
  EXPECT_EQ(renderDiagnostics({}, "k.py", "", DiagnosticFormat::Json, false), "[]\n");
}

TEST(FrontendDiagnostics, ColourUsesAnsiEscapesOnlyWhenAsked) {
  std::string text = "def f(x: float) -> float:\n    return y\n";
  auto compiled = compile(text);
  std::string plain = renderDiagnostics(compiled->diags.diagnostics(), "k.py", text, DiagnosticFormat::Text, false);
  std::string coloured = renderDiagnostics(compiled->diags.diagnostics(), "k.py", text, DiagnosticFormat::Text, true);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[1;31merror[E0301]"), std::string::npos) << coloured;
}

TEST(FrontendDiagnostics, SeveralErrorsInOneRun) {
  auto compiled = compile("def f(x: float) -> int:\n    y = {}\n    return x\n\ndef g(n: int) -> int:\n"
                          "    return h(n)\n\ndef k(xs: list[float]) -> float:\n    xs[0] = 1.0\n    return xs[0]\n");
  EXPECT_EQ(compiled->codes(), (std::vector<std::string>{"E0203", "E0304", "E0301", "E0312"}));
  EXPECT_EQ(compiled->module, nullptr);
}

TEST(FrontendDiagnostics, WarningsAloneStillBuildTheModule) {
  auto compiled = compile("def f(x: float) -> float:\n    return x\n\nif __name__ == \"__main__\":\n    print(f(1.0))\n");
  EXPECT_EQ(compiled->codes(), std::vector<std::string>{"W0201"});
  EXPECT_NE(compiled->module, nullptr);
  EXPECT_NE(compiled->rendered().find("warning: 1 warning emitted"), std::string::npos);
}

} // namespace
} // namespace pyvc::frontend::testing
