// The agent's config loader (ConfigLoader.h): the YAML document, the sections other than
// `sources` and `pipelines` (LoadSources.cpp, LoadPipelines.cpp), and the checks that span
// sections. Every problem is recorded with its place and loading goes on, so one run reports all.
#include "config/ConfigLoader.h"

#include "config/ConfigSections.h"

#include "config/ConfigValues.h"
#include "config/RuleModule.h"
#include "core/Utf8.h"
#include "privacy/PrivacyPolicy.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace pyvc::agent {

namespace fs = std::filesystem;

namespace {

constexpr const char *kEmbeddedName = "<embedded default>";
constexpr size_t kMaxConfigBytes = 16 << 20;

#ifdef PYVC_KERNEL_DIR_FROM_EXECUTABLE
// The embedded default's kernel folder, found from the running executable
// (PYVC_KERNEL_DIR_FROM_EXECUTABLE, e.g. "../lib/pyvc/kernels", from its folder): the same
// layout in the build tree and in any install prefix, so a moved or packaged agent finds the
// kernels installed with it. /proc/self/exe is already free of symbolic links.
fs::path kernelDirNextToExecutable() {
  std::error_code ignored;
  fs::path executable = fs::read_symlink("/proc/self/exe", ignored);
  return (executable.parent_path() / PYVC_KERNEL_DIR_FROM_EXECUTABLE).lexically_normal();
}
#endif

void loadAgentSection(ConfigReader &reader, const Field &agent, const PathBases &bases,
                      AgentConfig &config) {
  if (!reader.checkMapping(agent, "agent"))
    return;
  if (auto field = reader.child(agent, "data_dir"))
    if (auto text = reader.string(*field)) {
      if (text->empty())
        reader.report(*field, "must not be empty");
      else
        config.dataDir = resolvePath(bases.configFolder, *text);
    }
  if (auto field = reader.child(agent, "log_level"))
    if (auto level = reader.choice<std::string>(
            *field, {{"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}}))
      config.logLevel = *level;
  if (auto field = reader.child(agent, "memory_budget"))
    if (auto bytes = reader.sizeBytes(*field, 64 << 10))
      config.memoryBudgetBytes = static_cast<size_t>(*bytes);
  if (auto field = reader.child(agent, "workers"))
    if (auto value = reader.integer(*field, 1, 64))
      config.workers = static_cast<uint32_t>(*value);
  if (auto field = reader.child(agent, "durability"))
    if (auto value = reader.choice<Durability>(
            *field, {{"normal", Durability::Normal}, {"full", Durability::Full}}))
      config.durability = *value;
  if (auto commit = reader.child(agent, "commit");
      commit && reader.checkMapping(*commit, "agent.commit")) {
    if (auto field = reader.child(*commit, "max_readings"))
      if (auto value = reader.integer(*field, 1, 10000000))
        config.commitMaxReadings = static_cast<size_t>(*value);
    if (auto field = reader.child(*commit, "max_delay"))
      if (auto ms = reader.durationMs(*field, 0))
        config.commitMaxDelay = std::chrono::milliseconds(*ms);
  }
  if (auto field = reader.child(agent, "shutdown_timeout"))
    if (auto ms = reader.durationMs(*field, 1))
      config.shutdownTimeout = std::chrono::milliseconds(*ms);
  if (auto times = reader.child(agent, "timestamps");
      times && reader.checkMapping(*times, "agent.timestamps")) {
    if (auto field = reader.child(*times, "max_age"))
      if (auto ms = reader.durationMs(*field, 1))
        config.maxReadingAgeMs = *ms;
    if (auto field = reader.child(*times, "max_skew"))
      if (auto ms = reader.durationMs(*field, 0))
        config.maxReadingSkewMs = *ms;
  }
  if (auto weights = reader.child(agent, "priority_weights");
      weights && reader.checkMapping(*weights, "agent.priority_weights")) {
    const std::pair<const char *, Priority> names[] = {{"critical", Priority::Critical},
                                                       {"high", Priority::High},
                                                       {"normal", Priority::Normal},
                                                       {"low", Priority::Low}};
    for (const auto &[name, priority] : names)
      if (auto field = reader.child(*weights, name))
        if (auto value = reader.number(*field, 0, 1e6, true))
          config.priorityWeights[static_cast<size_t>(priority)] = *value;
  }
}

// A YAML value as JSON, for a policy written inline: quoted scalars stay strings, plain ones
// become the number, boolean or null they spell.
nlohmann::ordered_json yamlToJson(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Map: {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto &entry : node)
      object[entry.first.Scalar()] = yamlToJson(entry.second);
    return object;
  }
  case YAML::NodeType::Sequence: {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto &element : node)
      array.push_back(yamlToJson(element));
    return array;
  }
  case YAML::NodeType::Scalar: {
    const std::string &text = node.Scalar();
    if (node.Tag() == "!")
      return text;
    if (text == "true" || text == "false")
      return text == "true";
    if (text == "null" || text == "~")
      return nullptr;
    if (auto integer = parseInteger(text))
      return *integer;
    if (auto number = parseNumber(text))
      return *number;
    return text;
  }
  default:
    return nullptr;
  }
}

// A policy written inline must not repeat a key anywhere: the JSON it becomes could keep only one
// copy, and the firewall refuses repeated keys in a policy file for the same reason.
bool hasRepeatedKeys(ConfigReader &reader, const YAML::Node &node, const std::string &path) {
  bool repeated = false;
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto &entry : node) {
      std::string key = entry.first.Scalar();
      if (!seen.insert(key).second) {
        reader.report(entry.first.Mark().line + 1, path + "." + key,
                      "repeated key (each key may appear once)");
        repeated = true;
      }
      repeated |= hasRepeatedKeys(reader, entry.second, path + "." + key);
    }
  } else if (node.IsSequence()) {
    for (size_t index = 0; index < node.size(); ++index)
      repeated |= hasRepeatedKeys(reader, node[index], path + "[" + std::to_string(index) + "]");
  }
  return repeated;
}

