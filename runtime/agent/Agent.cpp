// Agent: building, running, reloading and stopping the gateway's stages (see Agent.h).
#include "agent/Agent.h"

#include "agent/CommitStage.h"
#include "agent/KernelSet.h"
#include "agent/MemoryBudget.h"
#include "agent/Pipeline.h"
#include "agent/PipelineQueues.h"
#include "agent/PrivacyVerdicts.h"
#include "agent/RecordEncoding.h"
#include "agent/RejectedReadings.h"
#include "ingest/SourceFactory.h"
#include "privacy/GlobPattern.h"
#include "privacy/PrivacyPolicy.h"
#include "store/ReadingStore.h"
#include "telemetry/MetricsServer.h"
#include "telemetry/ProcessMetrics.h"
#include "telemetry/ProcessStats.h"
#include "uplink/HttpUplink.h"
#include "uplink/MqttUplink.h"

#include <atomic>
#include <condition_variable>
#include <cmath>
#include <shared_mutex>
#include <thread>

namespace pyvc::agent {

namespace {

constexpr size_t kMaxBatchesPerPipelineQueue = 256;

int64_t wallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::shared_ptr<const PrivacyPolicy>> loadPolicy(const AgentConfig &config) {
  if (!config.privacyPolicyJson.empty())
    return PrivacyPolicy::parse(config.privacyPolicyJson, config.privacyPolicyBase);
  return PrivacyPolicy::loadFile(config.privacyPolicy);
}

} // namespace

// Everything a config's pipelines need at run time. Swapped whole on reload.
struct Topology {
  uint64_t generation = 0;
  std::vector<PipelineConfig> pipelineConfigs;
  std::shared_ptr<const PrivacyPolicy> policy;
  std::unique_ptr<KernelSet> kernels;
  std::vector<std::unique_ptr<Pipeline>> pipelines;
  std::vector<std::vector<GlobPattern>> globs; // per pipeline
  std::unique_ptr<PipelineQueues> queues;

  std::mutex routeMutex;
  std::vector<int32_t> routes; // per sensor: pipeline index, kUnrouted, or kUnknown
  static constexpr int32_t kUnknown = -1, kUnrouted = -2;

  // The first pipeline whose glob matches the sensor's name (globbed once per sensor).
  int32_t routeLocked(SensorId sensor, const SensorNames &names) {
    if (sensor >= routes.size())
      routes.resize(size_t(sensor) + 1, kUnknown);
    int32_t &route = routes[sensor];
    if (route != kUnknown)
      return route;
    std::string_view name = names.name(sensor);
    route = kUnrouted;
    for (size_t p = 0; p < globs.size() && route == kUnrouted; ++p)
      for (const GlobPattern &glob : globs[p])
        if (glob.matches(name)) {
          route = int32_t(p);
          break;
        }
    return route;
  }
};

struct Agent::State final : ingest::ReadingSink {
  AgentConfig config;
  telemetry::Logger &log;
  telemetry::MetricsRegistry metrics;
  SensorNames names;
  MemoryBudget budget;

  // Offers hold topologyMutex shared while they route and queue; reload holds it exclusively
  // while the old pipelines drain and the new ones are swapped in. The pointer itself is read
  // under pointerMutex, which nobody holds for long, so workers never wait on a reload.
  std::shared_mutex topologyMutex;
  mutable std::mutex pointerMutex;
  std::shared_ptr<Topology> topology;
  std::shared_ptr<Topology> currentTopology() const {
    std::lock_guard lock(pointerMutex);
    return topology;
  }
  void setTopology(std::shared_ptr<Topology> next) {
    std::lock_guard lock(pointerMutex);
    topology = std::move(next);
  }
  uint64_t nextGeneration = 1;

  std::unique_ptr<ReadingStore> readingsStore, resultsStore;
  std::unique_ptr<RejectedReadings> rejected;
  std::vector<std::unique_ptr<UplinkQueue>> queues;
  std::vector<std::unique_ptr<uplink::Uplink>> uplinks;
  std::vector<std::unique_ptr<uplink::DrainLoop>> drains;
  std::unique_ptr<CommitStage> commit;
  std::vector<std::unique_ptr<ingest::Source>> sources;
  std::vector<std::thread> workers;
  Heartbeats heartbeats; // the workers' and the commit thread's (Agent::stalledStage)

  std::atomic<bool> stopping{false};
  std::atomic<bool> workersStop{false};
  PipelineTotals totals;
  std::atomic<bool> started{false};
  std::atomic<uint64_t> offeredReadings{0}, committedReadings{0}, unrouted{0}, rawWireBytes{0};
  std::atomic<int64_t> inFlightReadings{0};
  std::chrono::steady_clock::time_point startedAt;

