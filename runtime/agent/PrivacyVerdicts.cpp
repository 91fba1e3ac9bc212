// PrivacyVerdicts: per-sensor firewall verdicts (see PrivacyVerdicts.h).
#include "agent/PrivacyVerdicts.h"

namespace pyvc::agent {

PrivacyVerdicts::PrivacyVerdicts(std::shared_ptr<const PrivacyPolicy> policy,
                                 const SensorNames &names)
    : firewall_(std::move(policy)), names_(names) {}

const SensorVerdict &PrivacyVerdicts::of(SensorId sensor) {
  if (sensor >= verdicts_.size())
    verdicts_.resize(size_t(sensor) + 1);
  SensorVerdict &verdict = verdicts_[sensor];
  if (verdict.kind != SensorVerdict::Kind::Unknown)
    return verdict;
  verdict.name = names_.name(sensor);
  // The probe carries a value and a unit that no action leaves alone except mask, so what the
  // firewall did is visible in what comes back.
  Reading probe{std::string(names_.name(sensor)), 0, 1.0, "probe", nullptr};
  if (!firewall_.apply(probe)) {
    verdict.kind = SensorVerdict::Kind::Drop;
    return verdict;
  }
  verdict.kind = SensorVerdict::Kind::Keep;
  verdict.mask = probe.value != 1.0 || probe.unit != "probe";
  verdict.hashed = probe.sensor != names_.name(sensor);
  verdict.maskedValue = probe.value;
  verdict.maskedUnit = probe.unit;
  verdict.outputName = std::move(probe.sensor);
  return verdict;
}

bool PrivacyVerdicts::apply(SensorId sensor, Reading &reading, bool hasSensorFields) {
  const SensorVerdict &verdict = of(sensor);
  if (verdict.kind == SensorVerdict::Kind::Drop)
    return false;
  if (hasSensorFields) {
    // Field rules need the whole reading; the sensor part comes out as the verdict says.
    reading.sensor = std::string(names_.name(sensor));
    return firewall_.apply(reading);
  }
  reading.sensor = verdict.outputName;
  if (verdict.mask) {
    reading.value = verdict.maskedValue;
    reading.unit = verdict.maskedUnit;
  }
  return true;
}

} // namespace pyvc::agent
