// The time family on a hand-built cube: 36 months of sales, exactly 100 + 10 per month, stamped on
// each month's first day. Every number of the trend is known.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/insight.h"

namespace datastory::analysis {
namespace {

int64_t MonthStart(int index) {  // 0 = Jan 2020
  return TruncateTime(YearStart(2020 + index / 12) + (index % 12) * 31 * 86400, TimeGrain::kMonth);
}

Profile MonthlySales(double (*sales)(int)) {
  Profile p;
  p.rows = 36;
  ColumnProfile date, amount;
  date.schema.name = "date";
  date.schema.type = table::ColumnType::kDate;
  date.schema.role = table::Role::kTime;
  date.count = 36;
  amount.schema.name = "sales";
  amount.schema.type = table::ColumnType::kFloat;
  amount.schema.role = table::Role::kMeasure;
  amount.count = 36;
  double total = 0;
  TimeSeriesCube whole;
  for (int m = 0; m < 36; ++m) {
    whole.cells.push_back({MonthStart(m), 1, {{1, sales(m)}}});
    total += sales(m);
  }
  amount.sum = total;
  p.columns = {date, amount};
  p.cube.plan.time_column = 0;
  p.cube.plan.measures = {1};
  p.cube.grain = TimeGrain::kMonth;
  p.cube.series.push_back(whole);
  return p;
}

const Insight* Find(const InsightReport& r, InsightType type) {
  for (const Insight& in : r.insights) {
    if (in.type == type && in.subspace.empty()) return &in;
  }
  return nullptr;
}

TEST(TimeInsightTest, UnderTwoWholeYearsTheChangeIsFromTheFirstValueToTheLast) {
  // 18 months from January: one whole year only, so the first and last months are compared.
  Profile p = MonthlySales([](int m) { return 100.0 + 10 * m; });
  p.cube.series[0].cells.resize(18);
  const InsightReport r = DetectInsights(p, {});
  const Insight* trend = Find(r, InsightType::kTrend);
  ASSERT_NE(trend, nullptr);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kFirst)->value, 100);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kLast)->value, 270);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kChangePct)->value, 170);
  EXPECT_EQ(trend->FindFact(FactName::kEnd)->grain, TimeGrain::kMonth);
}

TEST(TimeInsightTest, ARiseWhoseLastValueIsBelowItsFirstStatesNoChange) {
  // Rising through 18 months but for a last month that falls back below the first: the trend
  // is up, and the text must not say "rose -50%".
  Profile p = MonthlySales([](int m) { return m < 17 ? 100.0 + 10 * m : 50.0; });
  p.cube.series[0].cells.resize(18);
  const InsightReport r = DetectInsights(p, {});
  const Insight* trend = Find(r, InsightType::kTrend);
  ASSERT_NE(trend, nullptr);
  ASSERT_EQ(trend->direction, Direction::kUp);
  EXPECT_LT(trend->FindFact(FactName::kLast)->value, trend->FindFact(FactName::kFirst)->value);
  EXPECT_EQ(trend->FindFact(FactName::kChangePct), nullptr);
}

// Monthly totals that follow the length of the month (100 a day, 150 a day in December) are
// compared per day: December is the peak, and February, the shortest month, is not the trough.
TEST(TimeInsightTest, MonthsOfUnequalLengthAreComparedPerDay) {
  const InsightReport r = DetectInsights(
      MonthlySales([](int m) {
        const int64_t start = MonthStart(m);
        const double days =
            static_cast<double>(NextBucket(start, TimeGrain::kMonth) - start) / 86400;
        return (m % 12 == 11 ? 150.0 : 100.0) * days;
      }),
      {});
  const Insight* cycle = Find(r, InsightType::kSeasonality);
  ASSERT_NE(cycle, nullptr);
  EXPECT_EQ(cycle->FindFact(FactName::kPerDay)->value, 1);
  EXPECT_EQ(cycle->FindFact(FactName::kPeak)->label, "Dec");
  EXPECT_DOUBLE_EQ(cycle->FindFact(FactName::kPeakValue)->value, 150);
  EXPECT_NE(cycle->FindFact(FactName::kTrough)->label, "Feb");
  EXPECT_DOUBLE_EQ(cycle->FindFact(FactName::kTroughValue)->value, 100);
  // Each December is the season, not a spike.
  EXPECT_EQ(Find(r, InsightType::kOutlier), nullptr);
}