  telemetry::Counter *acceptedCounter = nullptr;
  std::vector<telemetry::Counter *> acceptedBySource;
  telemetry::Counter *unroutedCounter = nullptr;

  std::thread telemetryThread; // the agent's own metrics into the sync queue (telemetry.sync)
  std::mutex telemetryMutex;
  std::condition_variable telemetryStop;

  // Last, so that it is destroyed first: its gauge functions read the members above.
  std::unique_ptr<telemetry::MetricsServer> metricsServer;

  State(AgentConfig agentConfig, telemetry::Logger &logger)
      : config(std::move(agentConfig)), log(logger), budget(config.memoryBudgetBytes) {}

  // ReadingSink.
  bool offer(ReadingBatch &batch, std::chrono::milliseconds wait) override;
  void reject(ingest::RejectedReading rejected) override;
  SensorNames &sensorNames() override { return names; }
  int64_t nowMs() const override { return wallNowMs(); }

  Result<std::shared_ptr<Topology>> buildTopology(const AgentConfig &from);
  void runWorker(Heartbeat &heartbeat);
  void registerMetrics();
  void runTelemetry();
  void dropInvalidRows(ReadingBatch &batch);
};

Result<std::shared_ptr<Topology>> Agent::State::buildTopology(const AgentConfig &from) {
  auto topology = std::make_shared<Topology>();
  topology->pipelineConfigs = from.pipelines;
  auto policy = loadPolicy(from);
  if (!policy)
    return makeError("privacy policy: " + policy.error().message);
  topology->policy = std::move(policy.value());
  auto kernels = KernelSet::open(from);
  if (!kernels)
    return kernels.error();
  topology->kernels = std::move(kernels.value());
  std::vector<double> weights;
  for (uint32_t p = 0; p < from.pipelines.size(); ++p) {
    const PipelineConfig &pipeline = from.pipelines[p];
    auto built = Pipeline::build(pipeline, p, *topology->kernels, metrics);
    if (!built)
      return built.error();
    topology->pipelines.push_back(std::move(built.value()));
    std::vector<GlobPattern> globs;
    for (const std::string &pattern : pipeline.sensors) {
      auto glob = GlobPattern::compile(pattern);
      if (!glob)
        return makeError("pipeline `" + pipeline.name + "`: " + glob.error().message);
      globs.push_back(std::move(glob.value()));
    }
    topology->globs.push_back(std::move(globs));
    weights.push_back(from.priorityWeights[size_t(pipeline.priority)]);
  }
  topology->queues = std::make_unique<PipelineQueues>(weights, kMaxBatchesPerPipelineQueue,
                                                      from.memoryBudgetBytes);
  topology->generation = nextGeneration++;
  return topology;
}

bool Agent::State::offer(ReadingBatch &batch, std::chrono::milliseconds wait) {
  if (stopping.load(std::memory_order_acquire))
    return false;
  if (batch.empty())
    return true;
  dropInvalidRows(batch);
  if (batch.empty())
    return true;
  size_t bytes = batch.bytes();
  if (!budget.acquire(bytes, wait))
    return false;
  std::shared_lock lock(topologyMutex);
  std::shared_ptr<Topology> currentPointer = currentTopology();
  Topology &current = *currentPointer;
  size_t rows = batch.size();

  // Split the rows by pipeline; the common batch belongs to one pipeline and moves whole.
  std::vector<int32_t> routeOfRow(rows);
  {
    std::lock_guard routeLock(current.routeMutex);
    for (size_t i = 0; i < rows; ++i)
      routeOfRow[i] = current.routeLocked(batch.sensors[i], names);
  }
  std::vector<size_t> rowsPerPipeline(current.pipelines.size(), 0);
  size_t unroutedRows = 0;
  for (int32_t route : routeOfRow)
    route >= 0 ? ++rowsPerPipeline[size_t(route)] : ++unroutedRows;
  if (unroutedRows) {
    unrouted.fetch_add(unroutedRows, std::memory_order_relaxed);
    unroutedCounter->add(unroutedRows);
    log.logLimited(telemetry::LogLevel::Warn, "unrouted", std::chrono::seconds(60),
                   "unrouted_readings",
                   {{"count", unroutedRows},
                    {"hint", "no pipeline's sensors pattern matches these sensors"}});
  }
  acceptedCounter->add(rows);
  if (batch.source < acceptedBySource.size())
    acceptedBySource[batch.source]->add(rows);
  offeredReadings.fetch_add(rows, std::memory_order_relaxed);

  std::vector<PipelineBatch> parts;
  for (size_t p = 0; p < rowsPerPipeline.size(); ++p) {
    if (rowsPerPipeline[p] == 0)
      continue;
    PipelineBatch part;
    part.pipeline = uint32_t(p);
    part.budgetBytes = bytes * rowsPerPipeline[p] / rows;
    if (rowsPerPipeline[p] == rows) {
      part.rows = std::move(batch);
    } else {
      part.rows.source = batch.source;
      part.rows.ingestedAtNs = batch.ingestedAtNs;
      part.rows.ack = batch.ack;
      part.rows.reserve(rowsPerPipeline[p]);
      size_t side = 0;
      for (size_t i = 0; i < rows; ++i) {
        if (routeOfRow[i] != int32_t(p))
          continue;
        while (side < batch.side.size() && batch.side[side].row < i)
          ++side;
        if (side < batch.side.size() && batch.side[side].row == i) {
          ReadingSideFields fields = batch.side[side];
          fields.row = uint32_t(part.rows.size());
          part.rows.side.push_back(std::move(fields));
        }
        part.rows.append(batch.sensors[i], batch.timestampsMs[i], batch.values[i]);
      }
    }
    parts.push_back(std::move(part));
  }
  // What the parts do not account for (unrouted rows, rounding) is given back now.
  size_t accounted = 0;
  for (const PipelineBatch &part : parts)
    accounted += part.budgetBytes;
  budget.release(bytes - accounted);
  batch = ReadingBatch(); // the source's handle on the ack goes with the rows
  for (PipelineBatch &part : parts) {
    inFlightReadings.fetch_add(int64_t(part.rows.size()), std::memory_order_relaxed);
    size_t partBytes = part.budgetBytes;
    size_t partRows = part.rows.size();
    std::shared_ptr<Acknowledgement> ack = part.rows.ack;
    if (!current.queues->push(std::move(part), std::chrono::hours(1))) {
      // The pipeline made no room for an hour: these rows are lost, and the source must hear
      // that they are not durable.
      if (ack)
        ack->fail();
      budget.release(partBytes);
      inFlightReadings.fetch_sub(int64_t(partRows), std::memory_order_relaxed);
      log.log(telemetry::LogLevel::Error, "readings_lost",
              {{"rows", partRows}, {"reason", "pipeline queue full for an hour"}});
    }
  }
  return true;
}

// Sources validate what they decode; this is the sink's own check of the two bounds every row
// must meet whatever its source (a finite value, a timestamp inside the configured window), so
// that no stage after it has to care. Rows that fail are rejected and removed.
void Agent::State::dropInvalidRows(ReadingBatch &batch) {
  int64_t now = wallNowMs();
  int64_t oldest = config.maxReadingAgeMs == INT64_MAX ? INT64_MIN : now - config.maxReadingAgeMs;
  int64_t newest = config.maxReadingSkewMs == INT64_MAX ? INT64_MAX : now + config.maxReadingSkewMs;
  auto valid = [&](size_t i) {
    return std::isfinite(batch.values[i]) && batch.timestampsMs[i] >= oldest &&
           batch.timestampsMs[i] <= newest;
  };
  size_t rows = batch.size();
  size_t first = 0;
  while (first < rows && valid(first))
    ++first;
  if (first == rows)
    return;
  // Rows (and their side fields) before `first` stay where they are.
  size_t keptSide = 0;
  while (keptSide < batch.side.size() && batch.side[keptSide].row < first)
    ++keptSide;
  size_t kept = first, side = keptSide;
  for (size_t i = first; i < rows; ++i) {
    while (side < batch.side.size() && batch.side[side].row < i)
      ++side;
    bool hasSide = side < batch.side.size() && batch.side[side].row == i;
    if (!valid(i)) {
      bool finite = std::isfinite(batch.values[i]);
      std::string name(names.name(batch.sensors[i]));
      reject({batch.source,
              finite ? ingest::RejectReason::TimestampOutOfRange : ingest::RejectReason::NotFinite,
              finite ? "field `timestamp_ms` " + std::to_string(batch.timestampsMs[i]) +
                           " is outside the accepted window"
                     : std::string("field `value` is not finite"),
              ingest::cutRejectedRaw(name)});
      continue;
    }
    batch.sensors[kept] = batch.sensors[i];
    batch.timestampsMs[kept] = batch.timestampsMs[i];
    batch.values[kept] = batch.values[i];
    if (hasSide) {
      batch.side[side].row = uint32_t(kept);
      batch.side[keptSide++] = std::move(batch.side[side]);
    }
    ++kept;
  }
  batch.sensors.resize(kept);
  batch.timestampsMs.resize(kept);
  batch.values.resize(kept);
  batch.side.resize(keptSide);
}

void Agent::State::reject(ingest::RejectedReading rejectedReading) {
  metrics
      .counter("pyvc_agent_readings_rejected_total", "Malformed readings set aside, by reason",
               {{"source", rejectedReading.source < config.sources.size()
                               ? config.sources[rejectedReading.source].name
                               : std::string("unknown")},
                {"reason", ingest::rejectReasonName(rejectedReading.reason)}})
      .add();
  log.logLimited(telemetry::LogLevel::Warn,
                 std::string("reject:") + ingest::rejectReasonName(rejectedReading.reason),
                 std::chrono::seconds(10), "reading_rejected",
                 {{"reason", ingest::rejectReasonName(rejectedReading.reason)},
                  {"detail", rejectedReading.detail}});
  if (commit)
    commit->reject(std::move(rejectedReading));
}

void Agent::State::runWorker(Heartbeat &heartbeat) {
  uint64_t generation = 0;
  std::unique_ptr<PrivacyVerdicts> privacy;
  for (;;) {
    heartbeat.beat();
    std::shared_ptr<Topology> current = currentTopology();
    if (current->generation != generation) {
      privacy = std::make_unique<PrivacyVerdicts>(current->policy, names);
      generation = current->generation;
    }
    std::optional<PipelineBatch> batch = current->queues->pop(std::chrono::milliseconds(100));
    if (!batch) {
      // Nothing queued: a reload may have swapped the topology meanwhile, or the agent is
      // stopping (the sources are stopped first, so nothing more will come).
      if (workersStop.load(std::memory_order_acquire) &&
          current->queues->queuedBatches() == 0 && currentTopology() == current)
        return;
      continue;
    }
    PipelineContext context{names, *privacy, log, totals};
    CommitWork work;
    Pipeline &pipeline = *current->pipelines[batch->pipeline];
    size_t rows = batch->rows.size();
    uint64_t wire = 0;
    for (size_t i = 0; i < rows; ++i)
      wire += rawReadingJsonBytes(privacy->of(batch->rows.sensors[i]).name,
                                  batch->rows.timestampsMs[i], batch->rows.values[i]);
    rawWireBytes.fetch_add(wire, std::memory_order_relaxed);
    pipeline.process(*batch, context, work);
    current->queues->done(batch->pipeline);
    inFlightReadings.fetch_sub(int64_t(rows), std::memory_order_relaxed);
    commit->submit(std::move(work));
  }
}

void Agent::State::runTelemetry() {
  std::unique_lock lock(telemetryMutex);
  while (!telemetryStop.wait_for(lock, config.telemetry.interval,
                                 [&] { return stopping.load(); })) {
    lock.unlock();
    std::string payload = "{\"kind\":\"telemetry\",\"timestamp_ms\":";
    appendJsonInteger(payload, wallNowMs());
    payload += ",\"metrics\":" +
               metrics.snapshotJson().dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace) +
               "}";
    CommitWork work;
    work.payloads.push_back({std::move(payload), 0, std::chrono::milliseconds(0)});
    commit->submit(std::move(work));
    lock.lock();
  }
}

