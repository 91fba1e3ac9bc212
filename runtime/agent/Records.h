// Records: what a pipeline makes of its readings — window results and events — and CommitWork,
// everything one processed batch hands to the commit stage, already through the firewall.
#pragma once

#include "config/AgentConfig.h"
#include "core/Reading.h"
#include "core/ReadingBatch.h"
#include "core/SensorNames.h"
#include "sync/SyncQueue.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace pyvc::agent {

// One closed window and its aggregates, in the pipeline's aggregate order. An aggregate whose
// kernel raised is NaN and its bit in `failed` is set (the error is counted and logged apart).
struct WindowRecord {
  SensorId sensor = 0;
  int64_t startMs = 0, endMs = 0;
  uint32_t count = 0;
  std::vector<double> aggregates;
  std::vector<bool> failed;
  int64_t ingestedAtNs = 0; // of the batch whose reading closed the window
};

// A rule that fired. For reading rules start == end == the reading's timestamp and `values`
// holds the value; for window rules they are the window bounds and its aggregates.
struct EventRecord {
  uint32_t rule = 0; // index into the pipeline's rules
  SensorId sensor = 0;
  int64_t timestampMs = 0;
  int64_t startMs = 0, endMs = 0;
  std::vector<double> values;
  int64_t ingestedAtNs = 0;
};

// The output of one pipeline batch, ready to commit: readings and results as the firewall left
// them, queue payloads already encoded, and the acknowledgements to release once committed.
struct CommitWork {
  std::vector<Reading> readings; // raw readings for readings.db
  std::vector<Reading> results;  // window results and events for results.db
  std::vector<sync::EnqueueRequest> payloads; // for every uplink's queue
  std::vector<std::shared_ptr<Acknowledgement>> acks;
  size_t budgetBytes = 0;
  uint64_t readingCount = 0;           // readings this work accounts for (processed)
  std::vector<int64_t> eventIngestedNs; // per event, for the ingest-to-event latency
};

} // namespace pyvc::agent
