// PlanCube: which columns the story's cube aggregates. Every measure and dimension when the cube
// can afford them all; otherwise the most promising ones, screened on the sniffed sample by how
// strongly each goes with the others, never by where it stands in the file.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <numeric>

#include "analysis/moments.h"
#include "analysis/profile.h"
#include "table/inference.h"
#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

using table::ColumnType;

// Bytes of one category's aggregate of one measure, counting the block-level copy the workers
// fill before the merge.
constexpr double kBytesPerCell = 2 * sizeof(Aggregate);
// Pairs screened on the sample: at most this many (column pair × sampled row) steps.
constexpr double kMaxScreeningWork = 2e8;
// Measures each measure is paired with in the screen, at most (a table of 16,000 numeric
// columns has 128 million pairs).
constexpr size_t kMaxScreenedMeasures = 500;

// "00:00" … "23:00": the groups of a time-of-day column.
const std::array<std::string, 24> kHourLabels = [] {
  std::array<std::string, 24> labels;
  for (int h = 0; h < 24; ++h) labels[static_cast<size_t>(h)] = table::HourLabel(h * 3600);
  return labels;
}();

// How strongly each candidate column goes with the others in the sniffed sample: for a measure,
// the largest share of its variance a dimension explains (η²) or another measure shares (r²);
// for a dimension, the largest η² it gives a measure. 0 when the sample says nothing.
struct Screening {
  std::map<int, double> score;       // by column
  std::map<int, double> categories;  // per dimension: distinct labels in the sample
};

Screening Screen(const table::Schema& schema, const std::vector<int>& measures,
                 const std::vector<int>& dimensions,
                 const std::vector<const std::vector<std::string>*>& records) {
  Screening out;
  for (int c : measures) out.score[c] = 0;
  for (int c : dimensions) out.score[c] = 0;
  // The sample's values: numbers per measure, labels per dimension.
  const double pairs = static_cast<double>(measures.size()) *
                       (static_cast<double>(dimensions.size()) +
                        static_cast<double>(std::min(measures.size(), kMaxScreenedMeasures)) / 2);
  const size_t rows =
      std::min(records.size(),
               static_cast<size_t>(std::max(50.0, kMaxScreeningWork / std::max(pairs, 1.0))));
  std::vector<std::vector<double>> values(measures.size(), std::vector<double>(rows, NAN));
  std::vector<std::vector<int>> codes(dimensions.size(), std::vector<int>(rows, -1));
  std::vector<int> category_count(dimensions.size(), 0);
  for (size_t i = 0; i < measures.size(); ++i) {
    const table::ColumnSchema& col = schema.columns[measures[i]];
    for (size_t r = 0; r < rows; ++r) {
      const auto& record = *records[r];
      if (static_cast<size_t>(measures[i]) >= record.size()) continue;
      const std::string& text = record[measures[i]];
      if (table::IsNullToken(text)) continue;
      if (auto x = table::ParseNumber(text, col.number)) values[i][r] = *x;
      if (col.type == ColumnType::kBoolean) {
        if (auto b = table::ParseBoolean(text)) values[i][r] = *b ? 1 : 0;
      }
    }
  }
  for (size_t j = 0; j < dimensions.size(); ++j) {
    std::map<std::string_view, int> ids;
    const bool by_hour = schema.columns[dimensions[j]].type == ColumnType::kTime;
    for (size_t r = 0; r < rows; ++r) {
      const auto& record = *records[r];
      if (static_cast<size_t>(dimensions[j]) >= record.size()) continue;
      std::string_view label = record[dimensions[j]];
      if (table::IsNullToken(label)) continue;
      if (by_hour) {  // a time of day counts by its hour, as the cube groups it
        const auto t = table::ParseTimeOfDay(label);
        if (!t) continue;
        label = kHourLabels[static_cast<size_t>(*t / 3600)];
      }
      codes[j][r] = ids.try_emplace(label, static_cast<int>(ids.size())).first->second;
    }
    category_count[j] = static_cast<int>(ids.size());
    out.categories[dimensions[j]] = static_cast<double>(ids.size());
  }
  auto raise = [&](int column, double value) {
    double& s = out.score[column];
    if (std::isfinite(value)) s = std::max(s, value);
  };
  for (size_t i = 0; i < measures.size(); ++i) {
    // η² by each dimension: between-group over total sum of squares, from per-category counts
    // and sums (a screen, so the one-pass formula's precision is enough).
    std::vector<double> n_of, sum_of;
    for (size_t j = 0; j < dimensions.size(); ++j) {
      if (category_count[j] < 2) continue;
      n_of.assign(category_count[j], 0);
      sum_of.assign(category_count[j], 0);
      double n = 0, sum = 0, squares = 0;
      for (size_t r = 0; r < rows; ++r) {
        const double x = values[i][r];
        const int code = codes[j][r];
        if (std::isnan(x) || code < 0) continue;
        n_of[code] += 1, sum_of[code] += x;
        n += 1, sum += x, squares += x * x;
      }
      const double total = squares - sum * sum / std::max(n, 1.0);
      if (n < 3 || total <= 1e-12 * std::max(squares, 1.0)) continue;
      double between = -sum * sum / n;
      for (int k = 0; k < category_count[j]; ++k) {
        if (n_of[k] > 0) between += sum_of[k] * sum_of[k] / n_of[k];
      }
      const double eta2 = std::clamp(between / total, 0.0, 1.0);
      raise(measures[i], eta2);
      raise(dimensions[j], eta2);
    }
    // r² with each later measure; past kMaxScreenedMeasures, with every stride-th one only.
    const size_t stride =
        measures.size() <= kMaxScreenedMeasures ? 1 : measures.size() / kMaxScreenedMeasures + 1;
    for (size_t k = i + 1; k < measures.size(); k += stride) {
      CoMoments co;
      co.AddBatch(values[i].data(), values[k].data(), static_cast<int64_t>(rows));
      const double r = co.n >= 3 ? co.Pearson() : NAN;
      raise(measures[i], r * r);
      raise(measures[k], r * r);
    }
  }
  return out;
}

