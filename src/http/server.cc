// Asio's awaitable.hpp (Boost 1.74) uses std::exchange without including <utility>.
#include <utility>
//
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/random.h"
#include "http/server.h"

namespace datastory::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using boost::system::error_code;

// A response body in two parts, written with the headers in one gather write: the text made
// for this answer, then bytes shared with a cache (Response::tail), not copied.
struct TwoPartBody {
  struct value_type {
    std::string text;
    std::string_view tail;
    std::shared_ptr<const void> tail_owner;
  };
  static uint64_t size(const value_type& body) { return body.text.size() + body.tail.size(); }

  class writer {
   public:
    using const_buffers_type = std::array<asio::const_buffer, 2>;
    template <bool kIsRequest, class Fields>
    writer(const bhttp::header<kIsRequest, Fields>&, const value_type& body) : body_(body) {}
    void init(error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(error_code& ec) {
      ec = {};
      return {{{asio::buffer(body_.text), asio::buffer(body_.tail.data(), body_.tail.size())},
               /*more=*/false}};
    }

   private:
    const value_type& body_;
  };
};

// The server's headers, then the response's own: a header the response sets replaces the
// server's of that name (a story page's Content-Security-Policy), others add (Set-Cookie).
template <class Message>
void SetHeaders(Message& out, const Headers& defaults, const Headers& own) {
  for (const auto& [name, value] : defaults) out.set(name, value);
  for (const auto& [name, value] : own) {
    const bool overrides = std::any_of(defaults.begin(), defaults.end(), [&](const auto& d) {
      return beast::iequals(d.first, name);
    });
    if (overrides) out.erase(name);
  }
  for (const auto& [name, value] : own) out.insert(name, value);
}

constexpr size_t kHeaderLimit = 16 << 10;
constexpr size_t kUploadPiece = 128 << 10;
constexpr size_t kUploadQueue = 8;  // pieces waiting for the handler, at most
constexpr uint64_t kUploadBodyLimit = uint64_t{64} << 30;  // the services check the real limit
// After an answer given before the request's body was read (a refused upload), the server
// reads and drops what the client still sends, for this long and up to this much: closing a
// socket with unread data sends a reset, which can reach the client before it has read the
// answer (curl then reports only "Failed sending data to the peer"). Enough for a client
// that reads while it sends to see the answer and stop; not an open door for the rest.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 8 << 20;

std::string NewRequestId(std::string_view given) {
  // A client's id is kept when it is plain and short, so logs on both sides match.
  const bool plain = !given.empty() && given.size() <= 64 &&
                     given.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789-_.") == std::string_view::npos;
  return plain ? std::string(given) : NewToken(12);
}

// The pieces of an upload's body between the connection (which reads them) and the handler
// (which pulls them on a pool thread), bounded so the body never piles up in memory.
class BodyChannel {
 public:
  // `wake` tells the connection's side that the handler moved on; it runs (on the handler's
  // thread, outside the lock) only when that side waits for it (WaitUnlessReady), so a body
  // that flows costs no wake-ups. `stopped` is the server's: a handler still waiting for bytes
  // when the server stops (its connection will never be read again) is told so, not left
  // waiting forever.
  BodyChannel(std::function<void()> wake, const std::atomic<bool>& stopped)
      : wake_(std::move(wake)), stopped_(stopped) {}

  // The handler's side: the next bytes, 0 at the end, or the connection's error.
  Result<size_t> Pull(char* buffer, size_t capacity) {
    bool wake = false;
    Result<size_t> got = size_t{0};
    {
      std::unique_lock lock(mu_);
      if (!wanted_) {  // the first ask: the connection may now read the body
        wanted_ = true;
        wake = std::exchange(armed_, false);
      }
      if (wake && pieces_.empty() && !ended_) {
        lock.unlock();
        wake_();
        wake = false;
        lock.lock();
      }
      while (!cv_.wait_for(lock, std::chrono::milliseconds(100),
                           [&] { return !pieces_.empty() || ended_; })) {
        if (stopped_) return Status::Cancelled("the server is stopping");
      }
      if (pieces_.empty()) {
        if (!failure_.ok()) return failure_;
        return size_t{0};
      }
      std::string& front = pieces_.front();
      const size_t n = std::min(capacity, front.size() - offset_);
      std::memcpy(buffer, front.data() + offset_, n);
      offset_ += n;
      if (offset_ == front.size()) {
        pieces_.pop_front();
        offset_ = 0;
        wake = wake || std::exchange(armed_, false);  // room in the queue
      }
      got = n;
    }
    if (wake) wake_();
    return got;
  }

