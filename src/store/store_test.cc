// The Store contract, run against both engines: SQLite in a temp file, PostgreSQL in a scratch
// database of the server pg_virtualenv started (see store/testing/scratch_postgres.h). Then
// what only processes can show: two draining one queue, and a writer killed mid-run.
#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "store/migrations.h"
#include "store/postgres_store.h"
#include "store/testing/scratch_postgres.h"
#include "store/testing/write_log.h"

namespace datastory::store {
namespace {

namespace fs = std::filesystem;

// 2026-11-25T12:00:00Z
constexpr int64_t kNow = 1795608000000;
constexpr int64_t kDay = 86400000;

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto db = testing::ScratchPostgres::Create("ds_store");
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      postgres_ = std::move(db).value();
    } else {
      dir_ = fs::temp_directory_path() /
             ("datastory-store-" + std::to_string(getpid()) + "-" + std::to_string(++counter_));
      fs::remove_all(dir_);
      fs::create_directories(dir_);
    }
    store_ = Open();
    ASSERT_TRUE(store_ && store_->Migrate().ok());
  }
  void TearDown() override {
    store_.reset();
    postgres_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  Dialect dialect() const { return postgres_ ? Dialect::kPostgres : Dialect::kSqlite; }
  std::string Url() const {
    return postgres_ ? postgres_->url() : "sqlite://" + (dir_ / "db.sqlite").string();
  }
  std::unique_ptr<Store> Open() {
    auto s = OpenStore(Url(), clock_, tiers_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  User MakeUser(const std::string& email, Tier tier = Tier::kFree) {
    auto u = store_->CreateUser({email, "$2b$12$hash", tier});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : User{};
  }
  StoryRecord StoryOf(int64_t user_id, const std::string& title) {
    StoryRecord s;
    s.user_id = user_id;
    s.title = title;
    s.dataset = {"sales.csv", "uploads/1/1795608000000-sales.csv", 500, 8, 102400};
    s.summary = "summary";
    s.key_findings = "- a";
    s.recommendations = "- b";
    s.charts_json = R"([{"id":"c1"}])";
    s.statistics_json = R"({"trends":[]})";
    s.processing_time_ms = 12;
    return s;
  }

  static inline int counter_ = 0;
  std::unique_ptr<testing::ScratchPostgres> postgres_;
  fs::path dir_;
  FakeClock clock_{kNow};
  TierTable tiers_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, MigrationsAreNumberedAndIdempotent) {
  const int latest = Migrations(dialect()).back().version;
  EXPECT_EQ(latest, static_cast<int>(Migrations(dialect()).size()));  // 1, 2, … no gaps
  // Both dialects have the same migrations.
  EXPECT_EQ(Migrations(Dialect::kSqlite).size(), Migrations(Dialect::kPostgres).size());
  EXPECT_EQ(*store_->SchemaVersion(), latest);
  EXPECT_TRUE(store_->Migrate().ok());  // again: nothing to do
  EXPECT_EQ(*store_->SchemaVersion(), latest);
  // Two more connections migrating at once: one waits for the other.
  auto a = Open(), b = Open();
  Status sa, sb;
  std::thread ta([&] { sa = a->Migrate(); }), tb([&] { sb = b->Migrate(); });
  ta.join();
  tb.join();
  EXPECT_TRUE(sa.ok()) << sa.ToString();
  EXPECT_TRUE(sb.ok()) << sb.ToString();
  EXPECT_EQ(*a->SchemaVersion(), latest);
}

TEST_P(StoreTest, UsersHaveUniqueEmailsWhateverTheCase) {
  User u = MakeUser("Ada@Example.com");
  EXPECT_GT(u.id, 0);
  EXPECT_EQ(u.email, "Ada@Example.com");
  EXPECT_EQ(u.tier, Tier::kFree);
  EXPECT_EQ(u.created_at, kNow);
  EXPECT_EQ(u.limits.stories_per_month, 5);
  auto again = store_->CreateUser({"ada@EXAMPLE.com", "x", Tier::kFree});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto found = store_->FindUserByEmail("ADA@example.COM");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, u.id);
  EXPECT_EQ(store_->GetUser(u.id + 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateUser({"not-an-email", "x", Tier::kFree}).status().code(),
            StatusCode::kInvalidArgument);
  auto pro = store_->SetUserTier(u.id, Tier::kProfessional);
  ASSERT_TRUE(pro.ok());
  EXPECT_EQ(pro->limits.stories_per_month, 50);
}

TEST_P(StoreTest, TierLimitsAndTheMonthlyCount) {
  EXPECT_EQ(GetTierLimits(Tier::kEnterprise).stories_per_month, -1);
  EXPECT_EQ(GetTierLimits(Tier::kBusiness).max_rows, 10'000'000);
  User u = MakeUser("count@example.com");
  for (int i = 0; i < 5; ++i) {
    auto counted = store_->CountStory(u.id);
    ASSERT_TRUE(counted.ok()) << i << " " << counted.status().ToString();
    EXPECT_EQ(counted->stories_this_month, i + 1);
    EXPECT_EQ(counted->stories_month, "2026-11");
  }
  auto full = store_->CountStory(u.id);
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("5 stories a month"), std::string::npos);
  User now = *store_->GetUser(u.id);
  EXPECT_FALSE(now.CanCreateStory(clock_.NowMillis()));
  // December: the count starts again.
  clock_.Set(kNow + 10 * kDay);
  EXPECT_TRUE(now.CanCreateStory(clock_.NowMillis()));
  EXPECT_EQ(now.StoriesThisMonth(clock_.NowMillis()), 0);
  auto december = store_->CountStory(u.id);
  ASSERT_TRUE(december.ok());
  EXPECT_EQ(december->stories_this_month, 1);
  EXPECT_EQ(december->stories_month, "2026-12");
  // A configured table replaces the defaults.
  TierTable generous;
  generous.free.stories_per_month = 100;
  EXPECT_EQ(GetTierLimits(Tier::kFree, generous).stories_per_month, 100);
}

TEST_P(StoreTest, TheLastStoryOfTheMonthGoesToOneRequestOnly) {
  User u = MakeUser("race@example.com", Tier::kProfessional);  // 50 a month
  // 8 threads, each with its own connection (as separate processes would have), 10 tries each.
  std::atomic<int> granted = 0, refused = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto store = Open();
      for (int i = 0; i < 10; ++i) {
        auto r = store->CountStory(u.id);
        if (r.ok()) {
          ++granted;
        } else if (r.status().code() == StatusCode::kResourceExhausted) {
          ++refused;
        } else {
          ADD_FAILURE() << r.status().ToString();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 50);
  EXPECT_EQ(refused.load(), 30);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 50);
}

TEST_P(StoreTest, StoriesAreListedNewestFirstByCursor) {
  User u = MakeUser("stories@example.com");
  User other = MakeUser("other@example.com");
  std::vector<int64_t> ids;
  for (int i = 0; i < 7; ++i) {
    clock_.Advance(i % 2 ? 0 : 1000);  // some stories share a creation time
    auto s = store_->CreateStory(StoryOf(u.id, "story " + std::to_string(i)));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ids.push_back(s->id);
  }
  ASSERT_TRUE(store_->CreateStory(StoryOf(other.id, "not mine")).ok());
  std::vector<int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = store_->ListStories(u.id, cursor, 3);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const StoryRecord& s : page->stories) seen.push_back(s.id);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  std::vector<int64_t> expected(ids.rbegin(), ids.rend());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(store_->ListStories(u.id, "garbage", 3).status().code(), StatusCode::kInvalidArgument);

  StoryRecord got = *store_->GetStory(ids[0]);
  EXPECT_EQ(got.dataset.storage_key, "uploads/1/1795608000000-sales.csv");
  EXPECT_EQ(got.dataset.row_count, 500);
  EXPECT_EQ(got.charts_json, R"([{"id":"c1"}])");
  EXPECT_EQ(got.visibility, Visibility::kPrivate);
  EXPECT_TRUE(store_->SetStoryVisibility(ids[0], Visibility::kPublic).ok());
  EXPECT_EQ(store_->GetStory(ids[0])->visibility, Visibility::kPublic);
  EXPECT_TRUE(store_->DeleteStory(ids[0]).ok());
  EXPECT_EQ(store_->GetStory(ids[0]).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteStory(ids[0]).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateStory(StoryOf(999999, "orphan")).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, SessionsExpireAndAreCleanedUp) {
  User u = MakeUser("session@example.com");
  Session s;
  s.user_id = u.id;
  s.token_hash = std::string(64, 'a');
  s.expires_at = kNow + 7 * kDay;
  s.user_agent = "test";
  s.ip_address = "127.0.0.1";
  auto week = store_->CreateSession(s);
  ASSERT_TRUE(week.ok()) << week.status().ToString();
  s.token_hash = std::string(64, 'b');
  s.expires_at = kNow + kDay;
  s.remember_me = true;
  ASSERT_TRUE(store_->CreateSession(s).ok());
  EXPECT_EQ(store_->CreateSession(s).status().code(), StatusCode::kAlreadyExists);

  auto found = store_->FindSession(std::string(64, 'a'));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->IsExpired(clock_.NowMillis()));
  EXPECT_EQ(found->last_activity_at, kNow);
  clock_.Advance(3600000);
  ASSERT_TRUE(store_->TouchSession(found->id).ok());
  EXPECT_EQ(store_->FindSession(std::string(64, 'a'))->last_activity_at, kNow + 3600000);

  clock_.Set(kNow + 2 * kDay);
  EXPECT_TRUE(store_->FindSession(std::string(64, 'b'))->IsExpired(clock_.NowMillis()));
  EXPECT_EQ(*store_->CleanupExpiredSessions(), 1);
  EXPECT_EQ(*store_->CleanupExpiredSessions(), 0);
  EXPECT_EQ(store_->FindSession(std::string(64, 'b')).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindSession(std::string(64, 'a')).ok());
  EXPECT_TRUE(store_->DeleteSession(found->id).ok());
  EXPECT_EQ(store_->FindSession(std::string(64, 'a')).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, JobsAreClaimedWithALeaseAndCompletedWithTheirStory) {
  User u = MakeUser("jobs@example.com");
  auto job = store_->EnqueueJob({u.id, R"({"audienceLevel":"executive"})", 3});
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->status, JobStatus::kQueued);
  EXPECT_EQ(job->job_id.size(), 36u);
  EXPECT_EQ(job->job_id[14], '4');  // UUID version 4
  EXPECT_NE(std::string("89ab").find(job->job_id[19]), std::string::npos);
  EXPECT_EQ(store_->EnqueueJob({999999, "{}", 3}).status().code(), StatusCode::kNotFound);

  auto claimed = store_->ClaimJob("worker-a", 30000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->job_id, job->job_id);
  EXPECT_EQ(claimed->status, JobStatus::kProcessing);
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->lease_expires_at, kNow + 30000);
  EXPECT_EQ(store_->ClaimJob("worker-b", 30000).status().code(), StatusCode::kNotFound);

  // Progress never goes back within an attempt, and only the lease holder may write.
  ASSERT_TRUE(store_->UpdateJobProgress(job->job_id, "worker-a", "analyzing", 40).ok());
  ASSERT_TRUE(store_->UpdateJobProgress(job->job_id, "worker-a", "reading", 25).ok());
  EXPECT_EQ(store_->GetJob(job->job_id)->progress, 40);
  EXPECT_EQ(store_->GetJob(job->job_id)->current_stage, "analyzing");
  ASSERT_TRUE(store_->UpdateJobProgress(job->job_id, "worker-a", "writing", 250).ok());
  EXPECT_EQ(store_->GetJob(job->job_id)->progress, 100);
  EXPECT_EQ(store_->UpdateJobProgress(job->job_id, "worker-b", "x", 50).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Heartbeat(job->job_id, "worker-a", 60000).ok());
  EXPECT_EQ(store_->GetJob(job->job_id)->lease_expires_at, kNow + 60000);

  auto done = store_->CompleteJob(job->job_id, "worker-a", StoryOf(u.id, "from a job"));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, JobStatus::kCompleted);
  ASSERT_TRUE(done->story_id.has_value());
  EXPECT_EQ(store_->GetStory(*done->story_id)->title, "from a job");
  // Completing again is refused and saves no second story.
  EXPECT_EQ(store_->CompleteJob(job->job_id, "worker-a", StoryOf(u.id, "twice")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ListStories(u.id, "", 10)->stories.size(), 1u);
}

