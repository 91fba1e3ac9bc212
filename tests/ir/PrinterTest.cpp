// The printer's text is what golden tests and `--emit=ir` show: check its exact form.
#include "SampleModules.h"
#include "ir/Printer.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace pyvc::ir;
using namespace pyvc::ir::testing;

TEST(Printer, MeanPrintsSignatureLocalsAndBody) {
  Module module;
  module.sourcePath = "kernels.py";
  addMean(module);
  EXPECT_EQ(printModule(module),
            "# module kernels.py\n"
            "\n"
            "def mean(xs#0: list[float]) -> float:  # scalar; errors: none; line 1\n"
            "    # locals: x#1: float\n"
            "    return (sum[sequential](x#1 for x#1 in xs#0; start=0.0) / "
            "int_to_float(len(xs#0)))\n");
}

TEST(Printer, LoopsIfsAndAnalysisFlags) {
  Module module;
  addRises(module);
  Function &function = module.functions[0];
  function.classification = Classification::Kernel;
  function.possibleErrors = {ErrorKind::Index, ErrorKind::Overflow};
  EXPECT_EQ(printFunction(module, function),
            "def rises(xs#0: list[float]) -> int:  # kernel; errors: IndexError, OverflowError; "
            "line 1\n"
            "    # locals: count#1: int, i#2: int\n"
            "    count#1 = 0\n"
            "    for i#2 in range(1, len(xs#0), 1):\n"
            "        if (xs#0[(i#2 - 1)] < xs#0[i#2]):\n"
            "            count#1 = (count#1 + 1)\n"
            "    return count#1\n");
}

TEST(Printer, FloatConstantsRoundTripAndSpecialValues) {
  Module module;
  FunctionBuilder b(module, "f", Type::floating());
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(0.1)), "0.1");
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(2.0)), "2.0");
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(-0.0)), "-0.0");
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(1e300)), "1e+300");
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(INFINITY)), "inf");
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(NAN)), "nan");
  EXPECT_EQ(printExpr(module, b.fn(), b.f64(1.0 / 3.0)), "0.3333333333333333");
}

TEST(Printer, ToleratesBrokenIR) {
  Module module;
  FunctionBuilder b(module, "broken", Type::integer());
  auto *call = module.make<CallExpr>(Type::integer(), Span{}, 42);
  call->arguments.push_back(nullptr);
  b.fn().body = {b.ret(call), nullptr};
  std::string text = printFunction(module, b.fn());
  EXPECT_NE(text.find("<bad callee 42>(<null>)"), std::string::npos) << text;
  EXPECT_NE(text.find("<null statement>"), std::string::npos) << text;
}