// Checks a policy as the firewall will load it, without its side effect: a policy that hashes
// creates its key file on first load, which `check` must not do. The key file itself is the
// agent's to check at start.
void checkPolicy(ConfigReader &reader, const Field &field, const std::string &jsonText,
                 const fs::path &keyBase) {
  nlohmann::json document = nlohmann::json::parse(jsonText, nullptr, false);
  std::string text = jsonText;
  bool keyFileRemoved = false;
  if (document.is_object() && document.contains("hash_key_file") &&
      document["hash_key_file"].is_string() &&
      !document["hash_key_file"].get<std::string>().empty()) {
    document.erase("hash_key_file");
    text = document.dump();
    keyFileRemoved = true;
  }
  auto policy = PrivacyPolicy::parse(text, keyBase);
  if (policy)
    return;
  const std::string &message = policy.error().message;
  if (keyFileRemoved && message.find("sets no \"hash_key_file\"") != std::string::npos)
    return;
  reader.report(field, "invalid privacy policy: " + message);
}

void loadPrivacySection(ConfigReader &reader, const Field &privacy, const PathBases &bases,
                        AgentConfig &config) {
  if (!reader.checkMapping(privacy, "privacy"))
    return;
  std::optional<Field> file = reader.child(privacy, "policy");
  std::optional<Field> inlined = reader.child(privacy, "policy_inline");
  if (file && inlined) {
    reader.report(*inlined, "give either `policy` (a file) or `policy_inline`, not both");
    return;
  }
  if (!file && !inlined) {
    reader.report(privacy.line, privacy.path + ".policy",
                  "is required (a policy file, or `policy_inline`)");
    return;
  }
  config.privacyPolicyBase = bases.configFolder;
  if (inlined) {
    if (!inlined->node.IsMap()) {
      reader.report(*inlined, "expected a policy object (default, rules, ...), got " +
                                  ConfigReader::describe(inlined->node));
      return;
    }
    if (hasRepeatedKeys(reader, inlined->node, inlined->path))
      return;
    config.privacyPolicyJson = yamlToJson(inlined->node).dump();
    checkPolicy(reader, *inlined, config.privacyPolicyJson, bases.configFolder);
    return;
  }
  std::optional<std::string> text = reader.string(*file);
  if (!text)
    return;
  if (text->empty()) {
    reader.report(*file, "must not be empty");
    return;
  }
  config.privacyPolicy = resolvePath(bases.configFolder, *text);
  // Only a regular file of sane size: a FIFO or /dev/zero must not hang `check`.
  std::error_code error;
  fs::file_status status = fs::status(config.privacyPolicy, error);
  std::string why;
  if (error)
    why = error.message();
  else if (!fs::is_regular_file(status))
    why = "not a regular file";
  else if (fs::file_size(config.privacyPolicy, error) > kMaxConfigBytes)
    why = "larger than 16 MiB";
  std::stringstream contents;
  if (why.empty()) {
    std::ifstream input(config.privacyPolicy, std::ios::binary);
    if (input)
      contents << input.rdbuf();
    if (!input)
      why = std::strerror(errno);
  }
  if (!why.empty()) {
    reader.report(*file, "cannot read " + config.privacyPolicy.string() + ": " + why);
    return;
  }
  checkPolicy(reader, *file, contents.str(), config.privacyPolicy.parent_path());
}

