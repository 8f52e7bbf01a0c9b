// Trend statistics for time series of aggregates (a measure by day, month …): the
// Mann-Kendall test for a monotonic trend, the Theil-Sen slope, and Benjamini-Hochberg control
// of false discoveries across many tests. Pure functions; thread-safe.
//
// Series here are short (hundreds to a few thousand buckets), so the O(n²) forms are used: they
// are exact and simple.
#ifndef DATASTORY_ANALYSIS_TREND_H_
#define DATASTORY_ANALYSIS_TREND_H_

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

// Benjamini-Hochberg adjusted p-values (q-values), in the order given: a finding is kept at
// false-discovery rate alpha when its q-value is <= alpha.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p_values);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_TREND_H_
