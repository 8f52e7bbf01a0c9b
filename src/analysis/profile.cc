#include "analysis/profile.h"

#include <algorithm>
#include <boost/sort/spreadsort/integer_sort.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>

#include "analysis/alerts.h"
#include "analysis/column_stats.h"
#include "analysis/cube_builder.h"
#include "analysis/moments.h"
#include "analysis/wide_years.h"
#include "base/calendar.h"
#include "base/hash.h"
#include "csv/tokenizer.h"
#include "table/inference.h"
#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

using table::ColumnType;

enum class Kind { kNumber, kDate, kBoolean, kString, kTimeOfDay };

Kind KindOf(ColumnType type) {
  if (table::IsNumeric(type)) return Kind::kNumber;
  if (table::IsTemporal(type)) return Kind::kDate;
  if (type == ColumnType::kTime) return Kind::kTimeOfDay;
  if (type == ColumnType::kBoolean) return Kind::kBoolean;
  return Kind::kString;
}

// What every worker needs to know about the columns, computed once.
struct Plan {
  const table::Schema* schema = nullptr;
  std::vector<Kind> kinds;
  std::vector<int> moment_slot;            // column -> slot among numeric columns, or -1
  std::vector<int> slot_column;            // slot -> column
  std::vector<std::pair<int, int>> pairs;  // slot pairs for correlations
  size_t duplicate_capacity = 0;           // row hashes per worker before sampling
  size_t exact_limit = 0;                  // distinct values counted exactly, per column
  size_t exact_text_bytes = 0;             // and the bytes of their text, per column
  int sketch_precision = 16;               // HyperLogLog precision past that
  int histogram_sub_bits = 7;              // LogHistogram resolution and span, per column
  int64_t histogram_buckets = 4096;
  // The story's aggregates, when built: each column's dimension index (or -1), and whether it
  // is the time axis.
  const CubePlan* cube = nullptr;
  std::vector<int> dimension_of;
  std::vector<int> measure_slots;  // moment slot of each cube measure
  int time_slot = -1;              // moment slot of an integer year time axis
  int time_part_slot = -1;         // and of its months or quarters (CubePlan::time_part_column)
};

// Memory per worker is planned from the column count, so a 16,384-column file stays as bounded
// as a 13-column one (docs/profile.md):
//   - up to kExactEntries values counted exactly over all columns (32 to 100,000 per column),
//     holding at most kExactTextBytes of their text;
//   - kSketchBytes of HyperLogLog registers over all columns (precision 16 per column while
//     that fits, down to 10);
//   - kHistogramBytes of log-linear buckets over the numeric and date columns (4,096 buckets a
//     sign at 1/128 of a value while that fits, fewer and coarser below).
constexpr size_t kExactEntries = 1'300'000;
constexpr size_t kExactTextBytes = 32 << 20;
constexpr size_t kSketchBytes = 16 << 20;
constexpr size_t kHistogramBytes = 16 << 20;

// What the cube's plan knows before the file is read: its rows, estimated from the sniffed
// sample's bytes per record, and the sample's data records.
PlanEvidence Evidence(const csv::SniffResult& sniff, const table::Schema& schema) {
  PlanEvidence evidence;
  const size_t first = schema.dialect.header && !sniff.records.empty() ? 1 : 0;
  for (size_t r = first; r < sniff.records.size(); ++r)
    evidence.sample.push_back(&sniff.records[r]);
  for (const auto& record : sniff.extra_records) evidence.sample.push_back(&record);
  const auto sampled = static_cast<int64_t>(sniff.records.size() - first);
  if (sniff.sample_is_whole_file || sniff.record_offsets.size() < 2) {
    evidence.estimated_rows = sampled;
  } else {
    const double bytes_per_record = static_cast<double>(sniff.record_offsets.back()) /
                                    static_cast<double>(sniff.record_offsets.size() - 1);
    evidence.estimated_rows =
        std::max<int64_t>(sampled, static_cast<int64_t>(static_cast<double>(sniff.file_bytes) /
                                                        std::max(bytes_per_record, 1.0)));
  }
  return evidence;
}