void loadStorage(ConfigReader &reader, const Field &root, AgentConfig &config) {
  if (auto store = reader.child(root, "store"); store && reader.checkMapping(*store, "store")) {
    if (auto field = reader.child(*store, "retention"))
      if (auto ms = reader.durationMs(*field, 1))
        config.storeRetentionMs = *ms;
    if (auto field = reader.child(*store, "max_size"))
      if (auto bytes = reader.sizeBytes(*field, 1 << 20))
        config.storeMaxBytes = *bytes;
    if (auto field = reader.child(*store, "rejected_max_rows"))
      if (auto rows = reader.integer(*field, 0, INT64_MAX))
        config.rejectedMaxRows = static_cast<size_t>(*rows);
  }
  if (auto queue = reader.child(root, "queue"); queue && reader.checkMapping(*queue, "queue"))
    if (auto field = reader.child(*queue, "max_size"))
      if (auto bytes = reader.sizeBytes(*field, 1 << 20))
        config.queueMaxBytes = *bytes;
}

void loadUplink(ConfigReader &reader, const Field &entry, const PathBases &bases,
                std::vector<std::string> &names, AgentConfig &config) {
  if (!entry.node.IsMap()) {
    reader.report(entry, "expected a mapping of keys, got " + ConfigReader::describe(entry.node));
    return;
  }
  std::optional<UplinkKind> kind;
  if (auto field = reader.required(entry, "type", "http or mqtt"))
    kind =
        reader.choice<UplinkKind>(*field, {{"http", UplinkKind::Http}, {"mqtt", UplinkKind::Mqtt}});
  reader.checkMapping(entry, "uplinks[]",
                      !kind                       ? "*"
                      : *kind == UplinkKind::Http ? "http"
                                                  : "mqtt",
                      "uplink");
  UplinkConfig uplink;
  uplink.name = readEntryName(reader, entry, names, "uplink").value_or("");
  if (!kind)
    return;
  uplink.kind = *kind;
  if (*kind == UplinkKind::Http) {
    if (auto field = reader.required(entry, "url", "http://host:port/path or https://..."))
      if (auto url = reader.string(*field)) {
        if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0)
          reader.report(*field, "expected an http:// or https:// URL, got `" + *url + "`");
        uplink.url = *url;
      }
    if (auto field = reader.child(entry, "headers"))
      if (auto headers = reader.sequence(*field, "\"Name: value\" headers"))
        for (const Field &header : *headers)
          if (auto text = reader.string(header)) {
            size_t colon = text->find(':');
            if (colon == std::string::npos || colon == 0 ||
                text->find_first_of("\r\n") != std::string::npos)
              reader.report(header, "expected a header like \"Authorization: Bearer x\", got `" +
                                        *text + "`");
            else
              uplink.headers.push_back(*text);
          }
    if (auto field = reader.child(entry, "gzip"))
      if (auto value = reader.boolean(*field))
        uplink.gzip = *value;
  } else {
    if (auto field = reader.child(entry, "host"))
      if (auto host = reader.string(*field)) {
        if (host->empty())
          reader.report(*field, "must not be empty");
        uplink.host = *host;
      }
    if (auto field = reader.child(entry, "port"))
      if (auto port = reader.integer(*field, 1, 65535))
        uplink.port = static_cast<int>(*port);
    if (auto field = reader.required(entry, "topic", "the MQTT topic batches are published to"))
      if (auto topic = reader.string(*field)) {
        if (topic->empty() || topic->find_first_of("+#") != std::string::npos)
          reader.report(*field, "expected a topic without wildcards, got `" + *topic + "`");
        uplink.topic = *topic;
      }
    if (auto field = reader.child(entry, "client_id"))
      if (auto id = reader.string(*field))
        uplink.clientId = *id;
  }
  if (auto field = reader.child(entry, "ca_file"))
    if (auto text = reader.string(*field))
      uplink.caFile = resolvePath(bases.configFolder, *text).string();
  if (auto field = reader.child(entry, "timeout"))
    if (auto ms = reader.durationMs(*field, 1))
      uplink.timeout = std::chrono::milliseconds(*ms);
  if (auto field = reader.child(entry, "max_batch_items"))
    if (auto items = reader.integer(*field, 1, 1000000))
      uplink.maxBatchItems = static_cast<size_t>(*items);
  if (auto field = reader.child(entry, "max_batch_bytes"))
    if (auto bytes = reader.sizeBytes(*field, 1))
      uplink.maxBatchBytes = static_cast<size_t>(*bytes);
  if (auto field = reader.child(entry, "max_bytes_per_second"))
    if (auto rate = reader.number(*field, 0, 1e15))
      uplink.maxBytesPerSecond = *rate;
  config.uplinks.push_back(std::move(uplink));
}

