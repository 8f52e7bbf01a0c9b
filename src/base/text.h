// Small text helpers shared across modules.
#ifndef DATASTORY_BASE_TEXT_H_
#define DATASTORY_BASE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace datastory {

// ASCII letters lowered; every other byte (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view s);

// Lower-case hex of `n` bytes: digests, signatures, ETags.
std::string HexLower(const unsigned char* bytes, size_t n);

// A size for messages about limits: "16 MiB", "512 KiB", "1000 bytes" (a unit only when the
// number is a whole multiple of it, so the figure is exact).
std::string ByteCount(uint64_t n);

// `s` safe to print on a terminal or in a log line: control characters (C0, DEL and the C1
// range as UTF-8) become escapes ("\n", "\t", "\r", "\x1b", "\u009b"), so a file name
// cannot move the cursor, clear the screen or forge a second line. Other bytes are unchanged.
std::string EscapeControl(std::string_view s);

}  // namespace datastory

#endif  // DATASTORY_BASE_TEXT_H_
