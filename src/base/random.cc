#include "base/random.h"

#include <sys/random.h>

#include <cstdio>
#include <cstring>

#include "base/check.h"

namespace datastory {

uint64_t RandomWord() {
  uint64_t word = 0;
  // getrandom blocks only before the kernel's pool is initialised at boot; it cannot fail
  // for 8 bytes otherwise.
  DS_CHECK(getrandom(&word, sizeof(word), 0) == sizeof(word));
  return word;
}

std::string NewUuidV4() {
  uint8_t b[16];
  uint64_t a = RandomWord(), c = RandomWord();
  std::memcpy(b, &a, 8);
  std::memcpy(b + 8, &c, 8);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // variant 10
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string NewToken(size_t bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string raw(bytes, '\0');
  for (size_t done = 0; done < bytes;) {
    const ssize_t got = getrandom(raw.data() + done, bytes - done, 0);
    DS_CHECK(got > 0);
    done += static_cast<size_t>(got);
  }
  std::string out;
  out.reserve((bytes * 4 + 2) / 3);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : raw) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

}  // namespace datastory
