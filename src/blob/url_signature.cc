#include "blob/url_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/text.h"
#include "blob/blob_store.h"

namespace datastory::blob {
namespace {

std::string HmacSha256(std::string_view key, std::string_view message, unsigned char* mac) {
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

}  // namespace

std::string UrlSignature(std::string_view secret, std::string_view method, std::string_view key,
                         int64_t expires) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  const std::string derived = HmacSha256(secret, "datastory blob url signing v1", mac);
  const std::string message =
      std::string(method) + "\n" + std::string(key) + "\n" + std::to_string(expires);
  const std::string signature = HmacSha256(derived, message, mac);
  return HexLower(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

Status VerifySignature(std::string_view secret, std::string_view method, std::string_view key,
                       int64_t expires_seconds, std::string_view signature_hex,
                       int64_t now_millis) {
  const std::string expected = UrlSignature(secret, method, key, expires_seconds);
  // Constant time: the comparison does not reveal how much of a guess was right.
  bool same = expected.size() == signature_hex.size();
  unsigned char diff = 0;
  for (size_t i = 0; same && i < expected.size(); ++i) diff |= expected[i] ^ signature_hex[i];
  if (!same || diff != 0) return Status::Unauthenticated("the URL's signature is not valid");
  if (now_millis / 1000 >= expires_seconds) return Status::Unauthenticated("the URL has expired");
  return Status::Ok();
}

}  // namespace datastory::blob
