// Source: what brings readings into the agent (simulator, file replay, MQTT, HTTP), and
// ReadingSink, the agent side it hands batches and rejected readings to. A source owns its
// threads; the sink applies back-pressure through a memory budget.
#pragma once

#include "core/ReadingBatch.h"
#include "core/Result.h"
#include "core/SensorNames.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace pyvc::ingest {

// Why a reading was set aside rather than processed. One table: name, metric label and the
// docs (docs/AGENT.md, "Rejected readings") use these names.
#define PYVC_REJECT_REASONS(X)                                                                     \
  X(MalformedJson, "malformed_json")     /* not JSON, or truncated */                             \
  X(MalformedCsv, "malformed_csv")       /* wrong number of columns, bad quoting */               \
  X(MissingField, "missing_field")       /* no sensor, timestamp or value */                      \
  X(WrongType, "wrong_type")             /* value not a number, sensor not a string, ... */       \
  X(UnknownField, "unknown_field")       /* a field the reading format does not have */           \
  X(InvalidName, "invalid_name")         /* sensor name empty, not UTF-8 or too long */           \
  X(NotFinite, "not_finite")             /* NaN or an infinity */                                 \
  X(TimestampOutOfRange, "timestamp_out_of_range") /* too far in the past or the future */        \
  X(Oversized, "oversized")              /* payload or reading over the size limit */             \
  X(TooDeep, "too_deep")                 /* extra fields nested past the depth limit */          \
  X(UnmappedTopic, "unmapped_topic")     /* MQTT topic no mapping names */

enum class RejectReason {
#define PYVC_REJECT_ENUM(name, label) name,
  PYVC_REJECT_REASONS(PYVC_REJECT_ENUM)
#undef PYVC_REJECT_ENUM
};
const char *rejectReasonName(RejectReason reason);
inline constexpr size_t kRejectReasonCount = 0
#define PYVC_REJECT_COUNT(name, label) +1
    PYVC_REJECT_REASONS(PYVC_REJECT_COUNT)
#undef PYVC_REJECT_COUNT
    ;

struct RejectedReading {
  uint32_t source = 0;
  RejectReason reason = RejectReason::MalformedJson;
  std::string detail; // "reading 3: field `value` must be a number"
  std::string raw;    // the offending input, cut to kMaxRejectedRawBytes
};
inline constexpr size_t kMaxRejectedRawBytes = 1024;

// Why a source dropped readings it could not hold (counted by the source, by reason).
enum class SourceDropReason { BudgetFull, Stopping };

// Implemented by the agent. Thread-safe: every source thread calls it.
class ReadingSink {
public:
  virtual ~ReadingSink() = default;
  // Offers a batch. Waits up to `wait` for room in the memory budget; on success the batch is
  // moved from and true returned. False when the budget stayed full or the agent is stopping:
  // the batch is left untouched, and the source decides (HTTP: 503; MQTT: keep the message
  // unacknowledged; replay and simulator: wait and offer again).
  virtual bool offer(ReadingBatch &batch, std::chrono::milliseconds wait) = 0;
  // A reading that could not become a row. Counted by reason and kept in the rejected-readings
  // table; never blocks for long.
  virtual void reject(RejectedReading rejected) = 0;
  virtual SensorNames &sensorNames() = 0;
  // Event-time sanity bounds: readings with timestamps outside [now - maxAgeMs, now + maxSkewMs]
  // are rejected as TimestampOutOfRange. The sink checks them again; sources use them to reject
  // early with the raw input at hand.
  virtual int64_t nowMs() const = 0;
};

class Source {
public:
  virtual ~Source() = default;
  const std::string &name() const { return name_; }
  // Starts the source's own thread(s). An Error (port in use, file missing, broker refused the
  // subscription) stops the agent's start with that message.
  virtual Result<void> start(ReadingSink &sink) = 0;
  // Stops taking input and returns once the source's threads have exited. Batches already
  // offered are the agent's; a source waiting on an acknowledgement gives up (HTTP answers 503).
  virtual void stop() = 0;
  // True once a finite source (replay without loop) has offered everything.
  virtual bool finished() const { return false; }

protected:
  explicit Source(std::string name) : name_(std::move(name)) {}

private:
  std::string name_;
};

} // namespace pyvc::ingest
