// Insight detectors on tables whose answers are known: a planted trend, level shift, cycle,
// dominant category, long-format series and a row of totals are found; pure noise gives no
// finding at all.
#include "analysis/insight.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

InsightReport Detect(const std::string& csv) {
  auto source = csv::MemorySource(csv, "t.csv");
  ProfileOptions options;
  options.build_cube = true;
  auto p = ProfileSource(*source, options);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return DetectInsights(*p, {});
}

std::vector<const Insight*> OfType(const InsightReport& r, InsightType type) {
  std::vector<const Insight*> out;
  for (const Insight& in : r.insights) {
    if (in.type == type) out.push_back(&in);
  }
  return out;
}

std::string Month(int index) {  // 0 = Jan 2020
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-15", 2020 + index / 12, index % 12 + 1);
  return buf;
}

std::string FactTime(const Insight& in, FactName name) {
  const Fact* f = in.FindFact(name);
  return f ? FormatBucketIso(static_cast<int64_t>(f->value), f->grain) : "";
}

// A questionnaire of 54 people and a thousand questions: the one answer that differs by group
// is found though it stands far to the right, and the half million pairs of random answers,
// all tested, give no finding.
TEST(InsightTest, WideTableIsReadWholeWithoutFalseFindings) {
  std::mt19937 rng(5);
  std::string csv = "respondent_id,group";
  for (int q = 1; q <= 1000; ++q) csv += ",q" + std::to_string(q);
  csv += "\n";
  for (int r = 0; r < 54; ++r) {
    const bool a = r % 2 == 0;
    csv += "R" + std::to_string(r) + (a ? ",A" : ",B");
    for (int q = 1; q <= 1000; ++q) {
      int v = 1 + static_cast<int>(rng() % 5);
      if (q == 900 && a) v = std::min(5, v + 3);
      csv += "," + std::to_string(v);
    }
    csv += "\n";
  }
  InsightReport r = Detect(csv);
  bool found = false;
  for (const Insight& in : r.insights) {
    found |= in.type == InsightType::kCorrelation &&
             in.columns == std::vector<std::string>{"q900", "group"};
    EXPECT_TRUE(in.columns.empty() || in.columns[0] == "q900" ||
                std::find(in.columns.begin(), in.columns.end(), "q900") != in.columns.end() ||
                in.type == InsightType::kDataQuality || in.type == InsightType::kEvenness)
        << InsightTypeName(in.type) << " " << in.columns[0];
  }
  EXPECT_TRUE(found);
  EXPECT_GT(r.tests, 1000 * 999 / 2);  // every pair of answers was tested
}

TEST(InsightTest, PlantedTrend) {
  std::mt19937 rng(1);
  std::normal_distribution<double> noise(0, 5);
  std::string csv = "date,revenue\n";
  for (int m = 0; m < 36; ++m)
    csv += Month(m) + "," + std::to_string(100 + 3 * m + noise(rng)) + "\n";
  InsightReport r = Detect(csv);
  auto trends = OfType(r, InsightType::kTrend);
  ASSERT_EQ(trends.size(), 1u);
  EXPECT_EQ(trends[0]->direction, Direction::kUp);
  // The change is the data's, from the first whole year to the last: 2020 totals about
  // 1,398, 2022 about 2,262, +62%. The fitted line goes from about 100 to about 205: +105%.
  EXPECT_NEAR(trends[0]->FindFact(FactName::kChangePct)->value, 62, 8);
  EXPECT_NEAR(trends[0]->FindFact(FactName::kFitChangePct)->value, 105, 15);
  EXPECT_EQ(FactTime(*trends[0], FactName::kStart), "2020");
  EXPECT_EQ(FactTime(*trends[0], FactName::kEnd), "2022");
  EXPECT_LT(trends[0]->q_value, 0.001);
  ASSERT_EQ(r.trends.size(), 1u);
  EXPECT_EQ(r.trends[0].grain, TimeGrain::kMonth);
}

