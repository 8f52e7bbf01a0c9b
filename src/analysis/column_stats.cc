#include "analysis/column_stats.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "table/inference.h"
#include "table/value_parse.h"

namespace datastory::analysis {

using table::ColumnType;

void ColumnAccumulator::Merge(ColumnAccumulator& o) {
  present += o.present;
  missing += o.missing;
  invalid += o.invalid;
  for (auto& seen : o.invalid_seen) invalid_seen.push_back(std::move(seen));
  counter.Merge(o.counter);
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  zeros += o.zeros;
  negatives += o.negatives;
  infinite += o.infinite;
  fraction |= o.fraction;
  time_of_day |= o.time_of_day;
  histogram.Merge(o.histogram);
  length_sum += o.length_sum;
  length_min = std::min(length_min, o.length_min);
  length_max = std::max(length_max, o.length_max);
  with_spaces += o.with_spaces;
}

namespace {

// Sorted (value, count) pairs, from exact counts or from histogram buckets (at their centre).
struct WeightedValues {
  std::vector<std::pair<double, int64_t>> points;
  int64_t total = 0;
};

// The value at 0-based rank `h` (fractional ranks interpolate between neighbours, as numpy's
// default "linear" method does).
double ExactQuantile(const WeightedValues& w, double p) {
  double h = p * static_cast<double>(w.total - 1);
  int64_t lo_rank = static_cast<int64_t>(std::floor(h));
  int64_t hi_rank = static_cast<int64_t>(std::ceil(h));
  double lo = 0, hi = 0;
  int64_t seen = 0;
  bool have_lo = false;
  for (const auto& [value, count] : w.points) {
    seen += count;
    if (!have_lo && lo_rank < seen) lo = value, have_lo = true;
    if (hi_rank < seen) {
      hi = value;
      break;
    }
  }
  return lo + (h - static_cast<double>(lo_rank)) * (hi - lo);
}

// The same from log-linear buckets: linear interpolation inside the bucket holding the rank.
double HistogramQuantile(const LogHistogram& histogram, int64_t total, double p, double min,
                         double max) {
  double h = p * static_cast<double>(total - 1);
  double result = max;
  int64_t seen = 0;
  bool done = false;
  histogram.ForEachBucket([&](double lower, double upper, int64_t count) {
    if (done) return;
    if (h < static_cast<double>(seen + count)) {
      double lo = std::max(lower, min), hi = std::min(upper, max);
      double within = (h - static_cast<double>(seen) + 0.5) / static_cast<double>(count);
      result = lo + std::clamp(within, 0.0, 1.0) * (hi - lo);
      done = true;
    }
    seen += count;
  });
  return std::clamp(result, min, max);
}

Histogram EqualWidthHistogram(
    double min, double max, int bins, bool integers,
    const std::function<void(const std::function<void(double, int64_t)>&)>& each) {
  Histogram out;
  if (!(max > min)) {
    out.edges = {min, max};
    int64_t total = 0;
    each([&](double, int64_t c) { total += c; });
    out.counts = {total};
    return out;
  }
  if (integers) bins = static_cast<int>(std::min<double>(bins, max - min + 1));
  bins = std::max(bins, 1);
  double width = (max - min) / bins;
  for (int i = 0; i <= bins; ++i) out.edges.push_back(i == bins ? max : min + width * i);
  out.counts.assign(bins, 0);
  each([&](double v, int64_t c) {
    int b = static_cast<int>((v - min) / width);
    out.counts[std::clamp(b, 0, bins - 1)] += c;
  });
  return out;
}

}  // namespace

ColumnProfile FinalizeColumn(const table::ColumnSchema& schema, const ColumnAccumulator& acc,
                             const Moments& moments, const ProfileOptions& options) {
  ColumnProfile out;
  out.schema = schema;
  out.count = acc.present;
  out.missing = acc.missing;
  out.invalid = acc.invalid;
  out.distinct = acc.counter.Distinct();
  out.distinct_exact = !acc.counter.overflowed();
  std::vector<InvalidSeen> seen = acc.invalid_seen;
  std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
  for (size_t i = 0; i < seen.size() && i < 5; ++i) {
    out.invalid_examples.push_back({seen[i].value, seen[i].line});
  }

  std::vector<ValueCounter::Entry> entries = acc.counter.Entries();
  ColumnType type = schema.type;
  bool numeric = table::IsNumeric(type);
  bool temporal = table::IsTemporal(type);
  const bool time_of_day = type == ColumnType::kTime;
  if (!schema.type_set_by_user) {
    if (numeric) type = acc.fraction ? ColumnType::kFloat : ColumnType::kInteger;
    if (temporal) type = acc.time_of_day ? ColumnType::kDatetime : ColumnType::kDate;
    if (table::IsString(type) && type != ColumnType::kIdentifier) {
      table::StringFacts facts;
      facts.count = acc.present;
      facts.distinct = out.distinct;
      facts.mean_length = acc.present ? static_cast<double>(acc.length_sum) / acc.present : 0;
      facts.share_with_spaces =
          acc.present ? static_cast<double>(acc.with_spaces) / acc.present : 0;
      if (!acc.counter.overflowed() && out.distinct <= table::kMaxLabels) {
        facts.labels = std::all_of(entries.begin(), entries.end(), [&](const auto& e) {
          return table::IsWordLabel(acc.counter.Text(e));
        });
      }
      type = table::ClassifyStrings(schema.name, facts);
    }
    if (type != schema.type) {
      out.schema.type = type;
      if (out.schema.role != table::Role::kIdentifier) out.schema.role = table::DefaultRole(type);
    }
  }

  // Top values, most frequent first; ties in value order so the list is deterministic.
  if (!acc.counter.overflowed()) {
    auto label = [&](const ValueCounter::Entry& e) -> std::string {
      if (numeric) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.15g", e.number);
        return buf;
      }
      if (temporal) return table::FormatTimestamp(static_cast<int64_t>(e.number), acc.time_of_day);
      if (time_of_day) return table::FormatTimeOfDay(static_cast<int64_t>(e.number));
      if (type == ColumnType::kBoolean) return e.number != 0 ? "true" : "false";
      return std::string(acc.counter.Text(e));
    };
    // Most frequent first; ties in value order, so the list does not depend on hash order.
    const bool by_text = table::IsString(schema.type);
    size_t k = std::min<size_t>(entries.size(), static_cast<size_t>(options.top_values));
    std::partial_sort(entries.begin(), entries.begin() + k, entries.end(),
                      [&](const ValueCounter::Entry& a, const ValueCounter::Entry& b) {
                        if (a.count != b.count) return a.count > b.count;
                        return by_text ? acc.counter.Text(a) < acc.counter.Text(b)
                                       : a.number < b.number;
                      });
    for (size_t i = 0; i < k; ++i) out.top_values.push_back({label(entries[i]), entries[i].count});
    if ((type == ColumnType::kCategorical || type == ColumnType::kBoolean) && entries.size() > 1 &&
        acc.present > 0) {
      // Summed in the order of the counts, not of the hash table (whose order depends on how
      // the blocks were merged): the same bits on any thread count.
      std::vector<int64_t> counts;
      counts.reserve(entries.size());
      for (const auto& e : entries) counts.push_back(e.count);
      std::sort(counts.begin(), counts.end());
      double entropy = 0;
      for (const int64_t c : counts) {
        double p = static_cast<double>(c) / acc.present;
        entropy -= p * std::log2(p);
      }
      out.imbalance = 1 - entropy / std::log2(static_cast<double>(entries.size()));
    } else if (type == ColumnType::kCategorical || type == ColumnType::kBoolean) {
      out.imbalance = entries.size() == 1 ? 1.0 : 0.0;
    }
  }