// The columns in order of their screening score, highest first; ties in file order.
std::vector<int> Ranked(std::vector<int> columns, const Screening& screening) {
  std::stable_sort(columns.begin(), columns.end(),
                   [&](int a, int b) { return screening.score.at(a) > screening.score.at(b); });
  return columns;
}

}  // namespace

Result<CubePlan> PlanCube(const table::Schema& schema, const ProfileOptions& options,
                          const PlanEvidence& evidence) {
  CubePlan plan;
  plan.sample_rows = options.sample_rows;
  const int ncols = static_cast<int>(schema.columns.size());
  auto is_year_axis = [](const table::ColumnSchema& c) {
    return c.type == ColumnType::kInteger && table::NameSuggestsYear(c.name);
  };
  if (!options.time_column.empty()) {
    for (int c = 0; c < ncols; ++c) {
      if (schema.columns[c].name == options.time_column) plan.time_column = c;
    }
    if (plan.time_column < 0) {
      return Status::InvalidArgument("the time column '" + options.time_column +
                                     "' is not in the file")
          .WithReason(table::kInvalidOptions);
    }
    const table::ColumnSchema& col = schema.columns[plan.time_column];
    if (!table::IsTemporal(col.type) && col.type != ColumnType::kInteger) {
      return Status::InvalidArgument("the time column '" + options.time_column + "' holds " +
                                     std::string(table::ColumnTypeName(col.type)) +
                                     " values, not dates or years (set its type to date if they "
                                     "are dates)")
          .WithReason(table::kInvalidOptions);
    }
    plan.time_is_year = col.type == ColumnType::kInteger;
  }
  for (int c = 0; c < ncols && plan.time_column < 0; ++c) {
    if (table::IsTemporal(schema.columns[c].type)) plan.time_column = c;
  }
  for (int c = 0; c < ncols && plan.time_column < 0; ++c) {
    if (is_year_axis(schema.columns[c])) plan.time_column = c, plan.time_is_year = true;
  }
  // Years with their months (or quarters) in a column beside them are one monthly axis.
  if (plan.time_is_year) {
    for (int c = 0; c < ncols && plan.time_part_column < 0; ++c) {
      const table::ColumnSchema& col = schema.columns[c];
      if (c == plan.time_column || col.type != ColumnType::kInteger) continue;
      if (table::NameSuggestsMonth(col.name)) plan.time_part_column = c, plan.time_part_months = 1;
      if (table::NameSuggestsQuarter(col.name)) {
        plan.time_part_column = c, plan.time_part_months = 3;
      }
    }
  }

  // A yes/no column named for what happened to each row is an outcome: first among the
  // measures and the dimensions, so that no limit cuts it.
  std::vector<bool> outcome(ncols, false);
  for (int c = 0; c < ncols && plan.outcomes < CubePlan::kMaxOutcomes; ++c) {
    const table::ColumnSchema& col = schema.columns[c];
    if (c != plan.time_column && table::IsYesNo(col) && table::NameSuggestsOutcome(col.name)) {
      plan.measures.push_back(c);
      plan.dimensions.push_back(c);
      outcome[c] = true;
      ++plan.outcomes;
    }
  }
  std::vector<int> measures, dimensions;  // the candidates, in file order
  for (int c = 0; c < ncols; ++c) {
    const table::ColumnSchema& col = schema.columns[c];
    if (c == plan.time_column || c == plan.time_part_column || outcome[c]) continue;
    if (table::IsNumeric(col.type) && col.role == table::Role::kMeasure &&
        !table::NameSuggestsCoordinate(col.name)) {
      measures.push_back(c);
    }
    if (col.type == ColumnType::kCategorical || col.type == ColumnType::kTime ||
        table::IsYesNo(col)) {
      dimensions.push_back(c);
    }
  }

  // What the cube can afford: rows × dimensions × measures updates, and categories × measures
  // cells in memory (categories counted in the sample, at most kMaxCategories each).
  const Screening screening = Screen(schema, measures, dimensions, evidence.sample);
  const double rows = static_cast<double>(std::max<int64_t>(evidence.estimated_rows, 1));
  auto categories = [&](int d) {
    auto it = screening.categories.find(d);
    const double seen = it == screening.categories.end() ? 0 : it->second;
    // A sample of all the rows counts them all; a partial one sees only some.
    return std::min<double>(DimensionCube::kMaxCategories,
                            std::max(seen, std::min(rows, 2 * seen + 2)));
  };
  auto affordable = [&](const std::vector<int>& d, const std::vector<int>& m) {
    const double measures_in = static_cast<double>(m.size() + plan.outcomes);
    const double dimensions_in = static_cast<double>(d.size() + plan.outcomes);
    double cells = 0;
    for (int c : d) cells += categories(c);
    return rows * dimensions_in * measures_in <= CubePlan::kMaxCellUpdates &&
           cells * measures_in * kBytesPerCell <= CubePlan::kMaxCellBytes &&
           static_cast<int>(m.size()) <= CubePlan::kMaxMeasures &&
           static_cast<int>(d.size()) <= CubePlan::kMaxDimensions;
  };
  std::vector<int> chosen_measures = Ranked(measures, screening);
  std::vector<int> chosen_dimensions = Ranked(dimensions, screening);
  if (!affordable(chosen_dimensions, chosen_measures)) {
    // The most promising first, a measure or a dimension by turns of score, while affordable;
    // the first kAlwaysMeasures and kAlwaysDimensions of each are always taken.
    std::vector<int> m, d;
    size_t next_m = 0, next_d = 0;
    while (next_m < chosen_measures.size() || next_d < chosen_dimensions.size()) {
      const bool take_m =
          next_d >= chosen_dimensions.size() ||
          (next_m < chosen_measures.size() && screening.score.at(chosen_measures[next_m]) >=
                                                  screening.score.at(chosen_dimensions[next_d]));
      std::vector<int>& into = take_m ? m : d;
      const int column = take_m ? chosen_measures[next_m++] : chosen_dimensions[next_d++];
      into.push_back(column);
      const bool always = take_m ? static_cast<int>(m.size()) <= CubePlan::kAlwaysMeasures
                                 : static_cast<int>(d.size()) <= CubePlan::kAlwaysDimensions;
      if (!always && !affordable(d, m)) {
        into.pop_back();
        plan.screened_out.push_back(column);
      }
    }
    chosen_measures = std::move(m);
    chosen_dimensions = std::move(d);
  }
  // In file order (the story lists measures as the table does); time series for the categories
  // of the most promising dimensions only, so that their number does not coarsen the time axis.
  std::vector<int> series_columns(
      chosen_dimensions.begin(),
      chosen_dimensions.begin() +
          std::min<size_t>(chosen_dimensions.size(), CubePlan::kMaxSeriesDimensions));
  plan.ranked_measures = chosen_measures;
  std::sort(chosen_measures.begin(), chosen_measures.end());
  std::sort(chosen_dimensions.begin(), chosen_dimensions.end());
  plan.measures.insert(plan.measures.end(), chosen_measures.begin(), chosen_measures.end());
  plan.dimensions.insert(plan.dimensions.end(), chosen_dimensions.begin(), chosen_dimensions.end());
  for (size_t d = plan.outcomes; d < plan.dimensions.size(); ++d) {
    if (std::find(series_columns.begin(), series_columns.end(), plan.dimensions[d]) !=
        series_columns.end()) {
      plan.series_dimensions.push_back(static_cast<int>(d));
    }
  }
  std::sort(plan.screened_out.begin(), plan.screened_out.end());
  // A rate with a count beside it (conversion_rate and visits) is compared group by group
  // weighted by that count: the first integer measure named as one.
  for (size_t i = plan.outcomes; i < plan.measures.size(); ++i) {
    if (static_cast<int>(plan.weighted_rates.size()) == CubePlan::kMaxWeightedRates) break;
    if (!table::NameSuggestsRate(schema.columns[plan.measures[i]].name)) continue;
    for (size_t j = plan.outcomes; j < plan.measures.size(); ++j) {
      const table::ColumnSchema& base = schema.columns[plan.measures[j]];
      if (base.type == ColumnType::kInteger && table::NameSuggestsBase(base.name) &&
          !table::NameSuggestsRate(base.name)) {
        plan.weighted_rates.push_back({static_cast<int>(i), static_cast<int>(j)});
        break;
      }
    }
  }
  return plan;
}

}  // namespace datastory::analysis