TEST_P(StoreTest, FailedAttemptsBackOffThenFailForGood) {
  User u = MakeUser("retry@example.com");
  auto job = *store_->EnqueueJob({u.id, "{}", 2});
  ASSERT_TRUE(store_->ClaimJob("w", 30000).ok());
  auto retried = store_->FailJob(job.job_id, "w", {"ANALYSIS_ERROR", "timeout"}, false);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->status, JobStatus::kQueued);
  ASSERT_TRUE(retried->error.has_value());
  EXPECT_EQ(retried->error->code, "ANALYSIS_ERROR");
  // Back-off: base 1 s × 2^0 × [0.5, 1.5).
  EXPECT_GE(retried->run_after, kNow + 500);
  EXPECT_LT(retried->run_after, kNow + 1500);
  EXPECT_EQ(store_->ClaimJob("w", 30000).status().code(), StatusCode::kNotFound);
  clock_.Advance(1500);
  auto second = store_->ClaimJob("w", 30000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->progress, 0);
  // The attempts are used up: failed, the error kept.
  auto failed = store_->FailJob(job.job_id, "w", {"ANALYSIS_ERROR", "timeout again"}, false);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_EQ(failed->error->message, "timeout again");
  // A permanent error fails at once, whatever the attempts left.
  auto bad = *store_->EnqueueJob({u.id, "{}", 5});
  ASSERT_TRUE(store_->ClaimJob("w", 30000).ok());
  auto permanent = store_->FailJob(bad.job_id, "w", {"INVALID_CSV", "not a table"}, true);
  ASSERT_TRUE(permanent.ok());
  EXPECT_EQ(permanent->status, JobStatus::kFailed);
  EXPECT_EQ(permanent->attempts, 1);
  // The pure model methods agree.
  Job model;
  EXPECT_TRUE(model.UpdateProgress("analyzing", 30));
  EXPECT_FALSE(model.UpdateProgress("reading", 10));
  EXPECT_EQ(model.progress, 30);
  model.MarkAsFailed("X", "y");
  EXPECT_EQ(model.status, JobStatus::kFailed);
}

