// Test support: a Store that forwards to another and fails chosen calls, in the spirit of
// leveldb's EnvWrapper, so that the services above the port can be tested against database
// failures without a server: a call refused before it runs, or one that runs but whose answer
// is lost (the caller hears an error for a write that was saved).
#ifndef DATASTORY_STORE_TESTING_FAULT_STORE_H_
#define DATASTORY_STORE_TESTING_FAULT_STORE_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace datastory::store::testing {

// Forwards every call to `target`, passing through Before(name) and After(name): a hook that
// returns an error replaces the call (Before) or its answer (After). The names are the
// methods' ("CompleteJob").
class StoreWrapper : public Store {
 public:
  explicit StoreWrapper(Store* target) : target_(target) {}

  Status Migrate() override {
    return Call("Migrate", [&] { return target_->Migrate(); });
  }
  Result<int> SchemaVersion() override {
    return Call("SchemaVersion", [&] { return target_->SchemaVersion(); });
  }
  Result<User> CreateUser(const NewUser& user) override {
    return Call("CreateUser", [&] { return target_->CreateUser(user); });
  }
  Result<User> GetUser(std::string_view user_id) override {
    return Call("GetUser", [&] { return target_->GetUser(user_id); });
  }
  Result<User> FindUserByEmail(std::string_view email) override {
    return Call("FindUserByEmail", [&] { return target_->FindUserByEmail(email); });
  }
  Result<User> SetUserTier(std::string_view user_id, Tier tier) override {
    return Call("SetUserTier", [&] { return target_->SetUserTier(user_id, tier); });
  }
  Status SetPasswordHash(std::string_view user_id, std::string_view hash) override {
    return Call("SetPasswordHash", [&] { return target_->SetPasswordHash(user_id, hash); });
  }
  Result<std::vector<std::string>> DeleteUser(std::string_view user_id) override {
    return Call("DeleteUser", [&] { return target_->DeleteUser(user_id); });
  }
  Status RecordLoginFailure(std::string_view subject) override {
    return Call("RecordLoginFailure", [&] { return target_->RecordLoginFailure(subject); });
  }
  Result<LoginFailures> CountLoginFailures(std::string_view subject, int64_t window_ms) override {
    return Call("CountLoginFailures",
                [&] { return target_->CountLoginFailures(subject, window_ms); });
  }
  Status ClearLoginFailures(std::string_view subject) override {
    return Call("ClearLoginFailures", [&] { return target_->ClearLoginFailures(subject); });
  }
  Result<UploadRecord> CreateUpload(const UploadRecord& upload) override {
    return Call("CreateUpload", [&] { return target_->CreateUpload(upload); });
  }
  Result<UploadRecord> GetUpload(std::string_view owner_id, std::string_view upload_id) override {
    return Call("GetUpload", [&] { return target_->GetUpload(owner_id, upload_id); });
  }
  Result<UploadRecord> DeleteUpload(std::string_view owner_id,
                                    std::string_view upload_id) override {
    return Call("DeleteUpload", [&] { return target_->DeleteUpload(owner_id, upload_id); });
  }
  Result<StoryRender> GetStoryRender(std::string_view owner_id,
                                     std::string_view story_id) override {
    return Call("GetStoryRender", [&] { return target_->GetStoryRender(owner_id, story_id); });
  }
  Result<ApiToken> CreateApiToken(const NewApiToken& token) override {
    return Call("CreateApiToken", [&] { return target_->CreateApiToken(token); });
  }
  Result<ApiToken> FindApiToken(std::string_view token_hash) override {
    return Call("FindApiToken", [&] { return target_->FindApiToken(token_hash); });
  }
  Result<std::vector<ApiToken>> ListApiTokens(std::string_view user_id) override {
    return Call("ListApiTokens", [&] { return target_->ListApiTokens(user_id); });
  }
  Status DeleteApiToken(std::string_view user_id, std::string_view token_id) override {
    return Call("DeleteApiToken", [&] { return target_->DeleteApiToken(user_id, token_id); });
  }
  Result<StoryRecord> CreateStory(const StoryRecord& story) override {
    return Call("CreateStory", [&] { return target_->CreateStory(story); });
  }
  Result<StoryRecord> GetStory(std::string_view owner_id, std::string_view story_id,
                               StoryParts parts) override {
    return Call("GetStory", [&] { return target_->GetStory(owner_id, story_id, parts); });
  }
  Result<StoryRecord> GetSharedStory(std::string_view share_token, StoryParts parts) override {
    return Call("GetSharedStory", [&] { return target_->GetSharedStory(share_token, parts); });
  }
  Result<StoryPage> ListStories(std::string_view owner_id, std::string_view cursor,
                                int limit) override {
    return Call("ListStories", [&] { return target_->ListStories(owner_id, cursor, limit); });
  }
  Result<StoryRecord> UpdateStory(std::string_view owner_id, std::string_view story_id,
                                  const StoryUpdate& update) override {
    return Call("UpdateStory", [&] { return target_->UpdateStory(owner_id, story_id, update); });
  }
  Result<DeletedStory> DeleteStory(std::string_view owner_id, std::string_view story_id) override {
    return Call("DeleteStory", [&] { return target_->DeleteStory(owner_id, story_id); });
  }
  Result<Job> EnqueueJob(const NewJob& job) override {
    return Call("EnqueueJob", [&] { return target_->EnqueueJob(job); });
  }
  Result<Job> GetJob(std::string_view owner_id, std::string_view job_id) override {
    return Call("GetJob", [&] { return target_->GetJob(owner_id, job_id); });
  }
  Result<Job> ClaimJob(std::string_view worker, int64_t lease_ms) override {
    return Call("ClaimJob", [&] { return target_->ClaimJob(worker, lease_ms); });
  }
  Status Heartbeat(std::string_view job_id, std::string_view token, int64_t lease_ms) override {
    return Call("Heartbeat", [&] { return target_->Heartbeat(job_id, token, lease_ms); });
  }
  Status UpdateJobProgress(std::string_view job_id, std::string_view token, std::string_view stage,
                           int percent) override {
    return Call("UpdateJobProgress",
                [&] { return target_->UpdateJobProgress(job_id, token, stage, percent); });
  }
  Result<Job> CompleteJob(std::string_view job_id, std::string_view token, const StoryRecord& story,
                          const StoryRender& render) override {
    return Call("CompleteJob", [&] { return target_->CompleteJob(job_id, token, story, render); });
  }
  Result<Job> FailJob(std::string_view job_id, std::string_view token, const JobError& error,
                      bool permanent) override {
    return Call("FailJob", [&] { return target_->FailJob(job_id, token, error, permanent); });
  }
  Status ReleaseJob(std::string_view job_id, std::string_view token) override {
    return Call("ReleaseJob", [&] { return target_->ReleaseJob(job_id, token); });
  }
  Result<Job> CancelJob(std::string_view owner_id, std::string_view job_id) override {
    return Call("CancelJob", [&] { return target_->CancelJob(owner_id, job_id); });
  }
  Result<std::unique_ptr<JobListener>> ListenJobEvents(
      std::function<void(const std::string& job_id)> on_change) override {
    return target_->ListenJobEvents(std::move(on_change));
  }
  Result<std::map<JobStatus, int64_t>> CountJobs() override {
    return Call("CountJobs", [&] { return target_->CountJobs(); });
  }
  Result<int64_t> RescueExpiredJobs() override {
    return Call("RescueExpiredJobs", [&] { return target_->RescueExpiredJobs(); });
  }
  Result<Session> CreateSession(const NewSession& session) override {
    return Call("CreateSession", [&] { return target_->CreateSession(session); });
  }
  Result<Session> FindSession(std::string_view token_hash) override {
    return Call("FindSession", [&] { return target_->FindSession(token_hash); });
  }
  Result<bool> TouchSession(std::string_view session_id) override {
    return Call("TouchSession", [&] { return target_->TouchSession(session_id); });
  }
  Result<std::vector<Session>> ListSessions(std::string_view user_id) override {
    return Call("ListSessions", [&] { return target_->ListSessions(user_id); });
  }
  Status DeleteSession(std::string_view user_id, std::string_view session_id) override {
    return Call("DeleteSession", [&] { return target_->DeleteSession(user_id, session_id); });
  }
  Result<int64_t> DeleteUserSessions(std::string_view user_id,
                                     std::string_view except_session_id) override {
    return Call("DeleteUserSessions",
                [&] { return target_->DeleteUserSessions(user_id, except_session_id); });
  }
  Result<int64_t> CleanupExpiredSessions() override {
    return Call("CleanupExpiredSessions", [&] { return target_->CleanupExpiredSessions(); });
  }

