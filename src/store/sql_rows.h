// What the two SQL engines share (private to the store module): the column lists both select,
// the readers that turn a row into a model, the checks both make before writing, the story
// cursor, the retry delay and the lease errors. A reader takes any row type with Int(col),
// Text(col), IsNull(col) and Bool(col), so each engine adapts its own result API once.
#ifndef DATASTORY_STORE_SQL_ROWS_H_
#define DATASTORY_STORE_SQL_ROWS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "datastory/result.h"
#include "store/models.h"
#include "store/store.h"

namespace datastory::store::sql {

inline constexpr const char* kUserColumns =
    "id, email, password_hash, tier, stories_this_month, stories_month, created_at, updated_at";
inline constexpr const char* kStoryColumns =
    "id, user_id, job_id, title, original_filename, storage_key, row_count, column_count, "
    "file_size, summary, key_findings, recommendations, document_json, visibility, share_token, "
    "processing_time_ms, created_at, updated_at";
// The same with an empty document in place of the stored one (StoryParts::kHead).
inline constexpr const char* kStoryHeadColumns =
    "id, user_id, job_id, title, original_filename, storage_key, row_count, column_count, "
    "file_size, summary, key_findings, recommendations, '{}', visibility, share_token, "
    "processing_time_ms, created_at, updated_at";
inline const char* StoryColumns(StoryParts parts) {
  return parts == StoryParts::kWhole ? kStoryColumns : kStoryHeadColumns;
}
// The columns an INSERT of a story names, in the order of StoryValues below.
inline constexpr const char* kStoryInsertColumns =
    "id, user_id, job_id, title, original_filename, storage_key, row_count, column_count, "
    "file_size, summary, key_findings, recommendations, document_json, visibility, "
    "processing_time_ms, created_at, updated_at";
inline constexpr int kStoryInsertCount = 17;
inline constexpr const char* kJobColumns =
    "id, user_id, status, current_stage, progress, options_json, idempotency_key, story_id, "
    "error_code, error_message, attempts, max_attempts, quota_month, max_rows, lease_owner, "
    "lease_token, lease_expires_at, run_after, created_at, updated_at";
inline constexpr const char* kUploadColumns =
    "id, user_id, storage_key, original_filename, content_type, size, preview_json, created_at";
// After a story is deleted ($1 its owner, $2 its file): the upload of that file goes too when no
// other story of the owner was told from it. Returns the file's key when it went. ($n works in
// SQLite too, as numbered parameters.)
inline constexpr const char* kDeleteFreedUpload =
    "DELETE FROM uploads WHERE user_id = $1 AND storage_key = $2 AND NOT EXISTS (SELECT 1 FROM "
    "stories WHERE user_id = $1 AND storage_key = $2) RETURNING storage_key";
inline constexpr const char* kApiTokenColumns =
    "id, user_id, name, token_hash, created_at, expires_at, last_used_at";
inline constexpr const char* kSessionColumns =
    "id, user_id, token_hash, created_at, last_activity_at, idle_timeout_ms, expires_at, "
    "user_agent, ip_address, remember_me";

// --- Checks both engines make, so that they refuse the same bad data the same way.

// An email needs something before and after its '@' (InvalidArgument).
Status CheckEmail(std::string_view email);
// A lease lasts 1 ms to a day (InvalidArgument).
Status CheckLease(int64_t lease_ms);
// Text bound for the database holds no NUL byte (InvalidArgument naming `what`).
Status CheckText(std::string_view text, std::string_view what);

// The story cursor is "<created_at>.<id>" of the last story of a page; the next page starts
// strictly after it in (created_at, id) descending order. An empty cursor is the first page.
struct StoryCursor {
  int64_t created_at = INT64_MAX;
  std::string id = "~";  // sorts after every id
};
Result<StoryCursor> ParseStoryCursor(std::string_view cursor);
std::string MakeStoryCursor(const StoryRecord& last);

// The delay before attempt `attempts` + 1: base × 2^(attempts − 1) within ±10% at random, and
// never over max_delay (a capped delay is within 10% below it).
int64_t RetryDelay(const RetryPolicy& policy, int64_t attempts);

// A write from a worker that does not hold the job's lease.
Status LostLease(std::string_view job_id);
// A write from a worker whose job was cancelled while it ran.
Status CancelledWhileRunning(std::string_view job_id);

// How the month's story count reads at `month` (the month only moves forward: a clock behind
// the stored month counts against the stored one).
inline int EffectiveStoryCount(const User& user, const std::string& month) {
  return month > user.stories_month ? 0 : user.stories_this_month;
}
// The first job of an idempotency key, when the retry asks for the same thing; else the
// refusal of a key reused for another request.
Result<Job> SameRequest(Job first, const NewJob& retry);
// The refusal when the month's stories are used up.
Status QuotaExceeded(const User& user, const TierTable& tiers);

// Calls `bind(position, value)` for the values of kStoryInsertColumns (positions 1, 2 …);
// a story without a job gets NULL there (`null` is passed for it).
template <class Bind, class BindNull>
void StoryValues(const StoryRecord& s, std::string_view id, int64_t now, Bind&& bind,
                 BindNull&& null) {
  bind(1, id);
  bind(2, std::string_view{s.user_id});
  if (s.job_id.empty()) {
    null(3);
  } else {
    bind(3, std::string_view{s.job_id});
  }
  bind(4, std::string_view{s.title});
  bind(5, std::string_view{s.dataset.original_filename});
  bind(6, std::string_view{s.dataset.storage_key});
  bind(7, s.dataset.row_count);
  bind(8, s.dataset.column_count);
  bind(9, s.dataset.file_size);
  bind(10, std::string_view{s.summary});
  bind(11, std::string_view{s.key_findings});
  bind(12, std::string_view{s.recommendations});
  bind(13, std::string_view{s.document_json});
  bind(14, VisibilityName(s.visibility));
  bind(15, s.processing_time_ms);
  bind(16, now);
  bind(17, now);
}
// The checks of a story's text before it is written.
Status CheckStory(const StoryRecord& s);

template <class Row>
User ReadUser(const Row& r, const TierTable& tiers) {
  User u;
  u.id = r.Text(0);
  u.email = r.Text(1);
  u.password_hash = r.Text(2);
  u.tier = ParseTier(r.Text(3)).value_or(Tier::kFree);
  u.stories_this_month = static_cast<int>(r.Int(4));
  u.stories_month = r.Text(5);
  u.created_at = r.Int(6);
  u.updated_at = r.Int(7);
  u.limits = tiers.Get(u.tier);
  return u;
}

template <class Row>
StoryRecord ReadStory(const Row& r) {
  StoryRecord s;
  s.id = r.Text(0);
  s.user_id = r.Text(1);
  if (!r.IsNull(2)) s.job_id = r.Text(2);
  s.title = r.Text(3);
  s.dataset = {r.Text(4), r.Text(5), r.Int(6), r.Int(7), r.Int(8)};
  s.summary = r.Text(9);
  s.key_findings = r.Text(10);
  s.recommendations = r.Text(11);
  s.document_json = r.Text(12);
  s.visibility = r.Text(13) == "public" ? Visibility::kPublic : Visibility::kPrivate;
  if (!r.IsNull(14)) s.share_token = r.Text(14);
  s.processing_time_ms = r.Int(15);
  s.created_at = r.Int(16);
  s.updated_at = r.Int(17);
  return s;
}

template <class Row>
Job ReadJob(const Row& r) {
  Job j;
  j.id = r.Text(0);
  j.user_id = r.Text(1);
  j.status = ParseJobStatus(r.Text(2)).value_or(JobStatus::kQueued);
  j.current_stage = r.Text(3);
  j.progress = static_cast<int>(r.Int(4));
  j.options_json = r.Text(5);
  if (!r.IsNull(6)) j.idempotency_key = r.Text(6);
  if (!r.IsNull(7)) j.story_id = r.Text(7);
  if (!r.IsNull(8)) j.error = JobError{r.Text(8), r.Text(9)};
  j.attempts = static_cast<int>(r.Int(10));
  j.max_attempts = static_cast<int>(r.Int(11));
  j.quota_month = r.Text(12);
  j.max_rows = r.Int(13);
  j.lease_owner = r.Text(14);
  j.lease_token = r.Text(15);
  j.lease_expires_at = r.Int(16);
  j.run_after = r.Int(17);
  j.created_at = r.Int(18);
  j.updated_at = r.Int(19);
  return j;
}

template <class Row>
UploadRecord ReadUpload(const Row& r) {
  UploadRecord u;
  u.id = r.Text(0);
  u.user_id = r.Text(1);
  u.storage_key = r.Text(2);
  u.original_filename = r.Text(3);
  u.content_type = r.Text(4);
  u.size = r.Int(5);
  u.preview_json = r.Text(6);
  u.created_at = r.Int(7);
  return u;
}

template <class Row>
ApiToken ReadApiToken(const Row& r) {
  ApiToken t;
  t.id = r.Text(0);
  t.user_id = r.Text(1);
  t.name = r.Text(2);
  t.token_hash = r.Text(3);
  t.created_at = r.Int(4);
  t.expires_at = r.Int(5);
  t.last_used_at = r.Int(6);
  return t;
}

// The checks of an upload's text before it is written.
Status CheckUpload(const UploadRecord& u);

template <class Row>
Session ReadSession(const Row& r) {
  Session s;
  s.id = r.Text(0);
  s.user_id = r.Text(1);
  s.token_hash = r.Text(2);
  s.created_at = r.Int(3);
  s.last_activity_at = r.Int(4);
  s.idle_timeout_ms = r.Int(5);
  s.expires_at = r.Int(6);
  s.user_agent = r.Text(7);
  s.ip_address = r.Text(8);
  s.remember_me = r.Bool(9);
  return s;
}

}  // namespace datastory::store::sql

#endif  // DATASTORY_STORE_SQL_ROWS_H_
