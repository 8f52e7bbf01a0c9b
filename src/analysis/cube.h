// Cube: the grouped aggregates a story is built from, computed in the profile's streaming pass
// so that a file of any size is read once and never held in memory.
//
// For the columns a CubePlan names — the time axis, the measures and the dimensions (every one
// the cube can afford, else the most promising) — the cube keeps:
//   - per dimension, per category: rows, and each measure's count, sum, mean and squared
//     deviations (for shares, rankings and the correlation ratio);
//   - per time bucket: rows and each measure's count and sum, for the whole table and for each
//     category of each small dimension (series of long-format data such as symbol,date,price);
//   - a uniform sample of rows (bottom-k by a hash of the row's position), for Spearman
//     correlation, Cramér's V and scatter plots.
// Time buckets start at the data's own resolution and coarsen along the chain second → minute →
// hour → day → month → quarter → year whenever there would be more than kMaxTimeBuckets of
// them. A dimension with more than kMaxCategories categories is dropped (it is not a segment),
// and one with more than kMaxSeries categories gets no per-category time series.
//
// Floating-point sums are merged block by block in file order, so the cube has the same bits
// on any thread count.
#ifndef DATASTORY_ANALYSIS_CUBE_H_
#define DATASTORY_ANALYSIS_CUBE_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/time_grain.h"

namespace datastory::analysis {

// The count, sum, mean and sum of squared deviations (Welford, merged by Chan's formula) of a
// measure's values in one group.
struct Aggregate {
  int64_t n = 0;
  double sum = 0, mean = 0, m2 = 0;

  void Add(double x) {
    ++n;
    sum += x;
    double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  void Merge(const Aggregate& b) {
    if (b.n == 0) return;
    if (n == 0) {
      *this = b;
      return;
    }
    double na = static_cast<double>(n), nb = static_cast<double>(b.n), nn = na + nb;
    double delta = b.mean - mean;
    m2 += b.m2 + delta * delta * na * nb / nn;
    mean += delta * nb / nn;
    sum += b.sum;
    n += b.n;
  }
  double variance() const { return n > 1 ? m2 / static_cast<double>(n - 1) : 0; }
};

struct CubePlan {
  // Every measure and dimension is aggregated while the cube can afford them all: rows ×
  // dimensions × measures within kMaxCellUpdates, categories × measures cells within
  // kMaxCellBytes, and at most kMaxMeasures and kMaxDimensions. Beyond that, the most promising
  // are taken (PlanCube screens them on the sniffed sample), kAlwaysMeasures and
  // kAlwaysDimensions of them whatever the cost, and the rest are `screened_out`.
  static constexpr double kMaxCellUpdates = 5e8;
  static constexpr double kMaxCellBytes = 256.0 * 1024 * 1024;
  static constexpr int kMaxMeasures = 2000;
  static constexpr int kMaxDimensions = 1000;
  static constexpr int kAlwaysMeasures = 12;
  static constexpr int kAlwaysDimensions = 8;
  static constexpr int kMaxOutcomes = 3;
  // Pairs of numeric columns correlated over every row, at most (the profile's co-moments).
  static constexpr int64_t kMaxPairs = 150000;
  // Dimensions whose categories get time series, at most: the most promising ones.
  static constexpr int kMaxSeriesDimensions = 8;

  int time_column = -1;       // a date/datetime column, or an integer year column
  bool time_is_year = false;  // the time column holds years as integers (1000–2999)
  // With a year axis, a column that places each row within its year: months (1–12,
  // time_part_months = 1) or quarters (1–4, time_part_months = 3); -1 for none. A row whose
  // part is missing or out of range has no time.
  int time_part_column = -1;
  int time_part_months = 0;
  // Numeric columns; the first `outcomes` of them are outcomes instead: yes/no columns named
  // for what happened to each row (churn), read as 1 (yes) and 0, so that their mean in a
  // group is the group's rate. They are the first `outcomes` dimensions too.
  std::vector<int> measures;
  int outcomes = 0;
  std::vector<int> dimensions;         // categorical, boolean or yes/no (0/1) columns
  std::vector<int> series_dimensions;  // positions in `dimensions` that get time series
  std::vector<int> ranked_measures;    // the measures' columns, most promising first
  std::vector<int> screened_out;       // candidate columns the cube could not afford
  int sample_rows = 10000;
  // A rate averaged by its base (conversion_rate by visits), by positions in `measures`. Each
  // adds two aggregates to every cell, after the measures': rate × base, and the base where
  // the rate is present; a group's weighted rate is the first sum over the second.
  struct WeightedRate {
    int rate = -1, base = -1;
  };
  std::vector<WeightedRate> weighted_rates;  // at most kMaxWeightedRates
  static constexpr int kMaxWeightedRates = 8;

  // Aggregates in each cell: the measures', then two for each weighted rate.
  int cell_measures() const {
    return static_cast<int>(measures.size() + 2 * weighted_rates.size());
  }

  bool empty() const { return time_column < 0 && measures.empty() && dimensions.empty(); }
};

struct CategoryCell {
  std::string label;
  int64_t rows = 0;
  std::vector<Aggregate> measures;  // CubePlan::cell_measures(): measures, weighted rates
};

struct DimensionCube {
  static constexpr int kMaxCategories = 1000;
  static constexpr int kMaxSeries = 24;

  int column = -1;
  bool dropped = false;                  // more than kMaxCategories categories
  int64_t missing = 0;                   // rows without a value
  std::vector<CategoryCell> categories;  // most rows first, then by label
};

// The count and sum of a measure's values in one time bucket.
struct Total {
  int64_t n = 0;
  double sum = 0;

  double mean() const { return n > 0 ? sum / static_cast<double>(n) : NAN; }
};

struct TimeCell {
  int64_t start = 0;  // bucket start, seconds since the epoch
  int64_t rows = 0;
  std::vector<Total> measures;  // CubePlan::cell_measures(): measures, weighted rates
};

// One series over time: the whole table (dimension = -1) or one category of a dimension.
struct TimeSeriesCube {
  int dimension = -1;  // position in CubePlan::dimensions, or -1 for the whole table
  std::string category;
  std::vector<TimeCell> cells;  // by start
};

struct RowSample {
  // For each sampled row, in file order: the measures and then the time (NaN when missing), and
  // each dimension's category (empty when missing).
  std::vector<std::vector<double>> numbers;
  std::vector<std::vector<std::string>> labels;
  int64_t population = 0;  // rows the sample was drawn from
};

struct Cube {
  static constexpr int64_t kMaxTimeBuckets = 100000;  // over all series

  CubePlan plan;
  TimeGrain grain = TimeGrain::kSecond;   // of every TimeCell
  int64_t time_missing = 0;               // rows without a valid time
  std::vector<DimensionCube> dimensions;  // by position in plan.dimensions
  std::vector<TimeSeriesCube> series;     // the whole table first, then per category
  RowSample sample;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_CUBE_H_
