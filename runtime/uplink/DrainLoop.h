// DrainLoop: the thread that moves batches from the sync queue to an uplink, within batch-size
// limits and an optional bandwidth cap, sleeping until work is due or wake() is called.
//
// Holding, not churning: a batch that fails with a Retry is kept in hand (its items stay leased
// and keep their queue attempt count) and re-sent under the same batchId, so an outage of days
// does not burn the queue's maxAttempts and order within a priority is kept. The wait between
// tries is the receiver's Retry-After when it gave one, otherwise exponential backoff with full
// jitter from retryBase, capped at outageProbeInterval (<= 1 s by default): sending resumes
// within about a second of the link coming back. A batch the receiver itself keeps refusing
// (429/5xx, serverFailuresBeforeNack times in a row) is nacked to the queue instead, so a poison
// batch reaches the dead-letter table through the queue's maxAttempts rather than blocking all.
#pragma once

#include "sync/SyncQueue.h"
#include "uplink/Uplink.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

namespace pyvc::uplink {

struct DrainOptions {
  size_t maxBatchItems = 500;
  size_t maxBatchBytes = 512 * 1024; // payload bytes per batch (a larger single item goes alone)
  // Bandwidth cap in bytes per second over the bytes the uplink reports on the wire; 0 = none.
  double maxBytesPerSecond = 0;
  // Token-bucket depth: how far a quiet link may burst. 0 = one second at the cap.
  size_t burstBytes = 0;

  std::chrono::milliseconds retryBase{100};
  std::chrono::milliseconds outageProbeInterval{1000}; // cap of the retry wait without Retry-After
  int serverFailuresBeforeNack = 5;
  // Upper bound of an idle sleep, for producers in other processes that cannot call wake().
  std::chrono::milliseconds idleRecheck{5000};
  std::chrono::milliseconds queueErrorBackoff{1000}; // after a SQLite error from the queue
  // When the SyncQueue object is also used by other threads (it is not thread-safe), the mutex
  // they all hold around its calls. nullptr: the drain thread is the only user.
  std::mutex *queueMutex = nullptr;
  uint64_t randomSeed = 0; // jitter; 0 = from std::random_device
};

struct DrainStats {
  uint64_t sentBatches = 0, sentItems = 0, sentBytes = 0; // acknowledged by the receiver
  uint64_t retries = 0;           // failed attempts that will be tried again
  uint64_t transportFailures = 0; // of which the link failed
  uint64_t serverFailures = 0;    // of which the receiver declined (429, 5xx)
  uint64_t nackedBatches = 0;     // handed back to the queue after repeated server failures
  uint64_t rejectedBatches = 0, rejectedItems = 0; // dead-lettered on a Reject
  uint64_t queueErrors = 0;                        // SQLite errors from dequeue/ack/nack/...
  uint64_t outages = 0;                            // times the link went from up to down
  bool linkUp = true;
};

class DrainLoop {
public:
  DrainLoop(sync::SyncQueue &queue, Uplink &uplink, DrainOptions options = {});
  ~DrainLoop(); // stops
  DrainLoop(const DrainLoop &) = delete;
  DrainLoop &operator=(const DrainLoop &) = delete;

  void start();
  // Returns once the drain thread has exited: at once when it sleeps; when a send is in flight
  // it cancels it (Uplink::cancel: within about a second for both uplinks). A batch held, or
  // cancelled, stays leased and comes back after the queue's leaseDuration.
  void stop();
  // New items were enqueued: stop sleeping and look at the queue now.
  void wake();
  DrainStats stats() const;

private:
  void run();
  // One step: dequeue (or keep the held batch), send, settle. Returns how long to wait before
  // the next step (zero for "go on").
  std::chrono::milliseconds step();
  std::chrono::milliseconds settle(const Delivery &delivery);
  std::chrono::milliseconds idleWait();
  std::chrono::milliseconds waitForBandwidth();
  std::chrono::milliseconds retryWait(const Delivery &delivery);
  void noteQueueError(const char *operation, const Error &error);
  // Sleeps until `wait` passed, wake() or stop(); returns false when stopping.
  bool sleepFor(std::chrono::milliseconds wait);
  template <typename F> auto withQueue(F &&operation);

  sync::SyncQueue &queue_;
  Uplink &uplink_;
  DrainOptions options_;

  std::optional<sync::Batch> held_; // a batch being retried, still leased
  int consecutiveFailures_ = 0;     // of the held batch, for the backoff exponent
  int consecutiveServerFailures_ = 0;
  double tokens_ = 0; // bandwidth bucket, bytes; negative = debt from the last send
  std::chrono::steady_clock::time_point tokensUpdatedAt_;
  uint64_t jitterState_ = 0;
  std::chrono::steady_clock::time_point outageSince_;

  mutable std::mutex statsMutex_;
  DrainStats stats_;

  std::mutex wakeMutex_;
  std::condition_variable wakeSignal_;
  bool wakePending_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace pyvc::uplink
