// The S3 backend. Each call is one or a few signed HTTP requests:
//   Upload            PUT object (Content-MD5 checked by the server), or multipart when larger
//                     than one part: POST ?uploads, PUT ?partNumber&uploadId per part, POST
//                     ?uploadId with the part list; on any failure DELETE ?uploadId, so that
//                     nothing partial is ever visible (S3 shows an object only once complete);
//   Download          GET, streamed to the caller's writer when asked;
//   Exists, Metadata  HEAD;
//   Remove            HEAD (S3's DELETE succeeds on missing keys), then DELETE;
//   SignedUrl         a presigned GET, computed locally.
// A request is tried again (re-signed) after a connection failure or a 5xx answer, with
// back-off of 100 ms × 2^attempt × [0.5, 1.5); a streamed download only until its first byte
// has gone to the caller.
#include "blob/s3_blob_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "base/random.h"
#include "blob/xml_text.h"
#include "net/http_client.h"

namespace datastory::blob {
namespace {

std::string Base64(const unsigned char* bytes, size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(n));
  out.resize(static_cast<size_t>(written));
  return out;
}

// Content-MD5: base64 of the body's MD5.
std::string ContentMd5(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(body.data(), body.size(), digest, &length, EVP_md5(), nullptr);
  return Base64(digest, length);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The inverse of sigv4::UriEncode; a '%' not followed by two hex digits stays as it is.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Tags travel as one metadata header: each tag URI-encoded, joined with ','.
std::string EncodeTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const std::string& tag : tags) {
    if (!out.empty()) out += ',';
    out += sigv4::UriEncode(tag, false);
  }
  return out;
}
std::vector<std::string> DecodeTags(std::string_view header) {
  std::vector<std::string> tags;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    tags.push_back(PercentDecode(header.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return tags;
}

// The headers that carry an upload's metadata: its tags and the user's file name, URI-encoded
// (S3 keeps metadata as US-ASCII); and the encryption asked for.
void AddMetadataHeaders(const UploadOptions& options, const S3Config& config,
                        sigv4::Pairs& headers) {
  if (!config.server_side_encryption.empty()) {
    headers.emplace_back("x-amz-server-side-encryption", config.server_side_encryption);
  }
  if (!options.tags.empty()) headers.emplace_back("x-amz-meta-tags", EncodeTags(options.tags));
  if (!options.original_filename.empty()) {
    headers.emplace_back("x-amz-meta-filename", sigv4::UriEncode(options.original_filename, false));
  }
}

std::string XmlEscaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

// "Wed, 25 Nov 2026 12:00:00 GMT" → milliseconds since the epoch (0 when unreadable).
int64_t ParseHttpDate(std::string_view text) {
  struct tm t {};
  const std::string s(text);
  if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &t)) return 0;
  return static_cast<int64_t>(timegm(&t)) * 1000;
}

struct Target {
  std::string url;           // scheme://host/path, without the query
  std::string host;          // the Host header
  std::string encoded_path;  // as signed
};

class S3BlobStore final : public BlobStore {
 public:
  S3BlobStore(S3Config config, std::string scheme, std::string host, const Clock& clock)
      : config_(std::move(config)),
        scheme_(std::move(scheme)),
        host_(std::move(host)),
        clock_(clock) {}

