#include "analysis/trend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace datastory::analysis {
namespace {

// Reference values from SciPy 1.10 (stats.theilslopes, stats.norm) and the textbook
// Mann-Kendall formulas evaluated in NumPy.
TEST(TrendTest, MannKendallMatchesReference) {
  MannKendall a = MannKendallTest({3, 5, 4, 6, 8, 7, 9, 12, 11, 13});
  EXPECT_EQ(a.s, 39);
  EXPECT_DOUBLE_EQ(a.variance, 125);
  EXPECT_NEAR(a.z, 3.3988233257996803, 1e-12);
  EXPECT_NEAR(a.p_value, 0.0006767641801210811, 1e-12);
  EXPECT_NEAR(a.tau, 39.0 / 45, 1e-12);

  MannKendall ties = MannKendallTest({1, 2, 2, 3, 3, 3, 2, 4, 5, 5, 4, 6});
  EXPECT_EQ(ties.s, 48);
  EXPECT_NEAR(ties.variance, 203.33333333333334, 1e-9);
  EXPECT_NEAR(ties.p_value, 0.0009805515398431108, 1e-12);

  MannKendall flat = MannKendallTest({2, 2, 2, 2});
  EXPECT_EQ(flat.s, 0);
  EXPECT_EQ(flat.p_value, 1);
  MannKendall down = MannKendallTest({5, 4, 3, 2, 1});
  EXPECT_LT(down.z, 0);
  EXPECT_EQ(MannKendallTest({1, 2}).p_value, 1);  // too short to say anything
}

TEST(TrendTest, TheilSenMatchesReferenceAndIgnoresOutliers) {
  std::vector<double> x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_DOUBLE_EQ(TheilSenSlope(x, {3, 5, 4, 6, 8, 7, 9, 12, 11, 13}), 1.0);
  std::vector<double> x12 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  EXPECT_NEAR(TheilSenSlope(x12, {1, 2, 2, 3, 3, 3, 2, 4, 5, 5, 4, 6}), 0.4, 1e-12);
  // One wild value barely moves it (least squares would jump).
  EXPECT_NEAR(TheilSenSlope(x, {0, 2, 4, 6, 8, 1000, 12, 14, 16, 18}), 2.0, 1e-12);
  EXPECT_EQ(TheilSenSlope({1, 1}, {2, 3}), 0);
}

TEST(TrendTest, BenjaminiHochberg) {
  // m = 5: q_(k) = min over j >= k of p_(j) * 5 / j.
  std::vector<double> q = BenjaminiHochberg({0.01, 0.04, 0.03, 0.005, 0.5});
  EXPECT_NEAR(q[3], 0.025, 1e-12);  // 0.005 * 5 / 1, then min with 0.025
  EXPECT_NEAR(q[0], 0.025, 1e-12);  // 0.01 * 5 / 2
  EXPECT_NEAR(q[2], 0.05, 1e-12);   // min(0.03 * 5 / 3, 0.04 * 5 / 4) = 0.05
  EXPECT_NEAR(q[1], 0.05, 1e-12);   // 0.04 * 5 / 4
  EXPECT_NEAR(q[4], 0.5, 1e-12);
  EXPECT_TRUE(BenjaminiHochberg({}).empty());
}

TEST(TrendTest, NormalCdf) {
  EXPECT_NEAR(NormalCdf(0), 0.5, 1e-15);
  EXPECT_NEAR(NormalCdf(1.959963984540054), 0.975, 1e-12);
}

// Reference: the Chow F over every split with numpy.polyfit, p from scipy.stats.f.sf times the
// 8 splits tried.
TEST(TrendTest, ChangePointFindsALevelShift) {
  std::vector<double> y = {10, 11, 9, 10, 12, 10, 11, 30, 31, 29, 30, 32, 31, 30};
  ChangePoint c = FindChangePoint(y, 3);
  EXPECT_EQ(c.index, 7u);
  EXPECT_NEAR(c.f, 149.5574967405475, 1e-8);
  EXPECT_NEAR(c.p_value, 3.1889092135110524e-07, 1e-12);
  EXPECT_NEAR(c.before_mean, 73.0 / 7, 1e-12);
  EXPECT_NEAR(c.after_mean, 213.0 / 7, 1e-12);
}

TEST(TrendTest, ChangePointNeedsEnoughValues) {
  EXPECT_EQ(FindChangePoint({1, 2, 3, 4, 5, 6}, 3).index, 0u);
  EXPECT_EQ(FindChangePoint({1, 2, 3, 4, 5, 6}, 3).p_value, 1);
  // A straight line has no better split than itself.
  std::vector<double> line;
  for (int i = 0; i < 20; ++i) line.push_back(2.0 * i + 1);
  EXPECT_EQ(FindChangePoint(line, 3).p_value, 1);
}

TEST(TrendTest, Autocorrelation) {
  // numpy: sum((y[3:] - m) * (y[:-3] - m)) / sum((y - m)**2).
  EXPECT_NEAR(Autocorrelation({1, 3, 2, 4, 3, 5, 4, 6, 5, 7, 6, 8}, 3), 0.0797872340425532, 1e-12);
  EXPECT_EQ(Autocorrelation({5, 5, 5, 5, 5}, 1), 0);
  EXPECT_EQ(Autocorrelation({1, 2}, 1), 0);
}

}  // namespace
}  // namespace datastory::analysis

