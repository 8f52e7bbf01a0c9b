// The SQLite engine of the Store port. One writer connection, guarded by a mutex (SQLite
// serialises writers anyway), and a pool of read connections beside it: with WAL a reader
// sees the last committed state without waiting for the writer, so reads (a story, a session)
// do not queue behind writes. Several processes share the file through WAL, with a busy timeout
// so that one waits for another instead of failing. Each connection keeps its prepared
// statements.
//
// Settings, and why:
//   journal_mode=WAL      readers do not block the writer, nor the writer the readers;
//   synchronous=NORMAL    with WAL, a committed transaction survives the process being killed
//                         (it is in the WAL file before COMMIT returns); a power loss may lose
//                         the last transactions, which ?synchronous=full in the URL prevents;
//   busy_timeout=5000     wait up to 5 s for another process's write lock;
//   foreign_keys=ON       stories, jobs and sessions go with their user.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "base/random.h"
#include "base/text.h"
#include "store/migrations.h"
#include "store/sql_rows.h"

namespace datastory::store {
namespace {

// A connection with its prepared statements, kept for reuse.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  // The prepared statement for `sql`, or null (sqlite3_errmsg says why).
  sqlite3_stmt* Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return nullptr;
    }
    cache_.emplace(sql, stmt);
    return stmt;
  }
  // Statements without parameters, several allowed (migrations, BEGIN, COMMIT).
  Status Exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return Status::Unavailable("sqlite: " + text + " (in: " + sql.substr(0, 60) + ")");
    }
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// One use of a cached statement: typed binding by position (1-based), stepping and column
// reads; reset for the next use when it goes out of scope.
class Statement {
 public:
  Statement(Connection& c, const std::string& sql) : db_(c.db()), stmt_(c.Prepare(sql)) {
    if (!stmt_) rc_ = sqlite3_errcode(db_);
  }
  ~Statement() {
    if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, int64_t v) {
    if (stmt_) sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Statement& Bind(int i, std::string_view v) {
    if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& BindNull(int i) {
    if (stmt_) sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return rc_ = stmt_ ? sqlite3_step(stmt_) : rc_; }
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
  int64_t Changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int rc_ = SQLITE_OK;
};

std::string Columns(const char* columns) { return columns; }

// The condition for a write of the attempt holding a job's lease (?1 job id, ?2 lease token,
// ?3 now).
constexpr const char* kHoldsLease =
    "id = ?1 AND lease_token = ?2 AND status = 'processing' AND lease_expires_at > ?3";

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
              const StoreOptions& options)
      : writer_(std::move(writer)), idle_readers_(std::move(readers)), options_(options) {}

  Status Migrate() override {
    std::lock_guard lock(write_mu_);
    Connection& c = *writer_;
    // BEGIN IMMEDIATE takes the write lock first: a second process waits here, then finds the
    // migrations applied.
    DS_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
    Status s = ApplyMigrations(c);
    if (!s.ok()) {
      Rollback(c);
      return s;
    }
    return c.Exec("COMMIT");
  }

