#include "jobs/worker.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "base/random.h"
#include "csv/limits.h"
#include "service/stories.h"
#include "table/inference.h"

namespace datastory::jobs {
namespace {

using Clock = std::chrono::steady_clock;

int64_t Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// The job's error from a failure: its reason as the code, its message for a person.
store::JobError ErrorOf(const Status& failure) {
  return {failure.reason().empty() ? std::string(StatusCodeName(failure.code())) : failure.reason(),
          failure.message()};
}

// Downloads an upload into a temporary file, opened and already unlinked: nothing is left
// behind whatever happens next, and the pipeline reads it with pread.
Result<std::unique_ptr<csv::ByteSource>> Fetch(blob::BlobStore& blobs,
                                               const store::UploadRecord& upload,
                                               const std::string& temp_dir) {
  const std::string path = temp_dir + "/datastory-job-" + NewToken(12) + ".csv";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot make a temporary file in " + temp_dir + ": " +
                               std::strerror(errno));
  }
  Status written = blobs.DownloadStream(upload.storage_key, [fd](std::string_view piece) {
    while (!piece.empty()) {
      const ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Unavailable(std::string("writing the temporary copy: ") +
                                   std::strerror(errno));
      }
      piece.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  });
  auto source = written.ok() ? csv::OpenFile(path, upload.original_filename)
                             : Result<std::unique_ptr<csv::ByteSource>>(written);
  ::unlink(path.c_str());
  ::close(fd);
  return source;
}

}  // namespace

bool IsPermanent(const Status& failure) {
  static const std::set<std::string> kDataReasons = {pipeline::kParseError,
                                                     service::kInvalidOptions,
                                                     table::kInvalidOptions,
                                                     csv::kTooManyRows,
                                                     csv::kTooManyColumns,
                                                     csv::kFieldTooLong,
                                                     csv::kRecordTooLong,
                                                     csv::kFileTooLarge,
                                                     csv::kInvalidEncoding,
                                                     "UPLOAD_GONE",
                                                     "INTERNAL"};
  if (kDataReasons.count(failure.reason())) return true;
  // Without a reason, only the engine being away is worth another try.
  return failure.reason().empty() && failure.code() != StatusCode::kUnavailable;
}

Worker::Worker(store::Store& store, blob::BlobStore& blobs, WorkerOptions options,
               JobEventFn on_event)
    : store_(store), blobs_(blobs), options_(std::move(options)), on_event_(std::move(on_event)) {}

void Worker::Event(const std::string& job_id) const {
  if (on_event_) on_event_(job_id);
}

Status Worker::RunOne(const pipeline::CancelToken* shutdown) {
  DS_ASSIGN_OR_RETURN(store::Job job, store_.ClaimJob(options_.name, options_.lease_ms));
  Event(job.id);
  Run(job, shutdown);
  return Status::Ok();
}

