// The worker over a real SQLite store and the in-memory BlobStore (with faults injected where a
// test needs storage to fail).
#include "jobs/worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "blob/testing/fault_blob_store.h"
#include "service/stories.h"

namespace datastory::jobs {
namespace {

namespace fs = std::filesystem;

std::string Sales(int rows) {
  std::string csv = "date,region,revenue\n";
  const char* regions[] = {"West", "East", "North", "South"};
  for (int i = 0; i < rows; ++i) {
    char line[80];
    std::snprintf(line, sizeof line, "20%02d-%02d-%02d,%s,%d\n", 20 + i / 336, i / 28 % 12 + 1,
                  i % 28 + 1, regions[i % 4], 1000 + (i * 37) % 500);
    csv += line;
  }
  return csv;
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ds-worker-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store::StoreOptions options;
    options.tiers.free.max_rows = 5000;
    store_ = *store::OpenStore("sqlite://" + (dir_ / "db.sqlite").string(), options);
    ASSERT_TRUE(store_->Migrate().ok());
    memory_ = blob::NewMemoryBlobStore("a secret of enough bytes", clock_);
    blobs_ = std::make_unique<blob::testing::FaultyBlobStore>(memory_.get());
    stories_ = std::make_unique<service::StoryService>(*store_, *blobs_);
    user_ = *store_->CreateUser({"ada@example.com", "h", store::Tier::kFree});
    principal_.user = *store_->GetUser(user_.id);
  }
  void TearDown() override { fs::remove_all(dir_); }

  store::Job Start(const std::string& csv, service::StorySettings settings = {}) {
    service::UploadRequest request;
    auto bytes = std::make_shared<std::string>(csv);
    auto offset = std::make_shared<size_t>(0);
    request.filename = "sales.csv";
    request.body = [bytes, offset](char* buffer, size_t capacity) -> Result<size_t> {
      size_t n = std::min(capacity, bytes->size() - *offset);
      std::memcpy(buffer, bytes->data() + *offset, n);
      *offset += n;
      return n;
    };
    auto up = stories_->Upload(principal_, std::move(request));
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    auto job = stories_->StartStory(principal_, up->upload.id, settings, "");
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    return *job;
  }
  store::Job Reload(const store::Job& job) { return *store_->GetJob(user_.id, job.id); }

  fs::path dir_;
  FakeClock clock_{1795608000000};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<blob::BlobStore> memory_;
  std::unique_ptr<blob::testing::FaultyBlobStore> blobs_;
  std::unique_ptr<service::StoryService> stories_;
  store::User user_;
  service::Principal principal_;
};

TEST_F(WorkerTest, AJobBecomesAStoryWithItsPages) {
  store::Job job = Start(Sales(1200), {.audience = "technical", .title = "Sales 2024"});
  std::mutex mu;
  std::vector<std::pair<std::string, int>> seen;  // stage and progress at each event
  Worker worker(*store_, *blobs_, {.name = "w1", .temp_dir = dir_.string()},
                [&](const std::string& id) {
                  auto j = store_->GetJob(user_.id, id);
                  std::lock_guard lock(mu);
                  seen.emplace_back(j->current_stage, j->progress);
                });
  ASSERT_TRUE(worker.RunOne().ok());
  EXPECT_EQ(worker.RunOne().code(), StatusCode::kNotFound);
  store::Job done = Reload(job);
  ASSERT_EQ(done.status, store::JobStatus::kCompleted) << (done.error ? done.error->message : "");
  EXPECT_EQ(done.progress, 100);
  auto story = store_->GetStory(user_.id, done.story_id, store::StoryParts::kWhole);
  ASSERT_TRUE(story.ok());
  EXPECT_EQ(story->title, "Sales 2024");
  EXPECT_EQ(story->dataset.row_count, 1200);
  EXPECT_EQ(story->dataset.original_filename, "sales.csv");
  const auto document = nlohmann::json::parse(story->document_json);
  EXPECT_EQ(document["audienceLevel"], "technical");
  EXPECT_FALSE(document["insights"].empty());
  auto pages = store_->GetStoryRender(user_.id, story->id);
  ASSERT_TRUE(pages.ok());
  EXPECT_NE(pages->html.find("<svg"), std::string::npos);
  EXPECT_EQ(pages->markdown.rfind("# Sales 2024", 0), 0u);
  // Progress was seen stage by stage, never going back.
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen.front().first, "claimed");
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].second, seen[i - 1].second);
  std::vector<std::string> stages;
  for (auto& [stage, percent] : seen) {
    if (stages.empty() || stages.back() != stage) stages.push_back(stage);
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"claimed", "parsing", "analyzing", "charting",
                                              "writing", "completed"}));
}

// Over the tier's row limit: failed for good with its own code, and the story given back.
TEST_F(WorkerTest, TheTiersRowLimitFailsTheJobForGood) {
  store::Job job = Start(Sales(5001));
  Worker worker(*store_, *blobs_, {.temp_dir = dir_.string()});
  ASSERT_TRUE(worker.RunOne().ok());
  store::Job failed = Reload(job);
  EXPECT_EQ(failed.status, store::JobStatus::kFailed);
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, "ROW_LIMIT");
  EXPECT_NE(failed.error->message.find("more than 5000 data rows"), std::string::npos)
      << failed.error->message;
  EXPECT_EQ(failed.attempts, 1);
  EXPECT_EQ(store_->GetUser(user_.id)->stories_this_month, 0);
}

