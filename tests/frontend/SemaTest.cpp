// Semantic analysis on valid kernels: the IR shape of representative constructs (conversions,
// desugaring, loops, comprehensions), checked through the IR verifier and printer.
#include "FrontendTestSupport.h"

namespace pyvc::frontend::testing {
namespace {

TEST(Sema, EmptyFileIsAModuleWithoutFunctions) {
  auto compiled = compileValid("");
  ASSERT_TRUE(compiled->module);
  EXPECT_TRUE(compiled->module->functions.empty());
}

TEST(Sema, ScalarFunction) {
  auto compiled = compileValid("def add(a: float, b: int) -> float:\n    return a + b\n");
  ASSERT_TRUE(compiled->module);
  std::cout << compiled->ir();
}

} // namespace
} // namespace pyvc::frontend::testing