  Result<BlobInfo> Upload(std::string_view key, std::string_view bytes,
                          const UploadOptions& options) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    if (static_cast<int64_t>(bytes.size()) > config_.part_size) {
      return UploadStream(key, ReadFromString(bytes), options);
    }
    return PutObject(key, bytes, options);
  }

  Result<BlobInfo> UploadStream(std::string_view key, const ChunkReader& read,
                                const UploadOptions& options) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::string part;
    DS_ASSIGN_OR_RETURN(bool more, FillPart(read, part));
    if (!more) return PutObject(key, part, options);  // it fit in one part
    return Multipart(key, read, std::move(part), options);
  }

  Result<std::string> Download(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_ASSIGN_OR_RETURN(net::HttpResponse r, Call("GET", ObjectTarget(key), {}, {}, {}));
    if (r.status != 200) return Failure(r, "downloading " + std::string(key));
    return std::move(r.body);
  }

  Status DownloadStream(std::string_view key, const ChunkWriter& write) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_ASSIGN_OR_RETURN(net::HttpResponse r, Call("GET", ObjectTarget(key), {}, {}, {}, &write));
    if (r.status != 200) return Failure(r, "downloading " + std::string(key));
    return Status::Ok();
  }

  Status Remove(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_ASSIGN_OR_RETURN(bool exists, Exists(key));
    if (!exists) return Status::NotFound("blob " + std::string(key) + " does not exist");
    DS_ASSIGN_OR_RETURN(net::HttpResponse r, Call("DELETE", ObjectTarget(key), {}, {}, {}));
    if (r.status != 204 && r.status != 200) return Failure(r, "removing " + std::string(key));
    return Status::Ok();
  }

  Result<bool> Exists(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_ASSIGN_OR_RETURN(net::HttpResponse r, Call("HEAD", ObjectTarget(key), {}, {}, {}));
    if (r.status == 404) return false;
    if (r.status != 200) return Failure(r, "looking up " + std::string(key));
    return true;
  }

  Result<BlobInfo> Metadata(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_ASSIGN_OR_RETURN(net::HttpResponse r, Call("HEAD", ObjectTarget(key), {}, {}, {}));
    if (r.status != 200) return Failure(r, "looking up " + std::string(key));
    BlobInfo info;
    info.key = std::string(key);
    info.url = ObjectTarget(key).url;
    info.size = std::strtoll(std::string(r.Header("content-length")).c_str(), nullptr, 10);
    info.etag = Unquoted(r.Header("etag"));
    info.content_type = std::string(r.Header("content-type"));
    info.tags = DecodeTags(r.Header("x-amz-meta-tags"));
    info.original_filename = PercentDecode(r.Header("x-amz-meta-filename"));
    info.modified_at = ParseHttpDate(r.Header("last-modified"));
    info.encryption = std::string(r.Header("x-amz-server-side-encryption"));
    return info;
  }

  Result<std::string> SignedUrl(std::string_view key, int64_t ttl_seconds) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_RETURN_IF_ERROR(ValidateTtl(ttl_seconds));
    const Target target = ObjectTarget(key);
    sigv4::Request request{"GET", target.host, target.encoded_path};
    return target.url + "?" +
           sigv4::PresignQuery(request, config_.credentials, Scope(), Now(), ttl_seconds);
  }

 private:
  int64_t Now() const { return clock_.NowMillis() / 1000; }
  sigv4::Scope Scope() const { return {config_.region, "s3"}; }

  Target ObjectTarget(std::string_view key) const {
    const std::string object =
        config_.prefix.empty() ? std::string(key) : config_.prefix + "/" + std::string(key);
    const std::string path = "/" + sigv4::UriEncode(object, true);
    if (config_.path_style) {
      const std::string full = "/" + config_.bucket + path;
      return {scheme_ + "://" + host_ + full, host_, full};
    }
    const std::string host = config_.bucket + "." + host_;
    return {scheme_ + "://" + host + path, host, path};
  }

  // One signed request, tried again on connection failures and 5xx answers. A sink receives
  // the body of a 2xx answer; once it has had a byte the request is not repeated.
  Result<net::HttpResponse> Call(const std::string& method, const Target& target,
                                 const sigv4::Pairs& query, const sigv4::Pairs& headers,
                                 std::string_view body, const ChunkWriter* sink = nullptr) {
    const std::string payload_hash = sigv4::Sha256Hex(body);
    bool delivered = false;
    net::BodySink forward;
    if (sink) {
      forward = [&](std::string_view piece) {
        delivered = true;
        return (*sink)(piece);
      };
    }
    Result<net::HttpResponse> outcome = Status::Internal("no attempt made");
    for (int attempt = 0; attempt <= config_.max_retries; ++attempt) {
      if (attempt > 0) {
        const double jitter = 0.5 + static_cast<double>(RandomWord() >> 11) * 0x1.0p-53;
        std::this_thread::sleep_for(std::chrono::milliseconds(
            static_cast<int64_t>(100.0 * static_cast<double>(1 << (attempt - 1)) * jitter)));
      }
      sigv4::Request signing{method, target.host, target.encoded_path,
                             query,  headers,     payload_hash};
      sigv4::SignHeaders(signing, config_.credentials, Scope(), Now());
      net::HttpRequest request;
      request.method = method;
      request.url = target.url;
      if (!query.empty()) request.url += "?" + sigv4::CanonicalQuery(query);
      request.headers = std::move(signing.headers);
      request.body = body;
      // Bodies of any size: no limit on the whole, only on a stall.
      request.timeout_ms = 0;
      request.stall_timeout_ms = config_.stall_timeout_ms;
      outcome = http_.Send(request, forward);
      if (delivered) return outcome;
      if (outcome.ok() && outcome->status < 500) return outcome;
    }
    return outcome;
  }

  // S3's error document (<Error><Code>…</Code><Message>…</Message></Error>) as a Status.
  static Status Failure(const net::HttpResponse& r, const std::string& what) {
    std::string code, message;
    if (auto codes = XmlText(r.body, "Code"); codes.ok() && !codes->empty()) code = codes->front();
    if (auto messages = XmlText(r.body, "Message"); messages.ok() && !messages->empty()) {
      message = messages->front();
    }
    std::string reason = "S3 answered HTTP " + std::to_string(r.status);
    if (!code.empty()) reason += " " + code;
    if (!message.empty()) reason += ": " + message;
    if (r.status == 404) return Status::NotFound(what + ": " + reason);
    if (r.status == 403) return Status::PermissionDenied(what + ": " + reason);
    if (r.status == 400) return Status::InvalidArgument(what + ": " + reason);
    return Status::Unavailable(what + ": " + reason);
  }

  Result<BlobInfo> PutObject(std::string_view key, std::string_view body,
                             const UploadOptions& options) {
    sigv4::Pairs headers = {{"Content-Type", options.content_type},
                            {"Content-MD5", ContentMd5(body)}};
    AddMetadataHeaders(options, config_, headers);
    DS_ASSIGN_OR_RETURN(net::HttpResponse r, Call("PUT", ObjectTarget(key), {}, headers, body));
    if (r.status != 200) return Failure(r, "uploading " + std::string(key));
    return Info(key, static_cast<int64_t>(body.size()), Unquoted(r.Header("etag")), options);
  }

  BlobInfo Info(std::string_view key, int64_t size, std::string etag,
                const UploadOptions& options) const {
    return {std::string(key),          ObjectTarget(key).url, size,
            std::move(etag),           options.content_type,  options.tags,
            options.original_filename, clock_.NowMillis()};
  }

  // Reads up to one part into `part`; whether the stream has more after it.
  Result<bool> FillPart(const ChunkReader& read, std::string& part) {
    const auto size = static_cast<size_t>(config_.part_size);
    part.resize(size);
    size_t filled = 0;
    while (filled < size) {
      DS_ASSIGN_OR_RETURN(size_t n,
                          read(part.data() + filled, std::min<size_t>(size - filled, 1 << 20)));
      if (n == 0) {
        part.resize(filled);
        return false;
      }
      filled += n;
    }
    // Full: the stream has more unless its next read is empty, which the next part finds out.
    return true;
  }

  Result<BlobInfo> Multipart(std::string_view key, const ChunkReader& read, std::string part,
                             const UploadOptions& options) {
    const Target target = ObjectTarget(key);
    sigv4::Pairs headers = {{"Content-Type", options.content_type}};
    AddMetadataHeaders(options, config_, headers);
    DS_ASSIGN_OR_RETURN(net::HttpResponse created,
                        Call("POST", target, {{"uploads", ""}}, headers, {}));
    if (created.status != 200) {
      return Failure(created, "starting the upload of " + std::string(key));
    }
    auto ids = XmlText(created.body, "UploadId");
    if (!ids.ok() || ids->empty()) {
      return Status::Unavailable("S3 started the upload of " + std::string(key) +
                                 " without an UploadId");
    }
    const std::string upload_id = ids->front();
    Result<BlobInfo> done = UploadParts(key, target, upload_id, read, std::move(part), options);
    if (done.ok()) return done;
    // Nothing was ever visible; this frees the parts already stored. If even that fails, the
    // parts stay until the bucket's rule for incomplete uploads removes them (docs/data.md).
    auto aborted = Call("DELETE", target, {{"uploadId", upload_id}}, {}, {});
    if (!aborted.ok() || (aborted->status != 204 && aborted->status != 404)) {
      return done.status().WithSuffix("aborting the upload " + upload_id +
                                      " failed too, so its parts stay until the bucket's "
                                      "lifecycle rule removes them");
    }
    return done;
  }

  Result<BlobInfo> UploadParts(std::string_view key, const Target& target,
                               const std::string& upload_id, const ChunkReader& read,
                               std::string part, const UploadOptions& options) {
    std::string complete = "<CompleteMultipartUpload>";
    int64_t size = 0;
    int parts = 0;
    bool more = true;  // the first part was full
    while (!part.empty()) {
      const int number = ++parts;
      DS_ASSIGN_OR_RETURN(
          net::HttpResponse r,
          Call("PUT", target, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
               {{"Content-MD5", ContentMd5(part)}}, part));
      if (r.status != 200) return Failure(r, "uploading part " + std::to_string(number));
      const std::string_view etag = r.Header("etag");
      if (etag.empty()) {
        return Status::Unavailable("S3 stored part " + std::to_string(number) + " of " +
                                   std::string(key) + " without an ETag");
      }
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                  XmlEscaped(etag) + "</ETag></Part>";
      size += static_cast<int64_t>(part.size());
      if (!more) break;  // the source has ended: no read after its end
      DS_ASSIGN_OR_RETURN(more, FillPart(read, part));
    }
    complete += "</CompleteMultipartUpload>";
    return Complete(key, target, upload_id, complete, size, parts, options);
  }

  // POST ?uploadId with the part list. S3 may answer 200 and still fail (an <Error> in the
  // body); an InternalError there is tried again, as S3 asks. When a retry finds the upload
  // gone (NoSuchUpload), an earlier try may have completed it: the object's multipart ETag
  // says so.
  Result<BlobInfo> Complete(std::string_view key, const Target& target,
                            const std::string& upload_id, const std::string& part_list,
                            int64_t size, int parts, const UploadOptions& options) {
    for (int attempt = 0;; ++attempt) {
      DS_ASSIGN_OR_RETURN(net::HttpResponse r,
                          Call("POST", target, {{"uploadId", upload_id}},
                               {{"Content-Type", "application/xml"}}, part_list));
      auto code = XmlText(r.body, "Code");
      const std::string error = code.ok() && !code->empty() ? code->front() : "";
      if (r.status == 200 && code.ok() && error.empty()) {
        auto etags = XmlText(r.body, "ETag");
        return Info(key, size, etags.ok() && !etags->empty() ? Unquoted(etags->front()) : "",
                    options);
      }
      if (r.status == 200 && error == "InternalError" && attempt < config_.max_retries) continue;
      if (error == "NoSuchUpload") {
        auto existing = Metadata(key);
        const std::string suffix = "-" + std::to_string(parts);
        if (existing.ok() && existing->size == size && existing->etag.size() > suffix.size() &&
            existing->etag.compare(existing->etag.size() - suffix.size(), suffix.size(), suffix) ==
                0) {
          return Info(key, size, existing->etag, options);
        }
      }
      return Failure(r, "completing the upload of " + std::string(key));
    }
  }

  const S3Config config_;
  const std::string scheme_, host_;  // of the endpoint
  const Clock& clock_;
  net::HttpClient http_;
};

}  // namespace

