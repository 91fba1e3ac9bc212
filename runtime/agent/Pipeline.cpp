// Pipeline: windows, aggregates, rules and record emission of one pipeline (see Pipeline.h).
#include "agent/Pipeline.h"

#include "agent/KernelSet.h"
#include "agent/RecordEncoding.h"
#include "config/RuleModule.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace pyvc::agent {

namespace {

constexpr size_t kReadingsPerPayload = 1000;
constexpr size_t kWindowsPerPayload = 500;
constexpr auto kErrorLogInterval = std::chrono::seconds(10);

// Kind ranks inside a pipeline's priority band.
constexpr int kReadingRank = 0, kWindowRank = 1, kEventRank = 2;

int64_t steadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool sameWindow(const windows::WindowSpec &a, const windows::WindowSpec &b) {
  return a.kind == b.kind && a.sizeMs == b.sizeMs && a.slideMs == b.slideMs &&
         a.sizeCount == b.sizeCount && a.slideCount == b.slideCount &&
         a.allowedLatenessMs == b.allowedLatenessMs;
}

// Every N-th reading of a sensor, the first one included.
bool selectEvery(std::vector<uint32_t> &countdown, SensorId sensor, uint32_t every) {
  if (every == 0)
    return false;
  if (every == 1)
    return true;
  if (sensor >= countdown.size())
    countdown.resize(size_t(sensor) + 1, 0);
  if (countdown[sensor] == 0) {
    countdown[sensor] = every - 1;
    return true;
  }
  --countdown[sensor];
  return false;
}

// The kernel's input as Python would print the list (0.0, not 0; nan and inf by name), for the
// log line of a kernel error.
std::string inputText(std::span<const double> values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i)
      text += ", ";
    double value = values[i];
    if (std::isnan(value)) {
      text += "nan";
      continue;
    }
    if (std::isinf(value)) {
      text += value > 0 ? "inf" : "-inf";
      continue;
    }
    size_t start = text.size();
    appendJsonNumber(text, value);
    if (text.find_first_of(".e", start) == std::string::npos)
      text += ".0";
  }
  return text + "]";
}

// Packs records into queue items of at most `perItem`: {"kind":K,"pipeline":P,"<list>":[...]}.
class ChunkedPayloads {
public:
  ChunkedPayloads(CommitWork &work, const char *kind, const char *list, const std::string &pipeline,
                  size_t perItem, int priority)
      : work_(work), kind_(kind), list_(list), pipeline_(pipeline), perItem_(perItem),
        priority_(priority) {}
  ~ChunkedPayloads() { flush(); }
  // The string to append the next record to (after the separator it needs).
  std::string &next() {
    if (count_ == perItem_)
      flush();
    if (count_++ == 0) {
      payload_ = std::string("{\"kind\":\"") + kind_ + "\",\"pipeline\":";
      appendJsonString(payload_, pipeline_);
      payload_ += std::string(",\"") + list_ + "\":[";
    } else {
      payload_.push_back(',');
    }
    return payload_;
  }

private:
  void flush() {
    if (count_ == 0)
      return;
    payload_ += "]}";
    work_.payloads.push_back({std::move(payload_), priority_, std::chrono::milliseconds(0)});
    payload_.clear();
    count_ = 0;
  }
  CommitWork &work_;
  const char *kind_, *list_;
  const std::string &pipeline_;
  size_t perItem_;
  int priority_;
  std::string payload_;
  size_t count_ = 0;
};

} // namespace

int queuePriority(Priority pipeline, int kindRank) {
  int band = 0;
  switch (pipeline) {
  case Priority::Critical: band = 30; break;
  case Priority::High: band = 20; break;
  case Priority::Normal: band = 10; break;
  case Priority::Low: band = 0; break;
  }
  return band + kindRank;
}

struct Pipeline::BoundRule {
  std::string name;
  RuleInput input = RuleInput::Readings;
  Severity severity = Severity::Warning;
  const loader::KernelFunction *function = nullptr;
  std::vector<size_t> aggregateOfParam; // window rules: which aggregate feeds each parameter
  telemetry::Counter *fired = nullptr;
};

