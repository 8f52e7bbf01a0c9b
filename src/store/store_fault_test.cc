// Crash and fault tests that can fail: processes killed mid-write, PostgreSQL backends
// terminated under load. Each write names itself (a unique title, a job id), so a write that
// was applied twice shows, and so does one that was acknowledged and then lost.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "store/store.h"
#include "store/testing/scratch_postgres.h"
#include "store/testing/write_log.h"

namespace datastory::store {
namespace {

namespace fs = std::filesystem;
using testing::AllStories;

constexpr int64_t kNow = 1795608000000;

// How many stories carry each title.
std::map<std::string, int> TitleCounts(const std::vector<StoryRecord>& stories) {
  std::map<std::string, int> counts;
  for (const StoryRecord& s : stories) counts[s.title]++;
  return counts;
}

std::string IntegrityCheck(const fs::path& file) {
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) return "cannot open";
  sqlite3_stmt* check = nullptr;
  std::string result = "no answer";
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK &&
      sqlite3_step(check) == SQLITE_ROW) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
  }
  sqlite3_finalize(check);
  sqlite3_close(db);
  return result;
}

// Reads fixed-size messages from a child until it exits or is killed: each is a write the
// child saw acknowledged. `on_message` may kill the child.
template <size_t N, class OnMessage>
std::vector<std::string> ReadAcknowledged(int fd, OnMessage&& on_message) {
  std::vector<std::string> out;
  char message[N];
  while (read(fd, message, N) == static_cast<ssize_t>(N)) {
    out.emplace_back(message, N);
    on_message(out.size());
  }
  close(fd);
  return out;
}

class SqliteFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("datastory-kill-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    options_.clock = &clock_;
    auto store = *OpenStore(Url(), options_);
    ASSERT_TRUE(store->Migrate().ok());
    user_id_ = store->CreateUser({"kill@example.com", "h", Tier::kEnterprise})->id;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Url() const { return "sqlite://" + (dir_ / "db.sqlite").string(); }

  fs::path dir_;
  FakeClock clock_{kNow};
  StoreOptions options_;
  std::string user_id_;
};

// Reads go to a pool of connections beside the writer: a read is answered while a write of the
// same Store waits for the database's write lock (held here by another connection, as another
// process would). With one connection behind one mutex, the read waited for the write.
TEST_F(SqliteFaultTest, ReadsDoNotQueueBehindAWrite) {
  auto store = *OpenStore(Url(), options_);
  StoryRecord story;
  story.user_id = user_id_;
  story.title = "read me";
  story.document_json = "{}";
  const std::string id = store->CreateStory(story)->id;

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::atomic<bool> write_done = false;
  Status write_status;
  std::thread writer([&] {
    story.title = "written later";
    write_status = store->CreateStory(story).status();
    write_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_FALSE(write_done) << "the write did not wait for the lock: " << write_status.ToString();
  auto read = store->GetStory(user_id_, id, StoryParts::kWhole);
  EXPECT_FALSE(write_done) << "the read waited for the write";
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->title, "read me");
  EXPECT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  writer.join();
  EXPECT_TRUE(write_status.ok()) << write_status.ToString();  // within the busy timeout
}

// A process writing 1,000 stories is killed (SIGKILL) part-way. The database opens again,
// passes PRAGMA integrity_check, and holds every acknowledged story exactly once.
TEST_F(SqliteFaultTest, AKilledWriterLosesNoAcknowledgedWrite) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = OpenStore(Url(), options_);
    if (!store.ok()) _exit(2);
    for (int i = 0; i < 1000; ++i) {
      char title[16];
      std::snprintf(title, sizeof title, "story %06d", i);
      StoryRecord s = testing::SmallStory(user_id_, title);
      s.summary = std::string(20000, 'x');  // pages to write, so the kill lands mid-write
      if (!(*store)->CreateStory(s).ok()) _exit(3);
      // Acknowledged: reported to the parent only after CreateStory returned.
      if (write(fds[1], title, 12) != 12) _exit(4);
    }
    _exit(0);
  }
  close(fds[1]);
  auto acknowledged = ReadAcknowledged<12>(fds[0], [&](size_t n) {
    if (n == 300) kill(pid, SIGKILL);
  });
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer was not killed";
  ASSERT_GE(acknowledged.size(), 300u);
  ASSERT_LT(acknowledged.size(), 1000u);
  EXPECT_EQ(IntegrityCheck(dir_ / "db.sqlite"), "ok");
  auto store = *OpenStore(Url(), options_);
  auto counts = TitleCounts(AllStories(*store, user_id_));
  for (const std::string& title : acknowledged) {
    EXPECT_EQ(counts[title], 1) << title;
  }
  for (const auto& [title, count] : counts) EXPECT_EQ(count, 1) << title;
}

