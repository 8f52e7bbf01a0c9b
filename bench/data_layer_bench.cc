// The data layer's speed: Store operations per second on SQLite and PostgreSQL (create-story,
// get-story, list-stories, claim-job; 1 and 4 threads sharing one Store, as a server's request
// threads do), and BlobStore upload/download MB/s on the local disk and on S3 (moto_server).
// Each figure is the median of RUNS runs. bench/data_layer.sh starts the servers and runs this.
//
// Environment: DS_BENCH_POSTGRES (a postgres:// URL), DS_BENCH_S3_ENDPOINT, DS_BENCH_S3_BUCKET,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; RUNS (5), OPS (2000 per run), BLOB_MIB (64).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "blob/blob_store.h"
#include "blob/s3_blob_store.h"
#include "store/store.h"

namespace datastory {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}
std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "data_layer_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// A story the size the platform stores: ~3 KB of narrative and ~6 KB of chart and statistics
// JSON.
store::StoryRecord TypicalStory(const std::string& user_id, int i) {
  store::StoryRecord s;
  s.user_id = user_id;
  s.title = "Sales by region, story " + std::to_string(i);
  s.dataset = {"sales.csv", "uploads/1/1795608000000-sales.csv", 500, 8, 102400};
  s.summary = std::string(1200, 's');
  s.key_findings = std::string(1200, 'k');
  s.recommendations = std::string(600, 'r');
  s.document_json = "{\"charts\": [" + std::string(4000, ' ') + "], \"n\": " + std::to_string(i) +
                    ", \"pad\": \"" + std::string(2000, 'x') + "\"}";
  s.processing_time_ms = 15;
  return s;
}

// Runs `op(i)` for i in [0, ops) on `threads` threads; operations per second.
double OpsPerSecond(int ops, int threads, const std::function<void(int)>& op) {
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = t; i < ops; i += threads) op(i);
    });
  }
  for (auto& th : pool) th.join();
  return ops / std::chrono::duration<double>(Clock::now() - start).count();
}

struct StoreFigures {
  double create = 0, get = 0, list = 0, claim = 0;
};

StoreFigures MeasureStore(const std::string& url, int threads, int runs, int ops) {
  SystemClock clock;
  auto opened = store::OpenStore(url);
  if (!opened.ok()) Die("opening " + url, opened.status());
  store::Store& db = **opened;
  if (Status s = db.Migrate(); !s.ok()) Die("migrating", s);
  static int user_counter = 0;
  auto user = db.CreateUser({"bench" + std::to_string(++user_counter) + "-" +
                                 std::to_string(clock.NowMillis()) + "@example.com",
                             "h", store::Tier::kEnterprise});
  if (!user.ok()) Die("creating the user", user.status());
  std::vector<double> create, get, list, claim;
  std::vector<std::string> ids;
  std::mutex ids_mu;
  for (int run = 0; run < runs; ++run) {
    create.push_back(OpsPerSecond(ops, threads, [&](int i) {
      auto s = db.CreateStory(TypicalStory(user->id, i));
      if (!s.ok()) Die("create-story", s.status());
      std::lock_guard lock(ids_mu);
      ids.push_back(s->id);
    }));
    get.push_back(OpsPerSecond(ops, threads, [&](int i) {
      auto s = db.GetStory(user->id, ids[(static_cast<size_t>(i) * 7919) % ids.size()],
                           store::StoryParts::kWhole);
      if (!s.ok()) Die("get-story", s.status());
    }));
    list.push_back(OpsPerSecond(ops / 4, threads, [&](int) {
      auto page = db.ListStories(user->id, "", 20);  // the first page, as the dashboard asks
      if (!page.ok() || page->stories.size() != 20) Die("list-stories", page.status());
    }));
    for (int i = 0; i < ops; ++i) {
      if (auto j = db.EnqueueJob({user->id, "{}", 3}); !j.ok()) Die("enqueue", j.status());
    }
    claim.push_back(OpsPerSecond(ops, threads, [&](int i) {
      auto j = db.ClaimJob("worker-" + std::to_string(i % threads), 60000);
      if (!j.ok()) Die("claim-job", j.status());
    }));
  }
  return {Median(create), Median(get), Median(list), Median(claim)};
}

struct BlobFigures {
  double upload = 0, download = 0;  // MB/s
};

