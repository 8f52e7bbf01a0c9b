// Streaming central moments and co-moments that merge (Chan et al., Pébay 2008).
//
// Values are added a batch at a time with two passes over the batch (mean first, then centred
// powers), which keeps precision on data far from zero; batches and blocks merge with the
// pairwise update formulas. Merging is exact algebra but floating point: merge in a fixed order
// (the file's block order) for bit-identical results.
#ifndef DATASTORY_ANALYSIS_MOMENTS_H_
#define DATASTORY_ANALYSIS_MOMENTS_H_

#include <cmath>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace datastory::analysis {

// Sum of x[i] * y[i] with four running sums in a fixed order, so it is fast and gives the same
// bits on every run.
inline double Dot(const double* x, const double* y, int64_t n) {
  int64_t i = 0;
#if defined(__SSE2__)
  __m128d a = _mm_setzero_pd(), b = _mm_setzero_pd();
  for (; i + 4 <= n; i += 4) {
    a = _mm_add_pd(a, _mm_mul_pd(_mm_loadu_pd(x + i), _mm_loadu_pd(y + i)));
    b = _mm_add_pd(b, _mm_mul_pd(_mm_loadu_pd(x + i + 2), _mm_loadu_pd(y + i + 2)));
  }
  a = _mm_add_pd(a, b);
  double sum = _mm_cvtsd_f64(a) + _mm_cvtsd_f64(_mm_unpackhi_pd(a, a));
#else
  double sum = 0;
#endif
  for (; i < n; ++i) sum += x[i] * y[i];
  return sum;
}

struct Moments {
  int64_t n = 0;
  double mean = 0, m2 = 0, m3 = 0, m4 = 0;

  // Adds the non-NaN values of x[0, count).
  void AddBatch(const double* x, int64_t count) {
    Moments b;
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (!std::isnan(x[i])) sum += x[i], ++b.n;
    }
    if (b.n == 0) return;
    b.mean = sum / static_cast<double>(b.n);
    for (int64_t i = 0; i < count; ++i) {
      if (std::isnan(x[i])) continue;
      double d = x[i] - b.mean, d2 = d * d;
      b.m2 += d2;
      b.m3 += d2 * d;
      b.m4 += d2 * d2;
    }
    Merge(b);
  }

  void Merge(const Moments& b) {
    if (b.n == 0) return;
    if (n == 0) {
      *this = b;
      return;
    }
    double na = static_cast<double>(n), nb = static_cast<double>(b.n), nn = na + nb;
    double delta = b.mean - mean, d_n = delta / nn, d_n2 = d_n * d_n;
    double term = delta * d_n * na * nb;
    double new_m4 = m4 + b.m4 + term * d_n2 * (na * na - na * nb + nb * nb) +
                    6 * d_n2 * (na * na * b.m2 + nb * nb * m2) + 4 * d_n * (na * b.m3 - nb * m3);
    double new_m3 = m3 + b.m3 + term * d_n * (na - nb) + 3 * d_n * (na * b.m2 - nb * m2);
    m2 = m2 + b.m2 + term;
    m3 = new_m3;
    m4 = new_m4;
    mean += d_n * nb;
    n += b.n;
  }

  double Variance() const { return n > 1 ? m2 / static_cast<double>(n - 1) : NAN; }  // sample
  double StdDev() const { return std::sqrt(Variance()); }
  // Adjusted Fisher-Pearson skewness, as pandas and ydata-profiling report it.
  double Skewness() const {
    if (n < 3 || m2 == 0) return NAN;
    double nd = static_cast<double>(n);
    double g1 = std::sqrt(nd) * m3 / std::pow(m2, 1.5);
    return g1 * std::sqrt(nd * (nd - 1)) / (nd - 2);
  }
  // Excess kurtosis with the bias correction pandas uses.
  double Kurtosis() const {
    if (n < 4 || m2 == 0) return NAN;
    double nd = static_cast<double>(n);
    double g2 = nd * m4 / (m2 * m2) - 3;
    return ((nd + 1) * g2 + 6) * (nd - 1) / ((nd - 2) * (nd - 3));
  }
};

// Pearson correlation of two columns over the rows where both are present.
struct CoMoments {
  int64_t n = 0;
  double mean_x = 0, mean_y = 0, cxy = 0, m2x = 0, m2y = 0;

  void AddBatch(const double* x, const double* y, int64_t count) {
    CoMoments b;
    double sx = 0, sy = 0;
    for (int64_t i = 0; i < count; ++i) {
      if (!std::isnan(x[i]) && !std::isnan(y[i])) sx += x[i], sy += y[i], ++b.n;
    }
    if (b.n == 0) return;
    b.mean_x = sx / static_cast<double>(b.n);
    b.mean_y = sy / static_cast<double>(b.n);
    for (int64_t i = 0; i < count; ++i) {
      if (std::isnan(x[i]) || std::isnan(y[i])) continue;
      double dx = x[i] - b.mean_x, dy = y[i] - b.mean_y;
      b.cxy += dx * dy;
      b.m2x += dx * dx;
      b.m2y += dy * dy;
    }
    Merge(b);
  }

  void Merge(const CoMoments& b) {
    if (b.n == 0) return;
    if (n == 0) {
      *this = b;
      return;
    }
    double na = static_cast<double>(n), nb = static_cast<double>(b.n), nn = na + nb;
    double dx = b.mean_x - mean_x, dy = b.mean_y - mean_y, f = na * nb / nn;
    cxy += b.cxy + dx * dy * f;
    m2x += b.m2x + dx * dx * f;
    m2y += b.m2y + dy * dy * f;
    mean_x += dx * nb / nn;
    mean_y += dy * nb / nn;
    n += b.n;
  }

  double Pearson() const {
    if (n < 2 || m2x <= 0 || m2y <= 0) return NAN;
    return cxy / std::sqrt(m2x * m2y);
  }
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_MOMENTS_H_
