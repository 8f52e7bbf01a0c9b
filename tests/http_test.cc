// The platform over real HTTP: `datastory serve` as its own process on a free loopback port,
// driven by libcurl (net::HttpClient); on SQLite + local disk, and on PostgreSQL + moto S3.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "moto_server.h"
#include "net/http_client.h"
#include "store/testing/scratch_postgres.h"
#include "test_paths.h"

namespace datastory::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSecret = "test-secret-0123456789abcdef-0123456789";

struct Answer {
  int status = 0;
  net::Headers headers;
  std::string body;
  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
  json Json() const { return json::parse(body, nullptr, false); }
};

// A sales table with known answers: `rows` rows over two regions and twelve months.
std::string SalesCsv(int rows) {
  std::string csv = "region,month,revenue\n";
  for (int i = 0; i < rows; ++i) {
    csv += (i % 2 ? "South," : "North,") + std::string("2024-") + (i % 12 < 9 ? "0" : "") +
           std::to_string(i % 12 + 1) + "," + std::to_string(100 + i % 37) + "\n";
  }
  return csv;
}

// Where the platform keeps its state: SQLite and a folder, or a scratch PostgreSQL database and
// a moto bucket.
class Backend {
 public:
  Backend(const std::string& kind, const fs::path& dir) : dir_(dir) {
    if (kind == "postgres") {
      auto db = store::testing::ScratchPostgres::Create("ds_http");
      EXPECT_TRUE(db.ok()) << db.status().ToString();
      if (db.ok()) postgres_ = std::move(db).value();
      moto_ = std::make_unique<MotoServer>();
    }
  }
  std::vector<std::string> Env() const {
    if (!postgres_) {
      return {"DATABASE_URL=sqlite://" + (dir_ / "db.sqlite").string(),
              "STORAGE_URL=file://" + (dir_ / "blobs").string()};
    }
    return {"DATABASE_URL=" + postgres_->url(),
            std::string("STORAGE_URL=s3://") + kBucket + "/blobs",
            "S3_ENDPOINT=" + moto_->endpoint(),
            "AWS_ACCESS_KEY_ID=" + moto_->credentials().access_key_id,
            "AWS_SECRET_ACCESS_KEY=" + moto_->credentials().secret_access_key};
  }
  // The files stored now.
  int StoredFiles() const {
    if (!postgres_) {
      int n = 0;
      if (!fs::exists(dir_ / "blobs")) return 0;
      for (const auto& e : fs::recursive_directory_iterator(dir_ / "blobs")) {
        n +=
            e.is_regular_file() && e.path().string().find("/objects/uploads/") != std::string::npos;
      }
      return n;
    }
    // Listing is not part of the port: botocore counts.
    const std::string out =
        Capture(ReferenceScript() + " count " + moto_->endpoint() + " " + kBucket +
                " blobs/uploads/ " + moto_->credentials().access_key_id + " " +
                moto_->credentials().secret_access_key + " 2>&1");
    char* end = nullptr;
    const long n = std::strtol(out.c_str(), &end, 10);
    EXPECT_TRUE(end != out.c_str() && (*end == '\n' || *end == '\0'))
        << "counting the bucket failed: " << out;
    return static_cast<int>(n);
  }

 private:
  fs::path dir_;
  std::unique_ptr<store::testing::ScratchPostgres> postgres_;
  std::unique_ptr<MotoServer> moto_;
};

// One `datastory serve` process.
class Server {
 public:
  Server(const std::vector<std::string>& env, const fs::path& dir,
         const std::vector<std::string>& extra = {}, const std::string& command = "serve")
      : port_(FreePort()), log_(dir / ("serve-" + std::to_string(port_) + ".log")) {
    std::vector<std::string> all = env;
    all.push_back("DATASTORY_LISTEN=127.0.0.1:" + std::to_string(port_));
    all.push_back(std::string("DATASTORY_SECRET=") + kSecret);
    all.push_back("DATASTORY_BCRYPT_COST=10");
    all.push_back("DATASTORY_WORKERS=1");
    all.insert(all.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{DS_BINARY, command}, all,
                                              ChildProcess::Options{dir.string(), log_.string()});
    if (command == "serve") {
      EXPECT_TRUE(WaitForPort(port_, std::chrono::seconds(30))) << Log();
    }
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }
  std::string Log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  int port_;
  fs::path log_;
  std::unique_ptr<ChildProcess> process_;
};

// One person: a session cookie, or an API token.
class Client {
 public:
  explicit Client(const Server& server) : server_(server) {}

