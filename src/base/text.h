// Small text helpers shared across modules.
#ifndef DATASTORY_BASE_TEXT_H_
#define DATASTORY_BASE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace datastory {

// ASCII letters lowered; every other byte (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view s);

// Lower-case hex of `n` bytes: digests, signatures, ETags.
std::string HexLower(const unsigned char* bytes, size_t n);

}  // namespace datastory

#endif  // DATASTORY_BASE_TEXT_H_
