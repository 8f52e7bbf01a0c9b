// The platform's four models, with the fields and methods of the original platform (DESIGN.md
// §3): User, Story, Job and Session. Plain values; a Store persists them. JSON keys elsewhere
// stay camelCase (storiesThisMonth …); C++ names follow STYLE.md.
//
// Every id is 128 random bits written as a UUID v4 ("3f2c…-4…"), never a sequence number, so
// an id reveals nothing (how many users, which came first) and cannot be guessed.
#ifndef DATASTORY_STORE_MODELS_H_
#define DATASTORY_STORE_MODELS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/calendar.h"

namespace datastory::store {

enum class Tier { kFree, kProfessional, kBusiness, kEnterprise };
std::string_view TierName(Tier tier);  // "free", "professional", "business", "enterprise"
std::optional<Tier> ParseTier(std::string_view name);

// What a tier allows. -1 means no limit.
struct TierLimits {
  int stories_per_month = 0;
  int64_t max_rows = 0;
  int team_members = 0;
  int64_t max_upload_bytes = 0;  // the largest file one upload may be
};

// The documented defaults (docs/data.md), which configuration may replace:
//   free          5 stories a month,     10,000 rows,  1 member,  25 MiB a file
//   professional 50 stories a month,  1,000,000 rows,  1 member, 250 MiB a file
//   business    500 stories a month, 10,000,000 rows, 10 members,  2 GiB a file
//   enterprise  no limits but 10 GiB a file.
struct TierTable {
  TierLimits free{5, 10'000, 1, int64_t{25} << 20};
  TierLimits professional{50, 1'000'000, 1, int64_t{250} << 20};
  TierLimits business{500, 10'000'000, 10, int64_t{2} << 30};
  TierLimits enterprise{-1, -1, -1, int64_t{10} << 30};

  const TierLimits& Get(Tier tier) const;
};

struct User {
  std::string id;
  std::string email;          // unique, compared without case
  std::string password_hash;  // bcrypt, never the password
  Tier tier = Tier::kFree;
  int stories_this_month = 0;
  std::string stories_month;  // the month stories_this_month counts, "2026-11"
  TierLimits limits;          // the tier's limits when the user was read
  int64_t created_at = 0, updated_at = 0;

  // stories_this_month as of `now`: 0 once a later month has begun. (A clock behind the
  // stored month still counts against it: the month only moves forward.)
  int StoriesThisMonth(int64_t now_millis) const;
  // Whether one more story fits the tier's monthly limit as of `now`.
  bool CanCreateStory(int64_t now_millis) const;
};

// The original platform's static User.getTierLimits(tier).
TierLimits GetTierLimits(Tier tier, const TierTable& table = TierTable());

enum class Visibility { kPrivate, kPublic };
std::string_view VisibilityName(Visibility visibility);  // "private", "public"

struct DatasetInfo {
  std::string original_filename;
  std::string storage_key;  // where the upload lives in the BlobStore
  int64_t row_count = 0;
  int64_t column_count = 0;
  int64_t file_size = 0;
};

struct StoryRecord {
  std::string id;
  std::string user_id;
  std::string job_id;  // the job that made it, or empty; a job makes at most one story
  std::string title;
  DatasetInfo dataset;
  std::string summary, key_findings, recommendations;  // the narratives
  std::string document_json = "{}";  // the whole story JSON (DESIGN.md §4), as text
  Visibility visibility = Visibility::kPrivate;
  // The token of the story's share link while it is public; empty while private. Making a
  // story private again kills the link, and sharing it again makes a new one.
  std::string share_token;
  int64_t processing_time_ms = 0;
  int64_t created_at = 0, updated_at = 0;
};

// What a read of a story returns: the whole record, or all but the document (tens of KB).
enum class StoryParts { kWhole, kHead };

// An uploaded file and what was read from it, before any story is made (the preview a person
// checks and corrects). Its bytes live in the BlobStore under storage_key.
struct UploadRecord {
  std::string id;
  std::string user_id;
  std::string storage_key;
  std::string original_filename;
  std::string content_type;
  int64_t size = 0;
  std::string preview_json = "{}";  // dialect, columns, first rows, problems (docs/api.md)
  int64_t created_at = 0;
};

// What deleting a story took with it.
struct DeletedStory {
  StoryRecord story;
  std::string freed_storage_key;  // the file no story or upload refers to any more, or empty
};

// A story's pages, kept beside it for export.
struct StoryRender {
  std::string html;
  std::string markdown;
  std::string charts_json = "[]";  // the charts as SVG, [{id, svg}], for the web UI
};

// A personal API token for scripts: named, expiring, revocable; only its SHA-256 is kept.
struct ApiToken {
  std::string id;
  std::string user_id;
  std::string name;
  std::string token_hash;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t last_used_at = 0;  // 0: never
};

struct Session {
  std::string id;
  std::string user_id;
  std::string token_hash;  // hex SHA-256 of the token; the token itself is never stored
  int64_t created_at = 0;
  int64_t last_activity_at = 0;
  int64_t idle_timeout_ms = 0;  // ends this long after the last activity …
  int64_t expires_at = 0;       // … and at this time whatever the activity
  std::string user_agent;
  std::string ip_address;
  bool remember_me = false;
  // Set by FindSession: the last recorded activity is older than the touch interval, so
  // TouchSession would write. (A request on a busy session then writes nothing at all.)
  bool touch_due = false;

  bool IsExpired(int64_t now_millis) const {
    return now_millis >= expires_at || now_millis >= last_activity_at + idle_timeout_ms;
  }
  void UpdateActivity(int64_t now_millis) { last_activity_at = now_millis; }
};

enum class JobStatus { kQueued, kProcessing, kCompleted, kFailed, kCancelled };
std::string_view JobStatusName(JobStatus status);  // "queued", "processing" …
std::optional<JobStatus> ParseJobStatus(std::string_view name);

struct JobError {
  std::string code;  // "PARSE_ERROR", "ROW_LIMIT", "LEASE_EXPIRED" …
  std::string message;
};

struct Job {
  std::string id;  // what clients see
  std::string user_id;
  JobStatus status = JobStatus::kQueued;
  std::string current_stage;
  int progress = 0;                 // 0–100
  std::string options_json = "{}";  // {"audienceLevel": "executive", …}
  std::string idempotency_key;      // the client's, or empty
  std::string story_id;             // once completed
  std::optional<JobError> error;    // the last error
  int attempts = 0;                 // claims so far
  int max_attempts = 3;
  // The month whose story the job reserved ("" when none): given back if the job fails for
  // good or is cancelled while that month lasts.
  std::string quota_month;
  int64_t max_rows = -1;    // the tier's row limit when it was enqueued; -1: none
  std::string lease_owner;  // the worker holding it while processing (for people to read)
  // The claim's secret: every write of the attempt must present it, so a worker that lost its
  // lease cannot write, even if it claims the same job again under the same name.
  std::string lease_token;
  int64_t lease_expires_at = 0;
  int64_t run_after = 0;  // not claimed before this time (back-off)
  int64_t created_at = 0, updated_at = 0;

  // The original platform's job.updateProgress(stage, pct): the percentage is clamped to
  // 0–100 and never goes back within an attempt. Returns whether anything changed.
  bool UpdateProgress(std::string_view stage, int percent);
  // job.markAsFailed(code, message): status failed, the error kept.
  void MarkAsFailed(std::string code, std::string message);
};

}  // namespace datastory::store

#endif  // DATASTORY_STORE_MODELS_H_
