// The S3 backend against real peers: moto_server checking Signature V4 on every request (a
// wrong secret must get SignatureDoesNotMatch), botocore's presigned URLs byte for byte, a proxy
// that answers 503 to every first try, and uploads cut off half-way (a failing source, a killed
// process) that must leave nothing visible.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "blob/blob_store.h"
#include "blob/s3_blob_store.h"
#include "child_process.h"
#include "moto_server.h"
#include "net/http_client.h"
#include "test_paths.h"

namespace datastory::testing {
namespace {

using blob::BlobInfo;
using blob::BlobStore;
using blob::S3Config;

constexpr int64_t kNowSeconds = 1795608000;  // 2026-11-25T12:00:00Z

std::unique_ptr<BlobStore> Open(const S3Config& config, const Clock& clock) {
  auto store = blob::OpenS3BlobStore(config, clock);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// A stream of `size` bytes of a repeating pattern, failing with `failure` after `fail_at`.
blob::ChunkReader Pattern(int64_t size, int64_t fail_at = -1) {
  auto offset = std::make_shared<int64_t>(0);
  return [=](char* buffer, size_t capacity) -> Result<size_t> {
    if (fail_at >= 0 && *offset >= fail_at) return Status::Unavailable("the source broke");
    const auto n =
        static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(capacity), size - *offset));
    for (size_t i = 0; i < n; ++i)
      buffer[i] = static_cast<char>('a' + (*offset + static_cast<int64_t>(i)) % 23);
    *offset += static_cast<int64_t>(n);
    return n;
  };
}

std::string PatternBytes(int64_t size) {
  std::string out(static_cast<size_t>(size), '\0');
  auto read = Pattern(size);
  size_t filled = 0;
  while (filled < out.size()) filled += *read(out.data() + filled, out.size() - filled);
  return out;
}

// Lists the bucket's multipart uploads still open, as a raw signed request.
std::string OpenMultipartUploads(const MotoServer& moto) {
  blob::sigv4::Request r{"GET",
                         "127.0.0.1:" + std::to_string(moto.port()),
                         std::string("/") + kBucket,
                         {{"uploads", ""}},
                         {},
                         blob::sigv4::Sha256Hex("")};
  SystemClock clock;
  blob::sigv4::SignHeaders(r, moto.credentials(), {}, clock.NowMillis() / 1000);
  net::HttpClient http;
  net::HttpRequest request;
  request.url = moto.endpoint() + "/" + kBucket + "?uploads=";
  request.headers = r.headers;
  auto answer = http.Send(request);
  EXPECT_TRUE(answer.ok() && answer->status == 200);
  return answer.ok() ? answer->body : "";
}

void RoundTrip(BlobStore& store) {
  const std::string key = "uploads/42/1795608000000-sales report.csv";
  const std::string bytes = "region,sales\nNorth,100\nSouth,250\n";
  auto info = store.Upload(key, bytes, {"text/csv", {"raw", "q4, final"}});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(info->etag, "5f0811695cd4f04feed8b687fbae5318");  // md5sum of the bytes
  EXPECT_TRUE(*store.Exists(key));
  auto meta = store.Metadata(key);
  ASSERT_TRUE(meta.ok()) << meta.status().ToString();
  EXPECT_EQ(meta->size, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(meta->etag, info->etag);
  EXPECT_EQ(meta->content_type, "text/csv");
  EXPECT_EQ(meta->tags, (std::vector<std::string>{"raw", "q4, final"}));
  EXPECT_GT(meta->modified_at, 0);
  EXPECT_EQ(*store.Download(key), bytes);
  std::string streamed;
  ASSERT_TRUE(store
                  .DownloadStream(key,
                                  [&](std::string_view piece) {
                                    streamed.append(piece);
                                    return Status::Ok();
                                  })
                  .ok());
  EXPECT_EQ(streamed, bytes);
  EXPECT_TRUE(store.Remove(key).ok());
  EXPECT_FALSE(*store.Exists(key));
  EXPECT_EQ(store.Remove(key).code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Download(key).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Upload("../escape", "x", {}).status().code(), StatusCode::kInvalidArgument);
}

TEST(S3BlobStoreTest, RoundTripPathStyle) {
  MotoServer moto;
  SystemClock clock;
  auto store = Open(moto.Config(/*path_style=*/true), clock);
  ASSERT_TRUE(store);
  RoundTrip(*store);
}

TEST(S3BlobStoreTest, RoundTripVirtualHosted) {
  MotoServer moto;
  SystemClock clock;
  auto store = Open(moto.Config(/*path_style=*/false), clock);
  ASSERT_TRUE(store);
  RoundTrip(*store);
}

// Kept as a test so that signature checking can never be off without anyone noticing: with it
// off, every other test here would pass whatever we signed.
TEST(S3BlobStoreTest, AWrongSecretGetsSignatureDoesNotMatch) {
  MotoServer moto;
  SystemClock clock;
  S3Config wrong = moto.Config();
  wrong.credentials.secret_access_key += "x";
  auto store = Open(wrong, clock);
  ASSERT_TRUE(store);
  auto refused = store->Upload("uploads/1/a.csv", "a,b\n", {});
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("SignatureDoesNotMatch"), std::string::npos)
      << refused.status().ToString();
  // The secret never appears in what is reported, right or wrong.
  EXPECT_EQ(refused.status().message().find(wrong.credentials.secret_access_key),
            std::string::npos);
  EXPECT_EQ(refused.status().message().find(moto.Config().credentials.secret_access_key),
            std::string::npos);
  auto right = Open(moto.Config(), clock);
  EXPECT_TRUE(right->Upload("uploads/1/a.csv", "a,b\n", {}).ok());
  EXPECT_FALSE(*right->Exists("uploads/1/nothing.csv"));
}

TEST(S3BlobStoreTest, LargeStreamsGoUpInParts) {
  MotoServer moto;
  SystemClock clock;
  auto store = Open(moto.Config(), clock);
  ASSERT_TRUE(store);
  const int64_t size = (int64_t{20} << 20) + 12345;  // 3 parts of 8 MiB at most
  auto info = store->UploadStream("uploads/7/big.csv", Pattern(size), {"text/csv", {"big"}});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, size);
  EXPECT_NE(info->etag.find("-3"), std::string::npos) << info->etag;  // S3's multipart ETag
  auto meta = store->Metadata("uploads/7/big.csv");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->size, size);
  EXPECT_EQ(meta->tags, std::vector<std::string>{"big"});
  // Objects are stored encrypted at rest, in one piece or in parts.
  EXPECT_EQ(meta->encryption, "AES256");
  ASSERT_TRUE(store->Upload("uploads/7/small.csv", "a\n1\n", {"text/csv"}).ok());
  EXPECT_EQ(store->Metadata("uploads/7/small.csv")->encryption, "AES256");
  int64_t received = 0;
  bool same = true;
  const std::string expected = PatternBytes(size);
  ASSERT_TRUE(store
                  ->DownloadStream("uploads/7/big.csv",
                                   [&](std::string_view piece) {
                                     same = same && expected.compare(static_cast<size_t>(received),
                                                                     piece.size(), piece) == 0;
                                     received += static_cast<int64_t>(piece.size());
                                     return Status::Ok();
                                   })
                  .ok());
  EXPECT_EQ(received, size);
  EXPECT_TRUE(same);
  // Upload() of a large string takes the same path.
  auto from_memory = store->Upload("uploads/7/big2.csv", expected, {});
  ASSERT_TRUE(from_memory.ok());
  EXPECT_EQ(*store->Download("uploads/7/big2.csv"), expected);
}