TEST(TimeInsightTest, ALineIsATrendWithItsExactSlope) {
  const InsightReport r = DetectInsights(MonthlySales([](int m) { return 100.0 + 10 * m; }), {});
  ASSERT_EQ(r.grain, TimeGrain::kMonth);
  const Insight* trend = Find(r, InsightType::kTrend);
  ASSERT_NE(trend, nullptr);
  EXPECT_EQ(trend->direction, Direction::kUp);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kSlope)->value, 10);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kBuckets)->value, 36);
  // The change is the data's own, from the first whole year to the last: 2020 sums to 1,860
  // (100 + 110 + … + 210), 2022 to 4,740. The fitted line's (100 to 450) is kept beside it.
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kFirst)->value, 1860);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kLast)->value, 4740);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kChangePct)->value, (4740.0 - 1860) / 1860 * 100);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kFitStart)->value, 100);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kFitEnd)->value, 450);
  EXPECT_DOUBLE_EQ(trend->FindFact(FactName::kFitChangePct)->value, 350);
  EXPECT_EQ(trend->FindFact(FactName::kStart)->grain, TimeGrain::kYear);
  EXPECT_EQ(FormatBucketIso(static_cast<int64_t>(trend->FindFact(FactName::kStart)->value),
                            TimeGrain::kYear),
            "2020");
  EXPECT_EQ(FormatBucketIso(static_cast<int64_t>(trend->FindFact(FactName::kEnd)->value),
                            TimeGrain::kYear),
            "2022");
  // A straight line has no shift and no cycle.
  EXPECT_EQ(Find(r, InsightType::kChangePoint), nullptr);
  EXPECT_EQ(Find(r, InsightType::kSeasonality), nullptr);
}

TEST(TimeInsightTest, AStepIsAShiftBetweenItsTwoLevels) {
  const InsightReport r =
      DetectInsights(MonthlySales([](int m) { return (m < 18 ? 100.0 : 160.0) + (m % 3); }), {});
  const Insight* shift = Find(r, InsightType::kChangePoint);
  ASSERT_NE(shift, nullptr);
  EXPECT_EQ(shift->direction, Direction::kUp);
  EXPECT_EQ(FormatBucketIso(static_cast<int64_t>(shift->FindFact(FactName::kAt)->value),
                            TimeGrain::kMonth),
            "2021-07");
  EXPECT_NEAR(shift->FindFact(FactName::kBefore)->value, 101, 1e-9);
  EXPECT_NEAR(shift->FindFact(FactName::kAfter)->value, 161, 1e-9);
  // Both levels are drawn on the chart, not only a marker at the break.
  ASSERT_EQ(shift->evidence.fit.size(), 36u);
  EXPECT_NEAR(shift->evidence.fit[0], 101, 1e-9);
  EXPECT_NEAR(shift->evidence.fit[35], 161, 1e-9);
}

TEST(TimeInsightTest, AnExcursionThatReturnsIsNotAShift) {
  // Six high months in the middle of a flat series: the level comes back. One excursion, from
  // May 2021 until Nov 2021, and no shift.
  const InsightReport r = DetectInsights(
      MonthlySales([](int m) { return (m >= 16 && m <= 21 ? 160.0 : 100.0) + (m % 3); }), {});
  int excursions = 0;
  for (const Insight& in : r.insights) {
    if (in.type != InsightType::kChangePoint) continue;
    ASSERT_NE(in.FindFact(FactName::kReturned), nullptr) << "a shift was reported";
    ++excursions;
    EXPECT_EQ(in.direction, Direction::kUp);
    EXPECT_EQ(
        FormatBucketIso(static_cast<int64_t>(in.FindFact(FactName::kAt)->value), TimeGrain::kMonth),
        "2021-05");
    EXPECT_EQ(FormatBucketIso(static_cast<int64_t>(in.FindFact(FactName::kReturned)->value),
                              TimeGrain::kMonth),
              "2021-11");
    EXPECT_NEAR(in.FindFact(FactName::kAfter)->value, 161, 1e-9);
  }
  EXPECT_EQ(excursions, 1);
}

TEST(TimeInsightTest, ASmoothDeclineIsATrendNotAShift) {
  const InsightReport r =
      DetectInsights(MonthlySales([](int m) { return 1000.0 - 0.5 * m * m; }), {});
  ASSERT_NE(Find(r, InsightType::kTrend), nullptr);
  for (const Insight& in : r.insights) {
    if (in.type == InsightType::kChangePoint) {
      EXPECT_NE(in.FindFact(FactName::kTurned), nullptr) << "a shift was reported";
    }
  }
}

}  // namespace
}  // namespace datastory::analysis