BlobFigures MeasureBlobs(blob::BlobStore& blobs, int runs, int64_t mib) {
  const int64_t size = mib << 20;
  std::vector<double> up, down;
  for (int run = 0; run < runs; ++run) {
    const std::string key = "bench/blob-" + std::to_string(run) + ".bin";
    int64_t sent = 0;
    auto start = Clock::now();
    auto info = blobs.UploadStream(key,
                                   [&](char* buffer, size_t capacity) -> Result<size_t> {
                                     const auto n = static_cast<size_t>(std::min<int64_t>(
                                         static_cast<int64_t>(capacity), size - sent));
                                     std::fill_n(buffer, n, static_cast<char>('a' + run));
                                     sent += static_cast<int64_t>(n);
                                     return n;
                                   },
                                   {});
    if (!info.ok()) Die("upload", info.status());
    up.push_back(static_cast<double>(size) / 1e6 /
                 std::chrono::duration<double>(Clock::now() - start).count());
    int64_t received = 0;
    start = Clock::now();
    Status s = blobs.DownloadStream(key, [&](std::string_view piece) {
      received += static_cast<int64_t>(piece.size());
      return Status::Ok();
    });
    if (!s.ok() || received != size) Die("download", s);
    down.push_back(static_cast<double>(size) / 1e6 /
                   std::chrono::duration<double>(Clock::now() - start).count());
    static_cast<void>(blobs.Remove(key));
  }
  return {Median(up), Median(down)};
}

int Main() {
  const int runs = EnvInt("RUNS", 5);
  const int ops = EnvInt("OPS", 2000);
  const int64_t mib = EnvInt("BLOB_MIB", 64);
  const std::string postgres = Env("DS_BENCH_POSTGRES");
  if (postgres.empty()) {
    std::fprintf(stderr, "data_layer_bench: set DS_BENCH_POSTGRES (bench/data_layer.sh does)\n");
    return 1;
  }
  const fs::path dir = fs::temp_directory_path() / ("datastory-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);

  std::printf("DataStory data layer: median of %d runs, %d operations per run (list: %d)\n\n", runs,
              ops, ops / 4);
  std::printf("%-14s %14s %14s %14s %14s\n", "operations/s", "sqlite 1 thr", "sqlite 4 thr",
              "postgres 1 thr", "postgres 4 thr");
  std::vector<StoreFigures> columns;
  for (const std::string& url : {"sqlite://" + (dir / "bench.db").string(), postgres}) {
    for (int threads : {1, 4}) columns.push_back(MeasureStore(url, threads, runs, ops));
  }
  auto row = [&](const char* name, double StoreFigures::*field) {
    std::printf("%-14s", name);
    for (const StoreFigures& f : columns) std::printf(" %14.0f", f.*field);
    std::printf("\n");
  };
  row("create-story", &StoreFigures::create);
  row("get-story", &StoreFigures::get);
  row("list-stories", &StoreFigures::list);
  row("claim-job", &StoreFigures::claim);

  SystemClock clock;
  auto local = blob::OpenLocalBlobStore((dir / "blobs").string(), "bench-secret-0123456789",
                                        "/blobs", clock);
  if (!local.ok()) Die("local blobs", local.status());
  const BlobFigures disk = MeasureBlobs(**local, runs, mib);
  auto s3_config = blob::S3ConfigFromEnvironment("s3://" + Env("DS_BENCH_S3_BUCKET"),
                                                 [](const char* n) { return std::getenv(n); });
  if (!s3_config.ok()) Die("S3 settings", s3_config.status());
  s3_config->endpoint = Env("DS_BENCH_S3_ENDPOINT");
  s3_config->path_style = true;
  auto s3 = blob::OpenS3BlobStore(*s3_config, clock);
  if (!s3.ok()) Die("S3", s3.status());
  const BlobFigures remote = MeasureBlobs(**s3, runs, mib);
  std::printf("\n%-14s %14s %14s\n", "blob MB/s", "local disk", "s3 (moto)");
  std::printf("%-14s %14.0f %14.0f\n", ("upload " + std::to_string(mib) + " MiB").c_str(),
              disk.upload, remote.upload);
  std::printf("%-14s %14.0f %14.0f\n", ("download " + std::to_string(mib) + " MiB").c_str(),
              disk.download, remote.download);
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace datastory

int main() { return datastory::Main(); }