struct Pipeline::Metrics {
  telemetry::MetricsRegistry *registry = nullptr;
  telemetry::Counter *processed = nullptr;
  telemetry::Counter *windows = nullptr;
  telemetry::Counter *late = nullptr;
  telemetry::Gauge *windowLag = nullptr;
  telemetry::Histogram *kernelSeconds = nullptr;
  std::array<telemetry::Counter *, kPrivacyActionCount> privacy{};
};

// Receives the windows the WindowSet closes and computes their aggregates while the values are
// still valid (they may point into the ring).
class Pipeline::WindowCollector final : public windows::WindowSink {
public:
  WindowCollector(Pipeline &pipeline, PipelineContext &context, std::vector<WindowRecord> &out)
      : pipeline_(pipeline), context_(context), out_(out) {}
  void windowClosed(const windows::ClosedWindow &window) override {
    pipeline_.computeAggregates(window, context_, out_);
  }

private:
  Pipeline &pipeline_;
  PipelineContext &context_;
  std::vector<WindowRecord> &out_;
};

Pipeline::~Pipeline() = default;

Result<std::unique_ptr<Pipeline>> Pipeline::build(const PipelineConfig &config, uint32_t index,
                                                  const KernelSet &kernels,
                                                  telemetry::MetricsRegistry &registry) {
  std::unique_ptr<Pipeline> pipeline(new Pipeline());
  pipeline->config_ = config;
  pipeline->index_ = index;
  std::string where = "pipeline `" + config.name + "`";
  if (config.window)
    pipeline->windows_ = std::make_unique<windows::WindowSet>(*config.window);

  for (const AggregateConfig &aggregate : config.aggregates) {
    auto function = kernels.function(aggregate.kernel);
    if (!function)
      return makeError(where + ", aggregate `" + aggregate.name + "`: " + function.error().message);
    auto bound = windows::WindowAggregate::bind(aggregate.name, **function);
    if (!bound)
      return makeError(where + ", aggregate `" + aggregate.name + "`: " + bound.error().message);
    pipeline->aggregates_.push_back(std::move(bound.value()));
    pipeline->aggregateNames_.push_back(aggregate.name);
  }

  telemetry::Labels labels{{"pipeline", config.name}};
  for (const RuleConfig &rule : config.rules) {
    BoundRule bound;
    bound.name = rule.name;
    bound.input = rule.input;
    bound.severity = rule.severity;
    std::string ruleWhere = where + ", rule `" + rule.name + "`";
    auto function = rule.function ? kernels.function(*rule.function)
                                  : kernels.ruleFunction(ruleFunctionName(config, rule));
    if (!function)
      return makeError(ruleWhere + ": " + function.error().message);
    bound.function = *function;
    const loader::FunctionDescription &description = bound.function->description();
    if (!description.returns.isScalar() || description.returns.scalar != loader::ScalarKind::Bool)
      return makeError(ruleWhere + ": `" + description.signatureText() +
                       "` must return bool");
    for (const loader::Parameter &parameter : description.params)
      if (!parameter.type.isScalar() || parameter.type.scalar != loader::ScalarKind::Float)
        return makeError(ruleWhere + ": `" + description.signatureText() +
                         "` must take float parameters only");
    if (rule.input == RuleInput::Readings) {
      if (description.params.size() != 1)
        return makeError(ruleWhere + ": `" + description.signatureText() +
                         "` must take exactly one parameter, the reading's value");
    } else {
      for (const loader::Parameter &parameter : description.params) {
        auto found = std::find(pipeline->aggregateNames_.begin(),
                               pipeline->aggregateNames_.end(), parameter.name);
        if (found == pipeline->aggregateNames_.end())
          return makeError(ruleWhere + ": parameter `" + parameter.name + "` of `" +
                           description.signatureText() +
                           "` names no aggregate of the pipeline");
        bound.aggregateOfParam.push_back(size_t(found - pipeline->aggregateNames_.begin()));
      }
    }
    telemetry::Labels ruleLabels = labels;
    ruleLabels.emplace_back("rule", rule.name);
    ruleLabels.emplace_back("severity", severityName(rule.severity));
    bound.fired = &registry.counter("pyvc_agent_events_total", "Rule events emitted", ruleLabels);
    pipeline->rules_.push_back(std::move(bound));
  }

  auto metrics = std::make_unique<Metrics>();
  metrics->registry = &registry;
  metrics->processed = &registry.counter("pyvc_agent_readings_processed_total",
                                         "Readings processed by a pipeline", labels);
  metrics->windows =
      &registry.counter("pyvc_agent_windows_total", "Windows closed and aggregated", labels);
  metrics->late = &registry.counter("pyvc_agent_late_readings_total",
                                    "Readings that arrived after their windows closed", labels);
  metrics->windowLag = &registry.gauge(
      "pyvc_agent_window_lag_seconds",
      "How far the oldest open window trails the newest reading (event time)", labels);
  metrics->kernelSeconds = &registry.histogram(
      "pyvc_agent_kernel_call_seconds", "Time of one kernel call (aggregate or rule batch)",
      telemetry::exponentialBuckets(1e-7, 4, 12), labels);
  for (size_t action = 0; action < kPrivacyActionCount; ++action) {
    telemetry::Labels actionLabels = labels;
    actionLabels.emplace_back("action", std::string(privacyActionName(PrivacyAction(action))));
    metrics->privacy[action] = &registry.counter(
        "pyvc_agent_privacy_readings_total", "Raw readings by privacy action", actionLabels);
  }
  pipeline->metrics_ = std::move(metrics);
  return pipeline;
}

