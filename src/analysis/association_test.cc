#include "analysis/association.h"

#include <gtest/gtest.h>

namespace datastory::analysis {
namespace {

// Reference values from SciPy 1.10: stats.chi2_contingency(correction=False) and
// stats.f_oneway, with V and η computed from their outputs in NumPy.
TEST(AssociationTest, CramersVMatchesReference) {
  CramersV a = CramersVTest({{10, 20, 30}, {20, 10, 5}});
  EXPECT_NEAR(a.chi2, 19.280045351473923, 1e-9);
  EXPECT_NEAR(a.p_value, 6.507157918480003e-05, 1e-12);
  EXPECT_NEAR(a.v, 0.4504973316291548, 1e-12);
  EXPECT_NEAR(a.v_corrected, 0.42851453226469643, 1e-12);
  EXPECT_EQ(a.n, 95);
  // Independent: V = 0; one category only: nothing to say.
  EXPECT_NEAR(CramersVTest({{10, 20}, {20, 40}}).v, 0, 1e-12);
  EXPECT_EQ(CramersVTest({{10, 20}, {0, 0}}).p_value, 1);
}

TEST(AssociationTest, CorrelationRatioMatchesReference) {
  auto moments = [](std::vector<double> v) {
    Moments m;
    m.AddBatch(v.data(), static_cast<int64_t>(v.size()));
    return m;
  };
  CorrelationRatio r =
      CorrelationRatioTest({moments({1, 2, 3}), moments({4, 5, 6, 7}), moments({10, 11})});
  EXPECT_NEAR(r.eta, 0.9593752880891953, 1e-12);
  EXPECT_NEAR(r.f, 34.68888888888889, 1e-9);
  EXPECT_NEAR(r.p_value, 0.0005043404036842284, 1e-12);
  EXPECT_EQ(CorrelationRatioTest({moments({1, 2, 3})}).eta, 0);  // one group
}

TEST(AssociationTest, SpearmanMatchesScipy) {
  // scipy.stats.spearmanr (ties at 2 share rank 2.5).
  RankCorrelation r =
      SpearmanCorrelation({1, 2, 2, 3, 5, 8, 13, 21, 34, 55}, {2, 1, 4, 3, 7, 9, 8, 30, 20, 60});
  EXPECT_NEAR(r.rho, 0.9361745372672995, 1e-12);
  EXPECT_EQ(r.n, 10);
  // NaN pairs are left out; too few pairs give NaN.
  EXPECT_EQ(SpearmanCorrelation({1, NAN, 3, 4}, {1, 2, 3, 5}).n, 3);
  EXPECT_TRUE(std::isnan(SpearmanCorrelation({1, 2}, {1, 2}).rho));
}

TEST(AssociationTest, CorrelationPValueMatchesScipy) {
  // 2 * scipy.stats.t.sf(|t|, n - 2) with t = r sqrt((n - 2) / (1 - r^2)).
  EXPECT_NEAR(CorrelationPValue(0.3, 50), 0.03428618003292995, 1e-12);
  EXPECT_NEAR(CorrelationPValue(-0.3, 50), 0.03428618003292995, 1e-12);
  EXPECT_EQ(CorrelationPValue(1.0, 10), 0);
  EXPECT_EQ(CorrelationPValue(0.5, 2), 1);
}

TEST(AssociationTest, WelchTestMatchesReference) {
  // Welch's t and its degrees of freedom by their formulas, the two-sided p as the regularized
  // incomplete beta I_{df/(df+t²)}(df/2, 1/2), in mpmath at 30 digits.
  auto moments = [](std::vector<double> v) {
    Moments m;
    m.AddBatch(v.data(), static_cast<int64_t>(v.size()));
    return m;
  };
  MeanDifference w = WelchTest(moments({3.1, 4.5, 2.2, 5.8, 4.4, 3.9}),
                               moments({1.2, 2.5, 0.9, 2.2, 1.8, 3.0, 2.1, 1.5}));
  EXPECT_NEAR(w.t, 3.70055779010835618, 1e-12);
  EXPECT_NEAR(w.df, 7.32257131401307041, 1e-12);
  EXPECT_NEAR(w.p_value, 0.00706004817353797098, 1e-12);
  EXPECT_NEAR(w.cohens_d, 2.16924332982780191, 1e-12);
  // Too few values, or no spread: nothing to test.
  EXPECT_EQ(WelchTest(moments({1}), moments({2, 3})).p_value, 1);
  EXPECT_EQ(WelchTest(moments({1, 1}), moments({2, 2})).p_value, 1);
}

}  // namespace
}  // namespace datastory::analysis
