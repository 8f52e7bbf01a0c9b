// AWS Signature Version 4 for S3, pure computation with no I/O: signing a request's
// headers, and presigning a URL. Follows the published algorithm: a canonical request, a string
// to sign under a date/region/service scope, and an HMAC-SHA256 chain from the secret key.
#ifndef DATASTORY_BLOB_SIGV4_H_
#define DATASTORY_BLOB_SIGV4_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace datastory::blob::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
};

struct Scope {
  std::string region = "us-east-1";
  std::string service = "s3";
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;        // "GET", "PUT" …
  std::string host;          // the Host header, with the port when it is not the default
  std::string encoded_path;  // "/bucket/key", already URI-encoded (see UriEncode)
  Pairs query;               // raw names and values; encoded when signed
  Pairs headers;             // signed along with host; names in any case
  std::string payload_sha256 = "UNSIGNED-PAYLOAD";  // hex SHA-256 of the body, or that
};

// RFC 3986 unreserved characters stay, every other byte becomes %XX (upper case); '/' stays
// when `keep_slash` (object keys in paths).
std::string UriEncode(std::string_view text, bool keep_slash);
// The query as signed and as sent: names and values encoded, sorted, joined with '&'.
std::string CanonicalQuery(const Pairs& query);
// "20130524T000000Z"
std::string AmzDate(int64_t unix_seconds);
std::string Sha256Hex(std::string_view bytes);

// Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (with a session token) and
// Authorization to request.headers.
void SignHeaders(Request& request, const Credentials& credentials, const Scope& scope,
                 int64_t unix_seconds);

// The query string of a presigned URL (without '?'): the request's own parameters and the
// X-Amz-* ones, sorted and encoded, then X-Amz-Signature. Only the host header is signed.
std::string PresignQuery(const Request& request, const Credentials& credentials, const Scope& scope,
                         int64_t unix_seconds, int64_t expires_seconds);

}  // namespace datastory::blob::sigv4

#endif  // DATASTORY_BLOB_SIGV4_H_