  if (type == ColumnType::kInteger && !schema.type_set_by_user && acc.present > 0 &&
      table::IsYearColumn(schema.name, acc.min, acc.max)) {
    out.schema.role = table::Role::kTime;
    out.schema.reason = "whole numbers in a column named like a year";
  }
  if ((numeric || temporal || time_of_day) && acc.present > 0) {
    out.min = acc.min;
    out.max = acc.max;
    out.zeros = acc.zeros;
    out.negatives = acc.negatives;
    out.infinite = acc.infinite;
    if (numeric && moments.n > 0) {
      out.mean = moments.mean;
      out.sum = moments.mean * static_cast<double>(moments.n);
      if (moments.n > 1) out.std = moments.StdDev();
      double skew = moments.Skewness(), kurt = moments.Kurtosis();
      if (!std::isnan(skew)) out.skewness = skew;
      if (!std::isnan(kurt)) out.kurtosis = kurt;
    }
    int64_t finite = acc.present - acc.infinite;
    double lo = acc.min, hi = acc.max;
    if (std::isinf(lo) || std::isinf(hi)) {
      lo = std::numeric_limits<double>::infinity(), hi = -lo;
      acc.histogram.ForEachBucket([&](double l, double u, int64_t) {
        lo = std::min(lo, l);
        hi = std::max(hi, u);
      });
    }
    if (finite > 0) {
      const double ps[] = {0.05, 0.25, 0.5, 0.75, 0.95};
      std::optional<double>* targets[] = {&out.p5, &out.p25, &out.median, &out.p75, &out.p95};
      bool integers = type == ColumnType::kInteger;
      // Times of day are profiled by hour: 24 bins from midnight to midnight.
      const int bins = time_of_day ? 24 : options.histogram_bins;
      if (time_of_day) lo = 0, hi = 86400;
      if (!acc.counter.overflowed()) {
        WeightedValues w;
        for (const auto& e : entries) {
          if (std::isfinite(e.number)) w.points.emplace_back(e.number, e.count), w.total += e.count;
        }
        std::sort(w.points.begin(), w.points.end());
        for (int i = 0; i < 5; ++i) *targets[i] = ExactQuantile(w, ps[i]);
        out.histogram =
            EqualWidthHistogram(lo, hi, bins, integers || temporal, [&](const auto& emit) {
              for (const auto& [v, c] : w.points) emit(v, c);
            });
      } else {
        out.quantiles_exact = false;
        int64_t total = acc.histogram.total();
        for (int i = 0; i < 5; ++i) {
          *targets[i] = HistogramQuantile(acc.histogram, total, ps[i], lo, hi);
        }
        out.histogram =
            EqualWidthHistogram(lo, hi, bins, integers || temporal, [&](const auto& emit) {
              acc.histogram.ForEachBucket([&](double l, double u, int64_t c) {
                emit(std::clamp(0.5 * (l + u), lo, hi), c);
              });
            });
      }
    }
  }

  if (table::IsString(type) && acc.present > 0) {
    out.min_length = static_cast<double>(acc.length_min);
    out.max_length = static_cast<double>(acc.length_max);
    out.mean_length = static_cast<double>(acc.length_sum) / acc.present;
  }
  return out;
}

}  // namespace datastory::analysis