  Answer Call(const std::string& method, const std::string& path, const std::string& body = "",
              net::Headers headers = {}) {
    if (!cookie_.empty()) {
      headers.emplace_back("Cookie", cookie_);
      headers.emplace_back("Origin", server_.Url(""));
    }
    if (!bearer_.empty()) headers.emplace_back("Authorization", "Bearer " + bearer_);
    net::HttpRequest request;
    request.method = method;
    request.url = server_.Url(path);
    request.headers = std::move(headers);
    request.body = body;
    auto response = http_.Send(request);
    EXPECT_TRUE(response.ok()) << method << " " << path << ": " << response.status().ToString();
    if (!response.ok()) return {};
    Answer answer{response->status, response->headers, response->body};
    const std::string set_cookie = answer.Header("set-cookie");
    if (!set_cookie.empty()) cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    return answer;
  }
  Answer Json(const std::string& method, const std::string& path, const json& body) {
    return Call(method, path, body.dump(), {{"Content-Type", "application/json"}});
  }
  // Registers (the session cookie is kept).
  Answer Register(const std::string& email, const std::string& password = "correct horse") {
    return Json("POST", "/api/v1/auth/register", {{"email", email}, {"password", password}});
  }
  Answer UploadCsv(const std::string& csv, const std::string& filename = "sales.csv") {
    const std::string boundary = "----datastory-test-boundary";
    const std::string body =
        "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" +
        filename + "\"\r\nContent-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n";
    return Call("POST", "/api/v1/uploads", body,
                {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }
  // The events of a job's stream until it ends.
  std::vector<json> Events(const std::string& job_id) {
    net::HttpRequest request;
    request.url = server_.Url("/api/v1/jobs/" + job_id + "/events");
    if (!cookie_.empty()) request.headers.emplace_back("Cookie", cookie_);
    if (!bearer_.empty()) request.headers.emplace_back("Authorization", "Bearer " + bearer_);
    request.timeout_ms = 60000;
    std::string text;
    auto response = http_.Send(request, [&](std::string_view piece) {
      text.append(piece);
      return Status::Ok();
    });
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    std::vector<json> events;
    size_t at = 0;
    while ((at = text.find("\ndata: ", at)) != std::string::npos) {
      const size_t end = text.find('\n', at + 1);
      json e = json::parse(text.substr(at + 7, end - at - 7), nullptr, false);
      const size_t id_at = text.rfind("id: ", at);
      e["eventId"] = std::stoll(text.substr(id_at + 4));
      events.push_back(e);
      at = end;
    }
    return events;
  }
  void UseToken(const std::string& token) {
    cookie_.clear();
    bearer_ = token;
  }
  void LogOut() { cookie_.clear(), bearer_.clear(); }
  const std::string& cookie() const { return cookie_; }

 private:
  const Server& server_;
  net::HttpClient http_;
  std::string cookie_;
  std::string bearer_;
};

class PlatformTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("datastory-http-" + std::to_string(getpid()) + "-" + std::to_string(++counter_));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    backend_ = std::make_unique<Backend>(GetParam(), dir_);
  }
  void TearDown() override {
    backend_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<Server> Start(const std::vector<std::string>& extra = {}) {
    return std::make_unique<Server>(backend_->Env(), dir_, extra);
  }

  fs::path dir_;
  std::unique_ptr<Backend> backend_;
  static inline int counter_ = 0;
};

// Register → upload → preview with an override → story → live progress → read → export →
// share → the share link logged out → unshare → delete: the files go with the last story.
TEST_P(PlatformTest, TheWholeFlow) {
  auto server = Start();
  Client ann(*server);
  Answer registered = ann.Register("ann@example.com");
  ASSERT_EQ(registered.status, 201) << registered.body;
  EXPECT_NE(registered.Header("set-cookie").find("HttpOnly; SameSite=Lax"), std::string::npos);
  EXPECT_EQ(ann.Call("GET", "/api/v1/me").Json()["user"]["email"], "ann@example.com");

  Answer upload = ann.UploadCsv(SalesCsv(500));
  ASSERT_EQ(upload.status, 201) << upload.body;
  const json preview = upload.Json()["preview"];
  EXPECT_EQ(preview["delimiter"], ",");
  EXPECT_EQ(preview["columns"][1]["type"], "date");
  EXPECT_EQ(preview["rows"].size(), 20u);  // the first 20 rows as parsed
  EXPECT_EQ(backend_->StoredFiles(), 1);
  const std::string upload_id = upload.Json()["id"];
  // Read month as text instead: the preview says so, and nothing is spent.
  Answer corrected = ann.Json("POST", "/api/v1/uploads/" + upload_id + "/preview",
                              {{"overrides", {{"types", {{"month", "categorical"}}}}}});
  ASSERT_EQ(corrected.status, 200) << corrected.body;
  EXPECT_EQ(corrected.Json()["preview"]["columns"][1]["type"], "categorical");
  EXPECT_EQ(ann.Call("GET", "/api/v1/me/usage").Json()["storiesThisMonth"], 0);

  const json request = {{"uploadId", upload_id},
                        {"audienceLevel", "technical"},
                        {"title", "Revenue <by> region"},
                        {"overrides", {{"time", "month"}}}};
  Answer started = ann.Call("POST", "/api/v1/stories", request.dump(),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", "k-1"}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string job_id = started.Json()["job"]["id"];
  EXPECT_EQ(started.Header("location"), "/api/v1/jobs/" + job_id);
  // The same key again: the same job, not a second story.
  EXPECT_EQ(ann.Call("POST", "/api/v1/stories", request.dump(),
                     {{"Content-Type", "application/json"}, {"Idempotency-Key", "k-1"}})
                .Json()["job"]["id"],
            job_id);

  const std::vector<json> events = ann.Events(job_id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["status"], "completed");
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_GT(events[i]["eventId"], events[i - 1]["eventId"]);
    EXPECT_GE(events[i]["progress"], events[i - 1]["progress"]);
  }
  const std::string story_id = events.back()["storyId"];
  EXPECT_EQ(ann.Call("GET", "/api/v1/me/usage").Json()["storiesThisMonth"], 1);

  Answer story = ann.Call("GET", "/api/v1/stories/" + story_id);
  ASSERT_EQ(story.status, 200);
  EXPECT_EQ(story.Json()["title"], "Revenue <by> region");
  EXPECT_FALSE(story.Json()["insights"].empty());
  Answer page = ann.Call("GET", "/api/v1/stories/" + story_id + "/export?format=html");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.Header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(page.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id + "/export?format=md").status, 200);
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id + "/export?format=json").status, 200);

  Answer shared = ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "public"}});
  ASSERT_EQ(shared.status, 200) << shared.body;
  const std::string share_url = shared.Json()["shareUrl"];
  const std::string share_path = share_url.substr(share_url.find("/s/"));
  Client stranger(*server);
  EXPECT_EQ(stranger.Call("GET", share_path).status, 200);
  ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "private"}});
  EXPECT_EQ(stranger.Call("GET", share_path).status, 404);
  const std::string again =
      ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "public"}})
          .Json()["shareUrl"];
  EXPECT_NE(again, share_url);  // a new link; the old one stays dead
  EXPECT_EQ(stranger.Call("GET", share_path).status, 404);

  EXPECT_EQ(ann.Call("DELETE", "/api/v1/stories/" + story_id).status, 204);
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id).status, 404);
  EXPECT_EQ(backend_->StoredFiles(), 0);  // the last story of the file took it
}

