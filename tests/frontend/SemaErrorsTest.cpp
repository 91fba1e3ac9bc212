// Semantic errors: each snippet must be rejected with exactly the listed codes (the golden
// files test the rendered messages; these pin down the rules behind them).
#include "FrontendTestSupport.h"

namespace pyvc::frontend::testing {
namespace {

using Case = CodesCase;

class SemaErrors : public ::testing::TestWithParam<Case> {};

TEST_P(SemaErrors, ReportsExactlyTheseCodes) {
  const Case &c = GetParam();
  auto compiled = compile(c.source);
  EXPECT_EQ(compiled->codes(), c.codes) << compiled->rendered();
  bool onlyWarnings = std::all_of(c.codes.begin(), c.codes.end(), [](const std::string &code) { return code[0] == 'W'; });
  EXPECT_EQ(compiled->module != nullptr, onlyWarnings);
}

const Case cases[] = {
    {"ReturnFloatFromInt", "def f(x: float) -> int:\n    return x * 2\n", {"E0304"}},
    {"ReturnIntFromFloatIsFine", "def f(x: int) -> float:\n    return x * 2\n", {}},
    {"BoolFromIntIsNarrowing", "def f(x: int) -> bool:\n    return x\n", {"E0304"}},
    {"WrongArgumentCount", "def f(x: float) -> float:\n    return f(x, x)\n", {"E0305"}},
    {"UnknownName", "def f(x: float) -> float:\n    return x + q\n", {"E0301"}},
    {"LoopVariableAfterLoopIsPossiblyUnassigned", "def f(n: int) -> int:\n    for i in range(n):\n        pass\n    return i\n", {"E0308"}},
    {"AssignedOnBothBranchesIsFine", "def f(x: float) -> float:\n    if x > 0:\n        y = 1.0\n    else:\n        y = 2.0\n    return y\n", {}},
    {"AssignedBeforeReturnInOneBranch", "def f(x: float) -> float:\n    if x > 0:\n        return 1.0\n    else:\n        y = 2.0\n    return y\n", {}},
    {"UsedBeforeAssignmentInLoop", "def f(xs: list[float]) -> float:\n    for x in xs:\n        if x > 0:\n            prev = x\n        else:\n            x = prev\n    return 0.0\n", {"E0308"}},
    {"MissingReturnAfterIf", "def f(x: float) -> float:\n    if x > 0:\n        return x\n", {"E0307"}},
    {"MissingReturnAfterWhileWithBreak", "def f(x: float) -> float:\n    while True:\n        break\n", {"E0307"}},
    {"ParameterStore", "def f(xs: list[float]) -> float:\n    xs[0] = 1.0\n    return 0.0\n", {"E0312"}},
    {"AliasOfParameterAppend", "def f(xs: list[float], c: bool) -> float:\n    ys = xs if c else [1.0]\n    ys.append(2.0)\n    return 0.0\n", {"E0312"}},
    {"CopyOfParameterIsMutable", "def f(xs: list[float]) -> list[float]:\n    ys = xs[:]\n    ys[0] = 1.0\n    ys.append(2.0)\n    return ys\n", {}},
    {"RebindingParameterNameIsFine", "def f(x: float) -> float:\n    x = x * 2\n    return x\n", {}},
    {"ParameterCannotWidenItsType", "def f(n: int) -> int:\n    n = n / 2\n    return n\n", {"E0309"}},
    {"ListAndScalarInOneLocal", "def f(x: float) -> float:\n    y = x\n    y = [x]\n    return x\n", {"E0309"}},
    {"ListElementMismatchOnCall", "def g(xs: list[int]) -> int:\n    return 0\n\ndef f(xs: list[float]) -> int:\n    return g(xs)\n", {"E0310"}},
    {"ConditionalListLiteralTakesTheOtherBranchType", "def f(xs: list[float], c: bool) -> list[float]:\n    ys = xs[:] if c else [0]\n    return ys\n", {}},
    {"ConditionalListOfIntsDoesNotWiden", "def f(xs: list[float], ns: list[int], c: bool) -> list[float]:\n    return xs if c else ns\n", {"E0310"}},
    {"ListLiteralTakesTheParameterType", "def g(xs: list[float]) -> float:\n    return 0.0\n\ndef f() -> float:\n    return g([1, 2])\n", {}},
    {"NestedFunctionIsUnsupported", "def f(x: float) -> float:\n    def g(y: float) -> float:\n        return y\n    return x\n", {"E0204"}},
    {"ExpressionStatement", "def f(x: float) -> float:\n    x * 2\n    return x\n", {"E0213"}},
    {"PrintIsAnUnsupportedBuiltin", "def f(x: float) -> float:\n    print(x)\n    return x\n", {"E0321"}},
    {"StringsOutsideDocstrings", "def f(x: float) -> float:\n    s = 'a'\n    return x\n", {"E0214"}},
    {"ComprehensionVariableDoesNotLeak", "def f(xs: list[float]) -> float:\n    ys = [x for x in xs]\n    return x\n", {"E0301"}},
    {"ComprehensionVariableShadowsLocal", "def f(xs: list[float]) -> int:\n    x = 1\n    ys = [x for x in xs]\n    return x\n", {}},
    {"RangeOfFloat", "def f(x: float) -> int:\n    for i in range(x):\n        pass\n    return 0\n", {"E0304"}},
    {"MainBlockIsAWarning", "def f(x: float) -> float:\n    return x\n\nif __name__ == '__main__':\n    f(1.0)\n", {"W0201"}},
    {"ModuleLevelCode", "x = 1\nx += 1\n", {"E0210"}},
    {"ConstantOverflow", "BIG = 2 ** 63\n", {"E0325"}},
    {"NegativeIntPowerConstantIsFloat", "X = 2 ** -1\n\ndef f() -> float:\n    return X\n", {}},
    {"TupleNeedsUnpacking", "def p() -> tuple[int, int]:\n    return 1, 2\n\ndef f() -> int:\n    return p() + 1\n", {"E0311"}},
    {"ReturnNothing", "def f(x: float) -> float:\n    return\n", {"E0304"}},
    {"TooFewTupleMembers", "def f(x: float) -> tuple[float, float]:\n    return x, x, x\n", {"E0304"}},
};

INSTANTIATE_TEST_SUITE_P(Frontend, SemaErrors, ::testing::ValuesIn(cases),
                         caseName);

} // namespace
} // namespace pyvc::frontend::testing