void loadTelemetry(ConfigReader &reader, const Field &field, AgentConfig &config) {
  if (!reader.checkMapping(field, "telemetry"))
    return;
  if (auto value = reader.child(field, "sync"))
    if (auto flag = reader.boolean(*value))
      config.telemetry.sync = *flag;
  if (auto value = reader.child(field, "interval"))
    if (auto ms = reader.durationMs(*value, 1000))
      config.telemetry.interval = std::chrono::milliseconds(*ms);
}

// `kernels`: the keys kernel libraries must be signed by, or the explicit opt-out. The keys are
// read (and reported) where the libraries are opened (agent/KernelSet.cpp): `pyvc compile
// --config` loads a gateway's config on a build machine that need not hold its key folder.
void loadKernelsSection(ConfigReader &reader, const Field &field, const PathBases &bases,
                        AgentConfig &config) {
  if (!reader.checkMapping(field, "kernels"))
    return;
  std::optional<Field> keys = reader.child(field, "trusted_keys");
  if (keys) {
    std::vector<Field> entries = {*keys};
    if (keys->node.IsSequence()) {
      entries = *reader.sequence(*keys, "key paths");
      if (entries.empty())
        reader.report(*keys, "lists no key; name public key files or folders of *.pub files");
    }
    for (const Field &entry : entries)
      if (auto path = reader.string(entry)) {
        if (path->empty())
          reader.report(entry, "must not be empty");
        else
          config.trustedKeys.push_back(resolvePath(bases.configFolder, *path));
      }
  }
  if (auto allow = reader.child(field, "allow_unsigned"))
    if (auto flag = reader.boolean(*allow)) {
      config.allowUnsignedKernels = *flag;
      if (*flag && keys)
        reader.report(*allow, "contradicts kernels.trusted_keys: either kernel libraries must be "
                              "signed by those keys, or they may be unsigned; keep one");
    }
}

