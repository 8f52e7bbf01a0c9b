// The correlation family on a hand-built cube whose row sample holds every row, so each
// coefficient can be recomputed here from its definition: 60 orders with units, a unit price,
// revenue = units × unit price, and a column of noise; a region and a channel planted to go
// together (a 2 × 2 table of 24, 6 / 6, 24); a city that is a relabelling of the region.
#include <gtest/gtest.h>

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
               Column("region", ColumnType::kCategorical, Role::kDimension),
               Column("channel", ColumnType::kCategorical, Role::kDimension),
               Column("city", ColumnType::kCategorical, Role::kDimension)};
  Cube& cube = p.cube;
  cube.plan.measures = {0, 1, 2, 3};
  cube.plan.dimensions = {4, 5, 6};
  for (int d : cube.plan.dimensions) cube.dimensions.push_back({d, false, 0, {}});
  cube.sample.population = kRows;
  for (int i = 0; i < kRows; ++i) {
    cube.sample.numbers.push_back({Units(i), UnitPrice(i), Units(i) * UnitPrice(i), Noise(i)});
    cube.sample.labels.push_back({Region(i), Channel(i), Region(i) == "east" ? "Boston" : "Reno"});
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

}  // namespace
}  // namespace datastory::analysis
