#include "http/router.h"

#include <nlohmann/json.hpp>

#include "base/text.h"

namespace datastory::http {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t at = path.empty() || path.front() != '/' ? 0 : 1;
  while (at <= path.size()) {
    const size_t slash = path.find('/', at);
    out.push_back(
        path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return out;
}

// The "kind" of a problem: a stable URI per code.
std::string ProblemType(const std::string& code) {
  std::string slug;
  for (char c : code) slug += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return "/problems/" + slug;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return std::nullopt;
      }
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (SameName(key, name)) return value;
  }
  return {};
}

std::string Request::Query(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    if (key && *key == name) {
      if (eq == std::string_view::npos) return "";
      return PercentDecode(pair.substr(eq + 1), true).value_or("");
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return "";
}

std::string Request::Cookie(std::string_view name) const {
  // "a=1; b=2": the first cookie of the name, in any Cookie header.
  for (const auto& [key, value] : headers) {
    if (!SameName(key, "cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        std::string_view v = pair.substr(eq + 1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        return std::string(v);
      }
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return "";
}

Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response Text(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response NoContent() {
  Response r;
  r.status = 204;
  return r;
}

int HttpStatus(const Status& failure) {
  const std::string& reason = failure.reason();
  if (reason == "FILE_TOO_LARGE") return 413;
  if (reason == "TOO_MANY_ATTEMPTS" || reason == "RATE_LIMITED") return 429;
  if (reason == "QUOTA_EXCEEDED") return 403;
  if (reason == "NOT_CSV" || reason == "EMPTY_FILE" || reason == "PARSE_ERROR" ||
      reason == "INVALID_ENCODING" || reason == "COLUMN_LIMIT" || reason == "FIELD_TOO_LONG" ||
      reason == "RECORD_TOO_LONG" || reason == "ROW_LIMIT" || reason == "INVALID_OPTIONS" ||
      reason == "PASSWORD_TOO_SHORT" || reason == "PASSWORD_TOO_LONG" ||
      reason == "PASSWORD_INVALID") {
    return 422;
  }
  if (reason == "IDEMPOTENCY_KEY_REUSED") return 422;
  if (reason == "UPLOAD_STALLED") return 408;     // the client stopped sending
  if (reason == "UPLOAD_INCOMPLETE") return 400;  // the body ended before its length
  switch (failure.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kCancelled:
      return 409;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response Problem(const Status& failure, const std::string& extra_json_members) {
  const int status = HttpStatus(failure);
  std::string code = failure.reason();
  if (code.empty()) {
    for (char c : StatusCodeName(failure.code())) {
      if (std::isupper(static_cast<unsigned char>(c)) && !code.empty()) code += '_';
      code += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  // A server's own trouble is not described to the client beyond its code.
  const std::string detail =
      status >= 500 && status != 503 ? "the server failed; try again" : failure.message();
  nlohmann::json body = {{"type", ProblemType(code)},
                         {"title", status == 404 ? "Not found" : code},
                         {"status", status},
                         {"detail", detail},
                         {"code", code}};
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!extra_json_members.empty()) {
    text.pop_back();  // '}'
    text += "," + extra_json_members + "}";
  }
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/problem+json");
  r.body = std::move(text);
  return r;
}

void Router::Add(Route route) {
  route.name = route.pattern;
  routes_.push_back(std::move(route));
}

void Router::Get(std::string pattern, Auth auth, Handler handler) {
  Add({"GET", std::move(pattern), auth, std::move(handler)});
}
void Router::Post(std::string pattern, Auth auth, Handler handler, size_t max_body) {
  Route r{"POST", std::move(pattern), auth, std::move(handler)};
  r.max_body = max_body;
  Add(std::move(r));
}
void Router::Patch(std::string pattern, Auth auth, Handler handler) {
  Add({"PATCH", std::move(pattern), auth, std::move(handler)});
}
void Router::Delete(std::string pattern, Auth auth, Handler handler) {
  Add({"DELETE", std::move(pattern), auth, std::move(handler)});
}
void Router::Upload(std::string pattern, Auth auth, UploadHandler handler) {
  Route r{"POST", std::move(pattern), auth, nullptr, std::move(handler)};
  Add(std::move(r));
}

const Route* Router::Match(std::string_view method, std::string_view path,
                           std::map<std::string, std::string>* params,
                           std::vector<std::string>* allowed) const {
  const std::vector<std::string_view> parts = Segments(path);
  for (const Route& route : routes_) {
    const std::vector<std::string_view> pattern = Segments(route.pattern);
    std::map<std::string, std::string> found;
    bool match = true;
    size_t i = 0;
    for (; i < pattern.size() && match; ++i) {
      if (pattern[i] == "*") {
        std::string rest;
        for (size_t k = i; k < parts.size(); ++k)
          rest += (k > i ? "/" : "") + std::string(parts[k]);
        found["*"] = rest;
        i = parts.size();
        break;
      }
      if (i >= parts.size()) {
        match = false;
      } else if (!pattern[i].empty() && pattern[i].front() == ':') {
        auto value = PercentDecode(parts[i], false);
        if (!value || value->empty())
          match = false;
        else
          found[std::string(pattern[i].substr(1))] = *value;
      } else if (pattern[i] != parts[i]) {
        match = false;
      }
    }
    if (!match || (i < parts.size() && pattern.back() != "*")) continue;
    if (route.method != method && !(method == "HEAD" && route.method == "GET")) {
      if (allowed) allowed->push_back(route.method);
      continue;
    }
    *params = std::move(found);
    return &route;
  }
  return nullptr;
}

Status Router::Authenticate(const Route& route, Request& req) const {
  // A bearer header names a session token or an API token ("dst_…"); a cookie names a session.
  std::string_view bearer = req.Header("authorization");
  Result<service::Principal> who =
      Status::Unauthenticated("log in first").WithReason("UNAUTHENTICATED");
  if (bearer.size() > 7 && SameName(bearer.substr(0, 7), "bearer ")) {
    const std::string token(bearer.substr(7));
    who = token.rfind("dst_", 0) == 0 ? auth_.api_token(token) : auth_.session(token);
    if (who.ok() && token.rfind("dst_", 0) != 0) req.session_token = token;
  } else if (std::string cookie = req.Cookie(auth_.cookie_name); !cookie.empty()) {
    who = auth_.session(cookie);
    req.via_cookie = who.ok();
    if (who.ok()) req.session_token = cookie;
  }
  if (who.ok()) {
    req.principal = std::move(who).value();
  } else if (who.status().code() != StatusCode::kUnauthenticated) {
    return who.status();  // the database away: not the client's fault
  }
  if (route.auth == Auth::kUser && !req.principal) return who.status();
  // A cookie goes with every request the browser makes, whoever's page asks: a request that
  // changes state on the strength of the cookie must come from our own pages.
  if (req.via_cookie && req.method != "GET" && req.method != "HEAD") {
    std::string_view origin = req.Header("origin");
    if (origin.empty()) origin = req.Header("referer");
    const bool ours = !origin.empty() &&
                      origin.substr(0, auth_.allowed_origin.size()) == auth_.allowed_origin &&
                      (origin.size() == auth_.allowed_origin.size() ||
                       origin[auth_.allowed_origin.size()] == '/');
    if (!ours) {
      return Status::PermissionDenied("this request comes from another site (its Origin is not " +
                                      auth_.allowed_origin + ")")
          .WithReason("CROSS_ORIGIN");
    }
  }
  return Status::Ok();
}

}  // namespace datastory::http