// Kernel libraries run with the agent's privileges: a config that loads any must say whose
// signatures it trusts, or opt out of signatures explicitly. Silence is not an opt-out.
void checkKernelTrust(ConfigReader &reader, const AgentConfig &config,
                      const std::optional<Field> &kernels) {
  bool loadsKernels = hasInlineRules(config);
  for (const PipelineConfig &pipeline : config.pipelines) {
    loadsKernels = loadsKernels || !pipeline.aggregates.empty();
    for (const RuleConfig &rule : pipeline.rules)
      loadsKernels = loadsKernels || rule.function.has_value();
  }
  if (!loadsKernels || !config.trustedKeys.empty() || config.allowUnsignedKernels)
    return;
  if (kernels && (!kernels->node.IsMap() || reader.child(*kernels, "trusted_keys")))
    return; // already reported as malformed
  reader.report(kernels ? kernels->line : 1, "kernels.trusted_keys",
                "is required: the config loads kernel libraries, which must be signed by a "
                "trusted key (a public key file or a folder of *.pub files); for development, "
                "`kernels.allow_unsigned: true` loads unsigned ones");
}

// Inline rules become functions of one module: two rules whose names sanitise to the same
// function ("a-b" and "a_b") would collide there.
void checkRuleFunctions(ConfigReader &reader, const AgentConfig &config,
                        const std::optional<Field> &rulesLibrary) {
  std::map<std::string, std::string> owners;
  for (const PipelineConfig &pipeline : config.pipelines)
    for (const RuleConfig &rule : pipeline.rules) {
      if (rule.when.empty())
        continue;
      std::string function = ruleFunctionName(pipeline, rule);
      std::string owner = pipeline.name + "/" + rule.name;
      auto [it, inserted] = owners.emplace(function, owner);
      if (!inserted)
        reader.report(rule.line, "pipelines",
                      "rules " + it->second + " and " + owner + " both compile to the function " +
                          function + "; rename one");
    }
  if (!owners.empty() && !rulesLibrary)
    reader.report(1, "rules_library",
                  "is required: rules with `when` are compiled into it (pyvc compile --config "
                  "CONFIG -o rules.so)");
}

// YAML allows no control characters but tab and line breaks, and must be UTF-8. Checked before
// yaml-cpp sees the text: it can loop forever on a NUL inside a flow collection (found by
// tests/fuzz/AgentConfigFuzzer.cpp).
std::optional<ConfigProblem> checkCharacters(std::string_view text,
                                             const std::string &displayName) {
  int line = 1;
  size_t lineStart = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      lineStart = i + 1;
    } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", c);
      return ConfigProblem{displayName, line, "",
                           std::string("control character ") + code + " at column " +
                               std::to_string(i - lineStart + 1) + "; YAML allows none"};
    }
  }
  if (!isValidUtf8(text)) {
    line = 1;
    for (size_t end = 0; end <= text.size(); ++line) {
      size_t next = text.find('\n', end);
      std::string_view lineText =
          text.substr(end, next == std::string_view::npos ? text.npos : next - end);
      if (!isValidUtf8(lineText))
        return ConfigProblem{displayName, line, "", "not valid UTF-8"};
      if (next == std::string_view::npos)
        break;
      end = next + 1;
    }
    return ConfigProblem{displayName, 0, "", "not valid UTF-8"};
  }
  return std::nullopt;
}

