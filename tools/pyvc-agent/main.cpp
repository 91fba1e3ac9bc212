// pyvc-agent: runs the edge gateway from one config file (docs/AGENT.md), or checks a config.
// Exit codes: 0 ok, 1 the config has errors, 2 usage, 3 the environment failed (files, ports,
// kernel libraries) or the agent could not start.
#include "SystemdNotifier.h"
#include "agent/Agent.h"
#include "config/ConfigLoader.h"
#include "telemetry/Log.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace pyvc;

namespace {

constexpr int kExitConfig = 1, kExitUsage = 2, kExitEnvironment = 3;

agent::ConfigLoad loadConfig(const std::string &file) {
  return file.empty() ? agent::loadEmbeddedDefaultConfig() : agent::loadConfigFile(file);
}

void printProblems(const agent::ConfigLoad &load) {
  for (const agent::ConfigProblem &problem : load.problems)
    std::fprintf(stderr, "%s\n", problem.str().c_str());
  std::fprintf(stderr, "%zu error%s\n", load.problems.size(),
               load.problems.size() == 1 ? "" : "s");
}

// Parses "15s", "500ms", "2m"; nullopt otherwise.
std::optional<std::chrono::milliseconds> parseDuration(const std::string &text) {
  size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                   text[digits] == '.'))
    ++digits;
  if (digits == 0)
    return std::nullopt;
  double amount = std::stod(text.substr(0, digits));
  std::string unit = text.substr(digits);
  double scale = unit == "ms" ? 1 : unit == "s" ? 1000 : unit == "m" ? 60000 : unit == "h" ? 3600000 : -1;
  if (scale < 0)
    return std::nullopt;
  return std::chrono::milliseconds(int64_t(amount * scale));
}

int runCheck(const std::string &file) {
  agent::ConfigLoad load = loadConfig(file);
  if (!load.ok()) {
    printProblems(load);
    return kExitConfig;
  }
  std::printf("%s: ok (%zu sources, %zu pipelines, %zu uplinks)\n",
              file.empty() ? load.config->file.c_str() : file.c_str(),
              load.config->sources.size(), load.config->pipelines.size(),
              load.config->uplinks.size());
  return 0;
}

struct RunOptions {
  std::string config;
  std::string duration;
  bool exitWhenDone = false;
  std::string syncWait = "0s";
  std::string summary; // "", "text" or "json"
  std::string logLevel;
  std::vector<std::string> uplinks; // extra HTTP uplinks given on the command line
};

// Sends systemd's watchdog keep-alive every quarter interval while every worker and the commit
// thread keep making rounds; once one has been stuck for half the interval (3 s at least: an
// idle thread beats once a second, later on a loaded machine) the keep-alives stop, and the
// service manager restarts the gateway (Restart=on-failure) instead of leaving it running and
// doing nothing. Outside a watchdog-enabled unit it starts no thread.
class Watchdog {
public:
  Watchdog(const agent_program::SystemdNotifier &notifier, const agent::Agent &gateway,
           telemetry::Logger &log) {
    auto interval = notifier.watchdogInterval();
    if (!interval)
      return;
    std::chrono::nanoseconds stallAfter =
        std::max<std::chrono::nanoseconds>(*interval / 2, std::chrono::seconds(3));
    thread_ = std::thread([this, &notifier, &gateway, &log, interval = *interval, stallAfter] {
      std::unique_lock lock(mutex_);
      while (!stop_) {
        if (std::optional<std::string> stalled = gateway.stalledStage(stallAfter)) {
          log.logLimited(telemetry::LogLevel::Error, "stalled", std::chrono::seconds(10),
                         "stage_stalled", {{"stage", *stalled}});
          notifier.status("stalled: " + *stalled + " has made no progress");
        } else {
          notifier.watchdog();
        }
        wake_.wait_for(lock, interval / 4, [this] { return stop_; });
      }
    });
  }
  ~Watchdog() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
      thread_.join();
  }

private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