// A worker process claims and completes jobs (multi-statement transactions) and is killed
// part-way: the file is whole, every acknowledged completion is there with its story, and no
// job has two stories.
TEST_F(SqliteFaultTest, AKilledWorkerCompletesNoJobTwice) {
  {
    auto store = *OpenStore(Url(), options_);
    for (int i = 0; i < 600; ++i) ASSERT_TRUE(store->EnqueueJob({user_id_, "{}", 3}).ok());
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = OpenStore(Url(), options_);
    if (!store.ok()) _exit(2);
    while (true) {
      auto job = (*store)->ClaimJob("doomed", 60000);
      if (!job.ok()) _exit(job.status().code() == StatusCode::kNotFound ? 0 : 3);
      if (!(*store)->UpdateJobProgress(job->id, job->lease_token, "analyzing", 50).ok()) _exit(4);
      StoryRecord s = testing::SmallStory(job->user_id, job->id);
      s.summary = std::string(20000, 'y');
      if (!(*store)->CompleteJob(job->id, job->lease_token, s).ok()) _exit(5);
      if (write(fds[1], job->id.data(), 36) != 36) _exit(6);
    }
  }
  close(fds[1]);
  auto acknowledged = ReadAcknowledged<36>(fds[0], [&](size_t n) {
    if (n == 200) kill(pid, SIGKILL);
  });
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the worker was not killed: exit " << WEXITSTATUS(status) << " after "
      << acknowledged.size();
  EXPECT_EQ(IntegrityCheck(dir_ / "db.sqlite"), "ok");

  auto store = *OpenStore(Url(), options_);
  for (const std::string& id : acknowledged) {
    auto job = store->GetJob(user_id_, id);
    ASSERT_TRUE(job.ok()) << id;
    EXPECT_EQ(job->status, JobStatus::kCompleted) << id;
    EXPECT_EQ(store->GetStory(user_id_, job->story_id, StoryParts::kWhole)->job_id, id);
  }
  auto stories = AllStories(*store, user_id_);
  std::set<std::string> jobs_with_stories;
  for (const StoryRecord& s : stories) {
    EXPECT_TRUE(jobs_with_stories.insert(s.job_id).second) << "job " << s.job_id << " twice";
    EXPECT_EQ(store->GetJob(user_id_, s.job_id)->status, JobStatus::kCompleted);
  }
  // The job the kill interrupted comes back through rescue and completes once.
  clock_.Advance(60001);
  EXPECT_LE(*store->RescueExpiredJobs(), 1);
  int drained = 0;
  for (auto job = store->ClaimJob("survivor", 60000); job.ok();
       job = store->ClaimJob("survivor", 60000)) {
    ASSERT_TRUE(
        store->CompleteJob(job->id, job->lease_token, testing::SmallStory(user_id_, job->id)).ok());
    ++drained;
  }
  EXPECT_EQ(AllStories(*store, user_id_).size(), 600u);
  EXPECT_EQ(static_cast<size_t>(drained) + stories.size(), 600u);
}

class PostgresFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::ScratchPostgres::Create("ds_fault");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    options_.clock = &clock_;
    store_ = *OpenStore(db_->url(), options_);
    ASSERT_TRUE(store_->Migrate().ok());
    user_id_ = store_->CreateUser({"fault@example.com", "h", Tier::kEnterprise})->id;
  }
  // Terminates every backend of the database every 30 ms while `work` runs; returns how many.
  template <class Work>
  int WhileTerminatingBackends(Work&& work) {
    std::atomic<bool> running = true;
    int terminated = 0;
    std::thread killer([&] {
      while (running) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        if (auto n = db_->TerminateBackends(); n.ok()) terminated += *n;
      }
    });
    work();
    running = false;
    killer.join();
    return terminated;
  }

  std::unique_ptr<testing::ScratchPostgres> db_;
  FakeClock clock_{kNow};
  StoreOptions options_;
  std::unique_ptr<Store> store_;
  std::string user_id_;
};

