// Store: the port through which the platform keeps its state (DESIGN.md §3). Engines: SQLite
// (sqlite://path, the embedded default) and PostgreSQL (postgres://…, for several processes),
// behind the same interface and the same test suite.
//
// Ownership is part of every signature: a method that reads or changes a user's story, job or
// session takes the owner's id, and another user's object is NotFound exactly like a missing
// one. The few paths without an owner say so: FindUserByEmail (logging in), FindSession (a
// request's token), GetSharedStory (a public link), SetUserTier and CleanupExpiredSessions
// (administration), and the worker's job methods, which hold a lease instead.
//
// Time: on PostgreSQL every time the store compares or writes (leases, the month of the story
// count, session expiry) is the database's own clock, so processes on hosts whose clocks
// disagree still agree; SQLite lives on one host and uses its clock. A test pins the time with
// StoreOptions::clock.
//
// Every method is thread-safe. Failures are Status codes: NotFound, AlreadyExists (a taken
// email, any case), ResourceExhausted (the month's stories, reason QUOTA_EXCEEDED),
// InvalidArgument (bad data: not JSON, a NUL byte, no email, a lease of 0 ms — both engines
// alike), FailedPrecondition (a lease no longer held, a job already finished), Cancelled (the
// job was cancelled while running), Unavailable (the engine).
#ifndef DATASTORY_STORE_STORE_H_
#define DATASTORY_STORE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "datastory/result.h"
#include "store/models.h"

namespace datastory::store {

// The reasons (Status::reason) of a refused enqueue: the month's stories are used up; an
// idempotency key already used with other options.
inline constexpr const char* kQuotaExceeded = "QUOTA_EXCEEDED";
inline constexpr const char* kIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED";

struct NewUser {
  std::string email;
  std::string password_hash;
  Tier tier = Tier::kFree;
};

struct NewJob {
  std::string user_id;
  std::string options_json = "{}";
  int max_attempts = 3;
  // A client's key for this request: enqueueing again with the same key and options (a retry,
  // even a concurrent one) returns the first job and reserves nothing more; the same key with
  // other options is refused (FailedPrecondition). Empty: no key.
  std::string idempotency_key;
};

struct NewSession {
  std::string user_id;
  std::string token_hash;  // hex SHA-256 of the token
  bool remember_me = false;
  std::string user_agent;
  std::string ip_address;
};

struct NewApiToken {
  std::string user_id;
  std::string name;
  std::string token_hash;  // hex SHA-256 of the token
  int64_t lifetime_ms = int64_t{90} * 24 * 60 * 60 * 1000;
};

// Failed log-ins of one subject ("account:<email>" or "ip:<address>") within a window.
struct LoginFailures {
  int64_t count = 0;
  int64_t oldest_at = 0;  // the first failure still in the window (0 when none)
  int64_t now = 0;        // the store's clock, to tell when the window frees up
};

// What changes in a story; unset fields stay as they are.
struct StoryUpdate {
  std::optional<std::string> title;
  std::optional<Visibility> visibility;
  std::optional<std::string> document_json;  // the document again, with the new title
};

// How a failed attempt is retried: after base × 2^(attempt − 1), within ±10% (random, so that
// workers do not retry in step), at most max_delay.
struct RetryPolicy {
  int64_t base_delay_ms = 1000;
  int64_t max_delay_ms = int64_t{5} * 60 * 1000;
};

// How long a session lives: it ends after idle_ms without activity, and absolute_ms after it
// began whatever the activity (longer for "remember me"). Activity is written at most once per
// touch_interval_ms, so a busy session does not write on every request.
struct SessionPolicy {
  int64_t idle_ms = int64_t{30} * 60 * 1000;                         // 30 minutes
  int64_t absolute_ms = int64_t{12} * 60 * 60 * 1000;                // 12 hours
  int64_t remember_idle_ms = int64_t{7} * 24 * 60 * 60 * 1000;       // 7 days
  int64_t remember_absolute_ms = int64_t{30} * 24 * 60 * 60 * 1000;  // 30 days
  int64_t touch_interval_ms = 60 * 1000;
};

struct StoreOptions {
  // The time, pinned by tests; null: the database's clock (PostgreSQL) or the system clock
  // (SQLite). Must outlive the store.
  const Clock* clock = nullptr;
  TierTable tiers;
  RetryPolicy retry;
  SessionPolicy sessions;
};

struct StoryPage {
  std::vector<StoryRecord> stories;  // newest first
  std::string next_cursor;           // empty on the last page
};

// Listening for job events goes on while this lives.
class JobListener {
 public:
  virtual ~JobListener() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies the numbered migrations not yet applied. Safe to run twice, and from two processes
  // at once (one waits for the other).
  virtual Status Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;