void Pipeline::adoptWindowsFrom(Pipeline &previous) {
  if (!windows_ || !previous.windows_ || !sameWindow(windows_->spec(), previous.windows_->spec()))
    return;
  std::swap(windows_, previous.windows_);
  storeCountdown_ = std::move(previous.storeCountdown_);
  syncCountdown_ = std::move(previous.syncCountdown_);
  newestEventMs_ = previous.newestEventMs_;
  lateSeen_ = windows_->lateReadings();
}

void Pipeline::process(PipelineBatch &batch, PipelineContext &context, CommitWork &work) {
  const ReadingBatch &rows = batch.rows;
  currentIngestNs_ = rows.ingestedAtNs;
  std::vector<WindowRecord> windows;
  if (windows_) {
    WindowCollector collector(*this, context, windows);
    for (size_t i = 0; i < rows.size(); ++i)
      windows_->add(rows.sensors[i], rows.timestampsMs[i], rows.values[i], collector);
    uint64_t late = windows_->lateReadings();
    metrics_->late->add(late - lateSeen_);
    lateSeen_ = late;
    // lagMs visits every sensor: refresh the gauge about once a second, not per batch.
    auto now = std::chrono::steady_clock::now();
    if (now - lagUpdatedAt_ >= std::chrono::seconds(1)) {
      metrics_->windowLag->set(double(windows_->lagMs()) / 1000.0);
      lagUpdatedAt_ = now;
    }
  }
  for (int64_t timestamp : rows.timestampsMs)
    newestEventMs_ = std::max(newestEventMs_, timestamp);

  std::vector<EventRecord> events;
  evaluateReadingRules(rows, context, events);
  emitReadings(rows, context, work);
  emitEvents(events, context, work);
  finishWindows(windows, context, work);

  if (rows.ack)
    work.acks.push_back(rows.ack);
  work.budgetBytes += batch.budgetBytes;
  work.readingCount += rows.size();
  metrics_->processed->add(rows.size());
  context.totals.processed.fetch_add(rows.size(), std::memory_order_relaxed);
}

void Pipeline::closeWindows(int64_t watermarkMs, PipelineContext &context, CommitWork &work) {
  if (!windows_)
    return;
  currentIngestNs_ = steadyNowNs();
  std::vector<WindowRecord> windows;
  WindowCollector collector(*this, context, windows);
  windows_->closeUntil(watermarkMs, collector);
  finishWindows(windows, context, work);
}

void Pipeline::finishWindows(std::vector<WindowRecord> &windows, PipelineContext &context,
                             CommitWork &work) {
  if (windows.empty())
    return;
  metrics_->windows->add(windows.size());
  context.totals.windows.fetch_add(windows.size(), std::memory_order_relaxed);
  std::vector<EventRecord> events;
  evaluateWindowRules(windows, context, events);
  emitWindows(windows, context, work);
  emitEvents(events, context, work);
}

