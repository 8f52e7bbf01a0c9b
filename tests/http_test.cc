// The platform over real HTTP: `datastory serve` as its own process on a free loopback port,
// driven by libcurl (net::HttpClient); on SQLite + local disk, and on PostgreSQL + moto S3.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "platform_harness.h"

namespace datastory::testing {
namespace {

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
  const std::string story_id = events.back().at("storyId");
  EXPECT_EQ(ann.Call("GET", "/api/v1/me/usage").Json()["storiesThisMonth"], 1);

  Answer story = ann.Call("GET", "/api/v1/stories/" + story_id);
  ASSERT_EQ(story.status, 200);
  EXPECT_EQ(story.Json()["title"], "Revenue <by> region");
  EXPECT_FALSE(story.Json()["insights"].empty());
  EXPECT_FALSE(story.Json().value("jobId", "").empty());
  // The charts drawn as SVG, one per chart of the document, for the web UI.
  Answer charts = ann.Call("GET", "/api/v1/stories/" + story_id + "/charts");
  ASSERT_EQ(charts.status, 200);
  ASSERT_EQ(charts.Json()["charts"].size(), story.Json()["charts"].size()) << charts.body;
  ASSERT_FALSE(charts.Json()["charts"].empty());
  EXPECT_EQ(charts.Json()["charts"][0]["id"], story.Json()["charts"][0]["id"]);
  EXPECT_EQ(charts.Json()["charts"][0]["svg"].get<std::string>().rfind("<svg", 0), 0u);
  Answer page = ann.Call("GET", "/api/v1/stories/" + story_id + "/export?format=html");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.Header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(page.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id + "/export?format=md").status, 200);
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id + "/export?format=json").status, 200);

  Answer renamed = ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"title", "Q1 & Q2"}});
  EXPECT_EQ(renamed.Json()["title"], "Q1 & Q2") << renamed.body;
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id).Json()["title"], "Q1 & Q2");
  EXPECT_EQ(ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"title", ""}}).status, 400);
  Answer shared = ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "public"}});
  ASSERT_EQ(shared.status, 200) << shared.body;
  const std::string share_url = shared.Json()["shareUrl"];
  const std::string share_path = share_url.substr(share_url.find("/s/"));
  const std::string token = share_url.substr(share_url.rfind('/') + 1);
  Client stranger(*server);
  EXPECT_EQ(stranger.Call("GET", share_path).status, 200);
  EXPECT_EQ(stranger.Call("GET", "/api/v1/shared/" + token + "/charts").Json()["charts"].size(),
            charts.Json()["charts"].size());
  const json read_by_link = stranger.Call("GET", "/api/v1/shared/" + token).Json();
  EXPECT_EQ(read_by_link["title"], "Q1 & Q2");
  EXPECT_FALSE(read_by_link.contains("jobId"));  // the owner's, not the link's
  ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "private"}});
  EXPECT_EQ(stranger.Call("GET", share_path).status, 404);
  EXPECT_EQ(stranger.Call("GET", "/api/v1/shared/" + token + "/charts").status, 404);
  const std::string again =
      ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "public"}})
          .Json()["shareUrl"];
  EXPECT_NE(again, share_url);  // a new link; the old one stays dead
  EXPECT_EQ(stranger.Call("GET", share_path).status, 404);

  EXPECT_EQ(ann.Call("DELETE", "/api/v1/stories/" + story_id).status, 204);
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories/" + story_id).status, 404);
  EXPECT_EQ(backend_->StoredFiles(), 0);  // the last story of the file took it
}