void Agent::State::registerMetrics() {
  acceptedCounter = &metrics.counter("pyvc_agent_readings_accepted_total",
                                     "Readings taken from all sources");
  for (const ingest::SourceConfig &source : config.sources)
    acceptedBySource.push_back(&metrics.counter("pyvc_agent_source_readings_total",
                                                "Readings taken, per source",
                                                {{"source", source.name}}));
  unroutedCounter = &metrics.counter("pyvc_agent_readings_dropped_total",
                                     "Readings dropped by the agent, by reason",
                                     {{"reason", "no_pipeline"}});
  metrics.gaugeFunction("pyvc_agent_memory_budget_used_bytes",
                        "Bytes of readings in flight counted against the budget", {},
                        [this] { return double(budget.used()); });
  metrics.gaugeFunction("pyvc_agent_memory_budget_limit_bytes", "The memory budget", {},
                        [this] { return double(budget.limit()); });
  metrics.gaugeFunction("pyvc_agent_readings_in_flight",
                        "Readings taken but not yet through their pipeline", {},
                        [this] { return double(inFlightReadings.load()); });
  metrics.gaugeFunction("pyvc_agent_sensors", "Distinct sensor names seen", {},
                        [this] { return double(names.size()); });
  for (size_t s = 0; s < sources.size(); ++s) {
    ingest::Source *source = sources[s].get();
    for (size_t reason = 0; reason < ingest::kSourceDropReasonCount; ++reason)
      metrics.counterFunction(
          "pyvc_agent_source_dropped_readings_total", "Readings a source could not hold, by reason",
          {{"source", source->name()},
           {"reason", ingest::sourceDropReasonName(ingest::SourceDropReason(reason))}},
          [source, reason] { return double(source->stats().dropped[reason]); });
    metrics.counterFunction("pyvc_agent_source_received_readings_total",
                          "Readings a source has seen (taken, rejected or dropped)",
                          {{"source", source->name()}},
                          [source] { return double(source->stats().received); });
  }
  for (size_t q = 0; q < queues.size(); ++q) {
    UplinkQueue *queue = queues[q].get();
    telemetry::Labels labels{{"queue", queue->name}};
    auto stat = [queue](auto field) {
      return [queue, field] {
        std::lock_guard lock(queue->mutex);
        auto stats = queue->queue->stats();
        return stats ? double(field(*stats)) : std::nan("");
      };
    };
    metrics.gaugeFunction("pyvc_agent_queue_items", "Items waiting in a sync queue", labels,
                          stat([](const sync::QueueStats &s) { return s.queued; }));
    metrics.gaugeFunction("pyvc_agent_queue_bytes", "Payload bytes waiting in a sync queue",
                          labels, stat([](const sync::QueueStats &s) { return s.bytes; }));
    metrics.gaugeFunction("pyvc_agent_queue_dead_letters", "Rows in a queue's dead-letter table",
                          labels, stat([](const sync::QueueStats &s) { return s.deadLettered; }));
    metrics.gaugeFunction(
        "pyvc_agent_queue_lost_commits_on_open",
        "Commits the queue file had recorded but no longer held when opened (damage, power cut)",
        labels, stat([](const sync::QueueStats &s) { return s.lostCommitsOnOpen; }));
    metrics.gaugeFunction("pyvc_agent_queue_corrupt_items",
                          "Items quarantined because their checksum did not match", labels,
                          stat([](const sync::QueueStats &s) {
                            auto found = s.dropped.find(sync::DropReason::Corrupt);
                            return found == s.dropped.end() ? int64_t(0) : found->second;
                          }));
  }
  for (size_t u = 0; u < drains.size(); ++u) {
    uplink::DrainLoop *drain = drains[u].get();
    telemetry::Labels labels{{"uplink", config.uplinks[u].name}};
    metrics.gaugeFunction("pyvc_agent_uplink_up", "1 while the uplink's link is up", labels,
                          [drain] { return drain->stats().linkUp ? 1.0 : 0.0; });
    metrics.counterFunction("pyvc_agent_uplink_sent_items_total", "Items the receiver acknowledged",
                          labels, [drain] { return double(drain->stats().sentItems); });
    metrics.counterFunction("pyvc_agent_uplink_sent_bytes_total", "Bytes put on the wire and acknowledged",
                          labels, [drain] { return double(drain->stats().sentBytes); });
    metrics.counterFunction("pyvc_agent_uplink_retries_total", "Failed sends that will be retried",
                          labels, [drain] { return double(drain->stats().retries); });
    metrics.counterFunction("pyvc_agent_uplink_rejected_items_total",
                          "Items the receiver refused for good (dead-lettered)", labels,
                          [drain] { return double(drain->stats().rejectedItems); });
  }
  telemetry::registerProcessMetrics(metrics);
}

