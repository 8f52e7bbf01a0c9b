// The worker: claims story jobs from the durable queue, runs the pipeline on the upload, and
// completes or fails each job, holding its lease all along (store/store.h says how leases,
// heartbeats and rescue work).
//
// One job: claim with a lease → read the upload's options and file (downloaded to a temporary
// file, removed at once, read with pread) → the pipeline, its progress written to the job (on
// each new stage, and every 5% or second) → the story and its pages saved with the job's
// completion, in one transaction. A heartbeat keeps the lease while the work runs; when the
// store answers that the job was cancelled, or its lease lost, the pipeline is stopped within a
// block. Failures with a data reason (PARSE_ERROR, ROW_LIMIT, INVALID_OPTIONS …) fail the job
// for good; others (the database or the storage away) are retried with back-off.
#ifndef DATASTORY_JOBS_WORKER_H_
#define DATASTORY_JOBS_WORKER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "blob/blob_store.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

namespace datastory::jobs {

struct WorkerOptions {
  std::string name = "worker";  // written on the job while it holds it, for people to read
  int64_t lease_ms = 30000;
  int64_t heartbeat_ms = 5000;
  int64_t poll_ms = 1000;  // how often an idle worker looks for a job
  int64_t rescue_every_ms = 10000;
  int threads_per_job = 1;  // the pipeline's thread budget for one job
  std::string temp_dir = "/tmp";
  // One line per job that ends here ("job <id>: completed as story <id> in 212 ms"), for the
  // process's log; null for none.
  std::function<void(const std::string& line)> log;
};

// Called after every write of a job's state (claim, progress, end): the live streams' cue.
using JobEventFn = std::function<void(const std::string& job_id)>;

// Whether a failure's reason is about the data or the request, so that trying again cannot help.
bool IsPermanent(const Status& failure);

class Worker {
 public:
  // `store` and `blobs` must outlive the worker.
  Worker(store::Store& store, blob::BlobStore& blobs, WorkerOptions options,
         JobEventFn on_event = nullptr);

  // Claims one job and runs it to its end: OK when a job ran (whatever became of it),
  // NotFound when none was waiting. `shutdown`, when set while a job runs, stops it and gives
  // it back to the queue (ReleaseJob) instead of failing it.
  Status RunOne(const pipeline::CancelToken* shutdown = nullptr);

 private:
  void Run(const store::Job& job, const pipeline::CancelToken* shutdown);
  void Event(const std::string& job_id) const;

  store::Store& store_;
  blob::BlobStore& blobs_;
  const WorkerOptions options_;
  const JobEventFn on_event_;
};

// Worker threads, and a rescuer that puts back the jobs of workers that died. Thread-safe.
class WorkerPool {
 public:
  WorkerPool(store::Store& store, blob::BlobStore& blobs, WorkerOptions options, int threads,
             JobEventFn on_event = nullptr);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Start();
  // A job was enqueued: an idle worker looks now rather than at its next poll.
  void Wake();
  // Stops claiming; running jobs get `grace_ms` to finish, then are stopped and given back to
  // the queue. Returns when every thread has ended.
  void Stop(int64_t grace_ms);
  int running_jobs() const { return running_.load(); }

 private:
  void Loop(int index);
  void RescueLoop();

  store::Store& store_;
  blob::BlobStore& blobs_;
  const WorkerOptions options_;
  const int threads_;
  const JobEventFn on_event_;
  std::atomic<int> running_{0};
  std::atomic<bool> stopping_{false};
  pipeline::CancelToken shutdown_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t pokes_ = 0;  // Wake() calls so far (under mu_): a wake between two looks is not lost
  std::vector<std::thread> threads_list_;
};

}  // namespace datastory::jobs

#endif  // DATASTORY_JOBS_WORKER_H_
