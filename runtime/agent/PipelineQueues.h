// PipelineQueues: the bounded queues between the sources and a pipeline worker, one per pipeline,
// and the weighted choice of which one the worker serves next. Under saturation every pipeline
// with a backlog gets a share of the readings processed proportional to its priority's weight
// (stride scheduling: the backlogged queue with the least weighted service goes next).
#pragma once

#include "core/ReadingBatch.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace pyvc::agent {

// The rows of one source batch that belong to one pipeline.
struct PipelineBatch {
  uint32_t pipeline = 0;
  ReadingBatch rows;
  size_t budgetBytes = 0; // what the memory budget holds for these rows until their commit
};

class PipelineQueues {
public:
  // `weights[i]` > 0 is pipeline i's share of the service and of `maxQueuedBytes` (the memory
  // budget): a queue holds at most its share of the bytes (and at least one batch), and at most
  // `maxBatchesPerQueue` batches. Without the byte shares, a backlog of the least served
  // pipeline would fill the whole budget and starve the others' sources, and the service would
  // no longer follow the weights.
  PipelineQueues(std::vector<double> weights, size_t maxBatchesPerQueue,
                 size_t maxQueuedBytes = SIZE_MAX);
  // Waits until the pipeline's queue has room (or `wait` passed, or close()); false when not
  // queued.
  bool push(PipelineBatch batch, std::chrono::milliseconds wait);
  // Waits up to `wait` for a batch; the pipeline whose weighted service is least goes first.
  // nullopt on timeout, or when closed and empty. A pipeline is busy from pop until done():
  // with several workers, one pipeline's batches are processed one at a time and in order (its
  // windows are not thread-safe, and event time must not be reordered).
  std::optional<PipelineBatch> pop(std::chrono::milliseconds wait);
  void done(uint32_t pipeline);
  // Later pushes fail; pops drain what is queued, then return nullopt at once.
  void close();
  size_t queuedBatches() const;
  size_t queuedReadings() const;
  // Readings handed out per pipeline so far.
  std::vector<uint64_t> servedReadings() const;

private:
  struct Queue {
    std::deque<PipelineBatch> batches;
    double weight = 1.0;
    double pass = 0.0; // weighted service: readings served / weight, caught up on re-entry
    uint64_t served = 0;
    size_t readings = 0;
    size_t bytes = 0;
    size_t maxBytes = SIZE_MAX;
    bool busy = false;
  };
  bool servable(const Queue &queue) const { return !queue.busy && !queue.batches.empty(); }
  mutable std::mutex mutex_;
  std::condition_variable notEmpty_, notFull_;
  std::vector<Queue> queues_;
  size_t maxBatchesPerQueue_;
  double virtualTime_ = 0.0; // the pass of the last queue served
  bool closed_ = false;
};

} // namespace pyvc::agent