int runAgent(const RunOptions &options) {
  // Signals are taken by one thread with sigwait: every thread started from here on inherits
  // the mask, so none is interrupted by them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGTERM, SIGINT, SIGHUP})
    sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer that closes a socket mid-write (an HTTP client, the broker) must be an error on that
  // socket, not the end of the gateway.
  std::signal(SIGPIPE, SIG_IGN);

  agent::ConfigLoad load = loadConfig(options.config);
  if (!load.ok()) {
    printProblems(load);
    return kExitConfig;
  }
  agent::AgentConfig config = std::move(*load.config);
  for (size_t u = 0; u < options.uplinks.size(); ++u) {
    agent::UplinkConfig uplink;
    uplink.name = "cli" + std::to_string(u + 1);
    uplink.kind = agent::UplinkKind::Http;
    uplink.url = options.uplinks[u];
    config.uplinks.push_back(uplink);
  }
  telemetry::LogLevel level = telemetry::LogLevel::Info;
  std::string levelText = options.logLevel.empty() ? config.logLevel : options.logLevel;
  if (!telemetry::parseLogLevel(levelText, level)) {
    std::fprintf(stderr, "pyvc-agent: --log-level: expected debug, info, warn or error, got `%s`\n",
                 levelText.c_str());
    return kExitUsage;
  }
  std::optional<std::chrono::milliseconds> duration, syncWait;
  if (!options.duration.empty() && !(duration = parseDuration(options.duration))) {
    std::fprintf(stderr, "pyvc-agent: --duration: expected a duration like 15s, got `%s`\n",
                 options.duration.c_str());
    return kExitUsage;
  }
  if (!(syncWait = parseDuration(options.syncWait))) {
    std::fprintf(stderr, "pyvc-agent: --sync-wait: expected a duration like 5s, got `%s`\n",
                 options.syncWait.c_str());
    return kExitUsage;
  }
  telemetry::Logger log(level);
  auto created = agent::Agent::create(config, log);
  if (!created) {
    log.log(telemetry::LogLevel::Error, "start_failed", {{"error", created.error().message}});
    std::fprintf(stderr, "pyvc-agent: %s\n", created.error().message.c_str());
    return kExitEnvironment;
  }
  agent::Agent &gateway = **created;
  if (auto started = gateway.start(); !started) {
    std::fprintf(stderr, "pyvc-agent: %s\n", started.error().message.c_str());
    return kExitEnvironment;
  }
  const agent_program::SystemdNotifier notifier = agent_program::SystemdNotifier::fromEnvironment();
  std::string runningStatus = "running: " + std::to_string(config.sources.size()) + " sources, " +
                              std::to_string(config.pipelines.size()) + " pipelines, " +
                              std::to_string(config.uplinks.size()) + " uplinks";
  notifier.ready(runningStatus);
  Watchdog watchdog(notifier, gateway, log);

  // The signal thread turns SIGTERM/SIGINT into a stop request (a second one exits at once) and
  // SIGHUP into a reload.
  std::atomic<bool> stopRequested{false};
  std::thread signalThread([&] {
    for (;;) {
      int signal = 0;
      if (sigwait(&signals, &signal) != 0)
        continue;
      if (signal == SIGHUP) {
        notifier.reloading();
        agent::ConfigLoad next = loadConfig(options.config);
        if (!next.ok()) {
          for (const agent::ConfigProblem &problem : next.problems)
            log.log(telemetry::LogLevel::Error, "reload_refused", {{"problem", problem.str()}});
          notifier.ready(runningStatus + "; last reload refused: config errors (see the log)");
          continue;
        }
        auto reloaded = gateway.reload(std::move(*next.config));
        notifier.ready(reloaded ? runningStatus
                                : runningStatus + "; last reload refused: " + reloaded.error().message);
        continue;
      }
      if (stopRequested.exchange(true)) {
        log.log(telemetry::LogLevel::Warn, "exit_now", {{"signal", strsignal(signal)}});
        _exit(128 + signal);
      }
      log.log(telemetry::LogLevel::Info, "stop_requested", {{"signal", strsignal(signal)}});
      if (signal == 0)
        return;
    }
  });
  signalThread.detach();

  auto startedAt = std::chrono::steady_clock::now();
  while (!stopRequested.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (duration && std::chrono::steady_clock::now() - startedAt >= *duration)
      break;
    if (options.exitWhenDone && gateway.sourcesFinished())
      break;
  }
  notifier.stopping();
  gateway.stop(stopRequested.load() ? std::chrono::milliseconds(0) : *syncWait);
  watchdog.stop();
  if (options.summary == "text")
    std::printf("%s", gateway.summary().text().c_str());
  else if (options.summary == "json")
    std::printf("%s\n", gateway.summary().json().c_str());
  std::fflush(stdout);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"pyvc-agent: the edge gateway — sources, windows, compiled rules, privacy, "
               "storage and sync from one config file (docs/AGENT.md)"};
  app.set_version_flag("--version", std::string("pyvc-agent ") + PYVC_VERSION);
  app.require_subcommand(1);

  RunOptions run;
  CLI::App *runCommand = app.add_subcommand(
      "run", "run the agent on CONFIG, or on the embedded default config without one");
  runCommand->add_option("config", run.config, "the YAML (or JSON) config file");
  runCommand->add_option("--duration", run.duration, "stop after this long (e.g. 15s)");
  runCommand->add_flag("--exit-when-done", run.exitWhenDone,
                       "stop once every source is finite and finished and all is committed");
  runCommand->add_option("--sync-wait", run.syncWait,
                         "before stopping, wait up to this long for the uplinks to deliver all");
  runCommand->add_option("--summary", run.summary, "print a summary at exit: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  runCommand->add_option("--log-level", run.logLevel, "debug, info, warn or error");
  runCommand->add_option("--uplink", run.uplinks,
                         "also sync to this HTTP(S) URL, as an uplink added to the config");

  std::string checkFile;
  CLI::App *checkCommand =
      app.add_subcommand("check", "validate CONFIG (or the embedded default config without one) "
                                  "without starting anything; exit 1 on errors");
  checkCommand->add_option("config", checkFile, "the config file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &error) {
    return app.exit(error) == 0 ? 0 : kExitUsage;
  }
  if (*checkCommand)
    return runCheck(checkFile);
  return runAgent(run);
}
