// Uplink: one way of delivering a batch from the sync queue to the cloud, and Delivery, the
// verdict the drain loop turns into ack, retry or dead-letter. HttpUplink and MqttUplink
// implement it; docs/RUNTIME-uplink.md describes both and the body they send.
#pragma once

#include "sync/SyncQueue.h"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pyvc::uplink {

enum class DeliveryKind {
  Ack,    // the receiver took the batch: ack it
  Retry,  // not delivered this time, try again later: keep the items
  Reject, // the receiver refused the batch for good: dead-letter it with `detail`
};

// Why a Retry happened decides how patient the drain loop is with the batch it holds.
enum class FailureKind {
  None,      // not a failure (Ack)
  Transport, // the link itself failed: refused, reset, timeout, TLS, broker not connected
  Server,    // the receiver answered but declined for now: 429, 5xx, an MQTT error PUBACK
};

struct Delivery {
  DeliveryKind kind = DeliveryKind::Retry;
  FailureKind failure = FailureKind::None;
  // Retry only: how long the receiver asked us to wait (HTTP Retry-After), if it said.
  std::optional<std::chrono::milliseconds> retryAfter;
  // Retry: a one-line reason for logs. Reject: the receiver's status and response text.
  // Never holds credentials.
  std::string detail;
  // Bytes put on the wire for the body (after compression), also for failed attempts that
  // reached the network; what the drain loop's bandwidth cap measures.
  size_t wireBytes = 0;

  static Delivery ack(size_t wireBytes) {
    return Delivery{DeliveryKind::Ack, FailureKind::None, std::nullopt, {}, wireBytes};
  }
  static Delivery retry(FailureKind failure, std::string reason,
                        std::optional<std::chrono::milliseconds> retryAfter = std::nullopt,
                        size_t wireBytes = 0) {
    return Delivery{DeliveryKind::Retry, failure, retryAfter, std::move(reason), wireBytes};
  }
  static Delivery reject(std::string response, size_t wireBytes) {
    return Delivery{DeliveryKind::Reject, FailureKind::None, std::nullopt, std::move(response),
                    wireBytes};
  }
};

// One link to the cloud. send() blocks until the verdict is known (or its timeout passes) and
// never throws; one batch is in flight at a time, so callers must not call send() concurrently.
class Uplink {
public:
  virtual ~Uplink() = default;
  virtual Delivery send(const sync::Batch &batch) = 0;
  // Thread-safe: makes a send in progress return Retry soon (within about a second) instead of
  // at its timeout, or, when none is in progress, the next one at once. DrainLoop::stop() calls
  // it so that stopping does not wait for a slow receiver. Default: the send runs to its end.
  virtual void cancel() {}
  // "http" or "mqtt": for log lines and metrics.
  virtual std::string_view name() const = 0;
};

inline const char *deliveryKindName(DeliveryKind kind) {
  switch (kind) {
  case DeliveryKind::Ack:
    return "ack";
  case DeliveryKind::Retry:
    return "retry";
  case DeliveryKind::Reject:
    return "reject";
  }
  return "unknown";
}

} // namespace pyvc::uplink