// Rates and levels are averaged, never added, whatever else their names hold: a discount is
// not a "count", a unit price is a price; a population is added (it holds no "lat").
TEST(InsightTest, RatesAreAveragedAndCountsAdded) {
  std::string csv = "city,discount,population,unitPrice\n";
  for (int i = 0; i < 90; ++i) {
    const char* city = i % 3 == 0 ? "Philadelphia" : i % 3 == 1 ? "Boston" : "Denver";
    const double discount = i % 3 == 0 ? 0.6 + 0.01 * (i % 4) : 0.1 + 0.01 * (i % 5);
    const int population = (i % 3 == 1 ? 50000 : 1000) + i;
    csv += std::string(city) + "," + std::to_string(discount) + "," + std::to_string(population) +
           "," + std::to_string(10 + i % 7) + "\n";
  }
  InsightReport r = Detect(csv);
  std::map<std::string, std::set<std::string>> aggregations;
  for (const Insight& in : r.insights) {
    if (in.columns.size() == 2 && in.columns[1] == "city") {
      aggregations[in.columns[0]].insert(in.aggregation);
    }
  }
  EXPECT_EQ(aggregations["discount"], std::set<std::string>{"mean"});
  EXPECT_EQ(aggregations["population"].count("sum"), 1u);
  EXPECT_EQ(aggregations["unitPrice"].count("sum"), 0u);
}

TEST(InsightTest, PlantedLevelShift) {
  std::mt19937 rng(2);
  std::normal_distribution<double> noise(0, 2);
  std::string csv = "date,visits\n";
  for (int m = 0; m < 40; ++m) {
    csv += Month(m) + "," + std::to_string((m < 24 ? 50 : 80) + noise(rng)) + "\n";
  }
  InsightReport r = Detect(csv);
  auto shifts = OfType(r, InsightType::kChangePoint);
  ASSERT_FALSE(shifts.empty());
  EXPECT_EQ(shifts[0]->direction, Direction::kUp);
  EXPECT_EQ(FactTime(*shifts[0], FactName::kAt), "2022-01");  // month 24
  EXPECT_NEAR(shifts[0]->FindFact(FactName::kBefore)->value, 50, 2);
  EXPECT_NEAR(shifts[0]->FindFact(FactName::kAfter)->value, 80, 2);
}

TEST(InsightTest, PlantedYearlyCycle) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 1);
  std::string csv = "date,temperature\n";
  for (int m = 0; m < 60; ++m) {
    double t = 12 + 10 * std::cos(2 * M_PI * (m % 12 - 6) / 12.0) + noise(rng);  // July peak
    csv += Month(m) + "," + std::to_string(t) + "\n";
  }
  InsightReport r = Detect(csv);
  auto cycles = OfType(r, InsightType::kSeasonality);
  ASSERT_EQ(cycles.size(), 1u);
  EXPECT_EQ(cycles[0]->FindFact(FactName::kPeriod)->value, 12);
  EXPECT_EQ(cycles[0]->FindFact(FactName::kPeak)->label, "Jul");
  EXPECT_EQ(cycles[0]->FindFact(FactName::kTrough)->label, "Jan");
  EXPECT_EQ(r.trends[0].seasonal_period, 12);
}

TEST(InsightTest, SmoothSeriesWithoutACycleIsNotSeasonal) {
  // A random walk is smooth (each day like the last) but has no weekly cycle.
  std::mt19937 rng(4);
  std::normal_distribution<double> step(0, 1);
  std::string csv = "date,level\n";
  double level = 100;
  for (int d = 0; d < 400; ++d) {
    level += step(rng);
    csv += table::FormatTimestamp((DaysFromCivil(2023, 1, 1) + d) * 86400, false) + "," +
           std::to_string(level) + "\n";
  }
  InsightReport r = Detect(csv);
  EXPECT_TRUE(OfType(r, InsightType::kSeasonality).empty());
}