// The numeric columns whose pairs get a Pearson correlation over every row: for a story on a
// table longer than its row sample, all of them while rows × pairs stays within the cube's
// budget; else the first max_correlated_columns, the cube's measures (the most promising)
// before the others. (A story on a shorter table correlates every pair from the sample.)
void PairColumns(const ProfileOptions& options, int64_t rows, const CubePlan& cube, Plan* plan) {
  std::vector<int> order;  // slots
  for (int column : cube.ranked_measures) {
    if (plan->kinds[column] == Kind::kNumber) order.push_back(plan->moment_slot[column]);
  }
  for (size_t s = 0; s < plan->slot_column.size(); ++s) {
    if (plan->kinds[plan->slot_column[s]] != Kind::kNumber) continue;
    if (std::find(order.begin(), order.end(), static_cast<int>(s)) == order.end()) {
      order.push_back(static_cast<int>(s));
    }
  }
  // A profile alone (no story) keeps to max_correlated_columns: its reader wants the table
  // of correlations, not every pair of a thousand columns.
  // A story on a table its row sample holds whole correlates from the sample, after the pass.
  const bool sampled_whole = rows <= cube.sample_rows;
  const double affordable = options.build_cube && !sampled_whole
                                ? std::sqrt(2 * CubePlan::kMaxCellUpdates /
                                            static_cast<double>(std::max<int64_t>(rows, 1)))
                                : 0;
  // And at most kMaxPairs pairs: each keeps co-moments per worker and block.
  const double most = std::sqrt(2 * static_cast<double>(CubePlan::kMaxPairs));
  const size_t paired =
      std::min(order.size(), static_cast<size_t>(std::max<double>(options.max_correlated_columns,
                                                                  std::min(affordable, most))));
  order.resize(paired);
  std::sort(order.begin(), order.end());  // pairs in column order
  for (size_t a = 0; a < paired; ++a) {
    for (size_t b = a + 1; b < paired; ++b) plan->pairs.emplace_back(order[a], order[b]);
  }
}

// A number as a category's label, the same for every spelling of the value ("1", "1.0",
// "+1": "1").
std::string_view NumberLabel(double v, std::string* buffer) {
  char text[32];
  const int n = std::snprintf(text, sizeof(text), "%.15g", v);
  buffer->assign(text, static_cast<size_t>(std::max(n, 0)));
  return *buffer;
}

void PlanMemory(size_t columns, size_t numeric_columns, Plan* plan) {
  columns = std::max<size_t>(columns, 1);
  plan->exact_limit = std::clamp<size_t>(kExactEntries / columns, 32, ValueCounter::kDefaultLimit);
  plan->exact_text_bytes = std::max<size_t>(kExactTextBytes / columns, 1024);
  int precision = HyperLogLog::kDefaultPrecision;
  while (precision > 10 && (size_t{1} << precision) * columns > kSketchBytes) --precision;
  plan->sketch_precision = precision;
  // Two signs of int64 counts per column.
  const auto buckets = static_cast<int64_t>(std::clamp<size_t>(
      kHistogramBytes / (std::max<size_t>(numeric_columns, 1) * 2 * sizeof(int64_t)), 64,
      LogHistogram::kDefaultMaxBuckets));
  plan->histogram_buckets = buckets;
  // Keep 32 powers of two in reach: fewer buckets get fewer sub-bits each.
  int sub_bits = LogHistogram::kDefaultSubBits;
  while (sub_bits > 1 && (buckets >> sub_bits) < 32) --sub_bits;
  plan->histogram_sub_bits = sub_bits;
}

// Moments of one block, merged across blocks in file order.
struct BlockMoments {
  std::vector<Moments> moments;
  std::vector<CoMoments> co;
};

// Merges block moments in file order as blocks finish, whichever worker finished them: only the
// blocks that arrive ahead of an unfinished one wait, so memory does not grow with the file.
// Thread-safe.
class OrderedMoments {
 public:
  OrderedMoments(size_t slots, size_t pairs) : moments_(slots), co_(pairs) {}

  void Submit(int64_t index, BlockMoments block) {
    std::lock_guard lock(mu_);
    waiting_.emplace(index, std::move(block));
    while (!waiting_.empty() && waiting_.begin()->first == next_) {
      const BlockMoments& b = waiting_.begin()->second;
      for (size_t s = 0; s < moments_.size(); ++s) moments_[s].Merge(b.moments[s]);
      for (size_t k = 0; k < co_.size(); ++k) co_[k].Merge(b.co[k]);
      waiting_.erase(waiting_.begin());
      ++next_;
    }
  }
  // After the read: every block has been submitted.
  const std::vector<Moments>& moments() const { return moments_; }
  const std::vector<CoMoments>& co() const { return co_; }