// Another user's story, upload or job answers exactly as a missing one, on every route.
TEST_P(PlatformTest, AnotherUsersThingsAreNotFound) {
  auto server = Start();
  Client ann(*server), bob(*server);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  ASSERT_EQ(bob.Register("bob@example.com").status, 201);
  const std::string upload_id = ann.UploadCsv(SalesCsv(50)).Json()["id"];
  const std::string job_id =
      ann.Json("POST", "/api/v1/stories", {{"uploadId", upload_id}}).Json()["job"]["id"];
  const std::vector<json> events = ann.Events(job_id);
  ASSERT_FALSE(events.empty());
  const std::string story_id = events.back()["storyId"];
  const std::string missing = "00000000-0000-4000-8000-000000000000";
  struct Probe {
    std::string method, path, body;
  };
  auto probes = [](const std::string& upload, const std::string& story, const std::string& job) {
    return std::vector<Probe>{
        {"GET", "/api/v1/uploads/" + upload, ""},
        {"POST", "/api/v1/uploads/" + upload + "/preview", "{}"},
        {"DELETE", "/api/v1/uploads/" + upload, ""},
        {"POST", "/api/v1/stories", R"({"uploadId":")" + upload + "\"}"},
        {"GET", "/api/v1/stories/" + story, ""},
        {"PATCH", "/api/v1/stories/" + story, R"({"title":"mine"})"},
        {"GET", "/api/v1/stories/" + story + "/export?format=md", ""},
        {"DELETE", "/api/v1/stories/" + story, ""},
        {"GET", "/api/v1/jobs/" + job, ""},
        {"POST", "/api/v1/jobs/" + job + "/cancel", ""},
        {"GET", "/api/v1/jobs/" + job + "/events", ""},
    };
  };
  const auto theirs = probes(upload_id, story_id, job_id);
  const auto nobodys = probes(missing, missing, missing);
  for (size_t i = 0; i < theirs.size(); ++i) {
    net::Headers json_type = {{"Content-Type", "application/json"}};
    Answer a = bob.Call(theirs[i].method, theirs[i].path, theirs[i].body, json_type);
    Answer b = bob.Call(nobodys[i].method, nobodys[i].path, nobodys[i].body, json_type);
    EXPECT_EQ(a.status, 404) << theirs[i].method << " " << theirs[i].path << ": " << a.body;
    EXPECT_EQ(a.status, b.status) << theirs[i].path;
    EXPECT_EQ(a.Json()["code"], b.Json()["code"]) << theirs[i].path;
  }
  // Ann's things are untouched.
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id).Json()["title"].is_string(), true);
  EXPECT_EQ(ann.Call("GET", "/api/v1/uploads/" + upload_id).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, PlatformTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace datastory::testing
