// The Store contract, run against both engines: SQLite in a temp file, PostgreSQL in a scratch
// database of the server pg_virtualenv started (see store/testing/scratch_postgres.h). The
// tests that kill processes and backends are in store_fault_test.cc.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/migrations.h"
#include "store/postgres_store.h"
#include "store/sql_rows.h"
#include "store/testing/fault_store.h"
#include "store/testing/scratch_postgres.h"
#include "store/testing/write_log.h"

namespace datastory::store {
namespace {

namespace fs = std::filesystem;
using testing::AllStories;

// 2026-11-25T12:00:00Z
constexpr int64_t kNow = 1795608000000;
constexpr int64_t kMinute = 60000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 2026-11-30T23:59:59Z, one second before December.
constexpr int64_t kLastSecondOfNovember = 1796083199000;

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
    options_.clock = &clock_;
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
  std::unique_ptr<Store> Open(const StoreOptions& options) {
    auto s = OpenStore(Url(), options);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::unique_ptr<Store> Open() { return Open(options_); }
  User MakeUser(const std::string& email, Tier tier = Tier::kFree) {
    auto u = store_->CreateUser({email, "$2b$12$hash", tier});
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : User{};
  }
  StoryRecord StoryOf(const std::string& user_id, const std::string& title) {
    StoryRecord s;
    s.user_id = user_id;
    s.title = title;
    s.dataset = {"sales.csv", "uploads/u/0123-sales.csv", 500, 8, 102400};
    s.summary = "summary";
    s.key_findings = "- a";
    s.recommendations = "- b";
    s.document_json = R"({"charts":[{"id":"c1"}]})";
    s.processing_time_ms = 12;
    return s;
  }
  Job Enqueue(const std::string& user_id, int max_attempts = 3) {
    auto job = store_->EnqueueJob({user_id, "{}", max_attempts});
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return job.ok() ? *job : Job{};
  }

  static inline int counter_ = 0;
  std::unique_ptr<testing::ScratchPostgres> postgres_;
  fs::path dir_;
  FakeClock clock_{kNow};
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

bool IsUuidV4(const std::string& id) {
  if (id.size() != 36 || id[14] != '4' || std::string("89ab").find(id[19]) == std::string::npos) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (id[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  return true;
}

TEST_P(StoreTest, MigrationsAreNumberedAndIdempotent) {
  const int latest = Migrations(dialect()).back().version;
  EXPECT_EQ(latest, static_cast<int>(Migrations(dialect()).size()));  // 1, 2, … no gaps
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

TEST_P(StoreTest, IdsAreRandomNotSequential) {
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    User u = MakeUser("user" + std::to_string(i) + "@example.com");
    EXPECT_TRUE(IsUuidV4(u.id)) << u.id;
    ids.insert(u.id);
  }
  EXPECT_EQ(ids.size(), 200u);
  // Creation order says nothing about the ids' order.
  std::vector<std::string> in_order;
  for (int i = 0; i < 200; ++i) {
    in_order.push_back(store_->FindUserByEmail("user" + std::to_string(i) + "@example.com")->id);
  }
  EXPECT_FALSE(std::is_sorted(in_order.begin(), in_order.end()));
  User u = *store_->FindUserByEmail("user0@example.com");
  auto story = store_->CreateStory(StoryOf(u.id, "s"));
  ASSERT_TRUE(story.ok()) << story.status().ToString();
  EXPECT_TRUE(IsUuidV4(story->id));
  EXPECT_TRUE(IsUuidV4(Enqueue(u.id).id));
  auto session = store_->CreateSession({u.id, std::string(64, 'a'), false, "ua", "::1"});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_TRUE(IsUuidV4(session->id));
}

TEST_P(StoreTest, UsersHaveUniqueEmailsWhateverTheCase) {
  User u = MakeUser("Ada@Example.com");
  EXPECT_EQ(u.email, "Ada@Example.com");
  EXPECT_EQ(u.tier, Tier::kFree);
  EXPECT_EQ(u.created_at, kNow);
  EXPECT_EQ(u.limits.stories_per_month, 5);
  auto again = store_->CreateUser({"ada@EXAMPLE.com", "x", Tier::kFree});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto found = store_->FindUserByEmail("ADA@example.COM");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, u.id);
  EXPECT_EQ(store_->GetUser("00000000-0000-4000-8000-000000000000").status().code(),
            StatusCode::kNotFound);
  auto pro = store_->SetUserTier(u.id, Tier::kProfessional);
  ASSERT_TRUE(pro.ok());
  EXPECT_EQ(pro->limits.stories_per_month, 50);
  ASSERT_TRUE(store_->SetPasswordHash(u.id, "$2b$12$other").ok());
  EXPECT_EQ(store_->GetUser(u.id)->password_hash, "$2b$12$other");
  EXPECT_EQ(store_->SetPasswordHash("nobody", "x").code(), StatusCode::kNotFound);
}

// Both engines refuse the same bad data, with the same code, and write nothing.
TEST_P(StoreTest, BadDataIsRefusedAlikeByBothEngines) {
  for (const char* email : {"not-an-email", "@example.com", "ada@", ""}) {
    EXPECT_EQ(store_->CreateUser({email, "x", Tier::kFree}).status().code(),
              StatusCode::kInvalidArgument)
        << email;
  }
  EXPECT_EQ(store_->CreateUser({std::string("a\0b@x.com", 9), "x", Tier::kFree}).status().code(),
            StatusCode::kInvalidArgument);
  User u = MakeUser("bad@example.com");
  EXPECT_EQ(store_->EnqueueJob({u.id, "{not json", 3}).status().code(),
            StatusCode::kInvalidArgument);
  StoryRecord not_json = StoryOf(u.id, "x");
  not_json.document_json = "[unclosed";
  EXPECT_EQ(store_->CreateStory(not_json).status().code(), StatusCode::kInvalidArgument);
  StoryRecord nul = StoryOf(u.id, std::string("a\0b", 3));
  EXPECT_EQ(store_->CreateStory(nul).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ClaimJob("w", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ClaimJob("w", -5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(AllStories(*store_, u.id).empty());
  // The refused enqueue reserved nothing.
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 0);
}

// Every object of a user is reached through its owner: another user gets NotFound, exactly as
// for an id that does not exist, and changes nothing.
TEST_P(StoreTest, AnotherUsersObjectsAreNotFound) {
  User ada = MakeUser("ada@example.com"), bob = MakeUser("bob@example.com");
  StoryRecord story = *store_->CreateStory(StoryOf(ada.id, "ada's"));
  Job job = Enqueue(ada.id);
  Session session = *store_->CreateSession({ada.id, std::string(64, 'c'), false, "", ""});
  const std::string missing = "00000000-0000-4000-8000-000000000000";
  for (const std::string& id : {story.id, missing}) {
    EXPECT_EQ(store_->GetStory(bob.id, id, StoryParts::kWhole).status().code(),
              StatusCode::kNotFound);
    EXPECT_EQ(store_->UpdateStory(bob.id, id, {"mine now", Visibility::kPublic}).status().code(),
              StatusCode::kNotFound);
    EXPECT_EQ(store_->DeleteStory(bob.id, id).status().code(), StatusCode::kNotFound);
  }
  for (const std::string& id : {job.id, missing}) {
    EXPECT_EQ(store_->GetJob(bob.id, id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(store_->CancelJob(bob.id, id).status().code(), StatusCode::kNotFound);
  }
  for (const std::string& id : {session.id, missing}) {
    EXPECT_EQ(store_->DeleteSession(bob.id, id).code(), StatusCode::kNotFound);
  }
  EXPECT_EQ(*store_->DeleteUserSessions(bob.id, ""), 0);
  EXPECT_TRUE(store_->ListStories(bob.id, "", 10)->stories.empty());
  // Nothing of Ada's changed.
  StoryRecord still = *store_->GetStory(ada.id, story.id, StoryParts::kWhole);
  EXPECT_EQ(still.title, "ada's");
  EXPECT_EQ(still.visibility, Visibility::kPrivate);
  EXPECT_EQ(store_->GetJob(ada.id, job.id)->status, JobStatus::kQueued);
  EXPECT_TRUE(store_->FindSession(std::string(64, 'c')).ok());
}

TEST_P(StoreTest, StoriesAreListedNewestFirstByCursor) {
  User u = MakeUser("stories@example.com");
  User other = MakeUser("other@example.com");
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    clock_.Advance(i % 2 ? 0 : 1000);  // some stories share a creation time
    auto s = store_->CreateStory(StoryOf(u.id, "story " + std::to_string(i)));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ids.push_back(s->id);
  }
  ASSERT_TRUE(store_->CreateStory(StoryOf(other.id, "not mine")).ok());
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = store_->ListStories(u.id, cursor, 3);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const StoryRecord& s : page->stories) {
      seen.push_back(s.id);
      EXPECT_EQ(s.document_json, "{}");  // a list does not read the documents
    }
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u);
  // Newest first; stories made at the same time come in id order, each exactly once.
  std::vector<std::pair<int64_t, std::string>> expected;
  for (const std::string& id : ids) {
    expected.emplace_back(store_->GetStory(u.id, id, StoryParts::kWhole)->created_at, id);
  }
  std::sort(expected.rbegin(), expected.rend());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(seen[i], expected[i].second) << i;
  EXPECT_EQ(store_->ListStories(u.id, "garbage", 3).status().code(), StatusCode::kInvalidArgument);

  StoryRecord got = *store_->GetStory(u.id, ids[0], StoryParts::kWhole);
  EXPECT_EQ(got.dataset.storage_key, "uploads/u/0123-sales.csv");
  EXPECT_EQ(got.dataset.row_count, 500);
  EXPECT_EQ(got.document_json, R"({"charts":[{"id":"c1"}]})");  // byte for byte
  EXPECT_EQ(got.visibility, Visibility::kPrivate);
  EXPECT_TRUE(got.share_token.empty());
  StoryRecord head = *store_->GetStory(u.id, ids[0], StoryParts::kHead);
  EXPECT_EQ(head.document_json, "{}");
  EXPECT_EQ(head.title, got.title);
  EXPECT_EQ(head.summary, got.summary);
  EXPECT_EQ(head.updated_at, got.updated_at);
  auto deleted = store_->DeleteStory(u.id, ids[0]);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->story.dataset.storage_key, "uploads/u/0123-sales.csv");
  EXPECT_EQ(deleted->freed_storage_key, "");  // no upload row holds that file
  EXPECT_EQ(store_->GetStory(u.id, ids[0], StoryParts::kWhole).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteStory(u.id, ids[0]).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateStory(StoryOf("no-such-user", "orphan")).status().code(),
            StatusCode::kNotFound);
}

// A public story has a share link of its own; private again, the link dies; shared again, it
// gets a new one.
TEST_P(StoreTest, ShareLinksFollowVisibility) {
  User u = MakeUser("share@example.com");
  StoryRecord s = *store_->CreateStory(StoryOf(u.id, "Sales"));
  auto shared = store_->UpdateStory(u.id, s.id, {std::nullopt, Visibility::kPublic});
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  const std::string token = shared->share_token;
  EXPECT_GE(token.size(), 40u);  // 256 bits in base64url
  EXPECT_EQ(shared->title, "Sales");
  EXPECT_EQ(store_->GetSharedStory(token, StoryParts::kWhole)->id, s.id);
  // Renaming a public story keeps its link.
  auto renamed = store_->UpdateStory(u.id, s.id, {"Sales 2026", std::nullopt});
  EXPECT_EQ(renamed->share_token, token);
  EXPECT_EQ(renamed->title, "Sales 2026");
  EXPECT_EQ(store_->UpdateStory(u.id, s.id, {std::nullopt, Visibility::kPublic})->share_token,
            token);
  auto hidden = store_->UpdateStory(u.id, s.id, {std::nullopt, Visibility::kPrivate});
  EXPECT_TRUE(hidden->share_token.empty());
  EXPECT_EQ(store_->GetSharedStory(token, StoryParts::kWhole).status().code(),
            StatusCode::kNotFound);
  auto again = store_->UpdateStory(u.id, s.id, {std::nullopt, Visibility::kPublic});
  EXPECT_NE(again->share_token, token);
  EXPECT_EQ(store_->GetSharedStory(again->share_token, StoryParts::kWhole)->id, s.id);
  EXPECT_EQ(store_->GetSharedStory("", StoryParts::kWhole).status().code(), StatusCode::kNotFound);
}

// Every change moves updated_at forward, even within one tick of the clock: a reader that
// holds a story's document for one updated_at knows when it is stale.
TEST_P(StoreTest, EveryChangeOfAStoryMovesItsUpdatedAt) {
  User u = MakeUser("versions@example.com");
  StoryRecord s = *store_->CreateStory(StoryOf(u.id, "Sales"));
  int64_t last = s.updated_at;
  for (int i = 0; i < 5; ++i) {  // the test clock stands still; PostgreSQL's is fast
    StoryUpdate rename{"Sales " + std::to_string(i), std::nullopt};
    auto renamed = store_->UpdateStory(u.id, s.id, rename);
    ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
    EXPECT_GT(renamed->updated_at, last) << i;
    last = renamed->updated_at;
    EXPECT_EQ(store_->GetStory(u.id, s.id, StoryParts::kHead)->updated_at, last);
  }
  auto shared = store_->UpdateStory(u.id, s.id, {std::nullopt, Visibility::kPublic});
  EXPECT_GT(shared->updated_at, last);
  EXPECT_EQ(store_->GetSharedStory(shared->share_token, StoryParts::kHead)->document_json, "{}");
}

TEST_P(StoreTest, EnqueueReservesAStoryAndFailureGivesItBack) {
  EXPECT_EQ(GetTierLimits(Tier::kEnterprise).stories_per_month, -1);
  EXPECT_EQ(GetTierLimits(Tier::kBusiness).max_rows, 10'000'000);
  User u = MakeUser("count@example.com");
  std::vector<Job> jobs;
  for (int i = 0; i < 5; ++i) jobs.push_back(Enqueue(u.id));
  EXPECT_EQ(jobs[0].max_rows, 10'000);  // the tier's row limit travels with the job
  EXPECT_EQ(jobs[0].quota_month, "2026-11");
  User now = *store_->GetUser(u.id);
  EXPECT_EQ(now.stories_this_month, 5);
  EXPECT_FALSE(now.CanCreateStory(clock_.NowMillis()));
  auto full = store_->EnqueueJob({u.id, "{}", 3});
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(full.status().reason(), kQuotaExceeded);
  EXPECT_NE(full.status().message().find("5 stories a month"), std::string::npos);
  // A job that fails for good gives its story back; one that will be retried does not.
  Job claimed = *store_->ClaimJob("w", 30000);
  ASSERT_TRUE(store_->FailJob(claimed.id, claimed.lease_token, {"X", "retry"}, false).ok());
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 5);
  clock_.Advance(5000);
  claimed = *store_->ClaimJob("w", 30000);
  ASSERT_TRUE(
      store_->FailJob(claimed.id, claimed.lease_token, {"ROW_LIMIT", "too many"}, true).ok());
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 4);
  // So does a cancelled one, queued or running.
  EXPECT_EQ(store_->CancelJob(u.id, jobs[2].id)->status, JobStatus::kCancelled);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 3);
  // December: the count starts again, and a story given back after the month turned does not
  // come off December's count.
  Job running = *store_->ClaimJob("w", 30000);
  clock_.Set(kNow + 10 * kDay);
  EXPECT_TRUE(now.CanCreateStory(clock_.NowMillis()));
  Job december = Enqueue(u.id);
  EXPECT_EQ(december.quota_month, "2026-12");
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 1);
  EXPECT_EQ(store_->CancelJob(u.id, running.id)->status, JobStatus::kCancelled);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 1);
  EXPECT_EQ(store_->GetUser(u.id)->stories_month, "2026-12");
}