  // The connection's side.
  void Push(std::string piece) {
    std::lock_guard lock(mu_);
    pieces_.push_back(std::move(piece));
    cv_.notify_all();
  }
  void End(Status failure) {
    std::lock_guard lock(mu_);
    ended_ = true;
    failure_ = std::move(failure);
    cv_.notify_all();
  }
  // Whether the connection must wait for the handler: it has not asked for the body yet, or
  // the queue is full. If so, the next Pull that changes that wakes it.
  bool WaitUnlessReady() {
    std::lock_guard lock(mu_);
    armed_ = !wanted_ || pieces_.size() >= kUploadQueue;
    return armed_;
  }

 private:
  const std::function<void()> wake_;
  const std::atomic<bool>& stopped_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> pieces_;
  size_t offset_ = 0;
  bool wanted_ = false;
  bool armed_ = false;  // the connection waits for a wake
  bool ended_ = false;
  Status failure_;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        io_(std::max(1, options_.io_threads)),
        pool_(static_cast<size_t>(std::max(1, options_.handler_threads))),
        upload_pool_(static_cast<size_t>(std::max(1, options_.upload_threads))),
        acceptor_(io_),
        tls_(asio::ssl::context::tls_server) {}

  Status Start() {
    if (!options_.tls_cert.empty()) {
      error_code ec;
      // TLS 1.2 and later only.
      tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                       ec);
      tls_.use_certificate_chain_file(options_.tls_cert, ec);
      if (!ec) tls_.use_private_key_file(options_.tls_key, asio::ssl::context::pem, ec);
      if (ec) return Status::InvalidArgument("DATASTORY_TLS_CERT: " + ec.message());
      use_tls_ = true;
    }
    error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return Status::InvalidArgument("DATASTORY_LISTEN: not an address: " + options_.host);
    const tcp::endpoint endpoint(address, static_cast<uint16_t>(options_.port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, Accept(), asio::detached);
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    return Status::Ok();
  }

  int port() const { return port_; }
  int64_t in_flight() const { return in_flight_.load(); }

  void Notify(const std::string& topic) {
    std::lock_guard lock(topics_mu_);
    if (topic.empty()) {
      for (const auto& [name, list] : topics_) {
        for (const std::weak_ptr<Subscriber>& weak : list) Wake(weak.lock());
      }
      return;
    }
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    for (const std::weak_ptr<Subscriber>& weak : it->second) Wake(weak.lock());
  }

