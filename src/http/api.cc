#include "http/api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "base/calendar.h"
#include "http/multipart.h"

namespace datastory::http {
namespace {

using nlohmann::json;
using service::Principal;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// "2026-11-30T12:34:56.789Z".
std::string Iso(int64_t ms) {
  if (ms <= 0) return "";
  const int64_t days = ms / 86400000, rest = ms % 86400000;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rest / 3600000),
                static_cast<long long>(rest / 60000 % 60), static_cast<long long>(rest / 1000 % 60),
                static_cast<long long>(rest % 1000));
  return buf;
}

json LimitsJson(const store::TierLimits& l) {
  return {{"storiesPerMonth", l.stories_per_month},
          {"maxRows", l.max_rows},
          {"maxUploadBytes", l.max_upload_bytes},
          {"teamMembers", l.team_members}};
}

json UserJson(const store::User& u) {
  return {{"id", u.id},
          {"email", u.email},
          {"tier", store::TierName(u.tier)},
          {"limits", LimitsJson(u.limits)},
          {"createdAt", Iso(u.created_at)}};
}

json UsageJson(const store::User& u) {
  // The count as of now: a new month starts from 0.
  const int64_t now = SystemClock().NowMillis();
  return {{"tier", store::TierName(u.tier)},
          {"month", MonthOf(now)},
          {"storiesThisMonth", u.StoriesThisMonth(now)},
          {"limits", LimitsJson(u.limits)},
          {"canCreateStory", u.CanCreateStory(now)}};
}

bool Terminal(store::JobStatus s) {
  return s == store::JobStatus::kCompleted || s == store::JobStatus::kFailed ||
         s == store::JobStatus::kCancelled;
}

// A job's progress event id. Ids grow with the attempt, its stage and its progress (stages run
// in order and progress never falls within an attempt), so a client that reconnects with
// Last-Event-ID hears only what is newer, and no two events share an id.
int64_t EventId(const store::Job& j) {
  static constexpr std::string_view kStages[] = {"queued",    "claimed",  "parsing",
                                                 "analyzing", "charting", "writing"};
  const auto stage = std::find(std::begin(kStages), std::end(kStages), j.current_stage);
  const int64_t rank = Terminal(j.status) ? 9 : stage - std::begin(kStages);
  return int64_t{j.attempts} * 10000 + rank * 1000 + (Terminal(j.status) ? 999 : j.progress);
}

json JobJson(const store::Job& j) {
  json out = {{"id", j.id},
              {"status", store::JobStatusName(j.status)},
              {"stage", j.current_stage},
              {"progress", j.progress},
              {"attempts", j.attempts},
              {"createdAt", Iso(j.created_at)},
              {"updatedAt", Iso(j.updated_at)}};
  json options = json::parse(j.options_json, nullptr, false);
  if (!options.is_discarded()) out["options"] = options;
  if (!j.story_id.empty()) out["storyId"] = j.story_id;
  if (j.error) out["error"] = {{"code", j.error->code}, {"message", j.error->message}};
  return out;
}

json StoryMeta(const store::StoryRecord& s, const std::string& public_url) {
  json out = {{"id", s.id},
              {"title", s.title},
              {"visibility", store::VisibilityName(s.visibility)},
              {"dataset",
               {{"originalFilename", s.dataset.original_filename},
                {"rowCount", s.dataset.row_count},
                {"columnCount", s.dataset.column_count},
                {"fileSize", s.dataset.file_size}}},
              {"processingTime", s.processing_time_ms},
              {"createdAt", Iso(s.created_at)},
              {"updatedAt", Iso(s.updated_at)}};
  if (!s.share_token.empty()) out["shareUrl"] = public_url + "/s/" + s.share_token;
  if (!s.job_id.empty()) out["jobId"] = s.job_id;
  return out;
}

// Who reads a story: its owner, or anyone with its share link (who is not told which job made
// it).
enum class Reader { kOwner, kLink };