// 20 requests at once when one story is left: exactly one job, on both engines, through
// separate connections (as separate processes would have).
TEST_P(StoreTest, TheLastStoryOfTheMonthGoesToOneRequestOnly) {
  User u = MakeUser("race@example.com");  // 5 a month
  for (int i = 0; i < 4; ++i) Enqueue(u.id);
  std::atomic<int> granted = 0, refused = 0;
  std::vector<std::unique_ptr<Store>> stores;
  for (int t = 0; t < 20; ++t) stores.push_back(Open());
  std::vector<std::thread> threads;
  for (int t = 0; t < 20; ++t) {
    threads.emplace_back([&, t] {
      auto r = stores[t]->EnqueueJob({u.id, "{}", 3});
      if (r.ok()) {
        ++granted;
      } else if (r.status().code() == StatusCode::kResourceExhausted) {
        ++refused;
      } else {
        ADD_FAILURE() << r.status().ToString();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 1);
  EXPECT_EQ(refused.load(), 19);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 5);
}

// Two processes whose clocks are 2 s apart at the turn of the month: the month only moves
// forward, so the one behind counts against the new month instead of starting November's
// count again. (Before, they reset each other and granted 20 of 20 against a limit of 5.)
TEST_P(StoreTest, SkewedClocksAtTheMonthTurnGrantTheLimitOnly) {
  User u = MakeUser("skew@example.com");
  FakeClock behind(kLastSecondOfNovember), ahead(kLastSecondOfNovember + 2000);
  StoreOptions a = options_, b = options_;
  a.clock = &behind;
  b.clock = &ahead;
  auto store_behind = Open(a), store_ahead = Open(b);
  int granted = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = (i % 2 ? store_behind : store_ahead)->EnqueueJob({u.id, "{}", 3});
    if (r.ok()) ++granted;
  }
  EXPECT_EQ(granted, 5);
  EXPECT_EQ(store_->GetUser(u.id)->stories_month, "2026-12");
}

TEST_P(StoreTest, AnIdempotencyKeyMakesOneJob) {
  User u = MakeUser("idem@example.com", Tier::kProfessional);
  auto first = store_->EnqueueJob({u.id, R"({"a":1})", 3, "key-1"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->idempotency_key, "key-1");
  auto retry = store_->EnqueueJob({u.id, R"({"a":1})", 3, "key-1"});
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->id, first->id);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 1);
  // The same key for another request is refused, and reserves nothing.
  auto other_request = store_->EnqueueJob({u.id, R"({"a":2})", 3, "key-1"});
  EXPECT_EQ(other_request.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(other_request.status().reason(), kIdempotencyKeyReused);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 1);
  // Another user's key is theirs alone.
  User other = MakeUser("idem2@example.com");
  EXPECT_NE(store_->EnqueueJob({other.id, "{}", 3, "key-1"})->id, first->id);
  // Ten concurrent retries of a new key: one job, one story reserved.
  std::vector<std::unique_ptr<Store>> stores;
  for (int t = 0; t < 10; ++t) stores.push_back(Open());
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&, t] {
      auto r = stores[t]->EnqueueJob({u.id, "{}", 3, "key-2"});
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      std::lock_guard lock(mu);
      if (r.ok()) ids.insert(r->id);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 2);
}

