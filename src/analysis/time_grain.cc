#include "analysis/time_grain.h"

#include <array>
#include <cinttypes>
#include <cstdio>

#include "base/calendar.h"
#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

constexpr int64_t kDay = 86400;
constexpr std::array<std::string_view, 8> kNames = {"second", "minute", "hour",    "day",
                                                    "week",   "month",  "quarter", "year"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Civil {
  int64_t year;
  unsigned month, day;
  int64_t seconds_of_day;
};

Civil ToCivil(int64_t seconds) {
  Civil c;
  int64_t days = FloorDiv(seconds, kDay);
  c.seconds_of_day = seconds - days * kDay;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  return c;
}

int64_t FromCivil(int64_t year, unsigned month, unsigned day) {
  return DaysFromCivil(year, month, day) * kDay;
}

}  // namespace

std::string_view TimeGrainName(TimeGrain grain) { return kNames[static_cast<size_t>(grain)]; }

std::optional<TimeGrain> ParseTimeGrain(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<TimeGrain>(i);
  }
  return std::nullopt;
}

int64_t TruncateTime(int64_t seconds, TimeGrain grain) {
  switch (grain) {
    case TimeGrain::kSecond:
      return seconds;
    case TimeGrain::kMinute:
      return FloorDiv(seconds, 60) * 60;
    case TimeGrain::kHour:
      return FloorDiv(seconds, 3600) * 3600;
    case TimeGrain::kDay:
      return FloorDiv(seconds, kDay) * kDay;
    case TimeGrain::kWeek: {
      int64_t days = FloorDiv(seconds, kDay);
      // 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) mod 7.
      int64_t weekday = ((days + 3) % 7 + 7) % 7;
      return (days - weekday) * kDay;
    }
    case TimeGrain::kMonth: {
      Civil c = ToCivil(seconds);
      return FromCivil(c.year, c.month, 1);
    }
    case TimeGrain::kQuarter: {
      Civil c = ToCivil(seconds);
      return FromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1);
    }
    case TimeGrain::kYear:
      return FromCivil(ToCivil(seconds).year, 1, 1);
  }
  return seconds;
}

int64_t NextBucket(int64_t start, TimeGrain grain) {
  switch (grain) {
    case TimeGrain::kSecond:
      return start + 1;
    case TimeGrain::kMinute:
      return start + 60;
    case TimeGrain::kHour:
      return start + 3600;
    case TimeGrain::kDay:
      return start + kDay;
    case TimeGrain::kWeek:
      return start + 7 * kDay;
    case TimeGrain::kMonth:
    case TimeGrain::kQuarter: {
      Civil c = ToCivil(start);
      unsigned months = grain == TimeGrain::kMonth ? 1 : 3;
      unsigned m = c.month + months;
      int64_t y = c.year + (m > 12);
      return FromCivil(y, m > 12 ? m - 12 : m, 1);
    }
    case TimeGrain::kYear:
      return FromCivil(ToCivil(start).year + 1, 1, 1);
  }
  return start + 1;
}

TimeGrain CoarserStorageGrain(TimeGrain grain) {
  switch (grain) {
    case TimeGrain::kSecond:
      return TimeGrain::kMinute;
    case TimeGrain::kMinute:
      return TimeGrain::kHour;
    case TimeGrain::kHour:
      return TimeGrain::kDay;
    case TimeGrain::kDay:
    case TimeGrain::kWeek:
      return TimeGrain::kMonth;
    case TimeGrain::kMonth:
      return TimeGrain::kQuarter;
    case TimeGrain::kQuarter:
    case TimeGrain::kYear:
      return TimeGrain::kYear;
  }
  return TimeGrain::kYear;
}

