// The segment and quality families on a hand-built cube: every total is known, so each fact can
// be checked to the digit. Five regions: East sells 4,000 of 5,000 (an outstanding No. 1 and a
// majority); the average price differs by region with a known η.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/association.h"
#include "analysis/insight.h"

namespace datastory::analysis {
namespace {

Aggregate Group(int64_t n, double mean, double sd) {
  Aggregate a;
  a.n = n;
  a.mean = mean;
  a.sum = mean * static_cast<double>(n);
  a.m2 = sd * sd * static_cast<double>(n - 1);
  return a;
}

ColumnProfile Column(std::string name, table::ColumnType type, table::Role role) {
  ColumnProfile c;
  c.schema.name = std::move(name);
  c.schema.type = type;
  c.schema.role = role;
  c.count = 100;
  return c;
}

struct Region {
  const char* label;
  double sales, price;
};
constexpr Region kRegions[] = {{"East", 4000, 30},
                               {"West", 400, 20},
                               {"North", 300, 21},
                               {"South", 200, 19},
                               {"Central", 100, 20}};

Profile RegionTable() {
  Profile p;
  p.rows = 100;
  p.columns = {Column("region", table::ColumnType::kCategorical, table::Role::kDimension),
               Column("sales", table::ColumnType::kFloat, table::Role::kMeasure),
               Column("price", table::ColumnType::kFloat, table::Role::kMeasure)};
  p.columns[1].sum = 5000;
  p.columns[2].sum = 2200;
  p.cube.plan.measures = {1, 2};
  p.cube.plan.dimensions = {0};
  DimensionCube region{0, false, 0, {}};
  for (const Region& r : kRegions) {
    region.categories.push_back({r.label, 20, {Group(20, r.sales / 20, 5), Group(20, r.price, 2)}});
  }
  p.cube.dimensions.push_back(region);
  // 12 of 100 prices are missing: a data-quality fact.
  p.alerts.push_back({AlertType::kMissing, "price", 0.12, "price has 12 (12.0%) missing values"});
  return p;
}

const Insight* Find(const InsightReport& r, InsightType type, const std::string& measure) {
  for (const Insight& in : r.insights) {
    if (in.type == type && !in.columns.empty() && in.columns[0] == measure) return &in;
  }
  return nullptr;
}

TEST(SegmentInsightTest, OutstandingTopAndMajority) {
  const InsightReport r = DetectInsights(RegionTable(), {});
  const Insight* top = Find(r, InsightType::kTopContributor, "sales");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->FindFact(FactName::kCategory)->label, "East");
  EXPECT_DOUBLE_EQ(top->FindFact(FactName::kShare)->value, 0.8);
  EXPECT_DOUBLE_EQ(top->FindFact(FactName::kRatio)->value, 10);  // 4,000 against West's 400
  const Insight* majority = Find(r, InsightType::kMajority, "sales");
  ASSERT_NE(majority, nullptr);
  EXPECT_DOUBLE_EQ(majority->FindFact(FactName::kShare)->value, 0.8);
  EXPECT_DOUBLE_EQ(majority->FindFact(FactName::kRowShare)->value, 0.2);  // a fifth of the rows
}

TEST(SegmentInsightTest, MeansDifferByGroupWithTheirCorrelationRatio) {
  const InsightReport r = DetectInsights(RegionTable(), {});
  const Insight* eta = nullptr;
  for (const Insight& in : r.insights) {
    if (in.type == InsightType::kCorrelation && in.FindFact(FactName::kEta) &&
        in.columns[0] == "price") {
      eta = &in;
    }
  }
  ASSERT_NE(eta, nullptr);
  std::vector<Moments> groups;
  for (const Region& region : kRegions) {
    Moments m;
    m.n = 20, m.mean = region.price, m.m2 = 4.0 * 19;
    groups.push_back(m);
  }
  const CorrelationRatio expected = CorrelationRatioTest(groups);
  EXPECT_NEAR(eta->FindFact(FactName::kEta)->value, expected.eta, 1e-12);
  EXPECT_EQ(eta->FindFact(FactName::kHighest)->label, "East");
  EXPECT_DOUBLE_EQ(eta->FindFact(FactName::kHighestMean)->value, 30);
  EXPECT_DOUBLE_EQ(eta->FindFact(FactName::kLowestMean)->value, 19);
}

TEST(QualityInsightTest, MissingValuesBecomeAFactAndACaveat) {
  const InsightReport r = DetectInsights(RegionTable(), {});
  const Insight* missing = Find(r, InsightType::kDataQuality, "price");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->FindFact(FactName::kAlert)->label, "MISSING");
  EXPECT_DOUBLE_EQ(missing->FindFact(FactName::kShare)->value, 0.12);
  // Every finding about price carries the missing share as a caveat, with its number.
  for (const Insight& in : r.insights) {
    if (in.type == InsightType::kDataQuality || in.columns.empty() || in.columns[0] != "price") {
      continue;
    }
    const Fact* share = in.FindFact(FactName::kMissingShare);
    ASSERT_NE(share, nullptr) << InsightTypeName(in.type);
    EXPECT_EQ(FactKey(*share), "missingShare:price");
    EXPECT_DOUBLE_EQ(share->value, 0.12);
  }
}

}  // namespace
}  // namespace datastory::analysis
