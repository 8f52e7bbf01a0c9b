// `serve`: the platform in one process (HTTP server, and worker threads unless
// DATASTORY_WORKERS=0); `worker`: worker threads only, for scaling out on PostgreSQL and S3.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/platform.h"
#include "http/api.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/web.h"
#include "jobs/worker.h"
#include "service/accounts.h"
#include "service/stories.h"

namespace datastory::cli {
namespace {

struct StopFlags {
  int64_t grace_seconds = 30;
  bool quiet = false;  // no access log
};

std::string WorkerName(std::string_view role) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(role) + "@" + host + ":" + std::to_string(getpid());
}

// Job lines go to standard error with the start-up and stop lines, apart from the access log.
jobs::WorkerOptions WorkerOptionsFor(const config::Config& c, std::string_view role) {
  jobs::WorkerOptions options;
  options.name = WorkerName(role);
  options.lease_ms = int64_t{c.job_lease_s} * 1000;
  options.heartbeat_ms = options.lease_ms / 6;
  options.rescue_every_ms = options.lease_ms / 3;
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "datastory: %s\n", line.c_str());
  };
  return options;
}

// The headers every answer carries (docs/api.md: security).
http::Headers SecurityHeaders(const config::Config& c) {
  http::Headers headers = {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},  // share links carry their token in the path
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
  };
  if (c.https()) headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  return headers;
}

// Removes expired sessions, API tokens and old failed log-ins now and then (expired ones are
// refused anyway; this keeps the tables small). Every server does it; the deletes are
// idempotent, so several at once do no harm.
// The access log: lines gathered in memory and written by one thread every 100 ms (or at 64 KB),
// so a request pays for no system call and takes no lock held across one. What is gathered is
// written when the writer is destroyed.
class AccessLog {
 public:
  explicit AccessLog(FILE* out) : out_(out), writer_([this](std::stop_token stop) { Run(stop); }) {}
  ~AccessLog() {
    writer_.request_stop();
    writer_.join();
    Flush();
  }
  void Add(const std::string& line) {
    std::lock_guard lock(mu_);
    pending_ += line;
    pending_ += '\n';
    if (pending_.size() > kFlushBytes) cv_.notify_one();
  }

 private:
  void Run(std::stop_token stop) {
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, stop, std::chrono::milliseconds(100),
                     [this] { return pending_.size() > kFlushBytes; });
      }
      Flush();
    }
  }
  void Flush() {
    std::string lines;
    {
      std::lock_guard lock(mu_);
      lines.swap(pending_);
    }
    if (lines.empty()) return;
    std::fwrite(lines.data(), 1, lines.size(), out_);
    std::fflush(out_);
  }

  static constexpr size_t kFlushBytes = 64 << 10;
  FILE* const out_;
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::string pending_;
  std::jthread writer_;  // last: it starts once the rest is ready
};

std::jthread StartCleanup(store::Store& store) {
  return std::jthread([&store](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    while (!stop.stop_requested()) {
      if (auto removed = store.CleanupExpiredSessions(); !removed.ok()) {
        std::fprintf(stderr, "datastory: session clean-up: %s\n",
                     removed.status().message().c_str());
      }
      cv.wait_for(lock, stop, std::chrono::hours(1), [] { return false; });
    }
  });
}

