#include "table/value_parse.h"

#include <fast_float/fast_float.h>

#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace datastory::table {

std::string_view TrimSpaces(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool IsNullTokenSlow(std::string_view v) {
  v = TrimSpaces(v);
  switch (v.size()) {
    case 0:
      return true;
    case 1:
      return v[0] == '-';
    case 2:
      return v == "NA" || v == "na" || v == "Na" || v == "\\N";
    case 3:
      return v == "N/A" || v == "n/a" || v == "NaN" || v == "nan" || v == "NAN" || v == "#NA" ||
             v == "N.A";
    case 4:
      return v == "null" || v == "NULL" || v == "Null" || v == "None" || v == "none" ||
             v == "NONE" || v == "#N/A";
    default:
      return false;
  }
}

namespace {

constexpr std::string_view kCurrencySymbols[] = {"$", "\xE2\x82\xAC" /* € */, "\xC2\xA3" /* £ */,
                                                 "\xC2\xA5" /* ¥ */, "\xE2\x82\xB9" /* ₹ */};

bool StripCurrency(std::string_view* v, bool prefix, NumberTraits* traits) {
  for (std::string_view symbol : kCurrencySymbols) {
    bool hit = prefix
                   ? v->substr(0, symbol.size()) == symbol
                   : (v->size() >= symbol.size() && v->substr(v->size() - symbol.size()) == symbol);
    if (hit) {
      if (prefix) {
        v->remove_prefix(symbol.size());
      } else {
        v->remove_suffix(symbol.size());
      }
      *v = TrimSpaces(*v);
      traits->currency = true;
      traits->currency_symbol = symbol;
      return true;
    }
  }
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<double> ParseNumber(std::string_view v, const NumberFormat& format,
                                  NumberTraits* out_traits) {
  NumberTraits local;
  NumberTraits* traits = out_traits ? out_traits : &local;
  if (v.empty()) return std::nullopt;
  if (v.front() == ' ' || v.back() == ' ' || v.front() == '\t' || v.back() == '\t') {
    v = TrimSpaces(v);
    if (v.empty()) return std::nullopt;
  }
  // Fast path: [-]digits[.digits] as most CSV numbers are.
  double simple;
  if (ParseSimpleNumber(v, format.decimal, &simple, traits)) return simple;
  if (IsSimpleNumberShape(v, format.decimal)) {  // too many digits for the simple path
    double value;
    fast_float::parse_options options(fast_float::chars_format::fixed, format.decimal);
    auto [ptr, ec] = fast_float::from_chars_advanced(v.data(), v.data() + v.size(), value, options);
    if (ec != std::errc() || ptr != v.data() + v.size()) return std::nullopt;
    const std::string_view digits = v.substr(v.front() == '-');
    traits->fraction = digits.find(format.decimal) != std::string_view::npos;
    traits->leading_zero = digits.size() > 1 && digits[0] == '0' && IsDigit(digits[1]);
    return value;
  }
  bool negative = false;
  char first = v.front();
  if (!IsDigit(first) || !IsDigit(v.back())) {
    if (v.size() >= 2 && first == '(' && v.back() == ')') {
      traits->parens = true;
      negative = true;
      v = TrimSpaces(v.substr(1, v.size() - 2));
    }
    if (!v.empty() && (v.front() == '-' || v.front() == '+')) {
      negative ^= v.front() == '-';
      v = TrimSpaces(v.substr(1));
    }
    if (StripCurrency(&v, /*prefix=*/true, traits) && !v.empty() &&
        (v.front() == '-' || v.front() == '+')) {  // $-5
      negative ^= v.front() == '-';
      v = TrimSpaces(v.substr(1));
    }
    if (!v.empty() && v.back() == '%') {
      traits->percent = true;
      v = TrimSpaces(v.substr(0, v.size() - 1));
    }
    if (!traits->currency) StripCurrency(&v, /*prefix=*/false, traits);
    if (v.empty()) return std::nullopt;
    if (!IsDigit(v.front()) && v.front() != format.decimal) {
      // Only inf/infinity may start with a letter.
      if (v != "inf" && v != "Inf" && v != "INF" && v != "infinity" && v != "Infinity") {
        return std::nullopt;
      }
      return negative ? -HUGE_VAL : HUGE_VAL;
    }
  }
  if (v.size() > 1 && v[0] == '0' && IsDigit(v[1])) traits->leading_zero = true;

  // Remove thousands separators, checking that they sit between groups of three digits.
  char buffer[128];
  const char* begin = v.data();
  const char* end = v.data() + v.size();
  if (format.thousands != '\0' && v.find(format.thousands) != std::string_view::npos) {
    if (v.size() >= sizeof(buffer)) return std::nullopt;
    size_t n = 0, group = 0;
    bool seen_separator = false, in_integer_part = true;
    for (char c : v) {
      if (in_integer_part && c == format.thousands) {
        if (group == 0 || group > 3 || (seen_separator && group != 3)) return std::nullopt;
        seen_separator = true;
        group = 0;
        continue;
      }
      if (in_integer_part && !IsDigit(c)) {
        if (seen_separator && group != 3) return std::nullopt;
        in_integer_part = false;
      }
      if (in_integer_part) ++group;
      buffer[n++] = c;
    }
    if (in_integer_part && seen_separator && group != 3) return std::nullopt;
    traits->thousands = true;
    begin = buffer;
    end = buffer + n;
  }
  double value;
  fast_float::parse_options options(fast_float::chars_format::general, format.decimal);
  auto [ptr, ec] = fast_float::from_chars_advanced(begin, end, value, options);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  for (const char* p = begin; p != end; ++p) {
    if (*p == format.decimal || *p == 'e' || *p == 'E') {
      traits->fraction = true;
      break;
    }
  }
  return negative ? -value : value;
}

bool IsSimpleNumberShape(std::string_view v, char decimal) {
  size_t i = !v.empty() && v[0] == '-';
  size_t digits = 0;
  bool point = false;
  for (; i < v.size(); ++i) {
    if (IsDigit(v[i])) {
      ++digits;
    } else if (v[i] == decimal && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digits > 0 && IsDigit(v.back());
}

std::optional<bool> ParseBoolean(std::string_view v) {
  v = TrimSpaces(v);
  if (v.size() > 5) return std::nullopt;
  char lower[6] = {};
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
  }
  std::string_view l(lower, v.size());
  if (l == "true" || l == "t" || l == "yes" || l == "y") return true;
  if (l == "false" || l == "f" || l == "no" || l == "n") return false;
  return std::nullopt;
}

std::optional<bool> ParseYesNo(std::string_view value) {
  if (std::optional<bool> b = ParseBoolean(value)) return b;
  value = TrimSpaces(value);
  if (value == "1") return true;
  if (value == "0") return false;
  return std::nullopt;
}

namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// A cursor over the value with the small readers the date forms are made of.
struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  // Reads 1..max_digits digits; `exact` requires exactly max_digits.
  bool Digits(int min_digits, int max_digits, int* out) {
    int n = 0, value = 0;
    while (i < s.size() && n < max_digits && IsDigit(s[i])) {
      value = value * 10 + (s[i++] - '0');
      ++n;
    }
    if (n < min_digits) return false;
    *out = value;
    return true;
  }
  bool Char(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  void Spaces() {
    while (peek() == ' ') ++i;
  }
  // A month name or its three-letter abbreviation, any case, with an optional '.'.
  bool MonthName(int* month) {
    static constexpr std::array<std::string_view, 12> kNames = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    size_t start = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    size_t len = i - start;
    if (len < 3) return false;
    char word[10] = {};
    if (len > 9) return false;
    for (size_t k = 0; k < len; ++k) {
      word[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[start + k])));
    }
    std::string_view w(word, len);
    for (int m = 0; m < 12; ++m) {
      if (w == kNames[m] || (len == 3 && w == kNames[m].substr(0, 3)) || (m == 8 && w == "sept")) {
        *month = m + 1;
        Char('.');
        return true;
      }
    }
    return false;
  }
};

int Year(int value, int digits) {
  if (digits == 2) return value < 70 ? 2000 + value : 1900 + value;
  return value;
}

bool Year(Cursor& c, int* year) {
  size_t start = c.i;
  int value;
  if (!c.Digits(2, 4, &value)) return false;
  int digits = static_cast<int>(c.i - start);
  if (digits == 3) return false;
  *year = Year(value, digits);
  return true;
}

// The offset from UTC, in seconds, of a zone's abbreviation ("UTC", "EST", "CEST" …). Only
// abbreviations that name one zone: IST (India, Ireland, Israel), CST (the US, China), AST
// (the Atlantic, Arabia) and BST (Britain, Bangladesh) are not among them.
std::optional<int64_t> ZoneOffset(std::string_view name) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr Zone kZones[] = {
      {"UTC", 0},    {"GMT", 0},    {"UT", 0},      {"WET", 0},     {"WEST", 60},  {"CET", 60},
      {"CEST", 120}, {"EET", 120},  {"EEST", 180},  {"MSK", 180},   {"JST", 540},  {"KST", 540},
      {"AWST", 480}, {"ACST", 570}, {"ACDT", 630},  {"AEST", 600},  {"AEDT", 660}, {"NZST", 720},
      {"NZDT", 780}, {"HST", -600}, {"AKST", -540}, {"AKDT", -480}, {"PST", -480}, {"PDT", -420},
      {"MST", -420}, {"MDT", -360}, {"CDT", -300},  {"EST", -300},  {"EDT", -240}, {"ADT", -180},
      {"NST", -210}, {"NDT", -150},
  };
  for (const Zone& zone : kZones) {
    if (name == zone.name) return int64_t{zone.minutes} * 60;
  }
  return std::nullopt;
}

// [T| |, ]HH:MM[:SS[.fff]][ AM|PM][Z|±HH[:MM]| UTC| EST …]; adds to *seconds. The comma is
// how some locales join a date and its time ("1/2/2023, 12:33 PM").
bool TimeOfDay(Cursor& c, int64_t* seconds, bool* has_time) {
  if (c.done()) return true;
  if (!c.Char('T') && !c.Char(' ') && !c.Char(',')) return false;
  c.Spaces();
  int h, m = 0, s = 0;
  if (!c.Digits(1, 2, &h) || !c.Char(':') || !c.Digits(2, 2, &m)) return false;
  if (c.Char(':')) {
    if (!c.Digits(2, 2, &s)) return false;
    if (c.Char('.') || c.Char(',')) {
      int ignored;
      while (IsDigit(c.peek())) c.Digits(1, 1, &ignored);
    }
  }
  c.Spaces();
  if (c.peek() == 'A' || c.peek() == 'P' || c.peek() == 'a' || c.peek() == 'p') {
    bool pm = c.peek() == 'P' || c.peek() == 'p';
    ++c.i;
    if (!c.Char('M') && !c.Char('m')) return false;
    if (h < 1 || h > 12) return false;
    h = (h % 12) + (pm ? 12 : 0);
  }
  if (h > 23 || m > 59 || s > 60) return false;
  int64_t offset = 0;
  c.Spaces();
  if (c.Char('Z')) {
  } else if (auto zone = ZoneOffset(c.s.substr(c.i))) {
    offset = *zone;
    c.i = c.s.size();
  } else if (c.peek() == '+' || c.peek() == '-') {
    int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    int oh, om = 0;
    if (!c.Digits(2, 2, &oh)) return false;
    if (c.Char(':')) {
      if (!c.Digits(2, 2, &om)) return false;
    } else {
      c.Digits(2, 2, &om);
    }
    offset = static_cast<int64_t>(sign) * (oh * 3600 + om * 60);
  }
  if (!c.done()) return false;
  *seconds += h * 3600 + m * 60 + s - offset;
  *has_time = true;
  return true;
}

std::optional<Timestamp> Make(int year, int month, int day, Cursor& c) {
  if (month < 1 || month > 12 || day < 1 || year < 1 || year > 9999) return std::nullopt;
  if (static_cast<unsigned>(day) > DaysInMonth(year, month)) return std::nullopt;
  Timestamp t;
  t.seconds = DaysFromCivil(year, month, day) * 86400;
  if (!TimeOfDay(c, &t.seconds, &t.has_time)) return std::nullopt;
  return t;
}

bool Separator(Cursor& c, char* sep) {
  char ch = c.peek();
  if (ch != '-' && ch != '/' && ch != '.') return false;
  if (*sep != '\0' && ch != *sep) return false;
  *sep = ch;
  ++c.i;
  return true;
}

}  // namespace