// The story list: newest first, in pages that end with a cursor and a Link to the next.
TEST_P(PlatformTest, StoriesComeInPagesNewestFirst) {
  auto server = Start();
  Client ann(*server);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  std::vector<std::string> made;  // in the order they were made
  for (int i = 0; i < 3; ++i) {
    Answer started =
        ann.Call("POST", "/api/v1/stories?filename=s.csv&title=Story%20" + std::to_string(i),
                 SalesCsv(30 + i), {{"Content-Type", "text/csv"}});
    ASSERT_EQ(started.status, 202) << started.body;
    made.push_back(ann.Events(started.Json()["job"]["id"]).back().at("storyId"));
  }
  Answer first = ann.Call("GET", "/api/v1/stories?limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.Json()["stories"].size(), 2u);
  EXPECT_EQ(first.Json()["stories"][0]["id"], made[2]);
  EXPECT_EQ(first.Json()["stories"][1]["id"], made[1]);
  EXPECT_EQ(first.Json()["stories"][0]["title"], "Story 2");
  const std::string cursor = first.Json()["nextCursor"];
  EXPECT_EQ(first.Header("link"), "</api/v1/stories?limit=2&cursor=" + cursor + ">; rel=\"next\"");
  Answer second = ann.Call("GET", "/api/v1/stories?limit=2&cursor=" + cursor);
  ASSERT_EQ(second.Json()["stories"].size(), 1u);
  EXPECT_EQ(second.Json()["stories"][0]["id"], made[0]);
  EXPECT_FALSE(second.Json().contains("nextCursor"));
  EXPECT_TRUE(second.Header("link").empty());
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories?limit=0").status, 400);
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories?limit=101").status, 400);
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
  const std::string story_id = events.back().at("storyId");
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
        {"GET", "/api/v1/stories/" + story + "/charts", ""},
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

// Sessions, log-in throttling, password change, API tokens and account deletion.
TEST_P(PlatformTest, AccountsSessionsAndTokens) {
  auto server = Start();
  Client ann(*server);
  Answer registered = ann.Register("ann@example.com");
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string cookie = registered.Header("set-cookie");
  for (const char* attribute : {"; Path=/", "; HttpOnly", "; SameSite=Lax"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << cookie;
  }
  EXPECT_EQ(Client(*server).Register("ANN@example.com").status, 409);  // emails are one account
  EXPECT_EQ(Client(*server).Register("bob@example.com", "short").status, 422);

  // A cookie request that writes, from another origin, is refused; reading is not.
  EXPECT_EQ(ann.Call("POST", "/api/v1/me/tokens", R"({"name":"x"})",
                     {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}})
                .status,
            403);
  EXPECT_EQ(ann.Call("GET", "/api/v1/me", "", {{"Origin", "http://evil.example"}}).status, 200);

  // Wrong passwords: 401 with the same answer as an unknown email, then 429 with Retry-After
  // (for Carol's account: Ann's stays usable below).
  ASSERT_EQ(Client(*server).Register("carol@example.com").status, 201);
  Client mallory(*server);
  Answer wrong = mallory.Json("POST", "/api/v1/auth/login",
                              {{"email", "carol@example.com"}, {"password", "wrong password"}});
  Answer unknown = mallory.Json("POST", "/api/v1/auth/login",
                                {{"email", "nobody@example.com"}, {"password", "wrong password"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Json()["code"], unknown.Json()["code"]);
  EXPECT_EQ(wrong.Json()["detail"], unknown.Json()["detail"]);
  Answer throttled;
  for (int i = 0; i < 12 && throttled.status != 429; ++i) {
    throttled = mallory.Json("POST", "/api/v1/auth/login",
                             {{"email", "carol@example.com"}, {"password", "wrong again"}});
  }
  ASSERT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_GT(std::atoi(throttled.Header("retry-after").c_str()), 0);
  EXPECT_EQ(throttled.Json()["code"], "TOO_MANY_ATTEMPTS");
  EXPECT_EQ(mallory  // the right password waits too: the throttle does not say which is right
                .Json("POST", "/api/v1/auth/login",
                      {{"email", "carol@example.com"}, {"password", "correct horse"}})
                .status,
            429);

  // A second session; the password change keeps the one that made it and ends the other.
  Client ann_phone(*server);
  ASSERT_EQ(ann_phone
                .Json("POST", "/api/v1/auth/login",
                      {{"email", "ann@example.com"}, {"password", "correct horse"}})
                .status,
            200);
  Answer sessions = ann.Call("GET", "/api/v1/me/sessions");
  EXPECT_EQ(sessions.Json()["sessions"].size(), 2u);
  Answer changed =
      ann.Json("POST", "/api/v1/me/password",
               {{"currentPassword", "correct horse"}, {"newPassword", "battery staple"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(ann.Call("GET", "/api/v1/me").status, 200);  // the new cookie it was given
  EXPECT_EQ(ann_phone.Call("GET", "/api/v1/me").status, 401);

  // API tokens: shown once, listed without the secret, usable as a bearer, revocable.
  Answer made = ann.Json("POST", "/api/v1/me/tokens", {{"name", "ci"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string secret = made.Json()["token"];
  const std::string token_id = made.Json()["id"];
  Answer listed = ann.Call("GET", "/api/v1/me/tokens");
  EXPECT_EQ(listed.Json()["tokens"].size(), 1u);
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  Client robot(*server);
  robot.UseToken(secret);
  EXPECT_EQ(robot.Call("GET", "/api/v1/me").Json()["user"]["email"], "ann@example.com");
  EXPECT_EQ(robot.UploadCsv(SalesCsv(20)).status, 201);  // no Origin needed without a cookie
  EXPECT_EQ(ann.Call("DELETE", "/api/v1/me/tokens/" + token_id).status, 204);
  EXPECT_EQ(robot.Call("GET", "/api/v1/me").status, 401);

  // Log out: the cookie is cleared and the session it named is over.
  const std::string old_cookie = ann.cookie();
  Answer out = ann.Call("POST", "/api/v1/auth/logout");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos);
  Client replay(*server);
  EXPECT_EQ(replay.Call("GET", "/api/v1/me", "", {{"Cookie", old_cookie}}).status, 401);

  // Delete the account: the files go with it, and the email can log in no more.
  Client again(*server);
  ASSERT_EQ(again
                .Json("POST", "/api/v1/auth/login",
                      {{"email", "ann@example.com"}, {"password", "battery staple"}})
                .status,
            200);
  EXPECT_EQ(backend_->StoredFiles(), 1);
  EXPECT_EQ(again.Json("DELETE", "/api/v1/me", {{"password", "wrong"}}).status,
            403);  // logged in, but not allowed
  EXPECT_EQ(again.Json("DELETE", "/api/v1/me", {{"password", "battery staple"}}).status, 204);
  EXPECT_EQ(backend_->StoredFiles(), 0);
  EXPECT_EQ(Client(*server)
                .Json("POST", "/api/v1/auth/login",
                      {{"email", "ann@example.com"}, {"password", "battery staple"}})
                .status,
            401);
}

// Uploads that are not tables, or too big, are refused with the reason, and leave nothing.
TEST_P(PlatformTest, BadUploadsLeaveNothing) {
  auto server = Start();
  Client ann(*server);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  struct Case {
    std::string name, body;
    int status;
    std::string code;
  };
  static constexpr char kPngStart[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
  const std::string png(kPngStart, sizeof kPngStart - 1);
  const std::vector<Case> cases = {
      {"empty", "", 422, "EMPTY_FILE"},
      {"an image", png + std::string(5000, '\0'), 422, "NOT_CSV"},
  };
  for (const Case& c : cases) {
    Answer a = ann.UploadCsv(c.body, "x.csv");
    EXPECT_EQ(a.status, c.status) << c.name << ": " << a.body;
    EXPECT_EQ(a.Json()["code"], c.code) << c.name << ": " << a.body;
  }
  // A form without the file field.
  const std::string boundary = "b0undary";
  Answer no_file = ann.Call(
      "POST", "/api/v1/uploads",
      "--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhi\r\n--" +
          boundary + "--\r\n",
      {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
  EXPECT_EQ(no_file.status, 400) << no_file.body;
  EXPECT_EQ(no_file.Json()["code"], "NO_FILE_FIELD");
  // Over the free tier's 25 MiB: refused from the declared length, before the body is read.
  Answer big = ann.Call("POST", "/api/v1/uploads?filename=big.csv",
                        SalesCsv(1) + std::string(26 << 20, '1'), {{"Content-Type", "text/csv"}});
  EXPECT_EQ(big.status, 413) << big.body;
  EXPECT_EQ(big.Json()["code"], "FILE_TOO_LARGE");
  // Not logged in.
  EXPECT_EQ(Client(*server).UploadCsv(SalesCsv(5)).status, 401);
  EXPECT_EQ(backend_->StoredFiles(), 0);
  EXPECT_EQ(ann.Call("GET", "/api/v1/me/usage").Json()["storiesThisMonth"], 0);
}

// A body with no declared length, sent in chunks past the tier's limit, is cut off at the
// limit: the answer is 413, the connection closes, and nothing is stored.
TEST_P(PlatformTest, AnEndlessChunkedUploadStopsAtTheLimit) {
  auto server = Start();
  Client ann(*server);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  RawConnection raw(server->port());
  ASSERT_TRUE(raw.ok());
  raw.Send(
      "POST /api/v1/uploads?filename=endless.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\nCookie: " +
      ann.cookie() + "\r\nOrigin: " + server->Url("") + "\r\n\r\n");
  std::string chunk = "region,revenue\n";
  while (chunk.size() < (1 << 20)) chunk += "North,12345\n";
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  int64_t sent = 0;
  // Up to 1 GiB: a server that reads on (instead of stopping at 25 MiB) fails by slowness.
  while (sent < (int64_t{1} << 30) && raw.Send(size_line + chunk + "\r\n")) {
    sent += static_cast<int64_t>(chunk.size());
  }
  const std::string answer = raw.ReadAll();
  EXPECT_LT(sent, int64_t{200} << 20) << "the server read far past the limit";
  EXPECT_NE(answer.find("HTTP/1.1 413"), std::string::npos) << answer.substr(0, 300);
  EXPECT_NE(answer.find("FILE_TOO_LARGE"), std::string::npos);
  EXPECT_EQ(backend_->StoredFiles(), 0);
}

// The tier's limits: rows, stories a month (given back when a job does not finish), an
// operator's tier change, and a cancel that ends a long job within a second.
TEST_P(PlatformTest, TiersQuotaAndCancel) {
  auto server = Start();
  Client ann(*server);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  auto start = [&](const std::string& upload_id) {
    return ann.Json("POST", "/api/v1/stories", {{"uploadId", upload_id}});
  };
  auto usage = [&] { return ann.Call("GET", "/api/v1/me/usage").Json()["storiesThisMonth"]; };

  // Over the free tier's 10,000 rows: the job fails with the reason, and costs nothing.
  const std::string too_long = ann.UploadCsv(SalesCsv(12000)).Json()["id"];
  Answer refused = start(too_long);
  ASSERT_EQ(refused.status, 202) << refused.body;
  const std::vector<json> failed = ann.Events(refused.Json()["job"]["id"]);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed.back()["status"], "failed") << failed.back();
  EXPECT_EQ(failed.back()["error"]["code"], "ROW_LIMIT") << failed.back();
  EXPECT_EQ(usage(), 0);

  // Five stories a month; the sixth is refused before any work.
  const std::string small = ann.UploadCsv(SalesCsv(40)).Json()["id"];
  for (int i = 0; i < 5; ++i) ASSERT_EQ(start(small).status, 202);
  Answer sixth = start(small);
  EXPECT_EQ(sixth.status, 403) << sixth.body;
  EXPECT_EQ(sixth.Json()["code"], "QUOTA_EXCEEDED");
  EXPECT_EQ(usage(), 5);

  // The operator moves Ann to the enterprise tier (no monthly limit, no row limit).
  CommandResult moved = Admin("set-tier ann@example.com enterprise");
  ASSERT_EQ(moved.exit_code, 0) << moved.output;
  EXPECT_EQ(ann.Call("GET", "/api/v1/me").Json()["user"]["tier"], "enterprise");

  // A long job, cancelled while it runs: over within a second, no story, the quota given back.
  const std::string big = ann.UploadCsv(SalesCsv(1500000)).Json()["id"];
  const int before = usage();
  Answer long_job = start(big);
  ASSERT_EQ(long_job.status, 202) << long_job.body;
  const std::string job_id = long_job.Json()["job"]["id"];
  for (int i = 0; i < 200; ++i) {  // until a worker holds it
    if (ann.Call("GET", "/api/v1/jobs/" + job_id).Json()["job"]["status"] == "processing") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(ann.Call("POST", "/api/v1/jobs/" + job_id + "/cancel").status, 200);
  const std::vector<json> events = ann.Events(job_id);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["status"], "cancelled");
  EXPECT_LT(seconds, 1.0);
  EXPECT_EQ(usage(), before);
  EXPECT_FALSE(events.back().contains("storyId")) << events.back();
}

// SIGTERM while a job runs and requests arrive: the process exits 0 within its grace, the job
// goes back to the queue, and the next process completes it, once.
TEST_P(PlatformTest, StopsCleanlyUnderLoad) {
  std::string job_id;
  {
    Server server(backend_->Env(), dir_, {}, {"serve", "--grace", "0"});
    Client ann(server);
    ASSERT_EQ(ann.Register("ann@example.com").status, 201);
    ASSERT_EQ(Admin("set-tier ann@example.com enterprise").exit_code, 0);
    const std::string big = ann.UploadCsv(SalesCsv(1500000)).Json()["id"];
    job_id = ann.Json("POST", "/api/v1/stories", {{"uploadId", big}}).Json()["job"]["id"];
    for (int i = 0; i < 500; ++i) {
      if (ann.Call("GET", "/api/v1/jobs/" + job_id).Json()["job"]["status"] == "processing") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    for (int t = 0; t < 4; ++t) {
      load.emplace_back([&] {
        net::HttpClient http;
        while (!stop) {
          // Only the load matters here; the answers are checked elsewhere.
          static_cast<void>(
              http.Send({"GET", server.Url("/api/v1/me"), {{"Cookie", ann.cookie()}}}));
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(server.process().Stop(SIGTERM, std::chrono::seconds(20)), 0) << server.Log();
    stop = true;
    for (std::thread& t : load) t.join();
    EXPECT_NE(server.Log().find("job " + job_id + ": given back to the queue"), std::string::npos)
        << server.Log();
  }
  Server server(backend_->Env(), dir_);
  Client ann(server);
  ASSERT_EQ(ann.Json("POST", "/api/v1/auth/login",
                     {{"email", "ann@example.com"}, {"password", "correct horse"}})
                .status,
            200);
  const std::vector<json> events = ann.Events(job_id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["status"], "completed") << events.back();
  EXPECT_EQ(events.back()["attempts"], 1);  // the interrupted attempt was not counted
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories").Json()["stories"].size(), 1u);
}

// One node's settings: .env and .env.local in the working directory, under the environment.
class EmbeddedTest : public PlatformTest {};

// The web UI comes from the binary: the page at "/" with its strict policy, every file it
// loads with an ETag that turns a second request into a 304.
TEST_P(EmbeddedTest, ServesTheWebUi) {
  auto server = Start();
  Client browser(*server);
  Answer page = browser.Call("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"/app.js\">"), std::string::npos);
  const std::string policy = page.Header("content-security-policy");
  EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
  EXPECT_EQ(page.Header("x-content-type-options"), "nosniff");
  EXPECT_FALSE(page.Header("referrer-policy").empty());
  EXPECT_EQ(browser.Call("GET", "/index.html").body, page.body);

  for (const char* file : {"/app.js", "/api.js", "/dom.js", "/views/story.js", "/app.css"}) {
    Answer first = browser.Call("GET", file);
    ASSERT_EQ(first.status, 200) << file;
    EXPECT_NE(first.Header("content-type")
                  .find(std::string(file).ends_with(".css") ? "text/css" : "text/javascript"),
              std::string::npos)
        << file;
    const std::string etag = first.Header("etag");
    ASSERT_FALSE(etag.empty()) << file;
    Answer again = browser.Call("GET", file, "", {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304) << file;
    EXPECT_TRUE(again.body.empty()) << file;
    EXPECT_EQ(browser.Call("GET", file, "", {{"If-None-Match", "\"stale\""}}).status, 200);
  }
  EXPECT_EQ(browser.Call("GET", "/nothing.js").status, 404);
}

TEST_P(EmbeddedTest, SettingsComeFromDotEnvFiles) {
  std::ofstream(dir_ / ".env") << "# the shared defaults\n"
                               << "DATASTORY_LISTEN=127.0.0.1:1\n"  // the environment wins
                               << "DATASTORY_PUBLIC_URL=https://wrong.example.com\n";
  std::ofstream(dir_ / ".env.local")
      << "export DATASTORY_PUBLIC_URL=\"https://stories.example.com\"\n";
  Server server(backend_->Env(), dir_);
  Client ann(server);
  ann.SetOrigin("https://stories.example.com");
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  const std::string upload_id = ann.UploadCsv(SalesCsv(30)).Json()["id"];
  const std::string job_id =
      ann.Json("POST", "/api/v1/stories", {{"uploadId", upload_id}}).Json()["job"]["id"];
  const std::string story_id = ann.Events(job_id).back().at("storyId");
  const std::string share_url =
      ann.Json("PATCH", "/api/v1/stories/" + story_id, {{"visibility", "public"}})
          .Json()["shareUrl"];
  EXPECT_EQ(share_url.rfind("https://stories.example.com/s/", 0), 0u) << share_url;

  // A malformed line stops the start with the file and line named, exit 78.
  std::ofstream(dir_ / ".env.local") << "DATASTORY_WORKERS=2\nthis is not a setting\n";
  std::string env = "cd " + Quote(dir_.string()) + " && env";
  for (const std::string& e : backend_->Env()) env += " " + Quote(e);
  CommandResult bad = RunDatastory("serve", env + " ");
  EXPECT_EQ(bad.exit_code, 78) << bad.output;
  EXPECT_NE(bad.output.find(".env.local:2"), std::string::npos) << bad.output;
}

// Uploads are rate limited per account (DATASTORY_UPLOADS_PER_HOUR): the headers say how many
// are left, and the one over answers 429 with Retry-After, storing nothing.
TEST_P(EmbeddedTest, UploadsAreRateLimited) {
  Server server(backend_->Env(), dir_, {"DATASTORY_UPLOADS_PER_HOUR=2"});
  Client ann(server);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  Answer first = ann.UploadCsv(SalesCsv(10));
  EXPECT_EQ(first.status, 201);
  EXPECT_EQ(first.Header("ratelimit-policy"), "2;w=3600");
  EXPECT_EQ(first.Header("ratelimit").rfind("limit=2, remaining=1", 0), 0u)
      << first.Header("ratelimit");
  EXPECT_EQ(ann.UploadCsv(SalesCsv(10)).status, 201);
  Answer third = ann.UploadCsv(SalesCsv(10));
  EXPECT_EQ(third.status, 429) << third.body;
  EXPECT_EQ(third.Json()["code"], "RATE_LIMITED");
  EXPECT_GT(std::atoi(third.Header("retry-after").c_str()), 0);
  EXPECT_EQ(backend_->StoredFiles(), 2);
  // Another account has its own allowance.
  Client bob(server);
  ASSERT_EQ(bob.Register("bob@example.com").status, 201);
  EXPECT_EQ(bob.UploadCsv(SalesCsv(10)).status, 201);
}

// X-Forwarded-For names the client only when a trusted proxy sends it.
TEST_P(EmbeddedTest, OnlyTrustedProxiesNameTheClient) {
  for (const bool trusted : {false, true}) {
    Server server(backend_->Env(), dir_,
                  {trusted ? "DATASTORY_TRUSTED_PROXIES=10.9.9.9, 127.0.0.1"
                           : "DATASTORY_TRUSTED_PROXIES=10.9.9.9"});
    Client ann(server);
    ASSERT_EQ(ann.Call("POST", "/api/v1/auth/register",
                       R"({"email":"ann@example.com","password":"correct horse"})",
                       {{"Content-Type", "application/json"},
                        {"X-Forwarded-For", "198.51.100.7, 203.0.113.9"}})
                  .status,
              trusted ? 409 : 201);  // the second server shares the first one's database
    if (trusted) {
      ASSERT_EQ(ann.Call("POST", "/api/v1/auth/login",
                         R"({"email":"ann@example.com","password":"correct horse"})",
                         {{"Content-Type", "application/json"},
                          {"X-Forwarded-For", "198.51.100.7, 203.0.113.9"}})
                    .status,
                200);
    }
    const json sessions = ann.Call("GET", "/api/v1/me/sessions").Json()["sessions"];
    ASSERT_FALSE(sessions.empty());
    EXPECT_EQ(sessions[0]["ipAddress"], trusted ? "203.0.113.9" : "127.0.0.1") << sessions;
  }
}

// HTTPS with the operator's certificate: TLS 1.2 and 1.3 only.
TEST_P(EmbeddedTest, ServesTlsOneTwoAndLater) {
  const std::string cert = (dir_ / "cert.pem").string(), key = (dir_ / "key.pem").string();
  ASSERT_EQ(std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                         "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                         Quote(key) + " -out " + Quote(cert) + " 2>/dev/null")
                            .c_str()),
            0);
  Server server(backend_->Env(), dir_,
                {"DATASTORY_TLS_CERT=" + cert, "DATASTORY_TLS_KEY=" + key,
                 "DATASTORY_PUBLIC_URL=https://127.0.0.1"});
  const std::string address = "127.0.0.1:" + std::to_string(server.port());
  const std::string health =
      Capture("curl -s --cacert " + Quote(cert) + " https://" + address + "/healthz 2>&1");
  EXPECT_NE(health.find("ok"), std::string::npos) << health;
  auto handshake = [&](const std::string& flags) {
    return Capture("echo | openssl s_client -connect " + address + " " + flags + " 2>&1");
  };
  const std::string tls12 = handshake("-tls1_2");
  EXPECT_NE(tls12.find("Protocol  : TLSv1.2"), std::string::npos) << tls12;
  const std::string tls13 = handshake("-tls1_3");
  EXPECT_NE(tls13.find("TLSv1.3"), std::string::npos) << tls13;
  // TLS 1.1, even from a client willing to use it, is refused.
  const std::string tls11 = handshake("-tls1_1 -cipher DEFAULT@SECLEVEL=0");
  EXPECT_NE(tls11.find("alert protocol version"), std::string::npos) << tls11;
  EXPECT_NE(tls11.find("Cipher is (NONE)"), std::string::npos) << tls11;
  // Plain HTTP on the TLS port gets no page.
  EXPECT_EQ(Capture("curl -s http://" + address + "/healthz").find("ok"), std::string::npos);
}

// Scaled out on PostgreSQL + S3: two `serve` processes without workers and two `worker`
// processes share the jobs; a stream on one server follows a job started on the other; a worker
// killed mid-job loses it only until its lease runs out, and the job completes once.
class ScaleOutTest : public PlatformTest {};

TEST_P(ScaleOutTest, ServersAndWorkersShareTheWork) {
  const std::vector<std::string> no_workers = {"DATASTORY_WORKERS=0", "DATASTORY_JOB_LEASE=3"};
  const std::vector<std::string> lease = {"DATASTORY_JOB_LEASE=3"};
  Server front(backend_->Env(), dir_, no_workers), back(backend_->Env(), dir_, no_workers);
  auto first =
      std::make_unique<Server>(backend_->Env(), dir_, lease, std::vector<std::string>{"worker"});
  auto second =
      std::make_unique<Server>(backend_->Env(), dir_, lease, std::vector<std::string>{"worker"});
  Client ann(front), ann_elsewhere(back);
  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  ASSERT_EQ(Admin("set-tier ann@example.com enterprise").exit_code, 0);
  ASSERT_EQ(ann_elsewhere
                .Json("POST", "/api/v1/auth/login",
                      {{"email", "ann@example.com"}, {"password", "correct horse"}})
                .status,
            200);

  const std::string upload_id = ann.UploadCsv(SalesCsv(100000)).Json()["id"];
  std::vector<std::string> jobs;
  for (int i = 0; i < 8; ++i) {
    Answer started = ann.Json("POST", "/api/v1/stories", {{"uploadId", upload_id}});
    ASSERT_EQ(started.status, 202) << started.body;
    jobs.push_back(started.Json()["job"]["id"]);
  }
  // Followed from the other server: its events come through the database's notifications.
  for (const std::string& job : jobs) {
    const std::vector<json> events = ann_elsewhere.Events(job);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back()["status"], "completed") << events.back();
  }
  auto completed_by = [](Server& worker) {
    const std::string log = worker.Log();
    int n = 0;
    for (size_t at = 0; (at = log.find(": completed as story", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  // (A worker logs a job after the job's row says completed: the line may come a moment late.)
  for (int i = 0; i < 100 && completed_by(*first) + completed_by(*second) < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(completed_by(*first) + completed_by(*second), 8);
  EXPECT_GT(completed_by(*first), 0) << "the first worker took no job";
  EXPECT_GT(completed_by(*second), 0) << "the second worker took no job";

  // One worker left; it is killed in the middle of a long job.
  EXPECT_EQ(second->process().Stop(SIGTERM, std::chrono::seconds(20)), 0);
  const std::string big = ann.UploadCsv(SalesCsv(1500000)).Json()["id"];
  const std::string job_id =
      ann.Json("POST", "/api/v1/stories", {{"uploadId", big}}).Json()["job"]["id"];
  for (int i = 0; i < 1000; ++i) {
    if (ann.Call("GET", "/api/v1/jobs/" + job_id).Json()["job"]["status"] == "processing") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(ann.Call("GET", "/api/v1/jobs/" + job_id).Json()["job"]["status"], "processing");
  EXPECT_EQ(first->process().Stop(SIGKILL, std::chrono::seconds(5)), 128 + SIGKILL);
  // A new worker takes it up once the dead one's lease has run out.
  Server third(backend_->Env(), dir_, lease, {"worker"});
  const std::vector<json> events = ann_elsewhere.Events(job_id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["status"], "completed") << events.back();
  EXPECT_EQ(events.back()["attempts"], 2);
  EXPECT_EQ(ann.Call("GET", "/api/v1/stories?limit=100").Json()["stories"].size(), 9u);

  // A story read through one server keeps its document there; a change made through the
  // other is seen at the next read, however soon.
  const std::string story_id = events.back().at("storyId");
  const std::string path = "/api/v1/stories/" + story_id;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ann.Call("GET", path).Json()["charts"],
              ann_elsewhere.Call("GET", path).Json()["charts"]);
    const std::string title = "Version " + std::to_string(i);
    ASSERT_EQ(ann_elsewhere.Json("PATCH", path, {{"title", title}}).status, 200);
    Answer read = ann.Call("GET", path);
    EXPECT_EQ(read.Json()["title"], title) << i;
    EXPECT_EQ(read.Json()["updatedAt"], ann_elsewhere.Call("GET", path).Json()["updatedAt"]);
  }
  const std::string link = ann_elsewhere.Json("PATCH", path, {{"visibility", "public"}})
                               .Json()
                               .at("shareUrl")
                               .get<std::string>();
  const std::string token = link.substr(link.rfind('/') + 1);
  EXPECT_EQ(Client(front).Call("GET", "/api/v1/shared/" + token).Json()["title"], "Version 4");
  ASSERT_EQ(ann.Json("PATCH", path, {{"visibility", "private"}}).status, 200);
  EXPECT_EQ(Client(back).Call("GET", "/api/v1/shared/" + token).status, 404);
  EXPECT_EQ(Client(front).Call("GET", "/api/v1/shared/" + token).status, 404);
  ASSERT_EQ(ann_elsewhere.Call("DELETE", path).status, 204);
  EXPECT_EQ(ann.Call("GET", path).status, 404);
}

// What an operator and a curl user see: health, readiness, metrics, request ids and the access
// log; the one-step form (the CSV as the body of POST /stories); a stream resumed with
// Last-Event-ID; a client that stops sending mid-upload is dropped with nothing stored.
TEST_P(PlatformTest, OperationsOneStepStoriesAndStalledClients) {
  auto server = Start({"DATASTORY_READ_TIMEOUT=2"});
  Client ann(*server);
  EXPECT_EQ(ann.Call("GET", "/healthz").status, 200);
  Answer ready = ann.Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.Json()["database"], "ok");
  EXPECT_EQ(ready.Json()["storage"], "ok");
  Answer traced = ann.Call("GET", "/healthz", "", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(traced.Header("x-request-id"), "trace-42");
  EXPECT_FALSE(ann.Call("GET", "/healthz").Header("x-request-id").empty());
  EXPECT_EQ(ann.Call("GET", "/nowhere").status, 404);
  Answer wrong_method = ann.Call("PUT", "/api/v1/me");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.Header("allow"), "GET, DELETE");
  EXPECT_EQ(wrong_method.Header("content-type"), "application/problem+json");

  ASSERT_EQ(ann.Register("ann@example.com").status, 201);
  // One step: the CSV is the body, the settings are the query.
  Answer one_step = ann.Call("POST", "/api/v1/stories?filename=q1.csv&audienceLevel=technical",
                             SalesCsv(200), {{"Content-Type", "text/csv"}});
  ASSERT_EQ(one_step.status, 202) << one_step.body;
  const std::string job_id = one_step.Json()["job"]["id"];
  const std::vector<json> events = ann.Events(job_id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["status"], "completed");
  EXPECT_EQ(events.back()["options"]["audienceLevel"], "technical");
  // Resumed after the last event: nothing new, and the stream ends. From the start: the end.
  EXPECT_TRUE(ann.Events(job_id, std::to_string(events.back()["eventId"].get<int64_t>())).empty());
  EXPECT_EQ(ann.Events(job_id, "0").back()["status"], "completed");

  const std::string metrics = ann.Call("GET", "/metrics").body;
  for (const char* line :
       {"datastory_http_requests_total{route=\"/api/v1/stories\",status=\"202\"} 1",
        "datastory_jobs{state=\"completed\"} 1", "datastory_queue_depth 0",
        "datastory_http_request_duration_seconds_bucket", "datastory_upload_bytes_total"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << "\n" << metrics;
  }
  // One JSON line per request, with its id (written within a tenth of a second).
  std::string log = server->Log();
  for (int i = 0; i < 100 && log.find("/metrics") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    log = server->Log();
  }
  EXPECT_NE(log.find("\"request_id\":\"trace-42\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"route\":\"/api/v1/stories\""), std::string::npos) << log;
  const int files = backend_->StoredFiles();

  // A client that promises 100,000 bytes, sends 1,000 and goes quiet.
  RawConnection slow(server->port());
  ASSERT_TRUE(slow.ok());
  slow.Send(
      "POST /api/v1/uploads?filename=slow.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: text/csv\r\nContent-Length: 100000\r\nCookie: " +
      ann.cookie() + "\r\nOrigin: " + server->Url("") + "\r\n\r\n" + SalesCsv(100).substr(0, 1000));
  const auto sent = std::chrono::steady_clock::now();
  const std::string answer = slow.ReadAll();  // until the server closes
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  EXPECT_GT(waited, 1.5);
  EXPECT_LT(waited, 10.0) << "the server kept a stalled upload";
  EXPECT_TRUE(answer.empty() || answer.find("HTTP/1.1 408") == 0) << answer.substr(0, 200);
  // The connection is dropped at the timeout; the half-written file goes a moment later.
  for (int i = 0; i < 100 && backend_->StoredFiles() != files; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(backend_->StoredFiles(), files);
}

INSTANTIATE_TEST_SUITE_P(Backends, PlatformTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Sqlite, EmbeddedTest, ::testing::Values("sqlite"),
                         [](const auto& info) { return info.param; });

INSTANTIATE_TEST_SUITE_P(Postgres, ScaleOutTest, ::testing::Values("postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace datastory::testing
