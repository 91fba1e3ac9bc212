// The `pipelines` section of the agent's config: which sensors a pipeline takes, its window, the
// kernels that aggregate each window, its rules and what it stores and syncs (docs/AGENT.md,
// "pipelines").
#include "config/ConfigSections.h"

#include "config/ConfigValues.h"

#include "config/RuleExpression.h"
#include "privacy/GlobPattern.h"

#include <algorithm>

namespace pyvc::agent {

using windows::WindowKind;
using windows::WindowSpec;

namespace {

bool isIdentifier(const std::string &name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

void loadSensorGlobs(ConfigReader &reader, const Field &field, PipelineConfig &pipeline) {
  std::vector<Field> globs;
  if (field.node.IsScalar()) {
    globs.push_back(field);
  } else if (auto list = reader.sequence(field, "sensor name globs")) {
    globs = *list;
    if (globs.empty())
      reader.report(field, "needs at least one glob");
  }
  for (const Field &glob : globs) {
    std::optional<std::string> text = reader.string(glob);
    if (!text)
      continue;
    Result<GlobPattern> compiled = GlobPattern::compile(*text);
    if (!compiled)
      reader.report(glob, "bad glob `" + *text + "`: " + compiled.error().message);
    else
      pipeline.sensors.push_back(*text);
  }
}

std::optional<WindowSpec> loadWindow(ConfigReader &reader, const Field &field) {
  if (!reader.checkMapping(field, "pipelines[].window"))
    return std::nullopt;
  std::optional<WindowKind> kind;
  if (auto type = reader.required(field, "type", "tumbling, hopping or count"))
    kind = reader.choice<WindowKind>(*type, {{"tumbling", WindowKind::Tumbling},
                                             {"hopping", WindowKind::Hopping},
                                             {"count", WindowKind::Count}});
  if (!kind)
    return std::nullopt;
  WindowSpec spec;
  spec.kind = *kind;
  std::optional<Field> size = reader.required(field, "size");
  std::optional<Field> slide = reader.child(field, "slide");
  std::optional<Field> lateness = reader.child(field, "lateness");
  bool ok = size.has_value();
  if (*kind == WindowKind::Count) {
    if (size) {
      if (auto count = reader.integer(*size, 1, 1 << 24))
        spec.sizeCount = spec.slideCount = static_cast<uint32_t>(*count);
      else
        ok = false;
    }
    if (slide) {
      if (auto count = reader.integer(*slide, 1, 1 << 24))
        spec.slideCount = static_cast<uint32_t>(*count);
      else
        ok = false;
    }
    if (lateness) {
      reader.report(*lateness, "count windows follow arrival order and have no lateness");
      ok = false;
    }
    return ok ? std::optional(spec) : std::nullopt;
  }
  if (size) {
    if (auto ms = reader.durationMs(*size, 1))
      spec.sizeMs = spec.slideMs = *ms;
    else
      ok = false;
  }
  if (*kind == WindowKind::Tumbling && slide) {
    reader.report(*slide, "a tumbling window has no slide (use type: hopping)");
    ok = false;
  }
  if (*kind == WindowKind::Hopping) {
    if (!slide) {
      reader.report(field.line, field.path + ".slide", "is required for a hopping window");
      ok = false;
    } else if (auto ms = reader.durationMs(*slide, 1)) {
      spec.slideMs = *ms;
      if (size && ok && *ms > spec.sizeMs) {
        reader.report(*slide, "must not be longer than the window size (" + size->node.Scalar() +
                                  "), got " + slide->node.Scalar());
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (lateness) {
    if (auto ms = reader.durationMs(*lateness, 0))
      spec.allowedLatenessMs = *ms;
    else
      ok = false;
  }
  return ok ? std::optional(spec) : std::nullopt;
}

// "windows.so:mean" -> library resolved against kernel_dir, function mean.
std::optional<KernelRef> readKernelRef(ConfigReader &reader, const Field &field,
                                       const PathBases &bases) {
  std::optional<std::string> text = reader.string(field);
  if (!text)
    return std::nullopt;
  size_t colon = text->rfind(':');
  if (colon == std::string::npos || colon == 0 || !isIdentifier(text->substr(colon + 1))) {
    reader.report(field, "expected library.so:function, got `" + *text + "`");
    return std::nullopt;
  }
  return KernelRef{resolvePath(bases.kernelDir, text->substr(0, colon)), text->substr(colon + 1),
                   *text};
}

void loadAggregates(ConfigReader &reader, const Field &field, const PathBases &bases,
                    PipelineConfig &pipeline) {
  if (!field.node.IsMap()) {
    reader.report(field, "expected a mapping of aggregate names to library.so:function, got " +
                             ConfigReader::describe(field.node));
    return;
  }
  if (field.node.size() == 0)
    reader.report(field, "needs at least one aggregate (or leave the key out)");
  for (const auto &entry : field.node) {
    std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
    Field value = fieldOf(entry.second, field.path + "." + name);
    if (value.line == 0)
      value.line = entry.first.Mark().line + 1;
    if (!isIdentifier(name) || isPythonKeyword(name) || name.find("__") != std::string::npos) {
      reader.report(entry.first.Mark().line + 1, value.path,
                    "an aggregate's name must be a Python identifier without `__` and not a "
                    "keyword (rules use it as a "
                    "parameter name)");
      continue;
    }
    auto same = [&](const AggregateConfig &other) { return other.name == name; };
    if (std::any_of(pipeline.aggregates.begin(), pipeline.aggregates.end(), same)) {
      reader.report(value, "repeated aggregate name");
      continue;
    }
    if (auto kernel = readKernelRef(reader, value, bases))
      pipeline.aggregates.push_back(AggregateConfig{name, *kernel});
  }
}

void loadRule(ConfigReader &reader, const Field &entry, const PathBases &bases,
              PipelineConfig &pipeline, bool aggregatesValid, std::vector<std::string> &names) {
  if (!reader.checkMapping(entry, "pipelines[].rules[]"))
    return;
  RuleConfig rule;
  rule.line = entry.line;
  std::optional<std::string> name = readEntryName(reader, entry, names, "rule");
  bool ok = name.has_value();
  rule.name = name.value_or("");
  bool scopeKnown = aggregatesValid; // else the names in `when` cannot be judged
  if (auto field = reader.child(entry, "on")) {
    if (auto input = reader.choice<RuleInput>(
            *field, {{"readings", RuleInput::Readings}, {"windows", RuleInput::Windows}})) {
      rule.input = *input;
      if (*input == RuleInput::Windows && !pipeline.window) {
        reader.report(*field, "a window rule needs the pipeline to have a window");
        ok = scopeKnown = false;
      } else if (*input == RuleInput::Windows && aggregatesValid && pipeline.aggregates.empty()) {
        reader.report(*field, "a window rule needs at least one aggregate in the pipeline");
        ok = scopeKnown = false;
      }
    } else {
      ok = scopeKnown = false;
    }
  }
  if (auto field = reader.child(entry, "severity")) {
    if (auto severity = reader.choice<Severity>(*field, {{"info", Severity::Info},
                                                         {"warning", Severity::Warning},
                                                         {"critical", Severity::Critical}}))
      rule.severity = *severity;
    else
      ok = false;
  }
  std::optional<Field> when = reader.child(entry, "when");
  std::optional<Field> function = reader.child(entry, "function");
  if (when && function) {
    reader.report(*function, "a rule has either `when` or `function`, not both");
    ok = false;
  } else if (!when && !function) {
    reader.report(entry.line, entry.path + ".when",
                  "is required (or `function`): an expression such as \"value > 35.0\"");
    ok = false;
  } else if (function) {
    if (auto kernel = readKernelRef(reader, *function, bases))
      rule.function = *kernel;
    else
      ok = false;
  } else if (auto text = reader.string(*when)) {
    rule.when = *text;
    // Names can only be judged once the aggregates are known to be right.
    RuleScope scope{rule.input == RuleInput::Windows, {}, {}, pipeline.name, scopeKnown};
    for (const AggregateConfig &aggregate : pipeline.aggregates)
      scope.aggregates.push_back(aggregate.name);
    scope.parameters = scope.windowRule ? scope.aggregates : std::vector<std::string>{"value"};
    for (std::string &problem : checkRuleExpression(*text, scope)) {
      reader.report(*when, std::move(problem));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (ok)
    pipeline.rules.push_back(std::move(rule));
}

RecordSelection loadSelection(ConfigReader &reader, const Field &field, RecordSelection selection,
                              std::string_view section) {
  if (!reader.checkMapping(field, section))
    return selection;
  if (auto value = reader.child(field, "events"))
    if (auto flag = reader.boolean(*value))
      selection.events = *flag;
  if (auto value = reader.child(field, "windows"))
    if (auto flag = reader.boolean(*value))
      selection.windows = *flag;
  if (auto value = reader.child(field, "readings")) {
    std::string text = value->node.IsScalar() ? value->node.Scalar() : "";
    std::optional<int64_t> every;
    if (text == "all")
      selection.readingsEvery = 1;
    else if (text == "none")
      selection.readingsEvery = 0;
    else if (text.rfind("every ", 0) == 0 && (every = parseInteger(text.substr(6))) &&
             *every >= 1 && *every <= 1000000000)
      selection.readingsEvery = static_cast<uint32_t>(*every);
    else
      reader.report(*value, "expected all, none or `every N` (N at least 1), got " +
                                ConfigReader::describe(value->node));
  }
  return selection;
}

void loadPipeline(ConfigReader &reader, const Field &entry, const PathBases &bases,
                  std::vector<std::string> &names, AgentConfig &config) {
  if (!reader.checkMapping(entry, "pipelines[]"))
    return;
  PipelineConfig pipeline;
  pipeline.line = entry.line;
  pipeline.name = readEntryName(reader, entry, names, "pipeline").value_or("");
  if (auto field = reader.required(entry, "sensors", "a glob such as temp.* or a list of them"))
    loadSensorGlobs(reader, *field, pipeline);
  if (auto field = reader.child(entry, "priority"))
    if (auto priority = reader.choice<Priority>(*field, {{"critical", Priority::Critical},
                                                         {"high", Priority::High},
                                                         {"normal", Priority::Normal},
                                                         {"low", Priority::Low}}))
      pipeline.priority = *priority;
  std::optional<Field> window = reader.child(entry, "window");
  bool windowValid = true;
  if (window) {
    pipeline.window = loadWindow(reader, *window);
    windowValid = pipeline.window.has_value();
  }
  size_t problemsBefore = reader.problems().size();
  if (auto field = reader.child(entry, "aggregates")) {
    if (!window)
      reader.report(*field, "aggregates need a window (add `window:` to the pipeline)");
    else
      loadAggregates(reader, *field, bases, pipeline);
  }
  bool aggregatesValid = reader.problems().size() == problemsBefore;
  if (auto field = reader.child(entry, "rules")) {
    if (auto rules = reader.sequence(*field, "rules")) {
      std::vector<std::string> ruleNames;
      for (const Field &rule : *rules) {
        // A broken window is reported once, not again by every rule that needs it.
        if (window && !windowValid)
          pipeline.window = WindowSpec{};
        loadRule(reader, rule, bases, pipeline, aggregatesValid, ruleNames);
        if (window && !windowValid)
          pipeline.window.reset();
      }
    }
  }
  if (auto field = reader.child(entry, "store"))
    pipeline.store = loadSelection(reader, *field, pipeline.store, "pipelines[].store");
  if (auto field = reader.child(entry, "sync"))
    pipeline.sync = loadSelection(reader, *field, pipeline.sync, "pipelines[].sync");
  config.pipelines.push_back(std::move(pipeline));
}

} // namespace

void loadPipelines(ConfigReader &reader, const Field &list, const PathBases &bases,
                   AgentConfig &config) {
  std::optional<std::vector<Field>> pipelines = reader.sequence(list, "pipelines");
  if (!pipelines)
    return;
  if (pipelines->empty())
    reader.report(list, "needs at least one pipeline");
  std::vector<std::string> names;
  for (const Field &entry : *pipelines)
    loadPipeline(reader, entry, bases, names, config);
}

} // namespace pyvc::agent
