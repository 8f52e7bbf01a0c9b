#include "analysis/trend.h"

#include <gtest/gtest.h>

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