std::string FormatBucket(int64_t start, TimeGrain grain) {
  Civil c = ToCivil(start);
  char buf[64];
  const int64_t y = c.year;
  switch (grain) {
    case TimeGrain::kYear:
      std::snprintf(buf, sizeof(buf), "%" PRId64, y);
      break;
    case TimeGrain::kQuarter:
      std::snprintf(buf, sizeof(buf), "%" PRId64 " Q%u", y, (c.month - 1) / 3 + 1);
      break;
    case TimeGrain::kMonth:
      std::snprintf(buf, sizeof(buf), "%s %" PRId64, kMonths[c.month - 1], y);
      break;
    case TimeGrain::kWeek:
    case TimeGrain::kDay:
      std::snprintf(buf, sizeof(buf), "%s %u, %" PRId64, kMonths[c.month - 1], c.day, y);
      break;
    default:
      std::snprintf(buf, sizeof(buf), "%s %u, %" PRId64 " %02" PRId64 ":%02" PRId64,
                    kMonths[c.month - 1], c.day, y, static_cast<int64_t>(c.seconds_of_day / 3600),
                    static_cast<int64_t>(c.seconds_of_day / 60 % 60));
      break;
  }
  return buf;
}

std::string FormatBucketIso(int64_t start, TimeGrain grain) {
  Civil c = ToCivil(start);
  char buf[64];
  const int64_t y = c.year;
  switch (grain) {
    case TimeGrain::kYear:
      std::snprintf(buf, sizeof(buf), "%04" PRId64, y);
      break;
    case TimeGrain::kQuarter:
    case TimeGrain::kMonth:
      std::snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u", y, c.month);
      break;
    case TimeGrain::kWeek:
    case TimeGrain::kDay:
      std::snprintf(buf, sizeof(buf), "%04" PRId64 "-%02u-%02u", y, c.month, c.day);
      break;
    default:
      std::snprintf(buf, sizeof(buf),
                    "%04" PRId64 "-%02u-%02uT%02" PRId64 ":%02" PRId64 ":%02" PRId64, y, c.month,
                    c.day, static_cast<int64_t>(c.seconds_of_day / 3600),
                    static_cast<int64_t>(c.seconds_of_day / 60 % 60),
                    static_cast<int64_t>(c.seconds_of_day % 60));
      break;
  }
  return buf;
}

int MonthOf(int64_t seconds) { return static_cast<int>(ToCivil(seconds).month); }
int QuarterOf(int64_t seconds) { return (MonthOf(seconds) - 1) / 3 + 1; }
int64_t YearOf(int64_t seconds) { return ToCivil(seconds).year; }
int HourOf(int64_t seconds) { return static_cast<int>(ToCivil(seconds).seconds_of_day / 3600); }
int WeekdayOf(int64_t seconds) {
  int64_t days = FloorDiv(seconds, kDay);
  return static_cast<int>(((days + 3) % 7 + 7) % 7) + 1;
}
int64_t YearStart(int64_t year) { return FromCivil(year, 1, 1); }

std::string_view HolidayOn(int64_t seconds) {
  int64_t year;
  unsigned month, day;
  const int64_t days = FloorDiv(seconds, kDay);
  CivilFromDays(days, &year, &month, &day);
  const int weekday = WeekdayOf(seconds);  // 1 = Monday
  if (month == 1 && day == 1) return "New Year's Day";
  if (month == 5 && day == 1) return "May Day";
  if (month == 7 && day == 4) return "Independence Day";
  if (month == 12 && day == 24) return "Christmas Eve";
  if (month == 12 && day == 25) return "Christmas Day";
  if (month == 12 && day == 26) return "Boxing Day";
  if (month == 12 && day == 31) return "New Year's Eve";
  if (month == 5 && weekday == 1 && day + 7 > 31) return "Memorial Day";
  if (month == 9 && weekday == 1 && day <= 7) return "Labor Day";
  if (month == 11 && weekday == 4 && day >= 22 && day <= 28) return "Thanksgiving";
  // Easter Sunday (the anonymous Gregorian computus), and the days around it.
  const int64_t a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  const int64_t f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  const int64_t i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int64_t m = (a + 11 * h + 22 * l) / 451;
  const unsigned easter_month = static_cast<unsigned>((h + l - 7 * m + 114) / 31);
  const unsigned easter_day = static_cast<unsigned>((h + l - 7 * m + 114) % 31 + 1);
  const int64_t easter = DaysFromCivil(year, easter_month, easter_day);
  if (days == easter - 2) return "Good Friday";
  if (days == easter) return "Easter Sunday";
  if (days == easter + 1) return "Easter Monday";
  return {};
}

}  // namespace datastory::analysis
