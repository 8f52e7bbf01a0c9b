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

#include <algorithm>
#include <atomic>
#include <cctype>
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
      if (MonotonicMillis() + delay > deadline) {
        std::string error = conn->Error();
        while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
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

// The condition for a write by the worker that holds a job's lease ($1 job id, $2 worker,
// $3 now).
constexpr const char* kHoldsLease =
    "job_id = $1 AND status = 'processing' AND lease_owner = $2 AND lease_expires_at > $3";

class PostgresStore final : public Store {
 public:
  PostgresStore(std::string conninfo, const PostgresOptions& options, const Clock& clock,
                const TierTable& tiers, const RetryPolicy& retry)
      : pool_(std::move(conninfo), options),
        options_(options),
        clock_(clock),
        tiers_(tiers),
        retry_(retry) {}

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

  Result<User> CreateUser(const NewUser& user) override {
    if (user.email.empty() || user.email.find('@') == std::string::npos) {
      return Status::InvalidArgument("email \"" + user.email + "\" is not an email address");
    }
    const int64_t now = clock_.NowMillis();
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<User> {
      PgResult r = c.Exec(
          std::string("INSERT INTO users (email, email_lower, password_hash, tier, "
                      "stories_this_month, stories_month, created_at, updated_at) VALUES ($1, $2, "
                      "$3, $4, 0, '', $5, $5) RETURNING ") +
              sql::kUserColumns,
          Params()
              .Add(user.email)
              .Add(AsciiLower(user.email))
              .Add(user.password_hash)
              .Add(TierName(user.tier))
              .Add(now));
      if (r.SqlState() == "23505") {
        return Status::AlreadyExists("a user with email " + user.email + " already exists");
      }
      if (!r.ok()) return Error(c, "creating a user");
      return sql::ReadUser(r.Row(), tiers_);
    });
  }

  Result<User> GetUser(int64_t id) override {
    return One<User>(std::string("SELECT ") + sql::kUserColumns + " FROM users WHERE id = $1",
                     Params().Add(id), "user " + std::to_string(id), Access::kRead,
                     [&](const PgRow& row) { return sql::ReadUser(row, tiers_); });
  }

  Result<User> FindUserByEmail(std::string_view email) override {
    return One<User>(
        std::string("SELECT ") + sql::kUserColumns + " FROM users WHERE email_lower = $1",
        Params().Add(AsciiLower(email)), "user with email " + std::string(email), Access::kRead,
        [&](const PgRow& row) { return sql::ReadUser(row, tiers_); });
  }

  Result<User> SetUserTier(int64_t id, Tier tier) override {
    return One<User>(std::string("UPDATE users SET tier = $1, updated_at = $2 WHERE id = $3 "
                                 "RETURNING ") +
                         sql::kUserColumns,
                     Params().Add(TierName(tier)).Add(clock_.NowMillis()).Add(id),
                     "user " + std::to_string(id), Access::kWrite,
                     [&](const PgRow& row) { return sql::ReadUser(row, tiers_); });
  }

  Result<User> CountStory(int64_t user_id) override {
    const int64_t now = clock_.NowMillis();
    const std::string month = MonthOf(now);
    DS_ASSIGN_OR_RETURN(User user, GetUser(user_id));
    const int limit = tiers_.Get(user.tier).stories_per_month;
    // The check and the increment are one statement: a concurrent UPDATE of the same row waits
    // for this one and then evaluates the condition again on the new count.
    auto counted = One<User>(
        std::string("UPDATE users SET stories_this_month = CASE WHEN stories_month = $1 THEN "
                    "stories_this_month + 1 ELSE 1 END, stories_month = $1, updated_at = $2 "
                    "WHERE id = $3 AND ($4 < 0 OR (CASE WHEN stories_month = $1 THEN "
                    "stories_this_month ELSE 0 END) < $4) RETURNING ") +
            sql::kUserColumns,
        Params().Add(month).Add(now).Add(user_id).Add(static_cast<int64_t>(limit)),
        "user " + std::to_string(user_id), Access::kWrite,
        [&](const PgRow& row) { return sql::ReadUser(row, tiers_); });
    if (counted.status().code() != StatusCode::kNotFound) return counted;
    return Status::ResourceExhausted("the " + std::string(TierName(user.tier)) + " tier allows " +
                                     std::to_string(limit) + " stories a month, and " + month +
                                     " has used them all");
  }

  Result<StoryRecord> CreateStory(const StoryRecord& s) override {
    const int64_t now = clock_.NowMillis();
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<StoryRecord> {
      PgResult r =
          c.Exec(InsertStorySql() + " RETURNING " + sql::kStoryColumns, StoryParams(s, now));
      if (r.SqlState() == "23503") {
        return Status::NotFound("user " + std::to_string(s.user_id) + " does not exist");
      }
      if (!r.ok()) return Error(c, "creating a story");
      return sql::ReadStory(r.Row());
    });
  }

  Result<StoryRecord> GetStory(int64_t id) override {
    return One<StoryRecord>(
        std::string("SELECT ") + sql::kStoryColumns + " FROM stories WHERE id = $1",
        Params().Add(id), "story " + std::to_string(id), Access::kRead,
        [](const PgRow& row) { return sql::ReadStory(row); });
  }

  Result<StoryPage> ListStories(int64_t user_id, std::string_view cursor, int limit) override {
    limit = std::clamp(limit, 1, 100);
    DS_ASSIGN_OR_RETURN(sql::StoryCursor after, sql::ParseStoryCursor(cursor));
    return Run(Access::kRead, [&](PgConnection& c) -> Result<StoryPage> {
      PgResult r = c.Exec(std::string("SELECT ") + sql::kStoryColumns +
                              " FROM stories WHERE user_id = $1 AND (created_at < $2 OR "
                              "(created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC "
                              "LIMIT $4",
                          Params()
                              .Add(user_id)
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

  Status SetStoryVisibility(int64_t id, Visibility visibility) override {
    return Changed("UPDATE stories SET visibility = $1, updated_at = $2 WHERE id = $3",
                   Params().Add(VisibilityName(visibility)).Add(clock_.NowMillis()).Add(id),
                   "story " + std::to_string(id));
  }

  Status DeleteStory(int64_t id) override {
    return Changed("DELETE FROM stories WHERE id = $1", Params().Add(id),
                   "story " + std::to_string(id));
  }

  Result<Job> EnqueueJob(const NewJob& job) override {
    const int64_t now = clock_.NowMillis();
    const std::string job_id = NewUuidV4();
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<Job> {
      PgResult r = c.Exec(
          std::string("INSERT INTO jobs (job_id, user_id, status, current_stage, progress, "
                      "options_json, attempts, max_attempts, lease_owner, lease_expires_at, "
                      "run_after, created_at, updated_at) VALUES ($1, $2, 'queued', 'queued', 0, "
                      "$3, 0, $4, '', 0, $5, $5, $5) RETURNING ") +
              sql::kJobColumns,
          Params()
              .Add(job_id)
              .Add(job.user_id)
              .Add(job.options_json)
              .Add(static_cast<int64_t>(std::max(1, job.max_attempts)))
              .Add(now));
      if (r.SqlState() == "23503") {
        return Status::NotFound("user " + std::to_string(job.user_id) + " does not exist");
      }
      if (r.SqlState() == "22P02") {
        return Status::InvalidArgument("job options are not JSON: " + job.options_json);
      }
      if (!r.ok()) return Error(c, "enqueueing a job");
      return sql::ReadJob(r.Row());
    });
  }

  Result<Job> GetJob(std::string_view job_id) override {
    return One<Job>(std::string("SELECT ") + sql::kJobColumns + " FROM jobs WHERE job_id = $1",
                    Params().Add(job_id), "job " + std::string(job_id), Access::kRead,
                    [](const PgRow& row) { return sql::ReadJob(row); });
  }

  Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) override {
    const int64_t now = clock_.NowMillis();
    // SKIP LOCKED: workers claiming at once each lock a different queued row instead of
    // queueing behind one another's lock.
    auto claimed = One<Job>(
        std::string("UPDATE jobs SET status = 'processing', lease_owner = $1, lease_expires_at = "
                    "$2, attempts = attempts + 1, progress = 0, current_stage = 'claimed', "
                    "updated_at = $3 WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND "
                    "run_after <= $3 ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                    "RETURNING ") +
            sql::kJobColumns,
        Params().Add(worker).Add(now + lease_ms).Add(now), "job", Access::kWrite,
        [](const PgRow& row) { return sql::ReadJob(row); });
    if (claimed.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("no job is waiting");
    }
    return claimed;
  }

  Status Heartbeat(std::string_view job_id, std::string_view worker, int64_t lease_ms) override {
    const int64_t now = clock_.NowMillis();
    return LeaseWrite(
        std::string("UPDATE jobs SET lease_expires_at = $4, updated_at = $3 WHERE ") + kHoldsLease,
        Params().Add(job_id).Add(worker).Add(now).Add(now + lease_ms), job_id);
  }

  Status UpdateJobProgress(std::string_view job_id, std::string_view worker, std::string_view stage,
                           int percent) override {
    // Never backwards within an attempt: a lower percentage changes nothing (and is no error).
    return LeaseWrite(
        std::string("UPDATE jobs SET progress = greatest(progress, $4), current_stage = CASE "
                    "WHEN $4 >= progress THEN $5 ELSE current_stage END, updated_at = $3 WHERE ") +
            kHoldsLease,
        Params()
            .Add(job_id)
            .Add(worker)
            .Add(clock_.NowMillis())
            .Add(static_cast<int64_t>(std::clamp(percent, 0, 100)))
            .Add(stage),
        job_id);
  }

  Result<Job> CompleteJob(std::string_view job_id, std::string_view worker,
                          const StoryRecord& story) override {
    const int64_t now = clock_.NowMillis();
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<Job> {
      if (!c.Begin()) return Error(c, "completing a job");
      PgResult inserted = c.Exec(InsertStorySql() + " RETURNING id", StoryParams(story, now));
      if (!inserted.ok()) {
        Status s = Error(c, "saving the job's story");
        c.Rollback();
        return s;
      }
      PgResult done = c.Exec(
          std::string("UPDATE jobs SET status = 'completed', progress = 100, current_stage = "
                      "'completed', story_id = $4, lease_owner = '', updated_at = $3 WHERE ") +
              kHoldsLease + " RETURNING " + sql::kJobColumns,
          Params().Add(job_id).Add(worker).Add(now).Add(inserted.Row().Int(0)));
      if (!done.ok() || done.rows() == 0) {
        Status s = done.ok() ? sql::LostLease(job_id) : Error(c, "completing a job");
        c.Rollback();  // the story goes with it: one job, one story
        return s;
      }
      Job job = sql::ReadJob(done.Row());
      if (!c.Commit()) return Error(c, "committing a job's completion");
      return job;
    });
  }

  Result<Job> FailJob(std::string_view job_id, std::string_view worker, const JobError& error,
                      bool permanent) override {
    const int64_t now = clock_.NowMillis();
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<Job> {
      PgResult held =
          c.Exec(std::string("SELECT attempts, max_attempts FROM jobs WHERE ") + kHoldsLease,
                 Params().Add(job_id).Add(worker).Add(now));
      if (!held.ok()) return Error(c, "failing a job");
      if (held.rows() == 0) return sql::LostLease(job_id);
      const int64_t attempts = held.Row().Int(0);
      const bool retry = !permanent && attempts < held.Row().Int(1);
      // The UPDATE checks the lease again: the row may have changed hands since the SELECT.
      PgResult r = c.Exec(
          std::string("UPDATE jobs SET status = $4, current_stage = $4, error_code = $5, "
                      "error_message = $6, lease_owner = '', run_after = $7, updated_at = $3 "
                      "WHERE ") +
              kHoldsLease + " RETURNING " + sql::kJobColumns,
          Params()
              .Add(job_id)
              .Add(worker)
              .Add(now)
              .Add(retry ? "queued" : "failed")
              .Add(error.code)
              .Add(error.message)
              .Add(retry ? now + sql::RetryDelay(retry_, attempts) : now));
      if (!r.ok()) return Error(c, "failing a job");
      if (r.rows() == 0) return sql::LostLease(job_id);
      return sql::ReadJob(r.Row());
    });
  }

  Status CancelJob(std::string_view job_id) override {
    return Run(Access::kWrite, [&](PgConnection& c) -> Status {
      PgResult r = c.Exec(
          "UPDATE jobs SET status = 'cancelled', current_stage = 'cancelled', lease_owner = '', "
          "updated_at = $2 WHERE job_id = $1 AND status IN ('queued', 'processing')",
          Params().Add(job_id).Add(clock_.NowMillis()));
      if (!r.ok()) return Error(c, "cancelling a job");
      if (r.Affected() > 0) return Status::Ok();
      PgResult status = c.Exec("SELECT status FROM jobs WHERE job_id = $1", Params().Add(job_id));
      if (!status.ok()) return Error(c, "cancelling a job");
      if (status.rows() == 0) {
        return Status::NotFound("job " + std::string(job_id) + " does not exist");
      }
      return Status::FailedPrecondition("job " + std::string(job_id) + " is already " +
                                        status.Row().Text(0));
    });
  }

  Result<int64_t> RescueExpiredJobs() override {
    return Count(
        "UPDATE jobs SET status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' "
        "END, current_stage = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END, "
        "error_code = 'LEASE_EXPIRED', error_message = 'the worker stopped answering (lease "
        "expired ' || lease_owner || ')', lease_owner = '', run_after = $1, updated_at = $1 "
        "WHERE status = 'processing' AND lease_expires_at <= $1",
        Params().Add(clock_.NowMillis()), "rescuing jobs");
  }

  Result<Session> CreateSession(const Session& s) override {
    const int64_t now = clock_.NowMillis();
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<Session> {
      PgResult r = c.Exec(
          std::string("INSERT INTO sessions (user_id, token_hash, expires_at, last_activity_at, "
                      "user_agent, ip_address, remember_me, created_at) VALUES ($1, $2, $3, $4, "
                      "$5, $6, $7, $4) RETURNING ") +
              sql::kSessionColumns,
          Params()
              .Add(s.user_id)
              .Add(s.token_hash)
              .Add(s.expires_at)
              .Add(now)
              .Add(s.user_agent)
              .Add(s.ip_address)
              .AddBool(s.remember_me));
      if (r.SqlState() == "23505" || r.SqlState() == "23503") {
        return Status::AlreadyExists("the session token is taken, or user " +
                                     std::to_string(s.user_id) + " does not exist");
      }
      if (!r.ok()) return Error(c, "creating a session");
      return sql::ReadSession(r.Row());
    });
  }

  Result<Session> FindSession(std::string_view token_hash) override {
    return One<Session>(
        std::string("SELECT ") + sql::kSessionColumns + " FROM sessions WHERE token_hash = $1",
        Params().Add(token_hash), "session", Access::kRead,
        [](const PgRow& row) { return sql::ReadSession(row); });
  }

  Status TouchSession(int64_t id) override {
    return Changed("UPDATE sessions SET last_activity_at = $1 WHERE id = $2",
                   Params().Add(clock_.NowMillis()).Add(id), "session " + std::to_string(id));
  }

  Status DeleteSession(int64_t id) override {
    return Changed("DELETE FROM sessions WHERE id = $1", Params().Add(id),
                   "session " + std::to_string(id));
  }

  Result<int64_t> CleanupExpiredSessions() override {
    return Count("DELETE FROM sessions WHERE expires_at <= $1", Params().Add(clock_.NowMillis()),
                 "removing expired sessions");
  }

  int64_t reconnects() const { return pool_.reconnects(); }

 private:
  enum class Access { kRead, kWrite };

  // Runs `operation` on a pooled connection; when the connection breaks in a way that applied
  // nothing (see the top of the file), runs it again on another, for up to the reconnect window.
  template <class Operation>
  auto Run(Access access, Operation&& operation)
      -> decltype(operation(std::declval<PgConnection&>())) {
    const int64_t deadline = MonotonicMillis() + options_.reconnect_window_ms;
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
  // A write by the lease holder: FailedPrecondition when the lease is not held.
  Status LeaseWrite(const std::string& statement, const Params& params, std::string_view job_id) {
    return Run(Access::kWrite, [&](PgConnection& c) -> Status {
      PgResult r = c.Exec(statement, params);
      if (!r.ok()) return Error(c, "writing job " + std::string(job_id));
      return r.Affected() > 0 ? Status::Ok() : sql::LostLease(job_id);
    });
  }
  Result<int64_t> Count(const std::string& statement, const Params& params, const char* what) {
    return Run(Access::kWrite, [&](PgConnection& c) -> Result<int64_t> {
      PgResult r = c.Exec(statement, params);
      if (!r.ok()) return Error(c, what);
      return r.Affected();
    });
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
      if (!c.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                  Params().Add(static_cast<int64_t>(m.version)).Add(clock_.NowMillis()))
               .ok()) {
        return Error(c, "recording migration " + std::to_string(m.version));
      }
    }
    return Status::Ok();
  }

  static const std::string& InsertStorySql() {
    static const std::string sql = [] {
      std::string s =
          std::string("INSERT INTO stories (") + sql::kStoryInsertColumns + ") VALUES (";
      for (int i = 1; i <= sql::kStoryInsertCount; ++i) {
        s += (i > 1 ? ", $" : "$") + std::to_string(i);
      }
      return s + ")";
    }();
    return sql;
  }
  static Params StoryParams(const StoryRecord& s, int64_t now) {
    Params params;
    sql::StoryValues(s, now, [&params](int, auto value) { params.Add(value); });
    return params;
  }

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
  const PostgresOptions options_;
  const Clock& clock_;
  const TierTable& tiers_;
  const RetryPolicy retry_;
};

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
                                                 const PostgresOptions& options, const Clock& clock,
                                                 const TierTable& tiers, const RetryPolicy& retry) {
  if (options.min_connections < 1 || options.max_connections < options.min_connections) {
    return Status::InvalidArgument("postgres: the pool needs 1 <= pool_min <= pool_max, got " +
                                   std::to_string(options.min_connections) + " and " +
                                   std::to_string(options.max_connections));
  }
  auto store = std::make_unique<PostgresStore>(conninfo, options, clock, tiers, retry);
  DS_RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace datastory::store
