// makeSource; see SourceFactory.h.
#include "ingest/SourceFactory.h"

#include "ingest/HttpSource.h"
#include "ingest/MqttSource.h"
#include "ingest/ReplaySource.h"
#include "ingest/SimulatorSource.h"

namespace pyvc::ingest {

std::unique_ptr<Source> makeSource(const SourceConfig &config, uint32_t index,
                                   const ValidationLimits &limits) {
  struct Make {
    const std::string &name;
    uint32_t index;
    const ValidationLimits &limits;
    std::unique_ptr<Source> operator()(const SimulatorConfig &settings) const {
      return std::make_unique<SimulatorSource>(name, index, settings);
    }
    std::unique_ptr<Source> operator()(const ReplayConfig &settings) const {
      return std::make_unique<ReplaySource>(name, index, settings, limits);
    }
    std::unique_ptr<Source> operator()(const MqttSourceConfig &settings) const {
      return std::make_unique<MqttSource>(name, index, settings, limits);
    }
    std::unique_ptr<Source> operator()(const HttpSourceConfig &settings) const {
      return std::make_unique<HttpSource>(name, index, settings, limits);
    }
  };
  return std::visit(Make{config.name, index, limits}, config.settings);
}

} // namespace pyvc::ingest
