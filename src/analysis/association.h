// Association between a dimension and another column, for segment insights: Cramér's V for two
// dimensions (from their contingency table) and the correlation ratio η for a dimension and a
// measure (from per-category count, mean and sum of squared deviations). Pure functions.
#ifndef DATASTORY_ANALYSIS_ASSOCIATION_H_
#define DATASTORY_ANALYSIS_ASSOCIATION_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "analysis/moments.h"

namespace datastory::analysis {

struct CramersV {
  double v = 0;            // sqrt(chi² / (n (min(r, k) - 1)))
  double v_corrected = 0;  // Bergsma's bias correction, as ydata-profiling reports it
  double chi2 = 0;
  double p_value = 1;  // of the chi-square test of independence
  int64_t n = 0;
};

// `table[i][j]`: how many rows have category i of one dimension and j of the other. Rows or
// columns that are all zero are ignored; fewer than two of either gives v = 0, p = 1.
CramersV CramersVTest(const std::vector<std::vector<double>>& table);

struct CorrelationRatio {
  double eta = 0;      // sqrt(between-group sum of squares / total sum of squares)
  double f = 0;        // one-way ANOVA F statistic
  double p_value = 1;  // of that F test
};

// Groups are the measure's moments within each category of the dimension.
CorrelationRatio CorrelationRatioTest(const std::vector<Moments>& groups);

// Two groups' means compared: Welch's t test (unequal variances) and Cohen's d on the pooled
// standard deviation. Groups are given as Moments (only n, mean and m2 are read).
struct MeanDifference {
  double difference = 0;  // mean of a - mean of b
  double t = 0;
  double df = 0;       // Welch–Satterthwaite degrees of freedom
  double p_value = 1;  // two-sided
  double cohens_d = 0;
};
// Fewer than 2 values in a group, or no spread in both, gives p = 1 and d = 0.
MeanDifference WelchTest(const Moments& a, const Moments& b);

// Spearman's rank correlation of the pairs (x[i], y[i]) where both are not NaN (average ranks for
// ties). NaN when fewer than 3 pairs or either side is constant.
struct RankCorrelation {
  double rho = NAN;
  int64_t n = 0;
};
RankCorrelation SpearmanCorrelation(const std::vector<double>& x, const std::vector<double>& y);

// The two-sided p-value of a Pearson (or Spearman, by the same t approximation) coefficient r
// over n pairs: t = r sqrt((n - 2) / (1 - r²)) with n - 2 degrees of freedom.
double CorrelationPValue(double r, int64_t n);

// The quantile of Student's t with `df` degrees of freedom at probability `p`.
double StudentTQuantile(double p, double df);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_ASSOCIATION_H_
