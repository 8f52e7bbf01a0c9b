#include "net/http_client.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "base/text.h"
#include "net/curl_api.h"

namespace datastory::net {
namespace {

// Through function pointers of exactly the types libcurl calls.
using DataCallback = size_t (*)(char*, size_t, size_t, void*);

// What the callbacks of one transfer share.
struct Transfer {
  const CurlApi* api;
  CURL* curl;
  const BodySink* sink;
  HttpResponse* response;
  Status sink_error;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response->headers.clear();  // a new response (after 100 Continue, say)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    t->response->headers.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view piece(data, size * count);
  long status = 0;  // NOLINT(google-runtime-int): what CURLINFO_RESPONSE_CODE writes
  t->api->easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (t->sink && *t->sink && status >= 200 && status < 300) {
    t->sink_error = (*t->sink)(piece);
    return t->sink_error.ok() ? piece.size() : 0;  // 0 stops the transfer
  }
  t->response->body.append(piece);
  return piece.size();
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

// Idle easy handles: each keeps its connections open for the next request to the same host.
struct HttpClient::Handles {
  std::mutex mu;
  std::vector<CURL*> idle;
  const CurlApi* api = nullptr;
};

HttpClient::HttpClient() : handles_(std::make_unique<Handles>()) {}

HttpClient::~HttpClient() {
  for (CURL* curl : handles_->idle) handles_->api->easy_cleanup(curl);
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request, const BodySink& sink) {
  for (const auto& [name, value] : request.headers) {
    if ((name + value).find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Status::InvalidArgument("HTTP header " + name + " holds a line break or a NUL");
    }
  }
  DS_ASSIGN_OR_RETURN(const CurlApi* api, LoadCurl());
  CURL* curl = nullptr;
  {
    std::lock_guard lock(handles_->mu);
    handles_->api = api;
    if (!handles_->idle.empty()) {
      curl = handles_->idle.back();
      handles_->idle.pop_back();
    }
  }
  if (!curl) curl = api->easy_init();
  if (!curl) return Status::Internal("cannot start an HTTP request");

  curl_slist* header_list = nullptr;
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    const std::string line = std::string(name).append(": ").append(value);
    header_list = api->slist_append(header_list, line.c_str());
    has_content_type |= AsciiLower(name) == "content-type";
  }
  // No "Expect: 100-continue" round trip before large bodies, and no form content type that
  // nobody asked for.
  header_list = api->slist_append(header_list, "Expect:");
  if (!has_content_type) header_list = api->slist_append(header_list, "Content-Type:");

  HttpResponse response;
  Transfer transfer{api, curl, &sink, &response, Status::Ok()};
  api->easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  api->easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  // http and https only (libcurl 7.85 or later, as in Debian 12): without this restriction,
  // a redirect or a configured URL could reach file:// or other protocols.
  const bool restricted = api->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
  api->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // NOLINTNEXTLINE(google-runtime-int): libcurl's options take long
  api->easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  const int64_t stall_seconds = (request.stall_timeout_ms + 999) / 1000;
  if (request.stall_timeout_ms > 0) {
    api->easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    // NOLINTNEXTLINE(google-runtime-int): libcurl's options take long
    api->easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(stall_seconds));
  }
  // NOLINTNEXTLINE(google-runtime-int): libcurl's options take long
  api->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout_ms));
  api->easy_setopt(curl, CURLOPT_HEADERFUNCTION, static_cast<DataCallback>(OnHeader));
  api->easy_setopt(curl, CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  api->easy_setopt(curl, CURLOPT_WRITEFUNCTION, static_cast<DataCallback>(OnBody));
  api->easy_setopt(curl, CURLOPT_WRITEDATA, static_cast<void*>(&transfer));
  if (request.method == "HEAD") {
    api->easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    // A body (possibly empty, so that Content-Length: 0 is sent) under any method.
    api->easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data() ? request.body.data() : "");
    api->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    api->easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const auto started = std::chrono::steady_clock::now();
  const CURLcode code = restricted ? api->easy_perform(curl) : CURLE_UNSUPPORTED_PROTOCOL;
  const int64_t elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();
  long status = 0;  // NOLINT(google-runtime-int): what CURLINFO_RESPONSE_CODE writes
  api->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  api->slist_free_all(header_list);
  api->easy_reset(curl);  // options cleared, connections kept
  {
    std::lock_guard lock(handles_->mu);
    handles_->idle.push_back(curl);
  }
  if (!transfer.sink_error.ok()) return transfer.sink_error;
  if (code == CURLE_OPERATION_TIMEDOUT) {
    const int64_t ms = request.timeout_ms;
    // libcurl's timers can fire a few milliseconds before the limit by our clock, so the cause
    // is told by which limit could have been reached: a stall needs its whole window first.
    const bool could_stall = request.stall_timeout_ms > 0 && elapsed_ms >= stall_seconds * 1000;
    const bool whole = !could_stall || (ms > 0 && elapsed_ms + 100 >= ms);
    return Status::Unavailable(
        request.method + " " + request.url +
        (whole ? ": no answer within " + (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s"
                                                         : std::to_string(ms) + " ms")
               : ": the transfer stalled (under 1 KB/s for " + std::to_string(stall_seconds) +
                     " s)"));
  }
  if (code != CURLE_OK) {
    return Status::Unavailable(request.method + " " + request.url + ": " +
                               api->easy_strerror(code));
  }
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace datastory::net