TEST_F(WorkerTest, ABadFileFailsWithWhereAndWhy) {
  store::Job job = Start("a,b\n1,2\n3,\"4\n", {.types = {{"a", "integer"}}});
  Worker worker(*store_, *blobs_, {.temp_dir = dir_.string()});
  ASSERT_TRUE(worker.RunOne().ok());
  store::Job done = Reload(job);
  // An unclosed quote is a diagnostic, and the story is still told from what was read.
  EXPECT_EQ(done.status, store::JobStatus::kCompleted);
  store::Job bad_time = Start(Sales(50), {.time_column = "when"});
  ASSERT_TRUE(worker.RunOne().ok());
  store::Job failed = Reload(bad_time);
  EXPECT_EQ(failed.status, store::JobStatus::kFailed);
  EXPECT_EQ(failed.error->code, "INVALID_OPTIONS");
  EXPECT_NE(failed.error->message.find("'when'"), std::string::npos);
}

// Storage away while the file is fetched: the attempt fails, the job is retried, and the next
// attempt completes it.
TEST_F(WorkerTest, ATransientFailureIsRetried) {
  store::Job job = Start(Sales(100));
  blobs_->Fail(blob::testing::BlobCall::kDownload, Status::Unavailable("storage is away"));
  Worker worker(*store_, *blobs_, {.temp_dir = dir_.string()});
  ASSERT_TRUE(worker.RunOne().ok());
  store::Job retried = Reload(job);
  EXPECT_EQ(retried.status, store::JobStatus::kQueued);
  EXPECT_EQ(retried.error->code, "Unavailable");
  // The back-off passes (the store runs on the system clock here): wait for it.
  for (int i = 0; i < 50 && worker.RunOne().code() == StatusCode::kNotFound; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Reload(job).status, store::JobStatus::kCompleted);
  EXPECT_EQ(Reload(job).attempts, 2);
}

// Cancelled while it runs: the worker stops within a block and leaves no story; the month's
// story comes back.
TEST_F(WorkerTest, ACancelledJobStopsAndLeavesNoStory) {
  store::Job job = Start(Sales(20000));
  Worker worker(*store_, *blobs_, {.heartbeat_ms = 10, .temp_dir = dir_.string()},
                [&](const std::string& id) {
                  auto j = store_->GetJob(user_.id, id);
                  if (j->current_stage == "parsing") {
                    static_cast<void>(store_->CancelJob(user_.id, id));
                  }
                });
  ASSERT_TRUE(worker.RunOne().ok());
  store::Job cancelled = Reload(job);
  EXPECT_EQ(cancelled.status, store::JobStatus::kCancelled);
  EXPECT_TRUE(cancelled.story_id.empty());
  EXPECT_TRUE(store_->ListStories(user_.id, "", 10)->stories.empty());
  EXPECT_EQ(store_->GetUser(user_.id)->stories_this_month, 0);
}

// Shutting down with a job running: it stops and goes back to the queue, its attempt not
// counted, for another worker to run.
TEST_F(WorkerTest, AShutdownGivesTheRunningJobBack) {
  store::Job job = Start(Sales(4000));
  pipeline::CancelToken shutdown;
  Worker worker(*store_, *blobs_, {.heartbeat_ms = 10, .temp_dir = dir_.string()},
                [&](const std::string& id) {
                  if (store_->GetJob(user_.id, id)->current_stage == "parsing") shutdown.Cancel();
                });
  ASSERT_TRUE(worker.RunOne(&shutdown).ok());
  store::Job back = Reload(job);
  EXPECT_EQ(back.status, store::JobStatus::kQueued);
  EXPECT_EQ(back.attempts, 0);
  Worker other(*store_, *blobs_, {.temp_dir = dir_.string()});
  ASSERT_TRUE(other.RunOne().ok());
  EXPECT_EQ(Reload(job).status, store::JobStatus::kCompleted)
      << (Reload(job).error ? Reload(job).error->code + ": " + Reload(job).error->message : "");
}

TEST_F(WorkerTest, APoolDrainsTheQueueAndStopsCleanly) {
  ASSERT_TRUE(store_->SetUserTier(user_.id, store::Tier::kEnterprise).ok());
  principal_.user = *store_->GetUser(user_.id);
  std::vector<store::Job> jobs;
  for (int i = 0; i < 8; ++i) jobs.push_back(Start(Sales(200 + i)));
  WorkerPool pool(*store_, *blobs_, {.name = "pool", .poll_ms = 50, .temp_dir = dir_.string()}, 2);
  pool.Start();
  pool.Wake();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto all_done = [&] {
    for (const store::Job& j : jobs) {
      if (Reload(j).status != store::JobStatus::kCompleted) return false;
    }
    return true;
  };
  while (!all_done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pool.Stop(1000);
  EXPECT_TRUE(all_done());
  EXPECT_EQ(store_->ListStories(user_.id, "", 100)->stories.size(), 8u);
  EXPECT_EQ(pool.running_jobs(), 0);
}

// An idle pool looks again only every poll_ms (here a minute); Wake() is what makes a new job
// start at once, even when it comes while the workers are between two looks.
TEST_F(WorkerTest, AWakeStartsANewJobWithoutWaitingForThePoll) {
  WorkerPool pool(*store_, *blobs_, {.name = "pool", .poll_ms = 60000, .temp_dir = dir_.string()},
                  1);
  pool.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the worker found nothing
  for (int round = 0; round < 3; ++round) {
    const store::Job job = Start(Sales(100 + round));
    pool.Wake();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (Reload(job).status != store::JobStatus::kCompleted &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(Reload(job).status, store::JobStatus::kCompleted) << "round " << round;
  }
  pool.Stop(1000);
}

}  // namespace
}  // namespace datastory::jobs
