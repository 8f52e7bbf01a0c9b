// Randomness from the kernel (getrandom), for identifiers and jitter: nothing to seed, safe to
// call from any thread.
#ifndef DATASTORY_BASE_RANDOM_H_
#define DATASTORY_BASE_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace datastory {

uint64_t RandomWord();
// A random UUID, version 4 (RFC 9562): "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx".
std::string NewUuidV4();

// A secret for a session, an API token, a share link or a lease: `bytes` random bytes (32 by
// default, 256 bits) as unpadded base64url, safe in URLs, cookies and headers.
std::string NewToken(size_t bytes = 32);

}  // namespace datastory

#endif  // DATASTORY_BASE_RANDOM_H_
