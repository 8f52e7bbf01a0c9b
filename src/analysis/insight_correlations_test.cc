// The correlation family on a hand-built cube whose row sample holds every row, so each
// coefficient can be recomputed here from its definition: 60 orders with units, a unit price,
// revenue = units × unit price, and a column of noise; a region and a channel planted to go
// together (a 2 × 2 table of 24, 6 / 6, 24); a city that is a relabelling of the region; a
// yes/no column and its opposite; stores within the regions; a person's age and years of
// experience.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/insight.h"

namespace datastory::analysis {
namespace {

constexpr int kRows = 60;

double Units(int i) { return 1 + i % 20 + i / 20; }
double UnitPrice(int i) { return 5 + (i * 7) % 11; }
double Noise(int i) { return (i * 37) % 13 + ((i * 11) % 5) * 0.5; }
double Age(int i) { return 22 + (i * 17) % 40; }
double Experience(int i) { return Age(i) - 22 - i % 4; }

// Region east or west; channel online or store, agreeing in 48 of 60 rows.
std::string Region(int i) { return i < 30 ? "east" : "west"; }
std::string Channel(int i) {
  const bool online = i < 30 ? i % 5 != 0 : i % 5 == 0;
  return online ? "online" : "store";
}

// Pearson's r from its definition.
double Pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

ColumnProfile Column(std::string name, table::ColumnType type, table::Role role) {
  ColumnProfile c;
  c.schema.name = std::move(name);
  c.schema.type = type;
  c.schema.role = role;
  c.count = kRows;
  return c;
}

Profile OrderTable() {
  using table::ColumnType;
  using table::Role;
  Profile p;
  p.rows = kRows;
  p.columns = {Column("units", ColumnType::kInteger, Role::kMeasure),
               Column("unit_price", ColumnType::kFloat, Role::kMeasure),
               Column("revenue", ColumnType::kFloat, Role::kMeasure),
               Column("noise", ColumnType::kFloat, Role::kMeasure),
               Column("age", ColumnType::kInteger, Role::kMeasure),
               Column("years_experience", ColumnType::kInteger, Role::kMeasure),
               Column("region", ColumnType::kCategorical, Role::kDimension),
               Column("channel", ColumnType::kCategorical, Role::kDimension),
               Column("city", ColumnType::kCategorical, Role::kDimension),
               Column("is_member", ColumnType::kBoolean, Role::kDimension),
               Column("is_guest", ColumnType::kBoolean, Role::kDimension),
               Column("store", ColumnType::kCategorical, Role::kDimension)};
  Cube& cube = p.cube;
  cube.plan.measures = {0, 1, 2, 3, 4, 5};
  cube.plan.dimensions = {6, 7, 8, 9, 10, 11};
  for (int d : cube.plan.dimensions) cube.dimensions.push_back({d, false, 0, {}});
  cube.sample.population = kRows;
  for (int i = 0; i < kRows; ++i) {
    cube.sample.numbers.push_back(
        {Units(i), UnitPrice(i), Units(i) * UnitPrice(i), Noise(i), Age(i), Experience(i)});
    const bool member = i % 3 == 0;
    cube.sample.labels.push_back({Region(i), Channel(i), Region(i) == "east" ? "Boston" : "Reno",
                                  member ? "true" : "false", member ? "false" : "true",
                                  Region(i) == "east" ? (i % 2 ? "S1" : "S2") : "S3"});
  }
  return p;
}

std::vector<double> Values(double (*f)(int)) {
  std::vector<double> v;
  for (int i = 0; i < kRows; ++i) v.push_back(f(i));
  return v;
}

const Insight* FindPair(const InsightReport& r, const std::string& a, const std::string& b) {
  for (const Insight& in : r.insights) {
    if (in.type != InsightType::kCorrelation || in.columns.size() != 2) continue;
    if ((in.columns[0] == a && in.columns[1] == b) || (in.columns[0] == b && in.columns[1] == a)) {
      return &in;
    }
  }
  return nullptr;
}

TEST(CorrelationInsightTest, PearsonOverEveryRowWithTheProductNamedAsStructure) {
  const InsightReport r = DetectInsights(OrderTable(), {});
  std::vector<double> units = Values(Units), revenue;
  for (int i = 0; i < kRows; ++i) revenue.push_back(Units(i) * UnitPrice(i));
  const Insight* link = FindPair(r, "units", "revenue");
  ASSERT_NE(link, nullptr);
  EXPECT_NEAR(link->FindFact(FactName::kR)->value, Pearson(units, revenue), 1e-12);
  EXPECT_EQ(link->FindFact(FactName::kN)->value, kRows);
  EXPECT_EQ(link->direction, Direction::kUp);
  // Revenue is units × unit price in every row: the link is how the data is defined.
  const Fact* identity = link->FindFact(FactName::kIdentity);
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(identity->label, "revenue = units × unit_price");
  // The whole table is the sample: no sampling caveat.
  EXPECT_EQ(link->FindFact(FactName::kSampleRows), nullptr);
  ASSERT_EQ(link->evidence.shape, Evidence::Shape::kScatter);
  EXPECT_EQ(link->evidence.x.size(), static_cast<size_t>(kRows));
}

TEST(CorrelationInsightTest, NoiseIsTestedAndNotReported) {
  const InsightReport r = DetectInsights(OrderTable(), {});
  const double r_noise = Pearson(Values(Units), Values(Noise));
  ASSERT_LT(std::fabs(r_noise), 0.3);  // the data is as planned
  EXPECT_EQ(FindPair(r, "units", "noise"), nullptr);
  // The weak pair is still measured, and listed among the associations.
  bool listed = false;
  for (const AssociationStatistic& a : r.associations) {
    if (a.method == "pearson" && a.a == "units" && a.b == "noise") {
      listed = true;
      EXPECT_NEAR(a.value, r_noise, 1e-12);
    }
  }
  EXPECT_TRUE(listed);
}

TEST(CorrelationInsightTest, CramersVOfTwoDimensionsAndARelabellingIsNotAFinding) {
  const InsightReport r = DetectInsights(OrderTable(), {});
  // Region × channel = [[24, 6], [6, 24]]: φ² = χ²/n = (24·24 − 6·6)² / (30⁴) = 0.36. The
  // bias-corrected V (Bergsma): φ̃² = φ² − 1/(n−1), k̃ = 2 − 1/(n−1), V = √(φ̃² / (k̃ − 1)).
  const double n = kRows;
  const double phi2 = std::pow(24.0 * 24 - 6.0 * 6, 2) / std::pow(30.0, 4);
  const double expected = std::sqrt((phi2 - 1 / (n - 1)) / (1 - 1 / (n - 1)));
  const Insight* link = FindPair(r, "region", "channel");
  ASSERT_NE(link, nullptr);
  EXPECT_NEAR(link->FindFact(FactName::kCramersV)->value, expected, 1e-9);
  EXPECT_EQ(link->FindFact(FactName::kN)->value, kRows);
  ASSERT_EQ(link->evidence.shape, Evidence::Shape::kStack);
  EXPECT_EQ(link->evidence.labels.size(), 2u);
  // East: 24 of 30 online, 0.8.
  EXPECT_DOUBLE_EQ(link->evidence.y[0], 0.8);
  // The city is the region under another name (V = 1): not a finding, though it is measured.
  EXPECT_EQ(FindPair(r, "region", "city"), nullptr);
  bool measured = false;
  for (const AssociationStatistic& a : r.associations) {
    measured |= a.method == "cramers_v" && a.a == "region" && a.b == "city";
  }
  EXPECT_TRUE(measured);
}

TEST(CorrelationInsightTest, RelabellingsAndYearsThatPassAreStructureSaidOnce) {
  const InsightReport r = DetectInsights(OrderTable(), {});
  const std::vector<std::string> expected = {
      "revenue = units × unit_price, row by row",
      "age and years_experience both count years that have passed, so they rise together",
      "region and city name the same groups",
      "is_member is yes where is_guest is no in every row",
      "each store belongs to one region",
      "each store belongs to one city"};
  for (const std::string& line : expected) {
    EXPECT_EQ(std::count(r.structure.begin(), r.structure.end(), line), 1) << line;
  }
  EXPECT_EQ(r.structure.size(), expected.size());
  // Age and experience are strongly linked (r > 0.9), which is why the link is not news.
  const Insight* years = FindPair(r, "age", "years_experience");
  ASSERT_NE(years, nullptr);
  EXPECT_GT(years->FindFact(FactName::kR)->value, 0.9);
  EXPECT_NE(years->FindFact(FactName::kIdentity), nullptr);
  EXPECT_EQ(FindPair(r, "is_member", "is_guest"), nullptr);
}

}  // namespace
}  // namespace datastory::analysis
