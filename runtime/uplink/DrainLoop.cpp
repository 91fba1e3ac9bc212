// DrainLoop: the drain thread's steps (dequeue or keep the held batch, wait for bandwidth, send,
// settle the verdict with the queue) and its sleeps; DrainLoop.h explains the retry policy.
#include "uplink/DrainLoop.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

namespace pyvc::uplink {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr milliseconds GoOn{0};
// The shortest sleep between steps that found nothing to do, so an edge case (a queue that
// reports work it then does not hand out) can never spin a core.
constexpr milliseconds MinimumNap{10};

// One log line: no newlines from a receiver's response can split it.
std::string oneLine(std::string text, size_t maxLength = 300) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  if (text.size() > maxLength)
    text = text.substr(0, maxLength) + "...";
  return text;
}

uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

DrainLoop::DrainLoop(sync::SyncQueue &queue, Uplink &uplink, DrainOptions options)
    : queue_(queue), uplink_(uplink), options_(options) {
  assert(options_.maxBatchItems > 0 && "a batch holds at least one item");
  if (options_.burstBytes == 0)
    options_.burstBytes = size_t(std::max(1.0, options_.maxBytesPerSecond));
  tokens_ = double(options_.burstBytes);
  tokensUpdatedAt_ = Clock::now();
  jitterState_ = options_.randomSeed ? options_.randomSeed : std::random_device{}();
}

DrainLoop::~DrainLoop() { stop(); }

