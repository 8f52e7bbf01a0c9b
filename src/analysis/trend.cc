#include "analysis/trend.h"

#include <algorithm>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <cstddef>
#include <map>
#include <numeric>

namespace datastory::analysis {

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

MannKendall MannKendallTest(const std::vector<double>& y) {
  MannKendall r;
  const size_t n = y.size();
  if (n < 3) return r;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) r.s += (y[j] > y[i]) - (y[j] < y[i]);
  }
  std::map<double, double> ties;
  for (double v : y) ties[v] += 1;
  const double nd = static_cast<double>(n);
  double variance = nd * (nd - 1) * (2 * nd + 5);
  for (const auto& [value, t] : ties) variance -= t * (t - 1) * (2 * t + 5);
  r.variance = variance / 18;
  if (r.variance > 0) {
    if (r.s > 0) r.z = (r.s - 1) / std::sqrt(r.variance);
    if (r.s < 0) r.z = (r.s + 1) / std::sqrt(r.variance);
  }
  r.p_value = std::min(1.0, 2 * (1 - NormalCdf(std::fabs(r.z))));
  r.tau = r.s / (nd * (nd - 1) / 2);
  return r;
}

double TheilSenSlope(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> slopes;
  const size_t n = std::min(x.size(), y.size());
  slopes.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (x[j] != x[i]) slopes.push_back((y[j] - y[i]) / (x[j] - x[i]));
    }
  }
  if (slopes.empty()) return 0;
  const size_t mid = slopes.size() / 2;
  std::nth_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(mid), slopes.end());
  double upper = slopes[mid];
  if (slopes.size() % 2) return upper;
  double lower =
      *std::max_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

std::vector<double> BenjaminiHochberg(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> q(m);
  double running = 1;
  for (size_t k = m; k-- > 0;) {  // from the largest p down: q is monotone in p
    running = std::min(running, p[order[k]] * static_cast<double>(m) / static_cast<double>(k + 1));
    q[order[k]] = running;
  }
  return q;
}

namespace {

// Sum of squared residuals of the least-squares line through (i, y[i]) for i in [begin, end).
double LineSse(const std::vector<double>& y, size_t begin, size_t end) {
  const double n = static_cast<double>(end - begin);
  double sx = 0, sy = 0;
  for (size_t i = begin; i < end; ++i) sx += static_cast<double>(i), sy += y[i];
  const double mx = sx / n, my = sy / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = begin; i < end; ++i) {
    double dx = static_cast<double>(i) - mx, dy = y[i] - my;
    sxx += dx * dx, sxy += dx * dy, syy += dy * dy;
  }
  return sxx > 0 ? std::max(0.0, syy - sxy * sxy / sxx) : syy;
}

double Mean(const std::vector<double>& y, size_t begin, size_t end) {
  double s = 0;
  for (size_t i = begin; i < end; ++i) s += y[i];
  return s / static_cast<double>(end - begin);
}

}  // namespace

ChangePoint FindChangePoint(const std::vector<double>& y, size_t min_segment) {
  ChangePoint best;
  min_segment = std::max<size_t>(min_segment, 3);
  const size_t n = y.size();
  if (n < 2 * min_segment + 1) return best;
  const double whole = LineSse(y, 0, n);
  size_t tried = 0;
  for (size_t k = min_segment; k + min_segment <= n; ++k) {
    ++tried;
    double split = LineSse(y, 0, k) + LineSse(y, k, n);
    double f = split > 0 ? ((whole - split) / 2) / (split / static_cast<double>(n - 4))
                         : (whole > 0 ? INFINITY : 0);
    if (f > best.f) best.f = f, best.index = k;
  }
  if (best.index == 0) return best;
  if (std::isinf(best.f)) {
    best.p_value = 0;
  } else {
    boost::math::fisher_f distribution(2, static_cast<double>(n - 4));
    double p = boost::math::cdf(boost::math::complement(distribution, best.f));
    best.p_value = std::min(1.0, p * static_cast<double>(tried));
  }
  best.before_mean = Mean(y, 0, best.index);
  best.after_mean = Mean(y, best.index, n);
  return best;
}

double Autocorrelation(const std::vector<double>& y, size_t lag) {
  const size_t n = y.size();
  if (n < lag + 2) return 0;
  const double mean = Mean(y, 0, n);
  double denominator = 0, numerator = 0;
  for (size_t i = 0; i < n; ++i) denominator += (y[i] - mean) * (y[i] - mean);
  for (size_t i = lag; i < n; ++i) numerator += (y[i] - mean) * (y[i - lag] - mean);
  return denominator > 0 ? numerator / denominator : 0;
}

