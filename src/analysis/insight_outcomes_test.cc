// The outcome family on a hand-built cube, so that every count is known: 300 customers, a churn
// column (0/1) with 60 ones, a plan whose basic customers churn four times as often as its
// premium ones, and monthly charges that are lower among those who left.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/association.h"
#include "analysis/insight.h"

namespace datastory::analysis {
namespace {

Aggregate Values(int64_t n, double mean, double sd) {
  Aggregate a;
  a.n = n;
  a.sum = mean * static_cast<double>(n);
  a.mean = mean;
  a.m2 = sd * sd * static_cast<double>(n - 1);
  return a;
}

// Ones among n, as a measure of 1s and 0s.
Aggregate Ones(int64_t n, int64_t ones) {
  const double p = static_cast<double>(ones) / static_cast<double>(n);
  Aggregate a;
  a.n = n;
  a.sum = static_cast<double>(ones);
  a.mean = p;
  a.m2 = static_cast<double>(ones) * (1 - p) * (1 - p) + static_cast<double>(n - ones) * p * p;
  return a;
}

table::ColumnSchema Column(std::string name, table::ColumnType type, table::Role role) {
  table::ColumnSchema c;
  c.name = std::move(name);
  c.type = type;
  c.role = role;
  return c;
}

// Columns: plan (categorical), charges (a measure), churn (0/1, the outcome), region (a
// dimension with no link to churn) and tiny (a dimension whose groups are too small to
// compare).
Profile ChurnTable() {
  using table::ColumnType;
  using table::Role;
  Profile p;
  p.rows = 300;
  for (auto schema : {Column("plan", ColumnType::kCategorical, Role::kDimension),
                      Column("charges", ColumnType::kFloat, Role::kMeasure),
                      Column("churn", ColumnType::kInteger, Role::kDimension),
                      Column("region", ColumnType::kCategorical, Role::kDimension),
                      Column("tiny", ColumnType::kCategorical, Role::kDimension)}) {
    ColumnProfile c;
    c.schema = schema;
    c.count = 300;
    p.columns.push_back(c);
  }
  p.columns[1].sum = 300 * 32.5;
  Cube& cube = p.cube;
  cube.plan.measures = {2, 1};  // the outcome first
  cube.plan.outcomes = 1;
  cube.plan.dimensions = {2, 0, 3, 4};
  // churn: 60 ones; charges 27.3 where 1, 33.8 where 0.
  cube.dimensions.push_back({2,
                             false,
                             0,
                             {{"0", 240, {Ones(240, 0), Values(240, 33.8, 8)}},
                              {"1", 60, {Ones(60, 60), Values(60, 27.3, 7)}}}});
  // plan: basic 40 of 100, plus 11 of 100, premium 9 of 100.
  cube.dimensions.push_back({0,
                             false,
                             0,
                             {{"basic", 100, {Ones(100, 40), Values(100, 22.7, 3)}},
                              {"plus", 100, {Ones(100, 11), Values(100, 32.4, 3)}},
                              {"premium", 100, {Ones(100, 9), Values(100, 42.4, 3)}}}});
  // region: the same rate everywhere.
  cube.dimensions.push_back({3,
                             false,
                             0,
                             {{"east", 150, {Ones(150, 30), Values(150, 32.5, 8)}},
                              {"west", 150, {Ones(150, 30), Values(150, 32.5, 8)}}}});
  // tiny: a big rate gap, but in groups of 5 rows.
  cube.dimensions.push_back({4,
                             false,
                             0,
                             {{"a", 290, {Ones(290, 55), Values(290, 32.5, 8)}},
                              {"b", 5, {Ones(5, 5), Values(5, 32.5, 8)}},
                              {"c", 5, {Ones(5, 0), Values(5, 32.5, 8)}}}});
  return p;
}

const Insight* Find(const InsightReport& r, InsightType type, const std::string& column) {
  for (const Insight& in : r.insights) {
    if (in.type == type && in.columns.back() == column) return &in;
  }
  return nullptr;
}

double FactValue(const Insight& in, FactName name) {
  const Fact* f = in.FindFact(name);
  EXPECT_NE(f, nullptr) << FactKey(Fact{name});
  return f ? f->value : NAN;
}

TEST(OutcomeInsightTest, RateWithItsWilsonInterval) {
  const InsightReport r = DetectInsights(ChurnTable(), {});
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].name, "churn");
  EXPECT_EQ(r.outcomes[0].positive, "1");
  EXPECT_EQ(r.outcomes[0].positives, 60);
  EXPECT_EQ(r.outcomes[0].answered, 300);
  const Insight* rate = Find(r, InsightType::kOutcomeRate, "churn");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->id, "i1");  // the headline
  EXPECT_DOUBLE_EQ(FactValue(*rate, FactName::kRate), 0.2);
  // Wilson's interval for 60 of 300, by its formula in Python's floats.
  EXPECT_NEAR(FactValue(*rate, FactName::kRateLow), 0.1586568589669413, 1e-12);
  EXPECT_NEAR(FactValue(*rate, FactName::kRateHigh), 0.24892892376778628, 1e-12);
}

