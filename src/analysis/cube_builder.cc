#include "analysis/cube_builder.h"

#include <algorithm>
#include <cmath>

#include "base/check.h"
#include "base/hash.h"

namespace datastory::analysis {
namespace {

uint64_t TimeKeyHash(const TimeKey& key) {
  return HashWord(static_cast<uint64_t>(key.start) ^
                  HashWord(key.category + 0x9e37ull * static_cast<uint64_t>(key.dimension)));
}

bool operator==(const TimeKey& a, const TimeKey& b) {
  return a.dimension == b.dimension && a.category == b.category && a.start == b.start;
}

// A category's label as kept: at most kMaxLabelBytes, cut at a character boundary. Groups are
// told apart by the hash of the whole value, so two long labels that share a beginning stay two
// groups; only what is shown is shortened, and memory stays bounded by the category limits.
constexpr size_t kMaxLabelBytes = 200;
std::string_view ClipLabel(std::string_view label) {
  if (label.size() <= kMaxLabelBytes) return label;
  size_t cut = kMaxLabelBytes;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
  return label.substr(0, cut);
}

}  // namespace

int32_t DimensionGroups::Find(uint64_t hash, std::string_view label, int measures, bool block) {
  const int32_t next = static_cast<int32_t>(hashes.size());
  int32_t id = index.FindOrAdd(hash, next, [](int32_t) { return true; });
  if (id == next) {
    hashes.push_back(hash);
    labels.emplace_back(ClipLabel(label));
    rows.push_back(0);
    if (block) {
      sums.resize(sums.size() + measures);
    } else {
      aggregates.resize(aggregates.size() + measures);
    }
  }
  return id;
}

int32_t TimeGroups::Find(const TimeKey& key, int measures) {
  const int32_t next = static_cast<int32_t>(keys.size());
  int32_t id = index.FindOrAdd(TimeKeyHash(key), next, [&](int32_t i) { return keys[i] == key; });
  if (id == next) {
    keys.push_back(key);
    rows.push_back(0);
    totals.resize(totals.size() + measures);
  }
  return id;
}

CubeMerger::CubeMerger(const CubePlan& plan)
    : plan_(plan),
      measures_(plan.cell_measures()),
      dimensions_(plan.dimensions.size()),
      dimension_dropped_(new std::atomic<bool>[plan.dimensions.size() + 1]),
      series_dropped_(new std::atomic<bool>[plan.dimensions.size() + 1]) {
  for (size_t d = 0; d <= plan.dimensions.size(); ++d) {
    dimension_dropped_[d] = false;
    series_dropped_[d] = std::find(plan.series_dimensions.begin(), plan.series_dimensions.end(),
                                   static_cast<int>(d)) == plan.series_dimensions.end();
  }
}

void CubeMerger::Submit(int64_t index, std::unique_ptr<CubeBlock> block) {
  std::lock_guard lock(mu_);
  waiting_.emplace(index, std::move(block));
  while (!waiting_.empty() && waiting_.begin()->first == next_) {
    MergeBlock(*waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    ++next_;
  }
}

void CubeMerger::MergeBlock(CubeBlock& block) {
  bool regroup = false;
  for (size_t d = 0; d < dimensions_.size(); ++d) {
    DimensionGroups& into = dimensions_[d];
    if (into.dropped) continue;
    DimensionGroups& from = block.dimensions[d];
    into.missing += from.missing;
    for (size_t i = 0; i < from.hashes.size(); ++i) {
      int32_t id = into.Find(from.hashes[i], from.labels[i], measures_);
      into.rows[id] += from.rows[i];
      for (int m = 0; m < measures_; ++m) {
        into.aggregates[static_cast<size_t>(id) * measures_ + m].Merge(
            from.sums[i * measures_ + m].ToAggregate());
      }
    }
    if (!series_dropped_[d] && into.hashes.size() > DimensionCube::kMaxSeries) {
      series_dropped_[d] = true;
      regroup = true;
    }
    if (into.hashes.size() > DimensionCube::kMaxCategories) {
      into = DimensionGroups();
      into.dropped = true;
      dimension_dropped_[d] = true;
    }
  }

  time_missing_ += block.time_missing;
  AddTime(block.time);
  if (regroup) Regroup();
  while (static_cast<int64_t>(time_.keys.size()) > Cube::kMaxTimeBuckets &&
         grain_ != TimeGrain::kYear) {
    grain_ = CoarserStorageGrain(grain_);
    Regroup();
  }
}

void CubeMerger::AddTime(const TimeGroups& from) {
  for (size_t i = 0; i < from.keys.size(); ++i) {
    TimeKey key = from.keys[i];
    if (key.dimension >= 0 && series_dropped_[key.dimension]) continue;
    key.start = TruncateTime(key.start, grain_);
    int32_t id = time_.Find(key, measures_);
    time_.rows[id] += from.rows[i];
    for (int m = 0; m < measures_; ++m) {
      Total& t = time_.totals[static_cast<size_t>(id) * measures_ + m];
      const Total& f = from.totals[i * measures_ + m];
      t.n += f.n;
      t.sum += f.sum;
    }
  }
}

void CubeMerger::Regroup() {
  TimeGroups old = std::move(time_);
  time_ = TimeGroups();
  AddTime(old);
}

Cube CubeMerger::Finish(std::vector<SampledRow> sample, int64_t population) {
  std::lock_guard lock(mu_);
  DS_CHECK(waiting_.empty());
  Cube cube;
  cube.plan = plan_;
  cube.grain = grain_;
  cube.time_missing = time_missing_;

  // Categories: most rows first, then by label; remember each one's rank for the series.
  std::vector<std::vector<int32_t>> order(dimensions_.size());
  for (size_t d = 0; d < dimensions_.size(); ++d) {
    DimensionGroups& g = dimensions_[d];
    DimensionCube& out = cube.dimensions.emplace_back();
    out.column = plan_.dimensions[d];
    out.dropped = g.dropped;
    out.missing = g.missing;
    std::vector<int32_t>& ids = order[d];
    for (size_t i = 0; i < g.hashes.size(); ++i) ids.push_back(static_cast<int32_t>(i));
    std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
      return g.rows[a] != g.rows[b] ? g.rows[a] > g.rows[b] : g.labels[a] < g.labels[b];
    });
    for (int32_t id : ids) {
      CategoryCell& cell = out.categories.emplace_back();
      cell.label = g.labels[id];
      cell.rows = g.rows[id];
      cell.measures.assign(g.aggregates.begin() + static_cast<size_t>(id) * measures_,
                           g.aggregates.begin() + static_cast<size_t>(id + 1) * measures_);
    }
  }