namespace {

// "YYYY-MM-DD" and "YYYY-MM-DD HH:MM:SS" (or with '/' and 'T'), the forms most files use, read
// at fixed positions. Anything else (zones, fractions, one-digit parts) takes the general path.
std::optional<Timestamp> ParseIsoFixed(std::string_view s) {
  auto digit = [&](size_t i) { return static_cast<unsigned>(s[i] - '0'); };
  auto two = [&](size_t i) { return digit(i) * 10 + digit(i + 1); };
  auto digits_at = [&](std::initializer_list<size_t> positions) {
    for (size_t i : positions) {
      if (digit(i) > 9) return false;
    }
    return true;
  };
  if (!digits_at({0, 1, 2, 3, 5, 6, 8, 9})) return std::nullopt;
  char sep = s[4];
  if ((sep != '-' && sep != '/') || s[7] != sep) return std::nullopt;
  int year = static_cast<int>(digit(0) * 1000 + digit(1) * 100 + two(2));
  unsigned month = two(5), day = two(8);
  if (month < 1 || month > 12 || day < 1 || year < 1 || day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  Timestamp t;
  t.seconds = DaysFromCivil(year, month, day) * 86400;
  if (s.size() == 19) {
    if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' ||
        !digits_at({11, 12, 14, 15, 17, 18})) {
      return std::nullopt;
    }
    unsigned h = two(11), m = two(14), sec = two(17);
    if (h > 23 || m > 59 || sec > 60) return std::nullopt;
    t.seconds += h * 3600 + m * 60 + sec;
    t.has_time = true;
  }
  return t;
}

// 2000.5 (decimal years): the year, and the day (or, for monthly data, the month) that the
// part gone by falls in.
std::optional<Timestamp> ParseDecimalYear(std::string_view s, DateOrder order) {
  double x;
  NumberTraits traits;
  if (!ParseSimpleNumber(s, '.', &x, &traits) || x < 1000 || x >= 3000) return std::nullopt;
  const int whole = static_cast<int>(std::floor(x));
  const double part = x - whole;
  Timestamp t;
  if (order == DateOrder::kDecimalYearMonth) {
    // 2000.0833 is February (1/12) and 2000.0417 mid-January: room for the rounding of a
    // twelfth written in four digits.
    const int m = std::min(11, static_cast<int>(std::floor(part * 12 + 0.02)));
    t.seconds = DaysFromCivil(whole, static_cast<unsigned>(m + 1), 1) * 86400;
  } else {
    const int64_t days_in_year = DaysFromCivil(whole + 1, 1, 1) - DaysFromCivil(whole, 1, 1);
    const int64_t day = std::min<int64_t>(
        days_in_year - 1,
        static_cast<int64_t>(std::floor(part * static_cast<double>(days_in_year) + 1e-6)));
    t.seconds = (DaysFromCivil(whole, 1, 1) + day) * 86400;
  }
  return t;
}

}  // namespace

