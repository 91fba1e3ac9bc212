// makeSource: the one place that turns a SourceConfig from the agent's config file into the
// Source of its kind.
#pragma once

#include "ingest/ReadingDecoder.h"
#include "ingest/Source.h"
#include "ingest/SourceConfig.h"

#include <memory>

namespace pyvc::ingest {

// `index` is the source's position in AgentConfig::sources (ReadingBatch::source).
std::unique_ptr<Source> makeSource(const SourceConfig &config, uint32_t index,
                                   const ValidationLimits &limits);

} // namespace pyvc::ingest
