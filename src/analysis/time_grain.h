// Time grains: the calendar units a measure is aggregated by (hour, day, week, month, quarter,
// year), and the arithmetic on bucket starts. Times are seconds since 1970-01-01 UTC; a bucket
// is named by the time it starts. Pure functions.
#ifndef DATASTORY_ANALYSIS_TIME_GRAIN_H_
#define DATASTORY_ANALYSIS_TIME_GRAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace datastory::analysis {

// Ordered from fine to coarse. Every grain except kWeek nests in the next coarser one, so the
// streaming aggregates coarsen along that chain; weeks are derived from days at the end.
enum class TimeGrain { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear };

std::string_view TimeGrainName(TimeGrain grain);  // "second" … "year"
std::optional<TimeGrain> ParseTimeGrain(std::string_view name);

// The start of the bucket of `grain` holding `seconds`. Weeks start on Monday (ISO 8601).
int64_t TruncateTime(int64_t seconds, TimeGrain grain);

// The start of the bucket after the one starting at `start` (a bucket start of `grain`).
int64_t NextBucket(int64_t start, TimeGrain grain);

// The next coarser grain along the chain the streaming aggregates use (second → minute → hour →
// day → month → quarter → year); year stays year.
TimeGrain CoarserStorageGrain(TimeGrain grain);

// A bucket's label for people: "2024" (year), "2024 Q1", "Jan 2024", "Mar 4, 2024" (day and
// week), "Mar 4, 2024 14:00" (hour and finer).
std::string FormatBucket(int64_t start, TimeGrain grain);
// A compact label for a chart axis or a data field: "2024", "2024-01" (a month, or a quarter by
// its first month), "2024-03-04", "2024-03-04T14:00:00" (ISO 8601 forms that Vega-Lite parses
// as dates).
std::string FormatBucketIso(int64_t start, TimeGrain grain);

// Calendar parts of a time, for seasonal positions: month 1–12, ISO weekday 1 (Monday)–7,
// hour 0–23, quarter 1–4.
int MonthOf(int64_t seconds);
int WeekdayOf(int64_t seconds);
int HourOf(int64_t seconds);
int QuarterOf(int64_t seconds);
int64_t YearOf(int64_t seconds);

// Seconds since the epoch of January 1 of `year`.
int64_t YearStart(int64_t year);

// The name of a holiday many people keep on the day of `seconds` (UTC), or empty: New Year's
// Day and Eve, Christmas Eve and Day, Boxing Day, May Day, Good Friday, Easter Sunday and
// Monday, and the United States' Memorial Day, Independence Day, Labor Day and Thanksgiving. A
// day's total far from its neighbours on one of them may be the holiday.
std::string_view HolidayOn(int64_t seconds);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_TIME_GRAIN_H_
