// Metrics: the lock-free metric types, histogram_quantile, and the registry with its Prometheus
// text rendering (https://prometheus.io/docs/instrumenting/exposition_formats/, version 0.0.4).
#include "telemetry/Metrics.h"

#include "core/Utf8.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

namespace pyvc::telemetry {

void Gauge::add(double amount) {
  double current = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(current, current + amount, std::memory_order_relaxed))
    ;
}

Histogram::Histogram(std::vector<double> upperBounds) : upperBounds_(std::move(upperBounds)) {
  if (!upperBounds_.empty() && upperBounds_.back() == std::numeric_limits<double>::infinity())
    upperBounds_.pop_back();
  for (size_t i = 0; i < upperBounds_.size(); ++i) {
    assert(!std::isnan(upperBounds_[i]) && "histogram bound is NaN");
    assert((i == 0 || upperBounds_[i - 1] < upperBounds_[i]) &&
           "histogram bounds must increase strictly");
  }
  // Without asserts, bad bounds are repaired: the binary search needs them sorted and unique.
  std::erase_if(upperBounds_, [](double bound) {
    return std::isnan(bound) || bound == std::numeric_limits<double>::infinity();
  });
  std::sort(upperBounds_.begin(), upperBounds_.end());
  upperBounds_.erase(std::unique(upperBounds_.begin(), upperBounds_.end()), upperBounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(upperBounds_.size() + 1);
  for (size_t i = 0; i <= upperBounds_.size(); ++i)
    buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  // The first bound >= value: `le` is inclusive. NaN compares false, so it is placed by hand.
  size_t index = std::isnan(value)
                     ? upperBounds_.size()
                     : std::lower_bound(upperBounds_.begin(), upperBounds_.end(), value) -
                           upperBounds_.begin();
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed))
    ;
}

std::vector<uint64_t> Histogram::bucketCounts() const {
  std::vector<uint64_t> counts(upperBounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i)
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
  return counts;
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (size_t i = 0; i <= upperBounds_.size(); ++i)
    total += buckets_[i].load(std::memory_order_relaxed);
  return total;
}

double Histogram::sum() const { return sum_.load(std::memory_order_relaxed); }

double Histogram::quantile(double fraction) const {
  std::vector<uint64_t> cumulative = bucketCounts();
  for (size_t i = 1; i < cumulative.size(); ++i)
    cumulative[i] += cumulative[i - 1];
  return histogramQuantile(fraction, upperBounds_, cumulative);
}

// Prometheus' bucketQuantile (promql/quantile.go): the same special cases in the same order, so
// a quantile printed by the agent matches what histogram_quantile() shows on a dashboard.
double histogramQuantile(double fraction, const std::vector<double> &upperBounds,
                         const std::vector<uint64_t> &cumulativeCounts) {
  assert(cumulativeCounts.size() == upperBounds.size() + 1 && "one count per bound, then +Inf");
  if (std::isnan(fraction))
    return std::numeric_limits<double>::quiet_NaN();
  if (fraction < 0)
    return -std::numeric_limits<double>::infinity();
  if (fraction > 1)
    return std::numeric_limits<double>::infinity();
  size_t bucketCount = cumulativeCounts.size(); // including +Inf
  if (bucketCount < 2)
    return std::numeric_limits<double>::quiet_NaN();
  double observations = static_cast<double>(cumulativeCounts.back());
  if (observations == 0)
    return std::numeric_limits<double>::quiet_NaN();
  double rank = fraction * observations;
  size_t b = 0; // sort.Search over all but the +Inf bucket
  while (b < bucketCount - 1 && static_cast<double>(cumulativeCounts[b]) < rank)
    ++b;
  if (b == bucketCount - 1)
    return upperBounds[bucketCount - 2];
  if (b == 0 && upperBounds[0] <= 0)
    return upperBounds[0];
  double bucketStart = 0;
  double bucketEnd = upperBounds[b];
  double count = static_cast<double>(cumulativeCounts[b]);
  if (b > 0) {
    bucketStart = upperBounds[b - 1];
    count -= static_cast<double>(cumulativeCounts[b - 1]);
    rank -= static_cast<double>(cumulativeCounts[b - 1]);
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

std::vector<double> exponentialBuckets(double start, double factor, size_t count) {
  assert(start > 0 && "exponential buckets start above 0");
  assert(factor > 1 && "exponential buckets grow by a factor above 1");
  assert(count >= 1 && "exponential buckets need at least one bound");
  std::vector<double> bounds;
  bounds.reserve(count);
  double bound = start;
  for (size_t i = 0; i < count; ++i, bound *= factor)
    bounds.push_back(bound);
  return bounds;
}

std::string formatPrometheusValue(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  // Below 2^63 an integral double converts exactly; printing it as an integer keeps counters and
  // byte counts readable (1e+06 would parse too, but nobody wants to read it).
  if (value == std::trunc(value) && std::fabs(value) < 0x1p63)
    return std::to_string(static_cast<int64_t>(value));
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  assert(error == std::errc() && "a double fits in 32 characters");
  return std::string(buffer, end);
}

namespace {

bool isNameStart(char c, bool allowColon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allowColon && c == ':');
}

bool isNameChar(char c, bool allowColon) {
  return isNameStart(c, allowColon) || (c >= '0' && c <= '9');
}

bool isValidName(std::string_view name, bool allowColon) {
  if (name.empty() || !isNameStart(name[0], allowColon))
    return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return isNameChar(c, allowColon); });
}

