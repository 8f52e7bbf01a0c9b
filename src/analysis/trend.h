// Trend statistics for time series of aggregates (a measure by day, month …): the
// Mann-Kendall test for a monotonic trend, the Theil-Sen slope, and Benjamini-Hochberg control
// of false discoveries across many tests. Pure functions; thread-safe.
//
// Series here are short (hundreds to a few thousand buckets), so the O(n²) forms are used: they
// are exact and simple.
#ifndef DATASTORY_ANALYSIS_TREND_H_
#define DATASTORY_ANALYSIS_TREND_H_

#include <cstddef>
#include <vector>

namespace datastory::analysis {

// P(Z <= z) for a standard normal Z.
double NormalCdf(double z);

struct MannKendall {
  double s = 0;         // sum of sign(y[j] - y[i]) over i < j
  double variance = 0;  // of S under no trend, corrected for ties
  double z = 0;         // with continuity correction
  double p_value = 1;   // two-sided, normal approximation
  double tau = 0;       // Kendall's tau-a: S / (n (n - 1) / 2)
};

// The Mann-Kendall test of `y` in time order. Needs at least 3 values; fewer give p = 1.
MannKendall MannKendallTest(const std::vector<double>& y);

// The median of the slopes (y[j] - y[i]) / (x[j] - x[i]) over pairs with x[i] != x[j]; robust
// to outliers (29% breakdown point). 0 when no pair has distinct x.
double TheilSenSlope(const std::vector<double>& x, const std::vector<double>& y);

// A shift in level or slope: the split that best divides `y` into two straight-line segments
// (the Chow test: two lines against one, F with 2 and n - 4 degrees of freedom), with its
// p-value multiplied by the number of splits tried (Bonferroni), so that searching for the best
// split does not make noise look like a change.
struct ChangePoint {
  size_t index = 0;    // the first value of the second segment; 0 = none found
  double f = 0;        // the Chow F statistic at that split
  double p_value = 1;  // Bonferroni-adjusted
  double before_mean = 0, after_mean = 0;
};

// Splits are tried with at least `min_segment` (>= 3) values on each side; fewer than
// 2 * min_segment + 1 values give no change point (index 0, p = 1).
ChangePoint FindChangePoint(const std::vector<double>& y, size_t min_segment);

// The sample autocorrelation of `y` at `lag` (the biased estimator of Box and Jenkins, as
// statsmodels' acf computes it). 0 when y is constant or shorter than lag + 2.
double Autocorrelation(const std::vector<double>& y, size_t lag);

// Benjamini-Hochberg adjusted p-values (q-values), in the order given: a finding is kept at
// false-discovery rate alpha when its q-value is <= alpha.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p_values);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_TREND_H_