  void Stop(int64_t grace_ms) {
    if (stopped_.exchange(true)) return;
    asio::post(io_, [this] {
      error_code ignored;
      acceptor_.close(ignored);
    });
    Notify("");  // streams end now rather than at their next poll
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(grace_ms);
    while (in_flight_ > 0 && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    io_.stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    pool_.join();
    upload_pool_.join();
  }

 private:
  asio::awaitable<void> Accept() {
    while (!stopped_) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopped_ || ec == asio::error::operation_aborted) co_return;
        continue;  // a connection that went before it was accepted
      }
      socket.set_option(tcp::no_delay(true), ec);
      const auto executor = asio::make_strand(io_);
      if (use_tls_) {
        asio::co_spawn(executor, ServeTls(std::move(socket)), asio::detached);
      } else {
        asio::co_spawn(executor, ServePlain(std::move(socket)), asio::detached);
      }
    }
  }

  asio::awaitable<void> ServePlain(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    co_await Serve(stream);
  }

  asio::awaitable<void> ServeTls(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), tls_);
    beast::get_lowest_layer(stream).expires_after(
        std::chrono::milliseconds(options_.read_timeout_ms));
    error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await Serve(stream);
  }

  // Runs a blocking function on the handler pool and resumes with its result.
  //
  // GCC 12 destroys a lambda's captures twice when the lambda is a temporary in the same
  // expression as `co_await` (a shared_ptr captured by value was freed under a live progress
  // stream). So nothing that owns anything is built inside a co_await expression here: `f` is a
  // named lambda of the caller, taken by reference, and the spawned coroutine captures only that
  // reference, which has no destructor to run twice.
  template <class F>
  asio::awaitable<std::invoke_result_t<F>> OnPool(F& f) {
    co_return co_await asio::co_spawn(
        pool_, [&f]() -> asio::awaitable<std::invoke_result_t<F>> { co_return f(); },
        asio::use_awaitable);
  }

  template <class Stream>
  asio::awaitable<void> Serve(Stream& stream) {
    beast::flat_buffer buffer;
    std::string remote;
    {
      error_code ec;
      auto endpoint = beast::get_lowest_layer(stream).socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    bool first = true;
    while (!stopped_) {
      bhttp::request_parser<bhttp::empty_body> header;
      header.header_limit(kHeaderLimit);
      header.body_limit(kUploadBodyLimit);
      beast::get_lowest_layer(stream).expires_after(
          std::chrono::milliseconds(first ? options_.read_timeout_ms : options_.idle_timeout_ms));
      first = false;
      error_code ec;
      co_await bhttp::async_read_header(stream, buffer, header,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == bhttp::error::header_limit) {
          co_await WriteSimple(stream, 431, "the request's headers are too large");
        } else if (ec == bhttp::error::bad_method || ec == bhttp::error::bad_target ||
                   ec == bhttp::error::bad_version || ec == bhttp::error::bad_field) {
          co_await WriteSimple(stream, 400, "a malformed request");
        }
        co_return;
      }
      ++in_flight_;
      const After after = co_await Exchange(stream, buffer, header, remote);
      --in_flight_;
      if (after == After::kCloseUnread) {
        co_await Linger(stream);
        co_return;
      }
      if (after == After::kClose) break;
    }
    error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // What the connection does after an exchange.
  enum class After {
    kNext,         // reads the next request
    kClose,        // closes
    kCloseUnread,  // closes, with the request's body left unread: lingers first
  };

  // Stops sending, then reads and drops what comes, within kLingerTime and kLingerBytes, so
  // that the close does not reset the connection under an answer not yet read.
  template <class Stream>
  asio::awaitable<void> Linger(Stream& stream) {
    auto& connection = beast::get_lowest_layer(stream);
    error_code ec;
    connection.socket().shutdown(tcp::socket::shutdown_send, ec);
    connection.expires_after(kLingerTime);  // one deadline for all the reads
    std::array<char, 64 << 10> sink;
    size_t dropped = 0;
    while (!ec && !stopped_ && dropped < kLingerBytes) {
      dropped += co_await connection.async_read_some(asio::buffer(sink),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  template <class Stream>
  asio::awaitable<void> WriteSimple(Stream& stream, int status, const std::string& detail) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/problem+json");
    res.set(bhttp::field::connection, "close");
    res.body() = "{\"status\":" + std::to_string(status) + ",\"detail\":\"" + detail + "\"}";
    res.prepare_payload();
    error_code ec;
    beast::get_lowest_layer(stream).expires_after(
        std::chrono::milliseconds(options_.read_timeout_ms));
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  }

  // One request and its response. Returns what the connection does next.
  template <class Stream>
  asio::awaitable<After> Exchange(Stream& stream, beast::flat_buffer& buffer,
                                  bhttp::request_parser<bhttp::empty_body>& header,
                                  const std::string& remote) {
    const auto started = SteadyClock::now();
    const auto& head = header.get();
    Request req;
    req.method = std::string(head.method_string());
    req.target = std::string(head.target());
    const size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
    for (const auto& field : head) {
      req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req.remote_ip = ClientAddress(remote, req.Header("x-forwarded-for"));
    req.request_id = NewRequestId(req.Header("x-request-id"));
    bool keep_alive = head.keep_alive();
    AccessRecord record{req.request_id, remote, req.method, "-", 0, 0, 0, 0};
    if (auto length = header.content_length()) record.bytes_in = static_cast<int64_t>(*length);

    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;
    const Route* route = router_.Match(req.method, req.path, &params, &allowed);
    Response res;
    bool body_read = header.is_done();  // no body at all
    if (!route) {
      res = Problem(allowed.empty()
                        ? Status::NotFound("no such page: " + req.path)
                        : Status::FailedPrecondition("this address takes " + allowed.front())
                              .WithReason("METHOD_NOT_ALLOWED"));
      if (!allowed.empty()) {
        res.status = 405;
        std::string allow;
        for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
        res.headers.emplace_back("Allow", allow);
      }
    } else {
      record.route = route->name;
      req.params = std::move(params);
      // Without a body (most requests) one trip to the pool both authenticates and answers:
      // each trip costs two thread switches.
      auto answer = [&] {
        Status auth = router_.Authenticate(*route, req);
        return auth.ok() ? route->handler(req) : Problem(auth);
      };
      auto authenticate = [&] { return router_.Authenticate(*route, req); };
      if (body_read && !route->upload) {
        res = co_await OnPool(answer);
      } else if (Status auth = co_await OnPool(authenticate); !auth.ok()) {
        res = Problem(auth);
      } else if (route->upload) {
        res = co_await StreamUpload(stream, buffer, header, *route, req, &body_read);
      } else if (header.content_length() && *header.content_length() > route->max_body) {
        res = Problem(Status::ResourceExhausted("the request body is larger than " +
                                                std::to_string(route->max_body) + " bytes")
                          .WithReason("FILE_TOO_LARGE"));
      } else {
        // An ordinary body is read whole, within the route's limit.
        bhttp::request_parser<bhttp::string_body> body(std::move(header));
        body.body_limit(route->max_body);
        beast::get_lowest_layer(stream).expires_after(
            std::chrono::milliseconds(options_.read_timeout_ms));
        error_code ec;
        co_await bhttp::async_read(stream, buffer, body,
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec == bhttp::error::body_limit) {
          res = Problem(Status::ResourceExhausted("the request body is too large")
                            .WithReason("FILE_TOO_LARGE"));
        } else if (ec) {
          co_return After::kClose;  // the client went away, or stalled
        } else {
          req.body = std::move(body.get().body());
          body_read = true;
          auto handle = [&] { return route->handler(req); };
          res = co_await OnPool(handle);
        }
      }
    }
    if (!body_read) keep_alive = false;  // the rest of the body was not read: close after
    if (stopped_) keep_alive = false;
    if (res.stream) {
      record.status = res.status;
      co_await WriteStream(stream, req, res);
      Log(record, started);
      co_return After::kClose;
    }
    record.status = res.status;
    record.bytes_out = static_cast<int64_t>(res.body.size() + res.tail.size());
    const bool written = co_await Write(stream, req, res, keep_alive, req.method == "HEAD");
    Log(record, started);
    if (!written) co_return After::kClose;
    if (!body_read) co_return After::kCloseUnread;
    co_return keep_alive ? After::kNext : After::kClose;
  }

  // The client's address: the peer's, or behind a trusted proxy the last hop it forwarded.
  std::string ClientAddress(const std::string& peer, std::string_view forwarded_for) const {
    if (forwarded_for.empty() ||
        std::find(options_.trusted_proxies.begin(), options_.trusted_proxies.end(), peer) ==
            options_.trusted_proxies.end()) {
      return peer;
    }
    std::string_view last = forwarded_for.substr(forwarded_for.rfind(',') + 1);
    while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
    while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
    error_code ec;
    asio::ip::make_address(std::string(last), ec);
    return ec ? peer : std::string(last);
  }

  void Log(AccessRecord& record, SteadyClock::time_point started) {
    record.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    if (options_.on_request) options_.on_request(record);
  }

  template <class Stream>
  asio::awaitable<bool> Write(Stream& stream, const Request& req, Response& res, bool keep_alive,
                              bool head_only) {
    bhttp::response<TwoPartBody> out{static_cast<bhttp::status>(res.status), 11};
    SetHeaders(out, options_.response_headers, res.headers);
    out.set("X-Request-Id", req.request_id);
    out.keep_alive(keep_alive);
    const size_t size = res.body.size() + res.tail.size();
    if (!head_only) out.body() = {std::move(res.body), res.tail, std::move(res.tail_owner)};
    out.prepare_payload();
    if (head_only) out.content_length(size);
    beast::get_lowest_layer(stream).expires_after(
        std::chrono::milliseconds(options_.read_timeout_ms));
    error_code ec;
    co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }

  // An upload: the handler starts on the pool and pulls the body, which this coroutine reads
  // piece by piece and hands over, waiting while the handler is behind.
  template <class Stream>
  asio::awaitable<Response> StreamUpload(Stream& stream, beast::flat_buffer& buffer,
                                         bhttp::request_parser<bhttp::empty_body>& header,
                                         const Route& route, Request& req, bool* body_read) {
    auto result = std::make_shared<std::optional<Response>>();
    auto wake = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    // A wake cancels the timer this coroutine waits on; posted to the connection's strand, so it
    // cannot slip in between a check and the wait after it.
    auto poke = [wake] { asio::post(wake->get_executor(), [wake] { wake->cancel(); }); };
    auto channel = std::make_shared<BodyChannel>(poke, stopped_);
    asio::post(upload_pool_, [channel, result, wake, &route, &req] {
      ChunkReader reader = [channel](char* b, size_t n) { return channel->Pull(b, n); };
      Response r = route.upload(req, reader);
      asio::post(wake->get_executor(), [result, wake, r = std::move(r)]() mutable {
        *result = std::move(r);
        wake->cancel();
      });
    });
    auto wait_for = [&](auto ready) -> asio::awaitable<void> {
      while (!ready()) {
        wake->expires_after(std::chrono::seconds(60));
        error_code ignored;
        co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }
    };
    auto handler_ready = [&] { return result->has_value() || !channel->WaitUnlessReady(); };
    // The handler looks at the request first and may refuse it (over the tier's limit) without
    // reading the body: only once it asks is a client that sent `Expect: 100-continue` told to
    // go on. (curl waits a whole second for that answer on bodies over 1 MB.)
    co_await wait_for(handler_ready);
    if (!*result && beast::iequals(header.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
      error_code ec;
      co_await bhttp::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
    }
    bhttp::request_parser<bhttp::buffer_body> body(std::move(header));
    body.body_limit(kUploadBodyLimit);
    // Beast reads into the free room of `buffer`, which the headers left at a few KB: with
    // room for a whole piece, a read takes up to 64 KB (measured: 5 KB reads, 23,000 of them
    // for 120 MB, before).
    buffer.reserve(kUploadPiece);
    Status failure;
    while (!body.is_done() && !*result) {
      co_await wait_for(handler_ready);  // while the handler is behind
      if (*result) break;
      // Each piece is its own buffer, handed over whole: no copy on this side.
      std::string piece(kUploadPiece, '\0');
      body.get().body().data = piece.data();
      body.get().body().size = piece.size();
      beast::get_lowest_layer(stream).expires_after(
          std::chrono::milliseconds(options_.read_timeout_ms));
      error_code ec;
      co_await bhttp::async_read_some(stream, buffer, body,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        failure = ec == beast::error::timeout
                      ? Status::Unavailable("the upload stalled").WithReason("UPLOAD_STALLED")
                      : Status::Unavailable("the upload was cut: " + ec.message())
                            .WithReason("UPLOAD_INCOMPLETE");
        break;
      }
      piece.resize(piece.size() - body.get().body().size);
      if (!piece.empty()) channel->Push(std::move(piece));
    }
    *body_read = body.is_done();
    channel->End(failure.ok() && !*body_read ? Status::Cancelled("the body was not read")
                                             : failure);
    co_await wait_for([&] { return result->has_value(); });
    co_return std::move(**result);
  }

  // An event stream: the headers, then events as the topic is notified (or every poll), with
  // a comment now and then so that proxies keep the connection.
  template <class Stream>
  asio::awaitable<void> WriteStream(Stream& stream, const Request& req, Response& res) {
    bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(res.status), 11};
    SetHeaders(out, options_.response_headers, res.headers);
    out.set(bhttp::field::content_type, "text/event-stream");
    out.set(bhttp::field::cache_control, "no-store");
    out.set("X-Request-Id", req.request_id);
    out.set("X-Accel-Buffering", "no");
    out.keep_alive(false);
    bhttp::response_serializer<bhttp::empty_body> serializer(out);
    error_code ec;
    beast::get_lowest_layer(stream).expires_after(
        std::chrono::milliseconds(options_.read_timeout_ms));
    co_await bhttp::async_write_header(stream, serializer,
                                       asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    auto subscriber = std::make_shared<Subscriber>(co_await asio::this_coro::executor);
    const std::shared_ptr<EventStream> source = res.stream;
    Subscribe(source->topic, subscriber);
    auto last_sent = SteadyClock::now();
    auto poll = [&source] { return std::optional(source->next()); };
    while (!stopped_) {
      // (Wrapped: a coroutine's result must be default-constructible; a Result is not.)
      std::optional<Result<EventStream::Update>> next = co_await OnPool(poll);
      const Result<EventStream::Update>& update = *next;
      std::string text;
      bool done = !update.ok();
      if (update.ok()) {
        for (const SseEvent& e : update->events) {
          if (!e.id.empty()) text += "id: " + e.id + "\n";
          if (!e.event.empty()) text += "event: " + e.event + "\n";
          text += "data: " + e.data + "\n\n";
        }
        done = update->done;
      }
      if (text.empty() && SteadyClock::now() - last_sent >
                              std::chrono::milliseconds(options_.stream_keepalive_ms)) {
        text = ": still here\n\n";
      }
      if (!text.empty()) {
        beast::get_lowest_layer(stream).expires_after(
            std::chrono::milliseconds(options_.read_timeout_ms));
        co_await asio::async_write(stream, asio::buffer(text),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
        last_sent = SteadyClock::now();
      }
      if (done) break;
      if (!subscriber->pending) {  // a notice that came while `next` ran is not lost
        subscriber->timer.expires_after(std::chrono::milliseconds(options_.stream_poll_ms));
        error_code ignored;
        co_await subscriber->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }
      subscriber->pending = false;
    }
    Unsubscribe(source->topic, subscriber);
  }

  // A live stream waiting for its topic. Its fields are touched on its connection's strand
  // only: Wake posts there.
  struct Subscriber {
    explicit Subscriber(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    bool pending = false;
  };
  static void Wake(const std::shared_ptr<Subscriber>& subscriber) {
    if (!subscriber) return;
    asio::post(subscriber->timer.get_executor(), [subscriber] {
      subscriber->pending = true;
      subscriber->timer.cancel();
    });
  }

  void Subscribe(const std::string& topic, const std::shared_ptr<Subscriber>& timer) {
    std::lock_guard lock(topics_mu_);
    auto& list = topics_[topic];
    list.erase(std::remove_if(list.begin(), list.end(), [](auto& w) { return w.expired(); }),
               list.end());
    list.push_back(timer);
  }
  void Unsubscribe(const std::string& topic, const std::shared_ptr<Subscriber>& timer) {
    std::lock_guard lock(topics_mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end()) return;
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](auto& w) { return w.expired() || w.lock() == timer; }),
               list.end());
    if (list.empty()) topics_.erase(it);
  }

  const ServerOptions options_;
  const Router& router_;
  asio::io_context io_;
  asio::thread_pool pool_;         // handlers
  asio::thread_pool upload_pool_;  // upload handlers, which wait on their body
  tcp::acceptor acceptor_;
  asio::ssl::context tls_;
  bool use_tls_ = false;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  std::atomic<int64_t> in_flight_{0};
  int port_ = 0;
  std::mutex topics_mu_;
  std::map<std::string, std::vector<std::weak_ptr<Subscriber>>> topics_;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}
Server::~Server() { impl_->Stop(0); }
Status Server::Start() { return impl_->Start(); }
int Server::port() const { return impl_->port(); }
void Server::Notify(const std::string& topic) { impl_->Notify(topic); }
void Server::Stop(int64_t grace_ms) { impl_->Stop(grace_ms); }
int64_t Server::in_flight() const { return impl_->in_flight(); }

}  // namespace datastory::http
