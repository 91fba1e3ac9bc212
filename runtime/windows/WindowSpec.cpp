// The one check of a WindowSpec, shared by the config validator and WindowSet's constructor.
#include "windows/WindowSpec.h"

#include <string>

namespace pyvc::windows {

static Error fieldError(const char *field, const std::string &problem) {
  return makeError(std::string("window.") + field + ": " + problem);
}

Result<void> checkWindowSpec(const WindowSpec &spec) {
  if (spec.kind == WindowKind::Count) {
    if (spec.sizeCount == 0)
      return fieldError("size", "must be at least 1 reading, got 0");
    if (spec.sizeCount > maxWindowSizeCount)
      return fieldError("size", "at most " + std::to_string(maxWindowSizeCount) +
                                    " readings, got " + std::to_string(spec.sizeCount));
    if (spec.slideCount == 0)
      return fieldError("slide", "must be at least 1 reading, got 0");
    return {};
  }
  if (spec.sizeMs <= 0)
    return fieldError("size", "must be positive, got " + std::to_string(spec.sizeMs) + " ms");
  if (spec.kind == WindowKind::Hopping && spec.slideMs <= 0)
    return fieldError("slide", "must be positive, got " + std::to_string(spec.slideMs) + " ms");
  if (spec.allowedLatenessMs < 0)
    return fieldError("allowed_lateness", "must not be negative, got " +
                                              std::to_string(spec.allowedLatenessMs) + " ms");
  return {};
}

} // namespace pyvc::windows
