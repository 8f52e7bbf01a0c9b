// libFuzzer target for the platform's parsers of outside input: .env files (config), the
// request line's path and query, cookies and headers (http/router), and multipart bodies read as
// a stream (http/multipart). Oracles: no crash or sanitizer report, nothing longer than its
// input, every parsed name well formed, and a multipart read that ends.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/dotenv.h"
#include "http/multipart.h"
#include "http/router.h"

namespace {

using datastory::http::Request;

bool NameChar(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (!first && c >= '0' && c <= '9');
}

void CheckDotEnv(std::string_view input) {
  auto vars = datastory::config::ParseDotEnv(input, "fuzz.env");
  if (!vars.ok()) return;
  for (const auto& [name, value] : *vars) {
    if (name.empty() || value.size() > input.size()) std::abort();
    for (size_t i = 0; i < name.size(); ++i) {
      if (!NameChar(name[i], i == 0)) std::abort();  // a name the shell would take
    }
  }
}

void CheckRequest(std::string_view input) {
  // The input as a target "path?query", and as the value of a Cookie header.
  Request req;
  req.target = std::string(input);
  const size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
  req.headers = {{"Cookie", std::string(input)}, {"X-Any", std::string(input)}};
  for (const char* name : {"a", "page", "format", "session", ""}) {
    if (req.Query(name).size() > input.size() || req.Cookie(name).size() > input.size()) {
      std::abort();
    }
  }
  if (req.Header("x-any") != input) std::abort();  // headers are found in any case
  for (bool plus : {true, false}) {
    auto decoded = datastory::http::PercentDecode(input, plus);
    if (decoded && decoded->size() > input.size()) std::abort();
    const bool plain = input.find('%') == std::string_view::npos &&
                       (!plus || input.find('+') == std::string_view::npos);
    if (plain && (!decoded || *decoded != input)) std::abort();  // nothing to decode
  }
  static const datastory::http::Router router = [] {
    datastory::http::Router r({});
    auto none = [](Request&) { return datastory::http::Response{}; };
    r.Get("/api/v1/stories/:id", datastory::http::Auth::kUser, none);
    r.Get("/api/v1/stories/:id/export", datastory::http::Auth::kUser, none);
    r.Delete("/api/v1/stories/:id", datastory::http::Auth::kUser, none);
    r.Get("/s/:token", datastory::http::Auth::kPublic, none);
    r.Get("/assets/*", datastory::http::Auth::kPublic, none);
    return r;
  }();
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;
  for (const char* method : {"GET", "DELETE", "PUT"}) {
    params.clear();
    allowed.clear();
    if (router.Match(method, req.path, &params, &allowed)) {
      for (const auto& [name, value] : params) {
        if (value.size() > req.path.size()) std::abort();
      }
    }
  }
}

// The input as a multipart body under a fixed boundary, handed over in pieces of a size the
// first byte chooses (pieces that end inside a delimiter are the hard case).
void CheckMultipart(std::string_view input) {
  if (input.empty()) return;
  const size_t piece = 1 + static_cast<uint8_t>(input[0]) % 64;
  const std::string_view body = input.substr(1);
  size_t at = 0;
  datastory::ChunkReader reader = [&](char* buffer, size_t capacity) -> datastory::Result<size_t> {
    const size_t n = std::min({piece, capacity, body.size() - at});
    std::copy_n(body.data() + at, n, buffer);
    at += n;
    return n;
  };
  auto boundary =
      datastory::http::MultipartBoundary(std::string("multipart/form-data; boundary=XyZ"));
  if (!boundary.ok()) std::abort();
  datastory::http::MultipartReader parts(reader, *boundary, "file");
  if (!parts.Open().ok()) return;
  size_t total = 0;
  char buffer[37];
  for (int reads = 0;; ++reads) {
    auto n = parts.Read(buffer, sizeof buffer);
    if (!n.ok() || *n == 0) break;
    if (*n > sizeof buffer) std::abort();
    total += *n;
    if (total > body.size() || reads > static_cast<int>(body.size()) + 2) std::abort();
  }
  // A Content-Type from the client: any boundary found lies within it.
  auto client_boundary = datastory::http::MultipartBoundary(input);
  if (client_boundary.ok() && client_boundary->size() > input.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckDotEnv(input);
  CheckRequest(input);
  CheckMultipart(input);
  return 0;
}
