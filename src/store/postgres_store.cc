// The PostgreSQL engine of the Store port, on libpq.
//
// Connections: a pool of min..max connections, each with its own prepared statements. An
// operation borrows one connection for its whole duration (and its transaction, if any).
//
// Losing the server: when a connection breaks (the server restarted, or pg_terminate_backend
// killed its backend) the operation is tried again on a fresh connection, reconnecting with
// back-off, for up to reconnect_window_ms, but only when that cannot apply a write twice:
//   - a read;
//   - a transaction that broke before its COMMIT was sent (the server rolled it back);
//   - a statement the server refused with SQLSTATE 57P01/57P02/57P03 (its backend was told to
//     stop, so the statement was cancelled or never started).
// Otherwise (the connection dropped while a write or a COMMIT was in flight) nobody can know
// whether it was applied, and the caller gets Unavailable saying so: a write is acknowledged
// only when the server said it was committed.
#include "store/postgres_store.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/random.h"
#include "base/text.h"
#include "store/migrations.h"
#include "store/sql_rows.h"

namespace datastory::store {
namespace {

// Any 64-bit number, the same in every process: pg_advisory_xact_lock on it serialises
// migrations across processes.
constexpr int64_t kMigrationLock = 0x6461746173746f72;  // "datastor"

int64_t MonotonicMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One row of a result; the interface sql::Read* expects.
class PgRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}
  int64_t Int(int col) const { return std::strtoll(PQgetvalue(result_, row_, col), nullptr, 10); }
  std::string Text(int col) const {
    return {PQgetvalue(result_, row_, col), static_cast<size_t>(PQgetlength(result_, row_, col))};
  }
  bool IsNull(int col) const { return PQgetisnull(result_, row_, col) != 0; }
  bool Bool(int col) const { return PQgetvalue(result_, row_, col)[0] == 't'; }

 private:
  const PGresult* result_;
  int row_;
};

class PgResult {
 public:
  explicit PgResult(PGresult* result = nullptr) : result_(result) {}
  ~PgResult() { PQclear(result_); }
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&& other) noexcept {
    std::swap(result_, other.result_);
    return *this;
  }

  bool ok() const {
    ExecStatusType s = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  int rows() const { return result_ ? PQntuples(result_) : 0; }
  PgRow Row(int i = 0) const { return {result_, i}; }
  int64_t Affected() const { return result_ ? std::strtoll(PQcmdTuples(result_), nullptr, 10) : 0; }
  std::string_view SqlState() const {
    const char* state = result_ ? PQresultErrorField(result_, PG_DIAG_SQLSTATE) : nullptr;
    return state ? state : "";
  }

 private:
  PGresult* result_;
};

// Parameters as text, in the order of $1, $2, …; NULL is a null pointer.
class Params {
 public:
  Params& Add(int64_t v) { return Add(std::to_string(v)); }
  Params& Add(std::string_view v) {
    has_nul_ |= v.find('\0') != std::string_view::npos;
    values_.emplace_back(v);
    nulls_.push_back(false);
    return *this;
  }
  Params& AddBool(bool v) { return Add(v ? std::string_view("true") : std::string_view("false")); }
  Params& AddNull() {
    values_.emplace_back();
    nulls_.push_back(true);
    return *this;
  }
  std::vector<const char*> Pointers() const {
    std::vector<const char*> out;
    for (size_t i = 0; i < values_.size(); ++i) {
      out.push_back(nulls_[i] ? nullptr : values_[i].c_str());
    }
    return out;
  }
  int size() const { return static_cast<int>(values_.size()); }
  bool has_nul() const { return has_nul_; }

 private:
  bool has_nul_ = false;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

// A libpq connection with its prepared statements, and what its last failure means for a retry.
class PgConnection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {
    // Server notices (e.g. "relation already exists, skipping") are not errors: dropped
    // instead of printed on stderr. But a FATAL that arrives while the connection is idle
    // (its backend was terminated) comes this way too, and marks the connection lost.
    PQsetNoticeReceiver(conn_, &PgConnection::OnNotice, this);
    // Verbose errors carry the SQLSTATE in the text, "FATAL:  57P01: terminating …", which
    // survives where the result's own field does not: when the server reports an error and
    // closes the connection, libpq's result holds only the text.
    PQsetErrorVerbosity(conn_, PQERRORS_VERBOSE);
  }
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // A parameterised statement, prepared on this connection the first time it is run.
  PgResult Exec(const std::string& sql, const Params& params = {}) {
    if (params.has_nul()) {
      // Text parameters end at a NUL; rather than cut a value short, refuse it.
      local_error_ = "ERROR:  a text value contains a NUL byte";
      local_state_ = "22021";
      return PgResult();
    }
    local_error_.clear();
    local_state_.clear();
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "s" + std::to_string(prepared_.size() + 1);
      PgResult prepared(PQprepare(conn_, name.c_str(), sql.c_str(), params.size(), nullptr));
      if (!prepared.ok()) {
        Observe(prepared, /*nothing_applied=*/true);  // preparing changes no data
        return prepared;
      }
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values = params.Pointers();
    PgResult result(PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), nullptr,
                                   nullptr, 0));
    Observe(result);
    return result;
  }
  // Statements without parameters, several allowed (migrations, BEGIN, COMMIT).
  PgResult Simple(const std::string& sql) {
    PgResult result(PQexec(conn_, sql.c_str()));
    Observe(result);
    return result;
  }

  bool Begin() {
    in_transaction_ = true;  // a failure from here to COMMIT applies nothing
    if (Simple("BEGIN").ok()) return true;
    in_transaction_ = false;
    return false;
  }
  bool Commit() {
    committing_ = true;
    bool ok = Simple("COMMIT").ok();
    committing_ = in_transaction_ = false;
    return ok;
  }
  void Rollback() {
    Simple("ROLLBACK");  // a failure here breaks the connection, and the server rolls back
    in_transaction_ = false;
  }

  // Lost: closed, or its backend told to stop (it closes right after).
  bool broken() const { return lost_ || PQstatus(conn_) != CONNECTION_OK; }
  // Reads whatever the server sent while the connection sat idle: a backend terminated then
  // has said so and closed, and the connection is dropped before a statement is sent on it
  // (after which nobody could tell whether the statement ran).
  bool StillOpen() {
    if (broken()) return false;
    if (PQconsumeInput(conn_) == 0) return false;
    PQisBusy(conn_);  // parses what arrived: a FATAL reaches OnNotice, which marks it lost
    return !broken();
  }
  // The SQLSTATE of the last failure ("" when unknown).
  std::string_view SqlState() const { return local_state_.empty() ? last_state_ : local_state_; }
  // Whether the last failure certainly applied nothing (see the top of the file).
  bool failed_before_commit() const { return failed_before_commit_; }
  // The server's message, one line, without the SQLSTATE and the source location.
  std::string Error() const {
    // (Not a conditional expression: its type would be a temporary std::string.)
    std::string_view text = local_error_;
    if (text.empty()) text = PQerrorMessage(conn_);
    text = text.substr(0, text.find('\n'));
    if (size_t code = text.find(":  ");
        code != std::string_view::npos && !ErrorCode(text).empty()) {
      return std::string(text.substr(0, code + 1)) + std::string(text.substr(code + 9));
    }
    return std::string(text);
  }

 private:
  // The SQLSTATE of a verbose message's first line, "SEVERITY:  XXXXX: text", or "".
  static std::string_view ErrorCode(std::string_view line) {
    const size_t colon = line.find(":  ");
    if (colon == std::string_view::npos || line.size() < colon + 9 || line[colon + 8] != ':') {
      return {};
    }
    std::string_view code = line.substr(colon + 3, 5);
    for (char c : code) {
      if (!std::isdigit(static_cast<unsigned char>(c)) &&
          !std::isupper(static_cast<unsigned char>(c))) {
        return {};
      }
    }
    return code;
  }

  // SQLSTATEs of a backend told to stop: admin shutdown, crash shutdown, cannot connect now,
  // idle session timeout. The statement in flight, if any, did not run.
  static bool ToldToStop(std::string_view state) {
    return state == "57P01" || state == "57P02" || state == "57P03" || state == "57P05";
  }

  void Observe(const PgResult& result, bool nothing_applied = false) {
    if (result.ok()) return;
    std::string_view state = result.SqlState();
    if (state.empty()) state = ErrorCode(PQerrorMessage(conn_));
    last_state_ = std::string(state);
    const bool told_to_stop = ToldToStop(state);
    if (!told_to_stop && PQstatus(conn_) == CONNECTION_OK) return;  // an ordinary SQL error
    lost_ = true;
    failed_before_commit_ = nothing_applied || told_to_stop || (in_transaction_ && !committing_);
  }

  static void OnNotice(void* self, const PGresult* notice) {
    const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char* state = PQresultErrorField(notice, PG_DIAG_SQLSTATE);
    const std::string_view level = severity ? severity : "";
    if (level == "FATAL" || level == "PANIC" || (state && ToldToStop(state))) {
      auto* c = static_cast<PgConnection*>(self);
      c->lost_ = true;
      c->failed_before_commit_ = true;  // it came while idle: nothing of ours was in flight
    }
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
  bool in_transaction_ = false, committing_ = false;
  bool lost_ = false, failed_before_commit_ = false;
  std::string last_state_;                 // the SQLSTATE of the last failure
  std::string local_error_, local_state_;  // a failure found before sending
};