void Pipeline::computeAggregates(const windows::ClosedWindow &window, PipelineContext &context,
                                 std::vector<WindowRecord> &out) {
  WindowRecord record;
  record.sensor = window.sensor;
  record.startMs = window.startMs;
  record.endMs = window.endMs;
  record.count = uint32_t(window.values.size());
  record.ingestedAtNs = currentIngestNs_;
  record.aggregates.resize(aggregates_.size(), std::nan(""));
  record.failed.resize(aggregates_.size(), false);
  for (size_t a = 0; a < aggregates_.size(); ++a) {
    auto started = std::chrono::steady_clock::now();
    windows::AggregateOutcome outcome = aggregates_[a].call(window.values);
    metrics_->kernelSeconds->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (outcome.ok()) {
      record.aggregates[a] = outcome.value;
      continue;
    }
    record.failed[a] = true;
    const std::string &exception = outcome.error->name;
    metrics_->registry
        ->counter("pyvc_agent_kernel_errors_total", "Kernel calls that raised, by exception",
                  {{"pipeline", config_.name}, {"kernel", aggregateNames_[a]},
                   {"exception", exception}})
        .add();
    context.log.logLimited(
        telemetry::LogLevel::Warn, "aggregate:" + config_.name + ":" + aggregateNames_[a],
        kErrorLogInterval, "kernel_error",
        {{"pipeline", config_.name},
         {"aggregate", aggregateNames_[a]},
         {"exception", exception},
         {"message", outcome.error->message},
         {"sensor", std::string(context.names.name(window.sensor))},
         {"window_start_ms", window.startMs},
         {"window_end_ms", window.endMs},
         {"input", inputText(window.values.first(std::min<size_t>(window.values.size(), 32)))}});
  }
  out.push_back(std::move(record));
}

// Evaluates `rule` over `columns` (one per parameter, `count` rows) through its batch variant.
// A batch call stops at the first row that raises: the error is counted and logged (with what
// `describe` says of that row), and the call resumes after it, so one bad input costs one row.
// `fired(i)` is called for every row whose result is true.
template <typename Fired, typename Describe>
void Pipeline::evaluateRule(BoundRule &rule, const std::vector<std::span<const double>> &columns,
                            size_t count, PipelineContext &context, Fired fired,
                            Describe describe) {
  size_t start = 0;
  while (start < count) {
    std::vector<loader::ColumnView> views;
    for (std::span<const double> column : columns)
      views.emplace_back(column.subspan(start));
    auto started = std::chrono::steady_clock::now();
    loader::BatchOutcome outcome = rule.function->callBatch(views);
    metrics_->kernelSeconds->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    size_t end = outcome.ok() ? count
                 : outcome.errorIndex >= 0 ? start + size_t(outcome.errorIndex)
                                           : start;
    if (!outcome.results.empty()) {
      const auto &results = std::get<std::vector<uint8_t>>(outcome.results[0]);
      for (size_t i = start; i < end; ++i)
        if (results[i - start]) {
          fired(i);
          rule.fired->add();
        }
    }
    if (outcome.ok())
      return;
    metrics_->registry
        ->counter("pyvc_agent_kernel_errors_total", "Kernel calls that raised, by exception",
                  {{"pipeline", config_.name}, {"kernel", rule.name},
                   {"exception", outcome.error->name}})
        .add();
    nlohmann::ordered_json fields{{"pipeline", config_.name},
                                  {"rule", rule.name},
                                  {"exception", outcome.error->name},
                                  {"message", outcome.error->message}};
    if (end < count)
      describe(end, fields);
    context.log.logLimited(telemetry::LogLevel::Warn, "rule:" + config_.name + ":" + rule.name,
                           kErrorLogInterval, "kernel_error", std::move(fields));
    if (outcome.errorIndex < 0)
      return; // the columns themselves were refused: nothing more to try
    start = end + 1;
  }
}

void Pipeline::evaluateReadingRules(const ReadingBatch &rows, PipelineContext &context,
                                    std::vector<EventRecord> &events) {
  std::vector<std::span<const double>> columns{std::span<const double>(rows.values)};
  for (uint32_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].input != RuleInput::Readings)
      continue;
    evaluateRule(
        rules_[r], columns, rows.size(), context,
        [&](size_t i) {
          events.push_back({r, rows.sensors[i], rows.timestampsMs[i], rows.timestampsMs[i],
                            rows.timestampsMs[i], {rows.values[i]}, rows.ingestedAtNs});
        },
        [&](size_t i, nlohmann::ordered_json &fields) {
          fields["sensor"] = std::string(context.names.name(rows.sensors[i]));
          fields["timestamp_ms"] = rows.timestampsMs[i];
          fields["input"] = inputText(std::span(&rows.values[i], 1));
        });
  }
}

