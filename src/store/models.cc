#include "store/models.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "table/value_parse.h"

namespace datastory::store {
namespace {

constexpr std::array<std::string_view, 4> kTierNames = {"free", "professional", "business",
                                                        "enterprise"};

}  // namespace

std::string_view TierName(Tier tier) { return kTierNames[static_cast<size_t>(tier)]; }

std::optional<Tier> ParseTier(std::string_view name) {
  for (size_t i = 0; i < kTierNames.size(); ++i) {
    if (kTierNames[i] == name) return static_cast<Tier>(i);
  }
  return std::nullopt;
}

const TierLimits& TierTable::Get(Tier tier) const {
  switch (tier) {
    case Tier::kFree:
      return free;
    case Tier::kProfessional:
      return professional;
    case Tier::kBusiness:
      return business;
    case Tier::kEnterprise:
      return enterprise;
  }
  return free;
}

TierLimits GetTierLimits(Tier tier, const TierTable& table) { return table.Get(tier); }

std::string MonthOf(int64_t millis) {
  int64_t seconds = millis >= 0 ? millis / 1000 : -((-millis + 999) / 1000);
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t y;
  unsigned m, d;
  table::CivilFromDays(days, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u", static_cast<long long>(y), m);
  return buf;
}

int User::StoriesThisMonth(int64_t now_millis) const {
  return stories_month == MonthOf(now_millis) ? stories_this_month : 0;
}

bool User::CanCreateStory(int64_t now_millis) const {
  return limits.stories_per_month < 0 || StoriesThisMonth(now_millis) < limits.stories_per_month;
}

std::string_view VisibilityName(Visibility visibility) {
  return visibility == Visibility::kPublic ? "public" : "private";
}

namespace {
constexpr std::array<std::string_view, 5> kJobStatusNames = {"queued", "processing", "completed",
                                                             "failed", "cancelled"};
}  // namespace

std::string_view JobStatusName(JobStatus status) {
  return kJobStatusNames[static_cast<size_t>(status)];
}

std::optional<JobStatus> ParseJobStatus(std::string_view name) {
  for (size_t i = 0; i < kJobStatusNames.size(); ++i) {
    if (kJobStatusNames[i] == name) return static_cast<JobStatus>(i);
  }
  return std::nullopt;
}

bool Job::UpdateProgress(std::string_view stage, int percent) {
  percent = std::clamp(percent, 0, 100);
  if (percent < progress) return false;
  bool changed = percent != progress || stage != current_stage;
  progress = percent;
  current_stage = std::string(stage);
  return changed;
}

void Job::MarkAsFailed(std::string code, std::string message) {
  status = JobStatus::kFailed;
  error = JobError{std::move(code), std::move(message)};
  lease_owner.clear();
}

}  // namespace datastory::store