namespace {

// Whether `lag` is the calendar's `period` give or take 15% (one value at least), or twice or
// three times such a lag: a yearly cycle read through a few missing months peaks at 11 or 13 as
// well as at 12, and again at 22 or 24. An 11-year cycle in monthly data (132) is its own.
bool NearCalendar(size_t lag, size_t period) {
  if (period == 0) return false;
  for (size_t k = 1; k <= 3; ++k) {
    const double distance =
        std::fabs(static_cast<double>(lag) / static_cast<double>(k) - static_cast<double>(period));
    if (distance <= std::max(1.0, 0.15 * static_cast<double>(period))) return true;
  }
  return false;
}

}  // namespace

Cycle FindCycle(const std::vector<double>& y, size_t max_length, size_t skip) {
  Cycle best;
  const size_t n = y.size();
  const size_t longest = std::min(max_length, n / 3);
  if (n < 24 || longest < 3) return best;
  // Detrended by a straight line, so that a rise does not read as correlation at every lag.
  double mx = (static_cast<double>(n) - 1) / 2, my = Mean(y, 0, n), sxx = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxx += (static_cast<double>(i) - mx) * (static_cast<double>(i) - mx);
    sxy += (static_cast<double>(i) - mx) * (y[i] - my);
  }
  const double slope = sxx > 0 ? sxy / sxx : 0;
  std::vector<double> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = y[i] - (my + slope * (static_cast<double>(i) - mx));
  std::vector<double> r(longest + 2, 0);
  for (size_t lag = 1; lag <= longest + 1 && lag + 2 <= n; ++lag) r[lag] = Autocorrelation(d, lag);
  // A cycle of length L also peaks at 2L, 3L …, a little lower each time: the shortest lag
  // within 0.1 of the highest peak is the cycle.
  std::vector<Cycle> peaks;
  for (size_t lag = 3; lag <= longest; ++lag) {
    if (NearCalendar(lag, skip) || r[lag] < 0.3 || r[lag] < r[lag - 1] || r[lag] < r[lag + 1]) {
      continue;
    }
    const double half = (r[lag / 2] + r[(lag + 1) / 2]) / 2;
    if (half <= -0.2) peaks.push_back({lag, r[lag], half, 1});
  }
  double highest = 0;
  for (const Cycle& c : peaks) highest = std::max(highest, c.autocorrelation);
  for (const Cycle& c : peaks) {
    if (c.autocorrelation >= highest - 0.1) {
      best = c;
      break;
    }
  }
  if (best.length > 0) {
    const double z = best.autocorrelation * std::sqrt(static_cast<double>(n));
    best.p_value = std::min(1.0, (1 - NormalCdf(z)) * static_cast<double>(longest - 2));
  }
  return best;
}

Turn FindTurn(const std::vector<double>& y, double min_move) {
  const size_t n = y.size();
  if (n < 5 || *std::min_element(y.begin(), y.end()) <= 0) return Turn{};
  // The largest fall from a running high it rose to, and the largest rise from a running low it
  // fell to.
  Turn fall, rise;
  fall.peak = true;
  rise.peak = false;
  size_t high = 0, low = 0;
  for (size_t j = 1; j < n; ++j) {
    if (y[j] > y[high]) high = j;
    if (y[j] < y[low]) low = j;
    const double down = (y[high] - y[j]) / y[high];
    const double up = (y[j] - y[low]) / y[low];
    if (down > fall.move && high > 0 &&
        y[high] >= 1.1 * *std::min_element(y.begin(), y.begin() + static_cast<ptrdiff_t>(high))) {
      fall = {true, true, high, j, down, 0};
    }
    if (up > rise.move && low > 0 &&
        *std::max_element(y.begin(), y.begin() + static_cast<ptrdiff_t>(low)) >= 1.1 * y[low]) {
      rise = {true, false, low, j, up, 0};
    }
  }
  fall.found &= fall.move >= min_move;
  rise.found &= rise.move >= min_move;
  if (fall.found) {
    size_t top = fall.reversal;
    for (size_t j = fall.reversal + 1; j < n; ++j) {
      if (y[j] > y[top]) top = j;
    }
    if (y[top] > y[fall.extreme]) fall.record = top;
  }
  // A peak whose fall ends at the low the largest rise starts from tells both: the rise is its
  // recovery.
  if (fall.found && (!rise.found || rise.extreme == fall.reversal || fall.move >= rise.move)) {
    return fall;
  }
  return rise.found ? rise : Turn{};
}

}  // namespace datastory::analysis