Agent::Agent(std::unique_ptr<State> state) : state_(std::move(state)) {}

Agent::~Agent() { stop(); }

Result<std::unique_ptr<Agent>> Agent::create(AgentConfig config, telemetry::Logger &log) {
  auto state = std::make_unique<State>(std::move(config), log);
  State &s = *state;
  const AgentConfig &c = s.config;

  std::error_code error;
  std::filesystem::create_directories(c.dataDir, error);
  if (error)
    return makeError("agent.data_dir " + c.dataDir.string() + ": " + error.message());

  auto topology = s.buildTopology(c);
  if (!topology)
    return topology.error();
  s.topology = std::move(topology.value());

  StoreOptions storeOptions;
  storeOptions.durability =
      c.durability == Durability::Full ? StoreDurability::Full : StoreDurability::Normal;
  auto readings = ReadingStore::open(c.dataDir / "readings.db", storeOptions);
  if (!readings)
    return readings.error();
  s.readingsStore = std::move(readings.value());
  auto results = ReadingStore::open(c.dataDir / "results.db", storeOptions);
  if (!results)
    return results.error();
  s.resultsStore = std::move(results.value());
  for (auto [name, store] : {std::pair{"readings.db", s.readingsStore.get()},
                             std::pair{"results.db", s.resultsStore.get()}}) {
    StoreIntegrity integrity = store->integrity();
    if (integrity.filesMovedAside || integrity.lostReadingsOnOpen)
      log.log(telemetry::LogLevel::Error, "store_damage_found",
              {{"file", name},
               {"files_moved_aside", integrity.filesMovedAside},
               {"lost_readings", integrity.lostReadingsOnOpen}});
  }
  auto rejected = RejectedReadings::open(c.dataDir / "rejected.db", c.rejectedMaxRows,
                                         c.durability == Durability::Full);
  if (!rejected)
    return rejected.error();
  s.rejected = std::move(rejected.value());

  // One queue per uplink; the first (or, with no uplink, the only one) is queue.db, so a
  // backlog gathered offline is what the first uplink configured later drains.
  size_t queueCount = std::max<size_t>(1, c.uplinks.size());
  for (size_t q = 0; q < queueCount; ++q) {
    auto queue = std::make_unique<UplinkQueue>();
    queue->name = c.uplinks.empty() ? "offline" : c.uplinks[q].name;
    sync::QueueOptions options;
    options.path = (c.dataDir / (q == 0 ? std::string("queue.db")
                                        : "queue-" + c.uplinks[q].name + ".db"))
                       .string();
    options.durability =
        c.durability == Durability::Full ? sync::Durability::Full : sync::Durability::Normal;
    options.maxBytes = c.queueMaxBytes;
    auto opened = sync::SyncQueue::open(options);
    if (!opened)
      return makeError("sync queue " + options.path + ": " + opened.error().message);
    queue->queue = std::move(opened.value());
    s.queues.push_back(std::move(queue));
  }
  for (size_t u = 0; u < c.uplinks.size(); ++u) {
    const UplinkConfig &uplinkConfig = c.uplinks[u];
    std::unique_ptr<uplink::Uplink> link;
    if (uplinkConfig.kind == UplinkKind::Http) {
      uplink::HttpUplinkOptions options;
      options.url = uplinkConfig.url;
      options.gzip = uplinkConfig.gzip;
      options.caFile = uplinkConfig.caFile;
      options.totalTimeout = uplinkConfig.timeout;
      for (const std::string &header : uplinkConfig.headers) {
        size_t colon = header.find(':');
        std::string value = colon == std::string::npos ? "" : header.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        options.extraHeaders.emplace_back(header.substr(0, colon), value);
      }
      auto created = uplink::HttpUplink::create(options);
      if (!created)
        return makeError("uplinks." + uplinkConfig.name + ": " + created.error().message);
      link = std::move(created.value());
    } else {
      uplink::MqttUplinkOptions options;
      options.host = uplinkConfig.host;
      options.port = uplinkConfig.port;
      options.topic = uplinkConfig.topic;
      options.clientId = uplinkConfig.clientId;
      options.caFile = uplinkConfig.caFile;
      options.publishTimeout = uplinkConfig.timeout;
      auto created = uplink::MqttUplink::create(options);
      if (!created)
        return makeError("uplinks." + uplinkConfig.name + ": " + created.error().message);
      link = std::move(created.value());
    }
    uplink::DrainOptions drainOptions;
    drainOptions.maxBatchItems = uplinkConfig.maxBatchItems;
    drainOptions.maxBatchBytes = uplinkConfig.maxBatchBytes;
    drainOptions.maxBytesPerSecond = uplinkConfig.maxBytesPerSecond;
    drainOptions.queueMutex = &s.queues[u]->mutex;
    auto drain =
        std::make_unique<uplink::DrainLoop>(*s.queues[u]->queue, *link, drainOptions);
    s.queues[u]->drain = drain.get();
    s.uplinks.push_back(std::move(link));
    s.drains.push_back(std::move(drain));
  }

  ingest::ValidationLimits limits;
  limits.maxAgeMs = c.maxReadingAgeMs;
  limits.maxSkewMs = c.maxReadingSkewMs;
  for (uint32_t i = 0; i < c.sources.size(); ++i)
    s.sources.push_back(ingest::makeSource(c.sources[i], i, limits));

  std::vector<UplinkQueue *> queuePointers;
  for (auto &queue : s.queues)
    queuePointers.push_back(queue.get());
  std::vector<std::string> sourceNames;
  for (const ingest::SourceConfig &source : c.sources)
    sourceNames.push_back(source.name);
  CommitOptions commitOptions;
  commitOptions.maxReadings = c.commitMaxReadings;
  commitOptions.maxDelay = c.commitMaxDelay;
  commitOptions.retentionMs = c.storeRetentionMs;
  commitOptions.storeMaxBytes = c.storeMaxBytes;
  s.commit = std::make_unique<CommitStage>(*s.readingsStore, *s.resultsStore, *s.rejected,
                                           queuePointers, sourceNames, s.budget, commitOptions,
                                           s.metrics, s.log, s.heartbeats.add("commit"));
  s.registerMetrics();
  if (!c.metricsListen.empty()) {
    State *raw = &s;
    auto server = telemetry::MetricsServer::start(
        c.metricsListen, s.metrics, [raw] { return raw->started.load() && !raw->stopping.load(); },
        [raw] { return !raw->stopping.load(); });
    if (!server)
      return makeError("metrics.listen: " + server.error().message);
    s.metricsServer = std::move(server.value());
  }
  return std::unique_ptr<Agent>(new Agent(std::move(state)));
}

