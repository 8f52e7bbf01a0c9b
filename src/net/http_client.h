// A blocking HTTP/1.1 client on libcurl (loaded on first use, see curl_api.h), for the services
// DataStory calls: S3-compatible storage and the optional LLM endpoint. Connections are kept
// and reused between requests. No retries here: each caller knows what is safe to repeat.
#ifndef DATASTORY_NET_HTTP_CLIENT_H_
#define DATASTORY_NET_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datastory/result.h"

namespace datastory::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  Headers headers;
  std::string_view body;  // sent as is; must outlive the call
  // The whole exchange's limit; 0 for none (large bodies), leaving stall_timeout_ms to catch
  // a transfer that stopped moving.
  int64_t timeout_ms = 60000;
  int64_t stall_timeout_ms = 30000;  // under 1 KB/s for this long fails the request
  int64_t connect_timeout_ms = 5000;
};

struct HttpResponse {
  int status = 0;
  Headers headers;   // names in lower case, in the order received
  std::string body;  // unless a sink took it
  // The first header of that (lower-case) name, or "".
  std::string_view Header(std::string_view name) const;
};

// Receives the body of a successful (2xx) response piece by piece; an error stops the
// transfer and is what Send returns. Bodies of other statuses go to HttpResponse::body.
using BodySink = std::function<Status(std::string_view piece)>;

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a response; Unavailable is a transfer that failed (refused, reset,
  // timed out), with libcurl's reason; InvalidArgument a header with CR, LF or NUL in it.
  // Thread-safe.
  Result<HttpResponse> Send(const HttpRequest& request, const BodySink& sink = nullptr);

 private:
  struct Handles;
  std::unique_ptr<Handles> handles_;
};

}  // namespace datastory::net

#endif  // DATASTORY_NET_HTTP_CLIENT_H_