void Pipeline::evaluateWindowRules(const std::vector<WindowRecord> &windows,
                                   PipelineContext &context, std::vector<EventRecord> &events) {
  for (uint32_t r = 0; r < rules_.size(); ++r) {
    BoundRule &rule = rules_[r];
    if (rule.input != RuleInput::Windows)
      continue;
    // Windows whose inputs to this rule all computed; a raised aggregate was logged already.
    std::vector<size_t> usable;
    for (size_t w = 0; w < windows.size(); ++w)
      if (std::none_of(rule.aggregateOfParam.begin(), rule.aggregateOfParam.end(),
                       [&](size_t a) { return bool(windows[w].failed[a]); }))
        usable.push_back(w);
    std::vector<std::vector<double>> columns(rule.aggregateOfParam.size());
    for (size_t p = 0; p < columns.size(); ++p)
      for (size_t w : usable)
        columns[p].push_back(windows[w].aggregates[rule.aggregateOfParam[p]]);
    std::vector<std::span<const double>> views(columns.begin(), columns.end());
    evaluateRule(
        rule, views, usable.size(), context,
        [&](size_t i) {
          const WindowRecord &window = windows[usable[i]];
          events.push_back({r, window.sensor, window.endMs, window.startMs, window.endMs,
                            window.aggregates, window.ingestedAtNs});
        },
        [&](size_t i, nlohmann::ordered_json &fields) {
          const WindowRecord &window = windows[usable[i]];
          fields["sensor"] = std::string(context.names.name(window.sensor));
          fields["window_start_ms"] = window.startMs;
          fields["window_end_ms"] = window.endMs;
          std::vector<double> inputs;
          for (size_t p = 0; p < columns.size(); ++p)
            inputs.push_back(columns[p][i]);
          fields["input"] = inputText(inputs);
        });
  }
}

void Pipeline::emitReadings(const ReadingBatch &rows, PipelineContext &context,
                            CommitWork &work) {
  for (size_t i = 0; i < rows.size(); ++i) {
    PrivacyAction action = context.privacy.of(rows.sensors[i]).action();
    metrics_->privacy[size_t(action)]->add();
    context.totals.privacy[size_t(action)].fetch_add(1, std::memory_order_relaxed);
  }
  uint32_t storeEvery = config_.store.readingsEvery, syncEvery = config_.sync.readingsEvery;
  if (storeEvery == 0 && syncEvery == 0)
    return;
  ChunkedPayloads payloads(work, "readings", "readings", config_.name, kReadingsPerPayload,
                           queuePriority(config_.priority, kReadingRank));
  size_t side = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    SensorId sensor = rows.sensors[i];
    bool toStore = selectEvery(storeCountdown_, sensor, storeEvery);
    bool toSync = selectEvery(syncCountdown_, sensor, syncEvery);
    while (side < rows.side.size() && rows.side[side].row < i)
      ++side;
    bool hasSide = side < rows.side.size() && rows.side[side].row == i;
    if (!toStore && !toSync)
      continue;
    Reading reading{{}, rows.timestampsMs[i], rows.values[i], {}, nullptr};
    if (hasSide) {
      reading.unit = rows.side[side].unit;
      reading.extra = rows.side[side].extra;
    }
    if (!context.privacy.apply(sensor, reading, hasSide && !reading.extra.is_null()))
      continue;
    if (toSync)
      appendReadingJson(payloads.next(), reading.sensor, reading.timestampMs, reading.value,
                        reading.unit, reading.extra.is_null() ? nullptr : &reading.extra);
    if (toStore)
      work.readings.push_back(std::move(reading));
  }
}