// min..max connections; a broken one is closed when it comes back and replaced on demand.
class Pool {
 public:
  Pool(std::string conninfo, const PostgresOptions& options)
      : conninfo_(std::move(conninfo)), options_(options) {}

  // Returns a connection to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  Status Start() {
    std::vector<std::unique_ptr<PgConnection>> opened;
    for (int i = 0; i < options_.min_connections; ++i) {
      DS_ASSIGN_OR_RETURN(auto conn, Connect(MonotonicMillis() + options_.reconnect_window_ms));
      opened.push_back(std::move(conn));
    }
    std::lock_guard lock(mu_);
    open_ = static_cast<int>(opened.size());
    for (auto& c : opened) idle_.push_back(std::move(c));
    return Status::Ok();
  }

  // An idle connection, a new one while fewer than max are open, or the first one released.
  Result<Lease> Acquire(int64_t deadline) {
    std::unique_lock lock(mu_);
    while (true) {
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        if (conn->StillOpen()) return Lease(this, std::move(conn));
        --open_;  // closed by the server while idle
        continue;
      }
      if (open_ < options_.max_connections) {
        ++open_;
        lock.unlock();
        auto conn = Connect(deadline);
        if (!conn.ok()) {
          lock.lock();
          --open_;
          cv_.notify_one();
          return conn.status();
        }
        return Lease(this, std::move(conn).value());
      }
      const int64_t wait = deadline - MonotonicMillis();
      if (wait <= 0 ||
          cv_.wait_for(lock, std::chrono::milliseconds(wait)) == std::cv_status::timeout) {
        if (idle_.empty() && open_ >= options_.max_connections) {
          return Status::Unavailable("postgres: all " + std::to_string(options_.max_connections) +
                                     " connections stayed busy");
        }
      }
    }
  }

  int64_t reconnects() const {
    std::lock_guard lock(mu_);
    return reconnects_;
  }
  const std::string& conninfo() const { return conninfo_; }

 private:
  void Release(std::unique_ptr<PgConnection> conn) {
    std::lock_guard lock(mu_);
    if (conn->broken()) {
      --open_;
      conn.reset();
    } else {
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  // Connects, trying again with back-off (50 ms doubling to 1 s, with jitter) until `deadline`.
  Result<std::unique_ptr<PgConnection>> Connect(int64_t deadline) {
    int64_t delay = 50;
    for (int attempt = 0;; ++attempt) {
      auto conn = std::make_unique<PgConnection>(PQconnectdb(conninfo_.c_str()));
      if (!conn->broken()) {
        if (attempt > 0 || connected_once_) {
          std::lock_guard lock(mu_);
          ++reconnects_;
        }
        connected_once_ = true;
        return conn;
      }
      std::string error = conn->Error();
      while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
      // libpq's words for a setting it cannot use ("invalid integer value … for connection
      // option", "invalid sslmode value"): waiting will not fix the URL.
      if (error.rfind("invalid ", 0) == 0) {
        return Status::InvalidArgument("DATABASE_URL: " + error);
      }
      if (MonotonicMillis() + delay > deadline) {
        return Status::Unavailable("postgres: cannot connect: " + error);
      }
      const double jitter = 0.5 + static_cast<double>(RandomWord() >> 11) * 0x1.0p-53;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(delay) * jitter)));
      delay = std::min<int64_t>(delay * 2, 1000);
    }
  }

  const std::string conninfo_;
  const PostgresOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;
  int64_t reconnects_ = 0;
  std::atomic<bool> connected_once_ = false;
};

// The time of a statement: $1 when a test pins it, else the database's clock, so that every
// process reads the same clock (leases, the month, session expiry). Statements name it t.now.
constexpr const char* kNow =
    "WITH t AS (SELECT coalesce($1::bigint, floor(extract(epoch FROM now()) * 1000)::bigint) "
    "AS now) ";

// The condition for a write of the attempt holding a job's lease ($2 job id, $3 lease token).
constexpr const char* kHoldsLease =
    "jobs.id = $2 AND lease_token = $3 AND status = 'processing' AND lease_expires_at > t.now";