TEST_P(StoreTest, SessionsHaveAnIdleAndAnAbsoluteLifetime) {
  User u = MakeUser("session@example.com");
  auto s = store_->CreateSession({u.id, std::string(64, 'a'), false, "test", "127.0.0.1"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->last_activity_at, kNow);
  EXPECT_EQ(s->idle_timeout_ms, 30 * kMinute);
  EXPECT_EQ(s->expires_at, kNow + 12 * kHour);
  EXPECT_EQ(store_->CreateSession({u.id, std::string(64, 'a'), false, "", ""}).status().code(),
            StatusCode::kAlreadyExists);
  // Activity slides the idle timeout, written at most once a minute.
  EXPECT_FALSE(store_->FindSession(std::string(64, 'a'))->touch_due);  // just made
  clock_.Advance(29 * kMinute);
  ASSERT_TRUE(store_->FindSession(std::string(64, 'a')).ok());
  EXPECT_TRUE(store_->FindSession(std::string(64, 'a'))->touch_due);
  EXPECT_TRUE(*store_->TouchSession(s->id));
  clock_.Advance(30 * 1000);
  EXPECT_FALSE(store_->FindSession(std::string(64, 'a'))->touch_due);
  EXPECT_FALSE(*store_->TouchSession(s->id));  // written 30 s ago
  EXPECT_EQ(store_->FindSession(std::string(64, 'a'))->last_activity_at, kNow + 29 * kMinute);
  clock_.Advance(29 * kMinute);
  ASSERT_TRUE(store_->FindSession(std::string(64, 'a')).ok()) << "the touch did not slide it";
  clock_.Advance(2 * kMinute);  // 31 minutes idle
  EXPECT_EQ(store_->FindSession(std::string(64, 'a')).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(*store_->TouchSession(s->id));  // an expired session cannot be revived

  // However busy, a session ends 12 hours after it began.
  clock_.Set(kNow);
  auto busy = *store_->CreateSession({u.id, std::string(64, 'b'), false, "", ""});
  for (int i = 0; i < 36; ++i) {
    clock_.Advance(20 * kMinute);
    if (i < 35) {
      ASSERT_TRUE(store_->TouchSession(busy.id).ok());
    }
  }
  EXPECT_EQ(store_->FindSession(std::string(64, 'b')).status().code(), StatusCode::kNotFound);

  // Remember-me: a week idle, a month in all.
  clock_.Set(kNow);
  auto remembered = *store_->CreateSession({u.id, std::string(64, 'c'), true, "", ""});
  EXPECT_EQ(remembered.expires_at, kNow + 30 * kDay);
  clock_.Advance(6 * kDay);
  EXPECT_TRUE(store_->FindSession(std::string(64, 'c')).ok());
  clock_.Advance(2 * kDay);
  EXPECT_EQ(store_->FindSession(std::string(64, 'c')).status().code(), StatusCode::kNotFound);

  // Clean-up removes the expired ones; a user's sessions can be listed and ended.
  clock_.Set(kNow + 40 * kDay);  // a, b and c have all expired by now
  auto one = *store_->CreateSession({u.id, std::string(64, 'd'), false, "", ""});
  auto two = *store_->CreateSession({u.id, std::string(64, 'e'), false, "", ""});
  ASSERT_TRUE(store_->CreateSession({u.id, std::string(64, 'f'), false, "", ""}).ok());
  EXPECT_EQ(store_->ListSessions(u.id)->size(), 3u);
  EXPECT_EQ(*store_->CleanupExpiredSessions(), 3);
  EXPECT_EQ(*store_->CleanupExpiredSessions(), 0);
  EXPECT_TRUE(store_->DeleteSession(u.id, one.id).ok());
  EXPECT_EQ(store_->DeleteSession(u.id, one.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->DeleteUserSessions(u.id, two.id), 1);  // f
  auto left = *store_->ListSessions(u.id);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id, two.id);
  EXPECT_EQ(store_->FindSession(std::string(64, 'f')).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, UploadsBelongToTheirOwner) {
  User u = MakeUser("up@example.com"), other = MakeUser("other@example.com");
  UploadRecord upload{"",         u.id, "uploads/u/abc",     "Sales Q4.csv",
                      "text/csv", 1234, R"({"columns":[]})", 0};
  auto saved = store_->CreateUpload(upload);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_TRUE(IsUuidV4(saved->id));
  EXPECT_EQ(saved->created_at, kNow);
  EXPECT_EQ(store_->GetUpload(u.id, saved->id)->original_filename, "Sales Q4.csv");
  EXPECT_EQ(store_->GetUpload(u.id, saved->id)->preview_json, R"({"columns":[]})");
  EXPECT_EQ(store_->GetUpload(other.id, saved->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteUpload(other.id, saved->id).status().code(), StatusCode::kNotFound);
  UploadRecord bad = upload;
  bad.preview_json = "{nope";
  EXPECT_EQ(store_->CreateUpload(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DeleteUpload(u.id, saved->id)->storage_key, "uploads/u/abc");
  EXPECT_EQ(store_->GetUpload(u.id, saved->id).status().code(), StatusCode::kNotFound);
}

// A user's data leaves with the last story told from it: the upload row goes in the same
// transaction as that story, and its key comes back for the file to be removed.
TEST_P(StoreTest, AnUploadGoesWithTheLastStoryToldFromIt) {
  User u = MakeUser("last@example.com"), other = MakeUser("other@example.com");
  StoryRecord story = StoryOf(u.id, "first");
  ASSERT_TRUE(
      store_
          ->CreateUpload({"", u.id, story.dataset.storage_key, "sales.csv", "text/csv", 1, "{}", 0})
          .ok());
  // Another user's story naming the same key (it cannot happen, keys hold the user's id) does
  // not keep it.
  ASSERT_TRUE(store_->CreateStory(StoryOf(other.id, "theirs")).ok());
  const std::string first = store_->CreateStory(story)->id;
  story.title = "second";
  const std::string second = store_->CreateStory(story)->id;
  auto deleted = store_->DeleteStory(u.id, first);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->freed_storage_key, "");  // "second" still refers to it
  deleted = store_->DeleteStory(u.id, second);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->freed_storage_key, story.dataset.storage_key);
  EXPECT_EQ(deleted->story.title, "second");
  EXPECT_EQ(store_->DeleteStory(u.id, second).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, ApiTokensAreNamedExpiringAndRevocable) {
  User u = MakeUser("tokens@example.com"), other = MakeUser("other@example.com");
  auto t = store_->CreateApiToken({u.id, "nightly import", std::string(64, '1'), kDay});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->expires_at, kNow + kDay);
  EXPECT_EQ(t->last_used_at, 0);
  clock_.Advance(kMinute);
  auto found = store_->FindApiToken(std::string(64, '1'));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->last_used_at, kNow + kMinute);
  EXPECT_EQ(store_->ListApiTokens(u.id)->size(), 1u);
  EXPECT_TRUE(store_->ListApiTokens(other.id)->empty());
  EXPECT_EQ(store_->DeleteApiToken(other.id, t->id).code(), StatusCode::kNotFound);
  clock_.Advance(kDay);
  EXPECT_EQ(store_->FindApiToken(std::string(64, '1')).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListApiTokens(u.id)->empty());
  auto live = *store_->CreateApiToken({u.id, "ci", std::string(64, '2'), kDay});
  EXPECT_TRUE(store_->DeleteApiToken(u.id, live.id).ok());
  EXPECT_EQ(store_->FindApiToken(std::string(64, '2')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->CleanupExpiredSessions(), 0);
}

TEST_P(StoreTest, FailedLogInsAreCountedOverAWindow) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->RecordLoginFailure("account:ada@example.com").ok());
    clock_.Advance(kMinute);
  }
  ASSERT_TRUE(store_->RecordLoginFailure("ip:10.0.0.1").ok());
  auto f = *store_->CountLoginFailures("account:ada@example.com", 15 * kMinute);
  EXPECT_EQ(f.count, 3);
  EXPECT_EQ(f.oldest_at, kNow);
  EXPECT_EQ(f.now, kNow + 3 * kMinute);
  clock_.Advance(12 * kMinute);  // 15 minutes after the first: it has left the window
  EXPECT_EQ(store_->CountLoginFailures("account:ada@example.com", 15 * kMinute)->count, 2);
  EXPECT_EQ(store_->CountLoginFailures("ip:10.0.0.1", 15 * kMinute)->count, 1);
  EXPECT_EQ(store_->CountLoginFailures("account:nobody", 15 * kMinute)->count, 0);
  ASSERT_TRUE(store_->ClearLoginFailures("account:ada@example.com").ok());
  EXPECT_EQ(store_->CountLoginFailures("account:ada@example.com", 15 * kMinute)->count, 0);
}