 private:
  std::mutex mu_;
  int64_t next_ = 0;
  std::map<int64_t, BlockMoments> waiting_;
  std::vector<Moments> moments_;
  std::vector<CoMoments> co_;
};

class ProfileConsumer final : public csv::BatchConsumer {
 public:
  ProfileConsumer(const Plan& plan, OrderedMoments* ordered, CubeMerger* cube)
      : plan_(plan), dialect_(plan.schema->dialect), ordered_(ordered) {
    columns_.reserve(plan.schema->columns.size());
    for (size_t c = 0; c < plan.schema->columns.size(); ++c) {
      columns_.emplace_back(plan.exact_limit, plan.sketch_precision, plan.exact_text_bytes,
                            plan.histogram_sub_bits, plan.histogram_buckets);
    }
    if (cube) cube_ = std::make_unique<CubeBuilder>(cube);
  }

  void BeginBlock(const csv::BlockInfo& block) override {
    block_ = block;
    current_.moments.assign(plan_.slot_column.size(), Moments());
    current_.co.assign(plan_.pairs.size(), CoMoments());
    if (cube_) cube_->BeginBlock(block.index);
  }

  void EndBlock(const csv::BlockInfo& block) override {
    ordered_->Submit(block.index, std::move(current_));
    if (cube_) cube_->EndBlock();
  }

  void Consume(const csv::RecordBatch& batch) override {
    const int64_t rows = batch.rows;
    values_.resize(plan_.slot_column.size() * static_cast<size_t>(rows));
    if (cube_) cube_->BeginBatch(rows);
    for (size_t c = 0; c < columns_.size(); ++c) ProcessColumn(static_cast<int>(c), batch);
    AddMoments(rows);
    if (cube_) AddToCube(rows);
    for (int64_t r = 0; r < rows; ++r) AddRowHash(HashBytes(batch.RowBytes(r)));
  }

  CubeBuilder* cube() { return cube_.get(); }

  std::vector<ColumnAccumulator>& columns() { return columns_; }
  std::vector<uint64_t>& row_hashes() { return row_hashes_; }
  int duplicate_level() const { return duplicate_level_; }

 private:
  // A time of day's value (ProcessColumn's case, kept out of its loop: a rare type should not
  // weigh on the common ones). False when it is invalid (counted as such).
  [[gnu::noinline]] bool TimeOfDayValue(std::string_view text, ColumnAccumulator& acc,
                                        const csv::RecordBatch& batch, int64_t r, int dimension,
                                        int64_t* present, size_t* n) {
    auto t = table::ParseTimeOfDay(text);
    if (!t) {
      Invalid(acc, text, batch, r, present);
      return false;
    }
    const double v = *t;
    acc.min = std::min(acc.min, v);
    acc.max = std::max(acc.max, v);
    acc.histogram.Add(v);
    hashes_[*n] = HashWord(static_cast<uint64_t>(*t));
    if (dimension >= 0) {  // grouped by the hour of the day
      const int64_t hour = *t / 3600;
      cube_->SetDimension(dimension, r, HashWord(static_cast<uint64_t>(hour) + 1),
                          table::HourLabel(*t));
    }
    numbers_[(*n)++] = v;
    return true;
  }

