// KernelFunction::call: every parameter and result shape through libffi, Python-style argument
// conversion, status codes mapped to exception names, and list results released with the library's free function.
#include "LoaderTestSupport.h"

#include <dlfcn.h>

#include <cmath>
#include <limits>

using namespace pyvc::loader;
using namespace pyvc::loader::testing;

namespace {

void expectValue(const CallOutcome &outcome, const Value &expected) {
  ASSERT_TRUE(outcome.ok()) << outcome.error().name << ": " << outcome.error().message;
  EXPECT_TRUE(identical(outcome.value(), expected));
}

void expectError(const CallOutcome &outcome, const std::string &name, const std::string &message) {
  ASSERT_FALSE(outcome.ok()) << "expected " << name;
  EXPECT_EQ(outcome.error().name, name);
  EXPECT_EQ(outcome.error().message, message);
}

// The library's own count of list results not yet released (test_kernels.c).
int64_t liveAllocations() {
  CallOutcome outcome = callKernel("live_allocations", {});
  EXPECT_TRUE(outcome.ok());
  return outcome.value().asInt();
}

} // namespace

TEST(LoaderKernelCall, FloatListToFloat) {
  expectValue(callKernel("mean", {L({F(1.0), F(2.0), F(4.5)})}), F(2.5));
  expectValue(callKernel("mean", {T({F(3.0)})}), F(3.0)); // a tuple is a sequence too
}

TEST(LoaderKernelCall, IntsToInt) {
  expectValue(callKernel("div", {I(7), I(2)}), I(3));
  expectValue(callKernel("div", {I(-7), I(2)}), I(-4)); // floors, as Python does
  expectValue(callKernel("div", {I(INT64_MAX), I(1)}), I(INT64_MAX));
}

TEST(LoaderKernelCall, StatusesBecomeExceptionNamesWithMessages) {
  expectError(callKernel("mean", {L({})}), "ZeroDivisionError", "division by zero");
  expectError(callKernel("div", {I(1), I(0)}), "ZeroDivisionError",
              "integer division or modulo by zero");
  expectError(callKernel("div", {I(INT64_MIN), I(-1)}), "OverflowError",
              "int too large to fit in 64 bits");
  expectError(callKernel("at", {L({I(1)}), I(1)}), "IndexError", "list index out of range");
  expectError(callKernel("minmax", {L({})}), "ValueError", "min() arg is an empty sequence");
  expectError(callKernel("iota", {I(int64_t(1) << 50)}), "MemoryError", "");
  expectError(callKernel("deep", {I(5000)}), "RecursionError", "maximum recursion depth exceeded");
  expectError(callKernel("split", {F(NAN)}), "ValueError", "cannot convert float NaN to integer");
  expectError(callKernel("bad_status", {I(1)}), "SystemError", "status from the future");
}

TEST(LoaderKernelCall, NegativeIndicesCountFromTheEnd) {
  expectValue(callKernel("at", {L({I(10), I(20), I(30)}), I(-1)}), I(30));
  expectValue(callKernel("at", {L({I(10), I(20), I(30)}), I(-3)}), I(10));
  expectError(callKernel("at", {L({I(10)}), I(-2)}), "IndexError", "list index out of range");
}

TEST(LoaderKernelCall, FloatListResult) {
  expectValue(callKernel("clamp", {L({F(-5.0), F(0.5), F(9.0)}), F(0.0), F(1.0)}),
              L({F(0.0), F(0.5), F(1.0)}));
  expectValue(callKernel("clamp", {L({}), F(0.0), F(1.0)}), L({}));
}

TEST(LoaderKernelCall, IntAndBoolListResults) {
  expectValue(callKernel("iota", {I(4)}), L({I(0), I(1), I(2), I(3)}));
  expectValue(callKernel("iota", {I(-3)}), L({}));
  expectValue(callKernel("negate_all", {L({B(true), B(false), B(false)})}),
              L({B(false), B(true), B(true)}));
  expectValue(callKernel("count_true", {L({B(true), B(false), B(true)})}), I(2));
}

TEST(LoaderKernelCall, ListResultsAreReleasedWithPyvcFree) {
  int64_t before = liveAllocations();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(callKernel("clamp", {L({F(1.0), F(2.0)}), F(0.0), F(1.5)}).ok());
    ASSERT_TRUE(callKernel("iota", {I(100)}).ok());
    ASSERT_TRUE(callKernel("negate_all", {L({B(true)})}).ok());
  }
  EXPECT_EQ(liveAllocations(), before);
}

TEST(LoaderKernelCall, TupleResults) {
  expectValue(callKernel("minmax", {L({F(3.0), F(-1.0), F(2.0)})}), T({F(-1.0), F(3.0)}));
  expectValue(callKernel("describe", {L({I(1), I(-2), I(4)})}), T({I(3), F(3.0), B(true)}));
  expectValue(callKernel("describe", {L({})}), T({I(0), F(0.0), B(false)}));
  expectValue(callKernel("split", {F(-2.25)}), T({I(-3), F(0.75)}));
}

