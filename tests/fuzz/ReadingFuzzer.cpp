// Fuzzes the reading parsers (parseReading, parseBatch, readingFromJson on nlohmann's lenient
// parse) and the firewall on what they return. Oracles: nothing crashes, throws or overflows
// the stack; what the strict parsers accept the lenient path accepts too; every reading the
// firewall keeps serialises and parses back equal.
#include "FuzzSupport.h"

#include "core/Reading.h"
#include "privacy/Firewall.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

using nlohmann::json;

namespace {

std::shared_ptr<const pyvc::PrivacyPolicy> firewallPolicy() {
  static const std::shared_ptr<const pyvc::PrivacyPolicy> policy = [] {
    auto parsed = pyvc::PrivacyPolicy::parse(R"({
        "default": "allow",
        "hash_key_file": "good.key",
        "rules": [
          {"sensor": "door.*", "action": "hash"},
          {"sensor": "gps.*", "action": "mask"},
          {"sensor": "*.debug", "action": "drop"}
        ],
        "field_rules": [
          {"field": "owner", "action": "drop"},
          {"field": "mac*", "action": "hash"}
        ]})",
                                             pyvc::fuzz::scratchFolder());
    pyvc::fuzz::check(parsed.ok(), "the fuzz policy loads");
    return *parsed;
  }();
  return policy;
}

// Passes `reading` through a firewall; a kept reading must survive its text form unchanged.
void checkThroughFirewall(pyvc::Reading reading) {
  static pyvc::Firewall firewall(firewallPolicy(), {.decisionCacheCapacity = 64});
  if (!firewall.apply(reading))
    return;
  pyvc::Result<std::string> text = pyvc::serializeReading(reading);
  pyvc::fuzz::check(text.ok(), "a reading the firewall kept serialises");
  pyvc::Result<pyvc::Reading> back = pyvc::parseReading(*text);
  pyvc::fuzz::check(back.ok(), "a serialised reading parses");
  pyvc::fuzz::check(*back == reading, "a reading survives its text form");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);

  pyvc::Result<pyvc::Reading> one = pyvc::parseReading(text);
  if (one)
    checkThroughFirewall(std::move(one).value());

  pyvc::Result<std::vector<pyvc::Reading>> batch = pyvc::parseBatch(text);
  if (batch) {
    pyvc::Result<std::string> again = pyvc::serializeBatch(*batch);
    pyvc::fuzz::check(again.ok(), "a parsed batch serialises");
    for (pyvc::Reading &reading : *batch)
      checkThroughFirewall(std::move(reading));
  }

  // The lenient parse builds any depth (iteratively); readingFromJson must refuse deep extras
  // without recursing, and nlohmann's destructor must free them without recursing.
  json lenient = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (lenient.is_discarded()) {
    pyvc::fuzz::check(!one.ok() && !batch.ok(), "strict parsers accepted invalid JSON");
    return 0;
  }
  pyvc::Result<pyvc::Reading> fromValue = pyvc::readingFromJson(lenient);
  if (one)
    pyvc::fuzz::check(fromValue.ok(), "readingFromJson refused what parseReading accepted");
  if (fromValue)
    checkThroughFirewall(std::move(fromValue).value());
  return 0;
}
