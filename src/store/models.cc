#include "store/models.h"

#include <algorithm>
#include <array>

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

int User::StoriesThisMonth(int64_t now_millis) const {
  return MonthOf(now_millis) > stories_month ? 0 : stories_this_month;
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
  lease_token.clear();
}

}  // namespace datastory::store
