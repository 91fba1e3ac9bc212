// PipelineQueues: stride scheduling over per-pipeline queues (see PipelineQueues.h).
#include "agent/PipelineQueues.h"

#include <algorithm>
#include <cassert>

namespace pyvc::agent {

PipelineQueues::PipelineQueues(std::vector<double> weights, size_t maxBatchesPerQueue,
                               size_t maxQueuedBytes)
    : queues_(weights.size()), maxBatchesPerQueue_(std::max<size_t>(1, maxBatchesPerQueue)) {
  double total = 0;
  for (double weight : weights)
    total += weight;
  for (size_t i = 0; i < weights.size(); ++i) {
    assert(weights[i] > 0 && "pipeline weights are validated positive");
    queues_[i].weight = weights[i];
    if (maxQueuedBytes != SIZE_MAX)
      queues_[i].maxBytes = size_t(double(maxQueuedBytes) * weights[i] / total);
  }
}

bool PipelineQueues::push(PipelineBatch batch, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  assert(batch.pipeline < queues_.size() && "batch for an unknown pipeline");
  Queue &queue = queues_[batch.pipeline];
  if (!notFull_.wait_for(lock, wait, [&] {
        return closed_ || queue.batches.empty() ||
               (queue.batches.size() < maxBatchesPerQueue_ && queue.bytes < queue.maxBytes);
      }) ||
      closed_)
    return false;
  // A queue coming back from idle starts at the current virtual time: it cannot claim the
  // service it did not ask for while it was empty.
  if (queue.batches.empty())
    queue.pass = std::max(queue.pass, virtualTime_);
  queue.readings += batch.rows.size();
  queue.bytes += batch.budgetBytes;
  queue.batches.push_back(std::move(batch));
  lock.unlock();
  notEmpty_.notify_one();
  return true;
}

std::optional<PipelineBatch> PipelineQueues::pop(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto backlogged = [&] {
    return std::any_of(queues_.begin(), queues_.end(),
                       [&](const Queue &queue) { return servable(queue); });
  };
  if (!notEmpty_.wait_for(lock, wait, [&] { return closed_ || backlogged(); }) || !backlogged())
    return std::nullopt;
  Queue *next = nullptr;
  for (Queue &queue : queues_)
    if (servable(queue) && (!next || queue.pass < next->pass))
      next = &queue;
  PipelineBatch batch = std::move(next->batches.front());
  next->batches.pop_front();
  size_t rows = batch.rows.size();
  next->readings -= rows;
  next->bytes -= batch.budgetBytes;
  next->served += rows;
  next->busy = true;
  virtualTime_ = next->pass;
  next->pass += double(std::max<size_t>(rows, 1)) / next->weight;
  lock.unlock();
  notFull_.notify_all();
  return batch;
}

void PipelineQueues::done(uint32_t pipeline) {
  {
    std::lock_guard lock(mutex_);
    queues_[pipeline].busy = false;
  }
  notEmpty_.notify_all();
}

void PipelineQueues::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  notEmpty_.notify_all();
  notFull_.notify_all();
}

size_t PipelineQueues::queuedBatches() const {
  std::lock_guard lock(mutex_);
  size_t total = 0;
  for (const Queue &queue : queues_)
    total += queue.batches.size();
  return total;
}

size_t PipelineQueues::queuedReadings() const {
  std::lock_guard lock(mutex_);
  size_t total = 0;
  for (const Queue &queue : queues_)
    total += queue.readings;
  return total;
}

std::vector<uint64_t> PipelineQueues::servedReadings() const {
  std::lock_guard lock(mutex_);
  std::vector<uint64_t> served;
  for (const Queue &queue : queues_)
    served.push_back(queue.served);
  return served;
}

} // namespace pyvc::agent