// A `,` that starts a node outside [ ] and { } is never valid YAML (a plain scalar cannot start
// with it), and yaml-cpp 0.7 loops forever on one at document level (",", "[a]\n,", "&x ,";
// found by tests/fuzz/AgentConfigFuzzer.cpp). Reported here instead, with its place. The scan
// knows comments, quoted strings (also over several lines), flow collections and block scalars
// (`|`, `>`), whose lines are text. yaml-cpp may have other such inputs: the fuzz target keeps
// looking, and each one found joins the seeds and this scan.
std::optional<ConfigProblem> findStrayComma(std::string_view text, const std::string &displayName) {
  int flowDepth = 0;
  char quote = 0;
  bool inBlockScalar = false;
  size_t blockIndent = 0;
  int lineNumber = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == text.npos ? text.npos : end - start);
    start = end == text.npos ? text.size() + 1 : end + 1;
    ++lineNumber;
    size_t indent = line.find_first_not_of(' ');
    if (inBlockScalar) {
      if (indent == line.npos || indent > blockIndent)
        continue;
      inBlockScalar = false;
    }
    bool nodeStart = true;   // at a place where a node may begin
    bool closedNode = false; // right after a quoted string or a flow collection
    size_t lastSignificant = line.npos;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quote) {
        if (c == quote && quote == '\'' && i + 1 < line.size() && line[i + 1] == '\'')
          ++i;
        else if (c == '\\' && quote == '"')
          ++i;
        else if (c == quote) {
          quote = 0;
          closedNode = true;
        }
        lastSignificant = i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r')
        continue;
      if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
        break;
      if (c == ',' && flowDepth == 0 && (nodeStart || closedNode))
        return ConfigProblem{displayName, lineNumber, "",
                             "YAML syntax error: unexpected `,` at column " +
                                 std::to_string(i + 1) +
                                 " (a comma separates items only inside [ ] or { })"};
      lastSignificant = i;
      closedNode = false;
      if (c == '"' || c == '\'') {
        quote = c;
        nodeStart = false;
      } else if (c == '[' || c == '{') {
        ++flowDepth;
        nodeStart = true;
      } else if (c == ']' || c == '}') {
        flowDepth = std::max(0, flowDepth - 1);
        nodeStart = false;
        closedNode = true;
      } else if ((c == '-' || c == '?' || c == ':') &&
                 (i + 1 == line.size() || line[i + 1] == ' ' || line[i + 1] == '\t')) {
        nodeStart = true; // "- ", "? ", ": " start a node
      } else if (c == '&' || c == '!' || c == '*') {
        // An anchor or tag (the node comes after it) or an alias (a whole node). Their names
        // end at a space or a flow indicator, as in YAML: "&t,e" is the anchor `t`, then a
        // comma (another input yaml-cpp 0.7 loops on).
        while (i + 1 < line.size() && std::string_view(" \t,[]{}").find(line[i + 1]) == line.npos)
          ++i;
        nodeStart = c != '*';
        closedNode = c == '*';
      } else if (c == ',') {
        nodeStart = true; // inside a flow collection
      } else {
        // A plain scalar: run to the next space (commas inside it are its own).
        while (i + 1 < line.size() && line[i + 1] != ' ' && line[i + 1] != '\t' &&
               !(flowDepth > 0 && (line[i + 1] == ',' || line[i + 1] == ']' || line[i + 1] == '}')))
          ++i;
        lastSignificant = i;
        nodeStart = false;
      }
    }
    // "key: |", "- >-": the lines below, indented deeper, are a block scalar's text.
    if (!quote && flowDepth == 0 && lastSignificant != line.npos) {
      size_t indicator = line.find_last_of("|>", lastSignificant);
      if (indicator != line.npos &&
          line.substr(indicator + 1, lastSignificant - indicator)
                  .find_first_not_of("0123456789+-") == std::string_view::npos &&
          (indicator == 0 || line[indicator - 1] == ' ')) {
        inBlockScalar = true;
        blockIndent = indent == line.npos ? 0 : indent;
      }
    }
  }
  return std::nullopt;
}

