// The money family on a hand-built cube: sales and profit in dollars by region, where West
// loses money and profit is a part of sales in every sampled row.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/insight.h"

namespace datastory::analysis {
namespace {

Aggregate Total(int64_t n, double sum) {
  Aggregate a;
  a.n = n;
  a.sum = sum;
  a.mean = sum / static_cast<double>(n);
  return a;
}

ColumnProfile Money(std::string name, double sum, int64_t negatives) {
  ColumnProfile c;
  c.schema.name = std::move(name);
  c.schema.type = table::ColumnType::kFloat;
  c.schema.role = table::Role::kMeasure;
  c.schema.unit = table::Unit::kCurrency;
  c.schema.currency_symbol = "$";
  c.count = 300;
  c.sum = sum;
  c.negatives = negatives;
  return c;
}

// region: East sells 30,000 and keeps 3,000; North 20,000 and 4,000; West 10,000 and loses 500.
Profile RegionTable(double profit_in_sample_row = 10) {
  Profile p;
  p.rows = 300;
  ColumnProfile region;
  region.schema.name = "region";
  region.schema.type = table::ColumnType::kCategorical;
  region.schema.role = table::Role::kDimension;
  region.count = 300;
  p.columns = {region, Money("sales", 60000, 0), Money("profit", 6500, 40)};
  Cube& cube = p.cube;
  cube.plan.measures = {1, 2};
  cube.plan.dimensions = {0};
  cube.dimensions.push_back({0,
                             false,
                             0,
                             {{"East", 100, {Total(100, 30000), Total(100, 3000)}},
                              {"North", 100, {Total(100, 20000), Total(100, 4000)}},
                              {"West", 100, {Total(100, 10000), Total(100, -500)}}}});
  for (int i = 0; i < 40; ++i) {
    cube.sample.numbers.push_back({200.0 + i, profit_in_sample_row, NAN});
    cube.sample.labels.push_back({i % 3 == 0 ? "East" : i % 3 == 1 ? "North" : "West"});
  }
  cube.sample.population = 300;
  return p;
}

const Insight* Find(const InsightReport& r, InsightType type, size_t columns) {
  for (const Insight& in : r.insights) {
    if (in.type == type && in.columns.size() == columns) return &in;
  }
  return nullptr;
}

double FactValue(const Insight& in, FactName name) {
  const Fact* f = in.FindFact(name);
  EXPECT_NE(f, nullptr) << FactKey(Fact{name});
  return f ? f->value : NAN;
}

TEST(MoneyInsightTest, LossMakersAndWhatTheyErase) {
  const InsightReport r = DetectInsights(RegionTable(), {});
  const Insight* loss = Find(r, InsightType::kLoss, 2);
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->columns, (std::vector<std::string>{"profit", "region"}));
  EXPECT_EQ(loss->FindFact(FactName::kLoser1)->label, "West");
  EXPECT_DOUBLE_EQ(FactValue(*loss, FactName::kLoser1Total), -500);
  EXPECT_DOUBLE_EQ(FactValue(*loss, FactName::kLossGroups), 1);
  EXPECT_DOUBLE_EQ(FactValue(*loss, FactName::kGains), 7000);
  EXPECT_DOUBLE_EQ(FactValue(*loss, FactName::kErased), 500.0 / 7000);
  // Sales has no negative value: no loss to name.
  for (const Insight& in : r.insights) {
    if (in.type == InsightType::kLoss) {
      EXPECT_EQ(in.columns[0], "profit");
    }
  }
}

TEST(MoneyInsightTest, MarginOverallAndByGroup) {
  const InsightReport r = DetectInsights(RegionTable(), {});
  const Insight* overall = Find(r, InsightType::kMargin, 2);
  ASSERT_NE(overall, nullptr);
  EXPECT_EQ(overall->columns, (std::vector<std::string>{"profit", "sales"}));
  EXPECT_DOUBLE_EQ(FactValue(*overall, FactName::kMargin), 6500.0 / 60000);
  const Insight* by_region = Find(r, InsightType::kMargin, 3);
  ASSERT_NE(by_region, nullptr);
  EXPECT_EQ(by_region->FindFact(FactName::kHighest)->label, "North");
  EXPECT_DOUBLE_EQ(FactValue(*by_region, FactName::kHighestMargin), 0.2);
  EXPECT_EQ(by_region->FindFact(FactName::kLowest)->label, "West");
  EXPECT_DOUBLE_EQ(FactValue(*by_region, FactName::kLowestMargin), -0.05);
}

TEST(MoneyInsightTest, NoMarginWhenOneIsNotAPartOfTheOther) {
  // In the sampled rows "profit" exceeds sales: not a part of it, so no margin.
  const InsightReport r = DetectInsights(RegionTable(/*profit_in_sample_row=*/900), {});
  EXPECT_EQ(Find(r, InsightType::kMargin, 2), nullptr);
  EXPECT_EQ(Find(r, InsightType::kMargin, 3), nullptr);
  EXPECT_NE(Find(r, InsightType::kLoss, 2), nullptr);  // the loss stands on its own
}

TEST(MoneyInsightTest, NoShareOfATotalWithLossesInIt) {
  // East keeps 6,000 of a total profit of 7,000 that West's loss lowers: "East accounts for
  // 86% of total profit" is a share of nothing real, never said.
  Profile p = RegionTable();
  p.cube.dimensions[0].categories[0].measures[1] = Total(100, 6000);
  p.cube.dimensions[0].categories[1].measures[1] = Total(100, 1500);
  p.columns[2].sum = 7000;
  const InsightReport r = DetectInsights(p, {});
  ASSERT_NE(Find(r, InsightType::kLoss, 2), nullptr);
  for (const Insight& in : r.insights) {
    if (in.type == InsightType::kMajority || in.type == InsightType::kEvenness) {
      EXPECT_NE(in.columns[0], "profit");
    }
  }
}

}  // namespace
}  // namespace datastory::analysis