void DrainLoop::start() {
  assert(!thread_.joinable() && "DrainLoop started twice");
  {
    std::lock_guard lock(wakeMutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void DrainLoop::stop() {
  {
    std::lock_guard lock(wakeMutex_);
    stopping_ = true;
  }
  wakeSignal_.notify_all();
  if (thread_.joinable()) {
    uplink_.cancel(); // a send in flight ends now, not at its timeout
    thread_.join();
  }
}

void DrainLoop::wake() {
  {
    std::lock_guard lock(wakeMutex_);
    wakePending_ = true;
  }
  wakeSignal_.notify_all();
}

DrainStats DrainLoop::stats() const {
  std::lock_guard lock(statsMutex_);
  return stats_;
}

template <typename F> auto DrainLoop::withQueue(F &&operation) {
  if (!options_.queueMutex)
    return operation();
  std::lock_guard lock(*options_.queueMutex);
  return operation();
}

void DrainLoop::run() {
  for (;;) {
    {
      std::lock_guard lock(wakeMutex_);
      if (stopping_)
        return;
    }
    milliseconds wait = step();
    if (wait > GoOn && !sleepFor(wait))
      return;
  }
}

bool DrainLoop::sleepFor(milliseconds wait) {
  // While a batch is held for retry, new enqueues must not make us hammer a link that is down;
  // only stop() cuts that sleep short.
  bool wakeable = !held_.has_value();
  std::unique_lock lock(wakeMutex_);
  wakeSignal_.wait_for(lock, wait, [&] { return stopping_ || (wakeable && wakePending_); });
  if (wakeable)
    wakePending_ = false;
  return !stopping_;
}

milliseconds DrainLoop::step() {
  if (!held_) {
    Result<sync::Batch> batch = withQueue(
        [&] { return queue_.dequeueBatch(options_.maxBatchItems, options_.maxBatchBytes); });
    if (!batch) {
      noteQueueError("dequeue", batch.error());
      return options_.queueErrorBackoff;
    }
    if (batch->empty())
      return idleWait();
    held_ = std::move(batch).value();
    consecutiveFailures_ = 0;
    consecutiveServerFailures_ = 0;
  }
  if (milliseconds wait = waitForBandwidth(); wait > GoOn)
    return wait;
  Delivery delivery = uplink_.send(*held_);
  return settle(delivery);
}

milliseconds DrainLoop::idleWait() {
  Result<std::optional<int64_t>> nextReady = withQueue([&] { return queue_.nextReadyAtMs(); });
  if (!nextReady) {
    noteQueueError("nextReadyAtMs", nextReady.error());
    return options_.queueErrorBackoff;
  }
  if (!nextReady.value())
    return options_.idleRecheck;
  milliseconds untilReady(*nextReady.value() - queue_.nowMs());
  return std::clamp(untilReady, MinimumNap, options_.idleRecheck);
}

milliseconds DrainLoop::waitForBandwidth() {
  if (options_.maxBytesPerSecond <= 0)
    return GoOn;
  Clock::time_point now = Clock::now();
  double elapsedSeconds = std::chrono::duration<double>(now - tokensUpdatedAt_).count();
  tokensUpdatedAt_ = now;
  tokens_ =
      std::min(double(options_.burstBytes), tokens_ + elapsedSeconds * options_.maxBytesPerSecond);
  if (tokens_ >= 0)
    return GoOn;
  // In debt from the last send: wait until the bucket is back to zero.
  double waitMs = std::ceil(-tokens_ / options_.maxBytesPerSecond * 1000.0);
  return milliseconds(std::max<int64_t>(1, int64_t(waitMs)));
}

milliseconds DrainLoop::retryWait(const Delivery &delivery) {
  if (delivery.retryAfter)
    return std::max(*delivery.retryAfter, MinimumNap); // the receiver asked: honour it
  // Exponential backoff with full jitter, capped at the probe interval so a returning link is
  // noticed within it.
  int exponent = std::min(consecutiveFailures_ - 1, 20);
  int64_t ceiling = std::min<int64_t>(options_.outageProbeInterval.count(),
                                      options_.retryBase.count() << std::max(0, exponent));
  int64_t jittered = int64_t(splitmix64(jitterState_) % uint64_t(std::max<int64_t>(1, ceiling)));
  return std::max(milliseconds(jittered), MinimumNap);
}

milliseconds DrainLoop::settle(const Delivery &delivery) {
  if (options_.maxBytesPerSecond > 0)
    tokens_ -= double(delivery.wireBytes); // every byte that went out, even for a failed try
  const sync::Batch &batch = *held_;

  if (delivery.kind == DeliveryKind::Ack) {
    if (Result<void> acked = withQueue([&] { return queue_.ack(batch); }); !acked)
      noteQueueError("ack", acked.error()); // the items come back after their lease: resent
    std::lock_guard lock(statsMutex_);
    if (!stats_.linkUp) {
      double downSeconds = std::chrono::duration<double>(Clock::now() - outageSince_).count();
      std::fprintf(stderr, "pyvc-uplink: %s link up again after %.1f s\n",
                   std::string(uplink_.name()).c_str(), downSeconds);
      stats_.linkUp = true;
    }
    ++stats_.sentBatches;
    stats_.sentItems += batch.items.size();
    stats_.sentBytes += delivery.wireBytes;
    held_.reset();
    return GoOn;
  }

  if (delivery.kind == DeliveryKind::Reject) {
    std::fprintf(stderr,
                 "pyvc-uplink: %s receiver rejected batch %s (%zu items), dead-lettered: %s\n",
                 std::string(uplink_.name()).c_str(), batch.batchId.c_str(), batch.items.size(),
                 oneLine(delivery.detail).c_str());
    if (Result<void> dead = withQueue([&] { return queue_.deadLetter(batch, delivery.detail); });
        !dead)
      noteQueueError("deadLetter", dead.error());
    std::lock_guard lock(statsMutex_);
    ++stats_.rejectedBatches;
    stats_.rejectedItems += batch.items.size();
    held_.reset();
    return GoOn;
  }

  assert(delivery.kind == DeliveryKind::Retry && "a delivery is ack, reject or retry");
  {
    // stop() cancelled the send: not an outage. The held batch stays leased.
    std::lock_guard lock(wakeMutex_);
    if (stopping_)
      return GoOn;
  }
  ++consecutiveFailures_;
  bool serverFailure = delivery.failure == FailureKind::Server;
  if (serverFailure)
    ++consecutiveServerFailures_;
  else
    consecutiveServerFailures_ = 0;
  {
    std::lock_guard lock(statsMutex_);
    ++stats_.retries;
    ++(serverFailure ? stats_.serverFailures : stats_.transportFailures);
    if (stats_.linkUp) {
      stats_.linkUp = false;
      ++stats_.outages;
      outageSince_ = Clock::now();
      std::fprintf(stderr, "pyvc-uplink: %s link down (%s); holding batch %s and retrying\n",
                   std::string(uplink_.name()).c_str(), oneLine(delivery.detail).c_str(),
                   batch.batchId.c_str());
    }
  }
  milliseconds wait = retryWait(delivery);
  if (consecutiveServerFailures_ >= options_.serverFailuresBeforeNack) {
    // The receiver keeps refusing this batch: let the queue's backoff and maxAttempts decide.
    if (Result<void> nacked = withQueue([&] { return queue_.nack(batch, delivery.retryAfter); });
        !nacked)
      noteQueueError("nack", nacked.error());
    std::lock_guard lock(statsMutex_);
    ++stats_.nackedBatches;
    held_.reset();
  }
  return wait;
}

void DrainLoop::noteQueueError(const char *operation, const Error &error) {
  std::fprintf(stderr, "pyvc-uplink: sync queue %s failed: %s\n", operation, error.message.c_str());
  std::lock_guard lock(statsMutex_);
  ++stats_.queueErrors;
}

} // namespace pyvc::uplink