Result<void> Agent::start() {
  State &s = *state_;
  s.startedAt = std::chrono::steady_clock::now();
  s.commit->start();
  for (auto &drain : s.drains)
    drain->start();
  for (uint32_t w = 0; w < s.config.workers; ++w) {
    Heartbeat &heartbeat = s.heartbeats.add("worker " + std::to_string(w));
    s.workers.emplace_back([&s, &heartbeat] { s.runWorker(heartbeat); });
  }
  if (s.config.telemetry.sync)
    s.telemetryThread = std::thread([&s] { s.runTelemetry(); });
  for (auto &source : s.sources) {
    if (auto started = source->start(s); !started) {
      Error error = makeError("source `" + source->name() + "`: " + started.error().message);
      stop();
      return error;
    }
  }
  s.started = true;
  s.log.log(telemetry::LogLevel::Info, "started",
            {{"config", s.config.file.string()},
             {"sources", s.sources.size()},
             {"pipelines", s.config.pipelines.size()},
             {"uplinks", s.uplinks.size()},
             {"metrics_port", metricsPort()}});
  return {};
}

Result<void> Agent::reload(AgentConfig config) {
  State &s = *state_;
  auto next = s.buildTopology(config);
  if (!next) {
    s.log.log(telemetry::LogLevel::Error, "reload_refused",
              {{"config", config.file.string()}, {"error", next.error().message}});
    return next.error();
  }
  {
    // Offers wait on the lock while the old pipelines drain what they queued; the workers do not
    // need it (they copy the topology pointer under its own mutex), so the drain finishes.
    std::unique_lock lock(s.topologyMutex);
    std::shared_ptr<Topology> previous = s.currentTopology();
    while (previous->queues->queuedBatches() > 0 || s.inFlightReadings.load() > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (auto &pipeline : next.value()->pipelines)
      for (auto &old : previous->pipelines)
        if (old->config().name == pipeline->config().name)
          pipeline->adoptWindowsFrom(*old);
    s.setTopology(std::move(next.value()));
  }
  s.log.log(telemetry::LogLevel::Info, "reloaded",
            {{"config", config.file.string()}, {"pipelines", config.pipelines.size()}});
  s.config.pipelines = config.pipelines;
  return {};
}

void Agent::stop(std::chrono::milliseconds syncWait) {
  State &s = *state_;
  if (s.stopping.exchange(true))
    return;
  s.log.log(telemetry::LogLevel::Info, "stopping", {});
  {
    std::lock_guard lock(s.telemetryMutex); // the telemetry thread waits on `stopping`
  }
  s.telemetryStop.notify_all();
  if (s.telemetryThread.joinable())
    s.telemetryThread.join();
  s.budget.close(); // wakes sources waiting for room; nothing new is taken from here on
  for (auto &source : s.sources)
    source->stop();
  s.workersStop = true;
  for (std::thread &worker : s.workers)
    worker.join();
  s.workers.clear();
  if (s.commit) {
    // Open windows close with what they hold, so their results and events are not lost.
    std::shared_ptr<Topology> current = s.currentTopology();
    PrivacyVerdicts privacy(current->policy, s.names);
    PipelineContext context{s.names, privacy, s.log, s.totals};
    for (auto &pipeline : current->pipelines) {
      CommitWork work;
      pipeline->closeWindows(INT64_MAX, context, work);
      s.commit->submit(std::move(work));
    }
    s.commit->stop();
  }
  if (syncWait.count() > 0 && !waitForSync(syncWait))
    s.log.log(telemetry::LogLevel::Warn, "sync_incomplete",
              {{"hint", "items stay queued and are sent after the next start"}});
  for (auto &drain : s.drains)
    drain->stop();
  if (s.metricsServer)
    s.metricsServer->stop();

  s.log.flushSuppressed();
  s.log.log(telemetry::LogLevel::Info, "stopped", {});
}

std::optional<std::string> Agent::stalledStage(std::chrono::nanoseconds maxAge) const {
  const State &s = *state_;
  if (!s.started.load() || s.stopping.load())
    return std::nullopt; // the threads are starting or leaving; stop() is bounded on its own
  return s.heartbeats.stalled(maxAge);
}

bool Agent::sourcesFinished() const {
  const State &s = *state_;
  for (const auto &source : s.sources)
    if (!source->finished())
      return false;
  return s.commit->totals().readingsCommitted >= s.offeredReadings.load() - s.unrouted.load() &&
         s.inFlightReadings.load() == 0;
}

bool Agent::waitForSync(std::chrono::milliseconds timeout) {
  State &s = *state_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int64_t waiting = 0;
    for (size_t q = 0; q < s.drains.size(); ++q) {
      std::lock_guard lock(s.queues[q]->mutex);
      auto stats = s.queues[q]->queue->stats();
      waiting += stats ? stats->queued : 1;
    }
    if (waiting == 0)
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int Agent::metricsPort() const {
  return state_->metricsServer ? state_->metricsServer->port() : 0;
}

AgentSummary Agent::summary() const {
  const State &s = *state_;
  AgentSummary summary;
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.startedAt).count();
  summary.readingsIn = s.offeredReadings.load();
  for (const auto &source : s.sources) {
    ingest::SourceStats stats = source->stats();
    for (uint64_t rejected : stats.rejected)
      summary.readingsRejected += rejected;
    for (uint64_t dropped : stats.dropped)
      summary.sourceDrops += dropped;
  }
  summary.readingsProcessed = s.totals.processed.load();
  summary.windows = s.totals.windows.load();
  summary.events = s.totals.events.load();
  summary.allowed = s.totals.privacy[size_t(PrivacyAction::Allow)].load();
  summary.dropped = s.totals.privacy[size_t(PrivacyAction::Drop)].load();
  summary.masked = s.totals.privacy[size_t(PrivacyAction::Mask)].load();
  summary.hashed = s.totals.privacy[size_t(PrivacyAction::Hash)].load();
  CommitTotals totals = s.commit->totals();
  summary.readingsStored = totals.readingsStored;
  summary.resultsStored = totals.resultsStored;
  summary.itemsQueued = totals.itemsQueued;
  summary.readingsLost = totals.readingsLost;
  for (const auto &drain : s.drains) {
    uplink::DrainStats stats = drain->stats();
    summary.itemsSynced += stats.sentItems;
    summary.uplinkedBytes += stats.sentBytes;
  }
  summary.rawWireBytes = s.rawWireBytes.load();
  summary.latencyP50Ms = s.commit->eventLatency().quantile(0.5) * 1000.0;
  summary.latencyP99Ms = s.commit->eventLatency().quantile(0.99) * 1000.0;
  summary.peakBudgetBytes = s.budget.peak();
  summary.budgetBytes = s.budget.limit();
  if (auto rss = telemetry::residentSetBytes())
    summary.residentBytes = *rss;
  return summary;
}

namespace {

std::string humanBytes(double bytes) {
  const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit ? "%.1f %s" : "%.0f %s", bytes, units[unit]);
  return text;
}

} // namespace

