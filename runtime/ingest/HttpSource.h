// HttpSource: a webhook (cpp-httplib) that takes a JSON batch of readings by POST and answers
// only once the batch is durable. The answers, in the order they are decided:
//   413  the body is over maxBodyBytes (counted as one Oversized rejection);
//   400  the body is not JSON, or any reading in it is bad: the answer names the first bad
//        reading's index, field and reason; every bad reading is set aside (sink.reject) and
//        NONE of the request is ingested, so the client fixes the batch and sends it all again
//        without creating duplicates of the good part;
//   503  (with Retry-After) the memory budget stayed full, the acknowledgement came back not
//        durable or did not come within ackTimeout, or the source is stopping;
//   200  {"accepted": N} once every reading of the request is committed.
#pragma once

#include "ingest/ReadingDecoder.h"
#include "ingest/Source.h"
#include "ingest/SourceConfig.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace pyvc::ingest {

class HttpSource final : public Source {
public:
  HttpSource(std::string name, uint32_t index, HttpSourceConfig config, ValidationLimits limits);
  ~HttpSource() override;

  // Binds host:port (port 0: a free port, see port()) before returning; a port in use is an
  // Error here.
  Result<void> start(ReadingSink &sink) override;
  void stop() override;
  int port() const { return boundPort_; }

private:
  struct Waiters; // the requests waiting on acknowledgements, woken by stop()
  void handleIngest(const httplib::Request &request, httplib::Response &response);
  void answerUnavailable(httplib::Response &response, const std::string &why);

  HttpSourceConfig config_;
  ValidationLimits limits_;
  ReadingSink *sink_ = nullptr;
  std::unique_ptr<httplib::Server> server_;
  std::shared_ptr<Waiters> waiters_;
  std::thread thread_;
  int boundPort_ = 0;
};

} // namespace pyvc::ingest
