// Vector code in the output: the FixedLanes sum and the batch variant must use NEON on aarch64
// and ymm registers on x86-64-v3 (read from the assembly; timing under qemu means nothing), and
// the emitted IR must never carry fast-math flags or fused multiply-adds.
#include "KernelTestSupport.h"
#include "ReductionKernels.h"

#include <regex>

namespace pyvc::backends::test {
namespace {

const TargetSpec Aarch64{"aarch64-unknown-linux-gnu", "cortex-a72", "+neon"};
const TargetSpec X86V3{"x86_64-unknown-linux-gnu", "x86-64-v3", ""};

// The body of one function in an assembly listing (from its label to the next .size).
std::string functionAssembly(const std::string &assembly, const std::string &name) {
  size_t start = assembly.find("\n" + name + ":");
  if (start == std::string::npos)
    return "";
  size_t end = assembly.find(".size\t" + name, start);
  return assembly.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class Codegen : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    module_ = new ir::Module;
    buildReductionKernels(*module_);
  }
  static void TearDownTestSuite() { delete module_; }
  static ir::Module *module_;
};
ir::Module *Codegen::module_ = nullptr;

TEST_F(Codegen, FixedLaneSumUsesNeonOnAarch64) {
  std::string assembly = emitAssembly(*module_, Aarch64, 2);
  for (const char *function : {"pyvc_kernels_fn_fsum_lanes", "pyvc_kernels_fn_sum_gt"}) {
    std::string body = functionAssembly(assembly, function);
    ASSERT_FALSE(body.empty()) << function;
    EXPECT_TRUE(std::regex_search(body, std::regex(R"(fadd\s+v\d+\.2d)"))) << function << body;
  }
  // The filter of sum_gt becomes a vector compare and select, not a branch per element.
  std::string sumGt = functionAssembly(assembly, "pyvc_kernels_fn_sum_gt");
  EXPECT_TRUE(std::regex_search(sumGt, std::regex(R"(fcm(gt|ge|lt)\s+v\d+\.2d)"))) << sumGt;
}

TEST_F(Codegen, FixedLaneSumUsesYmmOnX86V3) {
  std::string assembly = emitAssembly(*module_, X86V3, 2);
  std::string body = functionAssembly(assembly, "pyvc_kernels_fn_fsum_lanes");
  ASSERT_FALSE(body.empty());
  EXPECT_TRUE(std::regex_search(body, std::regex(R"(vaddpd\s+.*ymm)"))) << body;
}

TEST_F(Codegen, BatchVariantVectorizes) {
  std::string aarch64 = functionAssembly(emitAssembly(*module_, Aarch64, 2), "pyvc_kernels_batch_scaled");
  ASSERT_FALSE(aarch64.empty());
  EXPECT_TRUE(std::regex_search(aarch64, std::regex(R"(fmul\s+v\d+\.2d)"))) << aarch64;
  EXPECT_TRUE(std::regex_search(aarch64, std::regex(R"(fadd\s+v\d+\.2d)"))) << aarch64;
  EXPECT_FALSE(std::regex_search(aarch64, std::regex(R"(fmla|fmadd)"))) << "contraction is forbidden";
  std::string x86 = functionAssembly(emitAssembly(*module_, X86V3, 2), "pyvc_kernels_batch_scaled");
  ASSERT_FALSE(x86.empty());
  EXPECT_TRUE(std::regex_search(x86, std::regex(R"(vmulpd\s+.*ymm)"))) << x86;
  EXPECT_FALSE(std::regex_search(x86, std::regex(R"(vfmadd)"))) << "contraction is forbidden";
}

TEST_F(Codegen, NoFastMathFlagsOrFusedMultiplyAdd) {
  for (int level : {0, 2, 3}) {
    std::string text = optimizedIR(*module_, X86V3, level);
    ASSERT_FALSE(text.empty());
    for (const char *forbidden : {"fmuladd", "llvm.fma", " fast ", " reassoc ", " contract ", " nnan ", " ninf ", " nsz "})
      EXPECT_EQ(text.find(forbidden), std::string::npos) << forbidden << " at -O" << level;
  }
}

TEST_F(Codegen, NoTrapsInTheOutput) {
  std::string text = optimizedIR(*module_, X86V3, 2);
  EXPECT_EQ(text.find("llvm.trap"), std::string::npos);
  EXPECT_EQ(text.find("llvm.debugtrap"), std::string::npos);
}

TEST_F(Codegen, DebugLocationsCarryTheSourceLines) {
  // Line tables let the compiler map optimisation remarks to source lines (`pyvc explain`).
  std::string text = optimizedIR(*module_, X86V3, 0);
  EXPECT_NE(text.find("emissionKind: LineTablesOnly"), std::string::npos);
  EXPECT_NE(text.find("!DILocation(line: 2, column: 5"), std::string::npos);
  EXPECT_NE(text.find("DW_LANG_Python"), std::string::npos);
}

TEST_F(Codegen, LoweringIsDeterministic) {
  std::string first = optimizedIR(*module_, Aarch64, 0);
  std::string second = optimizedIR(*module_, Aarch64, 0);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, second);
}

} // namespace
} // namespace pyvc::backends::test