TEST(S3BlobStoreTest, AnUploadCutOffHalfWayLeavesNothing) {
  MotoServer moto;
  SystemClock clock;
  auto store = Open(moto.Config(), clock);
  ASSERT_TRUE(store);
  // The source fails after two parts have gone up.
  auto failed =
      store->UploadStream("uploads/9/cut.csv", Pattern(int64_t{40} << 20, int64_t{17} << 20), {});
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(*store->Exists("uploads/9/cut.csv"));
  EXPECT_EQ(OpenMultipartUploads(moto).find("<UploadId>"), std::string::npos)
      << "the abandoned upload was not aborted";

  // A process killed in the middle of an upload: nothing under the key either.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    SystemClock child_clock;
    auto child = blob::OpenS3BlobStore(moto.Config(), child_clock);
    if (!child.ok()) _exit(2);
    auto slow = Pattern(int64_t{64} << 20);
    static_cast<void>(
        (*child)->UploadStream("uploads/9/killed.csv",
                               [&](char* buffer, size_t capacity) {
                                 std::this_thread::sleep_for(std::chrono::milliseconds(2));
                                 return slow(buffer, std::min<size_t>(capacity, 256 << 10));
                               },
                               {}));
    _exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the upload finished before it could be killed";
  EXPECT_FALSE(*store->Exists("uploads/9/killed.csv"));
}

