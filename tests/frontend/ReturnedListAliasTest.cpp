// E0329: a call returns a copy of a list its callee returns from a parameter, so passing a list
// the caller can still name to a function that may return it is rejected; fresh temporaries,
// fresh results and scalars are not. These pin down the rule; the golden file pins the text.
#include "FrontendTestSupport.h"

namespace pyvc::frontend::testing {
namespace {

using Case = CodesCase;

class ReturnedListAlias : public ::testing::TestWithParam<Case> {};

TEST_P(ReturnedListAlias, ReportsExactlyTheseCodes) {
  const Case &c = GetParam();
  auto compiled = compile(c.source);
  EXPECT_EQ(compiled->codes(), c.codes) << compiled->rendered();
  EXPECT_EQ(compiled->module != nullptr, c.codes.empty()) << compiled->rendered();
}

// The helper every case below may call: it returns its list parameter.
#define IDENTITY "def _identity(ys: list[int]) -> list[int]:\n    return ys\n\n"

const Case cases[] = {
    // The colleague's report: CPython returns [99, 2, 3], a copy would give [1, 2, 3].
    {"LocalPassedThenResultMutated",
     IDENTITY "def f(xs: list[int]) -> list[int]:\n    zs = [1, 2, 3]\n    ws = _identity(zs)\n    ws[0] = 99\n    return zs\n",
     {"E0329"}},
    {"LocalPassedThenLocalMutated",
     IDENTITY "def f() -> int:\n    zs = [1, 2, 3]\n    ws = _identity(zs)\n    zs[0] = 99\n    return ws[0]\n", {"E0329"}},
    // In CPython this would modify the caller's input (what E0312 forbids directly).
    {"ParameterPassed", IDENTITY "def f(xs: list[int]) -> list[int]:\n    ws = _identity(xs)\n    ws.append(1)\n    return ws\n",
     {"E0329"}},
    {"ConditionalWithANamedBranch",
     IDENTITY "def f(c: bool) -> int:\n    zs = [1]\n    ws = _identity([2] if c else zs)\n    return ws[0]\n", {"E0329"}},
    {"CallBeforeDefinition",
     "def f() -> int:\n    zs = [1]\n    return _identity(zs)[0]\n\n" IDENTITY, {"E0329"}},
    {"ReturnedThroughALocalAlias",
     "def g(ys: list[int]) -> list[int]:\n    zs = ys\n    return zs\n\ndef f() -> int:\n    zs = [1]\n    return g(zs)[0]\n",
     {"E0329"}},
    {"ReturnedThroughAConditional",
     "def g(ys: list[int], c: bool) -> list[int]:\n    return ys if c else [0]\n\n"
     "def f(c: bool) -> int:\n    zs = [1]\n    return g(zs, c)[0]\n",
     {"E0329"}},
    {"EveryNamedListArgumentIsReported",
     "def g(a: list[int], b: list[int], n: int) -> list[int]:\n    return a if n > 0 else b\n\n"
     "def f(n: int) -> int:\n    p = [1]\n    q = [2]\n    return g(p, q, n)[0]\n",
     {"E0329", "E0329"}},
    {"RecursiveFunctionReturningItsParameter",
     "def g(ys: list[int], n: int) -> list[int]:\n    if n <= 0:\n        return ys\n    return g(ys[:], n - 1)\n\n"
     "def f() -> int:\n    zs = [1]\n    return g(zs, 3)[0]\n",
     {"E0329"}},
    // Reported last, shown in source order with the others.
    {"InSourceOrderWithOtherErrors",
     IDENTITY "def f(x: float) -> int:\n    zs = [1]\n    ws = _identity(zs)\n    return x\n", {"E0329", "E0304"}},

    // Fresh temporaries: a copy of them is invisible.
    {"FreshArgumentsAreFine",
     IDENTITY "def f(xs: list[int]) -> int:\n    a = _identity(xs[:])\n    b = _identity([1, 2])\n"
              "    c = _identity([x + 1 for x in xs])\n    d = _identity(_identity(xs[:]))\n    e = _identity(sorted(xs))\n"
              "    a[0] = 1\n    b.append(3)\n    return len(a) + len(b) + len(c) + len(d) + len(e)\n",
     {}},
    // Functions returning fresh lists may take named lists.
    {"FreshResultsAcceptNamedArguments",
     "def g(ys: list[int]) -> list[int]:\n    return ys[:]\n\ndef h(ys: list[int]) -> list[int]:\n    return sorted(ys)\n\n"
     "def k(ys: list[int]) -> list[int]:\n    return [y * 2 for y in ys]\n\n"
     "def m(ys: list[int]) -> list[int]:\n    return g(ys)\n\n"
     "def f(xs: list[int]) -> int:\n    zs = [1, 2]\n    a = g(zs)\n    b = h(zs)\n    c = k(xs)\n    d = m(xs)\n"
     "    a[0] = 9\n    b.append(1)\n    c.append(2)\n    d.append(3)\n    return a[0] + b[0] + c[0] + d[0] + zs[0]\n",
     {}},
    // A recursive function whose only list return is a call result or a literal returns fresh lists.
    {"RecursionThroughCallResultsIsFresh",
     "def g(ys: list[int], n: int) -> list[int]:\n    if n <= 0:\n        return [len(ys)]\n    return g(ys, n - 1)\n\n"
     "def f() -> int:\n    zs = [1]\n    return g(zs, 3)[0]\n",
     {}},
    {"ScalarArgumentsAreFine", "def g(x: int) -> int:\n    return x\n\ndef f(n: int) -> int:\n    m = n\n    return g(m)\n", {}},
    // Callers outside the module get a copy through the C ABI by design.
    {"ExportedFunctionMayReturnItsParameter", IDENTITY "def f(xs: list[int]) -> list[int]:\n    return xs\n", {}},
    {"NamedScalarArgumentBesideAFreshList",
     "def g(ys: list[int], n: int) -> list[int]:\n    return ys\n\ndef f(n: int) -> int:\n    return g([n], n)[0]\n", {}},
};

INSTANTIATE_TEST_SUITE_P(Frontend, ReturnedListAlias, ::testing::ValuesIn(cases),
                         caseName);

// The help line rewrites the call with just the offending argument copied.
TEST(ReturnedListAliasMessage, SuggestsCopyingTheArgument) {
  auto compiled = compile(IDENTITY "def f() -> int:\n    zs = [1]\n    return _identity(zs)[0]\n");
  std::string text = compiled->rendered();
  EXPECT_NE(text.find("`_identity` may return its list argument `zs`; pyvc would return a copy"), std::string::npos) << text;
  EXPECT_NE(text.find("`_identity(zs[:])`"), std::string::npos) << text;
}

TEST(ReturnedListAliasMessage, CopiesOnlyTheOffendingArgumentOfSeveral) {
  auto compiled = compile("def g(a: list[int], b: list[int], c: bool) -> list[int]:\n    return a\n\n"
                          "def f(c: bool) -> int:\n    p = [1]\n    return g([2], p if c else [3], c)[0]\n");
  std::string text = compiled->rendered();
  EXPECT_NE(text.find("list argument `p if c else [3]`"), std::string::npos) << text;
  EXPECT_NE(text.find("`g([2], (p if c else [3])[:], c)`"), std::string::npos) << text;
}

// The argument's text is cut from the source by its span, whatever the line endings.
TEST(ReturnedListAliasMessage, QuotesTheArgumentWithAnyLineEnding) {
  for (const char *newline : {"\r\n", "\r"}) {
    std::string source = std::string("def _identity(ys: list[int]) -> list[int]:") + newline + "    return ys" + newline +
                         newline + "def f(c: bool) -> int:" + newline + "    zs = [1]" + newline +
                         "    return _identity(zs if c else [2])[0]" + newline;
    auto compiled = compile(source);
    std::string text = compiled->rendered();
    EXPECT_NE(text.find("`_identity((zs if c else [2])[:])`"), std::string::npos) << text;
  }
}

#undef IDENTITY

} // namespace
} // namespace pyvc::frontend::testing