// Without asserts, a broken name still renders as something Prometheus parses.
std::string sanitizedName(std::string_view name, bool allowColon) {
  std::string result;
  if (name.empty() || !isNameStart(name[0], allowColon))
    result += '_';
  for (char c : name)
    result += isNameChar(c, allowColon) ? c : '_';
  return result;
}

std::string metricName(const std::string &name) {
  bool valid = isValidName(name, /*allowColon=*/true);
  assert(valid && "invalid metric name");
  return valid ? name : sanitizedName(name, true);
}

bool isReservedLabel(std::string_view name) {
  return name.starts_with("__") || name == "le" || name == "quantile";
}

std::string labelName(const std::string &name) {
  bool valid = isValidName(name, /*allowColon=*/false) && !isReservedLabel(name);
  assert(valid && "invalid or reserved label name");
  if (valid)
    return name;
  std::string result = sanitizedName(name, false);
  while (result.starts_with("__"))
    result.erase(0, 1);
  if (result == "le" || result == "quantile")
    result += '_';
  return result;
}

// Invalid UTF-8 becomes U+FFFD, one per bad byte: Prometheus refuses a scrape with bad UTF-8,
// and one odd sensor name must not cost every other metric.
std::string validUtf8(std::string_view text) {
  if (isValidUtf8(text))
    return std::string(text);
  std::string result;
  size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80   ? 1
                    : lead < 0xC2 ? 0
                    : lead < 0xE0 ? 2
                    : lead < 0xF0 ? 3
                    : lead < 0xF5 ? 4
                                  : 0;
    if (length != 0 && i + length <= text.size() && isValidUtf8(text.substr(i, length))) {
      result.append(text.substr(i, length));
      i += length;
    } else {
      result += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return result;
}

std::string escapeLabelValue(std::string_view value) {
  std::string result;
  for (char c : validUtf8(value)) {
    if (c == '\\')
      result += "\\\\";
    else if (c == '"')
      result += "\\\"";
    else if (c == '\n')
      result += "\\n";
    else
      result += c;
  }
  return result;
}

std::string escapeHelp(std::string_view help) {
  std::string result;
  for (char c : validUtf8(help)) {
    if (c == '\\')
      result += "\\\\";
    else if (c == '\n')
      result += "\\n";
    else
      result += c;
  }
  return result;
}

// The key under which a family finds a label set again: names and values, NUL-separated.
std::string labelKey(const Labels &labels) {
  std::string key;
  for (const auto &[name, value] : labels) {
    key += name;
    key += '\0';
    key += value;
    key += '\0';
  }
  return key;
}

const char *typeName(int kind) {
  static const char *const names[] = {"counter", "gauge", "histogram"};
  return names[kind];
}

} // namespace

struct MetricsRegistry::Child {
  Labels labels;              // checked names, values made valid UTF-8
  std::string renderedLabels; // `name="value",...` without braces, escaped once at registration
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  std::shared_ptr<const std::function<double()>> read; // counterFunction / gaugeFunction
};

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  MetricKind kind;
  std::vector<std::unique_ptr<Child>> children;
  std::unordered_map<std::string, Child *> childByLabels;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family &MetricsRegistry::family(const std::string &requestedName,
                                                 const std::string &help, MetricKind kind) {
  std::string name = metricName(requestedName);
  if (kind == MetricKind::Counter && !name.ends_with("_total"))
    name += "_total";
  for (;;) {
    auto found = std::find_if(families_.begin(), families_.end(),
                              [&](const auto &family) { return family->name == name; });
    if (found == families_.end())
      break;
    if ((*found)->kind == kind)
      return **found;
    assert(false && "one metric name registered with two types");
    // Without asserts: a family of its own, so the output keeps one TYPE per name.
    name = kind == MetricKind::Counter ? name.substr(0, name.size() - 6) + "_counter_total"
                                       : name + "_" + typeName(static_cast<int>(kind));
  }
  auto family = std::make_unique<Family>();
  family->name = name;
  family->help = escapeHelp(help);
  family->kind = kind;
  families_.push_back(std::move(family));
  return *families_.back();
}