TEST(S3BlobStoreTest, FiveHundredsAreRetried) {
  MotoServer moto;
  NpmPackage("vega-lite");  // tests/js is installed
  ChildProcess proxy({"node", (SourceDir() / "tests" / "js" / "flaky_proxy.mjs").string(),
                      std::to_string(moto.port())},
                     {}, /*capture_stdout=*/true);
  const std::string line = proxy.ReadLine();
  ASSERT_EQ(line.rfind("PORT ", 0), 0u) << "the proxy did not start: " << line;
  S3Config config = moto.Config();
  config.endpoint = "http://127.0.0.1:" + line.substr(5);
  SystemClock clock;
  auto store = Open(config, clock);
  ASSERT_TRUE(store);
  // Every request's first try gets 503 SlowDown: each call below needs its retry.
  RoundTrip(*store);
  // In parts, and the completion's first answer is 200 with an InternalError inside.
  const std::string nine_mib = PatternBytes(int64_t{9} << 20);
  auto multipart = store->Upload("uploads/5/nine.csv", nine_mib, {});
  ASSERT_TRUE(multipart.ok()) << multipart.status().ToString();
  EXPECT_NE(multipart->etag.find("-2"), std::string::npos) << multipart->etag;
  EXPECT_EQ(*store->Download("uploads/5/nine.csv"), nine_mib);
  config.max_retries = 0;
  auto no_retries = Open(config, clock);
  auto refused = no_retries->Download("uploads/1/a.csv");
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("SlowDown"), std::string::npos)
      << refused.status().ToString();
}

TEST(S3BlobStoreTest, AClosedPortFailsAfterItsRetries) {
  S3Config config;
  config.bucket = kBucket;
  config.endpoint = "http://127.0.0.1:" + std::to_string(FreePort());
  config.path_style = true;
  config.credentials = {"AKIDEXAMPLE", "secret", ""};
  SystemClock clock;
  auto store = Open(config, clock);
  const auto start = std::chrono::steady_clock::now();
  auto refused = store->Exists("uploads/1/a.csv");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_GE(took, std::chrono::milliseconds(300));  // 3 back-offs: 100, 200, 400 ms × [0.5, 1.5)
}

// Presigned URLs are byte for byte what botocore makes for the same object, key and time, in
// both addressing styles; and moto serves the object through one.
//
// moto checks signatures only on header-signed requests: with checking on, it answers a
// presigned URL (botocore's as well as ours) with a 500, as it looks for an Authorization
// header. So the fetch goes to a second moto without checking: it shows that the URL names the
// object; the byte-for-byte match with botocore and AWS's published example show the signature.
TEST(S3BlobStoreTest, PresignedUrlsMatchBotocore) {
  MotoServer moto;
  FakeClock fixed(kNowSeconds * 1000);
  for (bool path_style : {true, false}) {
    S3Config config = moto.Config(path_style);
    config.prefix.clear();
    auto store = Open(config, fixed);
    for (const std::string key :
         {"uploads/42/1795608000000-sales.csv", "uploads/42/a b+c=d(1)~é.csv"}) {
      auto ours = store->SignedUrl(key, 3600);
      ASSERT_TRUE(ours.ok()) << ours.status().ToString();
      const std::string theirs =
          Capture(ReferenceScript() + " presign '" + config.endpoint + "' " +
                  (path_style ? "path" : "virtual") + " " + kBucket + " '" + key + "' 3600 " +
                  std::to_string(kNowSeconds) + " " + config.credentials.access_key_id + " '" +
                  config.credentials.secret_access_key + "' us-east-1 2>&1");
      EXPECT_EQ(*ours, theirs) << (path_style ? "path style" : "virtual-hosted");
    }
    EXPECT_EQ(store->SignedUrl("uploads/1/a.csv", 0).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store->SignedUrl("uploads/1/a.csv", 604801).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_TRUE(store->SignedUrl("uploads/1/a.csv", 604800).ok());
  }
  // A URL signed now fetches the object without any other credential.
  MotoServer unchecked(/*check_signatures=*/false);
  SystemClock clock;
  auto live = Open(unchecked.Config(), clock);
  ASSERT_TRUE(live->Upload("uploads/3/shared.csv", "x,y\n1,2\n", {"text/csv", {}}).ok());
  net::HttpClient http;
  net::HttpRequest get;
  get.url = *live->SignedUrl("uploads/3/shared.csv", 60);
  auto fetched = http.Send(get);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->status, 200) << fetched->body;
  EXPECT_EQ(fetched->body, "x,y\n1,2\n");
}

