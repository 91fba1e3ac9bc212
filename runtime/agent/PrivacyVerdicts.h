// PrivacyVerdicts: the privacy firewall's verdict for each interned sensor, learned once by
// passing a probe reading through the Firewall itself and then applied to every record of that
// sensor — raw readings, window results and events alike — without hashing the name again.
// Records with extra fields go through Firewall::apply whole, for its field rules.
#pragma once

#include "core/Reading.h"
#include "core/SensorNames.h"
#include "privacy/Firewall.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pyvc::agent {

struct SensorVerdict {
  enum class Kind : uint8_t { Unknown, Drop, Keep };
  Kind kind = Kind::Unknown;
  std::string_view name; // the interned name itself
  bool mask = false;   // the value is replaced by maskedValue, the unit by maskedUnit
  double maskedValue = 0.0;
  std::string maskedUnit;
  bool hashed = false; // `outputName` is the HMAC token, not the name
  std::string outputName;
  PrivacyAction action() const {
    return kind == Kind::Drop ? PrivacyAction::Drop
           : mask             ? PrivacyAction::Mask
           : hashed           ? PrivacyAction::Hash
                              : PrivacyAction::Allow;
  }
};

// Not thread-safe: one per pipeline worker, as the Firewall it wraps.
class PrivacyVerdicts {
public:
  PrivacyVerdicts(std::shared_ptr<const PrivacyPolicy> policy, const SensorNames &names);
  const SensorVerdict &of(SensorId sensor);
  // Applies the firewall to a record built by the agent (a raw reading with side fields goes
  // through Firewall::apply; others take the sensor's verdict). Returns false when dropped.
  bool apply(SensorId sensor, Reading &reading, bool hasSensorFields);

private:
  Firewall firewall_;
  const SensorNames &names_;
  std::vector<SensorVerdict> verdicts_;
};

} // namespace pyvc::agent
