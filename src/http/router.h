// The HTTP layer's shape, as a route author sees it: a request in, a response out, as plain as
// cpp-httplib's lambdas. No Beast or Asio here; the server core (server.h) does the bytes.
//
//   router.Get("/api/v1/stories/:id", Auth::kUser, [&](Request& req) {
//     auto story = stories.GetStory(*req.principal, req.Param("id"));
//     return story.ok() ? StoryAnswer(*story) : Problem(story.status());
//   });
//
// A handler runs on a blocking thread pool (it may call the database, hash a password, read a
// file). Three kinds: an ordinary handler reads the whole body (up to the route's limit); an
// upload handler pulls the body as it arrives; an event-stream handler answers with a
// Server-Sent Events stream that the core feeds. Errors are Status values: Problem() turns one
// into RFC 9457 problem+json, with the HTTP status chosen in one place (HttpStatus).
#ifndef DATASTORY_HTTP_ROUTER_H_
#define DATASTORY_HTTP_ROUTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/file_io.h"
#include "datastory/result.h"
#include "service/accounts.h"

namespace datastory::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET" …
  std::string target;  // as sent: path and query
  std::string path;    // decoded of nothing: the target before '?'
  std::string query;   // after '?', raw
  Headers headers;
  std::string body;  // ordinary routes: the whole body
  std::string remote_ip;
  std::string request_id;
  std::map<std::string, std::string> params;    // from the route's pattern (":id")
  std::optional<service::Principal> principal;  // set for authenticated routes
  bool via_cookie = false;                      // the principal came from the session cookie
  std::string session_token;                    // the raw token it came with, if any

  // The first header of that name, any case; empty when absent.
  std::string_view Header(std::string_view name) const;
  // A query parameter, percent-decoded; empty when absent.
  std::string Query(std::string_view name) const;
  // A cookie's value; empty when absent.
  std::string Cookie(std::string_view name) const;
  const std::string& Param(const std::string& name) const { return params.at(name); }
};

struct SseEvent {
  std::string id;     // "id:" — a client resumes from it with Last-Event-ID
  std::string event;  // "event:"
  std::string data;   // one line of JSON
};

// A live stream: `next` is called (on the blocking pool) when the topic is notified, and at
// least every poll interval otherwise; it returns the events to send and whether the stream is
// over.
struct EventStream {
  std::string topic;
  struct Update {
    std::vector<SseEvent> events;
    bool done = false;
  };
  std::function<Result<Update>()> next;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // Bytes sent after `body` without a copy (a cached story document), kept alive by
  // `tail_owner` until they are written.
  std::string_view tail;
  std::shared_ptr<const void> tail_owner;
  std::shared_ptr<EventStream> stream;  // set: an event stream follows the headers
};

// Response builders.
Response Json(int status, std::string body);
Response Text(int status, std::string content_type, std::string body);
Response NoContent();
// RFC 9457 problem+json for a failure: status from HttpStatus, `code` from the reason (or the
// Status code), `detail` the message; `extra` members added (e.g. "errors").
Response Problem(const Status& failure, const std::string& extra_json_members = "");
// The HTTP status for a Status code (the one place that decides).
int HttpStatus(const Status& failure);

enum class Auth {
  kPublic,  // no principal needed (one is set when the request carries a valid one)
  kUser,    // a session cookie or a bearer token: 401 without
};

using Handler = std::function<Response(Request&)>;
using UploadHandler = std::function<Response(Request&, const ChunkReader& body)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/stories/:id"; a trailing "*" matches the rest
  Auth auth = Auth::kPublic;
  Handler handler;
  UploadHandler upload;       // set instead of handler: the body streams
  size_t max_body = 1 << 20;  // for ordinary handlers
  std::string name;           // for metrics and logs: the pattern
};

// Who a request comes from: given its cookie or bearer token, the principal (the router asks
// for routes that need one, and for public routes that can use one).
struct Authenticator {
  std::function<Result<service::Principal>(std::string_view session_token)> session;
  std::function<Result<service::Principal>(std::string_view api_token)> api_token;
  std::string cookie_name;     // the session cookie
  std::string allowed_origin;  // for the same-origin check of cookie requests that write
};

class Router {
 public:
  explicit Router(Authenticator authenticator) : auth_(std::move(authenticator)) {}

  void Get(std::string pattern, Auth auth, Handler handler);
  void Post(std::string pattern, Auth auth, Handler handler, size_t max_body = 1 << 20);
  void Patch(std::string pattern, Auth auth, Handler handler);
  void Delete(std::string pattern, Auth auth, Handler handler);
  void Upload(std::string pattern, Auth auth, UploadHandler handler);

  // The route for a method and path, with its parameters; null when none matches (`*allowed`
  // then lists the methods the path has, for 405).
  const Route* Match(std::string_view method, std::string_view path,
                     std::map<std::string, std::string>* params,
                     std::vector<std::string>* allowed) const;
  // Authenticates the request for its route: sets req.principal, or returns the refusal
  // (401, or 403 for a cookie request from another origin).
  Status Authenticate(const Route& route, Request& req) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  void Add(Route route);
  std::vector<Route> routes_;
  Authenticator auth_;
};

// Percent-decoding of a URL component ('+' as a space in queries); nullopt when malformed.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_ROUTER_H_