TEST_P(StoreTest, ExpiredLeasesAreRescuedAndTheLateWorkerIsRefused) {
  User u = MakeUser("rescue@example.com");
  auto job = *store_->EnqueueJob({u.id, "{}", 3});
  ASSERT_TRUE(store_->ClaimJob("dead-worker", 10000).ok());
  EXPECT_EQ(*store_->RescueExpiredJobs(), 0);  // the lease still runs
  clock_.Advance(10001);                       // a back-dated lease, in effect
  EXPECT_EQ(*store_->RescueExpiredJobs(), 1);
  auto rescued = *store_->GetJob(job.job_id);
  EXPECT_EQ(rescued.status, JobStatus::kQueued);
  EXPECT_EQ(rescued.error->code, "LEASE_EXPIRED");
  auto again = store_->ClaimJob("live-worker", 10000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attempts, 2);
  // The dead worker wakes up: every write of its is refused, and nothing changes.
  EXPECT_EQ(store_->UpdateJobProgress(job.job_id, "dead-worker", "x", 90).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->CompleteJob(job.job_id, "dead-worker", StoryOf(u.id, "late")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->ListStories(u.id, "", 10)->stories.empty());
  EXPECT_TRUE(store_->CompleteJob(job.job_id, "live-worker", StoryOf(u.id, "on time")).ok());
  // Cancelling: a queued job can be cancelled, a completed one cannot.
  auto other = *store_->EnqueueJob({u.id, "{}", 3});
  EXPECT_TRUE(store_->CancelJob(other.job_id).ok());
  EXPECT_EQ(store_->GetJob(other.job_id)->status, JobStatus::kCancelled);
  EXPECT_EQ(store_->CancelJob(job.job_id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->CancelJob("no-such-job").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ClaimJob("w", 1000).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, EightWorkersDrainAThousandJobsEachOnce) {
  User u = MakeUser("drain@example.com");
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(store_->EnqueueJob({u.id, "{}", 3})->job_id);
  ASSERT_EQ(ids.size(), 1000u);
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::atomic<int> completed = 0;
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&, w] {
      auto store = Open();  // one connection each, as separate processes would have
      const std::string name = "worker-" + std::to_string(w);
      while (true) {
        auto job = store->ClaimJob(name, 60000);
        if (!job.ok()) {
          EXPECT_EQ(job.status().code(), StatusCode::kNotFound) << job.status().ToString();
          break;
        }
        {
          std::lock_guard lock(mu);
          claimed.insert(job->job_id);
        }
        auto done = store->CompleteJob(job->job_id, name, StoryOf(u.id, job->job_id));
        EXPECT_TRUE(done.ok()) << done.status().ToString();
        if (done.ok()) ++completed;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(completed.load(), 1000);
  EXPECT_EQ(claimed.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), ids);  // each exactly once
  int64_t stories = 0;
  std::string cursor;
  do {
    auto page = store_->ListStories(u.id, cursor, 100);
    stories += static_cast<int64_t>(page->stories.size());
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(stories, 1000);
}

// Two processes, each with 4 workers (threads with a store of their own), drain one queue of
// 1,000 jobs: every job is claimed once and completed once, wherever it ran.
TEST_P(StoreTest, TwoProcessesDrainAThousandJobs) {
  User u = MakeUser("processes@example.com");
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(store_->EnqueueJob({u.id, "{}", 3}).ok());
  std::vector<std::pair<pid_t, int>> children;  // pid, read end of its pipe
  // Both children wait at this pipe until the parent closes it, so that they start together.
  int start[2];
  ASSERT_EQ(pipe(start), 0);
  for (int p = 0; p < 2; ++p) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child: its own stores (the parent's connections are not touched), and _exit, so
      // that no destructor closes what the parent still uses.
      close(fds[0]);
      close(start[1]);
      char ignored;
      while (read(start[0], &ignored, 1) > 0) {
      }
      std::atomic<int> completed = 0, errors = 0;
      std::vector<std::thread> workers;
      for (int w = 0; w < 4; ++w) {
        workers.emplace_back([&, w] {
          auto store = OpenStore(Url(), clock_, tiers_);
          if (!store.ok()) {
            ++errors;
            return;
          }
          const std::string name = "process-" + std::to_string(p) + "-worker-" + std::to_string(w);
          while (true) {
            auto job = (*store)->ClaimJob(name, 60000);
            if (!job.ok()) {
              if (job.status().code() != StatusCode::kNotFound) ++errors;
              break;
            }
            if ((*store)->CompleteJob(job->job_id, name, StoryOf(u.id, job->job_id)).ok()) {
              ++completed;
            } else {
              ++errors;
            }
          }
        });
      }
      for (auto& t : workers) t.join();
      const int report[2] = {completed.load(), errors.load()};
      const bool written = write(fds[1], report, sizeof report) == sizeof report;
      _exit(written ? 0 : 1);
    }
    close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  close(start[0]);
  close(start[1]);  // go
  int total = 0;
  for (auto [pid, fd] : children) {
    int report[2] = {0, -1};
    EXPECT_EQ(read(fd, report, sizeof report), static_cast<ssize_t>(sizeof report));
    close(fd);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(report[1], 0) << "errors in process " << pid;
    EXPECT_GT(report[0], 0) << "process " << pid << " completed no job";
    total += report[0];
  }
  EXPECT_EQ(total, 1000);
  // Each job: completed, on its first attempt, with its own story.
  std::set<int64_t> story_ids;
  std::string cursor;
  do {
    auto page = store_->ListStories(u.id, cursor, 100);
    ASSERT_TRUE(page.ok());
    for (const StoryRecord& s : page->stories) {
      auto job = store_->GetJob(s.title);  // the story's title is its job's id
      ASSERT_TRUE(job.ok());
      EXPECT_EQ(job->status, JobStatus::kCompleted);
      EXPECT_EQ(job->attempts, 1);
      EXPECT_EQ(job->story_id, s.id);
      story_ids.insert(s.id);
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(story_ids.size(), 1000u);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// A process writing 1,000 stories to SQLite is killed (SIGKILL) part-way. The database opens
// again, passes PRAGMA integrity_check, and holds every story whose write was acknowledged.
TEST(SqliteFaultTest, AKilledWriterLosesNoAcknowledgedWrite) {
  const fs::path dir = fs::temp_directory_path() / ("datastory-kill-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string url = "sqlite://" + (dir / "db.sqlite").string();
  FakeClock clock(kNow);
  TierTable tiers;
  int64_t user_id = 0;
  {
    auto store = *OpenStore(url, clock, tiers);
    ASSERT_TRUE(store->Migrate().ok());
    user_id = store->CreateUser({"kill@example.com", "h", Tier::kFree})->id;
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = OpenStore(url, clock, tiers);
    if (!store.ok()) _exit(2);
    for (int i = 0; i < 1000; ++i) {
      StoryRecord s = testing::SmallStory(user_id, "story " + std::to_string(i));
      s.summary = std::string(20000, 'x');  // pages to write, so the kill lands mid-write
      auto created = (*store)->CreateStory(s);
      if (!created.ok()) _exit(3);
      // Acknowledged: reported to the parent only after CreateStory returned.
      if (write(fds[1], &created->id, sizeof created->id) != sizeof created->id) _exit(4);
    }
    _exit(0);
  }
  close(fds[1]);
  std::vector<int64_t> acknowledged;
  int64_t id = 0;
  while (read(fds[0], &id, sizeof id) == sizeof id) {
    acknowledged.push_back(id);
    if (acknowledged.size() == 300) kill(pid, SIGKILL);
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer was not killed";
  ASSERT_GE(acknowledged.size(), 300u);
  ASSERT_LT(acknowledged.size(), 1000u);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "db.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  sqlite3_close(db);

  auto store = *OpenStore(url, clock, tiers);
  for (int64_t acked : acknowledged) {
    auto story = store->GetStory(acked);
    ASSERT_TRUE(story.ok()) << "acknowledged story " << acked << " is gone";
  }
  store.reset();
  fs::remove_all(dir);
}

// PostgreSQL backends terminated while 4 threads write through one pool: the pool reconnects,
// the writes go on, and every acknowledged write is there afterwards.
TEST(PostgresFaultTest, TerminatedBackendsLoseNoAcknowledgedWrite) {
  auto db = testing::ScratchPostgres::Create("ds_fault");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  FakeClock clock(kNow);
  TierTable tiers;
  auto store = *OpenStore((*db)->url(), clock, tiers);
  ASSERT_TRUE(store->Migrate().ok());
  const int64_t user_id = store->CreateUser({"fault@example.com", "h", Tier::kFree})->id;
  testing::WriteLog log;
  std::atomic<bool> writing = true;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 250; ++i) {
        log.Record(store->CreateStory(
            testing::SmallStory(user_id, std::to_string(w) + "/" + std::to_string(i))));
      }
    });
  }
  int terminated = 0;
  std::thread killer([&] {
    while (writing) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      if (auto n = (*db)->TerminateBackends(); n.ok()) terminated += *n;
    }
  });
  for (auto& t : writers) t.join();
  writing = false;
  killer.join();
  EXPECT_GT(terminated, 0) << "no backend was terminated: the test did not test anything";
  // Every failure must be one the caller was told about, and they must be rare: a write whose
  // connection died is retried when nothing can have been applied.
  EXPECT_LE(log.refused().size(), 10u) << (log.refused().empty() ? "" : log.refused().front());
  EXPECT_EQ(log.acknowledged().size() + log.refused().size(), 1000u);
  for (int64_t id : log.acknowledged()) {
    ASSERT_TRUE(store->GetStory(id).ok()) << "acknowledged story " << id << " is gone";
  }
  // The pool is whole again. A refused write may or may not have been saved (the caller was
  // told so): count them.
  size_t saved = 0;
  std::string cursor;
  do {
    auto page = store->ListStories(user_id, cursor, 100);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    saved += page->stories.size();
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_GE(saved, log.acknowledged().size());
  EXPECT_LE(saved, 1000u);
  for (const std::string& f : log.refused()) std::printf("refused: %s\n", f.c_str());
  std::printf("terminated %d backends; %zu writes acknowledged, %zu refused (%zu of them saved)\n",
              terminated, log.acknowledged().size(), log.refused().size(),
              saved - log.acknowledged().size());
}

TEST(OpenStoreTest, UrlsAreCheckedWithAClearMessage) {
  FakeClock clock(kNow);
  TierTable tiers;
  auto mongo = OpenStore("mongodb://localhost/datastory", clock, tiers);
  EXPECT_EQ(mongo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mongo.status().message().find("not supported, use postgres:// or sqlite://"),
            std::string::npos);
  EXPECT_EQ(OpenStore("mysql://x", clock, tiers).status().code(), StatusCode::kInvalidArgument);
  // A mistyped scheme does not print the password that follows it.
  auto typo = OpenStore("postgresq://app:hunter2@db/x", clock, tiers);
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(typo.status().message().find("hunter2"), std::string::npos) << typo.status().message();
  EXPECT_NE(
      OpenStore("postgres:///x?pool_max=ten", clock, tiers).status().message().find("pool_max"),
      std::string::npos);
  EXPECT_EQ(OpenStore("sqlite://", clock, tiers).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("sqlite:///tmp/x.db?fast=yes", clock, tiers).status().code(),
            StatusCode::kInvalidArgument);
  auto memory = OpenStore("sqlite::memory:", clock, tiers);
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_TRUE((*memory)->Migrate().ok());
  auto unwritable = OpenStore("sqlite:///proc/no/such/dir/db.sqlite", clock, tiers);
  EXPECT_EQ(unwritable.status().code(), StatusCode::kUnavailable);
}

TEST(OpenStoreTest, PostgresUrlsKeepLibpqsParametersAndAddBounds) {
  auto plain = SplitPostgresUrl("postgres://u:p@db:5432/app");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->conninfo,
            "postgres://u:p@db:5432/app?connect_timeout=5&keepalives_idle=30&keepalives_interval=10"
            "&keepalives_count=3&tcp_user_timeout=60000");
  EXPECT_EQ(plain->options.max_connections, 10);
  auto tuned = SplitPostgresUrl("postgres:///app?sslmode=require&pool_max=4&connect_timeout=2");
  ASSERT_TRUE(tuned.ok());
  EXPECT_EQ(tuned->options.max_connections, 4);
  EXPECT_EQ(tuned->conninfo,
            "postgres:///app?sslmode=require&connect_timeout=2&keepalives_idle=30"
            "&keepalives_interval=10&keepalives_count=3&tcp_user_timeout=60000");
  EXPECT_EQ(SplitPostgresUrl("postgres:///app?reconnect_ms=-1").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ModelsTest, MonthsAndTiers) {
  EXPECT_EQ(MonthOf(kNow), "2026-11");
  EXPECT_EQ(MonthOf(0), "1970-01");
  EXPECT_EQ(ParseTier("business"), Tier::kBusiness);
  EXPECT_FALSE(ParseTier("gold"));
  EXPECT_EQ(TierName(Tier::kEnterprise), "enterprise");
  User enterprise;
  enterprise.limits = GetTierLimits(Tier::kEnterprise);
  enterprise.stories_this_month = 1'000'000;
  enterprise.stories_month = "2026-11";
  EXPECT_TRUE(enterprise.CanCreateStory(kNow));
}

}  // namespace
}  // namespace datastory::store
