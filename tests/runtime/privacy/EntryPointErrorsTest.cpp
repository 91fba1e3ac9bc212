// Every public function of pyvc_core and pyvc_privacy, driven down its error path: each returns
// an Error (or a refusal) with a message, and none lets an exception out.
#include "core/Reading.h"
#include "core/StrictJson.h"
#include "core/Utf8.h"
#include "privacy/Firewall.h"
#include "privacy/GlobPattern.h"
#include "privacy/HmacSha256.h"
#include "privacy/KeyFile.h"
#include "privacy/PrivacyPolicy.h"

#include "TemporaryFolder.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;
using pyvc::testing::TemporaryFolder;

// Runs `call` (which returns a Result) and expects a failure with a non-empty message.
template <typename Call> void expectError(const char *what, Call call) {
  try {
    auto result = call();
    ASSERT_FALSE(result.ok()) << what << " succeeded";
    EXPECT_FALSE(result.error().message.empty()) << what;
  } catch (const std::exception &error) {
    ADD_FAILURE() << what << " threw " << error.what();
  } catch (...) {
    ADD_FAILURE() << what << " threw";
  }
}

json deepArray(int levels) {
  return json::parse(std::string(levels, '[') + std::string(levels, ']'));
}

TEST(PrivacyEntryPoints, CoreFunctionsReturnErrors) {
  pyvc::Reading badUnit;
  badUnit.unit = "\xff";
  expectError("readingFromJson(not an object)", [] { return pyvc::readingFromJson(json(5)); });
  expectError("readingFromJson(deep extra)", [] {
    json reading = {{"sensor", "a"}, {"timestamp_ms", 1}, {"value", 1}};
    json extra = json::object();
    extra["d"] = deepArray(100000); // moved, never copied: a copy would recurse
    reading["extra"] = std::move(extra);
    return pyvc::readingFromJson(reading);
  });
  expectError("readingFromJson(timestamp past int64)", [] {
    return pyvc::readingFromJson(
        {{"sensor", "a"}, {"timestamp_ms", uint64_t(1) << 63}, {"value", 1}});
  });
  expectError("parseReading(1e999)", [] {
    return pyvc::parseReading(R"({"sensor":"a","timestamp_ms":1,"value":1e999})");
  });
  expectError("parseBatch(not an array)", [] { return pyvc::parseBatch("{}"); });
  expectError("parseBatch(bad item)", [] { return pyvc::parseBatch("[1]"); });
  expectError("serializeReading(bad unit)", [&] { return pyvc::serializeReading(badUnit); });
  expectError("serializeBatch(bad unit)", [&] { return pyvc::serializeBatch({badUnit}); });
  expectError("parseStrictJson(duplicate)",
              [] { return pyvc::parseStrictJson(R"({"a":1,"a":1})"); });
  expectError("checkJsonDepth", [] { return pyvc::checkJsonDepth("[[[", 2); });
  // No error channel, but no failure either on bad input:
  EXPECT_FALSE(pyvc::isValidUtf8("\xf4\x90\x80\x80"));
  EXPECT_EQ(pyvc::findExtraProblem(json::array()), pyvc::ExtraProblem::NotAnObject);
  EXPECT_NO_THROW(pyvc::readingToJson(badUnit)) << "readingToJson checks nothing and cannot fail";
}

TEST(PrivacyEntryPoints, PrivacyFunctionsReturnErrors) {
  TemporaryFolder folder;
  expectError("PrivacyPolicy::parse(1e999 under an unknown key)",
              [] { return pyvc::PrivacyPolicy::parse(R"({"unknown":1e999})"); });
  expectError("PrivacyPolicy::parse(empty)", [] { return pyvc::PrivacyPolicy::parse(""); });
  expectError("PrivacyPolicy::loadFile(absent)",
              [&] { return pyvc::PrivacyPolicy::loadFile(folder / "absent.json"); });
  expectError("PrivacyPolicy::loadFile(a folder)",
              [&] { return pyvc::PrivacyPolicy::loadFile(folder.path()); });
  auto folderPolicy = pyvc::PrivacyPolicy::loadFile(folder.path());
  ASSERT_FALSE(folderPolicy);
  EXPECT_EQ(folderPolicy.error().message,
            "cannot read policy file " + folder.path().string() + ": it is a folder");
  expectError("GlobPattern::compile", [] { return pyvc::GlobPattern::compile("door.[0-9"); });
  expectError("loadOrCreateKeyFile(no folder)",
              [&] { return pyvc::loadOrCreateKeyFile(folder / "absent" / "k.key"); });
  expectError("HmacSha256::create(empty)", [] { return pyvc::HmacSha256::create(""); });

  auto policy = pyvc::PrivacyPolicy::parse(R"({"default":"allow"})");
  ASSERT_TRUE(policy) << policy.error().message;
  pyvc::Firewall firewall(*policy);
  pyvc::Reading malformed;
  malformed.sensor = "temp.\xc0\xaf";
  std::vector<pyvc::Reading> batch = {malformed};
  EXPECT_NO_THROW(EXPECT_FALSE(firewall.apply(malformed)));
  EXPECT_NO_THROW(EXPECT_EQ(firewall.applyBatch(batch), 1u));
  EXPECT_EQ(firewall.counters().malformed, 2u);
  EXPECT_EQ((*policy)->decide("\xff").action, pyvc::PrivacyAction::Allow)
      << "decide does not check UTF-8 (the firewall does), and never fails";
}

} // namespace