TEST_P(StoreTest, DeletingAUserDeletesEverythingTheyOwn) {
  User u = MakeUser("leaving@example.com");
  User stays = MakeUser("stays@example.com");
  StoryRecord a = StoryOf(u.id, "a"), b = StoryOf(u.id, "b");
  a.dataset.storage_key = "uploads/u/a.csv";
  b.dataset.storage_key = "uploads/u/b.csv";
  ASSERT_TRUE(store_->CreateStory(a).ok());
  ASSERT_TRUE(store_->CreateStory(b).ok());
  ASSERT_TRUE(store_->CreateStory(StoryOf(stays.id, "kept")).ok());
  Job job = Enqueue(u.id);
  ASSERT_TRUE(store_->CreateSession({u.id, std::string(64, 'x'), false, "", ""}).ok());
  ASSERT_TRUE(
      store_->CreateUpload({"", u.id, "uploads/u/c.csv", "c.csv", "text/csv", 1, "{}", 0}).ok());
  ASSERT_TRUE(store_->CreateApiToken({u.id, "t", std::string(64, 't'), kDay}).ok());
  auto keys = store_->DeleteUser(u.id);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  std::sort(keys->begin(), keys->end());
  EXPECT_EQ(*keys,
            (std::vector<std::string>{"uploads/u/a.csv", "uploads/u/b.csv", "uploads/u/c.csv"}));
  EXPECT_EQ(store_->FindApiToken(std::string(64, 't')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetUser(u.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FindSession(std::string(64, 'x')).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetJob(u.id, job.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ClaimJob("w", 1000).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(AllStories(*store_, u.id).empty());
  EXPECT_EQ(AllStories(*store_, stays.id).size(), 1u);
  EXPECT_EQ(store_->DeleteUser(u.id).status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, JobsAreClaimedWithALeaseAndCompletedWithTheirStory) {
  User u = MakeUser("jobs@example.com");
  Job job = Enqueue(u.id);
  EXPECT_EQ(job.status, JobStatus::kQueued);
  EXPECT_EQ(store_->EnqueueJob({"no-such-user", "{}", 3}).status().code(), StatusCode::kNotFound);

  auto claimed = store_->ClaimJob("worker-a", 30000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->id, job.id);
  EXPECT_EQ(claimed->status, JobStatus::kProcessing);
  EXPECT_EQ(claimed->attempts, 1);
  EXPECT_EQ(claimed->lease_owner, "worker-a");
  EXPECT_GE(claimed->lease_token.size(), 40u);
  EXPECT_EQ(claimed->lease_expires_at, kNow + 30000);
  EXPECT_EQ(store_->ClaimJob("worker-b", 30000).status().code(), StatusCode::kNotFound);
  const std::string token = claimed->lease_token;

  // Progress never goes back within an attempt, and only the lease holder may write.
  ASSERT_TRUE(store_->UpdateJobProgress(job.id, token, "analyzing", 40).ok());
  ASSERT_TRUE(store_->UpdateJobProgress(job.id, token, "parsing", 25).ok());
  EXPECT_EQ(store_->GetJob(u.id, job.id)->progress, 40);
  EXPECT_EQ(store_->GetJob(u.id, job.id)->current_stage, "analyzing");
  ASSERT_TRUE(store_->UpdateJobProgress(job.id, token, "writing", 250).ok());
  EXPECT_EQ(store_->GetJob(u.id, job.id)->progress, 100);
  EXPECT_EQ(store_->UpdateJobProgress(job.id, "not-the-token", "x", 50).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Heartbeat(job.id, token, 60000).ok());
  EXPECT_EQ(store_->GetJob(u.id, job.id)->lease_expires_at, kNow + 60000);

  auto done = store_->CompleteJob(job.id, token, StoryOf(u.id, "from a job"), {"<html>", "# md"});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->status, JobStatus::kCompleted);
  ASSERT_FALSE(done->story_id.empty());
  StoryRecord story = *store_->GetStory(u.id, done->story_id, StoryParts::kWhole);
  EXPECT_EQ(story.title, "from a job");
  EXPECT_EQ(story.job_id, job.id);
  EXPECT_EQ(store_->GetStoryRender(u.id, story.id)->html, "<html>");
  EXPECT_EQ(store_->GetStoryRender(u.id, story.id)->markdown, "# md");
  EXPECT_EQ(store_->GetStoryRender("someone-else", story.id).status().code(),
            StatusCode::kNotFound);
  // Completing again is refused and saves no second story.
  EXPECT_EQ(store_->CompleteJob(job.id, token, StoryOf(u.id, "twice")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(AllStories(*store_, u.id).size(), 1u);
}

// A worker loses its lease, the job is rescued, and the same worker (same name) claims it
// again: the first attempt's token can write nothing, not even a completion.
TEST_P(StoreTest, ALostLeaseStaysLostWhenTheSameWorkerClaimsAgain) {
  User u = MakeUser("lease@example.com");
  Job job = Enqueue(u.id);
  Job first = *store_->ClaimJob("worker-1", 10000);
  clock_.Advance(10001);
  EXPECT_EQ(*store_->RescueExpiredJobs(), 1);
  Job second = *store_->ClaimJob("worker-1", 10000);
  EXPECT_EQ(second.id, job.id);
  EXPECT_EQ(second.attempts, 2);
  EXPECT_NE(second.lease_token, first.lease_token);
  for (Status s : {store_->Heartbeat(job.id, first.lease_token, 10000),
                   store_->UpdateJobProgress(job.id, first.lease_token, "x", 99),
                   store_->CompleteJob(job.id, first.lease_token, StoryOf(u.id, "stale")).status(),
                   store_->FailJob(job.id, first.lease_token, {"X", "y"}, true).status(),
                   store_->ReleaseJob(job.id, first.lease_token)}) {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  }
  Job now = *store_->GetJob(u.id, job.id);
  EXPECT_EQ(now.status, JobStatus::kProcessing);
  EXPECT_EQ(now.progress, 0);
  EXPECT_TRUE(AllStories(*store_, u.id).empty());
  EXPECT_TRUE(store_->CompleteJob(job.id, second.lease_token, StoryOf(u.id, "fresh")).ok());
  EXPECT_EQ(AllStories(*store_, u.id).size(), 1u);
}

// Another process hears of every change of a job's stage, progress or state (not of its
// heartbeats) on PostgreSQL; SQLite offers no such thing and callers poll.
TEST_P(StoreTest, JobChangesAreAnnouncedToOtherProcesses) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> heard;
  std::unique_ptr<Store> other = Open();  // a pool of its own, as another process has
  ASSERT_TRUE(other);
  auto listener = other->ListenJobEvents([&](const std::string& id) {
    std::lock_guard lock(mu);
    heard.push_back(id);
    cv.notify_all();
  });
  if (dialect() == Dialect::kSqlite) {
    EXPECT_EQ(listener.status().code(), StatusCode::kUnimplemented);
    return;
  }
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return heard.size() >= n; });
  };
  User u = MakeUser("events@example.com");
  Job job = Enqueue(u.id);
  Job running = *store_->ClaimJob("w", 30000);
  ASSERT_TRUE(wait_for(1));
  ASSERT_TRUE(store_->Heartbeat(job.id, running.lease_token, 30000).ok());
  ASSERT_TRUE(store_->UpdateJobProgress(job.id, running.lease_token, "analyzing", 40).ok());
  ASSERT_TRUE(wait_for(2));
  ASSERT_TRUE(store_->CompleteJob(job.id, running.lease_token, StoryOf(u.id, "t")).ok());
  ASSERT_TRUE(wait_for(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // anything more would be here
  std::lock_guard lock(mu);
  // Claim, progress, completion: the heartbeat between them was not announced.
  EXPECT_EQ(heard, (std::vector<std::string>{job.id, job.id, job.id}));
}

TEST_P(StoreTest, CancellingARunningJobStopsItsWorker) {
  User u = MakeUser("cancel@example.com");
  Job queued = Enqueue(u.id);
  EXPECT_EQ(store_->CancelJob(u.id, queued.id)->status, JobStatus::kCancelled);
  EXPECT_EQ(store_->ClaimJob("w", 1000).status().code(), StatusCode::kNotFound);  // never run
  Job job = Enqueue(u.id);
  Job running = *store_->ClaimJob("w", 30000);
  ASSERT_TRUE(store_->UpdateJobProgress(job.id, running.lease_token, "analyzing", 30).ok());
  EXPECT_EQ(store_->CancelJob(u.id, job.id)->status, JobStatus::kCancelled);
  EXPECT_EQ(store_->Heartbeat(job.id, running.lease_token, 30000).code(), StatusCode::kCancelled);
  EXPECT_EQ(store_->UpdateJobProgress(job.id, running.lease_token, "charting", 60).code(),
            StatusCode::kCancelled);
  EXPECT_EQ(
      store_->CompleteJob(job.id, running.lease_token, StoryOf(u.id, "too late")).status().code(),
      StatusCode::kCancelled);
  EXPECT_TRUE(AllStories(*store_, u.id).empty());
  EXPECT_EQ(store_->GetJob(u.id, job.id)->status, JobStatus::kCancelled);
  EXPECT_EQ(store_->CancelJob(u.id, job.id).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*store_->RescueExpiredJobs(), 0);
}

TEST_P(StoreTest, AReleasedJobGoesBackWithoutSpendingAnAttempt) {
  User u = MakeUser("release@example.com");
  Job job = Enqueue(u.id, 1);
  Job claimed = *store_->ClaimJob("stopping", 30000);
  ASSERT_TRUE(store_->ReleaseJob(job.id, claimed.lease_token).ok());
  Job back = *store_->GetJob(u.id, job.id);
  EXPECT_EQ(back.status, JobStatus::kQueued);
  EXPECT_EQ(back.attempts, 0);
  Job again = *store_->ClaimJob("other", 30000);
  EXPECT_EQ(again.attempts, 1);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 1);  // still reserved
}

// The schedule itself, over many draws: the jitter spreads delays over ±10% of base × 2^(n−1),
// and a capped delay never passes the cap.
TEST(RetryDelayTest, JitterWithinTenPercentAndNeverPastTheCap) {
  const RetryPolicy policy{1000, 5000};
  for (int64_t attempts : {1, 2, 3, 4, 10}) {
    const double scheduled =
        std::min(1000.0 * static_cast<double>(1 << std::min<int64_t>(attempts - 1, 20)), 5000.0);
    int64_t low = INT64_MAX, high = 0;
    for (int i = 0; i < 2000; ++i) {
      const int64_t delay = sql::RetryDelay(policy, attempts);
      low = std::min(low, delay);
      high = std::max(high, delay);
    }
    EXPECT_GE(low, static_cast<int64_t>(scheduled * 0.9)) << attempts;
    EXPECT_LE(high, std::min<int64_t>(static_cast<int64_t>(scheduled * 1.1), 5000)) << attempts;
    EXPECT_LT(low, static_cast<int64_t>(scheduled * 0.92)) << attempts;  // the jitter spreads
    if (scheduled < 5000) EXPECT_GT(high, static_cast<int64_t>(scheduled * 1.08)) << attempts;
  }
}

// Retries follow base × 2^(n−1), each within ±10% and never past the cap; used-up attempts fail
// with the last error kept.
TEST_P(StoreTest, FailedAttemptsBackOffThenFailForGood) {
  StoreOptions options = options_;
  options.retry = {1000, 5000};
  auto store = Open(options);
  User u = MakeUser("retry@example.com");
  Job job = *store->EnqueueJob({u.id, "{}", 6});
  const int64_t schedule[] = {1000, 2000, 4000, 5000, 5000};
  for (int attempt = 1; attempt <= 5; ++attempt) {
    Job claimed = *store->ClaimJob("w", 30000);
    ASSERT_EQ(claimed.attempts, attempt);
    EXPECT_EQ(claimed.progress, 0);
    auto retried =
        store->FailJob(job.id, claimed.lease_token, {"ANALYSIS_ERROR", "timeout"}, false);
    ASSERT_TRUE(retried.ok()) << retried.status().ToString();
    EXPECT_EQ(retried->status, JobStatus::kQueued);
    EXPECT_EQ(retried->error->code, "ANALYSIS_ERROR");
    const int64_t delay = retried->run_after - clock_.NowMillis();
    const int64_t expected = schedule[attempt - 1];
    EXPECT_GE(delay, expected * 9 / 10) << "attempt " << attempt;
    EXPECT_LE(delay, std::min<int64_t>(expected * 11 / 10, 5000)) << "attempt " << attempt;
    EXPECT_EQ(store->ClaimJob("w", 30000).status().code(), StatusCode::kNotFound);
    clock_.Advance(delay);
  }
  Job last = *store->ClaimJob("w", 30000);
  auto failed =
      store->FailJob(job.id, last.lease_token, {"ANALYSIS_ERROR", "timeout again"}, false);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, JobStatus::kFailed);
  EXPECT_EQ(failed->error->message, "timeout again");
  // A permanent error fails at once, whatever the attempts left.
  Job bad = *store->EnqueueJob({u.id, "{}", 5});
  Job claimed = *store->ClaimJob("w", 30000);
  auto permanent =
      store->FailJob(bad.id, claimed.lease_token, {"PARSE_ERROR", "not a table"}, true);
  ASSERT_TRUE(permanent.ok());
  EXPECT_EQ(permanent->status, JobStatus::kFailed);
  EXPECT_EQ(permanent->attempts, 1);
  // The pure model methods agree.
  Job model;
  EXPECT_TRUE(model.UpdateProgress("analyzing", 30));
  EXPECT_FALSE(model.UpdateProgress("parsing", 10));
  EXPECT_EQ(model.progress, 30);
  model.MarkAsFailed("X", "y");
  EXPECT_EQ(model.status, JobStatus::kFailed);
}

// Rescue as River tests it: from the state of the rows.
TEST_P(StoreTest, RescueTakesOnlyExpiredLeases) {
  User u = MakeUser("rescue@example.com");
  // A job whose attempts are used up: rescued into failed, its error kept, its story back.
  Job last_try = Enqueue(u.id, 1);
  Job dying = *store_->ClaimJob("dead", 10000);
  ASSERT_EQ(dying.id, last_try.id);
  // A finished job whose lease time has long passed: untouched.
  clock_.Advance(1);
  Job finished = Enqueue(u.id);
  Job done = *store_->ClaimJob("w", 1000);
  ASSERT_TRUE(store_->CompleteJob(finished.id, done.lease_token, StoryOf(u.id, "done")).ok());
  // A job that heartbeats for three times its lease: never rescued.
  clock_.Advance(1);
  Job alive = Enqueue(u.id);
  Job beating = *store_->ClaimJob("alive", 10000);
  ASSERT_EQ(beating.id, alive.id);
  EXPECT_EQ(*store_->RescueExpiredJobs(), 0);
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(5000);
    ASSERT_TRUE(store_->Heartbeat(alive.id, beating.lease_token, 10000).ok());
    EXPECT_EQ(*store_->RescueExpiredJobs(), i == 1 ? 1 : 0) << i;  // only "dead", at 10 s
  }
  Job failed = *store_->GetJob(u.id, last_try.id);
  EXPECT_EQ(failed.status, JobStatus::kFailed);
  EXPECT_EQ(failed.error->code, "LEASE_EXPIRED");
  EXPECT_NE(failed.error->message.find("dead"), std::string::npos);
  EXPECT_EQ(store_->GetJob(u.id, finished.id)->status, JobStatus::kCompleted);
  EXPECT_EQ(store_->GetJob(u.id, alive.id)->status, JobStatus::kProcessing);
  EXPECT_EQ(store_->GetUser(u.id)->stories_this_month, 2);  // the failed one's came back
}

TEST_P(StoreTest, EightWorkersDrainAThousandJobsEachOnce) {
  User u = MakeUser("drain@example.com", Tier::kEnterprise);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(Enqueue(u.id).id);
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
          claimed.insert(job->id);
        }
        auto done = store->CompleteJob(job->id, job->lease_token, StoryOf(u.id, job->id));
        EXPECT_TRUE(done.ok()) << done.status().ToString();
        if (done.ok()) ++completed;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(completed.load(), 1000);
  EXPECT_EQ(claimed.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()), ids);  // each exactly once
  EXPECT_EQ(AllStories(*store_, u.id).size(), 1000u);
}