  // Series: the whole table, then each category of each dimension that keeps its series.
  if (plan_.time_column >= 0) {
    auto cells_of = [&](int32_t dimension, uint64_t category) {
      std::vector<TimeCell> cells;
      for (size_t i = 0; i < time_.keys.size(); ++i) {
        const TimeKey& key = time_.keys[i];
        if (key.dimension != dimension || key.category != category) continue;
        TimeCell& cell = cells.emplace_back();
        cell.start = key.start;
        cell.rows = time_.rows[i];
        cell.measures.assign(time_.totals.begin() + i * measures_,
                             time_.totals.begin() + (i + 1) * measures_);
      }
      std::sort(cells.begin(), cells.end(),
                [](const TimeCell& a, const TimeCell& b) { return a.start < b.start; });
      return cells;
    };
    cube.series.push_back({-1, "", cells_of(-1, 0)});
    for (size_t d = 0; d < dimensions_.size(); ++d) {
      if (series_dropped_[d] || dimensions_[d].dropped) continue;
      for (int32_t id : order[d]) {
        cube.series.push_back({static_cast<int>(d), dimensions_[d].labels[id],
                               cells_of(static_cast<int32_t>(d), dimensions_[d].hashes[id])});
      }
    }
  }

  // The sample: the rows with the smallest priorities, in file order.
  std::sort(sample.begin(), sample.end(), [](const SampledRow& a, const SampledRow& b) {
    return a.priority != b.priority ? a.priority < b.priority
                                    : std::tie(a.block, a.row) < std::tie(b.block, b.row);
  });
  if (sample.size() > static_cast<size_t>(plan_.sample_rows)) sample.resize(plan_.sample_rows);
  std::sort(sample.begin(), sample.end(), [](const SampledRow& a, const SampledRow& b) {
    return std::tie(a.block, a.row) < std::tie(b.block, b.row);
  });
  cube.sample.population = population;
  for (SampledRow& row : sample) {
    cube.sample.numbers.push_back(std::move(row.numbers));
    cube.sample.labels.push_back(std::move(row.labels));
  }
  return cube;
}

CubeBuilder::CubeBuilder(CubeMerger* merger)
    : merger_(merger),
      plan_(merger->plan()),
      measures_(merger->plan().cell_measures()),
      sampled_measures_(static_cast<int>(merger->plan().measures.size())) {}

void CubeBuilder::BeginBlock(int64_t index) {
  block_ = std::make_unique<CubeBlock>();
  block_->dimensions.resize(plan_.dimensions.size());
  block_index_ = index;
  block_row_ = 0;
  last_key_.assign(plan_.dimensions.size() + 1, TimeKey());
  last_id_.assign(plan_.dimensions.size() + 1, -1);  // ids are per block
}