// The story document with the record's own members first (the document has none of them).
// The document is sent as the cache keeps it, without a copy: the members, then the
// document from its first member on.
Response StoryAnswer(const service::StoryView& view, const std::string& public_url, Reader reader) {
  const store::StoryRecord& s = view.story;
  json meta = {{"id", s.id},
               {"visibility", store::VisibilityName(s.visibility)},
               {"createdAt", Iso(s.created_at)},
               {"updatedAt", Iso(s.updated_at)}};
  if (!s.share_token.empty()) meta["shareUrl"] = public_url + "/s/" + s.share_token;
  if (reader == Reader::kOwner && !s.job_id.empty()) meta["jobId"] = s.job_id;
  Response res = Json(200, Dump(meta));
  const std::string_view document = *view.document;
  if (document.size() <= 2 || document.front() != '{') return res;  // an empty document
  res.body.back() = ',';                                            // the members' closing brace
  res.tail = document.substr(1);
  res.tail_owner = view.document;
  return res;
}

Result<json> ParseJson(std::string_view body) {
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("the body is not a JSON object").WithReason("INVALID_REQUEST");
  }
  return j;
}

std::string StringField(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<service::StorySettings> SettingsFrom(const json& j) {
  service::StorySettings s;
  if (auto a = StringField(j, "audienceLevel"); !a.empty()) s.audience = a;
  s.title = StringField(j, "title");
  if (auto it = j.find("overrides"); it != j.end()) {
    if (!it->is_object()) {
      return Status::InvalidArgument("overrides: expected an object").WithReason("INVALID_OPTIONS");
    }
    if (auto types = it->find("types"); types != it->end()) {
      if (!types->is_object()) {
        return Status::InvalidArgument("overrides.types: expected {\"column\": \"kind\"}")
            .WithReason("INVALID_OPTIONS");
      }
      for (const auto& [column, kind] : types->items()) {
        if (!kind.is_string()) {
          return Status::InvalidArgument("overrides.types." + column + ": expected a kind")
              .WithReason("INVALID_OPTIONS");
        }
        s.types[column] = kind.get<std::string>();
      }
    }
    s.time_column = StringField(*it, "time");
    s.delimiter = StringField(*it, "delimiter");
    s.encoding = StringField(*it, "encoding");
    if (auto h = it->find("header"); h != it->end() && h->is_boolean()) s.header = h->get<bool>();
  }
  return s;
}

// The settings of the one-step form, from the query: ?audienceLevel=&title=&time=.
service::StorySettings SettingsFromQuery(const Request& req) {
  service::StorySettings s;
  if (auto a = req.Query("audienceLevel"); !a.empty()) s.audience = a;
  s.title = req.Query("title");
  s.time_column = req.Query("time");
  s.delimiter = req.Query("delimiter");
  s.encoding = req.Query("encoding");
  return s;
}

// POST /api/v1/stories in its JSON form: {uploadId, audienceLevel, title, overrides}. The route
// streams (its other form is a CSV body), so the JSON is read here, within 1 MiB.
struct StoryRequest {
  std::string upload_id;
  service::StorySettings settings;
};
Result<StoryRequest> ReadStoryRequest(const ChunkReader& body) {
  std::string text;
  char buffer[16384];
  for (;;) {
    DS_ASSIGN_OR_RETURN(size_t n, body(buffer, sizeof buffer));
    if (n == 0) break;
    text.append(buffer, n);
    if (text.size() > (1 << 20)) {
      return Status::ResourceExhausted("the request body is too large")
          .WithReason("FILE_TOO_LARGE");
    }
  }
  DS_ASSIGN_OR_RETURN(json request, ParseJson(text));
  StoryRequest out;
  DS_ASSIGN_OR_RETURN(out.settings, SettingsFrom(request));
  out.upload_id = StringField(request, "uploadId");
  if (out.upload_id.empty()) {
    return Status::InvalidArgument("uploadId: required").WithReason("INVALID_REQUEST");
  }
  return out;
}

Response Created(const std::string& location, const json& body) {
  Response r = Json(201, Dump(body));
  r.headers.emplace_back("Location", location);
  return r;
}

// RFC 6266 / 5987: a plain ASCII fallback and the exact name, percent-encoded.
std::string ContentDisposition(const std::string& filename) {
  std::string fallback, encoded;
  for (unsigned char c : filename) {
    fallback +=
        c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? static_cast<char>(c) : '_';
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      encoded += hex;
    }
  }
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

// The content security policy of a story page: our inline CSS and SVG, nothing else, no
// scripts at all, not framed.
constexpr const char* kStoryPagePolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'";

// A token bucket per key (user or address): `capacity` requests, refilled over `window_ms`.
class RateLimiter {
 public:
  RateLimiter(int capacity, int64_t window_ms) : capacity_(capacity), window_ms_(window_ms) {}
  // Whether one more is allowed now; the RateLimit headers either way.
  bool Allow(const std::string& key, Headers* headers) {
    std::lock_guard lock(mu_);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    if (buckets_.size() > 100000) buckets_.clear();  // forget idle keys now and then
    Bucket& b =
        buckets_.try_emplace(key, Bucket{static_cast<double>(capacity_), now}).first->second;
    b.tokens = std::min<double>(capacity_, b.tokens + static_cast<double>(now - b.at) * capacity_ /
                                                          static_cast<double>(window_ms_));
    b.at = now;
    const bool allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    const int64_t reset_s =
        static_cast<int64_t>((capacity_ - b.tokens) * window_ms_ / capacity_ / 1000) + 1;
    headers->emplace_back("RateLimit-Policy",
                          std::to_string(capacity_) + ";w=" + std::to_string(window_ms_ / 1000));
    headers->emplace_back("RateLimit", "limit=" + std::to_string(capacity_) + ", remaining=" +
                                           std::to_string(static_cast<int>(b.tokens)) +
                                           ", reset=" + std::to_string(reset_s));
    if (!allowed) {
      headers->emplace_back(
          "Retry-After", std::to_string(static_cast<int64_t>(window_ms_ / capacity_ / 1000) + 1));
    }
    return allowed;
  }

 private:
  struct Bucket {
    double tokens;
    int64_t at;
  };
  const int capacity_;
  const int64_t window_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

Response Limited(Headers headers) {
  Response r =
      Problem(Status::ResourceExhausted("too many requests; slow down").WithReason("RATE_LIMITED"));
  for (auto& h : headers) r.headers.push_back(std::move(h));
  return r;
}

// Carries headers from a limiter onto a response.
Response With(Response r, Headers headers) {
  for (auto& h : headers) r.headers.push_back(std::move(h));
  return r;
}

struct Limits {
  explicit Limits(int uploads_per_hour)
      : uploads_by_user(uploads_per_hour, 60 * 60 * 1000),
        uploads_by_address(2 * uploads_per_hour, 60 * 60 * 1000) {}
  RateLimiter uploads_by_user;
  RateLimiter uploads_by_address;
  RateLimiter downloads_by_key{600, 60 * 1000};  // exports and shared pages
};

}  // namespace

std::string SessionCookieName(bool secure) {
  return secure ? "__Host-datastory_session" : "datastory_session";
}

void AddApiRoutes(Router& r, const ApiContext& c) {
  auto limits = std::make_shared<Limits>(c.uploads_per_hour);
  const std::string cookie_name = SessionCookieName(c.secure_cookies);
  auto session_cookie = [c, cookie_name](const std::string& token, bool remember) {
    std::string cookie = cookie_name + "=" + token + "; Path=/; HttpOnly; SameSite=Lax";
    if (c.secure_cookies) cookie += "; Secure";
    if (remember) cookie += "; Max-Age=2592000";  // 30 days, the session's own limit
    return cookie;
  };
  auto clear_cookie = [c, cookie_name] {
    return cookie_name + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" +
           (c.secure_cookies ? "; Secure" : "");
  };

  // --- Operations
  r.Get("/healthz", Auth::kPublic, [](Request&) { return Json(200, R"({"status":"ok"})"); });
  r.Get("/readyz", Auth::kPublic, [c](Request&) {
    Status db = c.store->SchemaVersion().status();
    Status files = c.blobs->Exists("readyz/probe").status();
    json body = {{"database", db.ok() ? "ok" : db.message()},
                 {"storage", files.ok() ? "ok" : files.message()}};
    return Json(db.ok() && files.ok() ? 200 : 503, Dump(body));
  });
  r.Get("/metrics", Auth::kPublic, [c](Request&) {
    if (auto counts = c.store->CountJobs(); counts.ok()) {
      for (store::JobStatus s :
           {store::JobStatus::kQueued, store::JobStatus::kProcessing, store::JobStatus::kCompleted,
            store::JobStatus::kFailed, store::JobStatus::kCancelled}) {
        const auto it = counts->find(s);
        c.metrics->SetGauge("datastory_jobs",
                            "state=\"" + std::string(store::JobStatusName(s)) + "\"",
                            it == counts->end() ? 0 : static_cast<double>(it->second));
      }
      const auto queued = counts->find(store::JobStatus::kQueued);
      c.metrics->SetGauge("datastory_queue_depth", "",
                          queued == counts->end() ? 0 : static_cast<double>(queued->second));
    }
    return Text(200, "text/plain; version=0.0.4", c.metrics->Text());
  });
  r.Get("/api/v1/openapi.json", Auth::kPublic,
        [](Request&) { return Json(200, OpenApiDocument()); });

  // --- Accounts
  r.Post("/api/v1/auth/register", Auth::kPublic, [c, session_cookie](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    auto user = c.accounts->Register(StringField(*body, "email"), StringField(*body, "password"));
    if (!user.ok()) return Problem(user.status());
    auto login = c.accounts->Login({StringField(*body, "email"), StringField(*body, "password"),
                                    false, std::string(req.Header("user-agent")), req.remote_ip});
    if (!login.ok()) return Problem(login.status());
    Response res = Created("/api/v1/me", {{"user", UserJson(login->user)}});
    res.headers.emplace_back("Set-Cookie", session_cookie(login->token, false));
    return res;
  });
  r.Post("/api/v1/auth/login", Auth::kPublic, [c, session_cookie](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    const bool remember = body->value("rememberMe", false);
    int64_t retry_after = 0;
    auto login = c.accounts->Login({StringField(*body, "email"), StringField(*body, "password"),
                                    remember, std::string(req.Header("user-agent")), req.remote_ip},
                                   &retry_after);
    if (!login.ok()) {
      Response res = Problem(login.status());
      if (retry_after > 0) res.headers.emplace_back("Retry-After", std::to_string(retry_after));
      return res;
    }
    // A new session at every log-in: a token planted before it is worthless after.
    Response res = Json(200, Dump({{"user", UserJson(login->user)}}));
    res.headers.emplace_back("Set-Cookie", session_cookie(login->token, remember));
    return res;
  });
  r.Post("/api/v1/auth/logout", Auth::kUser, [c, clear_cookie](Request& req) {
    if (Status s = c.accounts->Logout(*req.principal); !s.ok()) return Problem(s);
    Response res = NoContent();
    res.headers.emplace_back("Set-Cookie", clear_cookie());
    return res;
  });
  r.Get("/api/v1/me", Auth::kUser, [](Request& req) {
    return Json(200, Dump({{"user", UserJson(req.principal->user)},
                           {"usage", UsageJson(req.principal->user)}}));
  });
  r.Get("/api/v1/me/usage", Auth::kUser,
        [](Request& req) { return Json(200, Dump(UsageJson(req.principal->user))); });
  r.Delete("/api/v1/me", Auth::kUser, [c, clear_cookie](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    Status s = c.accounts->DeleteAccount(*req.principal, StringField(*body, "password"));
    if (!s.ok()) return Problem(s);
    Response res = NoContent();
    res.headers.emplace_back("Set-Cookie", clear_cookie());
    return res;
  });
  r.Post("/api/v1/me/password", Auth::kUser, [c, session_cookie](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    auto changed = c.accounts->ChangePassword(*req.principal, StringField(*body, "currentPassword"),
                                              StringField(*body, "newPassword"),
                                              std::string(req.Header("user-agent")), req.remote_ip);
    if (!changed.ok()) return Problem(changed.status());
    Response res = Json(200, Dump({{"user", UserJson(changed->user)}}));
    res.headers.emplace_back("Set-Cookie", session_cookie(changed->token, false));
    return res;
  });
  r.Get("/api/v1/me/sessions", Auth::kUser, [c](Request& req) {
    auto sessions = c.accounts->ListSessions(*req.principal);
    if (!sessions.ok()) return Problem(sessions.status());
    json list = json::array();
    for (const store::Session& s : *sessions) {
      list.push_back({{"id", s.id},
                      {"current", s.id == req.principal->session_id},
                      {"userAgent", s.user_agent},
                      {"ipAddress", s.ip_address},
                      {"rememberMe", s.remember_me},
                      {"createdAt", Iso(s.created_at)},
                      {"lastActivityAt", Iso(s.last_activity_at)},
                      {"expiresAt", Iso(s.expires_at)}});
    }
    return Json(200, Dump({{"sessions", list}}));
  });
  r.Delete("/api/v1/me/sessions/:id", Auth::kUser, [c](Request& req) {
    Status s = c.accounts->RevokeSession(*req.principal, req.Param("id"));
    return s.ok() ? NoContent() : Problem(s);
  });
  r.Post("/api/v1/me/tokens", Auth::kUser, [c](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    auto made = c.accounts->CreateApiToken(*req.principal, StringField(*body, "name"),
                                           body->value("days", 90));
    if (!made.ok()) return Problem(made.status());
    return Created("/api/v1/me/tokens/" + made->token.id,
                   {{"id", made->token.id},
                    {"name", made->token.name},
                    {"token", made->secret},  // shown this once
                    {"createdAt", Iso(made->token.created_at)},
                    {"expiresAt", Iso(made->token.expires_at)}});
  });
  r.Get("/api/v1/me/tokens", Auth::kUser, [c](Request& req) {
    auto tokens = c.accounts->ListApiTokens(*req.principal);
    if (!tokens.ok()) return Problem(tokens.status());
    json list = json::array();
    for (const store::ApiToken& t : *tokens) {
      list.push_back({{"id", t.id},
                      {"name", t.name},
                      {"createdAt", Iso(t.created_at)},
                      {"expiresAt", Iso(t.expires_at)},
                      {"lastUsedAt", t.last_used_at ? json(Iso(t.last_used_at)) : json()}});
    }
    return Json(200, Dump({{"tokens", list}}));
  });
  r.Delete("/api/v1/me/tokens/:id", Auth::kUser, [c](Request& req) {
    Status s = c.accounts->RevokeApiToken(*req.principal, req.Param("id"));
    return s.ok() ? NoContent() : Problem(s);
  });

  // --- Uploads
  auto upload = [c](Request& req, const ChunkReader& body,
                    const service::StorySettings& settings) -> Result<service::UploadResult> {
    service::UploadRequest up;
    const std::string_view type = req.Header("content-type");
    std::unique_ptr<MultipartReader> form;
    if (type.rfind("multipart/form-data", 0) == 0) {
      DS_ASSIGN_OR_RETURN(std::string boundary, MultipartBoundary(type));
      form = std::make_unique<MultipartReader>(body, boundary, "file");
      DS_RETURN_IF_ERROR(form->Open());
      up.filename = form->filename();
      up.content_type = form->content_type().empty() ? "text/csv" : form->content_type();
      up.body = [&form](char* b, size_t n) { return form->Read(b, n); };
    } else {
      up.filename = req.Query("filename");
      up.content_type = type.empty() ? "text/csv" : std::string(type.substr(0, type.find(';')));
      if (auto length = req.Header("content-length"); !length.empty()) {
        up.declared_size = std::strtoll(std::string(length).c_str(), nullptr, 10);
      }
      up.body = body;
    }
    auto result = c.stories->Upload(*req.principal, std::move(up), settings);
    if (result.ok()) c.metrics->AddUploadBytes(result->upload.size);
    return result;
  };
  auto upload_json = [](const service::UploadResult& u) {
    return json{{"id", u.upload.id},
                {"filename", u.upload.original_filename},
                {"size", u.upload.size},
                {"createdAt", Iso(u.upload.created_at)},
                {"preview", json::parse(service::PreviewJson(u.preview), nullptr, false)}};
  };
  r.Upload("/api/v1/uploads", Auth::kUser,
           [c, limits, upload, upload_json](Request& req, const ChunkReader& body) {
             Headers rate;
             if (!limits->uploads_by_user.Allow(req.principal->user.id, &rate) ||
                 !limits->uploads_by_address.Allow(req.remote_ip, &rate)) {
               return Limited(std::move(rate));
             }
             auto result = upload(req, body, {});
             if (!result.ok()) return With(Problem(result.status()), std::move(rate));
             return With(Created("/api/v1/uploads/" + result->upload.id, upload_json(*result)),
                         std::move(rate));
           });
  r.Get("/api/v1/uploads/:id", Auth::kUser, [c, upload_json](Request& req) {
    auto found = c.stories->Preview(*req.principal, req.Param("id"), {});
    if (!found.ok()) return Problem(found.status());
    return Json(200, Dump(upload_json(*found)));
  });
  r.Post("/api/v1/uploads/:id/preview", Auth::kUser, [c, upload_json](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    auto settings = SettingsFrom(*body);
    if (!settings.ok()) return Problem(settings.status());
    auto found = c.stories->Preview(*req.principal, req.Param("id"), *settings);
    if (!found.ok()) return Problem(found.status());
    return Json(200, Dump(upload_json(*found)));
  });
  r.Delete("/api/v1/uploads/:id", Auth::kUser, [c](Request& req) {
    Status s = c.stories->DeleteUpload(*req.principal, req.Param("id"));
    return s.ok() ? NoContent() : Problem(s);
  });

  // --- Stories
  auto accepted = [c](const store::Job& job) {
    if (c.on_enqueue) c.on_enqueue();
    Response res = Json(202, Dump({{"job", JobJson(job)}}));
    res.headers.emplace_back("Location", "/api/v1/jobs/" + job.id);
    return res;
  };
  // JSON {uploadId, …} starts a story from an upload; a CSV body (the one-step form, for curl)
  // is uploaded first, with the settings in the query.
  r.Upload("/api/v1/stories", Auth::kUser,
           [c, limits, upload, accepted](Request& req, const ChunkReader& body) {
             const std::string key(req.Header("idempotency-key"));
             if (req.Header("content-type").rfind("application/json", 0) == 0) {
               auto request = ReadStoryRequest(body);
               if (!request.ok()) return Problem(request.status());
               auto job = c.stories->StartStory(*req.principal, request->upload_id,
                                                request->settings, key);
               return job.ok() ? accepted(*job) : Problem(job.status());
             }
             Headers rate;
             if (!limits->uploads_by_user.Allow(req.principal->user.id, &rate)) {
               return Limited(std::move(rate));
             }
             const service::StorySettings settings = SettingsFromQuery(req);
             if (auto checked = service::ParseStorySettings(settings); !checked.ok()) {
               return Problem(checked.status());
             }
             auto uploaded = upload(req, body, settings);
             if (!uploaded.ok()) return Problem(uploaded.status());
             auto job = c.stories->StartStory(*req.principal, uploaded->upload.id, settings, key);
             return job.ok() ? accepted(*job) : Problem(job.status());
           });
  r.Get("/api/v1/stories", Auth::kUser, [c](Request& req) {
    const std::string limit_text = req.Query("limit");
    const int limit = limit_text.empty() ? 20 : std::atoi(limit_text.c_str());
    if (limit < 1 || limit > 100) {
      return Problem(Status::InvalidArgument("limit: 1 to 100").WithReason("INVALID_REQUEST"));
    }
    auto page = c.stories->ListStories(*req.principal, req.Query("cursor"), limit);
    if (!page.ok()) return Problem(page.status());
    json list = json::array();
    for (const store::StoryRecord& s : page->stories) list.push_back(StoryMeta(s, c.public_url));
    json body = {{"stories", list}};
    Response res;
    if (!page->next_cursor.empty()) {
      body["nextCursor"] = page->next_cursor;
      res.headers.emplace_back("Link", "</api/v1/stories?limit=" + std::to_string(limit) +
                                           "&cursor=" + page->next_cursor + ">; rel=\"next\"");
    }
    Response json_res = Json(200, Dump(body));
    for (auto& h : res.headers) json_res.headers.push_back(std::move(h));
    return json_res;
  });
  r.Get("/api/v1/stories/:id", Auth::kUser, [c](Request& req) {
    auto story = c.stories->GetStory(*req.principal, req.Param("id"));
    if (!story.ok()) return Problem(story.status());
    return StoryAnswer(*story, c.public_url, Reader::kOwner);
  });
  r.Patch("/api/v1/stories/:id", Auth::kUser, [c](Request& req) {
    auto body = ParseJson(req.body);
    if (!body.ok()) return Problem(body.status());
    store::StoryUpdate update;
    if (body->contains("title")) {
      if (!(*body)["title"].is_string()) {
        return Problem(
            Status::InvalidArgument("title: expected a string").WithReason("INVALID_REQUEST"));
      }
      update.title = (*body)["title"].get<std::string>();
    }
    if (body->contains("visibility")) {
      const std::string v = StringField(*body, "visibility");
      if (v != "public" && v != "private") {
        return Problem(
            Status::InvalidArgument("visibility: public or private").WithReason("INVALID_REQUEST"));
      }
      update.visibility = v == "public" ? store::Visibility::kPublic : store::Visibility::kPrivate;
    }
    auto updated = c.stories->UpdateStory(*req.principal, req.Param("id"), update);
    if (!updated.ok()) return Problem(updated.status());
    return Json(200, Dump(StoryMeta(*updated, c.public_url)));
  });
  r.Delete("/api/v1/stories/:id", Auth::kUser, [c](Request& req) {
    Status s = c.stories->DeleteStory(*req.principal, req.Param("id"));
    return s.ok() ? NoContent() : Problem(s);
  });
  r.Get("/api/v1/stories/:id/charts", Auth::kUser, [c](Request& req) {
    auto charts = c.stories->Charts(*req.principal, req.Param("id"));
    if (!charts.ok()) return Problem(charts.status());
    return Json(200, "{\"charts\":" + *charts + "}");
  });
  r.Get("/api/v1/stories/:id/export", Auth::kUser, [c, limits](Request& req) {
    Headers rate;
    if (!limits->downloads_by_key.Allow("user:" + req.principal->user.id, &rate)) {
      return Limited(std::move(rate));
    }
    const std::string name = req.Query("format").empty() ? "html" : req.Query("format");
    auto format = pipeline::ParseFormat(name);
    if (!format.ok()) return Problem(format.status().WithReason("INVALID_REQUEST"));
    auto story = c.stories->GetStory(*req.principal, req.Param("id"));
    if (!story.ok()) return Problem(story.status());
    auto text = c.stories->Export(*req.principal, req.Param("id"), *format);
    if (!text.ok()) return Problem(text.status());
    const char* type = *format == pipeline::Format::kJson   ? "application/json"
                       : *format == pipeline::Format::kHtml ? "text/html; charset=utf-8"
                                                            : "text/markdown; charset=utf-8";
    const char* extension = *format == pipeline::Format::kJson   ? ".json"
                            : *format == pipeline::Format::kHtml ? ".html"
                                                                 : ".md";
    Response res = Text(200, type, std::move(text).value());
    res.headers.emplace_back("Content-Disposition",
                             ContentDisposition(story->story.title + extension));
    if (*format == pipeline::Format::kHtml) {
      res.headers.emplace_back("Content-Security-Policy", kStoryPagePolicy);
    }
    return With(std::move(res), std::move(rate));
  });

  // --- Jobs
  r.Get("/api/v1/jobs/:id", Auth::kUser, [c](Request& req) {
    auto job = c.stories->GetJob(*req.principal, req.Param("id"));
    return job.ok() ? Json(200, Dump({{"job", JobJson(*job)}})) : Problem(job.status());
  });
  r.Post("/api/v1/jobs/:id/cancel", Auth::kUser, [c](Request& req) {
    auto job = c.stories->CancelJob(*req.principal, req.Param("id"));
    return job.ok() ? Json(200, Dump({{"job", JobJson(*job)}})) : Problem(job.status());
  });
  r.Get("/api/v1/jobs/:id/events", Auth::kUser, [c](Request& req) {
    auto job = c.stories->GetJob(*req.principal, req.Param("id"));
    if (!job.ok()) return Problem(job.status());
    const std::string last_header(req.Header("last-event-id"));
    auto last = std::make_shared<int64_t>(
        last_header.empty() ? -1 : std::strtoll(last_header.c_str(), nullptr, 10));
    Response res;
    res.stream = std::make_shared<EventStream>();
    res.stream->topic = job->id;
    const Principal principal = *req.principal;
    const std::string id = job->id;
    res.stream->next = [c, principal, id, last]() -> Result<EventStream::Update> {
      DS_ASSIGN_OR_RETURN(store::Job j, c.stories->GetJob(principal, id));
      EventStream::Update update;
      const int64_t now_id = EventId(j);
      if (now_id > *last) {
        update.events.push_back(
            {std::to_string(now_id),
             Terminal(j.status) ? std::string(store::JobStatusName(j.status)) : "progress",
             Dump(JobJson(j))});
        *last = now_id;
      }
      update.done = Terminal(j.status);
      return update;
    };
    return res;
  });

  // --- Share links: the story's page, without logging in.
  auto not_shared = [] {
    Response res = Text(404, "text/html; charset=utf-8",
                        "<!doctype html><meta charset=utf-8><title>Not found</title>"
                        "<p>This story is not shared, or the link has been turned off.</p>");
    res.headers.emplace_back("Content-Security-Policy", kStoryPagePolicy);
    return res;
  };
  r.Get("/s/:token", Auth::kPublic, [c, limits, not_shared](Request& req) {
    Headers rate;
    if (!limits->downloads_by_key.Allow("ip:" + req.remote_ip, &rate)) {
      return Limited(std::move(rate));
    }
    auto page = c.stories->SharedPage(req.Param("token"));
    if (!page.ok()) {
      return page.status().code() == StatusCode::kNotFound ? not_shared() : Problem(page.status());
    }
    Response res = Text(200, "text/html; charset=utf-8", std::move(page).value());
    res.headers.emplace_back("Content-Security-Policy", kStoryPagePolicy);
    res.headers.emplace_back("Cache-Control", "no-store");
    return With(std::move(res), std::move(rate));
  });
  r.Get("/api/v1/shared/:token", Auth::kPublic, [c](Request& req) {
    auto story = c.stories->GetShared(req.Param("token"));
    if (!story.ok()) return Problem(story.status());
    return StoryAnswer(*story, c.public_url, Reader::kLink);
  });
  r.Get("/api/v1/shared/:token/charts", Auth::kPublic, [c](Request& req) {
    auto charts = c.stories->SharedCharts(req.Param("token"));
    if (!charts.ok()) return Problem(charts.status());
    return Json(200, "{\"charts\":" + *charts + "}");
  });
}

}  // namespace datastory::http
