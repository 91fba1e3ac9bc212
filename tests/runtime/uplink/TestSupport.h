// Small helpers shared by the uplink tests: a temporary directory removed at the end, reading
// payloads with a sequence number, and a wait loop used only as a hang guard.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

namespace pyvc::uplink::testing {

class TemporaryDirectory {
public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pyvc-uplink-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    // PYVC_KEEP_TMP=1 keeps the directory (broker log, queue file) to look at a failure.
    if (!path_.empty() && !std::getenv("PYVC_KEEP_TMP"))
      std::filesystem::remove_all(path_, ignored);
  }
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }

private:
  std::string path_;
};

// A serialised reading carrying `seq` (and `priority`) so tests can check order and presence.
inline std::string readingPayload(int seq, int priority = 0) {
  return R"({"sensor":"temp.room1","timestamp_ms":)" + std::to_string(1732312345678 + seq) +
         R"(,"value":21.5,"unit":"C","extra":{"seq":)" + std::to_string(seq) + R"(,"priority":)" +
         std::to_string(priority) + "}}";
}

// Polls `condition` until it holds or `guard` passes (a hang guard, not a speed assertion).
inline bool eventually(const std::function<bool()> &condition, std::chrono::milliseconds guard) {
  auto deadline = std::chrono::steady_clock::now() + guard;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

} // namespace pyvc::uplink::testing
