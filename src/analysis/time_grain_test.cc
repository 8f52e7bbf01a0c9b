#include "analysis/time_grain.h"

#include <gtest/gtest.h>

#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

int64_t At(int64_t y, unsigned m, unsigned d, int64_t seconds = 0) {
  return DaysFromCivil(y, m, d) * 86400 + seconds;
}

TEST(TimeGrainTest, Truncate) {
  const int64_t t = At(2024, 5, 15, 13 * 3600 + 45 * 60 + 7);  // Wednesday
  EXPECT_EQ(TruncateTime(t, TimeGrain::kSecond), t);
  EXPECT_EQ(TruncateTime(t, TimeGrain::kMinute), At(2024, 5, 15, 13 * 3600 + 45 * 60));
  EXPECT_EQ(TruncateTime(t, TimeGrain::kHour), At(2024, 5, 15, 13 * 3600));
  EXPECT_EQ(TruncateTime(t, TimeGrain::kDay), At(2024, 5, 15));
  EXPECT_EQ(TruncateTime(t, TimeGrain::kWeek), At(2024, 5, 13));  // the Monday before
  EXPECT_EQ(TruncateTime(t, TimeGrain::kMonth), At(2024, 5, 1));
  EXPECT_EQ(TruncateTime(t, TimeGrain::kQuarter), At(2024, 4, 1));
  EXPECT_EQ(TruncateTime(t, TimeGrain::kYear), At(2024, 1, 1));
  // Before 1970 the floor still goes down, not toward zero.
  EXPECT_EQ(TruncateTime(At(1969, 12, 31, 3600), TimeGrain::kDay), At(1969, 12, 31));
  EXPECT_EQ(TruncateTime(At(1900, 3, 5), TimeGrain::kYear), At(1900, 1, 1));
  EXPECT_EQ(TruncateTime(At(1969, 12, 31), TimeGrain::kWeek), At(1969, 12, 29));
}

TEST(TimeGrainTest, NextBucketRollsOver) {
  EXPECT_EQ(NextBucket(At(2024, 12, 1), TimeGrain::kMonth), At(2025, 1, 1));
  EXPECT_EQ(NextBucket(At(2024, 10, 1), TimeGrain::kQuarter), At(2025, 1, 1));
  EXPECT_EQ(NextBucket(At(2024, 2, 1), TimeGrain::kMonth), At(2024, 3, 1));
  EXPECT_EQ(NextBucket(At(2024, 1, 1), TimeGrain::kYear), At(2025, 1, 1));
  EXPECT_EQ(NextBucket(At(2024, 5, 13), TimeGrain::kWeek), At(2024, 5, 20));
}

TEST(TimeGrainTest, CoarserGrainsNest) {
  TimeGrain g = TimeGrain::kSecond;
  std::vector<TimeGrain> chain;
  while (g != TimeGrain::kYear) chain.push_back(g = CoarserStorageGrain(g));
  EXPECT_EQ(chain,
            (std::vector<TimeGrain>{TimeGrain::kMinute, TimeGrain::kHour, TimeGrain::kDay,
                                    TimeGrain::kMonth, TimeGrain::kQuarter, TimeGrain::kYear}));
  EXPECT_EQ(CoarserStorageGrain(TimeGrain::kYear), TimeGrain::kYear);
}

TEST(TimeGrainTest, Labels) {
  const int64_t t = At(2024, 3, 4, 14 * 3600);
  EXPECT_EQ(FormatBucket(TruncateTime(t, TimeGrain::kYear), TimeGrain::kYear), "2024");
  EXPECT_EQ(FormatBucket(TruncateTime(t, TimeGrain::kQuarter), TimeGrain::kQuarter), "2024 Q1");
  EXPECT_EQ(FormatBucket(TruncateTime(t, TimeGrain::kMonth), TimeGrain::kMonth), "Mar 2024");
  EXPECT_EQ(FormatBucket(TruncateTime(t, TimeGrain::kDay), TimeGrain::kDay), "Mar 4, 2024");
  EXPECT_EQ(FormatBucket(t, TimeGrain::kHour), "Mar 4, 2024 14:00");
  EXPECT_EQ(FormatBucketIso(t, TimeGrain::kHour), "2024-03-04T14:00:00");
  EXPECT_EQ(FormatBucketIso(At(2024, 3, 1), TimeGrain::kMonth), "2024-03");
  EXPECT_EQ(ParseTimeGrain("quarter"), TimeGrain::kQuarter);
  EXPECT_FALSE(ParseTimeGrain("fortnight"));
}

TEST(TimeGrainTest, CalendarParts) {
  const int64_t t = At(2024, 8, 18, 23 * 3600);  // a Sunday
  EXPECT_EQ(MonthOf(t), 8);
  EXPECT_EQ(QuarterOf(t), 3);
  EXPECT_EQ(WeekdayOf(t), 7);
  EXPECT_EQ(HourOf(t), 23);
  EXPECT_EQ(YearOf(t), 2024);
  EXPECT_EQ(YearStart(2024), At(2024, 1, 1));
}

}  // namespace
}  // namespace datastory::analysis

namespace datastory::analysis {
namespace {

TEST(TimeGrainTest, HolidaysByDateByRuleAndByEaster) {
  auto on = [](int y, unsigned m, unsigned d) {
    return std::string(HolidayOn(DaysFromCivil(y, m, d) * 86400 + 3600));
  };
  EXPECT_EQ(on(2024, 12, 25), "Christmas Day");
  EXPECT_EQ(on(2023, 1, 1), "New Year's Day");
  EXPECT_EQ(on(2024, 3, 31), "Easter Sunday");
  EXPECT_EQ(on(2025, 4, 18), "Good Friday");
  EXPECT_EQ(on(2000, 4, 24), "Easter Monday");
  EXPECT_EQ(on(2024, 11, 28), "Thanksgiving");
  EXPECT_EQ(on(2023, 11, 23), "Thanksgiving");
  EXPECT_EQ(on(2024, 11, 29), "");  // a shopping day, not a holiday
  EXPECT_EQ(on(2024, 5, 27), "Memorial Day");
  EXPECT_EQ(on(2024, 9, 2), "Labor Day");
  EXPECT_EQ(on(2024, 11, 21), "");  // the third Thursday
  EXPECT_EQ(on(2024, 5, 20), "");   // not the last Monday of May
  EXPECT_EQ(on(2024, 6, 12), "");
}

}  // namespace
}  // namespace datastory::analysis