Result<S3Config> S3ConfigFromEnvironment(std::string_view storage_url,
                                         const std::function<const char*(const char*)>& getenv) {
  auto env = [&](const char* name) {
    const char* v = getenv(name);
    return std::string(v ? v : "");
  };
  S3Config config;
  if (storage_url.substr(0, 5) != "s3://" || storage_url.size() == 5) {
    return Status::InvalidArgument(
        "STORAGE_URL: expected s3://bucket or s3://bucket/prefix, got \"" +
        std::string(storage_url) + "\"");
  }
  std::string_view rest = storage_url.substr(5);
  const size_t slash = rest.find('/');
  config.bucket = std::string(rest.substr(0, slash));
  if (config.bucket.empty()) {
    return Status::InvalidArgument("STORAGE_URL: no bucket in \"" + std::string(storage_url) +
                                   "\" (expected s3://bucket or s3://bucket/prefix)");
  }
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    config.prefix = std::string(prefix);
    if (!config.prefix.empty() && !ValidateKey(config.prefix).ok()) {
      return Status::InvalidArgument("STORAGE_URL: the prefix \"" + config.prefix +
                                     "\" is not a safe key path");
    }
  }
  config.endpoint = env("S3_ENDPOINT");
  if (std::string region = env("S3_REGION"); !region.empty()) config.region = region;
  config.credentials = {env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"),
                        env("AWS_SESSION_TOKEN")};
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty()) {
    return Status::InvalidArgument(
        "STORAGE_URL is s3://, so AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set");
  }
  const std::string path_style = env("S3_FORCE_PATH_STYLE");
  if (path_style == "true" || path_style == "1") {
    config.path_style = true;
  } else if (!path_style.empty() && path_style != "false" && path_style != "0") {
    return Status::InvalidArgument("S3_FORCE_PATH_STYLE: expected true or false, got \"" +
                                   path_style + "\"");
  }
  const std::string sse = env("S3_SSE");
  if (sse == "none") {
    config.server_side_encryption.clear();
  } else if (sse == "AES256" || sse == "aws:kms") {
    config.server_side_encryption = sse;
  } else if (!sse.empty()) {
    return Status::InvalidArgument("S3_SSE: expected AES256, aws:kms or none, got \"" + sse + "\"");
  }
  return config;
}