std::string AgentSummary::text() const {
  char buffer[2048];
  double saved = rawWireBytes ? 100.0 * (1.0 - double(uplinkedBytes) / double(rawWireBytes)) : 0;
  std::snprintf(
      buffer, sizeof buffer,
      "pyvc-agent summary (%.1f s)\n"
      "  readings in            %llu (%.0f/s), %llu rejected as malformed\n"
      "  windows computed       %llu\n"
      "  events                 %llu\n"
      "  privacy                %llu dropped, %llu masked, %llu hashed, %llu allowed\n"
      "  stored                 %llu readings, %llu window results and events\n"
      "  sync                   %llu items queued, %llu delivered\n"
      "  egress                 raw readings would cost %s; uplinked %s (%.1f%% saved)\n"
      "  ingest -> event        p50 %.2f ms, p99 %.2f ms\n"
      "  memory                 budget peak %s of %s, RSS %s\n",
      seconds, (unsigned long long)readingsIn, seconds > 0 ? double(readingsIn) / seconds : 0.0,
      (unsigned long long)readingsRejected, (unsigned long long)windows,
      (unsigned long long)events, (unsigned long long)dropped, (unsigned long long)masked,
      (unsigned long long)hashed, (unsigned long long)allowed, (unsigned long long)readingsStored,
      (unsigned long long)resultsStored, (unsigned long long)itemsQueued,
      (unsigned long long)itemsSynced, humanBytes(double(rawWireBytes)).c_str(),
      humanBytes(double(uplinkedBytes)).c_str(), saved, latencyP50Ms, latencyP99Ms,
      humanBytes(double(peakBudgetBytes)).c_str(), humanBytes(double(budgetBytes)).c_str(),
      humanBytes(double(residentBytes)).c_str());
  return buffer;
}

std::string AgentSummary::json() const {
  nlohmann::ordered_json out{{"seconds", seconds},
                             {"readings_in", readingsIn},
                             {"readings_rejected", readingsRejected},
                             {"readings_processed", readingsProcessed},
                             {"windows", windows},
                             {"events", events},
                             {"dropped", dropped},
                             {"masked", masked},
                             {"hashed", hashed},
                             {"allowed", allowed},
                             {"readings_stored", readingsStored},
                             {"results_stored", resultsStored},
                             {"items_queued", itemsQueued},
                             {"items_synced", itemsSynced},
                             {"raw_wire_bytes", rawWireBytes},
                             {"uplinked_bytes", uplinkedBytes},
                             {"latency_p50_ms", latencyP50Ms},
                             {"latency_p99_ms", latencyP99Ms},
                             {"source_drops", sourceDrops},
                             {"readings_lost", readingsLost},
                             {"budget_peak_bytes", peakBudgetBytes},
                             {"budget_bytes", budgetBytes},
                             {"resident_bytes", residentBytes}};
  return out.dump();
}

} // namespace pyvc::agent
