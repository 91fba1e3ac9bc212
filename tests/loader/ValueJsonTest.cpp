// ValueJson: pyvc-call's argument parser (JSON plus NaN/Infinity, ints kept apart from floats)
// and its writer (floats exactly as Python's repr spells them).
#include "LoaderTestSupport.h"

#include "loader/ValueJson.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace pyvc::loader;
using namespace pyvc::loader::testing;

namespace {

std::vector<Value> parsed(const std::string &line) {
  auto result = parseArgumentLine(line);
  if (auto *error = std::get_if<KernelError>(&result)) {
    ADD_FAILURE() << line << " -> " << error->name << ": " << error->message;
    return {};
  }
  return std::get<std::vector<Value>>(result);
}

KernelError rejected(const std::string &line) {
  auto result = parseArgumentLine(line);
  if (auto *error = std::get_if<KernelError>(&result))
    return *error;
  ADD_FAILURE() << line << " was accepted";
  return {};
}

} // namespace

TEST(LoaderValueJson, FloatsPrintAsPythonRepr) {
  // Expected strings are what CPython 3.11's repr() prints for the same doubles.
  const std::pair<double, const char *> cases[] = {
      {0.1, "0.1"},
      {1e300, "1e+300"},
      {2.0, "2.0"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {1e-4, "0.0001"},
      {1e-5, "1e-05"},
      {0.00012345, "0.00012345"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1.5, "-1.5"},
      {3.141592653589793, "3.141592653589793"},
      {1.0 / 3.0, "0.3333333333333333"},
      {100.0, "100.0"},
      {1e22, "1e+22"},
      {12345.678, "12345.678"},
      {2.5e-7, "2.5e-07"},
      {9007199254740993.0, "9007199254740992.0"},
      {0.1 + 0.2, "0.30000000000000004"},
  };
  for (auto [value, expected] : cases)
    EXPECT_EQ(formatFloat(value), expected);
  EXPECT_EQ(formatFloat(NAN), "NaN");
  EXPECT_EQ(formatFloat(INFINITY), "Infinity");
  EXPECT_EQ(formatFloat(-INFINITY), "-Infinity");
}

TEST(LoaderValueJson, RandomDoublesRoundTripBitForBit) {
  std::mt19937_64 random(20261122);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = random();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    if (std::isnan(value))
      continue;
    std::string text = formatFloat(value);
    std::vector<Value> back = parsed("[" + text + "]");
    ASSERT_EQ(back.size(), 1u);
    ASSERT_TRUE(back[0].isFloat()) << text << " read back as " << back[0].typeName();
    ASSERT_TRUE(identical(back[0], Value::floating(value))) << text;
  }
}

TEST(LoaderValueJson, ParsesArgumentsKeepingIntsAndFloatsApart) {
  std::vector<Value> arguments =
      parsed(R"( [1, 1.0, -2, 3e2, true, false, null, [1.5, [2]], []] )");
  ASSERT_EQ(arguments.size(), 9u);
  EXPECT_TRUE(identical(arguments[0], I(1)));
  EXPECT_TRUE(identical(arguments[1], F(1.0)));
  EXPECT_TRUE(identical(arguments[2], I(-2)));
  EXPECT_TRUE(identical(arguments[3], F(300.0)));
  EXPECT_TRUE(identical(arguments[4], B(true)));
  EXPECT_TRUE(identical(arguments[5], B(false)));
  EXPECT_TRUE(arguments[6].isNone());
  EXPECT_TRUE(identical(arguments[7], L({F(1.5), L({I(2)})})));
  EXPECT_TRUE(identical(arguments[8], L({})));
  EXPECT_TRUE(parsed("[]").empty());
}

