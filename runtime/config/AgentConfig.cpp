// Names of the config model's enumerations, as the config file and messages spell them.
#include "config/AgentConfig.h"

namespace pyvc::agent {

const char *priorityName(Priority priority) {
  switch (priority) {
  case Priority::Critical:
    return "critical";
  case Priority::High:
    return "high";
  case Priority::Normal:
    return "normal";
  case Priority::Low:
    return "low";
  }
  return "normal";
}

const char *severityName(Severity severity) {
  switch (severity) {
  case Severity::Info:
    return "info";
  case Severity::Warning:
    return "warning";
  case Severity::Critical:
    return "critical";
  }
  return "warning";
}

} // namespace pyvc::agent