std::optional<Timestamp> ParseDate(std::string_view value, DateOrder order) {
  if (order == DateOrder::kYmd && (value.size() == 10 || value.size() == 19)) {
    if (auto t = ParseIsoFixed(value)) return t;
  }
  Cursor c{TrimSpaces(value)};
  if (order == DateOrder::kDecimalYear || order == DateOrder::kDecimalYearMonth) {
    return ParseDecimalYear(c.s, order);
  }
  if (c.s.size() < 6 || c.s.size() > 40) return std::nullopt;
  int year = 0, month = 0, day = 0;
  char sep = '\0';
  switch (order) {
    case DateOrder::kYmd: {
      if (!c.Digits(4, 4, &year) || !Separator(c, &sep) || !c.Digits(1, 2, &month) ||
          !Separator(c, &sep) || !c.Digits(1, 2, &day)) {
        return std::nullopt;
      }
      return Make(year, month, day, c);
    }
    case DateOrder::kMdy:
    case DateOrder::kDmy: {
      int a, b;
      if (!c.Digits(1, 2, &a) || !Separator(c, &sep) || !c.Digits(1, 2, &b) ||
          !Separator(c, &sep) || !Year(c, &year)) {
        return std::nullopt;
      }
      if (order == DateOrder::kMdy) {
        month = a, day = b;
      } else {
        day = a, month = b;
      }
      return Make(year, month, day, c);
    }
    case DateOrder::kMonthDY: {
      if (!c.MonthName(&month)) return std::nullopt;
      c.Char('-');
      c.Spaces();
      if (!c.Digits(1, 2, &day)) return std::nullopt;
      c.Char(',');
      c.Char('-');
      c.Spaces();
      if (!Year(c, &year)) return std::nullopt;
      return Make(year, month, day, c);
    }
    case DateOrder::kDMonthY: {
      if (!c.Digits(1, 2, &day)) return std::nullopt;
      if (!c.Char('-')) c.Spaces();
      if (!c.MonthName(&month)) return std::nullopt;
      if (!c.Char('-')) c.Spaces();
      if (!Year(c, &year)) return std::nullopt;
      return Make(year, month, day, c);
    }
    case DateOrder::kYearMonth: {
      if (!c.Digits(4, 4, &year) || !Separator(c, &sep) || sep == '.' || !c.Digits(2, 2, &month) ||
          !c.done()) {
        return std::nullopt;
      }
      return Make(year, month, 1, c);
    }
    case DateOrder::kMonthYear: {
      if (!c.MonthName(&month)) return std::nullopt;
      c.Char('-');
      c.Spaces();
      if (!c.Digits(4, 4, &year) || !c.done()) return std::nullopt;
      return Make(year, month, 1, c);
    }
    case DateOrder::kYmdShort: {
      int yy;
      if (!c.Digits(2, 2, &yy) || !Separator(c, &sep) || !c.Digits(1, 2, &month) ||
          !Separator(c, &sep) || !c.Digits(1, 2, &day)) {
        return std::nullopt;
      }
      return Make(Year(yy, 2), month, day, c);
    }
    case DateOrder::kYmdOrMdy:
    case DateOrder::kYmdOrDmy: {
      if (auto t = ParseDate(value, DateOrder::kYmd)) return t;
      return ParseDate(value, order == DateOrder::kYmdOrMdy ? DateOrder::kMdy : DateOrder::kDmy);
    }
    case DateOrder::kDecimalYear:
    case DateOrder::kDecimalYearMonth:
      break;  // above
    case DateOrder::kYmdCompact: {
      // Plausible years only: eight digits are otherwise an amount or a code.
      if (c.s.size() != 8 || !c.Digits(4, 4, &year) || !c.Digits(2, 2, &month) ||
          !c.Digits(2, 2, &day) || year < 1800 || year > 2100) {
        return std::nullopt;
      }
      return Make(year, month, day, c);
    }
    case DateOrder::kYearQuarter:
    case DateOrder::kQuarterYear: {
      int quarter = 0;
      auto quarter_part = [&] { return (c.Char('Q') || c.Char('q')) && c.Digits(1, 1, &quarter); };
      if (order == DateOrder::kYearQuarter) {
        if (!c.Digits(4, 4, &year)) return std::nullopt;
        if (!c.Char('-')) c.Spaces();
        if (!quarter_part()) return std::nullopt;
      } else {
        if (!quarter_part()) return std::nullopt;
        if (!c.Char('-') && !c.Char('/')) c.Spaces();
        if (!c.Digits(4, 4, &year)) return std::nullopt;
      }
      if (quarter < 1 || quarter > 4 || !c.done()) return std::nullopt;
      return Make(year, (quarter - 1) * 3 + 1, 1, c);
    }
  }
  return std::nullopt;
}

