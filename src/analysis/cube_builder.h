// Building a Cube while ProfileSource streams a file (private to the analysis module).
//
// Each worker owns a CubeBuilder. Per block it groups the block's rows into a CubeBlock, which
// it hands to the shared CubeMerger at EndBlock; the merger folds blocks into the cube in file
// order, so floating-point sums do not depend on which worker read which block. The row sample
// is kept per worker (bottom-k by a hash of the row's position) and merged at the end.
#ifndef DATASTORY_ANALYSIS_CUBE_BUILDER_H_
#define DATASTORY_ANALYSIS_CUBE_BUILDER_H_

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/cube.h"
#include "analysis/flat_index.h"

namespace datastory::analysis {

// A measure's values in one group of one block, as sums about a shift (the group's first value
// in the block): no division per value, and no loss of precision, since values in a group are
// near their shift. Becomes an Aggregate when the block is merged.
struct ShiftedSums {
  int64_t n = 0;
  double shift = 0, sum = 0, d1 = 0, d2 = 0;  // d1 = Σ(x - shift), d2 = Σ(x - shift)²

  void Add(double x) {
    if (n == 0) shift = x;
    ++n;
    sum += x;
    double d = x - shift;
    d1 += d;
    d2 += d * d;
  }
  Aggregate ToAggregate() const {
    Aggregate a;
    if (n == 0) return a;
    const double count = static_cast<double>(n);
    a.n = n;
    a.sum = sum;
    a.mean = shift + d1 / count;
    a.m2 = std::max(0.0, d2 - d1 * d1 / count);
    return a;
  }
};

// The categories of one dimension: ids in order of first appearance. A block's groups keep
// ShiftedSums (`sums`), the merged cube's keep Aggregates.
struct DimensionGroups {
  FlatIndex index;
  std::vector<uint64_t> hashes;
  std::vector<std::string> labels;
  std::vector<int64_t> rows;
  std::vector<Aggregate> aggregates;  // id * measures + m, in the merged cube
  std::vector<ShiftedSums> sums;      // id * measures + m, in a block
  int64_t missing = 0;
  bool dropped = false;

  // `block`: grow `sums` rather than `aggregates`.
  int32_t Find(uint64_t hash, std::string_view label, int measures, bool block = false);
};

struct TimeKey {
  int32_t dimension = -1;  // -1: the whole table
  uint64_t category = 0;   // the category's hash
  int64_t start = 0;
};

// The time buckets of one block or of the whole cube: ids in order of first appearance.
struct TimeGroups {
  FlatIndex index;
  std::vector<TimeKey> keys;
  std::vector<int64_t> rows;
  std::vector<Total> totals;  // id * measures + m

  int32_t Find(const TimeKey& key, int measures);
};

struct CubeBlock {
  std::vector<DimensionGroups> dimensions;
  TimeGroups time;
  int64_t time_missing = 0;
};

struct SampledRow {
  uint64_t priority = 0;
  int64_t block = 0, row = 0;
  std::vector<double> numbers;  // measures, then time
  std::vector<std::string> labels;
};

class CubeMerger {
 public:
  explicit CubeMerger(const CubePlan& plan);

  // Thread-safe. Blocks may arrive in any order; they are merged in index order.
  void Submit(int64_t index, std::unique_ptr<CubeBlock> block);

  // Whether dimension d has too many categories to be a segment, or to split the time series.
  // Builders skip such work; the merger ignores it anyway, so the result does not depend on when
  // a builder saw the flag.
  bool DimensionDropped(int d) const {
    return dimension_dropped_[d].load(std::memory_order_relaxed);
  }
  bool SeriesDropped(int d) const { return series_dropped_[d].load(std::memory_order_relaxed); }

  const CubePlan& plan() const { return plan_; }

  // After every block is submitted.
  Cube Finish(std::vector<SampledRow> sample, int64_t population);

 private:
  void MergeBlock(CubeBlock& block);
  // Folds time groups into the cube's, at its grain, leaving out dropped series.
  void AddTime(const TimeGroups& from);
  void Regroup();  // after a coarser grain or a dropped series

  const CubePlan plan_;
  const int measures_;
  std::mutex mu_;
  int64_t next_ = 0;
  std::map<int64_t, std::unique_ptr<CubeBlock>> waiting_;
  std::vector<DimensionGroups> dimensions_;
  TimeGroups time_;
  TimeGrain grain_ = TimeGrain::kSecond;
  int64_t time_missing_ = 0;
  std::unique_ptr<std::atomic<bool>[]> dimension_dropped_, series_dropped_;
};

// One worker's side. Per batch: BeginBatch, then the Set* calls for each row's values, then
// EndBatch with the measure values.
class CubeBuilder {
 public:
  explicit CubeBuilder(CubeMerger* merger);

  void BeginBlock(int64_t index);
  void EndBlock();

  void BeginBatch(int64_t rows);
  void SetDimension(int d, int64_t row, uint64_t hash, std::string_view label);
  void SetTime(int64_t row, int64_t seconds);
  // measure_values[m][row] for each of CubePlan::cell_measures(): NaN when missing.
  void EndBatch(const std::vector<const double*>& measure_values);

  std::vector<SampledRow> TakeSample() { return std::move(sample_); }
  int64_t rows_seen() const { return rows_seen_; }

 private:
  static constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

  CubeMerger* merger_;
  const CubePlan& plan_;
  const int measures_;          // aggregates per cell
  const int sampled_measures_;  // values per sampled row: the measures, not the weighted sums
  std::unique_ptr<CubeBlock> block_;
  int64_t block_index_ = 0;
  int64_t block_row_ = 0;  // rows of the block before this batch
  int64_t rows_ = 0;       // of this batch
  int64_t rows_seen_ = 0;
  std::vector<int32_t> codes_;  // d * rows + row: category id in the block, -1 = missing
  std::vector<int64_t> times_;
  std::vector<int32_t> sample_slot_;  // row -> index in pending_, -1 = not sampled
  // The last time cell found per series slot (0: whole table, 1 + d: dimension d): rows of a
  // sorted file share their time, so most lookups repeat the one before.
  std::vector<TimeKey> last_key_;
  std::vector<int32_t> last_id_;
  std::vector<SampledRow> pending_;
  std::vector<SampledRow> sample_;  // a max-heap on priority, at most plan.sample_rows
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_CUBE_BUILDER_H_