TEST(S3ConfigTest, SettingsAreCheckedWithTheirNames) {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "AKID"},
                                            {"AWS_SECRET_ACCESS_KEY", "secret"},
                                            {"S3_ENDPOINT", "http://127.0.0.1:9000"},
                                            {"S3_FORCE_PATH_STYLE", "true"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  auto config = blob::S3ConfigFromEnvironment("s3://my-bucket/some/prefix/", getenv);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->bucket, "my-bucket");
  EXPECT_EQ(config->prefix, "some/prefix");
  EXPECT_TRUE(config->path_style);
  EXPECT_EQ(config->region, "us-east-1");
  EXPECT_EQ(blob::S3ConfigFromEnvironment("s3://", getenv).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(blob::S3ConfigFromEnvironment("s3:///prefix", getenv).status().code(),
            StatusCode::kInvalidArgument);              // found by the fuzzer
  EXPECT_EQ(config->server_side_encryption, "AES256");  // asked for unless turned off
  env["S3_SSE"] = "none";
  EXPECT_EQ(blob::S3ConfigFromEnvironment("s3://b", getenv)->server_side_encryption, "");
  env["S3_SSE"] = "aws:kms";
  EXPECT_EQ(blob::S3ConfigFromEnvironment("s3://b", getenv)->server_side_encryption, "aws:kms");
  env["S3_SSE"] = "rot13";
  EXPECT_NE(blob::S3ConfigFromEnvironment("s3://b", getenv).status().message().find("S3_SSE"),
            std::string::npos);
  env.erase("S3_SSE");
  env["S3_FORCE_PATH_STYLE"] = "maybe";
  auto bad = blob::S3ConfigFromEnvironment("s3://b", getenv);
  EXPECT_NE(bad.status().message().find("S3_FORCE_PATH_STYLE"), std::string::npos);
  env.erase("S3_FORCE_PATH_STYLE");
  env.erase("AWS_SECRET_ACCESS_KEY");
  bad = blob::S3ConfigFromEnvironment("s3://b", getenv);
  EXPECT_NE(bad.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  SystemClock clock;
  env["AWS_SECRET_ACCESS_KEY"] = "secret";
  const blob::LocalSettings local{"0123456789abcdef0123", "/blobs"};
  EXPECT_TRUE(blob::OpenBlobStore("s3://my-bucket", local, clock, getenv).ok());
  const std::string folder = ::testing::TempDir() + "blobs-" + std::to_string(getpid());
  EXPECT_TRUE(blob::OpenBlobStore("file://" + folder, local, clock, getenv).ok());
  EXPECT_EQ(blob::OpenBlobStore("file://", local, clock, getenv).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_NE(
      blob::OpenBlobStore("gs://b", local, clock, getenv).status().message().find("STORAGE_URL"),
      std::string::npos);
  std::filesystem::remove_all(folder);
  S3Config c;
  c.bucket = "Bad_Bucket";
  EXPECT_EQ(blob::OpenS3BlobStore(c, clock).status().code(), StatusCode::kInvalidArgument);
  c.bucket = "good-bucket";
  c.endpoint = "ftp://x";
  EXPECT_NE(blob::OpenS3BlobStore(c, clock).status().message().find("S3_ENDPOINT"),
            std::string::npos);
}

}  // namespace
}  // namespace datastory::testing