  // --- Users
  virtual Result<User> CreateUser(const NewUser& user) = 0;
  virtual Result<User> GetUser(std::string_view user_id) = 0;
  // Logging in: any case of the address.
  virtual Result<User> FindUserByEmail(std::string_view email) = 0;
  // Administration.
  virtual Result<User> SetUserTier(std::string_view user_id, Tier tier) = 0;
  virtual Status SetPasswordHash(std::string_view user_id, std::string_view password_hash) = 0;
  // Deletes the user with everything they own (sessions, tokens, uploads, jobs, stories) in one
  // transaction, and returns the blob keys their uploads and stories referred to, for the
  // caller to remove.
  virtual Result<std::vector<std::string>> DeleteUser(std::string_view user_id) = 0;

  // Failed log-ins, counted in the database so that every process sees the same: recorded by
  // subject, counted over a window, cleared after a success.
  virtual Status RecordLoginFailure(std::string_view subject) = 0;
  virtual Result<LoginFailures> CountLoginFailures(std::string_view subject, int64_t window_ms) = 0;
  virtual Status ClearLoginFailures(std::string_view subject) = 0;

  // --- Uploads
  // Saves an upload for upload.user_id (its id and time are the store's).
  virtual Result<UploadRecord> CreateUpload(const UploadRecord& upload) = 0;
  virtual Result<UploadRecord> GetUpload(std::string_view owner_id, std::string_view upload_id) = 0;
  virtual Result<UploadRecord> DeleteUpload(std::string_view owner_id,
                                            std::string_view upload_id) = 0;

  // --- Stories
  // Saves a story for story.user_id (its id, times and share token are the store's).
  virtual Result<StoryRecord> CreateStory(const StoryRecord& story) = 0;
  // kHead leaves the document out (document_json stays "{}"): what a reader that already holds
  // the document for this updated_at needs. updated_at grows with every change of a story, so
  // (id, updated_at) names one version of its document.
  virtual Result<StoryRecord> GetStory(std::string_view owner_id, std::string_view story_id,
                                       StoryParts parts) = 0;
  // A public story by its share link's token: the one path to a story without its owner.
  virtual Result<StoryRecord> GetSharedStory(std::string_view share_token, StoryParts parts) = 0;
  // The owner's stories, newest first, without their documents; `cursor` is empty or a
  // previous page's next_cursor.
  virtual Result<StoryPage> ListStories(std::string_view owner_id, std::string_view cursor,
                                        int limit) = 0;
  // Renames, and makes public (with a new share token) or private (the token dropped).
  virtual Result<StoryRecord> UpdateStory(std::string_view owner_id, std::string_view story_id,
                                          const StoryUpdate& update) = 0;
  // Deletes the story with its pages, and, in the same transaction, the upload it was told from
  // when no other story of the owner was told from that file: a user's data leaves with the
  // last story of it. The caller removes the returned file.
  virtual Result<DeletedStory> DeleteStory(std::string_view owner_id,
                                           std::string_view story_id) = 0;
  // The pages kept with a story made by a job; NotFound for another user's story. The pages of
  // a public story are read with its owner's id, found through GetSharedStory.
  virtual Result<StoryRender> GetStoryRender(std::string_view owner_id,
                                             std::string_view story_id) = 0;

