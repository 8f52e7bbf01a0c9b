// The SQLite engine of the Store port. One connection per Store, guarded by a mutex (SQLite
// serialises writers anyway); several processes share the file through WAL, with a busy timeout
// so that one waits for another instead of failing.
//
// Settings, and why:
//   journal_mode=WAL      readers do not block the writer, nor the writer the readers;
//   synchronous=NORMAL    with WAL, a committed transaction survives the process being killed
//                         (it is in the WAL file before COMMIT returns); a power loss may lose
//                         the last transactions, which ?synchronous=full in the URL prevents;
//   busy_timeout=5000     wait up to 5 s for another process's write lock;
//   foreign_keys=ON       stories and sessions go with their user.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <type_traits>

#include "base/random.h"
#include "base/text.h"
#include "store/migrations.h"
#include "store/sql_rows.h"

namespace datastory::store {
namespace {

// RAII for a prepared statement, with typed binding by position (1-based) and column reads.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Statement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return rc_ = sqlite3_step(stmt_); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  bool Bool(int col) const { return Int(col) != 0; }
  int rc() const { return rc_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// Bound by BindStory.
const std::string& InsertStorySql() {
  static const std::string sql = std::string("INSERT INTO stories (") + sql::kStoryInsertColumns +
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  return sql;
}
// The condition for a write by the worker that holds a job's lease (parameters ?1 job id,
// ?2 worker, ?3 now).
constexpr const char* kHoldsLease =
    "job_id = ?1 AND status = 'processing' AND lease_owner = ?2 AND lease_expires_at > ?3";

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, const Clock& clock, const TierTable& tiers, const RetryPolicy& retry)
      : db_(db), clock_(clock), tiers_(tiers), retry_(retry) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  Status Configure(bool full_sync) {
    sqlite3_busy_timeout(db_, 5000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON"}) {
      DS_RETURN_IF_ERROR(Exec(pragma));
    }
    return Exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  }

  Status Migrate() override {
    std::lock_guard lock(mu_);
    // BEGIN IMMEDIATE takes the write lock first: a second process waits here, then finds the
    // migrations applied.
    DS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status s = ApplyMigrations();
    if (!s.ok()) {
      Rollback();
      return s;
    }
    return Exec("COMMIT");
  }

  Result<int> SchemaVersion() override {
    std::lock_guard lock(mu_);
    Statement q(db_, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (!q.ok()) return 0;  // no table yet: nothing applied
    if (q.Step() != SQLITE_ROW) return Error("reading the schema version");
    return static_cast<int>(q.Int(0));
  }

  Result<User> CreateUser(const NewUser& user) override {
    if (user.email.empty() || user.email.find('@') == std::string::npos) {
      return Status::InvalidArgument("email \"" + user.email + "\" is not an email address");
    }
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    Statement q(db_,
                "INSERT INTO users (email, email_lower, password_hash, tier, stories_this_month, "
                "stories_month, created_at, updated_at) VALUES (?, ?, ?, ?, 0, '', ?, ?) "
                "RETURNING " +
                    std::string(sql::kUserColumns));
    q.Bind(1, user.email).Bind(2, AsciiLower(user.email)).Bind(3, user.password_hash);
    q.Bind(4, TierName(user.tier)).Bind(5, now).Bind(6, now);
    int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::AlreadyExists("a user with email " + user.email + " already exists");
    }
    if (rc != SQLITE_ROW) return Error("creating a user");
    return ReadUser(q);
  }

  Result<User> GetUser(int64_t id) override {
    return ById<User>("users", sql::kUserColumns, id, "user", &SqliteStore::ReadUser);
  }

  Result<User> FindUserByEmail(std::string_view email) override {
    std::lock_guard lock(mu_);
    Statement q(db_,
                "SELECT " + std::string(sql::kUserColumns) + " FROM users WHERE email_lower = ?");
    q.Bind(1, AsciiLower(email));
    if (q.Step() != SQLITE_ROW) return RowOr(q, "user with email " + std::string(email));
    return ReadUser(q);
  }

  Result<User> SetUserTier(int64_t id, Tier tier) override {
    std::lock_guard lock(mu_);
    Statement q(db_, "UPDATE users SET tier = ?, updated_at = ? WHERE id = ? RETURNING " +
                         std::string(sql::kUserColumns));
    q.Bind(1, TierName(tier)).Bind(2, clock_.NowMillis()).Bind(3, id);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "user " + std::to_string(id));
    return ReadUser(q);
  }

