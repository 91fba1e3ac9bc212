// SimulatorSource: simulated sensors paced in real time (SimulatorConfig::ratePerSecond), in
// batches of about 10 ms worth (at most 1,000 readings). Under back-pressure it waits and offers
// again: it slows down and never drops, except what it holds when stopped.
#pragma once

#include "ingest/SignalSimulator.h"
#include "ingest/Source.h"
#include "ingest/StopSignal.h"

#include <atomic>
#include <memory>
#include <thread>

namespace pyvc::ingest {

class SimulatorSource final : public Source {
public:
  SimulatorSource(std::string name, uint32_t index, SimulatorConfig config);
  ~SimulatorSource() override;

  Result<void> start(ReadingSink &sink) override;
  void stop() override;
  bool finished() const override { return finished_.load(std::memory_order_acquire); }

private:
  void run(ReadingSink &sink);
  // Offers until taken; false when stopped first (the batch is then counted as dropped).
  bool offerUntilTaken(ReadingSink &sink, ReadingBatch &batch);

  SimulatorConfig config_;
  std::unique_ptr<SignalSimulator> simulator_;
  StopSignal stop_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
};

} // namespace pyvc::ingest