// Backends terminated while 4 threads write stories through one pool: the pool reconnects,
// the writes go on, and every acknowledged write is there exactly once; a refused one may or
// may not be (the caller was told), but never twice.
TEST_F(PostgresFaultTest, TerminatedBackendsLoseNoAcknowledgedWrite) {
  testing::WriteLog log;
  std::mutex mu;
  std::vector<std::string> acknowledged_titles;
  const int terminated = WhileTerminatingBackends([&] {
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 250; ++i) {
          const std::string title = std::to_string(w) + "/" + std::to_string(i);
          auto written = store_->CreateStory(testing::SmallStory(user_id_, title));
          log.Record(written);
          if (written.ok()) {
            std::lock_guard lock(mu);
            acknowledged_titles.push_back(title);
          }
        }
      });
    }
    for (auto& t : writers) t.join();
  });
  EXPECT_GT(terminated, 0) << "no backend was terminated: the test did not test anything";
  EXPECT_LE(log.refused().size(), 10u) << (log.refused().empty() ? "" : log.refused().front());
  EXPECT_EQ(log.acknowledged().size() + log.refused().size(), 1000u);
  auto counts = TitleCounts(AllStories(*store_, user_id_));
  for (const std::string& title : acknowledged_titles) EXPECT_EQ(counts[title], 1) << title;
  for (const auto& [title, count] : counts) EXPECT_EQ(count, 1) << "written twice: " << title;
  std::printf("terminated %d backends; %zu writes acknowledged, %zu refused\n", terminated,
              log.acknowledged().size(), log.refused().size());
}

// Backends terminated while 4 workers claim and complete 400 jobs: every acknowledged
// completion is there, no job gets two stories, and a completion whose answer was lost is
// settled by trying it again with the same lease (it either went through or it goes now).
TEST_F(PostgresFaultTest, JobsAreCompletedOnceWhileBackendsDie) {
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(store_->EnqueueJob({user_id_, "{}", 5}).ok());
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<int> unsure = 0;
  const int terminated = WhileTerminatingBackends([&] {
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&, w] {
        const std::string name = "worker-" + std::to_string(w);
        int idle = 0;
        while (idle < 3) {
          auto job = store_->ClaimJob(name, 60000);
          if (!job.ok()) {
            if (job.status().code() == StatusCode::kNotFound) ++idle;
            continue;
          }
          idle = 0;
          static_cast<void>(store_->UpdateJobProgress(job->id, job->lease_token, "writing", 80));
          for (int tries = 0; tries < 20; ++tries) {
            auto done = store_->CompleteJob(job->id, job->lease_token,
                                            testing::SmallStory(job->user_id, job->id));
            if (done.ok()) {
              std::lock_guard lock(mu);
              acknowledged.push_back(job->id);
              break;
            }
            // Lost answer: the first try may have committed; the lease says which.
            if (done.status().code() == StatusCode::kFailedPrecondition) break;
            ++unsure;
          }
        }
      });
    }
    for (auto& t : workers) t.join();
  });
  EXPECT_GT(terminated, 0) << "no backend was terminated: the test did not test anything";
  // Claims whose answer was lost leave jobs processing: their leases run out and they are
  // rescued and run again, once.
  clock_.Advance(60001);
  static_cast<void>(store_->RescueExpiredJobs());
  for (auto job = store_->ClaimJob("cleanup", 60000); job.ok();
       job = store_->ClaimJob("cleanup", 60000)) {
    auto done =
        store_->CompleteJob(job->id, job->lease_token, testing::SmallStory(job->user_id, job->id));
    ASSERT_TRUE(done.ok()) << done.status().ToString();
  }
  auto stories = AllStories(*store_, user_id_);
  std::map<std::string, int> per_job;
  for (const StoryRecord& s : stories) per_job[s.job_id]++;
  for (const std::string& id : acknowledged) EXPECT_EQ(per_job[id], 1) << id;
  for (const auto& [id, count] : per_job) EXPECT_EQ(count, 1) << "job " << id << " twice";
  EXPECT_EQ(per_job.size(), 400u);
  for (const auto& [id, count] : per_job) {
    EXPECT_EQ(store_->GetJob(user_id_, id)->status, JobStatus::kCompleted);
  }
  std::printf("terminated %d backends; %zu completions acknowledged, %d retried\n", terminated,
              acknowledged.size(), unsure.load());
}

}  // namespace
}  // namespace datastory::store
