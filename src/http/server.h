// The server core: Boost.Beast on Boost.Asio with C++20 coroutines, so that keep-alive
// connections and live progress streams cost a coroutine each, not a thread. Route authors never
// see it (router.h is their side).
//
// Every byte goes through a Beast parser with limits: 16 KiB of headers, each route's body
// limit (an ordinary route's body is read whole only within it; an upload's streams to its
// handler as it arrives, with back-pressure, so nothing is buffered beyond a few pieces), and
// a timeout on every read, so a client that stops sending is dropped. Handlers run on pools of
// blocking threads; the I/O threads only move bytes.
#ifndef DATASTORY_HTTP_SERVER_H_
#define DATASTORY_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datastory/status.h"
#include "http/router.h"

namespace datastory::http {

// One line per request, for the access log and the metrics.
struct AccessRecord {
  std::string request_id;
  std::string remote_ip;
  std::string method;
  std::string route;  // the pattern, or "-" when none matched
  int status = 0;
  double seconds = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (port() tells which)
  // Threads. The I/O threads only move bytes: one per core. Handlers block on the store: size
  // their pool to what the store can use at once (more threads than that only switch between
  // themselves). An upload's handler waits on the network for the whole upload, so uploads have
  // their own pool and cannot starve the other requests.
  int io_threads = 2;
  int handler_threads = 2;
  int upload_threads = 32;
  std::string tls_cert, tls_key;    // PEM files: HTTPS (TLS 1.2 and later) when both are set
  int64_t read_timeout_ms = 30000;  // for each read: the headers, a body piece
  int64_t idle_timeout_ms = 60000;  // a kept-alive connection with no new request
  int64_t stream_poll_ms = 2000;    // event streams look again at least this often
  int64_t stream_keepalive_ms = 15000;
  Headers response_headers;  // added to every response (security headers)
  // Addresses of reverse proxies whose X-Forwarded-For is believed: a request from one of them
  // is from the last address that header names (the proxy appended it). From anyone else the
  // header is ignored: a client cannot choose the address its limits count against.
  std::vector<std::string> trusted_proxies;
  std::function<void(const AccessRecord&)> on_request;
};

class Server {
 public:
  // `router` must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. Unavailable when the address cannot be bound.
  Status Start();
  int port() const;
  // Wakes the event streams of `topic` (a job's id); every stream when `topic` is empty.
  // Thread-safe.
  void Notify(const std::string& topic);
  // Stops accepting; requests in flight get `grace_ms` to finish; streams end; returns when
  // every thread has ended.
  void Stop(int64_t grace_ms);
  // Requests being served now, for a graceful stop and the metrics.
  int64_t in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_SERVER_H_
