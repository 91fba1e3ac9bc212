// SystemdNotifier: the service manager's notification protocol (sd_notify(3)) — READY=1 once the
// agent is up, RELOADING=1/READY=1 around a SIGHUP reload, STOPPING=1 on the way out, STATUS=
// lines, and WATCHDOG=1 keep-alives when the unit sets WatchdogSec=.
//
// The protocol is one datagram per message on the AF_UNIX socket named by $NOTIFY_SOCKET; its
// documentation calls it a stable interface and shows a standalone implementation, so it is
// spoken here directly rather than linking libsystemd (one library less on the gateway and in
// the arm64 cross build). Outside systemd ($NOTIFY_SOCKET unset) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace pyvc::agent_program {

class SystemdNotifier {
public:
  // Reads $NOTIFY_SOCKET, and $WATCHDOG_USEC when $WATCHDOG_PID is unset or names this process.
  static SystemdNotifier fromEnvironment();
  bool enabled() const { return !socketPath_.empty(); }
  // How often the service manager wants a keep-alive, if it watches at all.
  std::optional<std::chrono::microseconds> watchdogInterval() const { return watchdog_; }

  void ready(const std::string &status) const;
  void reloading() const; // with MONOTONIC_USEC, as Type=notify-reload expects
  void stopping() const;
  void status(const std::string &status) const;
  void watchdog() const;
  // Sends one message (lines "KEY=value"); false if it could not be sent.
  bool send(const std::string &message) const;

private:
  std::string socketPath_; // '@' first for an abstract socket
  std::optional<std::chrono::microseconds> watchdog_;
};

} // namespace pyvc::agent_program