void Worker::Run(const store::Job& job, const pipeline::CancelToken* shutdown) {
  const std::string& token = job.lease_token;
  // Set when the work must stop: the job was cancelled or its lease lost (`gone` then says
  // which), or the process is shutting down.
  pipeline::CancelToken stop;
  std::atomic<bool> cancelled_by_user{false};
  auto heard = [&](const Status& s) {
    if (s.code() == StatusCode::kCancelled) cancelled_by_user = true;
    if (s.code() == StatusCode::kCancelled || s.code() == StatusCode::kFailedPrecondition) {
      stop.Cancel();
    }
  };
  auto log = [&](const std::string& what) {
    if (options_.log) options_.log("job " + job.id + ": " + what);
  };
  auto fail = [&](const Status& failure) {
    const bool permanent = IsPermanent(failure);
    auto failed = store_.FailJob(job.id, token, ErrorOf(failure), permanent);
    heard(failed.status());
    const bool retried = failed.ok() && failed->status == store::JobStatus::kQueued;
    log(std::string(retried ? "attempt failed, to be retried: " : "failed: ") +
        ErrorOf(failure).code + ": " + failure.message());
    Event(job.id);
  };

  auto spec = service::ParseStoryJobOptions(job.options_json);
  if (!spec.ok()) return fail(spec.status().WithReason(service::kInvalidOptions));
  auto request = service::ParseStorySettings(spec->settings);
  if (!request.ok()) return fail(request.status());
  request->threads = options_.threads_per_job;
  if (job.max_rows >= 0) request->limits.max_rows = job.max_rows;
  auto upload = store_.GetUpload(job.user_id, spec->upload_id);
  if (!upload.ok()) {
    return fail(upload.status().code() == StatusCode::kNotFound
                    ? Status::NotFound("the uploaded file is gone").WithReason("UPLOAD_GONE")
                    : upload.status());
  }

  // The heartbeat: keeps the lease, and hears of a cancel or a lost lease.
  std::mutex beat_mu;
  std::condition_variable beat_cv;
  bool finished = false;
  // A new thread starts with its creator's name, and names itself only once it runs: made
  // under its own name, the heartbeat never shows as one of the job's threads (top, perf, the
  // benchmark's count of running job threads caught it in that moment).
  char own_name[16] = {};
  pthread_getname_np(pthread_self(), own_name, sizeof own_name);
  pthread_setname_np(pthread_self(), "ds-heartbeat");
  std::thread heartbeat([&] {
    std::unique_lock lock(beat_mu);
    while (!beat_cv.wait_for(lock, std::chrono::milliseconds(options_.heartbeat_ms),
                             [&] { return finished; })) {
      lock.unlock();
      heard(store_.Heartbeat(job.id, token, options_.lease_ms));
      if (shutdown && shutdown->cancelled()) stop.Cancel();
      lock.lock();
    }
  });
  pthread_setname_np(pthread_self(), own_name);
  auto end_heartbeat = [&] {
    {
      std::lock_guard lock(beat_mu);
      finished = true;
    }
    beat_cv.notify_all();
    heartbeat.join();
  };

  auto source = Fetch(blobs_, *upload, options_.temp_dir);
  if (!source.ok()) {
    end_heartbeat();
    return fail(source.status());
  }
  // Progress reaches the job on each new stage, and every 5% or second within one.
  pipeline::Stage last_stage = pipeline::Stage::kParsing;
  int last_percent = -1;
  Clock::time_point last_write;
  auto progress = [&](pipeline::Stage stage, int percent) {
    if (shutdown && shutdown->cancelled()) stop.Cancel();
    const bool due = stage != last_stage || percent >= last_percent + 5 ||
                     Millis(Clock::now() - last_write) >= 1000;
    if (!due) return;
    last_stage = stage, last_percent = percent, last_write = Clock::now();
    heard(store_.UpdateJobProgress(job.id, token, pipeline::StageName(stage), percent));
    Event(job.id);
  };
  auto result = pipeline::MakeStory(**source, *request, progress, &stop);
  end_heartbeat();

  if (!result.ok()) {
    if (cancelled_by_user) {  // the job says so already
      log("cancelled");
      return Event(job.id);
    }
    if (shutdown && shutdown->cancelled()) {
      static_cast<void>(store_.ReleaseJob(job.id, token));  // another worker takes it
      log("given back to the queue (shutting down)");
      return Event(job.id);
    }
    return fail(result.status());
  }
  const story::Story& story = result->story;
  store::StoryRecord record;
  record.title = story.title;
  record.dataset = {upload->original_filename, upload->storage_key, story.profile.rows,
                    static_cast<int64_t>(story.profile.columns.size()), upload->size};
  record.summary = story.narratives.summary;
  record.key_findings = story.narratives.key_findings;
  record.recommendations = story.narratives.recommendations;
  record.document_json = pipeline::Render(*result, pipeline::Format::kCompactJson);
  record.processing_time_ms = result->processing_ms;
  const store::StoryRender pages{pipeline::Render(*result, pipeline::Format::kHtml),
                                 pipeline::Render(*result, pipeline::Format::kMarkdown),
                                 pipeline::Render(*result, pipeline::Format::kChartsJson)};
  auto completed = store_.CompleteJob(job.id, token, record, pages);
  if (!completed.ok()) {
    heard(completed.status());
    // The database away: the lease runs out and the job is rescued and run again.
    if (!cancelled_by_user && completed.status().code() != StatusCode::kFailedPrecondition) {
      fail(completed.status());
    }
  } else {
    log("completed as story " + completed->story_id + " in " +
        std::to_string(result->processing_ms) + " ms");
  }
  Event(job.id);
}

WorkerPool::WorkerPool(store::Store& store, blob::BlobStore& blobs, WorkerOptions options,
                       int threads, JobEventFn on_event)
    : store_(store),
      blobs_(blobs),
      options_(std::move(options)),
      threads_(threads),
      on_event_(std::move(on_event)) {}

WorkerPool::~WorkerPool() { Stop(0); }

void WorkerPool::Start() {
  for (int i = 0; i < threads_; ++i) threads_list_.emplace_back([this, i] { Loop(i); });
  if (threads_ > 0) threads_list_.emplace_back([this] { RescueLoop(); });
}

void WorkerPool::Wake() {
  {
    std::lock_guard lock(mu_);
    ++pokes_;
  }
  cv_.notify_all();
}

void WorkerPool::Loop(int index) {
  // Named for top, perf and the benchmark's count of running job threads.
  pthread_setname_np(pthread_self(), ("ds-worker-" + std::to_string(index)).substr(0, 15).c_str());
  WorkerOptions options = options_;
  options.name = options_.name + "/" + std::to_string(index);
  Worker worker(store_, blobs_, options, on_event_);
  while (!stopping_) {
    uint64_t seen;
    {
      std::lock_guard lock(mu_);
      seen = pokes_;
    }
    ++running_;
    Status s = worker.RunOne(&shutdown_);
    --running_;
    if (s.ok()) continue;  // maybe more are waiting
    // None waiting, or the database away: wait for a poke (a job enqueued since the look above
    // counts) or the next poll.
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [&] { return stopping_.load() || pokes_ != seen; });
  }
}

void WorkerPool::RescueLoop() {
  while (!stopping_) {
    static_cast<void>(store_.RescueExpiredJobs());
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.rescue_every_ms),
                 [&] { return stopping_.load(); });
  }
}

void WorkerPool::Stop(int64_t grace_ms) {
  if (threads_list_.empty()) return;
  stopping_ = true;
  cv_.notify_all();
  const auto deadline = Clock::now() + std::chrono::milliseconds(grace_ms);
  while (running_ > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  shutdown_.Cancel();  // what is still running stops and goes back to the queue
  for (std::thread& t : threads_list_) t.join();
  threads_list_.clear();
}

}  // namespace datastory::jobs
