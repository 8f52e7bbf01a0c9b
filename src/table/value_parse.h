// Parsing single CSV values: null tokens, numbers in their many spellings, booleans, dates.
//
// All functions are pure and thread-safe. They take the unquoted field text; surrounding spaces
// are ignored.
#ifndef DATASTORY_TABLE_VALUE_PARSE_H_
#define DATASTORY_TABLE_VALUE_PARSE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/calendar.h"
#include "table/schema.h"

namespace datastory::table {

// "", "NA", "N/A", "null", "NULL", "-", "NaN", "None" and their usual case variants, and `\N`
// (the null of MySQL dumps and PostgreSQL's COPY).
bool IsNullTokenSlow(std::string_view value);
inline bool IsNullToken(std::string_view value) {
  // Most values start with a digit or a letter other than N/n: decided without a call.
  if (!value.empty()) {
    char c = value[0];
    if ((c >= '0' && c <= '9') || (c > 'N' && c != 'n' && c != ' ' && c != '\\')) return false;
  }
  return IsNullTokenSlow(value);
}

std::string_view TrimSpaces(std::string_view value);

// What a number looked like, for type and unit inference.
struct NumberTraits {
  bool fraction = false;      // a decimal part or an exponent
  bool leading_zero = false;  // "007", "02134": a code, not a quantity
  bool thousands = false;     // a thousands separator was used
  bool percent = false;
  bool currency = false;
  bool parens = false;  // (300) accounting negative
  std::string_view currency_symbol;
};

// Parses `1,234.5`, `1.234,5` (with format.decimal = ','), `$1,200`, `€3.50`, `3,50 €`, `12%`
// (as 12), `(300)` (as -300), `-1e-3`, `inf`. Returns nullopt for anything else.
std::optional<double> ParseNumber(std::string_view value, const NumberFormat& format,
                                  NumberTraits* traits = nullptr);

// The common case of ParseNumber, inline for hot loops: [-]digits[.digits] with at most 15
// digits, no spaces, signs, separators or units. Returns false when the value needs
// ParseNumber (which may still find a number); on true, sets *value and the traits it knows
// (fraction, leading_zero). Exact: the digits form an integer below 2^53 and the power of ten
// is at most 10^22, so one division rounds correctly (Clinger's fast path).
inline bool ParseSimpleNumber(std::string_view v, char decimal, double* value,
                              NumberTraits* traits) {
  const char* p = v.data();
  const char* end = p + v.size();
  if (p == end) return false;
  const bool negative = *p == '-';
  const char* s = p + negative;
  const char* int_begin = s;
  uint64_t mantissa = 0;
  while (s != end && static_cast<unsigned>(*s - '0') <= 9) {
    mantissa = mantissa * 10 + static_cast<unsigned>(*s++ - '0');
  }
  size_t int_digits = static_cast<size_t>(s - int_begin), decimals = 0;
  const bool point = s != end && *s == decimal;
  if (point) {
    const char* fraction = ++s;
    while (s != end && static_cast<unsigned>(*s - '0') <= 9) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*s++ - '0');
    }
    decimals = static_cast<size_t>(s - fraction);
    if (decimals == 0) return false;  // "12." is left to the general parser
  }
  if (s != end || int_digits + decimals == 0 || int_digits + decimals > 15) return false;
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  double x = static_cast<double>(mantissa) / kPow10[decimals];
  *value = negative ? -x : x;
  traits->fraction = point;
  traits->leading_zero = int_digits > 1 && *int_begin == '0';
  return true;
}

// True for text of the simple shape ([-]digits[.digits]) whatever its length.
bool IsSimpleNumberShape(std::string_view v, char decimal);

// true/false, yes/no, t/f, y/n in any case.
std::optional<bool> ParseBoolean(std::string_view value);
// A yes/no column's value as its answer: ParseBoolean's words, or 1 and 0.
std::optional<bool> ParseYesNo(std::string_view value);

// A point in time: seconds since 1970-01-01T00:00:00Z (zones applied; no zone means UTC).
struct Timestamp {
  int64_t seconds = 0;
  bool has_time = false;  // a time of day was written (even 00:00)
};

// Parses a date or date-time written in `order`. Two-digit years pivot at 70 (69 -> 2069).
std::optional<Timestamp> ParseDate(std::string_view value, DateOrder order);

// A time of day without a date: "05:40", "5:40", "21:30:15", "21:30:15.250", "9:05 PM". Returns
// the seconds from midnight (0 to 86399), or nullopt.
std::optional<int32_t> ParseTimeOfDay(std::string_view value);
// "05:40", or "21:30:15" when the seconds are not 0; the hour's label "17:00" for groups.
std::string FormatTimeOfDay(int64_t seconds);
std::string HourLabel(int64_t seconds);

// "2024-01-31" or "2024-01-31 04:00:00" (UTC) for messages and JSON.
std::string FormatTimestamp(int64_t seconds, bool with_time);

}  // namespace datastory::table

#endif  // DATASTORY_TABLE_VALUE_PARSE_H_
