// The names of rejection and drop reasons, the counters' snapshot, and the one path by which every
// source sets a reading aside.
#include "ingest/Source.h"

namespace pyvc::ingest {

const char *rejectReasonName(RejectReason reason) {
  switch (reason) {
#define PYVC_REJECT_NAME(name, label)                                                              \
  case RejectReason::name:                                                                         \
    return label;
    PYVC_REJECT_REASONS(PYVC_REJECT_NAME)
#undef PYVC_REJECT_NAME
  }
  return "unknown";
}

const char *sourceDropReasonName(SourceDropReason reason) {
  switch (reason) {
  case SourceDropReason::BudgetFull:
    return "budget_full";
  case SourceDropReason::Stopping:
    return "stopping";
  }
  return "unknown";
}

std::string cutRejectedRaw(std::string_view raw) {
  return std::string(raw.substr(0, kMaxRejectedRawBytes));
}

SourceStats SourceCounters::snapshot() const {
  SourceStats stats;
  stats.received = received_.load(std::memory_order_relaxed);
  stats.accepted = accepted_.load(std::memory_order_relaxed);
  stats.notDurable = notDurable_.load(std::memory_order_relaxed);
  stats.bytes = bytes_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < kRejectReasonCount; ++i)
    stats.rejected[i] = rejected_[i].load(std::memory_order_relaxed);
  for (size_t i = 0; i < kSourceDropReasonCount; ++i)
    stats.dropped[i] = dropped_[i].load(std::memory_order_relaxed);
  return stats;
}

void Source::rejectReading(ReadingSink &sink, RejectReason reason, std::string detail,
                           std::string_view raw) {
  counters_.addRejected(reason);
  sink.reject({index_, reason, std::move(detail), cutRejectedRaw(raw)});
}

} // namespace pyvc::ingest
