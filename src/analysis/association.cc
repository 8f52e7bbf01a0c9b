#include "analysis/association.h"

#include <algorithm>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>

namespace datastory::analysis {

CramersV CramersVTest(const std::vector<std::vector<double>>& table) {
  CramersV out;
  std::vector<double> row_sums, col_sums;
  for (const auto& row : table) {
    if (col_sums.size() < row.size()) col_sums.resize(row.size(), 0);
    double sum = 0;
    for (size_t j = 0; j < row.size(); ++j) {
      sum += row[j];
      col_sums[j] += row[j];
    }
    row_sums.push_back(sum);
  }
  double n = 0;
  for (double s : row_sums) n += s;
  const auto nonzero = [](const std::vector<double>& v) {
    return static_cast<double>(std::count_if(v.begin(), v.end(), [](double x) { return x > 0; }));
  };
  const double r = nonzero(row_sums), k = nonzero(col_sums);
  out.n = static_cast<int64_t>(n);
  if (r < 2 || k < 2 || n < 2) return out;
  for (size_t i = 0; i < table.size(); ++i) {
    if (row_sums[i] == 0) continue;
    for (size_t j = 0; j < col_sums.size(); ++j) {
      if (col_sums[j] == 0) continue;
      double observed = j < table[i].size() ? table[i][j] : 0;
      double expected = row_sums[i] * col_sums[j] / n;
      out.chi2 += (observed - expected) * (observed - expected) / expected;
    }
  }
  out.v = std::sqrt(out.chi2 / n / (std::min(r, k) - 1));
  double phi2 = std::max(0.0, out.chi2 / n - (k - 1) * (r - 1) / (n - 1));
  double rc = r - (r - 1) * (r - 1) / (n - 1), kc = k - (k - 1) * (k - 1) / (n - 1);
  double denominator = std::min(kc - 1, rc - 1);
  out.v_corrected = denominator > 0 ? std::sqrt(phi2 / denominator) : 0;
  double dof = (r - 1) * (k - 1);
  out.p_value = boost::math::gamma_q(dof / 2, out.chi2 / 2);
  return out;
}

CorrelationRatio CorrelationRatioTest(const std::vector<Moments>& groups) {
  CorrelationRatio out;
  Moments all;
  int groups_with_values = 0;
  double within = 0;
  for (const Moments& g : groups) {
    if (g.n == 0) continue;
    all.Merge(g);
    within += g.m2;
    ++groups_with_values;
  }
  if (groups_with_values < 2 || all.m2 <= 0) return out;
  double between = all.m2 - within;  // the total splits into between and within groups
  out.eta = std::sqrt(std::clamp(between / all.m2, 0.0, 1.0));
  double df1 = groups_with_values - 1;
  double df2 = static_cast<double>(all.n) - groups_with_values;
  if (df2 <= 0) return out;
  if (within <= 0) {
    out.f = INFINITY;
    out.p_value = 0;
    return out;
  }
  out.f = (between / df1) / (within / df2);
  boost::math::fisher_f distribution(df1, df2);
  out.p_value = boost::math::cdf(boost::math::complement(distribution, out.f));
  return out;
}

MeanDifference WelchTest(const Moments& a, const Moments& b) {
  MeanDifference out;
  out.difference = a.mean - b.mean;
  if (a.n < 2 || b.n < 2) return out;
  const double na = static_cast<double>(a.n), nb = static_cast<double>(b.n);
  const double va = a.m2 / (na - 1), vb = b.m2 / (nb - 1);
  const double sa = va / na, sb = vb / nb;
  if (sa + sb <= 0) return out;
  out.t = out.difference / std::sqrt(sa + sb);
  out.df = (sa + sb) * (sa + sb) / (sa * sa / (na - 1) + sb * sb / (nb - 1));
  boost::math::students_t distribution(out.df);
  out.p_value =
      std::min(1.0, 2 * boost::math::cdf(boost::math::complement(distribution, std::fabs(out.t))));
  const double pooled = std::sqrt((a.m2 + b.m2) / (na + nb - 2));
  if (pooled > 0) out.cohens_d = out.difference / pooled;
  return out;
}

namespace {

// Average ranks (1-based) of v, ties sharing the mean of their positions.
std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    double rank = (static_cast<double>(i + j) / 2) + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

RankCorrelation SpearmanCorrelation(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> a, b;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!std::isnan(x[i]) && !std::isnan(y[i])) a.push_back(x[i]), b.push_back(y[i]);
  }
  RankCorrelation out;
  out.n = static_cast<int64_t>(a.size());
  if (a.size() < 3) return out;
  std::vector<double> ra = Ranks(a), rb = Ranks(b);
  CoMoments co;
  co.AddBatch(ra.data(), rb.data(), static_cast<int64_t>(ra.size()));
  out.rho = co.Pearson();
  return out;
}

double CorrelationPValue(double r, int64_t n) {
  if (n < 3 || std::isnan(r)) return 1;
  if (std::fabs(r) >= 1) return 0;
  const double df = static_cast<double>(n - 2);
  const double t = r * std::sqrt(df / (1 - r * r));
  // In double precision (Boost promotes to long double by default): a wide table asks for
  // hundreds of thousands of these, and the tests' 1e-12 agreement holds.
  using DoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  boost::math::students_t_distribution<double, DoublePolicy> distribution(df);
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(distribution, std::fabs(t))));
}

double StudentTQuantile(double p, double df) {
  return boost::math::quantile(boost::math::students_t(df), p);
}

}  // namespace datastory::analysis
