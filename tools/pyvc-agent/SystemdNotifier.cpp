#include "SystemdNotifier.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace pyvc::agent_program {

SystemdNotifier SystemdNotifier::fromEnvironment() {
  SystemdNotifier notifier;
  const char *socket = std::getenv("NOTIFY_SOCKET");
  if (!socket || (socket[0] != '/' && socket[0] != '@'))
    return notifier; // unset, or a vsock address this agent does not speak
  notifier.socketPath_ = socket;
  const char *usec = std::getenv("WATCHDOG_USEC");
  const char *pid = std::getenv("WATCHDOG_PID");
  if (usec && (!pid || std::strtoll(pid, nullptr, 10) == getpid())) {
    char *end = nullptr;
    long long interval = std::strtoll(usec, &end, 10);
    if (end && *end == '\0' && interval > 0)
      notifier.watchdog_ = std::chrono::microseconds(interval);
  }
  return notifier;
}

bool SystemdNotifier::send(const std::string &message) const {
  if (socketPath_.empty())
    return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socketPath_.size() >= sizeof(address.sun_path))
    return false;
  std::memcpy(address.sun_path, socketPath_.data(), socketPath_.size());
  if (address.sun_path[0] == '@')
    address.sun_path[0] = '\0'; // abstract namespace
  socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + socketPath_.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                        reinterpret_cast<const sockaddr *>(&address), length);
  close(fd);
  return sent == ssize_t(message.size());
}

void SystemdNotifier::ready(const std::string &status) const {
  send("READY=1\nSTATUS=" + status);
}

void SystemdNotifier::reloading() const {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long usec = (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::stopping() const { send("STOPPING=1"); }

void SystemdNotifier::status(const std::string &status) const { send("STATUS=" + status); }

void SystemdNotifier::watchdog() const { send("WATCHDOG=1"); }

} // namespace pyvc::agent_program