  Result<User> CountStory(int64_t user_id) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    const std::string month = MonthOf(now);
    Tier tier;
    {
      // Finished before the UPDATE: a read left open would have to be upgraded to a write,
      // which SQLite refuses at once (SQLITE_BUSY) while another connection writes.
      Statement current(db_, "SELECT tier FROM users WHERE id = ?");
      current.Bind(1, user_id);
      if (current.Step() != SQLITE_ROW) return RowOr(current, "user " + std::to_string(user_id));
      tier = ParseTier(current.Text(0)).value_or(Tier::kFree);
    }
    const int limit = tiers_.Get(tier).stories_per_month;
    // The check and the increment are one statement, so no other writer (thread or process)
    // can take the last story in between.
    Statement q(db_,
                "UPDATE users SET stories_this_month = CASE WHEN stories_month = ?1 "
                "THEN stories_this_month + 1 ELSE 1 END, stories_month = ?1, updated_at = ?2 "
                "WHERE id = ?3 AND (?4 < 0 OR (CASE WHEN stories_month = ?1 "
                "THEN stories_this_month ELSE 0 END) < ?4) RETURNING " +
                    std::string(sql::kUserColumns));
    q.Bind(1, month).Bind(2, now).Bind(3, user_id).Bind(4, static_cast<int64_t>(limit));
    int rc = q.Step();
    if (rc == SQLITE_ROW) return ReadUser(q);
    if (rc != SQLITE_DONE) return Error("counting a story");
    return Status::ResourceExhausted("the " + std::string(TierName(tier)) + " tier allows " +
                                     std::to_string(limit) + " stories a month, and " + month +
                                     " has used them all");
  }

  Result<StoryRecord> CreateStory(const StoryRecord& s) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    Statement q(db_, InsertStorySql() + " RETURNING " + sql::kStoryColumns);
    BindStory(q, s, now);
    int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::NotFound("user " + std::to_string(s.user_id) + " does not exist");
    }
    if (rc != SQLITE_ROW) return Error("creating a story");
    return ReadStory(q);
  }

  Result<StoryRecord> GetStory(int64_t id) override {
    return ById<StoryRecord>("stories", sql::kStoryColumns, id, "story", &SqliteStore::ReadStory);
  }

  Result<StoryPage> ListStories(int64_t user_id, std::string_view cursor, int limit) override {
    limit = std::clamp(limit, 1, 100);
    DS_ASSIGN_OR_RETURN(sql::StoryCursor after, sql::ParseStoryCursor(cursor));
    std::lock_guard lock(mu_);
    Statement q(db_, "SELECT " + std::string(sql::kStoryColumns) +
                         " FROM stories WHERE user_id = ? AND (created_at < ? OR (created_at = ? "
                         "AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?");
    q.Bind(1, user_id).Bind(2, after.created_at).Bind(3, after.created_at).Bind(4, after.id);
    q.Bind(5, static_cast<int64_t>(limit) + 1);
    StoryPage page;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) page.stories.push_back(ReadStory(q));
    if (rc != SQLITE_DONE) return Error("listing stories");
    if (page.stories.size() > static_cast<size_t>(limit)) {
      page.stories.pop_back();
      page.next_cursor = sql::MakeStoryCursor(page.stories.back());
    }
    return page;
  }

  Status SetStoryVisibility(int64_t id, Visibility visibility) override {
    std::lock_guard lock(mu_);
    Statement q(db_, "UPDATE stories SET visibility = ?, updated_at = ? WHERE id = ?");
    q.Bind(1, VisibilityName(visibility)).Bind(2, clock_.NowMillis()).Bind(3, id);
    return Changed(q, "story " + std::to_string(id));
  }

  Status DeleteStory(int64_t id) override {
    std::lock_guard lock(mu_);
    Statement q(db_, "DELETE FROM stories WHERE id = ?");
    q.Bind(1, id);
    return Changed(q, "story " + std::to_string(id));
  }

  Result<Job> EnqueueJob(const NewJob& job) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    Statement q(db_,
                "INSERT INTO jobs (job_id, user_id, status, current_stage, progress, options_json, "
                "attempts, max_attempts, lease_owner, lease_expires_at, run_after, created_at, "
                "updated_at) VALUES (?, ?, 'queued', 'queued', 0, ?, 0, ?, '', 0, ?, ?, ?) "
                "RETURNING " +
                    std::string(sql::kJobColumns));
    q.Bind(1, NewUuidV4()).Bind(2, job.user_id).Bind(3, job.options_json);
    q.Bind(4, static_cast<int64_t>(std::max(1, job.max_attempts))).Bind(5, now).Bind(6, now);
    q.Bind(7, now);
    int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::NotFound("user " + std::to_string(job.user_id) + " does not exist");
    }
    if (rc != SQLITE_ROW) return Error("enqueueing a job");
    return ReadJob(q);
  }

  Result<Job> GetJob(std::string_view job_id) override {
    std::lock_guard lock(mu_);
    Statement q(db_, "SELECT " + std::string(sql::kJobColumns) + " FROM jobs WHERE job_id = ?");
    q.Bind(1, job_id);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "job " + std::string(job_id));
    return ReadJob(q);
  }

  Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    // BEGIN IMMEDIATE takes the write lock before reading, so two workers (threads or
    // processes) cannot pick the same job.
    DS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Job job;
    int rc;
    {  // the statement is finished before COMMIT or ROLLBACK
      Statement q(db_,
                  "UPDATE jobs SET status = 'processing', lease_owner = ?1, "
                  "lease_expires_at = ?2, attempts = attempts + 1, progress = 0, "
                  "current_stage = 'claimed', updated_at = ?3 WHERE id = (SELECT id FROM "
                  "jobs WHERE status = 'queued' AND run_after <= ?3 ORDER BY run_after, id "
                  "LIMIT 1) RETURNING " +
                      std::string(sql::kJobColumns));
      q.Bind(1, worker).Bind(2, now + lease_ms).Bind(3, now);
      rc = q.Step();
      if (rc == SQLITE_ROW) job = ReadJob(q);
    }
    if (rc != SQLITE_ROW) {
      Status s =
          rc == SQLITE_DONE ? Status::NotFound("no job is waiting") : Error("claiming a job");
      Rollback();
      return s;
    }
    DS_RETURN_IF_ERROR(Exec("COMMIT"));
    return job;
  }

  Status Heartbeat(std::string_view job_id, std::string_view worker, int64_t lease_ms) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    Statement q(db_, "UPDATE jobs SET lease_expires_at = ?4, updated_at = ?3 WHERE " +
                         std::string(kHoldsLease));
    q.Bind(1, job_id).Bind(2, worker).Bind(3, now).Bind(4, now + lease_ms);
    return LeaseWrite(q, job_id);
  }

  Status UpdateJobProgress(std::string_view job_id, std::string_view worker, std::string_view stage,
                           int percent) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    // Never backwards within an attempt: a lower percentage changes nothing (and is no error).
    Statement q(db_,
                "UPDATE jobs SET progress = max(progress, ?4), current_stage = CASE WHEN "
                "?4 >= progress THEN ?5 ELSE current_stage END, updated_at = ?3 WHERE " +
                    std::string(kHoldsLease));
    q.Bind(1, job_id).Bind(2, worker).Bind(3, now);
    q.Bind(4, static_cast<int64_t>(std::clamp(percent, 0, 100))).Bind(5, stage);
    return LeaseWrite(q, job_id);
  }

  Result<Job> CompleteJob(std::string_view job_id, std::string_view worker,
                          const StoryRecord& story) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    DS_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    // Each statement is finished before COMMIT or ROLLBACK.
    Status failure;
    int64_t story_id = 0;
    {
      Statement insert(db_, InsertStorySql());
      BindStory(insert, story, now);
      if (insert.Step() == SQLITE_DONE) {
        story_id = sqlite3_last_insert_rowid(db_);
      } else {
        failure = Error("saving the job's story");
      }
    }
    Job job;
    if (failure.ok()) {
      Statement done(db_,
                     "UPDATE jobs SET status = 'completed', progress = 100, current_stage = "
                     "'completed', story_id = ?4, lease_owner = '', updated_at = ?3 WHERE " +
                         std::string(kHoldsLease) + " RETURNING " + sql::kJobColumns);
      done.Bind(1, job_id).Bind(2, worker).Bind(3, now).Bind(4, story_id);
      int rc = done.Step();
      if (rc == SQLITE_ROW) {
        job = ReadJob(done);
      } else {
        failure = rc == SQLITE_DONE ? sql::LostLease(job_id) : Error("completing a job");
      }
    }
    if (!failure.ok()) {
      Rollback();  // the story goes with it: one job, one story
      return failure;
    }
    DS_RETURN_IF_ERROR(Exec("COMMIT"));
    return job;
  }

  Result<Job> FailJob(std::string_view job_id, std::string_view worker, const JobError& error,
                      bool permanent) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    int64_t attempts = 0, max_attempts = 0;
    {
      Statement q(db_, "SELECT attempts, max_attempts FROM jobs WHERE " + std::string(kHoldsLease));
      q.Bind(1, job_id).Bind(2, worker).Bind(3, now);
      int rc = q.Step();
      if (rc != SQLITE_ROW) {
        return rc == SQLITE_DONE ? sql::LostLease(job_id) : Error("failing a job");
      }
      attempts = q.Int(0);
      max_attempts = q.Int(1);
    }
    const bool retry = !permanent && attempts < max_attempts;
    Statement q(db_,
                "UPDATE jobs SET status = ?4, current_stage = ?4, error_code = ?5, "
                "error_message = ?6, lease_owner = '', run_after = ?7, updated_at = ?3 "
                "WHERE " +
                    std::string(kHoldsLease) + " RETURNING " + sql::kJobColumns);
    q.Bind(1, job_id).Bind(2, worker).Bind(3, now).Bind(4, retry ? "queued" : "failed");
    q.Bind(5, error.code)
        .Bind(6, error.message)
        .Bind(7, retry ? now + sql::RetryDelay(retry_, attempts) : now);
    int rc = q.Step();
    if (rc != SQLITE_ROW) {
      return rc == SQLITE_DONE ? sql::LostLease(job_id) : Error("failing a job");
    }
    return ReadJob(q);
  }

  Status CancelJob(std::string_view job_id) override {
    std::lock_guard lock(mu_);
    Statement q(db_,
                "UPDATE jobs SET status = 'cancelled', current_stage = 'cancelled', "
                "lease_owner = '', updated_at = ?2 WHERE job_id = ?1 AND status IN "
                "('queued', 'processing')");
    q.Bind(1, job_id).Bind(2, clock_.NowMillis());
    if (q.Step() != SQLITE_DONE) return Error("cancelling a job");
    if (sqlite3_changes(db_) > 0) return Status::Ok();
    Statement exists(db_, "SELECT status FROM jobs WHERE job_id = ?");
    exists.Bind(1, job_id);
    if (exists.Step() != SQLITE_ROW) return RowOr(exists, "job " + std::string(job_id));
    return Status::FailedPrecondition("job " + std::string(job_id) + " is already " +
                                      exists.Text(0));
  }

  Result<int64_t> RescueExpiredJobs() override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    Statement q(db_,
                "UPDATE jobs SET status = CASE WHEN attempts < max_attempts THEN 'queued' "
                "ELSE 'failed' END, current_stage = CASE WHEN attempts < max_attempts THEN "
                "'queued' ELSE 'failed' END, error_code = 'LEASE_EXPIRED', error_message = "
                "'the worker stopped answering (lease expired ' || lease_owner || ')', "
                "lease_owner = '', run_after = ?1, updated_at = ?1 WHERE status = "
                "'processing' AND lease_expires_at <= ?1");
    q.Bind(1, now);
    if (q.Step() != SQLITE_DONE) return Error("rescuing jobs");
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  Result<Session> CreateSession(const Session& s) override {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    Statement q(db_,
                "INSERT INTO sessions (user_id, token_hash, expires_at, last_activity_at, "
                "user_agent, ip_address, remember_me, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING " +
                    std::string(sql::kSessionColumns));
    q.Bind(1, s.user_id).Bind(2, s.token_hash).Bind(3, s.expires_at).Bind(4, now);
    q.Bind(5, s.user_agent).Bind(6, s.ip_address).Bind(7, int64_t{s.remember_me}).Bind(8, now);
    int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::AlreadyExists("the session token is taken, or user " +
                                   std::to_string(s.user_id) + " does not exist");
    }
    if (rc != SQLITE_ROW) return Error("creating a session");
    return ReadSession(q);
  }

  Result<Session> FindSession(std::string_view token_hash) override {
    std::lock_guard lock(mu_);
    Statement q(
        db_, "SELECT " + std::string(sql::kSessionColumns) + " FROM sessions WHERE token_hash = ?");
    q.Bind(1, token_hash);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "session");
    return ReadSession(q);
  }

  Status TouchSession(int64_t id) override {
    std::lock_guard lock(mu_);
    Statement q(db_, "UPDATE sessions SET last_activity_at = ? WHERE id = ?");
    q.Bind(1, clock_.NowMillis()).Bind(2, id);
    return Changed(q, "session " + std::to_string(id));
  }

  Status DeleteSession(int64_t id) override {
    std::lock_guard lock(mu_);
    Statement q(db_, "DELETE FROM sessions WHERE id = ?");
    q.Bind(1, id);
    return Changed(q, "session " + std::to_string(id));
  }

  Result<int64_t> CleanupExpiredSessions() override {
    std::lock_guard lock(mu_);
    Statement q(db_, "DELETE FROM sessions WHERE expires_at <= ?");
    q.Bind(1, clock_.NowMillis());
    if (q.Step() != SQLITE_DONE) return Error("removing expired sessions");
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

 private:
  Status Exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return Status::Unavailable("sqlite: " + text + " (in: " + sql.substr(0, 60) + ")");
    }
    return Status::Ok();
  }

  Status ApplyMigrations() {
    DS_RETURN_IF_ERROR(
        Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
             "applied_at INTEGER NOT NULL)"));
    Statement q(db_, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (q.Step() != SQLITE_ROW) return Error("reading the schema version");
    const int applied = static_cast<int>(q.Int(0));
    for (const Migration& m : Migrations(Dialect::kSqlite)) {
      if (m.version <= applied) continue;
      DS_RETURN_IF_ERROR(Exec(m.sql));
      Statement mark(db_, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
      mark.Bind(1, m.version).Bind(2, clock_.NowMillis());
      if (mark.Step() != SQLITE_DONE) {
        return Error("recording migration " + std::to_string(m.version));
      }
    }
    return Status::Ok();
  }

  // One row of `table` by id, read by `read`; NotFound names it as "<what> <id>".
  template <class T, class Reader>
  Result<T> ById(const char* table, const char* columns, int64_t id, const char* what,
                 Reader read) {
    std::lock_guard lock(mu_);
    Statement q(db_, std::string("SELECT ") + columns + " FROM " + table + " WHERE id = ?");
    q.Bind(1, id);
    if (q.Step() != SQLITE_ROW) return RowOr(q, std::string(what) + " " + std::to_string(id));
    if constexpr (std::is_member_function_pointer_v<Reader>) {
      return (this->*read)(q);
    } else {
      return read(q);
    }
  }

  static void BindStory(Statement& q, const StoryRecord& s, int64_t now) {
    sql::StoryValues(s, now, [&q](int i, auto value) { q.Bind(i, value); });
  }

  Status LeaseWrite(Statement& q, std::string_view job_id) {
    if (q.Step() != SQLITE_DONE) return Error("writing job " + std::string(job_id));
    return sqlite3_changes(db_) > 0 ? Status::Ok() : sql::LostLease(job_id);
  }

  // After a failure inside a transaction: the failure is what the caller needs to hear, and
  // SQLite rolls back by itself if even ROLLBACK fails.
  void Rollback() { static_cast<void>(Exec("ROLLBACK")); }

  Status Error(const std::string& what) {
    return Status::Unavailable("sqlite: " + what + ": " + sqlite3_errmsg(db_));
  }
  // After a SELECT or UPDATE … RETURNING that gave no row: NotFound, or the engine's error.
  Status RowOr(const Statement& q, const std::string& what) {
    return q.rc() == SQLITE_DONE ? Status::NotFound(what + " does not exist") : Error(what);
  }
  Status Changed(Statement& q, const std::string& what) {
    if (q.Step() != SQLITE_DONE) return Error(what);
    return sqlite3_changes(db_) > 0 ? Status::Ok() : Status::NotFound(what + " does not exist");
  }

  User ReadUser(const Statement& q) const { return sql::ReadUser(q, tiers_); }
  static StoryRecord ReadStory(const Statement& q) { return sql::ReadStory(q); }
  static Job ReadJob(const Statement& q) { return sql::ReadJob(q); }
  static Session ReadSession(const Statement& q) { return sql::ReadSession(q); }

  std::mutex mu_;
  sqlite3* db_;
  const Clock& clock_;
  const TierTable& tiers_;
  const RetryPolicy retry_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool full_sync,
                                               const Clock& clock, const TierTable& tiers,
                                               const RetryPolicy& retry) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Status::Unavailable("sqlite: cannot open " + path + ": " + message);
  }
  auto store = std::make_unique<SqliteStore>(db, clock, tiers, retry);
  DS_RETURN_IF_ERROR(store->Configure(full_sync));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace datastory::store