TEST(OutcomeInsightTest, GroupsWithTheHighestAndLowestRates) {
  const InsightReport r = DetectInsights(ChurnTable(), {});
  const Insight* plan = Find(r, InsightType::kOutcomeByGroup, "plan");
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->FindFact(FactName::kHighest)->label, "basic");
  EXPECT_EQ(plan->FindFact(FactName::kLowest)->label, "premium");
  EXPECT_DOUBLE_EQ(FactValue(*plan, FactName::kHighestRate), 0.4);
  EXPECT_DOUBLE_EQ(FactValue(*plan, FactName::kLowestRate), 0.09);
  EXPECT_DOUBLE_EQ(FactValue(*plan, FactName::kLift), 2.0);
  const CramersV test = CramersVTest({{40, 11, 9}, {60, 89, 91}});
  EXPECT_DOUBLE_EQ(FactValue(*plan, FactName::kCramersV), test.v);
  EXPECT_DOUBLE_EQ(plan->p_value, test.p_value);
  // No link (the same rate in each region), or groups too small to compare: nothing said.
  EXPECT_EQ(Find(r, InsightType::kOutcomeByGroup, "region"), nullptr);
  EXPECT_EQ(Find(r, InsightType::kOutcomeByGroup, "tiny"), nullptr);
}

TEST(OutcomeInsightTest, MeasuresThatDifferWithTheOutcome) {
  const InsightReport r = DetectInsights(ChurnTable(), {});
  const Insight* charges = Find(r, InsightType::kOutcomeDifference, "churn");
  ASSERT_NE(charges, nullptr);
  EXPECT_EQ(charges->columns[0], "charges");
  EXPECT_EQ(charges->direction, Direction::kDown);
  EXPECT_DOUBLE_EQ(FactValue(*charges, FactName::kPositiveMean), 27.3);
  EXPECT_DOUBLE_EQ(FactValue(*charges, FactName::kNegativeMean), 33.8);
  Moments yes, no;
  yes.n = 60, yes.mean = 27.3, yes.m2 = 49.0 * 59;
  no.n = 240, no.mean = 33.8, no.m2 = 64.0 * 239;
  const MeanDifference test = WelchTest(yes, no);
  EXPECT_NEAR(FactValue(*charges, FactName::kCohensD), test.cohens_d, 1e-12);
  EXPECT_NEAR(charges->p_value, test.p_value, 1e-15);
}

TEST(OutcomeInsightTest, TheOutcomeIsNeverAMeasureOrASegment) {
  const InsightReport r = DetectInsights(ChurnTable(), {});
  for (const Insight& in : r.insights) {
    const bool outcome_type = in.type == InsightType::kOutcomeRate ||
                              in.type == InsightType::kOutcomeByGroup ||
                              in.type == InsightType::kOutcomeDifference;
    if (outcome_type) continue;
    for (const std::string& c : in.columns) EXPECT_NE(c, "churn") << InsightTypeName(in.type);
  }
  for (const MeasureStatistic& m : r.measures) EXPECT_NE(m.name, "churn");
}

TEST(OutcomeInsightTest, AColumnWithAThirdValueIsNoOutcome) {
  Profile p = ChurnTable();
  p.cube.dimensions[0].categories.push_back({"2", 3, {Ones(3, 0), Values(3, 30, 1)}});
  const InsightReport r = DetectInsights(p, {});
  EXPECT_TRUE(r.outcomes.empty());
  EXPECT_EQ(Find(r, InsightType::kOutcomeRate, "churn"), nullptr);
}

}  // namespace
}  // namespace datastory::analysis
