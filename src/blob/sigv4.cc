#include "blob/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "base/text.h"

namespace datastory::blob::sigv4 {
namespace {

constexpr const char* kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return {reinterpret_cast<const char*>(mac), length};
}

// Header values are trimmed and inner runs of spaces folded to one.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

struct Canonical {
  std::string headers;         // "name:value\n" per header, sorted
  std::string signed_headers;  // "host;x-amz-date"
};

Canonical CanonicalHeaders(const Request& request) {
  Pairs headers = {{"host", request.host}};
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(AsciiLower(name), TrimValue(value));
  }
  std::sort(headers.begin(), headers.end());
  Canonical out;
  for (const auto& [name, value] : headers) {
    out.headers.append(name).append(":").append(value).append("\n");
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += name;
  }
  return out;
}

std::string CredentialScope(const Scope& scope, int64_t unix_seconds) {
  return AmzDate(unix_seconds).substr(0, 8) + "/" + scope.region + "/" + scope.service +
         "/aws4_request";
}

// The signature of a canonical request.
std::string Sign(const std::string& canonical_request, const Credentials& credentials,
                 const Scope& scope, int64_t unix_seconds) {
  const std::string string_to_sign = std::string(kAlgorithm) + "\n" + AmzDate(unix_seconds) + "\n" +
                                     CredentialScope(scope, unix_seconds) + "\n" +
                                     Sha256Hex(canonical_request);
  std::string key =
      Hmac("AWS4" + credentials.secret_access_key, AmzDate(unix_seconds).substr(0, 8));
  key = Hmac(key, scope.region);
  key = Hmac(key, scope.service);
  key = Hmac(key, "aws4_request");
  const std::string mac = Hmac(key, string_to_sign);
  return HexLower(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

std::string CanonicalQuery(const Pairs& query) {
  Pairs encoded;
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string AmzDate(int64_t unix_seconds) {
  const auto t = static_cast<time_t>(unix_seconds);
  struct tm utc {};
  gmtime_r(&t, &utc);
  char buffer[20];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return HexLower(digest, length);
}

void SignHeaders(Request& request, const Credentials& credentials, const Scope& scope,
                 int64_t unix_seconds) {
  request.headers.emplace_back("x-amz-date", AmzDate(unix_seconds));
  request.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  const Canonical canonical = CanonicalHeaders(request);
  const std::string canonical_request =
      request.method + "\n" + request.encoded_path + "\n" + CanonicalQuery(request.query) + "\n" +
      canonical.headers + "\n" + canonical.signed_headers + "\n" + request.payload_sha256;
  request.headers.emplace_back(
      "Authorization",
      std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
          CredentialScope(scope, unix_seconds) + ", SignedHeaders=" + canonical.signed_headers +
          ", Signature=" + Sign(canonical_request, credentials, scope, unix_seconds));
}

std::string PresignQuery(const Request& request, const Credentials& credentials, const Scope& scope,
                         int64_t unix_seconds, int64_t expires_seconds) {
  Pairs query = request.query;
  query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  query.emplace_back("X-Amz-Credential",
                     credentials.access_key_id + "/" + CredentialScope(scope, unix_seconds));
  query.emplace_back("X-Amz-Date", AmzDate(unix_seconds));
  query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  if (!credentials.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  query.emplace_back("X-Amz-SignedHeaders", "host");
  Request host_only = request;
  host_only.headers.clear();
  const std::string canonical_query = CanonicalQuery(query);
  const std::string canonical_request =
      request.method + "\n" + request.encoded_path + "\n" + canonical_query + "\n" +
      CanonicalHeaders(host_only).headers + "\nhost\n" + "UNSIGNED-PAYLOAD";
  return canonical_query +
         "&X-Amz-Signature=" + Sign(canonical_request, credentials, scope, unix_seconds);
}

}  // namespace datastory::blob::sigv4