  // One column of one batch: parse every value, keep the cheap statistics on the way, and
  // collect the present values so the distinct-value counter sees them in one batch.
  void ProcessColumn(int c, const csv::RecordBatch& batch) {
    const table::ColumnSchema& schema = plan_.schema->columns[c];
    ColumnAccumulator& acc = columns_[c];
    const Kind kind = plan_.kinds[c];
    const int slot = plan_.moment_slot[c];
    const int dimension = cube_ ? plan_.dimension_of[c] : -1;
    const bool time_axis = cube_ && c == plan_.cube->time_column && kind == Kind::kDate;
    double* out = slot >= 0 ? values_.data() + static_cast<size_t>(slot) * batch.rows : nullptr;
    hashes_.resize(batch.rows);
    numbers_.resize(batch.rows);
    texts_.resize(batch.rows);
    size_t n = 0;         // values collected for the counter
    int64_t present = 0;  // present and valid
    for (int64_t r = 0; r < batch.rows; ++r) {
      if (out) out[r] = NAN;
      if (batch.cell(r, c).absent()) {
        ++acc.missing;
        continue;
      }
      std::string_view text = batch.Value(r, c, dialect_, &scratch_);
      if (table::IsNullToken(text)) {
        ++acc.missing;
        continue;
      }
      ++present;  // taken back by Invalid()
      switch (kind) {
        case Kind::kNumber: {
          table::NumberTraits traits;
          double v;
          if (!table::ParseSimpleNumber(text, schema.number.decimal, &v, &traits)) {
            auto x = table::ParseNumber(text, schema.number, &traits);
            if (!x) {
              Invalid(acc, text, batch, r, &present);
              continue;
            }
            v = *x;
          }
          acc.fraction |= traits.fraction;
          if (std::isinf(v)) {
            ++acc.infinite;
          } else {
            acc.min = std::min(acc.min, v);
            acc.max = std::max(acc.max, v);
            if (out) out[r] = v;
          }
          acc.zeros += v == 0;
          acc.negatives += v < 0;
          acc.histogram.Add(v);
          if (v == 0) v = 0.0;  // -0 and 0 are one value
          hashes_[n] = HashWord(std::bit_cast<uint64_t>(v));
          if (dimension >= 0) {  // numbers read as categories (0/1): one label per value
            cube_->SetDimension(dimension, r, hashes_[n], NumberLabel(v, &label_));
          }
          numbers_[n++] = v;
          break;
        }
        case Kind::kDate: {
          auto t = table::ParseDate(text, schema.date_order);
          if (!t) {
            Invalid(acc, text, batch, r, &present);
            continue;
          }
          double v = static_cast<double>(t->seconds);
          acc.time_of_day |= t->seconds % 86400 != 0;
          if (time_axis) cube_->SetTime(r, t->seconds);
          acc.min = std::min(acc.min, v);
          acc.max = std::max(acc.max, v);
          acc.histogram.Add(v);
          hashes_[n] = HashWord(static_cast<uint64_t>(t->seconds));
          numbers_[n++] = v;
          break;
        }
        case Kind::kTimeOfDay:
          if (!TimeOfDayValue(text, acc, batch, r, dimension, &present, &n)) continue;
          break;
        case Kind::kBoolean: {
          auto b = table::ParseBoolean(text);
          if (!b) {
            Invalid(acc, text, batch, r, &present);
            continue;
          }
          hashes_[n] = HashWord(*b ? 1 : 2);
          if (dimension >= 0) cube_->SetDimension(dimension, r, hashes_[n], *b ? "true" : "false");
          if (out) out[r] = *b ? 1 : 0;  // an outcome: the cube's measure
          numbers_[n++] = *b ? 1 : 0;
          break;
        }
        case Kind::kString: {
          int64_t length = static_cast<int64_t>(text.size());
          acc.length_sum += length;
          acc.length_min = std::min(acc.length_min, length);
          acc.length_max = std::max(acc.length_max, length);
          acc.with_spaces += text.find(' ') != std::string_view::npos;
          hashes_[n] = HashBytes(text);
          if (dimension >= 0) cube_->SetDimension(dimension, r, hashes_[n], text);
          if (text.data() == scratch_.data()) {
            // Unquoted text lives in scratch_, which the next value overwrites: keep a copy.
            unquoted_.emplace_back(n, arena_.size());
            arena_.append(text);
            texts_[n++] = std::string_view(nullptr, text.size());
          } else {
            texts_[n++] = text;
          }
          break;
        }
      }
    }
    acc.present += present;
    for (auto [index, offset] : unquoted_) {
      texts_[index] = {arena_.data() + offset, texts_[index].size()};
    }
    acc.counter.AddBatch(hashes_.data(), numbers_.data(),
                         kind == Kind::kString ? texts_.data() : nullptr, n);
    unquoted_.clear();
    arena_.clear();
  }