std::optional<int32_t> ParseTimeOfDay(std::string_view value) {
  Cursor c{TrimSpaces(value)};
  if (c.s.size() < 4 || c.s.size() > 15) return std::nullopt;
  int h, m, s = 0;
  if (!c.Digits(1, 2, &h) || !c.Char(':') || !c.Digits(2, 2, &m)) return std::nullopt;
  if (c.Char(':')) {
    if (!c.Digits(2, 2, &s)) return std::nullopt;
    if (c.Char('.')) {
      int ignored;
      if (!IsDigit(c.peek())) return std::nullopt;
      while (IsDigit(c.peek())) c.Digits(1, 1, &ignored);
    }
  }
  c.Spaces();
  if (c.peek() == 'A' || c.peek() == 'P' || c.peek() == 'a' || c.peek() == 'p') {
    const bool pm = c.peek() == 'P' || c.peek() == 'p';
    ++c.i;
    if ((!c.Char('M') && !c.Char('m')) || h < 1 || h > 12) return std::nullopt;
    h = h % 12 + (pm ? 12 : 0);
  }
  if (!c.done() || h > 23 || m > 59 || s > 59) return std::nullopt;
  return h * 3600 + m * 60 + s;
}

std::string FormatTimeOfDay(int64_t seconds) {
  seconds = ((seconds % 86400) + 86400) % 86400;
  char buf[16];
  if (seconds % 60 == 0) {
    std::snprintf(buf, sizeof(buf), "%02d:%02d", static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds / 60 % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d", static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  }
  return buf;
}

std::string HourLabel(int64_t seconds) { return FormatTimeOfDay(seconds / 3600 * 3600); }

std::string FormatTimestamp(int64_t seconds, bool with_time) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rest = seconds - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[80];
  if (with_time) {
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                  static_cast<long long>(y), m, d, static_cast<long long>(rest / 3600),
                  static_cast<long long>(rest / 60 % 60), static_cast<long long>(rest % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  }
  return buf;
}

}  // namespace datastory::table