void CubeBuilder::EndBlock() { merger_->Submit(block_index_, std::move(block_)); }

namespace {
bool HeapLess(const SampledRow& a, const SampledRow& b) { return a.priority < b.priority; }
}  // namespace

void CubeBuilder::BeginBatch(int64_t rows) {
  rows_ = rows;
  codes_.assign(plan_.dimensions.size() * static_cast<size_t>(rows), -1);
  times_.assign(rows, kNoTime);
  sample_slot_.assign(rows, -1);
  pending_.clear();
  const size_t k = static_cast<size_t>(plan_.sample_rows);
  for (int64_t r = 0; r < rows && k > 0; ++r) {
    uint64_t position =
        (static_cast<uint64_t>(block_index_) << 32) ^ static_cast<uint64_t>(block_row_ + r);
    uint64_t priority = HashWord(position);
    if (sample_.size() >= k && priority >= sample_.front().priority) continue;
    sample_slot_[r] = static_cast<int32_t>(pending_.size());
    SampledRow& row = pending_.emplace_back();
    row.priority = priority;
    row.block = block_index_;
    row.row = block_row_ + r;
    row.numbers.assign(plan_.measures.size() + 1, NAN);
    row.labels.resize(plan_.dimensions.size());
  }
}

void CubeBuilder::SetDimension(int d, int64_t row, uint64_t hash, std::string_view label) {
  if (sample_slot_[row] >= 0) pending_[sample_slot_[row]].labels[d] = std::string(ClipLabel(label));
  if (merger_->DimensionDropped(d)) return;
  codes_[static_cast<size_t>(d) * rows_ + row] = block_->dimensions[d].Find(hash, label, measures_,
                                                                            /*block=*/true);
}

void CubeBuilder::SetTime(int64_t row, int64_t seconds) {
  times_[row] = seconds;
  if (sample_slot_[row] >= 0) {
    pending_[sample_slot_[row]].numbers[plan_.measures.size()] = static_cast<double>(seconds);
  }
}

void CubeBuilder::EndBatch(const std::vector<const double*>& measure_values) {
  CubeBlock& block = *block_;
  const size_t dims = plan_.dimensions.size();
  for (int64_t r = 0; r < rows_; ++r) {
    for (size_t d = 0; d < dims; ++d) {
      DimensionGroups& g = block.dimensions[d];
      int32_t code = codes_[d * rows_ + r];
      if (code < 0) {
        ++g.missing;
        continue;
      }
      ++g.rows[code];
      ShiftedSums* sums = g.sums.data() + static_cast<size_t>(code) * measures_;
      for (int m = 0; m < measures_; ++m) {
        double x = measure_values[m][r];
        if (!std::isnan(x)) sums[m].Add(x);
      }
    }
    if (plan_.time_column >= 0) {
      if (times_[r] == kNoTime) {
        ++block.time_missing;
      } else {
        auto add = [&](size_t slot, const TimeKey& key) {
          int32_t id;
          if (last_id_[slot] >= 0 && last_key_[slot].start == key.start &&
              last_key_[slot].category == key.category) {
            id = last_id_[slot];
          } else {
            id = block.time.Find(key, measures_);
            last_key_[slot] = key;
            last_id_[slot] = id;
          }
          ++block.time.rows[id];
          Total* totals = block.time.totals.data() + static_cast<size_t>(id) * measures_;
          for (int m = 0; m < measures_; ++m) {
            double x = measure_values[m][r];
            if (!std::isnan(x)) ++totals[m].n, totals[m].sum += x;
          }
        };
        add(0, {-1, 0, times_[r]});
        for (size_t d = 0; d < dims; ++d) {
          int32_t code = codes_[d * rows_ + r];
          if (code < 0 || merger_->SeriesDropped(static_cast<int>(d))) continue;
          add(1 + d, {static_cast<int32_t>(d), block.dimensions[d].hashes[code], times_[r]});
        }
      }
    }
  }
  // Sampled rows: their measures, then into the heap.
  const size_t k = static_cast<size_t>(plan_.sample_rows);
  for (int64_t r = 0; r < rows_; ++r) {
    if (sample_slot_[r] < 0) continue;
    SampledRow& row = pending_[sample_slot_[r]];
    for (int m = 0; m < sampled_measures_; ++m) row.numbers[m] = measure_values[m][r];
    if (sample_.size() >= k) {
      if (row.priority >= sample_.front().priority) continue;
      std::pop_heap(sample_.begin(), sample_.end(), HeapLess);
      sample_.pop_back();
    }
    sample_.push_back(std::move(row));
    std::push_heap(sample_.begin(), sample_.end(), HeapLess);
  }
  block_row_ += rows_;
  rows_seen_ += rows_;
}

}  // namespace datastory::analysis
