// HttpUplink: delivers batches by HTTPS (or plain HTTP) POST through one reused libcurl easy
// handle, so consecutive batches share a kept-alive connection and TLS session.
//
// Request: POST <url>, body = BatchBody (optionally gzip, "Content-Encoding: gzip"),
// "Content-Type: application/json", "Idempotency-Key: <batchId>", plus any extra headers.
// Verdict: 2xx -> Ack; 429, 5xx -> Retry (Server), honouring Retry-After; network errors,
// timeouts, TLS failures -> Retry (Transport); 3xx -> Retry (Server: a misconfigured URL must not
// dead-letter data, and curl does not follow redirects for a POST); any other 4xx -> Reject with
// the status and the start of the response body.
#pragma once

#include "core/Result.h"
#include "uplink/Uplink.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pyvc::uplink {

struct HttpUplinkOptions {
  std::string url; // http:// or https://
  bool gzip = false;
  int gzipLevel = 1; // zlib level; 1 is the cheapest and already shrinks JSON readings ~5x

  // TLS. Verification (peer certificate and host name) is on unless explicitly turned off.
  bool verifyTls = true;
  std::string caFile;         // PEM CA bundle; empty = the system's default store
  std::string clientCertFile; // PEM client certificate for mutual TLS (with clientKeyFile)
  std::string clientKeyFile;
  std::string clientKeyPassword; // never logged

  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds totalTimeout{30000}; // the whole request, connect included
  // Extra request headers, e.g. {"Authorization", "Bearer ..."}; values are never logged.
  std::vector<std::pair<std::string, std::string>> extraHeaders;
  // A Retry-After longer than this is shortened to it, so a confused server cannot park the
  // gateway for days.
  std::chrono::milliseconds maxRetryAfter{std::chrono::minutes(10)};
  size_t maxRecordedResponseBytes = 2048; // of a rejecting response, kept in Delivery::detail
};

struct HttpUplinkStats {
  uint64_t requests = 0;          // POSTs attempted
  uint64_t transportFailures = 0; // no HTTP response at all
  long lastStatus = 0;            // last HTTP status seen (0 = none yet)
};

class HttpUplink final : public Uplink {
public:
  // Checks the options (URL scheme, readable TLS files, header syntax) and sets up the handle.
  static Result<std::unique_ptr<HttpUplink>> create(HttpUplinkOptions options);
  ~HttpUplink() override;
  HttpUplink(const HttpUplink &) = delete;
  HttpUplink &operator=(const HttpUplink &) = delete;

  Delivery send(const sync::Batch &batch) override;
  std::string_view name() const override { return "http"; }
  void cancel() override { cancelRequested_ = true; }
  HttpUplinkStats stats() const { return stats_; }

private:
  struct Handle; // the libcurl easy handle and its buffers
  HttpUplink(HttpUplinkOptions options, std::unique_ptr<Handle> handle);
  Delivery verdictForStatus(long status, size_t wireBytes);

  HttpUplinkOptions options_;
  std::unique_ptr<Handle> handle_;
  HttpUplinkStats stats_;
  std::atomic<bool> cancelRequested_{false};
};

// The wait a Retry-After header value asks for, relative to `now`: delay-seconds ("120") or an
// HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"; a past date means 0). nullopt when unparsable.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value, std::time_t now);

} // namespace pyvc::uplink
