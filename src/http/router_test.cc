// The HTTP module without a socket: route matching, the request's query and cookies, the status
// of each failure, multipart read in pieces of every size, and the OpenAPI document against the
// routes the API really adds.
#include "http/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "http/api.h"
#include "http/multipart.h"

namespace datastory::http {
namespace {

Response Nothing(Request&) { return {}; }

TEST(RouterTest, MatchesPatternsAndSaysWhichMethodsAPathHas) {
  Router router({});
  router.Get("/api/v1/stories/:id", Auth::kUser, Nothing);
  router.Delete("/api/v1/stories/:id", Auth::kUser, Nothing);
  router.Get("/api/v1/stories/:id/export", Auth::kUser, Nothing);
  router.Get("/assets/*", Auth::kPublic, Nothing);
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;

  const Route* route = router.Match("GET", "/api/v1/stories/a%20b/export", &params, &allowed);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->pattern, "/api/v1/stories/:id/export");
  EXPECT_EQ(params["id"], "a b");  // decoded

  params.clear();
  EXPECT_EQ(router.Match("PUT", "/api/v1/stories/x", &params, &allowed), nullptr);
  EXPECT_EQ(allowed, (std::vector<std::string>{"GET", "DELETE"}));  // for the 405's Allow

  allowed.clear();
  EXPECT_EQ(router.Match("GET", "/api/v1/stories", &params, &allowed), nullptr);
  EXPECT_TRUE(allowed.empty());  // no such path: 404
  EXPECT_EQ(router.Match("GET", "/api/v1/stories/%zz", &params, &allowed), nullptr);
  EXPECT_EQ(router.Match("GET", "/api/v1/stories/", &params, &allowed), nullptr);
  EXPECT_NE(router.Match("GET", "/assets/app/main.js", &params, &allowed), nullptr);
}

TEST(RouterTest, QueryAndCookiesAreDecodedAndFoundByName) {
  Request req;
  req.query = "format=md&title=Q1+sales%21&empty=&format=html&bad=%g1";
  req.headers = {{"cookie", "theme=dark; datastory_session=abc.def;other=1"}};
  EXPECT_EQ(req.Query("format"), "md");  // the first wins
  EXPECT_EQ(req.Query("title"), "Q1 sales!");
  EXPECT_EQ(req.Query("empty"), "");
  EXPECT_EQ(req.Query("missing"), "");
  EXPECT_EQ(req.Query("bad"), "");
  EXPECT_EQ(req.Cookie("datastory_session"), "abc.def");
  EXPECT_EQ(req.Cookie("other"), "1");
  EXPECT_EQ(req.Cookie("them"), "");
  EXPECT_EQ(req.Header("COOKIE"), req.headers[0].second);
  EXPECT_EQ(PercentDecode("a%2Fb+c", true), "a/b c");
  EXPECT_EQ(PercentDecode("a%2Fb+c", false), "a/b+c");
  EXPECT_EQ(PercentDecode("100%", false), std::nullopt);
}

TEST(RouterTest, EachFailureHasOneStatus) {
  EXPECT_EQ(HttpStatus(Status::NotFound("x")), 404);
  EXPECT_EQ(HttpStatus(Status::InvalidArgument("x")), 400);
  EXPECT_EQ(HttpStatus(Status::InvalidArgument("x").WithReason("NOT_CSV")), 422);
  EXPECT_EQ(HttpStatus(Status::ResourceExhausted("x").WithReason("FILE_TOO_LARGE")), 413);
  EXPECT_EQ(HttpStatus(Status::ResourceExhausted("x").WithReason("QUOTA_EXCEEDED")), 403);
  EXPECT_EQ(HttpStatus(Status::Unavailable("x").WithReason("UPLOAD_STALLED")), 408);
  EXPECT_EQ(HttpStatus(Status::Unauthenticated("x")), 401);
  EXPECT_EQ(HttpStatus(Status::Internal("x")), 500);
  const Response problem = Problem(Status::NotFound("no such story").WithReason("NOT_FOUND"));
  EXPECT_EQ(problem.status, 404);
  const auto body = nlohmann::json::parse(problem.body);
  EXPECT_EQ(body["code"], "NOT_FOUND");
  EXPECT_EQ(body["detail"], "no such story");
}

// A multipart body read through pieces of every size from 1 byte up gives the same file.
TEST(MultipartTest, TheFileComesThroughWhateverThePieces) {
  const std::string file = "region,revenue\r\nNorth,1\r\n--not-the-boundary\r\nSouth,2\n";
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQ1\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"q1.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n" +
      file + "\r\n--XyZ--\r\n";
  for (size_t piece = 1; piece <= body.size(); ++piece) {
    size_t at = 0;
    ChunkReader reader = [&](char* buffer, size_t capacity) -> Result<size_t> {
      const size_t n = std::min({piece, capacity, body.size() - at});
      std::copy_n(body.data() + at, n, buffer);
      at += n;
      return n;
    };
    MultipartReader parts(reader, "XyZ", "file");
    ASSERT_TRUE(parts.Open().ok()) << piece;
    EXPECT_EQ(parts.filename(), "q1.csv");
    EXPECT_EQ(parts.content_type(), "text/csv");
    std::string got;
    char buffer[7];
    for (;;) {
      auto n = parts.Read(buffer, sizeof buffer);
      ASSERT_TRUE(n.ok()) << piece << ": " << n.status().ToString();
      if (*n == 0) break;
      got.append(buffer, *n);
    }
    EXPECT_EQ(got, file) << "pieces of " << piece;
  }
}

TEST(MultipartTest, BadFormsAreRefusedWithTheReason) {
  auto open = [](const std::string& body) {
    size_t at = 0;
    ChunkReader reader = [&](char* buffer, size_t capacity) -> Result<size_t> {
      const size_t n = std::min(capacity, body.size() - at);
      std::copy_n(body.data() + at, n, buffer);
      at += n;
      return n;
    };
    MultipartReader parts(reader, "XyZ", "file");
    return parts.Open();
  };
  const Status no_file =
      open("--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQ1\r\n--XyZ--\r\n");
  EXPECT_EQ(no_file.reason(), "NO_FILE_FIELD");
  EXPECT_FALSE(open("").ok());
  EXPECT_FALSE(open("not multipart at all").ok());
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc").value(), "abc");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"a b\"").value(), "a b");
  EXPECT_FALSE(MultipartBoundary("multipart/form-data").ok());
  EXPECT_FALSE(MultipartBoundary("text/csv; boundary=abc").ok());
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'x')).ok());
}

// /api/v1/openapi.json lists exactly the routes the API adds: none missing, none invented.
TEST(OpenApiTest, TheDocumentListsExactlyTheRoutes) {
  Router router({});
  AddApiRoutes(router, ApiContext{});
  std::set<std::string> routed;
  for (const Route& route : router.routes()) {
    std::string path;
    for (size_t i = 0; i < route.pattern.size(); ++i) {
      if (route.pattern[i] != ':') {
        path += route.pattern[i];
        continue;
      }
      const size_t end = std::min(route.pattern.find('/', i), route.pattern.size());
      path += "{" + route.pattern.substr(i + 1, end - i - 1) + "}";
      i = end - 1;
    }
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    routed.insert(method + " " + path);
  }
  std::set<std::string> documented;
  const auto doc = nlohmann::json::parse(OpenApiDocument());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      documented.insert(method + " " + path);
      EXPECT_TRUE(operation.contains("summary")) << method << " " << path;
    }
  }
  EXPECT_EQ(routed, documented);
  EXPECT_EQ(routed.size(), router.routes().size());
  EXPECT_GT(routed.size(), 30u);
}

}  // namespace
}  // namespace datastory::http
