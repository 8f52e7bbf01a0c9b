// What the two SQL engines share (private to the store module): the column lists both select,
// the readers that turn a row into a model, the story cursor, the retry delay and the lease
// error. A reader takes any row type with Int(col), Text(col), IsNull(col) and Bool(col), so
// each engine adapts its own result API once.
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
    "id, user_id, title, original_filename, storage_key, row_count, column_count, file_size, "
    "summary, key_findings, recommendations, charts_json, statistics_json, visibility, "
    "processing_time_ms, created_at, updated_at";
// The columns an INSERT of a story names, in the order of StoryValues below.
inline constexpr const char* kStoryInsertColumns =
    "user_id, title, original_filename, storage_key, row_count, column_count, file_size, "
    "summary, key_findings, recommendations, charts_json, statistics_json, visibility, "
    "processing_time_ms, created_at, updated_at";
inline constexpr int kStoryInsertCount = 16;
inline constexpr const char* kJobColumns =
    "id, job_id, user_id, status, current_stage, progress, options_json, story_id, error_code, "
    "error_message, attempts, max_attempts, lease_owner, lease_expires_at, run_after, created_at, "
    "updated_at";
inline constexpr const char* kSessionColumns =
    "id, user_id, token_hash, expires_at, last_activity_at, user_agent, ip_address, remember_me, "
    "created_at";

// The story cursor is "<created_at>.<id>" of the last story of a page; the next page starts
// strictly after it in (created_at, id) descending order. An empty cursor is the first page.
struct StoryCursor {
  int64_t created_at = INT64_MAX;
  int64_t id = INT64_MAX;
};
Result<StoryCursor> ParseStoryCursor(std::string_view cursor);
std::string MakeStoryCursor(const StoryRecord& last);

// The delay before attempt `attempts` + 1: base × 2^(attempts − 1) × a factor in [0.5, 1.5),
// at most max_delay.
int64_t RetryDelay(const RetryPolicy& policy, int64_t attempts);

// A write from a worker that does not hold the job's lease.
Status LostLease(std::string_view job_id);

// Calls `bind(position, value)` for the 16 values of kStoryInsertColumns (positions 1…16).
template <class Bind>
void StoryValues(const StoryRecord& s, int64_t now, Bind&& bind) {
  bind(1, s.user_id);
  bind(2, std::string_view{s.title});
  bind(3, std::string_view{s.dataset.original_filename});
  bind(4, std::string_view{s.dataset.storage_key});
  bind(5, s.dataset.row_count);
  bind(6, s.dataset.column_count);
  bind(7, s.dataset.file_size);
  bind(8, std::string_view{s.summary});
  bind(9, std::string_view{s.key_findings});
  bind(10, std::string_view{s.recommendations});
  bind(11, std::string_view{s.charts_json});
  bind(12, std::string_view{s.statistics_json});
  bind(13, VisibilityName(s.visibility));
  bind(14, s.processing_time_ms);
  bind(15, now);
  bind(16, now);
}

template <class Row>
User ReadUser(const Row& r, const TierTable& tiers) {
  User u;
  u.id = r.Int(0);
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
  s.id = r.Int(0);
  s.user_id = r.Int(1);
  s.title = r.Text(2);
  s.dataset = {r.Text(3), r.Text(4), r.Int(5), r.Int(6), r.Int(7)};
  s.summary = r.Text(8);
  s.key_findings = r.Text(9);
  s.recommendations = r.Text(10);
  s.charts_json = r.Text(11);
  s.statistics_json = r.Text(12);
  s.visibility = r.Text(13) == "public" ? Visibility::kPublic : Visibility::kPrivate;
  s.processing_time_ms = r.Int(14);
  s.created_at = r.Int(15);
  s.updated_at = r.Int(16);
  return s;
}

template <class Row>
Job ReadJob(const Row& r) {
  Job j;
  j.id = r.Int(0);
  j.job_id = r.Text(1);
  j.user_id = r.Int(2);
  j.status = ParseJobStatus(r.Text(3)).value_or(JobStatus::kQueued);
  j.current_stage = r.Text(4);
  j.progress = static_cast<int>(r.Int(5));
  j.options_json = r.Text(6);
  if (!r.IsNull(7)) j.story_id = r.Int(7);
  if (!r.IsNull(8)) j.error = JobError{r.Text(8), r.Text(9)};
  j.attempts = static_cast<int>(r.Int(10));
  j.max_attempts = static_cast<int>(r.Int(11));
  j.lease_owner = r.Text(12);
  j.lease_expires_at = r.Int(13);
  j.run_after = r.Int(14);
  j.created_at = r.Int(15);
  j.updated_at = r.Int(16);
  return j;
}

template <class Row>
Session ReadSession(const Row& r) {
  Session s;
  s.id = r.Int(0);
  s.user_id = r.Int(1);
  s.token_hash = r.Text(2);
  s.expires_at = r.Int(3);
  s.last_activity_at = r.Int(4);
  s.user_agent = r.Text(5);
  s.ip_address = r.Text(6);
  s.remember_me = r.Bool(7);
  s.created_at = r.Int(8);
  return s;
}

}  // namespace datastory::store::sql

#endif  // DATASTORY_STORE_SQL_ROWS_H_
