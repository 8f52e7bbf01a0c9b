// The harness of the platform's HTTP tests (tests/http_test.cc): where the platform keeps its
// state (Backend), `datastory serve` or `worker` as a process (Server), one person speaking to it
// over HTTP (Client), a raw TCP connection for what an HTTP library will not send, and the
// fixture that gives each test a fresh folder and backend.
#ifndef DATASTORY_TESTS_PLATFORM_HARNESS_H_
#define DATASTORY_TESTS_PLATFORM_HARNESS_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.h"
#include "moto_server.h"
#include "net/http_client.h"
#include "store/testing/scratch_postgres.h"
#include "test_paths.h"

namespace datastory::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline constexpr const char* kSecret = "test-secret-0123456789abcdef-0123456789";

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

// A sales table with known answers: `rows` rows over two regions and twelve months, the North
// selling about three times what the South does (a finding, with its chart).
inline std::string SalesCsv(int rows) {
  std::string csv = "region,month,revenue\n";
  for (int i = 0; i < rows; ++i) {
    csv += (i % 2 ? "South," : "North,") + std::string("2024-") + (i % 12 < 9 ? "0" : "") +
           std::to_string(i % 12 + 1) + "," + std::to_string((i % 2 ? 100 : 300) + i % 37) + "\n";
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
  // `env` then `extra` (later settings win); `args` after the binary's name.
  Server(const std::vector<std::string>& env, const fs::path& dir,
         const std::vector<std::string>& extra = {}, std::vector<std::string> args = {"serve"})
      : port_(FreePort()), log_(dir / ("serve-" + std::to_string(port_) + ".log")) {
    std::map<std::string, std::string> settings = {
        {"DATASTORY_LISTEN", "127.0.0.1:" + std::to_string(port_)},
        {"DATASTORY_SECRET", kSecret},
        {"DATASTORY_BCRYPT_COST", "10"},
        {"DATASTORY_WORKERS", "1"}};
    for (const auto* list : {&env, &extra}) {
      for (const std::string& e : *list) {
        settings[e.substr(0, e.find('='))] = e.substr(e.find('=') + 1);
      }
    }
    std::vector<std::string> all;
    for (const auto& [name, value] : settings) all.push_back(name + "=" + value);
    args.insert(args.begin(), DS_BINARY);
    const bool serving = args[1] == "serve";
    process_ = std::make_unique<ChildProcess>(args, all,
                                              ChildProcess::Options{dir.string(), log_.string()});
    if (serving) {
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
      const bool has_origin = std::any_of(headers.begin(), headers.end(),
                                          [](const auto& h) { return h.first == "Origin"; });
      if (!has_origin) headers.emplace_back("Origin", origin_.empty() ? server_.Url("") : origin_);
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
  std::vector<json> Events(const std::string& job_id, const std::string& last_event_id = "") {
    net::HttpRequest request;
    request.url = server_.Url("/api/v1/jobs/" + job_id + "/events");
    if (!last_event_id.empty()) request.headers.emplace_back("Last-Event-ID", last_event_id);
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
  // The Origin a browser would send: the server's public address when it has one.
  void SetOrigin(std::string origin) { origin_ = std::move(origin); }
  const std::string& cookie() const { return cookie_; }

 private:
  const Server& server_;
  net::HttpClient http_;
  std::string cookie_;
  std::string bearer_;
  std::string origin_;
};

// A plain TCP connection, for what an HTTP client library will not send.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval timeout{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return ok_; }
  // Whether every byte went out (false once the server has closed).
  bool Send(const std::string& bytes) {
    size_t at = 0;
    while (at < bytes.size()) {
      const ssize_t n = send(fd_, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return false;
      at += static_cast<size_t>(n);
    }
    return true;
  }
  // Everything the server sends until it closes (or 30 s of silence).
  std::string ReadAll() {
    std::string text;
    char buffer[65536];
    ssize_t n;
    while ((n = recv(fd_, buffer, sizeof buffer, 0)) > 0) text.append(buffer, n);
    return text;
  }

 private:
  int fd_;
  bool ok_ = false;
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
  // `datastory admin …` on the same database, as an operator would run it.
  CommandResult Admin(const std::string& args) {
    std::string env = "env";
    for (const std::string& e : backend_->Env()) env += " " + Quote(e);
    return RunDatastory("admin " + args, env + " ");
  }

  fs::path dir_;
  std::unique_ptr<Backend> backend_;
  static inline int counter_ = 0;
};

}  // namespace datastory::testing

#endif  // DATASTORY_TESTS_PLATFORM_HARNESS_H_
