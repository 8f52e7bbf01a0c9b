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

// A cycle at the series' own grain that is not the calendar's (an ~11-year cycle in yearly
// data): the lag where the autocorrelation of the detrended series peaks, with the values half
// a cycle apart moving against each other. `length` is 0 when none is found.
struct Cycle {
  size_t length = 0;           // in values (buckets)
  double autocorrelation = 0;  // at `length`
  double half = 0;             // at half of it: negative for a cycle
  double p_value = 1;          // against white noise (Bartlett), Bonferroni over the lags tried
};

// Tries lags from 3 to n / 3 (the series must hold three cycles, and 24 values), at most
// `max_length`, leaving out lags near `skip` (a calendar period tested on its own, which a few
// missing buckets blur to a lag either side) and twice or three times it. A cycle needs an
// autocorrelation of at least 0.3 at a local peak, and at most −0.2 half a cycle away.
Cycle FindCycle(const std::vector<double>& y, size_t max_length, size_t skip = 0);

// The shape of a short series of levels (yearly totals): its largest fall from a high point it
// rose to, or its largest rise from a low it fell to, whichever moves more ("peaked in 2006,
// fell 30% to 2011, then reached a record in 2014"). Needs positive values.
struct Turn {
  bool found = false;
  bool peak = true;     // a peak and the fall after it; false: a low and the rise after it
  size_t extreme = 0;   // the peak (or the low)
  size_t reversal = 0;  // the lowest value after the peak (or the highest after the low)
  double move = 0;      // the fall (or rise) from extreme to reversal, as a fraction of extreme
  size_t record = 0;    // after a peak's fall: the highest value past the peak's, or 0 for none
};

// A peak needs a rise of at least 10% into it and a fall of at least `min_move` after it; a low
// the mirror. Fewer than 5 values, or any value of 0 or less, give none.
Turn FindTurn(const std::vector<double>& y, double min_move = 0.15);

// Benjamini-Hochberg adjusted p-values (q-values), in the order given: a finding is kept at
// false-discovery rate alpha when its q-value is <= alpha.
std::vector<double> BenjaminiHochberg(const std::vector<double>& p_values);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_TREND_H_