void Pipeline::emitWindows(const std::vector<WindowRecord> &windows, PipelineContext &context,
                           CommitWork &work) {
  if (!config_.store.windows && !config_.sync.windows)
    return;
  ChunkedPayloads payloads(work, "windows", "windows", config_.name, kWindowsPerPayload,
                           queuePriority(config_.priority, kWindowRank));
  for (const WindowRecord &window : windows) {
    const SensorVerdict &verdict = context.privacy.of(window.sensor);
    if (verdict.kind == SensorVerdict::Kind::Drop)
      continue;
    std::vector<double> values = window.aggregates;
    if (verdict.mask)
      std::fill(values.begin(), values.end(), verdict.maskedValue);
    if (config_.store.windows) {
      for (size_t a = 0; a < values.size(); ++a) {
        if (window.failed[a])
          continue;
        nlohmann::json extra{{"kind", "window"},     {"pipeline", config_.name},
                             {"aggregate", aggregateNames_[a]}, {"start_ms", window.startMs},
                             {"end_ms", window.endMs}, {"count", window.count}};
        work.results.push_back({verdict.outputName, window.endMs, values[a],
                                verdict.mask ? verdict.maskedUnit : std::string(),
                                std::move(extra)});
      }
    }
    if (config_.sync.windows) {
      std::string &payload = payloads.next();
      payload += "{\"sensor\":";
      appendJsonString(payload, verdict.outputName);
      payload += ",\"start_ms\":";
      appendJsonInteger(payload, window.startMs);
      payload += ",\"end_ms\":";
      appendJsonInteger(payload, window.endMs);
      payload += ",\"count\":";
      appendJsonInteger(payload, window.count);
      payload += ",\"values\":";
      appendNamedValues(payload, aggregateNames_, values);
      payload.push_back('}');
    }
  }
}

void Pipeline::emitEvents(const std::vector<EventRecord> &events, PipelineContext &context,
                          CommitWork &work) {
  static const std::vector<std::string> kValueName{"value"};
  context.totals.events.fetch_add(events.size(), std::memory_order_relaxed);
  for (const EventRecord &event : events) {
    work.eventIngestedNs.push_back(event.ingestedAtNs);
    const BoundRule &rule = rules_[event.rule];
    const SensorVerdict &verdict = context.privacy.of(event.sensor);
    if (verdict.kind == SensorVerdict::Kind::Drop)
      continue;
    std::vector<double> values = event.values;
    if (verdict.mask)
      std::fill(values.begin(), values.end(), verdict.maskedValue);
    const std::vector<std::string> &names =
        rule.input == RuleInput::Readings ? kValueName : aggregateNames_;
    if (config_.store.events) {
      nlohmann::json named = nlohmann::json::object();
      for (size_t i = 0; i < names.size() && i < values.size(); ++i)
        named[names[i]] = std::isfinite(values[i]) ? nlohmann::json(values[i]) : nullptr;
      nlohmann::json extra{{"kind", "event"},
                           {"pipeline", config_.name},
                           {"rule", rule.name},
                           {"severity", severityName(rule.severity)},
                           {"start_ms", event.startMs},
                           {"end_ms", event.endMs},
                           {"values", std::move(named)}};
      work.results.push_back({verdict.outputName, event.timestampMs,
                              values.empty() ? 0.0 : values[0],
                              verdict.mask ? verdict.maskedUnit : std::string(),
                              std::move(extra)});
    }
    if (config_.sync.events) {
      std::string payload = "{\"kind\":\"event\",\"pipeline\":";
      appendJsonString(payload, config_.name);
      payload += ",\"rule\":";
      appendJsonString(payload, rule.name);
      payload += ",\"severity\":";
      appendJsonString(payload, severityName(rule.severity));
      payload += ",\"sensor\":";
      appendJsonString(payload, verdict.outputName);
      payload += ",\"timestamp_ms\":";
      appendJsonInteger(payload, event.timestampMs);
      payload += ",\"start_ms\":";
      appendJsonInteger(payload, event.startMs);
      payload += ",\"end_ms\":";
      appendJsonInteger(payload, event.endMs);
      payload += ",\"values\":";
      appendNamedValues(payload, names, values);
      payload.push_back('}');
      int priority = rule.severity == Severity::Critical
                         ? kCriticalEventPriority
                         : queuePriority(config_.priority, kEventRank);
      work.payloads.push_back({std::move(payload), priority, std::chrono::milliseconds(0)});
    }
  }
}

} // namespace pyvc::agent