namespace datastory::analysis {
namespace {

// An 11-value cycle over a rise, with noise, is found with its length; noise, a random walk
// and a straight rise are not cycles; a calendar period can be left to its own test.
TEST(TrendTest, FindCycleOfAnyLength) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 8);
  std::vector<double> cyclic, walk, white, line;
  double level = 100;
  for (int i = 0; i < 120; ++i) {
    cyclic.push_back(80 + 0.3 * i + 60 * std::sin(2 * M_PI * i / 11.0) + noise(rng));
    level += noise(rng);
    walk.push_back(level);
    white.push_back(100 + noise(rng));
    line.push_back(3.0 * i);
  }
  Cycle c = FindCycle(cyclic, 200);
  EXPECT_EQ(c.length, 11u);
  EXPECT_GT(c.autocorrelation, 0.5);
  EXPECT_LT(c.half, -0.5);
  EXPECT_LT(c.p_value, 1e-6);
  EXPECT_EQ(FindCycle(white, 200).length, 0u);
  EXPECT_EQ(FindCycle(walk, 200).length, 0u);
  EXPECT_EQ(FindCycle(line, 200).length, 0u);
  EXPECT_EQ(FindCycle(cyclic, 10).length, 0u);               // longer than allowed
  EXPECT_EQ(FindCycle(cyclic, 200, 11).length, 0u);          // left to another test
  EXPECT_EQ(FindCycle(cyclic, 200, 12).length, 0u);          // near enough to it
  EXPECT_EQ(FindCycle({1, 2, 3, 1, 2, 3}, 200).length, 0u);  // too short
  const std::vector<double> two(cyclic.begin(), cyclic.begin() + 30);
  EXPECT_EQ(FindCycle(two, 200).length, 0u);  // under three cycles
}

// Peaked, fell 30%, then a record; a low and the rise after it; a steady rise and a small dip
// are no turns.
TEST(TrendTest, FindTurnPeaksLowsAndRecords) {
  //                          2003 2004 2005 2006 2007 2008 2009 2010 2011 2012 2013 2014
  const std::vector<double> sales = {80, 90, 95, 100, 92, 85, 78, 74, 70, 85, 98, 112};
  Turn t = FindTurn(sales);
  ASSERT_TRUE(t.found);
  EXPECT_TRUE(t.peak);
  EXPECT_EQ(t.extreme, 3u);
  EXPECT_EQ(t.reversal, 8u);
  EXPECT_NEAR(t.move, 0.30, 1e-12);
  EXPECT_EQ(t.record, 11u);
  // No record: it had not come back.
  EXPECT_EQ(FindTurn({80, 90, 100, 85, 70, 72, 75}).record, 0u);

  Turn low = FindTurn({100, 90, 70, 60, 66, 75, 84});
  ASSERT_TRUE(low.found);
  EXPECT_FALSE(low.peak);
  EXPECT_EQ(low.extreme, 3u);
  EXPECT_EQ(low.reversal, 6u);
  EXPECT_NEAR(low.move, 0.4, 1e-12);

  EXPECT_FALSE(FindTurn({10, 20, 30, 40, 50, 60}).found);
  EXPECT_FALSE(FindTurn({100, 104, 108, 100, 110, 115}).found);  // an 7% dip
  EXPECT_FALSE(FindTurn({100, 80, 60, 40, 20}).found);           // a fall from the start
  EXPECT_FALSE(FindTurn({1, 2, 0, 2, 3, 4}).found);              // not levels
  EXPECT_FALSE(FindTurn({1, 2, 1, 2}).found);                    // too short
}

}  // namespace
}  // namespace datastory::analysis