TEST(LoaderValueJson, AcceptsPythonsNonFiniteTokensAndNegativeZero) {
  std::vector<Value> arguments = parsed("[NaN, Infinity, -Infinity, -0.0, 1e400, -1e400, 1e-400]");
  ASSERT_EQ(arguments.size(), 7u);
  EXPECT_TRUE(std::isnan(arguments[0].asFloat()));
  EXPECT_TRUE(identical(arguments[1], F(INFINITY)));
  EXPECT_TRUE(identical(arguments[2], F(-INFINITY)));
  EXPECT_TRUE(identical(arguments[3], F(-0.0)));
  EXPECT_TRUE(identical(arguments[4], F(INFINITY))); // as Python's json reads 1e400
  EXPECT_TRUE(identical(arguments[5], F(-INFINITY)));
  EXPECT_TRUE(identical(arguments[6], F(0.0)));
  EXPECT_TRUE(identical(parsed("[-0]")[0], I(0))); // the int -0 is 0
}

TEST(LoaderValueJson, ExtremeIntsAndOverflow) {
  EXPECT_TRUE(identical(parsed("[9223372036854775807]")[0], I(INT64_MAX)));
  EXPECT_TRUE(identical(parsed("[-9223372036854775808]")[0], I(INT64_MIN)));
  KernelError error = rejected("[1, 9223372036854775808]");
  EXPECT_EQ(error.name, "OverflowError");
  EXPECT_EQ(error.message, "argument 2: int 9223372036854775808 does not fit in 64 bits");
}

TEST(LoaderValueJson, MalformedLinesAreInputErrors) {
  for (const char *line :
       {"",      "   ",     "1",    "{}",    "[1,]",   "[1 2]",     "[01]",
        "[1.]",  "[.5]",    "[1e]", "[+1]",  "[nan]",  "[inf]",     "[-NaN]",
        "[1] x", "[\"abc]", "[[[",  "[tru]", "[1,,2]", "[\"\\x\"]", "[{1: 2}]"}) {
    KernelError error = rejected(line);
    EXPECT_EQ(error.name, "InputError") << line;
    EXPECT_NE(error.message.find("at column"), std::string::npos) << line;
  }
  EXPECT_EQ(rejected("[1,]").message, "unexpected character ']' at column 4");
}

TEST(LoaderValueJson, DeepNestingIsRefusedNotACrash) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  KernelError error = rejected(deep);
  EXPECT_EQ(error.name, "InputError");
  EXPECT_NE(error.message.find("nested too deeply"), std::string::npos);
}

TEST(LoaderValueJson, ValidJsonOfTheWrongKindIsATypeError) {
  KernelError error = rejected(R"([1.0, "text"])");
  EXPECT_EQ(error.name, "TypeError");
  EXPECT_EQ(error.message, "argument 2 must be a number, a bool or a list, not str");
  EXPECT_EQ(rejected(R"([{"a": [1]}])").message,
            "argument 1 must be a number, a bool or a list, not dict");
  EXPECT_EQ(rejected(R"(["\u00e9\n"])").name, "TypeError");
  // A syntax error anywhere on the line wins over a type error before it.
  EXPECT_EQ(rejected(R"(["text", 1 2])").name, "InputError");
}

TEST(LoaderValueJson, WritesResultsAsPythonsJsonModuleWould) {
  EXPECT_EQ(outcomeJson(CallOutcome(F(2.5))), R"({"ok": 2.5})");
  EXPECT_EQ(outcomeJson(CallOutcome(L({F(1.0), F(NAN), F(-INFINITY)}))),
            R"({"ok": [1.0, NaN, -Infinity]})");
  EXPECT_EQ(outcomeJson(CallOutcome(T({I(-3), F(0.75), B(true)}))), R"({"ok": [-3, 0.75, true]})");
  EXPECT_EQ(outcomeJson(CallOutcome(Value::none())), R"({"ok": null})");
  EXPECT_EQ(outcomeJson(CallOutcome(KernelError{"ValueError", "math \"domain\"\n error"})),
            R"({"error": "ValueError", "message": "math \"domain\"\n error"})");
  EXPECT_EQ(quoteJson(std::string("a\x01\\b")), R"("a\u0001\\b")");
}