std::string Cols(const char* columns, const char* table = nullptr) {
  if (!table) return columns;
  // "a, b" → "jobs.a, jobs.b": for statements that join the time.
  std::string out, column;
  std::string_view rest = columns;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view name = rest.substr(0, comma);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    out += (out.empty() ? "" : ", ") + std::string(table) + "." + std::string(name);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

// LISTEN datastory_jobs on a connection of its own, outside the pool (a listening connection
// cannot be shared), read by one thread that sleeps in poll() on the socket and on an eventfd
// that wakes it to stop. A lost connection is made again with back-off; notices sent meanwhile
// are missed, which the contract allows (the streams poll too).
class PgJobListener final : public JobListener {
 public:
  PgJobListener(std::string conninfo, std::function<void(const std::string&)> on_change)
      : conninfo_(std::move(conninfo)), on_change_(std::move(on_change)) {}
  ~PgJobListener() override {
    stop_ = true;
    const uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) < 0) {
      // The eventfd cannot be full; the thread also looks at stop_ within a second.
    }
    if (thread_.joinable()) thread_.join();
    if (conn_) PQfinish(conn_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  Status Start() {
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) return Status::Internal("postgres: cannot make an eventfd");
    if (!Listen()) return Status::Unavailable("postgres: cannot listen for job events: " + error_);
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

 private:
  static constexpr const char* kChannel = "datastory_jobs";

  bool Listen() {
    if (conn_) PQfinish(conn_);
    conn_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn_) == CONNECTION_OK) {
      PGresult* r = PQexec(conn_, (std::string("LISTEN ") + kChannel).c_str());
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (ok && PQsetnonblocking(conn_, 1) == 0) return true;
    }
    error_ = PQerrorMessage(conn_);
    while (!error_.empty() && (error_.back() == '\n' || error_.back() == ' ')) error_.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    return false;
  }

  // Sleeps up to `ms`, or until woken to stop.
  void Sleep(int64_t ms) {
    pollfd wake{wake_fd_, POLLIN, 0};
    poll(&wake, 1, static_cast<int>(ms));
  }

  void Loop() {
    int64_t delay = 50;
    while (!stop_) {
      if (!conn_) {
        Sleep(delay);
        delay = std::min<int64_t>(delay * 2, 2000);
        if (stop_ || !Listen()) continue;
        delay = 50;
        on_change_("");  // notices may have been missed: listeners look again at everything
      }
      pollfd fds[2] = {{PQsocket(conn_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      if (poll(fds, 2, 1000) < 0 && errno != EINTR) continue;
      if (stop_) break;
      if (!(fds[0].revents & (POLLIN | POLLERR | POLLHUP))) continue;
      if (!PQconsumeInput(conn_) || PQstatus(conn_) != CONNECTION_OK) {
        PQfinish(conn_);
        conn_ = nullptr;
        continue;
      }
      while (PGnotify* notice = PQnotifies(conn_)) {
        const std::string job_id = notice->extra;
        PQfreemem(notice);
        on_change_(job_id);
      }
    }
  }

  const std::string conninfo_;
  const std::function<void(const std::string&)> on_change_;
  PGconn* conn_ = nullptr;
  std::string error_;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, const PostgresOptions& pg, const StoreOptions& options)
      : pool_(std::move(conninfo), pg), pg_(pg), options_(options) {}

  Status Start() { return pool_.Start(); }

  Status Migrate() override {
    return Run(Access::kWrite, [&](PgConnection& c) -> Status {
      if (!c.Begin()) return Error(c, "starting the migrations");
      // Held until COMMIT: a second process waits here, then finds the migrations applied.
      Status s = Check(c, c.Exec("SELECT pg_advisory_xact_lock($1)", Params().Add(kMigrationLock)),
                       "waiting for the migration lock");
      if (s.ok()) s = ApplyMigrations(c);
      if (!s.ok()) {
        c.Rollback();
        return s;
      }
      return c.Commit() ? Status::Ok() : Error(c, "committing the migrations");
    });
  }

  Result<int> SchemaVersion() override {
    return Run(Access::kRead, [&](PgConnection& c) -> Result<int> {
      PgResult r = c.Exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
      if (r.SqlState() == "42P01") return 0;  // no table yet: nothing applied
      if (!r.ok()) return Error(c, "reading the schema version");
      return static_cast<int>(r.Row().Int(0));
    });
  }

  // --- Users

  Result<User> CreateUser(const NewUser& user) override {
    DS_RETURN_IF_ERROR(sql::CheckEmail(user.email));
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<User> {
      PgResult r = c.Exec(std::string(kNow) +
                              "INSERT INTO users (id, email, email_lower, password_hash, tier, "
                              "stories_this_month, stories_month, created_at, updated_at) SELECT "
                              "$2, $3, $4, $5, $6, 0, '', t.now, t.now FROM t RETURNING " +
                              sql::kUserColumns,
                          Timed()
                              .Add(NewUuidV4())
                              .Add(user.email)
                              .Add(AsciiLower(user.email))
                              .Add(user.password_hash)
                              .Add(TierName(user.tier)));
      if (r.SqlState() == "23505") {
        return Status::AlreadyExists("a user with email " + user.email + " already exists");
      }
      if (!r.ok()) return Error(c, "creating a user");
      return ReadUser(r.Row());
    });
  }

  Result<User> GetUser(std::string_view user_id) override {
    return One<User>(std::string("SELECT ") + sql::kUserColumns + " FROM users WHERE id = $1",
                     Params().Add(user_id), "user " + std::string(user_id), Access::kRead,
                     [&](const PgRow& row) { return ReadUser(row); });
  }

  Result<User> FindUserByEmail(std::string_view email) override {
    return One<User>(
        std::string("SELECT ") + sql::kUserColumns + " FROM users WHERE email_lower = $1",
        Params().Add(AsciiLower(email)), "user with email " + std::string(email), Access::kRead,
        [&](const PgRow& row) { return ReadUser(row); });
  }

  Result<User> SetUserTier(std::string_view user_id, Tier tier) override {
    return One<User>(std::string(kNow) +
                         "UPDATE users SET tier = $2, updated_at = t.now FROM t WHERE id = $3 "
                         "RETURNING " +
                         Cols(sql::kUserColumns, "users"),
                     Timed().Add(TierName(tier)).Add(user_id), "user " + std::string(user_id),
                     Access::kWrite, [&](const PgRow& row) { return ReadUser(row); });
  }

  Status SetPasswordHash(std::string_view user_id, std::string_view password_hash) override {
    return Changed(std::string(kNow) +
                       "UPDATE users SET password_hash = $2, updated_at = t.now FROM t WHERE "
                       "id = $3",
                   Timed().Add(password_hash).Add(user_id), "user " + std::string(user_id));
  }

  Result<std::vector<std::string>> DeleteUser(std::string_view user_id) override {
    return Transaction([&](PgConnection& c) -> Result<std::vector<std::string>> {
      PgResult keys = c.Exec(
          "SELECT storage_key FROM stories WHERE user_id = $1 UNION SELECT storage_key FROM "
          "uploads WHERE user_id = $1",
          Params().Add(user_id));
      if (!keys.ok()) return Error(c, "reading the user's stories");
      PgResult gone = c.Exec("DELETE FROM users WHERE id = $1", Params().Add(user_id));
      if (!gone.ok()) return Error(c, "deleting a user");
      if (gone.Affected() == 0) {
        return Status::NotFound("user " + std::string(user_id) + " does not exist");
      }
      std::vector<std::string> out;
      for (int i = 0; i < keys.rows(); ++i) out.push_back(keys.Row(i).Text(0));
      return out;
    });
  }

  Status RecordLoginFailure(std::string_view subject) override {
    return Run(Access::kWrite, [&](PgConnection& c) -> Status {
      PgResult r = c.Exec(
          std::string(kNow) + "INSERT INTO login_failures (subject, at) SELECT $2, t.now FROM t",
          Timed().Add(subject));
      return r.ok() ? Status::Ok() : Error(c, "recording a failed log-in");
    });
  }

  Result<LoginFailures> CountLoginFailures(std::string_view subject, int64_t window_ms) override {
    return Run(Access::kRead, [&](PgConnection& c) -> Result<LoginFailures> {
      PgResult r = c.Exec(std::string(kNow) +
                              "SELECT count(f.at), coalesce(min(f.at), 0), t.now FROM t LEFT JOIN "
                              "login_failures f ON f.subject = $2 AND f.at > t.now - $3 GROUP BY "
                              "t.now",
                          Timed().Add(subject).Add(window_ms));
      if (!r.ok()) return Error(c, "counting failed log-ins");
      return LoginFailures{r.Row().Int(0), r.Row().Int(1), r.Row().Int(2)};
    });
  }

  Status ClearLoginFailures(std::string_view subject) override {
    return Count("DELETE FROM login_failures WHERE subject = $1", Params().Add(subject),
                 "clearing failed log-ins")
        .status();
  }

  // --- Uploads

  Result<UploadRecord> CreateUpload(const UploadRecord& u) override {
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<UploadRecord> {
      PgResult r = c.Exec(std::string(kNow) +
                              "INSERT INTO uploads (id, user_id, storage_key, original_filename, "
                              "content_type, size, preview_json, created_at) SELECT $2, $3, $4, "
                              "$5, $6, $7, $8, t.now FROM t RETURNING " +
                              sql::kUploadColumns,
                          Timed()
                              .Add(NewUuidV4())
                              .Add(u.user_id)
                              .Add(u.storage_key)
                              .Add(u.original_filename)
                              .Add(u.content_type)
                              .Add(u.size)
                              .Add(u.preview_json));
      if (r.SqlState() == "23503") return Status::NotFound("user " + u.user_id + " does not exist");
      if (!r.ok()) return Error(c, "saving an upload");
      return sql::ReadUpload(r.Row());
    });
  }

  Result<UploadRecord> GetUpload(std::string_view owner_id, std::string_view upload_id) override {
    return One<UploadRecord>(std::string("SELECT ") + sql::kUploadColumns +
                                 " FROM uploads WHERE id = $1 AND user_id = $2",
                             Params().Add(upload_id).Add(owner_id),
                             "upload " + std::string(upload_id), Access::kRead,
                             [](const PgRow& row) { return sql::ReadUpload(row); });
  }

  Result<UploadRecord> DeleteUpload(std::string_view owner_id,
                                    std::string_view upload_id) override {
    return One<UploadRecord>(
        std::string("DELETE FROM uploads WHERE id = $1 AND user_id = $2 RETURNING ") +
            sql::kUploadColumns,
        Params().Add(upload_id).Add(owner_id), "upload " + std::string(upload_id), Access::kWrite,
        [](const PgRow& row) { return sql::ReadUpload(row); });
  }

  // --- Stories

  Result<StoryRecord> CreateStory(const StoryRecord& s) override {
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<StoryRecord> {
      PgResult r = c.Exec(InsertStorySql() + " RETURNING " + sql::kStoryColumns,
                          StoryParams(s, NewUuidV4()));
      if (!r.ok()) return StoryError(c, r, s);
      return sql::ReadStory(r.Row());
    });
  }

  Result<StoryRecord> GetStory(std::string_view owner_id, std::string_view story_id,
                               StoryParts parts) override {
    return One<StoryRecord>(std::string("SELECT ") + sql::StoryColumns(parts) +
                                " FROM stories WHERE id = $1 AND user_id = $2",
                            Params().Add(story_id).Add(owner_id), "story " + std::string(story_id),
                            Access::kRead, [](const PgRow& row) { return sql::ReadStory(row); });
  }

  Result<StoryRecord> GetSharedStory(std::string_view share_token, StoryParts parts) override {
    return One<StoryRecord>(std::string("SELECT ") + sql::StoryColumns(parts) +
                                " FROM stories WHERE share_token = $1 AND visibility = 'public'",
                            Params().Add(share_token), "shared story", Access::kRead,
                            [](const PgRow& row) { return sql::ReadStory(row); });
  }

  Result<StoryPage> ListStories(std::string_view owner_id, std::string_view cursor,
                                int limit) override {
    limit = std::clamp(limit, 1, 100);
    DS_ASSIGN_OR_RETURN(sql::StoryCursor after, sql::ParseStoryCursor(cursor));
    return Run(Access::kRead, [&](PgConnection& c) -> Result<StoryPage> {
      PgResult r = c.Exec(std::string("SELECT ") + sql::kStoryHeadColumns +
                              " FROM stories WHERE user_id = $1 AND (created_at < $2 OR "
                              "(created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC "
                              "LIMIT $4",
                          Params()
                              .Add(owner_id)
                              .Add(after.created_at)
                              .Add(after.id)
                              .Add(static_cast<int64_t>(limit) + 1));
      if (!r.ok()) return Error(c, "listing stories");
      StoryPage page;
      for (int i = 0; i < r.rows(); ++i) page.stories.push_back(sql::ReadStory(r.Row(i)));
      if (page.stories.size() > static_cast<size_t>(limit)) {
        page.stories.pop_back();
        page.next_cursor = sql::MakeStoryCursor(page.stories.back());
      }
      return page;
    });
  }

  Result<StoryRecord> UpdateStory(std::string_view owner_id, std::string_view story_id,
                                  const StoryUpdate& update) override {
    Params params = Timed().Add(story_id).Add(owner_id);
    if (update.title) {
      params.Add(*update.title);
    } else {
      params.AddNull();
    }
    if (update.visibility) {
      params.Add(VisibilityName(*update.visibility));
    } else {
      params.AddNull();
    }
    params.Add(NewToken());
    if (update.document_json) {
      params.Add(*update.document_json);
    } else {
      params.AddNull();
    }
    // A share token only while public: a new one each time the story is made public.
    return One<StoryRecord>(
        std::string(kNow) +
            "UPDATE stories SET title = coalesce($4, title), visibility = coalesce($5, "
            "visibility), share_token = CASE WHEN coalesce($5, visibility) = 'private' THEN NULL "
            "WHEN visibility = 'public' THEN share_token ELSE $6 END, updated_at = "
            "greatest(t.now, stories.updated_at + 1), "
            "document_json = coalesce($7::json, document_json) FROM t WHERE id = $2 AND user_id = "
            "$3 RETURNING " +
            Cols(sql::kStoryColumns, "stories"),
        params, "story " + std::string(story_id), Access::kWrite,
        [](const PgRow& row) { return sql::ReadStory(row); });
  }

  Result<DeletedStory> DeleteStory(std::string_view owner_id, std::string_view story_id) override {
    return Transaction([&](PgConnection& c) -> Result<DeletedStory> {
      PgResult story = c.Exec(std::string("DELETE FROM stories WHERE id = $1 AND user_id = $2 "
                                          "RETURNING ") +
                                  sql::kStoryColumns,
                              Params().Add(story_id).Add(owner_id));
      if (!story.ok()) return Error(c, "deleting a story");
      if (story.rows() == 0)
        return Status::NotFound("story " + std::string(story_id) + " does not exist");
      DeletedStory deleted;
      deleted.story = sql::ReadStory(story.Row());
      PgResult upload = c.Exec(sql::kDeleteFreedUpload,
                               Params().Add(owner_id).Add(deleted.story.dataset.storage_key));
      if (!upload.ok()) return Error(c, "deleting a story's upload");
      if (upload.rows() > 0) deleted.freed_storage_key = upload.Row().Text(0);
      return deleted;
    });
  }

  Result<StoryRender> GetStoryRender(std::string_view owner_id,
                                     std::string_view story_id) override {
    return One<StoryRender>(
        "SELECT r.html, r.markdown, r.charts_json FROM story_renders r JOIN stories s ON s.id = "
        "r.story_id WHERE s.id = $1 AND s.user_id = $2",
        Params().Add(story_id).Add(owner_id), "the pages of story " + std::string(story_id),
        Access::kRead, [](const PgRow& row) {
          return StoryRender{row.Text(0), row.Text(1), row.Text(2)};
        });
  }

  // --- Jobs

  Result<Job> EnqueueJob(const NewJob& job) override {
    auto enqueued = Transaction([&](PgConnection& c) -> Result<Job> {
      if (!job.idempotency_key.empty()) {
        DS_ASSIGN_OR_RETURN(std::optional<Job> first, JobByKey(c, job));
        if (first) return sql::SameRequest(*first, job);
      }
      // The user's row is locked until COMMIT: concurrent enqueues count one after another.
      PgResult u = c.Exec(std::string(kNow) + "SELECT " + Cols(sql::kUserColumns, "users") +
                              ", t.now FROM users, t WHERE users.id = $2 FOR UPDATE OF users",
                          Timed().Add(job.user_id));
      if (!u.ok()) return Error(c, "enqueueing a job");
      if (u.rows() == 0) return Status::NotFound("user " + job.user_id + " does not exist");
      const User user = ReadUser(u.Row());
      const int64_t now = u.Row().Int(8);
      const std::string month = std::max(MonthOf(now), user.stories_month);
      const int used = sql::EffectiveStoryCount(user, MonthOf(now));
      const TierLimits& limits = options_.tiers.Get(user.tier);
      if (limits.stories_per_month >= 0 && used >= limits.stories_per_month) {
        return sql::QuotaExceeded(user, options_.tiers);
      }
      PgResult reserve = c.Exec(
          "UPDATE users SET stories_this_month = $1, stories_month = $2, updated_at = $3 WHERE "
          "id = $4",
          Params().Add(int64_t{used} + 1).Add(month).Add(now).Add(job.user_id));
      if (!reserve.ok()) return Error(c, "reserving a story");
      Params insert;
      insert.Add(NewUuidV4()).Add(job.user_id).Add(job.options_json);
      if (job.idempotency_key.empty()) {
        insert.AddNull();
      } else {
        insert.Add(job.idempotency_key);
      }
      insert.Add(static_cast<int64_t>(std::max(1, job.max_attempts)))
          .Add(month)
          .Add(limits.max_rows)
          .Add(now);
      PgResult r = c.Exec(
          std::string("INSERT INTO jobs (id, user_id, status, current_stage, progress, "
                      "options_json, idempotency_key, attempts, max_attempts, quota_month, "
                      "max_rows, lease_owner, lease_token, lease_expires_at, run_after, "
                      "created_at, updated_at) VALUES ($1, $2, 'queued', 'queued', 0, $3, $4, 0, "
                      "$5, $6, $7, '', '', 0, $8, $8, $8) RETURNING ") +
              sql::kJobColumns,
          insert);
      if (r.SqlState() == "23505") return Status::AlreadyExists("idempotency key");
      if (r.SqlState() == "22P02") {
        return Status::InvalidArgument("the job options are not JSON: " +
                                       job.options_json.substr(0, 200));
      }
      if (!r.ok()) return Error(c, "enqueueing a job");
      return sql::ReadJob(r.Row());
    });
    if (enqueued.status().code() != StatusCode::kAlreadyExists) return enqueued;
    // Another enqueue with the same key committed first: its job is the answer.
    return Run(Access::kRead, [&](PgConnection& c) -> Result<Job> {
      DS_ASSIGN_OR_RETURN(std::optional<Job> first, JobByKey(c, job));
      if (!first) return Status::Unavailable("postgres: an enqueue with this key vanished");
      return sql::SameRequest(*first, job);
    });
  }

  Result<Job> GetJob(std::string_view owner_id, std::string_view job_id) override {
    return One<Job>(
        std::string("SELECT ") + sql::kJobColumns + " FROM jobs WHERE id = $1 AND user_id = $2",
        Params().Add(job_id).Add(owner_id), "job " + std::string(job_id), Access::kRead,
        [](const PgRow& row) { return sql::ReadJob(row); });
  }

  Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) override {
    DS_RETURN_IF_ERROR(sql::CheckLease(lease_ms));
    // SKIP LOCKED: workers claiming at once each lock a different queued row instead of
    // queueing behind one another's lock. The time is a scalar subquery, not a join, so that
    // it bounds the index scan of (status, run_after) in every plan, generic ones included.
    auto claimed = One<Job>(
        std::string(kNow) +
            "UPDATE jobs SET status = 'processing', lease_owner = $2, lease_token = $3, "
            "lease_expires_at = t.now + $4, attempts = attempts + 1, progress = 0, "
            "current_stage = 'claimed', updated_at = t.now FROM t WHERE jobs.id = (SELECT j.id "
            "FROM jobs j WHERE j.status = 'queued' AND j.run_after <= (SELECT now FROM t) "
            "ORDER BY j.run_after, j.created_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " +
            Cols(sql::kJobColumns, "jobs"),
        Timed().Add(worker).Add(NewToken()).Add(lease_ms), "job", Access::kWrite,
        [](const PgRow& row) { return sql::ReadJob(row); });
    if (claimed.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no job is waiting");
    }
    return claimed;
  }

  Status Heartbeat(std::string_view job_id, std::string_view lease_token,
                   int64_t lease_ms) override {
    DS_RETURN_IF_ERROR(sql::CheckLease(lease_ms));
    return LeaseWrite(std::string(kNow) +
                          "UPDATE jobs SET lease_expires_at = t.now + $4, updated_at = t.now FROM "
                          "t WHERE " +
                          kHoldsLease,
                      Timed().Add(job_id).Add(lease_token).Add(lease_ms), job_id, lease_token);
  }

  Status UpdateJobProgress(std::string_view job_id, std::string_view lease_token,
                           std::string_view stage, int percent) override {
    // Never backwards within an attempt: a lower percentage changes nothing (and is no error).
    return LeaseWrite(
        std::string(kNow) +
            "UPDATE jobs SET progress = greatest(progress, $4), current_stage = CASE WHEN $4 >= "
            "progress THEN $5 ELSE current_stage END, updated_at = t.now FROM t WHERE " +
            kHoldsLease,
        Timed()
            .Add(job_id)
            .Add(lease_token)
            .Add(static_cast<int64_t>(std::clamp(percent, 0, 100)))
            .Add(stage),
        job_id, lease_token);
  }

  Result<Job> CompleteJob(std::string_view job_id, std::string_view lease_token,
                          const StoryRecord& story, const StoryRender& render) override {
    return Transaction([&](PgConnection& c) -> Result<Job> {
      // The job first, locked (is the lease held? whose story is it?), then its story, then
      // the job pointing at the story.
      PgResult held = c.Exec(std::string(kNow) + "SELECT jobs.user_id FROM jobs, t WHERE " +
                                 kHoldsLease + " FOR UPDATE OF jobs",
                             Timed().Add(job_id).Add(lease_token));
      if (!held.ok()) return Error(c, "completing a job");
      if (held.rows() == 0) return NotHeld(c, job_id, lease_token);
      StoryRecord owned = story;
      owned.user_id = held.Row().Text(0);
      owned.job_id = std::string(job_id);
      const std::string story_id = NewUuidV4();
      PgResult inserted = c.Exec(InsertStorySql(), StoryParams(owned, story_id));
      // A failure rolls the completion back with it: one job, one story.
      if (!inserted.ok()) return StoryError(c, inserted, owned);
      PgResult pages = c.Exec(
          "INSERT INTO story_renders (story_id, html, markdown, charts_json) VALUES ($1, "
          "$2, $3, $4::json)",
          Params().Add(story_id).Add(render.html).Add(render.markdown).Add(render.charts_json));
      if (!pages.ok()) return Error(c, "saving the story's pages");
      PgResult done = c.Exec(std::string(kNow) +
                                 "UPDATE jobs SET status = 'completed', progress = 100, "
                                 "current_stage = 'completed', story_id = $4, updated_at = t.now "
                                 "FROM t WHERE jobs.id = $2 AND lease_token = $3 RETURNING " +
                                 Cols(sql::kJobColumns, "jobs"),
                             Timed().Add(job_id).Add(lease_token).Add(story_id));
      if (!done.ok() || done.rows() == 0) return Error(c, "completing a job");
      return sql::ReadJob(done.Row());
    });
  }

  Result<Job> FailJob(std::string_view job_id, std::string_view lease_token, const JobError& error,
                      bool permanent) override {
    return Transaction([&](PgConnection& c) -> Result<Job> {
      PgResult held =
          c.Exec(std::string(kNow) + "SELECT " + Cols(sql::kJobColumns, "jobs") +
                     ", t.now FROM jobs, t WHERE " + kHoldsLease + " FOR UPDATE OF jobs",
                 Timed().Add(job_id).Add(lease_token));
      if (!held.ok()) return Error(c, "failing a job");
      if (held.rows() == 0) return NotHeld(c, job_id, lease_token);
      const Job before = sql::ReadJob(held.Row());
      const int64_t now = held.Row().Int(20);
      const bool retry = !permanent && before.attempts < before.max_attempts;
      PgResult r = c.Exec(
          std::string("UPDATE jobs SET status = $2, current_stage = $2, error_code = $3, "
                      "error_message = $4, lease_owner = '', run_after = $5, updated_at = $6 "
                      "WHERE id = $1 RETURNING ") +
              sql::kJobColumns,
          Params()
              .Add(job_id)
              .Add(retry ? "queued" : "failed")
              .Add(error.code)
              .Add(error.message)
              .Add(retry ? now + sql::RetryDelay(options_.retry, before.attempts) : now)
              .Add(now));
      if (!r.ok()) return Error(c, "failing a job");
      Job job = sql::ReadJob(r.Row());
      if (!retry) DS_RETURN_IF_ERROR(GiveBackStory(c, before));
      return job;
    });
  }

  Status ReleaseJob(std::string_view job_id, std::string_view lease_token) override {
    return LeaseWrite(std::string(kNow) +
                          "UPDATE jobs SET status = 'queued', current_stage = 'queued', progress = "
                          "0, attempts = attempts - 1, lease_owner = '', run_after = t.now, "
                          "updated_at = t.now FROM t WHERE " +
                          kHoldsLease,
                      Timed().Add(job_id).Add(lease_token), job_id, lease_token);
  }

  Result<Job> CancelJob(std::string_view owner_id, std::string_view job_id) override {
    return Transaction([&](PgConnection& c) -> Result<Job> {
      PgResult found = c.Exec(std::string("SELECT ") + sql::kJobColumns +
                                  " FROM jobs WHERE id = $1 AND user_id = $2 FOR UPDATE",
                              Params().Add(job_id).Add(owner_id));
      if (!found.ok()) return Error(c, "cancelling a job");
      if (found.rows() == 0) {
        return Status::NotFound("job " + std::string(job_id) + " does not exist");
      }
      const Job before = sql::ReadJob(found.Row());
      if (before.status != JobStatus::kQueued && before.status != JobStatus::kProcessing) {
        return Status::FailedPrecondition("job " + std::string(job_id) + " is already " +
                                          std::string(JobStatusName(before.status)));
      }
      // The lease token stays: the running attempt, if any, hears Cancelled at its next write.
      PgResult r = c.Exec(std::string(kNow) +
                              "UPDATE jobs SET status = 'cancelled', current_stage = 'cancelled', "
                              "updated_at = t.now FROM t WHERE jobs.id = $2 RETURNING " +
                              Cols(sql::kJobColumns, "jobs"),
                          Timed().Add(job_id));
      if (!r.ok()) return Error(c, "cancelling a job");
      Job job = sql::ReadJob(r.Row());
      DS_RETURN_IF_ERROR(GiveBackStory(c, before));
      return job;
    });
  }

  Result<std::map<JobStatus, int64_t>> CountJobs() override {
    return Run(Access::kRead, [&](PgConnection& c) -> Result<std::map<JobStatus, int64_t>> {
      PgResult r = c.Exec("SELECT status, count(*) FROM jobs GROUP BY status");
      if (!r.ok()) return Error(c, "counting jobs");
      std::map<JobStatus, int64_t> out;
      for (int i = 0; i < r.rows(); ++i) {
        if (auto status = ParseJobStatus(r.Row(i).Text(0))) out[*status] = r.Row(i).Int(1);
      }
      return out;
    });
  }

  Result<int64_t> RescueExpiredJobs() override {
    return Transaction([&](PgConnection& c) -> Result<int64_t> {
      // SKIP LOCKED: a job that its worker is writing right now is not taken from under it.
      PgResult expired = c.Exec(std::string(kNow) + "SELECT " + Cols(sql::kJobColumns, "jobs") +
                                    ", t.now FROM jobs, t WHERE status = 'processing' AND "
                                    "lease_expires_at <= (SELECT now FROM t) FOR UPDATE OF jobs "
                                    "SKIP LOCKED",
                                Timed());
      if (!expired.ok()) return Error(c, "rescuing jobs");
      for (int i = 0; i < expired.rows(); ++i) {
        const Job job = sql::ReadJob(expired.Row(i));
        const int64_t now = expired.Row(i).Int(20);
        const bool retry = job.attempts < job.max_attempts;
        PgResult r = c.Exec(
            "UPDATE jobs SET status = $2, current_stage = $2, error_code = 'LEASE_EXPIRED', "
            "error_message = $3, lease_owner = '', run_after = $4, updated_at = $4 WHERE id = $1",
            Params()
                .Add(job.id)
                .Add(retry ? "queued" : "failed")
                .Add("the worker stopped answering (" + job.lease_owner + ")")
                .Add(now));
        if (!r.ok()) return Error(c, "rescuing a job");
        if (!retry) DS_RETURN_IF_ERROR(GiveBackStory(c, job));
      }
      return static_cast<int64_t>(expired.rows());
    });
  }

  // --- Sessions

  Result<Session> CreateSession(const NewSession& s) override {
    const SessionPolicy& p = options_.sessions;
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<Session> {
      PgResult r = c.Exec(
          std::string(kNow) +
              "INSERT INTO sessions (id, user_id, token_hash, created_at, last_activity_at, "
              "idle_timeout_ms, expires_at, user_agent, ip_address, remember_me) SELECT $2, $3, "
              "$4, t.now, t.now, $5, t.now + $6, $7, $8, $9 FROM t RETURNING " +
              sql::kSessionColumns,
          Timed()
              .Add(NewUuidV4())
              .Add(s.user_id)
              .Add(s.token_hash)
              .Add(s.remember_me ? p.remember_idle_ms : p.idle_ms)
              .Add(s.remember_me ? p.remember_absolute_ms : p.absolute_ms)
              .Add(s.user_agent)
              .Add(s.ip_address)
              .AddBool(s.remember_me));
      if (r.SqlState() == "23505" || r.SqlState() == "23503") {
        return Status::AlreadyExists("the session token is taken, or user " + s.user_id +
                                     " does not exist");
      }
      if (!r.ok()) return Error(c, "creating a session");
      return sql::ReadSession(r.Row());
    });
  }

  Result<Session> FindSession(std::string_view token_hash) override {
    // The touch is due by the database's clock, like the expiry (column 10, after the session).
    return One<Session>(
        std::string(kNow) + "SELECT " + Cols(sql::kSessionColumns, "sessions") +
            ", last_activity_at <= t.now - $3 FROM sessions, t WHERE token_hash = $2 AND "
            "expires_at > t.now AND last_activity_at + idle_timeout_ms > t.now",
        Timed().Add(token_hash).Add(options_.sessions.touch_interval_ms), "session", Access::kRead,
        [](const PgRow& row) {
          Session session = sql::ReadSession(row);
          session.touch_due = row.Bool(10);
          return session;
        });
  }

  Result<bool> TouchSession(std::string_view session_id) override {
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<bool> {
      PgResult r = c.Exec(std::string(kNow) +
                              "UPDATE sessions SET last_activity_at = t.now FROM t WHERE id = $2 "
                              "AND last_activity_at <= t.now - $3 AND expires_at > t.now AND "
                              "last_activity_at + idle_timeout_ms > t.now",
                          Timed().Add(session_id).Add(options_.sessions.touch_interval_ms));
      if (!r.ok()) return Error(c, "recording a session's activity");
      return r.Affected() > 0;
    });
  }

  Result<std::vector<Session>> ListSessions(std::string_view user_id) override {
    return Run(Access::kRead, [&](PgConnection& c) -> Result<std::vector<Session>> {
      PgResult r = c.Exec(std::string(kNow) + "SELECT " + Cols(sql::kSessionColumns, "sessions") +
                              " FROM sessions, t WHERE user_id = $2 AND expires_at > t.now AND "
                              "last_activity_at + idle_timeout_ms > t.now ORDER BY created_at "
                              "DESC",
                          Timed().Add(user_id));
      if (!r.ok()) return Error(c, "listing sessions");
      std::vector<Session> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(sql::ReadSession(r.Row(i)));
      return out;
    });
  }

  Status DeleteSession(std::string_view user_id, std::string_view session_id) override {
    return Changed("DELETE FROM sessions WHERE id = $1 AND user_id = $2",
                   Params().Add(session_id).Add(user_id), "session " + std::string(session_id));
  }

  Result<int64_t> DeleteUserSessions(std::string_view user_id,
                                     std::string_view except_session_id) override {
    return Count("DELETE FROM sessions WHERE user_id = $1 AND id != $2",
                 Params().Add(user_id).Add(except_session_id), "removing a user's sessions");
  }

  Result<int64_t> CleanupExpiredSessions() override {
    return Transaction([&](PgConnection& c) -> Result<int64_t> {
      PgResult sessions = c.Exec(std::string(kNow) +
                                     "DELETE FROM sessions USING t WHERE expires_at <= t.now OR "
                                     "last_activity_at + idle_timeout_ms <= t.now",
                                 Timed());
      if (!sessions.ok()) return Error(c, "removing expired sessions");
      for (const char* sql : {"DELETE FROM api_tokens USING t WHERE expires_at <= t.now",
                              "DELETE FROM login_failures USING t WHERE at <= t.now - 86400000"}) {
        if (!c.Exec(std::string(kNow) + sql, Timed()).ok()) {
          return Error(c, "removing expired tokens");
        }
      }
      return sessions.Affected();
    });
  }

  // --- API tokens

  Result<ApiToken> CreateApiToken(const NewApiToken& t) override {
    if (t.lifetime_ms < 1) return Status::InvalidArgument("a token lives at least 1 ms");
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<ApiToken> {
      PgResult r = c.Exec(
          std::string(kNow) +
              "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, "
              "expires_at, last_used_at) SELECT $2, $3, $4, $5, t.now, t.now + $6, "
              "0 FROM t RETURNING " +
              sql::kApiTokenColumns,
          Timed().Add(NewUuidV4()).Add(t.user_id).Add(t.name).Add(t.token_hash).Add(t.lifetime_ms));
      if (r.SqlState() == "23505" || r.SqlState() == "23503") {
        return Status::AlreadyExists("the token is taken, or user " + t.user_id +
                                     " does not exist");
      }
      if (!r.ok()) return Error(c, "creating a token");
      return sql::ReadApiToken(r.Row());
    });
  }

  Result<ApiToken> FindApiToken(std::string_view token_hash) override {
    // The last use, at most once a minute: a script calling often does not write each time.
    return One<ApiToken>(std::string(kNow) +
                             "UPDATE api_tokens SET last_used_at = CASE WHEN last_used_at <= "
                             "t.now - 60000 THEN t.now ELSE last_used_at END FROM t WHERE "
                             "token_hash = $2 AND expires_at > t.now RETURNING " +
                             Cols(sql::kApiTokenColumns, "api_tokens"),
                         Timed().Add(token_hash), "token", Access::kWrite,
                         [](const PgRow& row) { return sql::ReadApiToken(row); });
  }

  Result<std::vector<ApiToken>> ListApiTokens(std::string_view user_id) override {
    return Run(Access::kRead, [&](PgConnection& c) -> Result<std::vector<ApiToken>> {
      PgResult r =
          c.Exec(std::string(kNow) + "SELECT " + Cols(sql::kApiTokenColumns, "api_tokens") +
                     " FROM api_tokens, t WHERE user_id = $2 AND expires_at > t.now "
                     "ORDER BY created_at DESC",
                 Timed().Add(user_id));
      if (!r.ok()) return Error(c, "listing tokens");
      std::vector<ApiToken> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(sql::ReadApiToken(r.Row(i)));
      return out;
    });
  }

  Status DeleteApiToken(std::string_view user_id, std::string_view token_id) override {
    return Changed("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2",
                   Params().Add(token_id).Add(user_id), "token " + std::string(token_id));
  }

  int64_t reconnects() const { return pool_.reconnects(); }

  Result<std::unique_ptr<JobListener>> ListenJobEvents(
      std::function<void(const std::string& job_id)> on_change) override {
    auto listener = std::make_unique<PgJobListener>(pool_.conninfo(), std::move(on_change));
    DS_RETURN_IF_ERROR(listener->Start());
    return std::unique_ptr<JobListener>(std::move(listener));
  }

 private:
  enum class Access { kRead, kWrite };

  // Parameters that start with $1, the pinned time (NULL: the database's clock).
  Params Timed() const {
    Params p;
    if (options_.clock) {
      p.Add(options_.clock->NowMillis());
    } else {
      p.AddNull();
    }
    return p;
  }

  // Runs `operation` on a pooled connection; when the connection breaks in a way that applied
  // nothing (see the top of the file), runs it again on another, for up to the reconnect window.
  template <class Operation>
  auto Run(Access access, Operation&& operation)
      -> decltype(operation(std::declval<PgConnection&>())) {
    const int64_t deadline = MonotonicMillis() + pg_.reconnect_window_ms;
    while (true) {
      DS_ASSIGN_OR_RETURN(Pool::Lease conn, pool_.Acquire(deadline));
      auto outcome = operation(*conn);
      // A success stands even when the connection closed right after it. (An operation is one
      // write, or one transaction: a told-to-stop code then proves that nothing ran.)
      if (outcome.ok() || !conn->broken()) return outcome;
      if (access == Access::kWrite && !conn->failed_before_commit()) {
        return Status::Unavailable(
            "postgres: the connection was lost while a write was in flight; it may or may not "
            "have been saved (" +
            Trimmed(conn->Error()) + ")");
      }
      if (MonotonicMillis() >= deadline) return outcome;
    }
  }

  // Runs `body` in a transaction, committed when it succeeds and rolled back when it fails.
  template <class Body>
  auto Transaction(Body&& body) -> decltype(body(std::declval<PgConnection&>())) {
    return Run(Access::kWrite, [&](PgConnection& c) -> decltype(body(c)) {
      if (!c.Begin()) return Error(c, "starting a transaction");
      auto outcome = body(c);
      if (!outcome.ok()) {
        c.Rollback();
        return outcome;
      }
      if (!c.Commit()) return Error(c, "committing");
      return outcome;
    });
  }

  // A statement that returns at most one row: NotFound when it returns none.
  template <class T, class Reader>
  Result<T> One(const std::string& statement, const Params& params, const std::string& what,
                Access access, Reader&& read) {
    return Run(access, [&](PgConnection& c) -> Result<T> {
      PgResult r = c.Exec(statement, params);
      if (!r.ok()) return Error(c, what);
      if (r.rows() == 0) return Status::NotFound(what + " does not exist");
      return read(r.Row());
    });
  }
  // An UPDATE or DELETE of one row: NotFound when it changed none.
  Status Changed(const std::string& statement, const Params& params, const std::string& what) {
    return Run(Access::kWrite, [&](PgConnection& c) -> Status {
      PgResult r = c.Exec(statement, params);
      if (!r.ok()) return Error(c, what);
      return r.Affected() > 0 ? Status::Ok() : Status::NotFound(what + " does not exist");
    });
  }
  // A write of the attempt holding the lease: FailedPrecondition or Cancelled when not held.
  Status LeaseWrite(const std::string& statement, const Params& params, std::string_view job_id,
                    std::string_view lease_token) {
    return Run(Access::kWrite, [&](PgConnection& c) -> Status {
      PgResult r = c.Exec(statement, params);
      if (!r.ok()) return Error(c, "writing job " + std::string(job_id));
      return r.Affected() > 0 ? Status::Ok() : NotHeld(c, job_id, lease_token);
    });
  }
  Result<int64_t> Count(const std::string& statement, const Params& params, const char* what) {
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<int64_t> {
      PgResult r = c.Exec(statement, params);
      if (!r.ok()) return Error(c, what);
      return r.Affected();
    });
  }

  // After a lease write that changed nothing: Cancelled when the attempt's job was cancelled,
  // else FailedPrecondition.
  Status NotHeld(PgConnection& c, std::string_view job_id, std::string_view lease_token) {
    PgResult r = c.Exec("SELECT status FROM jobs WHERE id = $1 AND lease_token = $2",
                        Params().Add(job_id).Add(lease_token));
    if (r.ok() && r.rows() == 1 && r.Row().Text(0) == "cancelled") {
      return sql::CancelledWhileRunning(job_id);
    }
    return sql::LostLease(job_id);
  }

  Result<std::optional<Job>> JobByKey(PgConnection& c, const NewJob& job) {
    PgResult r = c.Exec(std::string("SELECT ") + sql::kJobColumns +
                            " FROM jobs WHERE user_id = $1 AND idempotency_key = $2",
                        Params().Add(job.user_id).Add(job.idempotency_key));
    if (!r.ok()) return Error(c, "looking up an idempotency key");
    if (r.rows() == 0) return std::optional<Job>();
    return std::optional<Job>(sql::ReadJob(r.Row()));
  }

  // The story the job reserved goes back to its month's count, if that month still runs.
  Status GiveBackStory(PgConnection& c, const Job& job) {
    if (job.quota_month.empty()) return Status::Ok();
    PgResult r = c.Exec(
        "UPDATE users SET stories_this_month = stories_this_month - 1 WHERE id = $1 AND "
        "stories_month = $2 AND stories_this_month > 0",
        Params().Add(job.user_id).Add(job.quota_month));
    return r.ok() ? Status::Ok() : Error(c, "giving back a reserved story");
  }

  Status ApplyMigrations(PgConnection& c) {
    if (!c.Simple("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                  "applied_at BIGINT NOT NULL)")
             .ok()) {
      return Error(c, "creating schema_migrations");
    }
    PgResult applied = c.Exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!applied.ok()) return Error(c, "reading the schema version");
    const int64_t version = applied.Row().Int(0);
    for (const Migration& m : Migrations(Dialect::kPostgres)) {
      if (m.version <= version) continue;
      if (!c.Simple(m.sql).ok()) return Error(c, "applying migration " + std::to_string(m.version));
      if (!c.Exec(std::string(kNow) +
                      "INSERT INTO schema_migrations (version, applied_at) SELECT $2, t.now FROM t",
                  Timed().Add(static_cast<int64_t>(m.version)))
               .ok()) {
        return Error(c, "recording migration " + std::to_string(m.version));
      }
    }
    return Status::Ok();
  }

  // INSERT of a story at the statement's time: $1 the pinned time, then the values.
  static const std::string& InsertStorySql() {
    static const std::string sql = [] {
      std::string s =
          std::string(kNow) + "INSERT INTO stories (" + sql::kStoryInsertColumns + ") SELECT ";
      for (int i = 1; i <= sql::kStoryInsertCount - 2; ++i) {
        s += (i > 1 ? ", $" : "$") + std::to_string(i + 1);
      }
      return s + ", t.now, t.now FROM t";
    }();
    return sql;
  }
  Params StoryParams(const StoryRecord& s, std::string_view id) const {
    Params params = Timed();
    sql::StoryValues(
        s, id, 0,
        [&params](int i, auto value) {
          if (i <= sql::kStoryInsertCount - 2) params.Add(value);  // the times come from t
        },
        [&params](int) { params.AddNull(); });
    return params;
  }
  static Status StoryError(PgConnection& c, const PgResult& r, const StoryRecord& s) {
    if (r.SqlState() == "23503") return Status::NotFound("user " + s.user_id + " does not exist");
    if (r.SqlState() == "23505") {
      return Status::AlreadyExists("job " + s.job_id + " already has its story");
    }
    return Error(c, "saving a story");
  }

  User ReadUser(const PgRow& row) const { return sql::ReadUser(row, options_.tiers); }

  static std::string Trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  static Status Check(PgConnection& c, const PgResult& r, const std::string& what) {
    return r.ok() ? Status::Ok() : Error(c, what);
  }
  // Bad data (SQLSTATE classes 22 and 23) is the caller's to fix, not worth retrying; the rest
  // is the server being unable.
  static Status Error(PgConnection& c, const std::string& what) {
    const std::string message = "postgres: " + what + ": " + Trimmed(c.Error());
    const std::string_view state = c.SqlState();
    if (state.substr(0, 2) == "22" || state.substr(0, 2) == "23") {
      return Status::InvalidArgument(message);
    }
    return Status::Unavailable(message);
  }

  Pool pool_;
  const PostgresOptions pg_;
  const StoreOptions options_;
};