// Two processes, each with 4 workers (threads with a store of their own), drain one queue of
// 1,000 jobs: every job is claimed once and completed once, wherever it ran.
TEST_P(StoreTest, TwoProcessesDrainAThousandJobs) {
  User u = MakeUser("processes@example.com", Tier::kEnterprise);
  for (int i = 0; i < 1000; ++i) Enqueue(u.id);
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
          auto store = OpenStore(Url(), options_);
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
            if ((*store)->CompleteJob(job->id, job->lease_token, StoryOf(u.id, job->id)).ok()) {
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
  std::set<std::string> story_ids;
  for (const StoryRecord& s : AllStories(*store_, u.id)) {
    auto job = store_->GetJob(u.id, s.title);  // the story's title is its job's id
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->status, JobStatus::kCompleted);
    EXPECT_EQ(job->attempts, 1);
    EXPECT_EQ(job->story_id, s.id);
    EXPECT_EQ(s.job_id, job->id);
    story_ids.insert(s.id);
  }
  EXPECT_EQ(story_ids.size(), 1000u);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// With no clock pinned, PostgreSQL times everything by the database's own clock: a lease's
// end, a story's creation and a session's expiry are all now() on the server.
TEST(PostgresClockTest, TimesComeFromTheDatabase) {
  auto db = testing::ScratchPostgres::Create("ds_clock");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto store = *OpenStore((*db)->url());
  ASSERT_TRUE(store->Migrate().ok());
  // A process whose clock is a day behind (libfaketime, which scripts/install-deps.sh installs)
  // writes a user, a claimed job and a session. Their times are the server's, which is this
  // host's clock: a store that took the process's clock would write them a day early.
  const char* faketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  ASSERT_TRUE(fs::exists(faketime)) << "libfaketime is missing: run scripts/install-deps.sh";
  // (Under AddressSanitizer the probe's runtime would refuse a library loaded before it.)
  const std::string command = std::string("LD_PRELOAD=") + faketime +
                              " FAKETIME=-1d FAKETIME_DONT_FAKE_MONOTONIC=1"
                              " ASAN_OPTIONS=verify_asan_link_order=0 " DS_CLOCK_PROBE " '" +
                              (*db)->url() + "'";
  const int64_t before = SystemClock().NowMillis();
  FILE* probe = popen(command.c_str(), "r");
  ASSERT_NE(probe, nullptr);
  std::map<std::string, std::string> out;
  char line[256];
  while (std::fgets(line, sizeof line, probe)) {
    std::string text(line);
    const size_t space = text.find(' ');
    if (space != std::string::npos)
      out[text.substr(0, space)] = text.substr(space + 1, text.size() - space - 2);
  }
  ASSERT_EQ(pclose(probe), 0) << command;
  const int64_t after = SystemClock().NowMillis();
  ASSERT_EQ(out.size(), 6u);
  // The skew took: the probe's own clock is a day behind.
  EXPECT_LT(std::stoll(out["own"]), before - 23 * kHour);
  for (const char* name : {"user", "job", "lease", "session"}) {
    const int64_t t = std::stoll(out[name]);
    EXPECT_GE(t, before - 1000) << name;
    EXPECT_LE(t, after + 1000) << name;
  }
  EXPECT_EQ(out["month"], MonthOf(std::stoll(out["job"])));
  // And the session it made is alive by the server's clock.
  EXPECT_TRUE(store->FindSession(std::string(64, 'p')).ok());
}

TEST(OpenStoreTest, UrlsAreCheckedWithAClearMessage) {
  auto mongo = OpenStore("mongodb://localhost/datastory");
  EXPECT_EQ(mongo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mongo.status().message().find("not supported, use postgres:// or sqlite://"),
            std::string::npos);
  EXPECT_EQ(OpenStore("mysql://x").status().code(), StatusCode::kInvalidArgument);
  // A mistyped scheme does not print the password that follows it.
  auto typo = OpenStore("postgresq://app:hunter2@db/x");
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(typo.status().message().find("hunter2"), std::string::npos) << typo.status().message();
  auto unreachable = OpenStore("postgres://app:hunter2@127.0.0.1:1/x?reconnect_ms=0");
  EXPECT_EQ(unreachable.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(unreachable.status().message().find("hunter2"), std::string::npos)
      << unreachable.status().message();
  EXPECT_NE(OpenStore("postgres:///x?pool_max=ten").status().message().find("pool_max"),
            std::string::npos);
  EXPECT_EQ(OpenStore("sqlite://").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("sqlite:///tmp/x.db?fast=yes").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("sqlite:///tmp/x.db?readers=100").status().code(),
            StatusCode::kInvalidArgument);
  auto memory = OpenStore("sqlite::memory:");
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_TRUE((*memory)->Migrate().ok());
  EXPECT_TRUE((*memory)->CreateUser({"m@example.com", "h", Tier::kFree}).ok());
  EXPECT_TRUE((*memory)->FindUserByEmail("m@example.com").ok());  // read through the writer
  auto unwritable = OpenStore("sqlite:///proc/no/such/dir/db.sqlite");
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

// The fault-injecting wrapper: a call refused before it runs changes nothing; a lost answer
// hides a write that was made.
TEST(FaultyStoreTest, FailsBeforeOrLosesTheAnswer) {
  auto inner = *OpenStore("sqlite::memory:");
  ASSERT_TRUE(inner->Migrate().ok());
  testing::FaultyStore faulty(inner.get());
  faulty.FailBefore("CreateUser", Status::Unavailable("the database is down"));
  EXPECT_EQ(faulty.CreateUser({"a@example.com", "h", Tier::kFree}).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(inner->FindUserByEmail("a@example.com").status().code(), StatusCode::kNotFound);
  faulty.LoseAnswer("CreateUser", Status::Unavailable("the connection dropped"));
  EXPECT_EQ(faulty.CreateUser({"a@example.com", "h", Tier::kFree}).status().code(),
            StatusCode::kUnavailable);
  EXPECT_TRUE(inner->FindUserByEmail("a@example.com").ok());  // it was saved all the same
  EXPECT_EQ(faulty.calls("CreateUser"), 1);
  EXPECT_EQ(faulty.CreateUser({"a@example.com", "h", Tier::kFree}).status().code(),
            StatusCode::kAlreadyExists);
  faulty.FailBefore("ClaimJob", Status::Unavailable("busy"), -1);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(faulty.ClaimJob("w", 1000).ok());
  EXPECT_EQ(faulty.calls("ClaimJob"), 0);
}

TEST(ModelsTest, MonthsAndTiers) {
  EXPECT_EQ(MonthOf(kNow), "2026-11");
  EXPECT_EQ(MonthOf(0), "1970-01");
  EXPECT_EQ(MonthOf(kLastSecondOfNovember + 1000), "2026-12");
  EXPECT_EQ(ParseTier("business"), Tier::kBusiness);
  EXPECT_FALSE(ParseTier("gold"));
  EXPECT_EQ(TierName(Tier::kEnterprise), "enterprise");
  User enterprise;
  enterprise.limits = GetTierLimits(Tier::kEnterprise);
  enterprise.stories_this_month = 1'000'000;
  enterprise.stories_month = "2026-11";
  EXPECT_TRUE(enterprise.CanCreateStory(kNow));
  // The month only moves forward: a clock behind the stored month still counts against it.
  User free;
  free.limits = GetTierLimits(Tier::kFree);
  free.stories_this_month = 5;
  free.stories_month = "2026-12";
  EXPECT_FALSE(free.CanCreateStory(kLastSecondOfNovember));
  TierTable generous;
  generous.free.stories_per_month = 100;
  EXPECT_EQ(GetTierLimits(Tier::kFree, generous).stories_per_month, 100);
}

}  // namespace
}  // namespace datastory::store
