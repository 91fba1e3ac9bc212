// HttpUplink: one libcurl easy handle, reused for every batch; the HTTP status is mapped to a
// Delivery here (see HttpUplink.h for the table).
#include "uplink/HttpUplink.h"

#include "uplink/BatchBody.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <mutex>
#include <unistd.h>

namespace pyvc::uplink {

namespace {

// curl_global_init is not thread-safe and must run once per process before any handle exists.
void initialiseCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// A header line we put on the wire must not smuggle in a second header or a second request.
bool isSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty())
    return false;
  for (char c : name)
    if (c == ':' || c == '\r' || c == '\n' || std::isspace(static_cast<unsigned char>(c)))
      return false;
  return value.find_first_of("\r\n") == std::string_view::npos;
}

Result<void> checkReadable(const std::string &path, std::string_view what) {
  if (path.empty() || access(path.c_str(), R_OK) == 0)
    return {};
  return makeError("http uplink: cannot read " + std::string(what) + " '" + path + "'");
}

} // namespace

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value, std::time_t now) {
  value = trim(value);
  if (value.empty())
    return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int64_t seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || end != value.data() + value.size())
      return std::nullopt; // too many digits to be a sensible delay
    return std::chrono::seconds(seconds);
  }
  // curl_getdate understands the three HTTP-date forms (RFC 9110 section 5.6.7).
  std::time_t date = curl_getdate(std::string(value).c_str(), nullptr);
  if (date == -1)
    return std::nullopt;
  return std::chrono::seconds(std::max<std::time_t>(0, date - now));
}

// The easy handle and what its callbacks fill in during one perform.
struct HttpUplink::Handle {
  CURL *curl = nullptr;
  char errorText[CURL_ERROR_SIZE] = {};
  std::string responseBody;
  size_t maxResponseBytes = 0;
  std::optional<std::string> retryAfterHeader;
  std::atomic<bool> *cancelRequested = nullptr;

  ~Handle() {
    if (curl)
      curl_easy_cleanup(curl);
  }

  static size_t onBody(char *data, size_t size, size_t count, void *self) {
    auto *handle = static_cast<Handle *>(self);
    size_t bytes = size * count;
    size_t room =
        handle->maxResponseBytes - std::min(handle->maxResponseBytes, handle->responseBody.size());
    handle->responseBody.append(data, std::min(bytes, room));
    return bytes; // keep reading the rest so the connection stays reusable
  }

  // Called by curl about once a second or more often, also while waiting for the answer:
  // a non-zero return aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
  static int onProgress(void *self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<Handle *>(self)->cancelRequested->load() ? 1 : 0;
  }

  static size_t onHeader(char *data, size_t size, size_t count, void *self) {
    auto *handle = static_cast<Handle *>(self);
    std::string_view line(data, size * count);
    // A new status line starts a new response (e.g. after "100 Continue"): forget the old one.
    if (startsWithNoCase(line, "HTTP/"))
      handle->retryAfterHeader.reset();
    else if (startsWithNoCase(line, "retry-after:"))
      handle->retryAfterHeader = std::string(trim(line.substr(12)));
    return size * count;
  }
};

Result<std::unique_ptr<HttpUplink>> HttpUplink::create(HttpUplinkOptions options) {
  if (!startsWithNoCase(options.url, "http://") && !startsWithNoCase(options.url, "https://"))
    return makeError("http uplink: url must start with http:// or https://");
  if (options.clientCertFile.empty() != options.clientKeyFile.empty())
    return makeError("http uplink: a client certificate needs its key, and a key its certificate");
  for (auto [path, what] : {std::pair{&options.caFile, "CA file"},
                            std::pair{&options.clientCertFile, "client certificate"},
                            std::pair{&options.clientKeyFile, "client key"}})
    if (auto readable = checkReadable(*path, what); !readable)
      return readable.error();
  for (const auto &[name, value] : options.extraHeaders)
    if (!isSafeHeader(name, value))
      return makeError("http uplink: extra header '" + name + "' has an invalid name or value");
  if (options.gzipLevel < 1 || options.gzipLevel > 9)
    return makeError("http uplink: gzip level must be 1..9");

  initialiseCurlOnce();
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (!handle->curl)
    return makeError("http uplink: curl_easy_init failed");
  handle->maxResponseBytes = options.maxRecordedResponseBytes;

  CURL *curl = handle->curl;
  curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // timeouts without SIGALRM: we are threaded
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(options.connectTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(options.totalTimeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, handle->errorText);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Handle::onBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, handle.get());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Handle::onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, handle.get());
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Handle::onProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, handle.get());
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.verifyTls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.verifyTls ? 2L : 0L);
  if (!options.caFile.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, options.caFile.c_str());
  if (!options.clientCertFile.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options.clientCertFile.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, options.clientKeyFile.c_str());
    if (!options.clientKeyPassword.empty())
      curl_easy_setopt(curl, CURLOPT_KEYPASSWD, options.clientKeyPassword.c_str());
  }
  return std::unique_ptr<HttpUplink>(new HttpUplink(std::move(options), std::move(handle)));
}