int RunServe(const StopFlags& flags) {
  BlockStopSignals();  // before any thread starts, so that every thread inherits the mask
  int exit_code = kExitOk;
  std::unique_ptr<Platform> platform = OpenPlatform({}, &exit_code);
  if (!platform) return exit_code;
  const config::Config& c = platform->config;

  service::AccountOptions account_options;
  account_options.password.cost = c.bcrypt_cost;
  service::AccountService accounts(*platform->store, *platform->blobs, account_options);
  service::StoryService stories(*platform->store, *platform->blobs);
  http::Metrics metrics;

  // The server and the workers point at each other (a job's progress wakes its streams; a new
  // job wakes a worker): both are made before either starts.
  std::optional<AccessLog> access_log;  // before the server: it outlives every request
  if (!flags.quiet) access_log.emplace(stdout);
  std::unique_ptr<http::Server> server;
  std::unique_ptr<jobs::WorkerPool> workers;

  http::ApiContext context;
  context.accounts = &accounts;
  context.stories = &stories;
  context.store = platform->store.get();
  context.blobs = platform->blobs.get();
  context.metrics = &metrics;
  context.public_url = c.public_url;
  context.secure_cookies = c.https();
  context.uploads_per_hour = c.uploads_per_hour;
  context.on_enqueue = [&workers] {
    if (workers) workers->Wake();
  };

  http::Authenticator authenticator;
  authenticator.session = [&accounts](std::string_view t) {
    return accounts.AuthenticateSession(t);
  };
  authenticator.api_token = [&accounts](std::string_view t) {
    return accounts.AuthenticateApiToken(t);
  };
  authenticator.cookie_name = http::SessionCookieName(c.https());
  authenticator.allowed_origin = c.public_url;
  http::Router router(authenticator);
  http::AddApiRoutes(router, context);
  http::AddWebRoutes(router);

  http::ServerOptions server_options;
  server_options.host = c.listen_host;
  server_options.port = c.listen_port;
  server_options.tls_cert = c.tls_cert;
  server_options.tls_key = c.tls_key;
  server_options.response_headers = SecurityHeaders(c);
  server_options.read_timeout_ms = int64_t{c.read_timeout_s} * 1000;
  server_options.trusted_proxies = c.trusted_proxies;
  // SQLite's reads are work for a core: more handler threads than cores only switch between
  // themselves (GET a story on two cores: 10,091 requests/s with 16, 18,973 with 2; and 21,252
  // with two I/O threads instead of one).
  // PostgreSQL's are waits on the network: as many handlers as its pool has connections (10).
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  server_options.io_threads = cores;
  server_options.handler_threads = c.database_url.rfind("postgres", 0) == 0 ? 10 : cores;
  server_options.on_request = [&metrics, &access_log, &platform](const http::AccessRecord& r) {
    metrics.Record(r);
    if (access_log) access_log->Add(http::AccessLogLine(r, platform->clock.NowMillis()));
  };
  server = std::make_unique<http::Server>(server_options, router);

  if (c.workers > 0) {
    workers = std::make_unique<jobs::WorkerPool>(
        *platform->store, *platform->blobs, WorkerOptionsFor(c, "serve"), c.workers,
        [&server](const std::string& job_id) { server->Notify(job_id); });
  }

  // Progress made by other processes (`datastory worker`, other servers' workers) reaches this
  // server's streams through the database when it can tell (PostgreSQL); else they poll.
  auto listener = platform->store->ListenJobEvents(
      [&server](const std::string& job_id) { server->Notify(job_id); });
  if (!listener.ok() && listener.status().code() != StatusCode::kUnimplemented) {
    return ReportError(listener.status());
  }

  if (Status s = server->Start(); !s.ok()) return ReportError(s);
  if (workers) workers->Start();
  std::jthread cleanup = StartCleanup(*platform->store);
  std::fprintf(stderr, "datastory: serving %s on %s:%d (%d worker thread%s)\n",
               c.public_url.c_str(), c.listen_host.c_str(), server->port(), c.workers,
               c.workers == 1 ? "" : "s");
  std::fflush(stderr);

  const int signal_number = WaitForStopSignal();
  std::fprintf(stderr, "datastory: %s: stopping (up to %llds for work in flight)\n",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
               static_cast<long long>(flags.grace_seconds));
  // Both at once: requests finish while running jobs get the same grace, then are given back.
  std::thread stop_workers([&] {
    if (workers) workers->Stop(flags.grace_seconds * 1000);
  });
  server->Stop(flags.grace_seconds * 1000);
  stop_workers.join();
  std::fprintf(stderr, "datastory: stopped\n");
  return kExitOk;
}

int RunWorker(const StopFlags& flags) {
  BlockStopSignals();
  int exit_code = kExitOk;
  std::unique_ptr<Platform> platform = OpenPlatform({}, &exit_code);
  if (!platform) return exit_code;
  const int threads = std::max(platform->config.workers, 1);
  jobs::WorkerPool workers(*platform->store, *platform->blobs,
                           WorkerOptionsFor(platform->config, "worker"), threads);
  workers.Start();
  std::fprintf(stderr, "datastory: worker started (%d thread%s)\n", threads,
               threads == 1 ? "" : "s");
  std::fflush(stderr);
  WaitForStopSignal();
  std::fprintf(stderr, "datastory: stopping (up to %llds for running jobs)\n",
               static_cast<long long>(flags.grace_seconds));
  workers.Stop(flags.grace_seconds * 1000);
  std::fprintf(stderr, "datastory: stopped\n");
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, std::function<int()>* run) {
  auto flags = std::make_shared<StopFlags>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the platform: the web API and, unless DATASTORY_WORKERS=0, story workers");
  serve
      ->add_option("--grace", flags->grace_seconds,
                   "Seconds that requests and jobs in flight get to finish on SIGTERM")
      ->check(CLI::Range(0, 3600));
  serve->add_flag("--quiet", flags->quiet, "No access log on standard output");
  serve->callback([run, flags] { *run = [flags] { return RunServe(*flags); }; });

  CLI::App* worker = app.add_subcommand(
      "worker", "Run story workers only (DATASTORY_WORKERS threads) against DATABASE_URL");
  worker
      ->add_option("--grace", flags->grace_seconds,
                   "Seconds that running jobs get to finish on SIGTERM before going back to "
                   "the queue")
      ->check(CLI::Range(0, 3600));
  worker->callback([run, flags] { *run = [flags] { return RunWorker(*flags); }; });
}

}  // namespace datastory::cli