  // --- The durable job queue
  // Enqueues a story job and reserves one of the month's stories in the same transaction:
  // ResourceExhausted (QUOTA_EXCEEDED) when they are used up, and nothing is written. The job
  // records the tier's row limit. With an idempotency key already used by this user, returns
  // the first job instead.
  virtual Result<Job> EnqueueJob(const NewJob& job) = 0;
  virtual Result<Job> GetJob(std::string_view owner_id, std::string_view job_id) = 0;
  // The oldest queued job whose back-off has passed, now processing for `worker` with a new
  // lease token, its attempts counted. NotFound when there is none.
  virtual Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) = 0;
  // The writes of an attempt, each with its lease token. FailedPrecondition when the lease is
  // no longer held (it ran out, the job was rescued, or this is an older attempt); Cancelled
  // when the job was cancelled meanwhile: the worker stops. Either way nothing changes.
  virtual Status Heartbeat(std::string_view job_id, std::string_view lease_token,
                           int64_t lease_ms) = 0;
  // Progress never goes back within an attempt: a lower percentage changes nothing.
  virtual Status UpdateJobProgress(std::string_view job_id, std::string_view lease_token,
                                   std::string_view stage, int percent) = 0;
  // Saves the story (and its pages, for export) and completes the job in one transaction: one
  // job, one story.
  virtual Result<Job> CompleteJob(std::string_view job_id, std::string_view lease_token,
                                  const StoryRecord& story, const StoryRender& render = {}) = 0;
  // A failed attempt: queued again after the back-off, or failed for good when `permanent` or
  // when its attempts are used up (and then its reserved story is given back). The error is
  // kept either way.
  virtual Result<Job> FailJob(std::string_view job_id, std::string_view lease_token,
                              const JobError& error, bool permanent) = 0;
  // Gives a running job back to the queue at once, its attempt not counted (a worker that is
  // shutting down).
  virtual Status ReleaseJob(std::string_view job_id, std::string_view lease_token) = 0;
  // Cancels a queued or processing job and gives its story back; a running attempt learns it
  // at its next write. A finished job is left as it is (FailedPrecondition).
  virtual Result<Job> CancelJob(std::string_view owner_id, std::string_view job_id) = 0;
  // Live notice, from any process, that a job's state, stage or progress changed: `on_change`
  // is called with its id on a thread of the store's, until the returned handle is destroyed.
  // PostgreSQL delivers it with LISTEN/NOTIFY (a trigger notifies on each change, on commit);
  // Unimplemented elsewhere, and the caller polls. Notices may be late or missed while the
  // listener reconnects: they are a cue to read, never the state itself.
  virtual Result<std::unique_ptr<JobListener>> ListenJobEvents(
      std::function<void(const std::string& job_id)> on_change) {
    (void)on_change;
    return Status::Unimplemented("job events need PostgreSQL; poll instead");
  }
  // Administration: how many jobs are in each state (for the metrics).
  virtual Result<std::map<JobStatus, int64_t>> CountJobs() = 0;
  // Jobs whose lease ran out (their worker died) go back to the queue, or fail with
  // LEASE_EXPIRED when their attempts are used up. Returns how many were rescued.
  virtual Result<int64_t> RescueExpiredJobs() = 0;

  // --- Sessions
  // Starts a session whose lifetimes follow the SessionPolicy (remember-me or not).
  virtual Result<Session> CreateSession(const NewSession& session) = 0;
  // The live session with this token hash: NotFound when there is none, or it has expired.
  virtual Result<Session> FindSession(std::string_view token_hash) = 0;
  // Records activity, sliding the idle timeout; writes at most once per touch interval.
  // Returns whether it wrote.
  virtual Result<bool> TouchSession(std::string_view session_id) = 0;
  // The user's live sessions, newest first.
  virtual Result<std::vector<Session>> ListSessions(std::string_view user_id) = 0;
  virtual Status DeleteSession(std::string_view user_id, std::string_view session_id) = 0;
  // Deletes all of a user's sessions but `except_session_id` (empty: all); returns how many.
  virtual Result<int64_t> DeleteUserSessions(std::string_view user_id,
                                             std::string_view except_session_id) = 0;
  // Administration: removes expired sessions and API tokens, and log-in failures older than a
  // day; returns how many sessions.
  virtual Result<int64_t> CleanupExpiredSessions() = 0;

  // --- Personal API tokens
  virtual Result<ApiToken> CreateApiToken(const NewApiToken& token) = 0;
  // The live token with this hash, its last use recorded (at most once a minute): NotFound
  // when there is none or it has expired.
  virtual Result<ApiToken> FindApiToken(std::string_view token_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListApiTokens(std::string_view user_id) = 0;
  virtual Status DeleteApiToken(std::string_view user_id, std::string_view token_id) = 0;
};

// Opens the store a DATABASE_URL names:
//   sqlite:///abs/path.db, sqlite://rel/path.db, sqlite::memory:, with optional
//   ?synchronous=full and &readers=N (read connections beside the writer, 4 by default);
//   postgres://user:pass@host:port/db (or postgresql://), with libpq's parameters and this
//   engine's pool_min (2), pool_max (10) and reconnect_ms (15000); host, port, user and
//   password left out come from PGHOST, PGPORT, PGUSER and PGPASSWORD.
// A mongodb:// URL gets "not supported, use postgres:// or sqlite://". No message repeats a
// password. Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options = {});

}  // namespace datastory::store

#endif  // DATASTORY_STORE_STORE_H_