HttpUplink::HttpUplink(HttpUplinkOptions options, std::unique_ptr<Handle> handle)
    : options_(std::move(options)), handle_(std::move(handle)) {
  handle_->cancelRequested = &cancelRequested_;
}

HttpUplink::~HttpUplink() = default;

Delivery HttpUplink::send(const sync::Batch &batch) {
  if (cancelRequested_.exchange(false))
    return Delivery::retry(FailureKind::Transport, "http: cancelled");
  BatchBody body = encodeBatchBody(batch);
  std::string wireBody;
  if (options_.gzip) {
    Result<std::string> compressed = gzipCompress(body.json, options_.gzipLevel);
    if (!compressed)
      return Delivery::retry(FailureKind::Transport, compressed.error().message);
    wireBody = std::move(compressed).value();
  } else {
    wireBody = std::move(body.json);
  }

  // The header list is rebuilt per request: the idempotency key changes every batch.
  curl_slist *headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  // Without this curl sends "Expect: 100-continue" for large bodies and waits up to a second.
  headers = curl_slist_append(headers, "Expect:");
  if (options_.gzip)
    headers = curl_slist_append(headers, "Content-Encoding: gzip");
  headers = curl_slist_append(headers, ("Idempotency-Key: " + batch.batchId).c_str());
  for (const auto &[name, value] : options_.extraHeaders)
    headers = curl_slist_append(headers, (name + ": " + value).c_str());

  CURL *curl = handle_->curl;
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, wireBody.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(wireBody.size()));
  handle_->responseBody.clear();
  handle_->retryAfterHeader.reset();
  handle_->errorText[0] = '\0';

  ++stats_.requests;
  CURLcode code = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);

  curl_off_t uploaded = 0;
  long headerBytes = 0;
  curl_easy_getinfo(curl, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  curl_easy_getinfo(curl, CURLINFO_REQUEST_SIZE, &headerBytes);
  // CURLINFO_REQUEST_SIZE counts the request line and headers, plus the body when curl sent
  // it in the same buffer (small bodies, up to about 64 KB); larger bodies are counted only in
  // CURLINFO_SIZE_UPLOAD_T.
  size_t requestBytes = size_t(std::max(0L, headerBytes));
  size_t wireBytes =
      requestBytes >= size_t(uploaded) ? requestBytes : requestBytes + size_t(uploaded);

  if (code == CURLE_ABORTED_BY_CALLBACK && cancelRequested_.exchange(false))
    return Delivery::retry(FailureKind::Transport, "http: cancelled", std::nullopt, wireBytes);
  if (code != CURLE_OK) {
    ++stats_.transportFailures;
    // The error text names the host and the failure, never the headers (credentials).
    std::string reason = handle_->errorText[0] ? handle_->errorText : curl_easy_strerror(code);
    return Delivery::retry(FailureKind::Transport,
                           "curl error " + std::to_string(int(code)) + ": " + reason, std::nullopt,
                           wireBytes);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  stats_.lastStatus = status;
  return verdictForStatus(status, wireBytes);
}

Delivery HttpUplink::verdictForStatus(long status, size_t wireBytes) {
  if (status >= 200 && status < 300)
    return Delivery::ack(wireBytes);
  std::string statusText = "http " + std::to_string(status);
  if (status == 429 || status >= 500 || (status >= 300 && status < 400) || status < 200) {
    std::optional<std::chrono::milliseconds> retryAfter;
    if (handle_->retryAfterHeader)
      retryAfter = parseRetryAfter(*handle_->retryAfterHeader, std::time(nullptr));
    if (retryAfter)
      retryAfter = std::min(*retryAfter, options_.maxRetryAfter);
    return Delivery::retry(FailureKind::Server, statusText, retryAfter, wireBytes);
  }
  return Delivery::reject(statusText + ": " + handle_->responseBody, wireBytes);
}

} // namespace pyvc::uplink