 protected:
  // An error replaces the call: it does not run.
  virtual Status Before(const char* /*name*/) { return Status::Ok(); }
  // An error replaces the answer of a call that ran.
  virtual Status After(const char* /*name*/) { return Status::Ok(); }

 private:
  template <class Forward>
  auto Call(const char* name, Forward&& forward) -> decltype(forward()) {
    DS_RETURN_IF_ERROR(Before(name));
    auto outcome = forward();
    DS_RETURN_IF_ERROR(After(name));
    return outcome;
  }

  Store* target_;
};

// Fails the next `times` calls of a method (every one: times = -1), before they run or after
// (the answer lost); counts the calls that ran. Thread-safe.
class FaultyStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;

  void FailBefore(const std::string& name, Status status, int times = 1) {
    std::lock_guard lock(mu_);
    before_[name] = {std::move(status), times};
  }
  void LoseAnswer(const std::string& name, Status status, int times = 1) {
    std::lock_guard lock(mu_);
    after_[name] = {std::move(status), times};
  }
  int64_t calls(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(name);
    return it == calls_.end() ? 0 : it->second;
  }

 protected:
  Status Before(const char* name) override {
    std::lock_guard lock(mu_);
    if (Status s = Take(before_, name); !s.ok()) return s;
    ++calls_[name];
    return Status::Ok();
  }
  Status After(const char* name) override {
    std::lock_guard lock(mu_);
    return Take(after_, name);
  }

 private:
  using Faults = std::map<std::string, std::pair<Status, int>>;
  static Status Take(Faults& faults, const char* name) {
    auto it = faults.find(name);
    if (it == faults.end() || it->second.second == 0) return Status::Ok();
    if (it->second.second > 0) --it->second.second;
    return it->second.first;
  }

  mutable std::mutex mu_;
  Faults before_, after_;
  std::map<std::string, int64_t> calls_;
};

}  // namespace datastory::store::testing

#endif  // DATASTORY_STORE_TESTING_FAULT_STORE_H_
