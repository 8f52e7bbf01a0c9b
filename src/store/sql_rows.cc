#include "store/sql_rows.h"

#include <algorithm>
#include <charconv>

#include "base/random.h"

namespace datastory::store::sql {
namespace {

bool ParseInt64(std::string_view text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

Status CheckEmail(std::string_view email) {
  const size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) {
    return Status::InvalidArgument("email \"" + std::string(email.substr(0, 200)) +
                                   "\" is not an email address");
  }
  return CheckText(email, "the email");
}

Status CheckLease(int64_t lease_ms) {
  if (lease_ms < 1 || lease_ms > int64_t{24} * 60 * 60 * 1000) {
    return Status::InvalidArgument("a lease lasts 1 ms to a day, not " + std::to_string(lease_ms) +
                                   " ms");
  }
  return Status::Ok();
}

Status CheckText(std::string_view text, std::string_view what) {
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " holds a NUL byte");
  }
  return Status::Ok();
}

Status CheckStory(const StoryRecord& s) {
  for (auto [text, what] : {std::pair<std::string_view, const char*>{s.title, "the title"},
                            {s.dataset.original_filename, "the file name"},
                            {s.dataset.storage_key, "the storage key"},
                            {s.summary, "the summary"},
                            {s.key_findings, "the key findings"},
                            {s.recommendations, "the recommendations"},
                            {s.document_json, "the story document"}}) {
    DS_RETURN_IF_ERROR(CheckText(text, what));
  }
  return Status::Ok();
}

Status CheckUpload(const UploadRecord& u) {
  for (auto [text, what] : {std::pair<std::string_view, const char*>{u.storage_key, "the key"},
                            {u.original_filename, "the file name"},
                            {u.content_type, "the content type"},
                            {u.preview_json, "the preview"}}) {
    DS_RETURN_IF_ERROR(CheckText(text, what));
  }
  return Status::Ok();
}

Result<StoryCursor> ParseStoryCursor(std::string_view cursor) {
  StoryCursor parsed;
  if (cursor.empty()) return parsed;
  const size_t dot = cursor.find('.');
  if (dot == std::string_view::npos || !ParseInt64(cursor.substr(0, dot), parsed.created_at) ||
      dot + 1 >= cursor.size() || CheckText(cursor, "").code() != StatusCode::kOk) {
    return Status::InvalidArgument("cursor \"" + std::string(cursor.substr(0, 100)) +
                                   "\" is not one this server gave out");
  }
  parsed.id = std::string(cursor.substr(dot + 1));
  return parsed;
}

std::string MakeStoryCursor(const StoryRecord& last) {
  return std::to_string(last.created_at) + "." + last.id;
}

int64_t RetryDelay(const RetryPolicy& policy, int64_t attempts) {
  const double max_delay = static_cast<double>(policy.max_delay_ms);
  const double scheduled = std::min(
      max_delay, static_cast<double>(policy.base_delay_ms) *
                     static_cast<double>(int64_t{1} << std::clamp<int64_t>(attempts - 1, 0, 30)));
  const double jitter = 0.9 + 0.2 * static_cast<double>(RandomWord() >> 11) * 0x1.0p-53;
  // The cap holds after the jitter too: a delay never passes max_delay.
  return static_cast<int64_t>(std::min(max_delay, scheduled * jitter));
}

Status LostLease(std::string_view job_id) {
  return Status::FailedPrecondition("job " + std::string(job_id) +
                                    " is not held by this worker's lease (it ran out, or the job "
                                    "was rescued or claimed again)");
}

Status CancelledWhileRunning(std::string_view job_id) {
  return Status::Cancelled("job " + std::string(job_id) + " was cancelled");
}

Result<Job> SameRequest(Job first, const NewJob& retry) {
  if (first.options_json != retry.options_json) {
    return Status::FailedPrecondition("the idempotency key \"" +
                                      retry.idempotency_key.substr(0, 100) +
                                      "\" was used for another request")
        .WithReason(kIdempotencyKeyReused);
  }
  return first;
}

Status QuotaExceeded(const User& user, const TierTable& tiers) {
  return Status::ResourceExhausted("the " + std::string(TierName(user.tier)) + " tier allows " +
                                   std::to_string(tiers.Get(user.tier).stories_per_month) +
                                   " stories a month, and this month's are used up")
      .WithReason(kQuotaExceeded);
}

}  // namespace datastory::store::sql
