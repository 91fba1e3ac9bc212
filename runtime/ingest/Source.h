// Source: what brings readings into the agent (simulator, file replay, MQTT, HTTP), and
// ReadingSink, the agent side it hands batches and rejected readings to. A source owns its
// threads; the sink applies back-pressure through a memory budget.
#pragma once

#include "core/ReadingBatch.h"
#include "core/Result.h"
#include "core/SensorNames.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace pyvc::ingest {

// Why a reading was set aside rather than processed. One table: name, metric label and the
// docs (docs/AGENT.md, "Rejected readings") use these names.
#define PYVC_REJECT_REASONS(X)                                                                     \
  X(MalformedJson, "malformed_json") /* not JSON, or truncated */                                  \
  X(MalformedCsv, "malformed_csv")   /* wrong number of columns, bad quoting */                    \
  X(MissingField, "missing_field")   /* no sensor, timestamp or value */                           \
  X(WrongType, "wrong_type")         /* value not a number, sensor not a string, ... */            \
  X(UnknownField, "unknown_field")   /* a field the reading format does not have */                \
  X(InvalidName, "invalid_name")     /* sensor name empty, not UTF-8 or too long */                \
  X(NotFinite, "not_finite")         /* NaN or an infinity */                                      \
  X(TimestampOutOfRange, "timestamp_out_of_range") /* too far in the past or the future */         \
  X(Oversized, "oversized")                        /* payload or reading over the size limit */    \
  X(TooDeep, "too_deep")                           /* extra fields nested past the depth limit */  \
  X(UnmappedTopic, "unmapped_topic")               /* MQTT topic no mapping names */

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
inline constexpr size_t kSourceDropReasonCount = 2;
const char *sourceDropReasonName(SourceDropReason reason); // "budget_full", "stopping"

// `raw` cut to kMaxRejectedRawBytes, for RejectedReading::raw.
std::string cutRejectedRaw(std::string_view raw);

// A source's counters at one moment, for the agent's metrics. Readings, except `bytes`.
struct SourceStats {
  uint64_t received = 0; // readings seen (accepted + rejected + dropped + still pending)
  uint64_t accepted = 0; // readings offered to and taken by the sink
  std::array<uint64_t, kRejectReasonCount> rejected{};    // by RejectReason
  std::array<uint64_t, kSourceDropReasonCount> dropped{}; // by SourceDropReason
  uint64_t notDurable = 0; // readings taken whose acknowledgement came back "not durable"
  uint64_t bytes = 0;      // input bytes read (payloads, request bodies, file bytes)
};

// The live counters behind SourceStats: plain relaxed atomics, bumped by the source's threads.
class SourceCounters {
public:
  void addReceived(uint64_t count) { received_.fetch_add(count, std::memory_order_relaxed); }
  void addAccepted(uint64_t count) { accepted_.fetch_add(count, std::memory_order_relaxed); }
  void addRejected(RejectReason reason) {
    rejected_[size_t(reason)].fetch_add(1, std::memory_order_relaxed);
  }
  void addDropped(SourceDropReason reason, uint64_t count) {
    dropped_[size_t(reason)].fetch_add(count, std::memory_order_relaxed);
  }
  void addNotDurable(uint64_t count) { notDurable_.fetch_add(count, std::memory_order_relaxed); }
  void addBytes(uint64_t count) { bytes_.fetch_add(count, std::memory_order_relaxed); }
  SourceStats snapshot() const;

private:
  std::atomic<uint64_t> received_{0}, accepted_{0}, notDurable_{0}, bytes_{0};
  std::array<std::atomic<uint64_t>, kRejectReasonCount> rejected_{};
  std::array<std::atomic<uint64_t>, kSourceDropReasonCount> dropped_{};
};

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
  // The source's index in the agent's config: ReadingBatch::source and RejectedReading::source.
  uint32_t index() const { return index_; }
  // Starts the source's own thread(s). An Error (port in use, file missing, broker refused the
  // subscription) stops the agent's start with that message.
  virtual Result<void> start(ReadingSink &sink) = 0;
  // Stops taking input and returns once the source's threads have exited. Batches already
  // offered are the agent's; a source waiting on an acknowledgement gives up (HTTP answers 503).
  virtual void stop() = 0;
  // True once a finite source (replay without loop) has offered everything.
  virtual bool finished() const { return false; }
  // Safe to call from any thread at any time, also before start() and after stop().
  virtual SourceStats stats() const { return counters_.snapshot(); }

protected:
  Source(std::string name, uint32_t index) : name_(std::move(name)), index_(index) {}
  // Counts the rejection and hands it to the sink with `raw` cut to kMaxRejectedRawBytes.
  void rejectReading(ReadingSink &sink, RejectReason reason, std::string detail,
                     std::string_view raw);

  SourceCounters counters_;

private:
  std::string name_;
  uint32_t index_ = 0;
};

} // namespace pyvc::ingest
