// Robustness: buildIR must return (and, when it accepts a file, give IR the verifier accepts)
// on any input: random bytes, mutated valid kernels, pathological nesting and sizes.
#include "FrontendTestSupport.h"

#include <random>

namespace pyvc::frontend::testing {
namespace {

const char *const SeedKernel = R"(import math

SCALE = 2.0

def mean(xs: list[float]) -> float:
    """Average."""
    return sum(xs) / len(xs)

def clamp(xs: list[float], lo: float, hi: float) -> list[float]:
    return [min(max(x, lo), hi) for x in xs if x == x]

def hist(xs: list[float], bins: int) -> list[int]:
    counts = [0] * bins
    for i, x in enumerate(xs):
        k = int(x * SCALE) % bins
        counts[k] += 1
        while k > 0 and counts[k] > 3:
            k -= 1
    return counts

def pair(a: int, b: int) -> tuple[int, int]:
    a, b = b, a
    return a, b if a < b else -b
)";

// Runs the whole frontend on `text`; the test fails on a crash, an accepted file with invalid
// IR, or a rejected file without any error diagnostic.
void expectGraceful(const std::string &text) {
  DiagnosticEngine diags;
  std::unique_ptr<ir::Module> module = buildIR("fuzz.py", text, diags);
  if (module) {
    std::vector<std::string> problems = ir::verifyModule(*module);
    ASSERT_TRUE(problems.empty()) << problems.front() << "\n--- input ---\n" << text;
  } else {
    ASSERT_TRUE(diags.hasErrors()) << "rejected without an error\n--- input ---\n" << text;
  }
  // The dumps behind --emit=tokens and --emit=ast must cope too.
  DiagnosticEngine dumpDiags;
  dumpTokens("fuzz.py", text, dumpDiags);
  dumpAst("fuzz.py", text, dumpDiags);
  // Rendering must cope with whatever spans and bytes the diagnostics refer to.
  renderDiagnostics(diags.diagnostics(), "fuzz.py", text, DiagnosticFormat::Text, true);
  renderDiagnostics(diags.diagnostics(), "fuzz.py", text, DiagnosticFormat::Json, false);
}

TEST(FrontendFuzz, RandomBytes) {
  std::mt19937 random(12345);
  for (int round = 0; round < 300; ++round) {
    std::string text(random() % 400, '\0');
    for (char &c : text)
      c = static_cast<char>(random() % 256);
    expectGraceful(text);
  }
}

TEST(FrontendFuzz, RandomPythonishTokens) {
  static const char *const pieces[] = {"def ", "f", "(", ")", ":", "\n", "    ", "return ", "x", " + ", "[", "]",
                                       ",", "for ", " in ", "range(", "1", "2.5", "if ", "else", "\t", "'", "\"\"\"",
                                       "=", "+=", "lambda", "{", "}", "not ", " and ", "xs", "*", "**", "-", "#",
                                       "\\\n", "while ", "break", "sum(", "math.", "sqrt", "list[float]", "->"};
  std::mt19937 random(777);
  for (int round = 0; round < 500; ++round) {
    std::string text;
    size_t count = random() % 80;
    for (size_t i = 0; i < count; ++i)
      text += pieces[random() % (sizeof pieces / sizeof *pieces)];
    expectGraceful(text);
  }
}

TEST(FrontendFuzz, MutatedValidKernel) {
  ASSERT_TRUE(compile(SeedKernel)->module) << compile(SeedKernel)->rendered();
  std::mt19937 random(4242);
  const std::string seed = SeedKernel;
  for (int round = 0; round < 600; ++round) {
    std::string text = seed;
    int mutations = 1 + static_cast<int>(random() % 4);
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      size_t at = random() % text.size();
      switch (random() % 4) {
      case 0: text.erase(at, 1 + random() % 6); break;                                 // delete a few bytes
      case 1: text.insert(at, 1, "()[]:,.=+-*/ \n\tx0\"'#"[random() % 20]); break;     // insert a byte
      case 2: text[at] = static_cast<char>(random() % 128); break;                     // replace a byte
      default: text.insert(at, text.substr(random() % text.size(), random() % 30)); // duplicate a slice
      }
    }
    expectGraceful(text);
  }
}

TEST(FrontendFuzz, FiveThousandNestedParentheses) {
  std::string text = "def f(x: float) -> float:\n    return " + std::string(5000, '(') + "x" + std::string(5000, ')') + "\n";
  auto compiled = compile(text);
  EXPECT_EQ(compiled->module, nullptr);
  EXPECT_EQ(compiled->codes(), std::vector<std::string>{"E0206"});
  std::string unary = "def f(x: float) -> float:\n    return " + std::string(5000, '-') + "x\n";
  EXPECT_EQ(compile(unary)->codes(), std::vector<std::string>{"E0206"});
  std::string lists = "def f(x: float) -> float:\n    return " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  EXPECT_EQ(compile(lists)->codes(), std::vector<std::string>{"E0206"});
  std::string power = "def f(x: float) -> float:\n    return x";
  for (int i = 0; i < 5000; ++i)
    power += " ** x";
  EXPECT_EQ(compile(power + "\n")->codes(), std::vector<std::string>{"E0206"});
}

TEST(FrontendFuzz, DeeplyIndentedBlocks) {
  std::string text = "def f(x: float) -> float:\n";
  std::string indent = "    ";
  for (int i = 0; i < 3000; ++i) {
    text += indent + "if x > 0:\n";
    indent += " ";
  }
  text += indent + "return x\n    return x\n";
  auto compiled = compile(text);
  EXPECT_EQ(compiled->module, nullptr);
  EXPECT_FALSE(compiled->codes().empty());
}

TEST(FrontendFuzz, OneMegabyteExpressions) {
  // A long flat sum is a deep left-leaning tree: rejected with a diagnostic, not a stack overflow.
  std::string sum = "def f(x: float) -> float:\n    return x";
  while (sum.size() < (1u << 20))
    sum += " + 1.0";
  auto compiled = compile(sum + "\n");
  EXPECT_EQ(compiled->codes(), std::vector<std::string>{"E0327"});
  // A long list literal is flat: accepted.
  std::string list = "def f() -> list[float]:\n    return [0.5";
  while (list.size() < (1u << 20))
    list += ", 1.5";
  auto accepted = compileValid(list + "]\n");
  ASSERT_TRUE(accepted->module);
  EXPECT_GT(accepted->module->functions[0].body.size(), 0u);
}

TEST(FrontendFuzz, EmptyAndWhitespaceFilesAreValid) {
  for (const char *text : {"", "\n", "   \n\n", "# only a comment\n", "\"\"\"Docstring only.\"\"\"\n", "\xEF\xBB\xBF"}) {
    auto compiled = compile(text);
    ASSERT_TRUE(compiled->module) << compiled->rendered();
    EXPECT_TRUE(compiled->module->functions.empty());
  }
}

TEST(FrontendFuzz, CrlfLineEndingsAreAccepted) {
  std::string text;
  for (char c : std::string(SeedKernel)) {
    if (c == '\n')
      text += '\r';
    text += c;
  }
  auto compiled = compileValid(text);
  ASSERT_TRUE(compiled->module);
  EXPECT_EQ(compiled->module->functions.size(), 4u);
  EXPECT_EQ(compiled->function("hist").span.line, 12u);
}

TEST(FrontendFuzz, ManyErrorsAreCappedAndStillReturn) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "$ ? `\n";
  auto compiled = compile(text);
  EXPECT_EQ(compiled->module, nullptr);
  EXPECT_LE(compiled->diags.errorCount(), 200u);
}

} // namespace
} // namespace pyvc::frontend::testing