ConfigLoad readDocument(std::string_view text, const std::string &displayName,
                        const fs::path &configFolder, bool embedded) {
  ConfigReader reader(displayName);
  ConfigLoad load;
  std::optional<ConfigProblem> problem = checkCharacters(text, displayName);
  if (!problem)
    problem = findStrayComma(text, displayName);
  if (problem) {
    load.problems.push_back(std::move(*problem));
    return load;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception &error) {
    reader.report(error.mark.line >= 0 ? error.mark.line + 1 : 0, "",
                  "YAML syntax error: " + error.msg);
    load.problems = std::move(reader.problems());
    return load;
  }
  if (documents.size() > 1) {
    reader.report(documents[1].Mark().line + 1, "",
                  "more than one YAML document (`---`); a config is one");
    load.problems = std::move(reader.problems());
    return load;
  }
  YAML::Node root =
      documents.empty() || documents[0].IsNull() ? YAML::Node(YAML::NodeType::Map) : documents[0];
  Field top{root, "", 1};
  if (!reader.checkMapping(top, "")) {
    load.problems = std::move(reader.problems());
    return load;
  }

  AgentConfig config;
  config.file = displayName;
  PathBases bases{configFolder, configFolder};
  config.dataDir = configFolder / "pyvc-agent-data";
  std::optional<Field> agent = reader.child(top, "agent");
  std::optional<Field> kernelDir =
      agent && agent->node.IsMap() ? reader.child(*agent, "kernel_dir") : std::nullopt;
  if (kernelDir) {
    if (auto dir = reader.string(*kernelDir))
      bases.kernelDir = resolvePath(configFolder, *dir);
  } else if (embedded) {
    const char *fromEnvironment = std::getenv("PYVC_KERNEL_DIR");
    if (fromEnvironment && *fromEnvironment)
      bases.kernelDir = resolvePath(configFolder, fromEnvironment);
#ifdef PYVC_KERNEL_DIR_FROM_EXECUTABLE
    else
      bases.kernelDir = kernelDirNextToExecutable();
#endif
  }
  config.kernelDir = bases.kernelDir;
  if (agent)
    loadAgentSection(reader, *agent, bases, config);
  if (auto metrics = reader.child(top, "metrics");
      metrics && reader.checkMapping(*metrics, "metrics"))
    if (auto listen = reader.child(*metrics, "listen")) {
      std::string host;
      int port = 0;
      if (listen->node.IsScalar() && listen->node.Scalar() == "off")
        config.metricsListen.clear();
      else if (readListenAddress(reader, *listen, host, port))
        config.metricsListen = listen->node.Scalar();
    }
  if (auto privacy = reader.required(top, "privacy", "a policy file or policy_inline"))
    loadPrivacySection(reader, *privacy, bases, config);
  std::optional<Field> rulesLibrary = reader.child(top, "rules_library");
  if (rulesLibrary)
    if (auto path = reader.string(*rulesLibrary)) {
      if (path->empty())
        reader.report(*rulesLibrary, "must not be empty");
      else
        config.rulesLibrary = resolvePath(bases.kernelDir, *path);
    }
  loadStorage(reader, top, config);
  if (auto sources = reader.required(top, "sources", "at least one source"))
    loadSources(reader, *sources, bases, config);
  if (auto pipelines = reader.required(top, "pipelines", "at least one pipeline"))
    loadPipelines(reader, *pipelines, bases, config);
  if (auto uplinks = reader.child(top, "uplinks"))
    if (auto list = reader.sequence(*uplinks, "uplinks")) {
      std::vector<std::string> names;
      for (const Field &entry : *list)
        loadUplink(reader, entry, bases, names, config);
    }
  if (auto telemetry = reader.child(top, "telemetry"))
    loadTelemetry(reader, *telemetry, config);
  checkRuleFunctions(reader, config, rulesLibrary);
  std::optional<Field> kernels = reader.child(top, "kernels");
  if (kernels)
    loadKernelsSection(reader, *kernels, bases, config);
  checkKernelTrust(reader, config, kernels);

  load.problems = std::move(reader.problems());
  std::stable_sort(load.problems.begin(), load.problems.end(),
                   [](const ConfigProblem &a, const ConfigProblem &b) { return a.line < b.line; });
  if (load.problems.empty())
    load.config = std::move(config);
  return load;
}

// yaml-cpp throws only while parsing, which readDocument catches; this is the net under any
// other throw (an allocation failure on a huge document), so a bad config can never end the agent.
ConfigLoad loadDocument(std::string_view text, const std::string &displayName,
                        const fs::path &configFolder, bool embedded) {
  try {
    return readDocument(text, displayName, configFolder, embedded);
  } catch (const std::exception &error) {
    ConfigLoad load;
    load.problems.push_back(
        ConfigProblem{displayName, 0, "", std::string("cannot read the config: ") + error.what()});
    return load;
  }
}