  // Moments of each numeric column and co-moments of each pair, for one batch. A column with a
  // value in every row of the batch is centred once; pairs of such columns need only a dot
  // product. Columns with gaps take the pairwise-complete path.
  void AddMoments(int64_t rows) {
    const size_t slots = plan_.slot_column.size();
    centred_.resize(slots * static_cast<size_t>(rows));
    full_.assign(slots, false);
    mean_.assign(slots, 0);
    m2_.assign(slots, 0);
    for (size_t s = 0; s < slots; ++s) {
      const double* x = values_.data() + s * rows;
      int64_t n = 0;
      double sum = 0;
      for (int64_t r = 0; r < rows; ++r) {
        if (!std::isnan(x[r])) sum += x[r], ++n;
      }
      if (n != rows) {
        current_.moments[s].AddBatch(x, rows);
        continue;
      }
      Moments b;
      b.n = n;
      b.mean = sum / static_cast<double>(n);
      double* d = centred_.data() + s * rows;
      for (int64_t r = 0; r < rows; ++r) {
        d[r] = x[r] - b.mean;
        double d2 = d[r] * d[r];
        b.m2 += d2;
        b.m3 += d2 * d[r];
        b.m4 += d2 * d2;
      }
      current_.moments[s].Merge(b);
      full_[s] = true;
      mean_[s] = b.mean;
      m2_[s] = b.m2;
    }
    for (size_t k = 0; k < plan_.pairs.size(); ++k) {
      auto [a, b] = plan_.pairs[k];
      if (full_[a] && full_[b]) {
        CoMoments batch;
        batch.n = rows;
        batch.mean_x = mean_[a];
        batch.mean_y = mean_[b];
        batch.cxy = Dot(centred_.data() + a * rows, centred_.data() + b * rows, rows);
        batch.m2x = m2_[a];
        batch.m2y = m2_[b];
        current_.co[k].Merge(batch);
      } else {
        current_.co[k].AddBatch(values_.data() + a * rows, values_.data() + b * rows, rows);
      }
    }
  }

  // The batch's measures (and an integer year axis) into the story's aggregates.
  void AddToCube(int64_t rows) {
    measure_values_.clear();
    for (int slot : plan_.measure_slots) {
      measure_values_.push_back(values_.data() + static_cast<size_t>(slot) * rows);
    }
    // Each weighted rate's two sums: rate × base, and the base where the rate is present.
    const auto& weighted = plan_.cube->weighted_rates;
    weighted_values_.resize(2 * weighted.size() * static_cast<size_t>(rows));
    for (size_t w = 0; w < weighted.size(); ++w) {
      const double* rate = measure_values_[weighted[w].rate];
      const double* base = measure_values_[weighted[w].base];
      double* product = weighted_values_.data() + 2 * w * rows;
      double* present_base = product + rows;
      for (int64_t r = 0; r < rows; ++r) {
        const bool both = !std::isnan(rate[r]) && !std::isnan(base[r]);
        product[r] = both ? rate[r] * base[r] : NAN;
        present_base[r] = both ? base[r] : NAN;
      }
    }
    for (size_t w = 0; w < 2 * weighted.size(); ++w) {
      measure_values_.push_back(weighted_values_.data() + w * rows);
    }
    if (plan_.time_slot >= 0) {
      const double* years = values_.data() + static_cast<size_t>(plan_.time_slot) * rows;
      const double* parts = plan_.time_part_slot >= 0
                                ? values_.data() + static_cast<size_t>(plan_.time_part_slot) * rows
                                : nullptr;
      const int months_per_part = plan_.cube->time_part_months;
      const double last_part = months_per_part > 0 ? 12.0 / months_per_part : 0;
      for (int64_t r = 0; r < rows; ++r) {
        const double y = years[r];
        if (!(y >= 1000 && y <= 2999 && y == std::floor(y))) continue;
        if (!parts) {
          cube_->SetTime(r, YearStart(static_cast<int64_t>(y)));
          continue;
        }
        const double part = parts[r];
        if (part >= 1 && part <= last_part && part == std::floor(part)) {
          const auto month = static_cast<unsigned>((part - 1) * months_per_part + 1);
          cube_->SetTime(r, DaysFromCivil(static_cast<int64_t>(y), month, 1) * 86400);
        }
      }
    }
    cube_->EndBatch(measure_values_);
  }

