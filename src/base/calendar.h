// The proleptic Gregorian calendar as day counts since 1970-01-01 (UTC), shared by the value
// parser, the time grains and the store's monthly story count.
#ifndef DATASTORY_BASE_CALENDAR_H_
#define DATASTORY_BASE_CALENDAR_H_

#include <cstdint>
#include <string>

namespace datastory {

// Days since 1970-01-01 of a proleptic Gregorian date; the date must be valid.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// The proleptic Gregorian date `days` after 1970-01-01 (negative: before).
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);
// "2026-11": the calendar month (UTC) of a time in milliseconds since the epoch.
std::string MonthOf(int64_t millis);

}  // namespace datastory

#endif  // DATASTORY_BASE_CALENDAR_H_
