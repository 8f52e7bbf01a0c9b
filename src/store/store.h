// Store: the port through which the platform keeps its state (DESIGN.md §3). Engines: SQLite
// (sqlite://path, the embedded default) and PostgreSQL (postgres://…, for several processes),
// behind the same interface and the same test suite.
//
// Every method is thread-safe. Failures are Status codes: NotFound, AlreadyExists (a taken
// email, any case), ResourceExhausted (a tier limit), InvalidArgument, Unavailable (the engine).
#ifndef DATASTORY_STORE_STORE_H_
#define DATASTORY_STORE_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "datastory/result.h"
#include "store/models.h"

namespace datastory::store {

struct NewUser {
  std::string email;
  std::string password_hash;
  Tier tier = Tier::kFree;
};

struct NewJob {
  int64_t user_id = 0;
  std::string options_json = "{}";
  int max_attempts = 3;
};

// How a failed attempt is retried: after base × 2^(attempt − 1), times a random factor in
// [0.5, 1.5) so that workers do not retry in step, at most max_delay.
struct RetryPolicy {
  int64_t base_delay_ms = 1000;
  int64_t max_delay_ms = int64_t{5} * 60 * 1000;
};

struct StoryPage {
  std::vector<StoryRecord> stories;  // newest first
  std::string next_cursor;           // empty on the last page
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies the numbered migrations not yet applied. Safe to run twice, and from two processes
  // at once (one waits for the other).
  virtual Status Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;

  virtual Result<User> CreateUser(const NewUser& user) = 0;
  virtual Result<User> GetUser(int64_t id) = 0;
  virtual Result<User> FindUserByEmail(std::string_view email) = 0;  // any case
  virtual Result<User> SetUserTier(int64_t id, Tier tier) = 0;
  // Counts one story against the user's monthly limit, atomically (two requests cannot both
  // take the last one): ResourceExhausted when the month's stories are used up. The count
  // starts again when the month turns.
  virtual Result<User> CountStory(int64_t user_id) = 0;

  virtual Result<StoryRecord> CreateStory(const StoryRecord& story) = 0;
  virtual Result<StoryRecord> GetStory(int64_t id) = 0;
  // A user's stories, newest first; `cursor` is empty or a previous page's next_cursor.
  virtual Result<StoryPage> ListStories(int64_t user_id, std::string_view cursor, int limit) = 0;
  virtual Status SetStoryVisibility(int64_t id, Visibility visibility) = 0;
  virtual Status DeleteStory(int64_t id) = 0;

  // The durable job queue. A worker claims a job with a lease (lease_ms from now) and must
  // hold the lease for every later write: progress, heartbeat, completion, failure. A write
  // from a worker whose lease ran out, or was rescued by another, gets FailedPrecondition and
  // changes nothing.
  virtual Result<Job> EnqueueJob(const NewJob& job) = 0;
  virtual Result<Job> GetJob(std::string_view job_id) = 0;
  // The oldest queued job whose back-off has passed, now processing for `worker`, its attempts
  // counted. NotFound when there is none.
  virtual Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) = 0;
  virtual Status Heartbeat(std::string_view job_id, std::string_view worker, int64_t lease_ms) = 0;
  virtual Status UpdateJobProgress(std::string_view job_id, std::string_view worker,
                                   std::string_view stage, int percent) = 0;
  // Saves the story and completes the job in one transaction: one job, one story.
  virtual Result<Job> CompleteJob(std::string_view job_id, std::string_view worker,
                                  const StoryRecord& story) = 0;
  // A failed attempt: queued again after the back-off, or failed for good when `permanent` or
  // when its attempts are used up. The error is kept either way.
  virtual Result<Job> FailJob(std::string_view job_id, std::string_view worker,
                              const JobError& error, bool permanent) = 0;
  // Cancels a queued or processing job; a completed or failed one is left as it is
  // (FailedPrecondition).
  virtual Status CancelJob(std::string_view job_id) = 0;
  // Jobs whose lease ran out (their worker died) go back to the queue, or fail with
  // LEASE_EXPIRED when their attempts are used up. Returns how many were rescued.
  virtual Result<int64_t> RescueExpiredJobs() = 0;

  virtual Result<Session> CreateSession(const Session& session) = 0;
  virtual Result<Session> FindSession(std::string_view token_hash) = 0;
  virtual Status TouchSession(int64_t id) = 0;  // Session::UpdateActivity, saved
  virtual Status DeleteSession(int64_t id) = 0;
  virtual Result<int64_t> CleanupExpiredSessions() = 0;  // how many were removed
};

// Opens the store a DATABASE_URL names:
//   sqlite:///abs/path.db, sqlite://rel/path.db, sqlite::memory: (?synchronous=full may follow);
//   postgres://user:pass@host:port/db (or postgresql://), with libpq's parameters and this
//   engine's pool_min (2), pool_max (10) and reconnect_ms (15000); host, port, user and
//   password left out come from PGHOST, PGPORT, PGUSER and PGPASSWORD.
// A mongodb:// URL gets "not supported, use postgres:// or sqlite://". Does not migrate.
// `clock` and `tiers` must outlive the store.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const Clock& clock,
                                         const TierTable& tiers, const RetryPolicy& retry = {});

}  // namespace datastory::store

#endif  // DATASTORY_STORE_STORE_H_
