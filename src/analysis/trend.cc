#include "analysis/trend.h"

#include <algorithm>
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

}  // namespace datastory::analysis
