// Small text helpers shared across modules.
#ifndef DATASTORY_BASE_TEXT_H_
#define DATASTORY_BASE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace datastory {

// ASCII letters lowered; every other byte (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view s);

// The words of a name, case kept: split at every character of `separators` (dropped) and where
// camelCase turns ("unitPrice": unit, Price). No empty words.
std::vector<std::string> SplitWords(std::string_view name, std::string_view separators);

// The words of a column name, lower case: split at anything but ASCII letters and digits, and
// where camelCase turns ("unitPrice": unit, price).
std::vector<std::string> NameWords(std::string_view name);

// Whether a name (its NameWords) holds one of `words`: a word of the name starts with it
// ("temp" in "temperature"), or, for listed words of six letters or more, ends with it
// ("revenue" in "totalrevenue"). Never anywhere inside: "count" is not in "discount", nor "lat"
// in "population".
bool NameHasWord(const std::vector<std::string>& name_words,
                 std::initializer_list<std::string_view> words);

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