// `message` with the URL's password (in its user-info or a password= parameter) replaced.
std::string RedactPassword(std::string message, std::string_view url) {
  std::vector<std::string> secrets;
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const size_t at = url.find('@', scheme + 3);
    const size_t colon = url.find(':', scheme + 3);
    if (at != std::string_view::npos && colon < at) {
      secrets.emplace_back(url.substr(colon + 1, at - colon - 1));
    }
  }
  if (const size_t p = url.find("password="); p != std::string_view::npos) {
    const std::string_view value = url.substr(p + 9);
    secrets.emplace_back(value.substr(0, value.find('&')));
  }
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t p = message.find(secret); p != std::string::npos; p = message.find(secret, p)) {
      message.replace(p, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace

Result<PostgresUrl> SplitPostgresUrl(std::string_view url_text) {
  const std::string url(url_text);
  PostgresUrl out;
  const size_t q = url.find('?');
  out.conninfo = url.substr(0, q);
  std::string kept;
  std::vector<std::string> given;  // the names of libpq's parameters in the URL
  size_t start = q == std::string::npos ? url.size() + 1 : q + 1;
  while (start <= url.size()) {
    size_t end = url.find('&', start);
    if (end == std::string::npos) end = url.size();
    const std::string pair = url.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string name = pair.substr(0, eq);
    if (name != "pool_min" && name != "pool_max" && name != "reconnect_ms") {
      kept += (kept.empty() ? "?" : "&") + pair;
      given.push_back(name);
      continue;
    }
    const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    int64_t number = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || ptr != value.data() + value.size() || number < 0 || number > 1000000) {
      std::string message = "DATABASE_URL: " + name;
      message.append(" must be a whole number up to 1000000, got \"").append(value).append("\"");
      return Status::InvalidArgument(message);
    }
    if (name == "pool_min") out.options.min_connections = static_cast<int>(number);
    if (name == "pool_max") out.options.max_connections = static_cast<int>(number);
    if (name == "reconnect_ms") out.options.reconnect_window_ms = number;
  }
  // Bounds on how long a lost server can hold a thread, unless the URL sets its own: a connect
  // gives up after 5 s; TCP keepalives find a silent peer in about a minute; unacknowledged
  // data for 60 s drops the connection.
  for (const char* setting : {"connect_timeout=5", "keepalives_idle=30", "keepalives_interval=10",
                              "keepalives_count=3", "tcp_user_timeout=60000"}) {
    const std::string_view name =
        std::string_view(setting).substr(0, std::string_view(setting).find('='));
    if (std::find(given.begin(), given.end(), name) == given.end()) {
      kept += (kept.empty() ? "?" : "&") + std::string(setting);
    }
  }
  out.conninfo += kept;
  return out;
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& pg,
                                                 const StoreOptions& options) {
  if (pg.min_connections < 1 || pg.max_connections < pg.min_connections) {
    return Status::InvalidArgument("postgres: the pool needs 1 <= pool_min <= pool_max, got " +
                                   std::to_string(pg.min_connections) + " and " +
                                   std::to_string(pg.max_connections));
  }
  // A malformed URL fails at once, not after the reconnect window, and never repeats the
  // password (libpq's message may quote the part of the URL it could not read).
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &error);
  if (!parsed) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return Status::InvalidArgument("DATABASE_URL: " + RedactPassword(message, conninfo));
  }
  PQconninfoFree(parsed);
  auto store = std::make_unique<PostgresStore>(conninfo, pg, options);
  if (Status s = store->Start(); !s.ok()) {
    const std::string message = RedactPassword(s.message(), conninfo);
    return s.code() == StatusCode::kInvalidArgument ? Status::InvalidArgument(message)
                                                    : Status::Unavailable(message);
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace datastory::store
