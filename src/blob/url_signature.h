// The signature of the local and in-memory backends' URLs (private to the blob module).
#ifndef DATASTORY_BLOB_URL_SIGNATURE_H_
#define DATASTORY_BLOB_URL_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace datastory::blob {

// Hex HMAC-SHA256 of "<method>\n<key>\n<expires>" under a key derived from `secret` for
// signing blob URLs alone, so that no other use of the secret (cookies, tokens) can produce or
// check one.
std::string UrlSignature(std::string_view secret, std::string_view method, std::string_view key,
                         int64_t expires_seconds);

}  // namespace datastory::blob

#endif  // DATASTORY_BLOB_URL_SIGNATURE_H_