MetricsRegistry::Child &MetricsRegistry::child(Family &family, const Labels &labels) {
  Labels checked;
  for (const auto &[name, value] : labels) {
    std::string checkedName = labelName(name);
    bool repeated = std::any_of(checked.begin(), checked.end(),
                                [&](const auto &label) { return label.first == checkedName; });
    assert(!repeated && "a label name given twice");
    // Repaired before the lookup: two values that differ only in bad bytes render alike, so
    // they must be one series, or the scrape would hold a duplicate that Prometheus rejects.
    if (!repeated)
      checked.emplace_back(std::move(checkedName), validUtf8(value));
  }
  std::string key = labelKey(checked);
  if (auto found = family.childByLabels.find(key); found != family.childByLabels.end())
    return *found->second;
  auto child = std::make_unique<Child>();
  for (const auto &[name, value] : checked) {
    if (!child->renderedLabels.empty())
      child->renderedLabels += ',';
    child->renderedLabels += name + "=\"" + escapeLabelValue(value) + "\"";
    child->labels.emplace_back(name, value);
  }
  Child &result = *child;
  family.children.push_back(std::move(child));
  family.childByLabels.emplace(std::move(key), &result);
  return result;
}

Counter &MetricsRegistry::counter(const std::string &name, const std::string &help,
                                  const Labels &labels) {
  std::lock_guard lock(mutex_);
  Child &found = child(family(name, help, MetricKind::Counter), labels);
  assert(!found.read && "counter() on a counterFunction's name and labels");
  if (!found.counter)
    found.counter = std::make_unique<Counter>();
  return *found.counter;
}

Gauge &MetricsRegistry::gauge(const std::string &name, const std::string &help,
                              const Labels &labels) {
  std::lock_guard lock(mutex_);
  Child &found = child(family(name, help, MetricKind::Gauge), labels);
  assert(!found.read && "gauge() on a gaugeFunction's name and labels");
  if (!found.gauge)
    found.gauge = std::make_unique<Gauge>();
  return *found.gauge;
}

Histogram &MetricsRegistry::histogram(const std::string &name, const std::string &help,
                                      const std::vector<double> &upperBounds,
                                      const Labels &labels) {
  std::lock_guard lock(mutex_);
  Child &found = child(family(name, help, MetricKind::Histogram), labels);
  if (!found.histogram)
    found.histogram = std::make_unique<Histogram>(upperBounds);
  assert((found.histogram->upperBounds() == Histogram(upperBounds).upperBounds()) &&
         "one histogram asked for with two sets of bounds");
  return *found.histogram;
}

void MetricsRegistry::gaugeFunction(const std::string &name, const std::string &help,
                                    const Labels &labels, std::function<double()> read) {
  auto shared = std::make_shared<const std::function<double()>>(std::move(read));
  std::lock_guard lock(mutex_);
  Child &found = child(family(name, help, MetricKind::Gauge), labels);
  assert(!found.gauge && "gaugeFunction() on a gauge's name and labels");
  found.read = std::move(shared);
}

void MetricsRegistry::counterFunction(const std::string &name, const std::string &help,
                                      const Labels &labels, std::function<double()> read) {
  auto shared = std::make_shared<const std::function<double()>>(std::move(read));
  std::lock_guard lock(mutex_);
  Child &found = child(family(name, help, MetricKind::Counter), labels);
  assert(!found.counter && "counterFunction() on a counter's name and labels");
  found.read = std::move(shared);
}