  void Invalid(ColumnAccumulator& acc, std::string_view text, const csv::RecordBatch& batch,
               int64_t row, int64_t* present) {
    --*present;
    ++acc.invalid;
    if (acc.invalid_seen.size() >= 5) return;
    const char terminator = dialect_.RecordTerminator();
    int64_t line =
        block_.first_line + std::count(batch.data, batch.data + batch.row_begin[row], terminator);
    acc.invalid_seen.push_back({std::string(text.substr(0, 100)), block_.index, line});
  }

  void AddRowHash(uint64_t h) {
    if (duplicate_level_ > 0 && (h >> (64 - duplicate_level_)) != 0) return;
    row_hashes_.push_back(h);
    if (row_hashes_.size() > plan_.duplicate_capacity) {
      ++duplicate_level_;
      int level = duplicate_level_;
      std::erase_if(row_hashes_, [level](uint64_t x) { return (x >> (64 - level)) != 0; });
    }
  }

  const Plan& plan_;
  const csv::Dialect& dialect_;
  std::vector<ColumnAccumulator> columns_;
  OrderedMoments* ordered_;
  BlockMoments current_;  // the block being read
  csv::BlockInfo block_;
  std::vector<double> values_;
  std::vector<double> centred_, mean_, m2_;  // per batch, for AddMoments
  std::vector<bool> full_;
  std::vector<uint64_t> hashes_;  // per batch: the present values of one column
  std::vector<double> numbers_;
  std::vector<std::string_view> texts_;
  std::string arena_;                                // copies of unquoted texts, per batch
  std::vector<std::pair<size_t, size_t>> unquoted_;  // (index in texts_, offset in arena_)
  std::vector<uint64_t> row_hashes_;
  int duplicate_level_ = 0;
  std::string scratch_;
  std::string label_;  // a number as a category's label
  std::unique_ptr<CubeBuilder> cube_;
  std::vector<const double*> measure_values_;
  std::vector<double> weighted_values_;  // the weighted rates' sums, by rate then row
};

// Duplicate rows among the hashes kept at sampling level `level` (1 in 2^level of all distinct
// rows, chosen by hash, so copies of a row are kept or dropped together).
int64_t CountDuplicates(std::vector<uint64_t>& hashes, int level) {
  if (level > 0) {
    std::erase_if(hashes, [level](uint64_t x) { return (x >> (64 - level)) != 0; });
  }
  boost::sort::spreadsort::integer_sort(hashes.begin(), hashes.end());  // radix: 64-bit keys
  int64_t duplicates = 0;
  for (size_t i = 1; i < hashes.size(); ++i) duplicates += hashes[i] == hashes[i - 1];
  return duplicates << level;
}

}  // namespace

namespace {

// A table with a column per year, profiled in its long form: a row per entity and year. The
// profile names the file as it is; a diagnostic says how it was read and which years are empty.
Result<Profile> ProfileLong(const csv::ByteSource& source, const table::Schema& schema,
                            const YearColumns& years, const ProfileOptions& options,
                            std::chrono::steady_clock::time_point started) {
  DS_ASSIGN_OR_RETURN(LongTable table, ReadLong(source, schema, years, options.max_long_bytes));
  const auto long_source = csv::MemorySource(std::move(table.csv), source.name());
  ProfileOptions inner = options;
  inner.max_long_bytes = 0;
  inner.sniff.overrides = {};
  inner.sniff.overrides.delimiter = ',';
  inner.sniff.overrides.header = true;
  inner.sniff.overrides.encoding = csv::Encoding::kUtf8;
  DS_ASSIGN_OR_RETURN(Profile profile, ProfileSource(*long_source, inner));
  profile.file_bytes = source.size();
  std::string note = std::to_string(years.columns.size()) + " columns named for years (" +
                     std::to_string(years.years.front()) + " to " +
                     std::to_string(years.years.back()) +
                     ") were read as rows: " + std::to_string(table.wide_rows) + " rows became " +
                     std::to_string(table.rows) + " rows of year and " + table.value_name;
  if (!table.empty_years.empty()) {
    note += "; years without a value: ";
    for (size_t i = 0; i < table.empty_years.size(); ++i) {
      note += (i ? ", " : "") + std::to_string(table.empty_years[i]);
    }
  }
  if (!table.dropped.empty()) {
    note += "; the same in every row, left out: ";
    for (size_t i = 0; i < table.dropped.size(); ++i) note += (i ? ", " : "") + table.dropped[i];
  }
  profile.diagnostics.insert(profile.diagnostics.begin(),
                             csv::Diagnostic{csv::DiagnosticKind::kReadLong, 1, 0, note});
  ++profile.diagnostic_count;
  profile.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return profile;
}

}  // namespace

