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

Result<StoryCursor> ParseStoryCursor(std::string_view cursor) {
  StoryCursor parsed;
  if (cursor.empty()) return parsed;
  const size_t dot = cursor.find('.');
  if (dot == std::string_view::npos || !ParseInt64(cursor.substr(0, dot), parsed.created_at) ||
      !ParseInt64(cursor.substr(dot + 1), parsed.id)) {
    return Status::InvalidArgument("cursor \"" + std::string(cursor) +
                                   "\" is not one this server gave out");
  }
  return parsed;
}

std::string MakeStoryCursor(const StoryRecord& last) {
  return std::to_string(last.created_at) + "." + std::to_string(last.id);
}

int64_t RetryDelay(const RetryPolicy& policy, int64_t attempts) {
  const double delay = static_cast<double>(policy.base_delay_ms) *
                       static_cast<double>(int64_t{1} << std::clamp<int64_t>(attempts - 1, 0, 30));
  const double jitter = 0.5 + static_cast<double>(RandomWord() >> 11) * 0x1.0p-53;  // [0.5, 1.5)
  return std::min(policy.max_delay_ms, static_cast<int64_t>(delay * jitter));
}

Status LostLease(std::string_view job_id) {
  return Status::FailedPrecondition("job " + std::string(job_id) +
                                    " is not held by this worker (its lease ran out, or it was "
                                    "cancelled or rescued)");
}

}  // namespace datastory::store::sql