namespace {

// What one child shows at the moment of the scrape, taken under the registry's lock; the
// values themselves are read afterwards, without it.
struct ChildView {
  const Labels *labels;
  const std::string *renderedLabels;
  const Counter *counter;
  const Gauge *gauge;
  const Histogram *histogram;
  std::shared_ptr<const std::function<double()>> read;
};

// A callback that throws (it is the caller's code) shows NaN rather than ending the scrape.
double readFunction(const std::function<double()> &read) {
  try {
    return read ? read() : std::numeric_limits<double>::quiet_NaN();
  } catch (...) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

void appendSample(std::string &out, const std::string &name, std::string_view suffix,
                  const std::string &labels, std::string_view extraLabel,
                  const std::string &value) {
  out += name;
  out += suffix;
  if (!labels.empty() || !extraLabel.empty()) {
    out += '{';
    out += labels;
    if (!labels.empty() && !extraLabel.empty())
      out += ',';
    out += extraLabel;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

void appendHistogram(std::string &out, const std::string &name, const std::string &labels,
                     const Histogram &histogram) {
  // One read of the buckets, so the cumulative counts and _count agree with each other.
  std::vector<uint64_t> counts = histogram.bucketCounts();
  const std::vector<double> &bounds = histogram.upperBounds();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le = i < bounds.size() ? formatPrometheusValue(bounds[i]) : "+Inf";
    appendSample(out, name, "_bucket", labels, "le=\"" + le + "\"", std::to_string(cumulative));
  }
  appendSample(out, name, "_sum", labels, {}, formatPrometheusValue(histogram.sum()));
  appendSample(out, name, "_count", labels, {}, std::to_string(cumulative));
}

} // namespace

struct MetricsRegistry::FamilyView {
  const std::string *name;
  const std::string *help;
  int kind;
  std::vector<ChildView> children;
};

std::vector<MetricsRegistry::FamilyView> MetricsRegistry::views() const {
  std::vector<FamilyView> families;
  std::lock_guard lock(mutex_);
  families.reserve(families_.size());
  for (const auto &family : families_) {
    FamilyView view{&family->name, &family->help, static_cast<int>(family->kind), {}};
    view.children.reserve(family->children.size());
    for (const auto &child : family->children)
      view.children.push_back({&child->labels, &child->renderedLabels, child->counter.get(),
                               child->gauge.get(), child->histogram.get(), child->read});
    families.push_back(std::move(view));
  }
  return families;
}

std::string MetricsRegistry::renderPrometheus() const {
  std::vector<FamilyView> families = views();
  std::string out;
  for (const FamilyView &family : families) {
    const std::string &name = *family.name;
    out += "# HELP " + name + ' ' + *family.help + '\n';
    out += "# TYPE " + name + ' ' + typeName(family.kind) + '\n';
    for (const ChildView &child : family.children) {
      const std::string &labels = *child.renderedLabels;
      if (child.histogram)
        appendHistogram(out, name, labels, *child.histogram);
      else if (child.counter)
        appendSample(out, name, {}, labels, {}, std::to_string(child.counter->value()));
      else if (child.gauge)
        appendSample(out, name, {}, labels, {}, formatPrometheusValue(child.gauge->value()));
      else
        appendSample(out, name, {}, labels, {}, formatPrometheusValue(readFunction(*child.read)));
    }
  }
  return out;
}

namespace {

nlohmann::ordered_json jsonNumber(double value) {
  if (std::isfinite(value))
    return value;
  return formatPrometheusValue(value);
}

} // namespace

nlohmann::ordered_json MetricsRegistry::snapshotJson() const {
  std::vector<FamilyView> families = views();
  nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
  for (const FamilyView &family : families) {
    for (const ChildView &child : family.children) {
      nlohmann::ordered_json series = nlohmann::ordered_json::object();
      series["name"] = *family.name;
      series["type"] = typeName(family.kind);
      series["labels"] = nlohmann::ordered_json::object();
      for (const auto &[name, value] : *child.labels)
        series["labels"][name] = value;
      if (child.histogram) {
        std::vector<uint64_t> counts = child.histogram->bucketCounts();
        const std::vector<double> &bounds = child.histogram->upperBounds();
        nlohmann::ordered_json buckets = nlohmann::ordered_json::array();
        uint64_t cumulative = 0;
        for (size_t i = 0; i < counts.size(); ++i) {
          cumulative += counts[i];
          nlohmann::ordered_json bucket = nlohmann::ordered_json::object();
          bucket["le"] = i < bounds.size() ? jsonNumber(bounds[i]) : nlohmann::ordered_json("+Inf");
          bucket["count"] = cumulative;
          buckets.push_back(std::move(bucket));
        }
        series["sum"] = jsonNumber(child.histogram->sum());
        series["count"] = cumulative;
        series["buckets"] = std::move(buckets);
      } else if (child.counter) {
        series["value"] = child.counter->value();
      } else if (child.gauge) {
        series["value"] = jsonNumber(child.gauge->value());
      } else {
        series["value"] = jsonNumber(readFunction(*child.read));
      }
      metrics.push_back(std::move(series));
    }
  }
  nlohmann::ordered_json snapshot = nlohmann::ordered_json::object();
  snapshot["metrics"] = std::move(metrics);
  return snapshot;
}

} // namespace pyvc::telemetry