  Result<int> SchemaVersion() override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (q.Step() != SQLITE_ROW) return 0;  // no table yet: nothing applied
    return static_cast<int>(q.Int(0));
  }

  // --- Users

  Result<User> CreateUser(const NewUser& user) override {
    DS_RETURN_IF_ERROR(sql::CheckEmail(user.email));
    DS_RETURN_IF_ERROR(sql::CheckText(user.password_hash, "the password hash"));
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    Statement q(*writer_,
                "INSERT INTO users (id, email, email_lower, password_hash, tier, "
                "stories_this_month, stories_month, created_at, updated_at) VALUES (?, ?, ?, ?, "
                "?, 0, '', ?, ?) RETURNING " +
                    Columns(sql::kUserColumns));
    q.Bind(1, NewUuidV4()).Bind(2, user.email).Bind(3, AsciiLower(user.email));
    q.Bind(4, user.password_hash).Bind(5, TierName(user.tier)).Bind(6, now).Bind(7, now);
    const int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::AlreadyExists("a user with email " + user.email + " already exists");
    }
    if (rc != SQLITE_ROW) return Error("creating a user");
    return ReadUser(q);
  }

  Result<User> GetUser(std::string_view user_id) override {
    return Read<User>("SELECT " + Columns(sql::kUserColumns) + " FROM users WHERE id = ?",
                      {user_id}, "user " + std::string(user_id),
                      [&](const Statement& q) { return ReadUser(q); });
  }

  Result<User> FindUserByEmail(std::string_view email) override {
    return Read<User>("SELECT " + Columns(sql::kUserColumns) + " FROM users WHERE email_lower = ?",
                      {AsciiLower(email)}, "user with email " + std::string(email),
                      [&](const Statement& q) { return ReadUser(q); });
  }

  Result<User> SetUserTier(std::string_view user_id, Tier tier) override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "UPDATE users SET tier = ?, updated_at = ? WHERE id = ? RETURNING " +
                              Columns(sql::kUserColumns));
    q.Bind(1, TierName(tier)).Bind(2, Now()).Bind(3, user_id);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "user " + std::string(user_id));
    return ReadUser(q);
  }

  Status SetPasswordHash(std::string_view user_id, std::string_view password_hash) override {
    DS_RETURN_IF_ERROR(sql::CheckText(password_hash, "the password hash"));
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    q.Bind(1, password_hash).Bind(2, Now()).Bind(3, user_id);
    return Changed(q, "user " + std::string(user_id));
  }

  Result<std::vector<std::string>> DeleteUser(std::string_view user_id) override {
    std::lock_guard lock(write_mu_);
    return InTransaction([&](Connection& c) -> Result<std::vector<std::string>> {
      std::vector<std::string> keys;
      {
        Statement q(c,
                    "SELECT storage_key FROM stories WHERE user_id = ?1 UNION SELECT storage_key "
                    "FROM uploads WHERE user_id = ?1");
        q.Bind(1, user_id);
        int rc;
        while ((rc = q.Step()) == SQLITE_ROW) keys.push_back(q.Text(0));
        if (rc != SQLITE_DONE) return Error("reading the user's stories");
      }
      Statement q(c, "DELETE FROM users WHERE id = ?");  // the rest cascades
      q.Bind(1, user_id);
      DS_RETURN_IF_ERROR(Changed(q, "user " + std::string(user_id)));
      return keys;
    });
  }

  Status RecordLoginFailure(std::string_view subject) override {
    DS_RETURN_IF_ERROR(sql::CheckText(subject, "the subject"));
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "INSERT INTO login_failures (subject, at) VALUES (?, ?)");
    q.Bind(1, subject).Bind(2, Now());
    if (q.Step() != SQLITE_DONE) return Error("recording a failed log-in");
    return Status::Ok();
  }

  Result<LoginFailures> CountLoginFailures(std::string_view subject, int64_t window_ms) override {
    const int64_t now = Now();
    ReaderLease reader(this);
    Statement q(*reader,
                "SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE subject = ? AND "
                "at > ?");
    q.Bind(1, subject).Bind(2, now - window_ms);
    if (q.Step() != SQLITE_ROW) return Error("counting failed log-ins", reader->db());
    return LoginFailures{q.Int(0), q.Int(1), now};
  }

  Status ClearLoginFailures(std::string_view subject) override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "DELETE FROM login_failures WHERE subject = ?");
    q.Bind(1, subject);
    if (q.Step() != SQLITE_DONE) return Error("clearing failed log-ins");
    return Status::Ok();
  }

  // --- Uploads

  Result<UploadRecord> CreateUpload(const UploadRecord& u) override {
    DS_RETURN_IF_ERROR(sql::CheckUpload(u));
    std::lock_guard lock(write_mu_);
    Statement q(*writer_,
                "INSERT INTO uploads (id, user_id, storage_key, original_filename, content_type, "
                "size, preview_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING " +
                    Columns(sql::kUploadColumns));
    q.Bind(1, NewUuidV4()).Bind(2, u.user_id).Bind(3, u.storage_key).Bind(4, u.original_filename);
    q.Bind(5, u.content_type).Bind(6, u.size).Bind(7, u.preview_json).Bind(8, Now());
    const int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      const std::string why = sqlite3_errmsg(writer_->db());
      if (why.find("FOREIGN KEY") != std::string::npos) {
        return Status::NotFound("user " + u.user_id + " does not exist");
      }
      return Status::InvalidArgument("the upload's preview is not JSON");
    }
    if (rc != SQLITE_ROW) return Error("saving an upload");
    return sql::ReadUpload(q);
  }

  Result<UploadRecord> GetUpload(std::string_view owner_id, std::string_view upload_id) override {
    return Read<UploadRecord>(
        "SELECT " + Columns(sql::kUploadColumns) + " FROM uploads WHERE id = ? AND user_id = ?",
        {upload_id, owner_id}, "upload " + std::string(upload_id),
        [](const Statement& q) { return sql::ReadUpload(q); });
  }

  Result<UploadRecord> DeleteUpload(std::string_view owner_id,
                                    std::string_view upload_id) override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "DELETE FROM uploads WHERE id = ? AND user_id = ? RETURNING " +
                              Columns(sql::kUploadColumns));
    q.Bind(1, upload_id).Bind(2, owner_id);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "upload " + std::string(upload_id));
    return sql::ReadUpload(q);
  }

  // --- Stories

  Result<StoryRecord> CreateStory(const StoryRecord& s) override {
    DS_RETURN_IF_ERROR(sql::CheckStory(s));
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, InsertStorySql() + " RETURNING " + sql::kStoryColumns);
    BindStory(q, s, NewUuidV4(), Now());
    const int rc = q.Step();
    if (rc != SQLITE_ROW) return StoryError(rc, s);
    return ReadStory(q);
  }

  Result<StoryRecord> GetStory(std::string_view owner_id, std::string_view story_id,
                               StoryParts parts) override {
    return Read<StoryRecord>("SELECT " + Columns(sql::StoryColumns(parts)) +
                                 " FROM stories WHERE id = ? AND user_id = ?",
                             {story_id, owner_id}, "story " + std::string(story_id), &ReadStory);
  }

  Result<StoryRecord> GetSharedStory(std::string_view share_token, StoryParts parts) override {
    return Read<StoryRecord>("SELECT " + Columns(sql::StoryColumns(parts)) +
                                 " FROM stories WHERE share_token = ? AND visibility = 'public'",
                             {share_token}, "shared story", &ReadStory);
  }

  Result<StoryPage> ListStories(std::string_view owner_id, std::string_view cursor,
                                int limit) override {
    limit = std::clamp(limit, 1, 100);
    DS_ASSIGN_OR_RETURN(sql::StoryCursor after, sql::ParseStoryCursor(cursor));
    ReaderLease reader(this);
    Statement q(*reader, "SELECT " + Columns(sql::kStoryHeadColumns) +
                             " FROM stories WHERE user_id = ? AND (created_at < ? OR "
                             "(created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC "
                             "LIMIT ?");
    q.Bind(1, owner_id).Bind(2, after.created_at).Bind(3, after.created_at).Bind(4, after.id);
    q.Bind(5, static_cast<int64_t>(limit) + 1);
    StoryPage page;
    DS_ASSIGN_OR_RETURN(page.stories,
                        ReadRows<StoryRecord>(q, *reader, "listing stories", ReadStory));
    if (page.stories.size() > static_cast<size_t>(limit)) {
      page.stories.pop_back();
      page.next_cursor = sql::MakeStoryCursor(page.stories.back());
    }
    return page;
  }

  Result<StoryRecord> UpdateStory(std::string_view owner_id, std::string_view story_id,
                                  const StoryUpdate& update) override {
    if (update.title) DS_RETURN_IF_ERROR(sql::CheckText(*update.title, "the title"));
    std::lock_guard lock(write_mu_);
    // A share token only while public: a new one each time the story is made public.
    Statement q(*writer_,
                "UPDATE stories SET title = coalesce(?3, title), visibility = coalesce(?4, "
                "visibility), share_token = CASE WHEN coalesce(?4, visibility) = 'private' THEN "
                "NULL WHEN visibility = 'public' THEN share_token ELSE ?5 END, updated_at = "
                "max(?6, updated_at + 1), "
                "document_json = coalesce(?7, document_json) WHERE id = ?1 AND user_id = ?2 "
                "RETURNING " +
                    Columns(sql::kStoryColumns));
    q.Bind(1, story_id).Bind(2, owner_id);
    if (update.title) {
      q.Bind(3, *update.title);
    } else {
      q.BindNull(3);
    }
    if (update.visibility) {
      q.Bind(4, VisibilityName(*update.visibility));
    } else {
      q.BindNull(4);
    }
    q.Bind(5, NewToken()).Bind(6, Now());
    if (update.document_json) {
      q.Bind(7, *update.document_json);
    } else {
      q.BindNull(7);
    }
    const int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) return Status::InvalidArgument("the story document is not JSON");
    if (rc != SQLITE_ROW) return RowOr(q, "story " + std::string(story_id));
    return ReadStory(q);
  }

  Result<DeletedStory> DeleteStory(std::string_view owner_id, std::string_view story_id) override {
    std::lock_guard lock(write_mu_);
    return InTransaction([&](Connection& c) -> Result<DeletedStory> {
      DeletedStory deleted;
      {
        Statement q(c, "DELETE FROM stories WHERE id = ? AND user_id = ? RETURNING " +
                           Columns(sql::kStoryColumns));
        q.Bind(1, story_id).Bind(2, owner_id);
        if (q.Step() != SQLITE_ROW) return RowOr(q, "story " + std::string(story_id));
        deleted.story = ReadStory(q);
        if (q.Step() != SQLITE_DONE) return Error("deleting a story");
      }
      Statement q(c, sql::kDeleteFreedUpload);
      q.Bind(1, owner_id).Bind(2, deleted.story.dataset.storage_key);
      const int rc = q.Step();
      if (rc == SQLITE_ROW) deleted.freed_storage_key = q.Text(0);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("deleting a story's upload");
      return deleted;
    });
  }

  Result<StoryRender> GetStoryRender(std::string_view owner_id,
                                     std::string_view story_id) override {
    return Read<StoryRender>(
        "SELECT r.html, r.markdown, r.charts_json FROM story_renders r JOIN stories s ON s.id "
        "= r.story_id WHERE s.id = ? AND s.user_id = ?",
        {story_id, owner_id}, "the pages of story " + std::string(story_id),
        [](const Statement& q) {
          return StoryRender{q.Text(0), q.Text(1), q.Text(2)};
        });
  }

  // --- Jobs

  Result<Job> EnqueueJob(const NewJob& job) override {
    DS_RETURN_IF_ERROR(sql::CheckText(job.options_json, "the job options"));
    DS_RETURN_IF_ERROR(sql::CheckText(job.idempotency_key, "the idempotency key"));
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    // BEGIN IMMEDIATE: the key lookup, the quota and the insert see one state, with no other
    // writer (thread or process) in between.
    return InTransaction([&](Connection& c) -> Result<Job> {
      if (!job.idempotency_key.empty()) {
        Statement first(c, "SELECT " + Columns(sql::kJobColumns) +
                               " FROM jobs WHERE user_id = ? AND idempotency_key = ?");
        first.Bind(1, job.user_id).Bind(2, job.idempotency_key);
        const int rc = first.Step();
        if (rc == SQLITE_ROW) return sql::SameRequest(ReadJob(first), job);
        if (rc != SQLITE_DONE) return Error("enqueueing a job");
      }
      User user;
      {
        Statement q(c, "SELECT " + Columns(sql::kUserColumns) + " FROM users WHERE id = ?");
        q.Bind(1, job.user_id);
        if (q.Step() != SQLITE_ROW) return RowOr(q, "user " + job.user_id);
        user = ReadUser(q);
      }
      const std::string month = std::max(MonthOf(now), user.stories_month);
      const int used = sql::EffectiveStoryCount(user, MonthOf(now));
      const TierLimits& limits = options_.tiers.Get(user.tier);
      if (limits.stories_per_month >= 0 && used >= limits.stories_per_month) {
        return sql::QuotaExceeded(user, options_.tiers);
      }
      {
        Statement q(c,
                    "UPDATE users SET stories_this_month = ?, stories_month = ?, updated_at = ? "
                    "WHERE id = ?");
        q.Bind(1, int64_t{used} + 1).Bind(2, month).Bind(3, now).Bind(4, job.user_id);
        if (q.Step() != SQLITE_DONE) return Error("reserving a story");
      }
      Statement q(c,
                  "INSERT INTO jobs (id, user_id, status, current_stage, progress, options_json, "
                  "idempotency_key, attempts, max_attempts, quota_month, max_rows, lease_owner, "
                  "lease_token, lease_expires_at, run_after, created_at, updated_at) VALUES (?1, "
                  "?2, 'queued', 'queued', 0, ?3, ?4, 0, ?5, ?6, ?7, '', '', 0, ?8, ?8, ?8) "
                  "RETURNING " +
                      Columns(sql::kJobColumns));
      q.Bind(1, NewUuidV4()).Bind(2, job.user_id).Bind(3, job.options_json);
      if (job.idempotency_key.empty()) {
        q.BindNull(4);
      } else {
        q.Bind(4, job.idempotency_key);
      }
      q.Bind(5, static_cast<int64_t>(std::max(1, job.max_attempts))).Bind(6, month);
      q.Bind(7, limits.max_rows).Bind(8, now);
      const int rc = q.Step();
      if (rc == SQLITE_CONSTRAINT) {
        return Status::InvalidArgument("the job options are not JSON: " +
                                       job.options_json.substr(0, 200));
      }
      if (rc != SQLITE_ROW) return Error("enqueueing a job");
      return ReadJob(q);
    });
  }

  Result<Job> GetJob(std::string_view owner_id, std::string_view job_id) override {
    return Read<Job>(
        "SELECT " + Columns(sql::kJobColumns) + " FROM jobs WHERE id = ? AND user_id = ?",
        {job_id, owner_id}, "job " + std::string(job_id), &ReadJob);
  }

  Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) override {
    DS_RETURN_IF_ERROR(sql::CheckLease(lease_ms));
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    // One statement under the write lock: two workers (threads or processes) cannot pick the
    // same job.
    Statement q(*writer_,
                "UPDATE jobs SET status = 'processing', lease_owner = ?1, lease_token = ?2, "
                "lease_expires_at = ?3, attempts = attempts + 1, progress = 0, current_stage = "
                "'claimed', updated_at = ?4 WHERE id = (SELECT id FROM jobs WHERE status = "
                "'queued' AND run_after <= ?4 ORDER BY run_after, created_at LIMIT 1) "
                "RETURNING " +
                    Columns(sql::kJobColumns));
    q.Bind(1, worker).Bind(2, NewToken()).Bind(3, now + lease_ms).Bind(4, now);
    const int rc = q.Step();
    if (rc == SQLITE_DONE) return Status::NotFound("no job is waiting");
    if (rc != SQLITE_ROW) return Error("claiming a job");
    return ReadJob(q);
  }

  Status Heartbeat(std::string_view job_id, std::string_view lease_token,
                   int64_t lease_ms) override {
    DS_RETURN_IF_ERROR(sql::CheckLease(lease_ms));
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    Statement q(*writer_, "UPDATE jobs SET lease_expires_at = ?4, updated_at = ?3 WHERE " +
                              Columns(kHoldsLease));
    q.Bind(1, job_id).Bind(2, lease_token).Bind(3, now).Bind(4, now + lease_ms);
    return LeaseWrite(q, job_id, lease_token);
  }

  Status UpdateJobProgress(std::string_view job_id, std::string_view lease_token,
                           std::string_view stage, int percent) override {
    std::lock_guard lock(write_mu_);
    // Never backwards within an attempt: a lower percentage changes nothing (and is no error).
    Statement q(*writer_,
                "UPDATE jobs SET progress = max(progress, ?4), current_stage = CASE WHEN "
                "?4 >= progress THEN ?5 ELSE current_stage END, updated_at = ?3 WHERE " +
                    Columns(kHoldsLease));
    q.Bind(1, job_id).Bind(2, lease_token).Bind(3, Now());
    q.Bind(4, static_cast<int64_t>(std::clamp(percent, 0, 100))).Bind(5, stage);
    return LeaseWrite(q, job_id, lease_token);
  }

  Result<Job> CompleteJob(std::string_view job_id, std::string_view lease_token,
                          const StoryRecord& story, const StoryRender& render) override {
    DS_RETURN_IF_ERROR(sql::CheckStory(story));
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    return InTransaction([&](Connection& c) -> Result<Job> {
      // The job first (is the lease held? whose story is it?), then its story, then the job
      // pointing at the story.
      std::string user_id;
      {
        Statement held(c, "SELECT user_id FROM jobs WHERE " + Columns(kHoldsLease));
        held.Bind(1, job_id).Bind(2, lease_token).Bind(3, now);
        const int rc = held.Step();
        if (rc == SQLITE_DONE) return NotHeld(c, job_id, lease_token);
        if (rc != SQLITE_ROW) return Error("completing a job");
        user_id = held.Text(0);
      }
      StoryRecord owned = story;
      owned.user_id = user_id;
      owned.job_id = std::string(job_id);
      const std::string story_id = NewUuidV4();
      {
        Statement insert(c, InsertStorySql());
        BindStory(insert, owned, story_id, now);
        const int rc = insert.Step();
        if (rc != SQLITE_DONE) return StoryError(rc, owned);  // rolled back: one job, one story
      }
      {
        Statement pages(c,
                        "INSERT INTO story_renders (story_id, html, markdown, charts_json) VALUES "
                        "(?, ?, ?, ?)");
        pages.Bind(1, story_id).Bind(2, render.html).Bind(3, render.markdown);
        pages.Bind(4, render.charts_json);
        if (pages.Step() != SQLITE_DONE) return Error("saving the story's pages");
      }
      Statement done(c,
                     "UPDATE jobs SET status = 'completed', progress = 100, current_stage = "
                     "'completed', story_id = ?4, updated_at = ?3 WHERE " +
                         Columns(kHoldsLease) + " RETURNING " + sql::kJobColumns);
      done.Bind(1, job_id).Bind(2, lease_token).Bind(3, now).Bind(4, story_id);
      if (done.Step() != SQLITE_ROW) return Error("completing a job");
      return ReadJob(done);
    });
  }

  Result<Job> FailJob(std::string_view job_id, std::string_view lease_token, const JobError& error,
                      bool permanent) override {
    DS_RETURN_IF_ERROR(sql::CheckText(error.message, "the error message"));
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    return InTransaction([&](Connection& c) -> Result<Job> {
      Job held;
      {
        Statement q(
            c, "SELECT " + Columns(sql::kJobColumns) + " FROM jobs WHERE " + Columns(kHoldsLease));
        q.Bind(1, job_id).Bind(2, lease_token).Bind(3, now);
        const int rc = q.Step();
        if (rc == SQLITE_DONE) return NotHeld(c, job_id, lease_token);
        if (rc != SQLITE_ROW) return Error("failing a job");
        held = ReadJob(q);
      }
      const bool retry = !permanent && held.attempts < held.max_attempts;
      Statement q(c,
                  "UPDATE jobs SET status = ?4, current_stage = ?4, error_code = ?5, "
                  "error_message = ?6, lease_owner = '', run_after = ?7, updated_at = ?3 "
                  "WHERE " +
                      Columns(kHoldsLease) + " RETURNING " + sql::kJobColumns);
      q.Bind(1, job_id).Bind(2, lease_token).Bind(3, now).Bind(4, retry ? "queued" : "failed");
      q.Bind(5, error.code).Bind(6, error.message);
      q.Bind(7, retry ? now + sql::RetryDelay(options_.retry, held.attempts) : now);
      if (q.Step() != SQLITE_ROW) return Error("failing a job");
      Job job = ReadJob(q);
      if (!retry) DS_RETURN_IF_ERROR(GiveBackStory(c, held));
      return job;
    });
  }

  Status ReleaseJob(std::string_view job_id, std::string_view lease_token) override {
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    Statement q(*writer_,
                "UPDATE jobs SET status = 'queued', current_stage = 'queued', progress = 0, "
                "attempts = attempts - 1, lease_owner = '', run_after = ?3, updated_at = ?3 "
                "WHERE " +
                    Columns(kHoldsLease));
    q.Bind(1, job_id).Bind(2, lease_token).Bind(3, now);
    return LeaseWrite(q, job_id, lease_token);
  }

  Result<Job> CancelJob(std::string_view owner_id, std::string_view job_id) override {
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    return InTransaction([&](Connection& c) -> Result<Job> {
      Job before;
      {
        Statement q(
            c, "SELECT " + Columns(sql::kJobColumns) + " FROM jobs WHERE id = ? AND user_id = ?");
        q.Bind(1, job_id).Bind(2, owner_id);
        if (q.Step() != SQLITE_ROW) return RowOr(q, "job " + std::string(job_id));
        before = ReadJob(q);
      }
      if (before.status != JobStatus::kQueued && before.status != JobStatus::kProcessing) {
        return Status::FailedPrecondition("job " + std::string(job_id) + " is already " +
                                          std::string(JobStatusName(before.status)));
      }
      // The lease token stays: the running attempt, if any, hears Cancelled at its next write.
      Statement q(c,
                  "UPDATE jobs SET status = 'cancelled', current_stage = 'cancelled', "
                  "updated_at = ?2 WHERE id = ?1 RETURNING " +
                      Columns(sql::kJobColumns));
      q.Bind(1, job_id).Bind(2, now);
      if (q.Step() != SQLITE_ROW) return Error("cancelling a job");
      Job job = ReadJob(q);
      DS_RETURN_IF_ERROR(GiveBackStory(c, before));
      return job;
    });
  }

  Result<std::map<JobStatus, int64_t>> CountJobs() override {
    ReaderLease reader(this);
    Statement q(*reader, "SELECT status, count(*) FROM jobs GROUP BY status");
    std::map<JobStatus, int64_t> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      if (auto status = ParseJobStatus(q.Text(0))) out[*status] = q.Int(1);
    }
    if (rc != SQLITE_DONE) return Error("counting jobs", reader->db());
    return out;
  }

  Result<int64_t> RescueExpiredJobs() override {
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    return InTransaction([&](Connection& c) -> Result<int64_t> {
      std::vector<Job> expired;
      {
        Statement q(c, "SELECT " + Columns(sql::kJobColumns) +
                           " FROM jobs WHERE status = 'processing' AND lease_expires_at <= ?");
        q.Bind(1, now);
        int rc;
        while ((rc = q.Step()) == SQLITE_ROW) expired.push_back(ReadJob(q));
        if (rc != SQLITE_DONE) return Error("rescuing jobs");
      }
      for (const Job& job : expired) {
        const bool retry = job.attempts < job.max_attempts;
        Statement q(c,
                    "UPDATE jobs SET status = ?2, current_stage = ?2, error_code = "
                    "'LEASE_EXPIRED', error_message = ?3, lease_owner = '', run_after = ?4, "
                    "updated_at = ?4 WHERE id = ?1");
        q.Bind(1, job.id).Bind(2, retry ? "queued" : "failed");
        q.Bind(3, "the worker stopped answering (" + job.lease_owner + ")").Bind(4, now);
        if (q.Step() != SQLITE_DONE) return Error("rescuing a job");
        if (!retry) DS_RETURN_IF_ERROR(GiveBackStory(c, job));
      }
      return static_cast<int64_t>(expired.size());
    });
  }

  // --- Sessions

  Result<Session> CreateSession(const NewSession& s) override {
    DS_RETURN_IF_ERROR(sql::CheckText(s.user_agent, "the user agent"));
    DS_RETURN_IF_ERROR(sql::CheckText(s.ip_address, "the address"));
    const SessionPolicy& p = options_.sessions;
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    Statement q(*writer_,
                "INSERT INTO sessions (id, user_id, token_hash, created_at, last_activity_at, "
                "idle_timeout_ms, expires_at, user_agent, ip_address, remember_me) VALUES (?1, "
                "?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING " +
                    Columns(sql::kSessionColumns));
    q.Bind(1, NewUuidV4()).Bind(2, s.user_id).Bind(3, s.token_hash).Bind(4, now);
    q.Bind(5, s.remember_me ? p.remember_idle_ms : p.idle_ms);
    q.Bind(6, now + (s.remember_me ? p.remember_absolute_ms : p.absolute_ms));
    q.Bind(7, s.user_agent).Bind(8, s.ip_address).Bind(9, int64_t{s.remember_me});
    const int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::AlreadyExists("the session token is taken, or user " + s.user_id +
                                   " does not exist");
    }
    if (rc != SQLITE_ROW) return Error("creating a session");
    return ReadSession(q);
  }

  Result<Session> FindSession(std::string_view token_hash) override {
    const int64_t now = Now();
    ReaderLease reader(this);
    Statement q(*reader, "SELECT " + Columns(sql::kSessionColumns) +
                             " FROM sessions WHERE token_hash = ? AND expires_at > ?2 AND "
                             "last_activity_at + idle_timeout_ms > ?2");
    q.Bind(1, token_hash).Bind(2, now);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "session", reader->db());
    Session session = ReadSession(q);
    session.touch_due = session.last_activity_at <= now - options_.sessions.touch_interval_ms;
    return session;
  }

  Result<bool> TouchSession(std::string_view session_id) override {
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    Statement q(*writer_,
                "UPDATE sessions SET last_activity_at = ?2 WHERE id = ?1 AND last_activity_at "
                "<= ?2 - ?3 AND expires_at > ?2 AND last_activity_at + idle_timeout_ms > ?2");
    q.Bind(1, session_id).Bind(2, now).Bind(3, options_.sessions.touch_interval_ms);
    if (q.Step() != SQLITE_DONE) return Error("recording a session's activity");
    return q.Changes() > 0;
  }

  Result<std::vector<Session>> ListSessions(std::string_view user_id) override {
    const int64_t now = Now();
    ReaderLease reader(this);
    Statement q(*reader, "SELECT " + Columns(sql::kSessionColumns) +
                             " FROM sessions WHERE user_id = ?1 AND expires_at > ?2 AND "
                             "last_activity_at + idle_timeout_ms > ?2 ORDER BY created_at DESC");
    q.Bind(1, user_id).Bind(2, now);
    return ReadRows<Session>(q, *reader, "listing sessions", ReadSession);
  }

  Status DeleteSession(std::string_view user_id, std::string_view session_id) override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "DELETE FROM sessions WHERE id = ? AND user_id = ?");
    q.Bind(1, session_id).Bind(2, user_id);
    return Changed(q, "session " + std::string(session_id));
  }

  Result<int64_t> DeleteUserSessions(std::string_view user_id,
                                     std::string_view except_session_id) override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "DELETE FROM sessions WHERE user_id = ? AND id != ?");
    q.Bind(1, user_id).Bind(2, except_session_id);
    if (q.Step() != SQLITE_DONE) return Error("removing a user's sessions");
    return q.Changes();
  }

  Result<int64_t> CleanupExpiredSessions() override {
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    return InTransaction([&](Connection& c) -> Result<int64_t> {
      int64_t sessions = 0;
      {
        Statement q(c,
                    "DELETE FROM sessions WHERE expires_at <= ?1 OR last_activity_at + "
                    "idle_timeout_ms <= ?1");
        q.Bind(1, now);
        if (q.Step() != SQLITE_DONE) return Error("removing expired sessions");
        sessions = q.Changes();
      }
      for (const char* sql : {"DELETE FROM api_tokens WHERE expires_at <= ?1",
                              "DELETE FROM login_failures WHERE at <= ?1 - 86400000"}) {
        Statement q(c, sql);
        q.Bind(1, now);
        if (q.Step() != SQLITE_DONE) return Error("removing expired tokens");
      }
      return sessions;
    });
  }

  // --- API tokens

  Result<ApiToken> CreateApiToken(const NewApiToken& t) override {
    DS_RETURN_IF_ERROR(sql::CheckText(t.name, "the token's name"));
    if (t.lifetime_ms < 1) return Status::InvalidArgument("a token lives at least 1 ms");
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    Statement q(*writer_,
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at, "
                "last_used_at) VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING " +
                    Columns(sql::kApiTokenColumns));
    q.Bind(1, NewUuidV4()).Bind(2, t.user_id).Bind(3, t.name).Bind(4, t.token_hash);
    q.Bind(5, now).Bind(6, now + t.lifetime_ms);
    const int rc = q.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return Status::AlreadyExists("the token is taken, or user " + t.user_id + " does not exist");
    }
    if (rc != SQLITE_ROW) return Error("creating a token");
    return sql::ReadApiToken(q);
  }

  Result<ApiToken> FindApiToken(std::string_view token_hash) override {
    std::lock_guard lock(write_mu_);
    const int64_t now = Now();
    // The last use, at most once a minute: a script calling often does not write each time.
    Statement q(*writer_,
                "UPDATE api_tokens SET last_used_at = CASE WHEN last_used_at <= ?2 - 60000 THEN ?2 "
                "ELSE last_used_at END WHERE token_hash = ?1 AND expires_at > ?2 RETURNING " +
                    Columns(sql::kApiTokenColumns));
    q.Bind(1, token_hash).Bind(2, now);
    if (q.Step() != SQLITE_ROW) return RowOr(q, "token");
    return sql::ReadApiToken(q);
  }

  Result<std::vector<ApiToken>> ListApiTokens(std::string_view user_id) override {
    const int64_t now = Now();
    ReaderLease reader(this);
    Statement q(*reader, "SELECT " + Columns(sql::kApiTokenColumns) +
                             " FROM api_tokens WHERE user_id = ? AND expires_at > ? ORDER BY "
                             "created_at DESC");
    q.Bind(1, user_id).Bind(2, now);
    return ReadRows<ApiToken>(q, *reader, "listing tokens",
                              [](const Statement& row) { return sql::ReadApiToken(row); });
  }

  Status DeleteApiToken(std::string_view user_id, std::string_view token_id) override {
    std::lock_guard lock(write_mu_);
    Statement q(*writer_, "DELETE FROM api_tokens WHERE id = ? AND user_id = ?");
    q.Bind(1, token_id).Bind(2, user_id);
    return Changed(q, "token " + std::string(token_id));
  }

 private:
  // A read connection for one operation: one from the pool, or the writer (under its mutex)
  // when the database has no readers (":memory:").
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteStore* store) : store_(store) {
      std::unique_lock lock(store_->read_mu_);
      if (store_->reader_count_ == 0) {
        writer_lock_ = std::unique_lock(store_->write_mu_);
        connection_ = store_->writer_.get();
        return;
      }
      store_->read_cv_.wait(lock, [&] { return !store_->idle_readers_.empty(); });
      owned_ = std::move(store_->idle_readers_.back());
      store_->idle_readers_.pop_back();
      connection_ = owned_.get();
    }
    ~ReaderLease() {
      if (!owned_) return;
      std::lock_guard lock(store_->read_mu_);
      store_->idle_readers_.push_back(std::move(owned_));
      store_->read_cv_.notify_one();
    }
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_; }

   private:
    SqliteStore* store_;
    std::unique_lock<std::mutex> writer_lock_;
    std::unique_ptr<Connection> owned_;
    Connection* connection_ = nullptr;
  };

  int64_t Now() const {
    return options_.clock ? options_.clock->NowMillis() : system_clock_.NowMillis();
  }

  // Runs `body` between BEGIN IMMEDIATE and COMMIT on the writer (whose mutex the caller
  // holds); rolls back when it fails. The statements of `body` are done before COMMIT.
  template <class Body>
  auto InTransaction(Body&& body) -> decltype(body(std::declval<Connection&>())) {
    Connection& c = *writer_;
    DS_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
    auto outcome = body(c);
    if (!outcome.ok()) {
      Rollback(c);
      return outcome;
    }
    DS_RETURN_IF_ERROR(c.Exec("COMMIT"));
    return outcome;
  }

  // A read of at most one row on a read connection: NotFound when there is none.
  template <class T, class Reader>
  Result<T> Read(const std::string& sql, std::initializer_list<std::string_view> params,
                 const std::string& what, Reader&& read) {
    for (std::string_view p : params) DS_RETURN_IF_ERROR(sql::CheckText(p, "an id"));
    ReaderLease reader(this);
    Statement q(*reader, sql);
    int i = 0;
    for (std::string_view p : params) q.Bind(++i, p);
    if (q.Step() != SQLITE_ROW) return RowOr(q, what, reader->db());
    return read(q);
  }

  // Every row a read statement gives, through `read`; an engine error names `what`.
  template <class T, class Reader>
  Result<std::vector<T>> ReadRows(Statement& q, Connection& c, const char* what, Reader&& read) {
    std::vector<T> out;
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) out.push_back(read(q));
    if (rc != SQLITE_DONE) return Error(what, c.db());
    return out;
  }

  Status ApplyMigrations(Connection& c) {
    DS_RETURN_IF_ERROR(
        c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
               "applied_at INTEGER NOT NULL)"));
    int applied;
    {
      Statement q(c, "SELECT coalesce(max(version), 0) FROM schema_migrations");
      if (q.Step() != SQLITE_ROW) return Error("reading the schema version");
      applied = static_cast<int>(q.Int(0));
    }
    for (const Migration& m : Migrations(Dialect::kSqlite)) {
      if (m.version <= applied) continue;
      DS_RETURN_IF_ERROR(c.Exec(m.sql));
      Statement mark(c, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
      mark.Bind(1, m.version).Bind(2, Now());
      if (mark.Step() != SQLITE_DONE) {
        return Error("recording migration " + std::to_string(m.version));
      }
    }
    return Status::Ok();
  }

  // The story the job reserved goes back to its month's count, if that month still runs.
  Status GiveBackStory(Connection& c, const Job& job) {
    if (job.quota_month.empty()) return Status::Ok();
    Statement q(c,
                "UPDATE users SET stories_this_month = stories_this_month - 1 WHERE id = ? AND "
                "stories_month = ? AND stories_this_month > 0");
    q.Bind(1, job.user_id).Bind(2, job.quota_month);
    if (q.Step() != SQLITE_DONE) return Error("giving back a reserved story");
    return Status::Ok();
  }

  static const std::string& InsertStorySql() {
    static const std::string sql = [] {
      std::string s =
          std::string("INSERT INTO stories (") + sql::kStoryInsertColumns + ") VALUES (";
      for (int i = 1; i <= sql::kStoryInsertCount; ++i) s += i > 1 ? ", ?" : "?";
      return s + ")";
    }();
    return sql;
  }
  static void BindStory(Statement& q, const StoryRecord& s, std::string_view id, int64_t now) {
    sql::StoryValues(
        s, id, now, [&q](int i, auto value) { q.Bind(i, value); }, [&q](int i) { q.BindNull(i); });
  }
  Status StoryError(int rc, const StoryRecord& s) {
    if (rc != SQLITE_CONSTRAINT) return Error("saving a story");
    const std::string why = sqlite3_errmsg(writer_->db());
    if (why.find("FOREIGN KEY") != std::string::npos) {
      return Status::NotFound("user " + s.user_id + " does not exist");
    }
    if (why.find("stories.job_id") != std::string::npos) {
      return Status::AlreadyExists("job " + s.job_id + " already has its story");
    }
    return Status::InvalidArgument("the story document is not JSON");
  }

  // After a lease write that changed nothing: Cancelled when the attempt's job was cancelled,
  // else FailedPrecondition.
  Status NotHeld(Connection& c, std::string_view job_id, std::string_view lease_token) {
    Statement q(c, "SELECT status FROM jobs WHERE id = ? AND lease_token = ?");
    q.Bind(1, job_id).Bind(2, lease_token);
    if (q.Step() == SQLITE_ROW && q.Text(0) == "cancelled") {
      return sql::CancelledWhileRunning(job_id);
    }
    return sql::LostLease(job_id);
  }
  Status LeaseWrite(Statement& q, std::string_view job_id, std::string_view lease_token) {
    if (q.Step() != SQLITE_DONE) return Error("writing job " + std::string(job_id));
    return q.Changes() > 0 ? Status::Ok() : NotHeld(*writer_, job_id, lease_token);
  }

  // After a failure inside a transaction: the failure is what the caller needs to hear, and
  // SQLite rolls back by itself if even ROLLBACK fails.
  static void Rollback(Connection& c) { static_cast<void>(c.Exec("ROLLBACK")); }

  Status Error(const std::string& what, sqlite3* db = nullptr) const {
    return Status::Unavailable("sqlite: " + what + ": " + sqlite3_errmsg(db ? db : writer_->db()));
  }
  // After a SELECT or UPDATE … RETURNING that gave no row: NotFound, or the engine's error.
  Status RowOr(const Statement& q, const std::string& what, sqlite3* db = nullptr) const {
    return q.rc() == SQLITE_DONE ? Status::NotFound(what + " does not exist") : Error(what, db);
  }
  Status Changed(Statement& q, const std::string& what) const {
    if (q.Step() != SQLITE_DONE) return Error(what);
    return q.Changes() > 0 ? Status::Ok() : Status::NotFound(what + " does not exist");
  }

  User ReadUser(const Statement& q) const { return sql::ReadUser(q, options_.tiers); }
  static StoryRecord ReadStory(const Statement& q) { return sql::ReadStory(q); }
  static Job ReadJob(const Statement& q) { return sql::ReadJob(q); }
  static Session ReadSession(const Statement& q) { return sql::ReadSession(q); }

  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  size_t reader_count_ = idle_readers_.size();
  const StoreOptions options_;
  const SystemClock system_clock_;
};

Result<std::unique_ptr<Connection>> OpenConnection(const std::string& path, bool read_only,
                                                   bool full_sync) {
  sqlite3* db = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Status::Unavailable("sqlite: cannot open " + EscapeControl(path) + ": " + message);
  }
  auto c = std::make_unique<Connection>(db);
  sqlite3_busy_timeout(db, 5000);
  DS_RETURN_IF_ERROR(c->Exec("PRAGMA foreign_keys=ON"));
  if (!read_only) {
    DS_RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode=WAL"));
    DS_RETURN_IF_ERROR(
        c->Exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  }
  return c;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& sqlite,
                                               const StoreOptions& options) {
  DS_ASSIGN_OR_RETURN(auto writer, OpenConnection(path, /*read_only=*/false, sqlite.full_sync));
  std::vector<std::unique_ptr<Connection>> readers;
  // An in-memory database is private to its connection: it reads through the writer.
  if (path != ":memory:") {
    for (int i = 0; i < sqlite.readers; ++i) {
      DS_ASSIGN_OR_RETURN(auto reader, OpenConnection(path, /*read_only=*/true, false));
      readers.push_back(std::move(reader));
    }
  }
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(std::move(writer), std::move(readers), options));
}

}  // namespace datastory::store