TEST(LoaderKernelCall, BoolParametersAndResults) {
  expectValue(callKernel("select", {B(true), F(1.5), F(2.5)}), F(1.5));
  expectValue(callKernel("select", {B(false), F(1.5), F(2.5)}), F(2.5));
  expectValue(callKernel("is_positive", {F(0.5)}), B(true));
  expectValue(callKernel("is_positive", {F(-0.0)}), B(false));
}

TEST(LoaderKernelCall, NoneResult) { expectValue(callKernel("nothing", {F(1.0)}), Value::none()); }

TEST(LoaderKernelCall, ThirteenMixedArgumentsReachTheKernelInOrder) {
  // Weights 1, 2, 4, ... 4096 make any swapped or dropped argument change the sum.
  expectValue(callKernel("mix", {I(1), F(1.0), B(true), I(1), F(1.0), F(1.0), F(1.0), F(1.0),
                                 F(1.0), F(1.0), F(1.0), I(1), B(true)}),
              F(8191.0));
  expectValue(callKernel("mix", {I(0), F(0.0), B(false), I(0), F(0.0), F(0.0), F(0.0), F(0.0),
                                 F(0.0), F(0.0), F(0.0), I(0), B(true)}),
              F(4096.0));
  expectValue(callKernel("mix", {I(0), F(0.0), B(false), I(0), F(0.0), F(0.0), F(0.0), F(0.0),
                                 F(0.0), F(0.0), F(0.0), I(3), B(false)}),
              F(6144.0));
}

TEST(LoaderKernelCall, SpecialFloatsPassThroughUnchanged) {
  expectValue(callKernel("select", {B(true), F(-0.0), F(1.0)}), F(-0.0));
  expectValue(callKernel("select", {B(true), F(INFINITY), F(1.0)}), F(INFINITY));
  CallOutcome nan = callKernel("select", {B(true), F(NAN), F(1.0)});
  ASSERT_TRUE(nan.ok());
  EXPECT_TRUE(std::isnan(nan.value().asFloat()));
  expectValue(callKernel("select", {B(true), F(5e-324), F(1.0)}), F(5e-324));
}

TEST(LoaderKernelCall, IntsAndBoolsConvertToFloatLikePython) {
  expectValue(callKernel("mean", {L({I(1), B(true), F(2.5)})}), F(1.5));
  expectValue(callKernel("select", {B(true), I(3), F(0.0)}), F(3.0));
  // float(2**53 + 1) rounds to even, as Python's float() does.
  expectValue(callKernel("select", {B(true), I((int64_t(1) << 53) + 1), F(0.0)}),
              F(9007199254740992.0));
  expectValue(callKernel("div", {B(true), I(1)}), I(1)); // bool is an int
}

TEST(LoaderKernelCall, FloatWhereIntIsDeclaredIsATypeError) {
  expectError(callKernel("div", {F(7.0), I(2)}), "TypeError",
              "div() argument 'a' must be int, not float");
  expectError(callKernel("at", {L({I(1), F(2.0)}), I(0)}), "TypeError",
              "at() argument 'xs' item 1 must be int, not float");
  expectError(callKernel("select", {I(1), F(1.0), F(2.0)}), "TypeError",
              "select() argument 'flag' must be bool, not int");
  expectError(callKernel("mean", {F(1.0)}), "TypeError",
              "mean() argument 'xs' must be list[float], not float");
  expectError(callKernel("mean", {L({L({})})}), "TypeError",
              "mean() argument 'xs' item 0 must be float, not list");
  expectError(callKernel("select", {B(true), Value::none(), F(2.0)}), "TypeError",
              "select() argument 'a' must be float, not NoneType");
}

TEST(LoaderKernelCall, WrongArgumentCountIsATypeError) {
  expectError(callKernel("div", {I(1)}), "TypeError",
              "div() missing 1 required positional argument: 'b'");
  expectError(callKernel("div", {}), "TypeError",
              "div() missing 2 required positional arguments: 'a' and 'b'");
  expectError(callKernel("select", {}), "TypeError",
              "select() missing 3 required positional arguments: 'flag', 'a', and 'b'");
  expectError(callKernel("mean", {L({}), L({})}), "TypeError",
              "mean() takes 1 positional argument but 2 were given");
  expectError(callKernel("live_allocations", {I(1)}), "TypeError",
              "live_allocations() takes 0 positional arguments but 1 was given");
}

TEST(LoaderKernelCall, EmptyListsArriveAsNullWithLengthZero) {
  expectValue(callKernel("address_of", {L({})}), I(0));
  expectValue(callKernel("count_true", {L({})}), I(0));
}

TEST(LoaderKernelCall, LargeListRoundTrip) {
  std::vector<double> values(100000);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = double(i) * 0.25 - 1000.0;
  CallOutcome outcome = callKernel("clamp", {Value::floatList(values), F(-10.0), F(10.0)});
  ASSERT_TRUE(outcome.ok());
  ASSERT_EQ(outcome.value().items().size(), values.size());
  EXPECT_EQ(outcome.value().items()[0].asFloat(), -10.0);
  EXPECT_EQ(outcome.value().items()[4002].asFloat(), 0.5);
  EXPECT_EQ(outcome.value().items()[99999].asFloat(), 10.0);
}