Result<Profile> ProfileSource(const csv::ByteSource& source, const ProfileOptions& options) {
  auto started = std::chrono::steady_clock::now();
  DS_ASSIGN_OR_RETURN(csv::SniffResult sniff,
                      csv::SniffDialect(source, options.sniff, options.read.limits));
  auto inferred = table::InferSchema(sniff, options.inference);
  if (!inferred.ok()) return inferred.status().WithPrefix(source.name());
  table::Schema schema = std::move(inferred).value();
  const int ncols = static_cast<int>(schema.columns.size());
  if (schema.dialect.data_offset < 0) {
    return Status::InvalidArgument(source.name() + ": only a header row (" + std::to_string(ncols) +
                                   " columns), no data rows");
  }
  if (options.max_long_bytes > 0) {
    if (const YearColumns years = FindYearColumns(schema); !years.columns.empty()) {
      auto profile = ProfileLong(source, schema, years, options, started);
      // Too large to read in long form in memory: read as it stands.
      if (profile.ok() || profile.status().code() != StatusCode::kResourceExhausted ||
          !profile.status().reason().empty()) {
        return profile;
      }
    }
  }

  Plan plan;
  plan.schema = &schema;
  plan.moment_slot.assign(ncols, -1);
  for (int c = 0; c < ncols; ++c) {
    plan.kinds.push_back(KindOf(schema.columns[c].type));
    if (plan.kinds[c] == Kind::kNumber) {
      plan.moment_slot[c] = static_cast<int>(plan.slot_column.size());
      plan.slot_column.push_back(c);
    }
  }
  const int workers = csv::WorkerCount(options.read);
  const auto dated =
      static_cast<size_t>(std::count(plan.kinds.begin(), plan.kinds.end(), Kind::kDate));
  PlanMemory(schema.columns.size(), plan.slot_column.size() + dated, &plan);
  plan.duplicate_capacity = (size_t{4} << 20) / static_cast<size_t>(workers);

  const PlanEvidence evidence = Evidence(sniff, schema);
  std::optional<CubeMerger> cube_merger;
  CubePlan cube_plan;
  if (options.build_cube) {
    DS_ASSIGN_OR_RETURN(cube_plan, PlanCube(schema, options, evidence));
    plan.cube = &cube_plan;
    plan.dimension_of.assign(ncols, -1);
    for (size_t d = 0; d < cube_plan.dimensions.size(); ++d) {
      plan.dimension_of[cube_plan.dimensions[d]] = static_cast<int>(d);
    }
    for (int c : cube_plan.measures) {
      // A boolean outcome gets a slot of values (1 and 0) for the cube, after the numeric
      // columns' slots and outside their correlations.
      if (plan.moment_slot[c] < 0) {
        plan.moment_slot[c] = static_cast<int>(plan.slot_column.size());
        plan.slot_column.push_back(c);
      }
      plan.measure_slots.push_back(plan.moment_slot[c]);
    }
    if (cube_plan.time_is_year) plan.time_slot = plan.moment_slot[cube_plan.time_column];
    if (cube_plan.time_part_column >= 0) {
      plan.time_part_slot = plan.moment_slot[cube_plan.time_part_column];
    }
    cube_merger.emplace(cube_plan);
  }
  PairColumns(options, evidence.estimated_rows, cube_plan, &plan);

  OrderedMoments ordered(plan.slot_column.size(), plan.pairs.size());
  std::vector<std::unique_ptr<ProfileConsumer>> consumers;
  consumers.reserve(workers);
  for (int w = 0; w < workers; ++w) {
    consumers.push_back(
        std::make_unique<ProfileConsumer>(plan, &ordered, cube_merger ? &*cube_merger : nullptr));
  }
  csv::ReadOptions read_options = options.read;
  // An encoding the user set is a promise about every byte, not only the sniffed ones.
  read_options.strict_encoding = options.sniff.overrides.encoding.has_value();
  DS_ASSIGN_OR_RETURN(csv::ReadSummary read,
                      csv::ReadCsv(source, schema.dialect, ncols, schema.first_data_line,
                                   read_options, [&](int w) { return consumers[w].get(); }));
  if (read.rows == 0) {
    return Status::InvalidArgument(source.name() + ": a header row (" + std::to_string(ncols) +
                                   " columns) but no data rows");
  }

  // Merge the column state of the workers (any order: it is order-independent); the moments
  // were merged in block order as the blocks finished.
  ProfileConsumer& first = *consumers[0];
  int level = 0;
  for (auto& consumer : consumers) level = std::max(level, consumer->duplicate_level());
  std::vector<uint64_t> hashes;
  for (auto& consumer : consumers) {
    if (consumer.get() != &first) {
      for (int c = 0; c < ncols; ++c) first.columns()[c].Merge(consumer->columns()[c]);
    }
    auto& h = consumer->row_hashes();
    hashes.insert(hashes.end(), h.begin(), h.end());
    std::vector<uint64_t>().swap(h);
  }
  const std::vector<Moments>& moments = ordered.moments();
  const std::vector<CoMoments>& co = ordered.co();

  Profile profile;
  profile.source_name = source.name();
  profile.file_bytes = source.size();
  profile.dialect = schema.dialect;
  profile.encoding_reason = sniff.encoding_reason;
  profile.header_reason = schema.header_reason;
  profile.dialect_candidates = sniff.candidates;
  profile.skipped_lines = sniff.skipped_lines;
  profile.footer_lines = sniff.footer_lines;
  profile.rows = read.rows;
  profile.blank_lines = read.blank_lines;
  profile.threads = workers;
  profile.duplicates_exact = level == 0;
  profile.duplicate_rows = CountDuplicates(hashes, level);

  csv::DiagnosticLog diagnostics;
  if (!sniff.skipped_lines.empty()) {
    diagnostics.Add({csv::DiagnosticKind::kSkippedLines, 1, 0,
                     std::to_string(sniff.skipped_lines.size()) +
                         " line(s) before the table were skipped, starting \"" +
                         sniff.skipped_lines.front().substr(0, 60) + "\""});
  }
  if (!sniff.footer_lines.empty()) {
    diagnostics.Add({csv::DiagnosticKind::kFooterLines, schema.first_data_line + read.lines,
                     schema.dialect.footer_offset,
                     std::to_string(sniff.footer_lines.size()) +
                         " line(s) after the table were left out (a totals row or notes), "
                         "starting \"" +
                         sniff.footer_lines.front().substr(0, 60) + "\""});
  }
  diagnostics.Merge(read.diagnostics);
  Moments none;
  for (int c = 0; c < ncols; ++c) {
    const int slot = plan.kinds[c] == Kind::kNumber ? plan.moment_slot[c] : -1;
    ColumnProfile column = FinalizeColumn(schema.columns[c], first.columns()[c],
                                          slot >= 0 ? moments[slot] : none, options);
    if (column.invalid > 0) {
      const auto& ex = column.invalid_examples.front();
      diagnostics.Add({csv::DiagnosticKind::kInvalidValue, ex.line, 0,
                       "column '" + column.schema.name + "': " + std::to_string(column.invalid) +
                           " value(s) are not " +
                           std::string(table::ColumnTypeName(column.schema.type)) + ", e.g. \"" +
                           ex.value + "\""});
    }
    profile.columns.push_back(std::move(column));
  }
  for (size_t k = 0; k < co.size(); ++k) {
    double r = co[k].Pearson();
    if (std::isnan(r)) continue;
    auto [a, b] = plan.pairs[k];
    profile.correlations.push_back({schema.columns[plan.slot_column[a]].name,
                                    schema.columns[plan.slot_column[b]].name, "pearson", r,
                                    co[k].n});
  }
  if (cube_merger) {
    std::vector<SampledRow> sample;
    for (auto& consumer : consumers) {
      auto part = consumer->cube()->TakeSample();
      std::move(part.begin(), part.end(), std::back_inserter(sample));
    }
    profile.cube = cube_merger->Finish(std::move(sample), read.rows);
  }
  profile.diagnostics = diagnostics.Sorted();
  profile.diagnostic_count = diagnostics.Total();
  profile.alerts = ComputeAlerts(profile);
  profile.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return profile;
}

}  // namespace datastory::analysis