fs::path currentFolder() {
  std::error_code error;
  fs::path folder = fs::current_path(error);
  return error ? fs::path("/") : folder;
}

fs::path folderOf(const fs::path &file) {
  fs::path parent = file.parent_path();
  if (parent.empty())
    return currentFolder();
  return parent.is_absolute() ? parent : currentFolder() / parent;
}

} // namespace

fs::path resolvePath(const fs::path &base, const std::string &text) {
  fs::path path = text;
  if (text.rfind("~/", 0) == 0)
    if (const char *home = std::getenv("HOME"); home && *home)
      path = fs::path(home) / text.substr(2);
  path = (path.is_absolute() ? path : base / path).lexically_normal();
  // "." and "dir/" normalise to a trailing separator; the folder itself is meant.
  if (!path.has_filename() && path != path.root_path())
    path = path.parent_path();
  return path;
}

std::optional<std::string> readEntryName(ConfigReader &reader, const Field &entry,
                                         std::vector<std::string> &seen, std::string_view what) {
  std::optional<Field> field = reader.required(entry, "name", "a name for messages and metrics");
  if (!field)
    return std::nullopt;
  std::optional<std::string> name = reader.string(*field);
  if (!name)
    return std::nullopt;
  bool valid =
      !name->empty() && name->size() <= 64 && std::all_of(name->begin(), name->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  if (!valid) {
    reader.report(*field, "a " + std::string(what) +
                              " name is 1 to 64 letters, digits, `_`, `-` or `.`, got `" + *name +
                              "`");
    return std::nullopt;
  }
  if (std::find(seen.begin(), seen.end(), *name) != seen.end()) {
    reader.report(*field, "another " + std::string(what) + " is already named `" + *name + "`");
    return std::nullopt;
  }
  seen.push_back(*name);
  return name;
}

bool readListenAddress(ConfigReader &reader, const Field &field, std::string &host, int &port) {
  std::optional<std::string> text = reader.string(field);
  if (!text)
    return false;
  size_t colon = text->rfind(':');
  std::optional<int64_t> number =
      colon == std::string::npos ? std::nullopt : parseInteger(text->substr(colon + 1));
  if (colon == std::string::npos || colon == 0 || !number) {
    reader.report(field, "expected host:port such as 127.0.0.1:8080, got `" + *text + "`");
    return false;
  }
  if (*number < 1 || *number > 65535) {
    reader.report(field, "port must be between 1 and 65535, got " + std::to_string(*number));
    return false;
  }
  host = text->substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = static_cast<int>(*number);
  return true;
}

std::string ConfigProblem::str() const {
  std::string text = file;
  if (line > 0)
    text += ":" + std::to_string(line);
  text += ": ";
  if (!key.empty())
    text += key + ": ";
  return text + problem;
}

ConfigLoad loadConfigText(std::string_view yaml, const fs::path &file) {
  return loadDocument(yaml, file.string(), folderOf(file), false);
}

ConfigLoad loadConfigFile(const fs::path &file) {
  std::ifstream input(file, std::ios::binary);
  std::error_code ignored;
  if (!input || fs::is_directory(file, ignored)) {
    int error = errno;
    ConfigLoad load;
    load.problems.push_back(ConfigProblem{
        file.string(), 0, "",
        std::string("cannot read the config file: ") +
            (fs::is_directory(file, ignored) ? "it is a folder" : std::strerror(error))});
    return load;
  }
  std::string text;
  char buffer[65536];
  while (input.read(buffer, sizeof buffer) || input.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(input.gcount()));
    if (text.size() > kMaxConfigBytes) {
      ConfigLoad load;
      load.problems.push_back(
          ConfigProblem{file.string(), 0, "", "the config file is larger than 16 MiB"});
      return load;
    }
  }
  return loadConfigText(text, file);
}

ConfigLoad loadEmbeddedDefaultConfig() {
  return loadDocument(embeddedDefaultConfig(), kEmbeddedName, currentFolder(), true);
}

} // namespace pyvc::agent