TEST(InsightTest, DominantCategory) {
  std::string csv = "region,sales\n";
  const std::pair<const char*, int> regions[] = {
      {"West", 900}, {"East", 40}, {"North", 35}, {"South", 30}, {"Central", 25}};
  for (int i = 0; i < 20; ++i) {
    for (auto [name, sales] : regions)
      csv += std::string(name) + "," + std::to_string(sales + i) + "\n";
  }
  InsightReport r = Detect(csv);
  auto majority = OfType(r, InsightType::kMajority);
  ASSERT_FALSE(majority.empty());
  EXPECT_EQ(majority[0]->FindFact(FactName::kCategory)->label, "West");
  EXPECT_NEAR(majority[0]->FindFact(FactName::kShare)->value, 18190.0 / 21550.0, 1e-9);
  auto top = OfType(r, InsightType::kTopContributor);
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0]->FindFact(FactName::kCategory)->label, "West");
  EXPECT_FALSE(r.limitations.empty());  // no time column
}

TEST(InsightTest, LongFormatIsReadPerSeries) {
  // symbol,date,price: A rises, B falls, C is flat. The mean over symbols is not a series.
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0, 1);
  std::string csv = "symbol,date,price\n";
  for (int m = 0; m < 48; ++m) {
    csv += "A," + Month(m) + "," + std::to_string(10 + m + noise(rng)) + "\n";
    csv += "B," + Month(m) + "," + std::to_string(200 - 2 * m + noise(rng)) + "\n";
    csv += "C," + Month(m) + "," + std::to_string(50 + noise(rng)) + "\n";
  }
  InsightReport r = Detect(csv);
  std::map<std::string, Direction> direction;
  for (const Insight* in : OfType(r, InsightType::kTrend)) {
    ASSERT_EQ(in->subspace.size(), 1u) << "a trend of the mixed series";
    direction[in->subspace[0].second] = in->direction;
  }
  EXPECT_EQ(direction["A"], Direction::kUp);
  EXPECT_EQ(direction["B"], Direction::kDown);
  EXPECT_EQ(direction.count("C"), 0u);
}

TEST(InsightTest, RowsOfTotalsAreNotCountedTwice) {
  std::string csv = "kind,year,deaths\n";
  for (int y = 2000; y < 2010; ++y) {
    int a = 10 + y % 3, b = 20 + y % 5, c = 5;
    csv += "Flood," + std::to_string(y) + "," + std::to_string(a) + "\n";
    csv += "Storm," + std::to_string(y) + "," + std::to_string(b) + "\n";
    csv += "Heat," + std::to_string(y) + "," + std::to_string(c) + "\n";
    csv += "All disasters," + std::to_string(y) + "," + std::to_string(a + b + c) + "\n";
  }
  InsightReport r = Detect(csv);
  for (const Insight& in : r.insights) {
    for (const Fact& f : in.facts) EXPECT_NE(f.label, "All disasters") << in.method;
  }
  bool caveat = false;
  for (const Insight& in : r.insights) {
    for (const std::string& c : in.caveats) caveat |= c.find("All disasters") != std::string::npos;
  }
  EXPECT_TRUE(caveat);
}

// Nothing but noise: many columns, many tests, and the false-discovery control keeps the
// story empty of trends, correlations and group differences.
TEST(InsightTest, PureNoiseGivesNoFinding) {
  std::mt19937 rng(6);
  std::normal_distribution<double> noise(100, 15);
  std::string csv = "date,group,flag";
  for (int c = 0; c < 12; ++c) csv += ",m" + std::to_string(c);
  csv += "\n";
  for (int i = 0; i < 2000; ++i) {
    csv += table::FormatTimestamp((DaysFromCivil(2022, 1, 1) + rng() % 730) * 86400, false);
    csv += ",g" + std::to_string(rng() % 4) + (rng() % 2 ? ",yes" : ",no");
    for (int c = 0; c < 12; ++c) csv += "," + std::to_string(noise(rng));
    csv += "\n";
  }
  InsightReport r = Detect(csv);
  EXPECT_GT(r.tests, 50);
  for (const Insight& in : r.insights) {
    EXPECT_TRUE(in.type == InsightType::kEvenness || in.type == InsightType::kDataQuality)
        << InsightTypeName(in.type) << " " << in.method << " q=" << in.q_value;
  }
}

}  // namespace
}  // namespace datastory::analysis
