#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "analysis/hyperloglog.h"
#include "analysis/log_histogram.h"
#include "analysis/moments.h"
#include "analysis/value_counter.h"
#include "base/hash.h"

namespace datastory::analysis {
namespace {

TEST(HyperLogLogTest, WithinTwoPercentAcrossScales) {
  for (uint64_t n : {1000ull, 150000ull, 2000000ull}) {
    HyperLogLog a, b;
    for (uint64_t i = 0; i < n; ++i) (i % 2 ? a : b).Add(HashWord(i));
    a.Merge(b);
    EXPECT_NEAR(a.Estimate(), static_cast<double>(n), 0.02 * n) << n;
  }
}

TEST(ValueCounterTest, ExactThenOverflowsToSketch) {
  ValueCounter small(100), other(100);
  for (int i = 0; i < 80; ++i) small.Add(HashWord(i), "v", i);
  for (int i = 40; i < 90; ++i) other.Add(HashWord(i), "v", i);
  EXPECT_FALSE(small.overflowed());
  EXPECT_EQ(small.Distinct(), 80);
  small.Merge(other);  // 90 distinct: still exact
  EXPECT_EQ(small.Distinct(), 90);
  for (int i = 0; i < 200; ++i) small.Add(HashWord(1000 + i), "w", 0);
  EXPECT_TRUE(small.overflowed());
  EXPECT_NEAR(small.Distinct(), 290, 6);
}

TEST(MomentsTest, MergeEqualsWhole) {
  std::mt19937 rng(1);
  std::lognormal_distribution<double> dist(3, 1);
  std::vector<double> x(10000);
  for (double& v : x) v = dist(rng) + 1e6;  // far from zero: precision matters
  Moments whole, parts;
  whole.AddBatch(x.data(), 10000);
  for (int i = 0; i < 10000; i += 777) parts.AddBatch(x.data() + i, std::min(777, 10000 - i));
  EXPECT_EQ(whole.n, parts.n);
  EXPECT_NEAR(whole.mean, parts.mean, 1e-13 * whole.mean);
  EXPECT_NEAR(whole.Variance() / parts.Variance(), 1, 1e-10);
  EXPECT_NEAR(whole.Skewness(), parts.Skewness(), 1e-8);
  EXPECT_NEAR(whole.Kurtosis(), parts.Kurtosis(), 1e-8);
  // Against the textbook formulas.
  double mean = 0;
  for (double v : x) mean += v;
  mean /= 10000;
  double m2 = 0, m3 = 0;
  for (double v : x) m2 += (v - mean) * (v - mean), m3 += std::pow(v - mean, 3);
  EXPECT_NEAR(whole.mean, mean, 1e-6);
  EXPECT_NEAR(whole.m2 / m2, 1, 1e-10);
  EXPECT_NEAR(whole.m3 / m3, 1, 1e-8);
}

TEST(CoMomentsTest, PearsonSkipsMissingPairs) {
  double x[] = {1, 2, 3, 4, NAN, 6};
  double y[] = {2, 4, 6, 8, 100, NAN};
  CoMoments c;
  c.AddBatch(x, y, 6);
  EXPECT_EQ(c.n, 4);
  EXPECT_NEAR(c.Pearson(), 1.0, 1e-12);
}

TEST(LogHistogramTest, BucketsAreNarrowAndOrdered) {
  LogHistogram h;
  for (double v : {-5.0, 0.0, 1.0, 1.001, 1000.0}) h.Add(v);
  std::vector<std::tuple<double, double, int64_t>> buckets;
  h.ForEachBucket([&](double lo, double hi, int64_t c) { buckets.emplace_back(lo, hi, c); });
  ASSERT_EQ(buckets.size(), 4u);  // 1.0 and 1.001 share a bucket
  EXPECT_LT(std::get<0>(buckets[0]), -4.9);
  EXPECT_EQ(std::get<2>(buckets[2]), 2);
  EXPECT_LE(std::get<1>(buckets[3]) / std::get<0>(buckets[3]), 1 + 1.0 / 128 + 1e-12);
  EXPECT_EQ(h.total(), 5);
}

// Values from 1e-300 to 1e300 would need two million buckets; the span stays bounded, the
// largest values keep their precision, and the order of input and merges does not matter.
TEST(LogHistogramTest, SpanIsBoundedAndFoldingIsOrderFree) {
  std::vector<double> values;
  for (int e = -300; e <= 300; e += 3) values.push_back(std::pow(10.0, e));
  for (int i = 1; i <= 1000; ++i) values.push_back(1e6 + i * 37.0);
  auto buckets_of = [](const LogHistogram& h) {
    std::vector<std::tuple<double, double, int64_t>> out;
    h.ForEachBucket([&](double lo, double hi, int64_t c) { out.emplace_back(lo, hi, c); });
    return out;
  };
  LogHistogram forward(7, 512), backward(7, 512), halves(7, 512), second(7, 512);
  for (double v : values) forward.Add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward.Add(*it);
  for (size_t i = 0; i < values.size(); ++i) (i % 2 ? second : halves).Add(values[i]);
  halves.Merge(second);
  EXPECT_EQ(buckets_of(forward), buckets_of(backward));
  EXPECT_EQ(buckets_of(forward), buckets_of(halves));
  EXPECT_LE(forward.bytes(), 2 * 512 * sizeof(int64_t));
  EXPECT_EQ(forward.total(), static_cast<int64_t>(values.size()));
  auto b = buckets_of(forward);
  // The lowest bucket stands for every folded value, down to 1e-300.
  EXPECT_LE(std::get<0>(b.front()), 1.1e-300);
  // The top of the range is still 1/128 wide.
  EXPECT_LE(std::get<1>(b.back()) / std::get<0>(b.back()), 1 + 1.0 / 128 + 1e-12);
}

}  // namespace
}  // namespace datastory::analysis
