#include "auth/token.h"

#include <openssl/sha.h>

#include "base/random.h"
#include "base/text.h"

namespace datastory::auth {

std::string NewSessionToken() { return NewToken(32); }

std::string HashToken(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return HexLower(digest, sizeof digest);
}

}  // namespace datastory::auth