Result<std::unique_ptr<BlobStore>> OpenS3BlobStore(S3Config config, const Clock& clock) {
  // Bucket names: 3 to 63 of a-z, 0-9, '.', '-' (what S3 allows and a host name can carry).
  const bool bucket_ok =
      config.bucket.size() >= 3 && config.bucket.size() <= 63 &&
      std::all_of(config.bucket.begin(), config.bucket.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
      });
  if (!bucket_ok) {
    return Status::InvalidArgument("S3 bucket \"" + config.bucket +
                                   "\" is not a valid name (3 to 63 of a-z, 0-9, '.', '-')");
  }
  if (config.part_size < (int64_t{5} << 20)) {
    return Status::InvalidArgument("S3 parts must be at least 5 MiB");
  }
  std::string endpoint =
      config.endpoint.empty() ? "https://s3." + config.region + ".amazonaws.com" : config.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const size_t colon = endpoint.find("://");
  const std::string scheme = colon == std::string::npos ? "" : endpoint.substr(0, colon);
  std::string host = colon == std::string::npos ? "" : endpoint.substr(colon + 3);
  if ((scheme != "http" && scheme != "https") || host.empty() ||
      host.find('/') != std::string::npos) {
    return Status::InvalidArgument("S3_ENDPOINT: expected http(s)://host[:port], got \"" +
                                   config.endpoint + "\"");
  }
  // Virtual-hosted addressing cannot work for a bucket with dots over TLS (the certificate
  // covers one label) nor on an IP address: those go path-style, as the AWS SDKs do.
  const std::string host_name = host.substr(0, host.rfind(':'));
  const bool ip =
      !host_name.empty() &&
      (host_name.front() == '[' || host_name.find_first_not_of("0123456789.") == std::string::npos);
  if (ip || (scheme == "https" && config.bucket.find('.') != std::string::npos)) {
    config.path_style = true;
  }
  // The Host header leaves out a default port, so the signed host must too.
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (host.size() > default_port.size() &&
      host.compare(host.size() - default_port.size(), default_port.size(), default_port) == 0) {
    host.resize(host.size() - default_port.size());
  }
  return std::unique_ptr<BlobStore>(
      std::make_unique<S3BlobStore>(std::move(config), scheme, std::move(host), clock));
}

}  // namespace datastory::blob
