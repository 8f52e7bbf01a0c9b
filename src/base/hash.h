// Hashing for sketches and duplicate detection: XXH3, 64 bits, seedless, so hashes of equal
// bytes agree across threads, runs and machines.
#ifndef DATASTORY_BASE_HASH_H_
#define DATASTORY_BASE_HASH_H_

#include <cstdint>
#include <string_view>

namespace datastory {

uint64_t HashBytes(std::string_view bytes);

// A hash of a 64-bit value (a double's bits, a day number), well mixed in all bits.
inline uint64_t HashWord(uint64_t x) {
  // The finaliser of SplitMix64: a bijection, so distinct words never collide.
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace datastory

#endif  // DATASTORY_BASE_HASH_H_
