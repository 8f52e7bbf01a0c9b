// The context the detector families read (insight_detectors.h): the measures and how each
// adds up, categories that are totals, dimensions that alias each other, the time axis; and the
// helpers the families share (series by time bucket, line fits).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "analysis/association.h"
#include "analysis/insight_detectors.h"
#include "analysis/trend.h"
#include "base/text.h"
#include "table/inference.h"

namespace datastory::analysis::detect {

using table::ColumnSchema;

std::string_view AggregationName(Aggregation a) {
  switch (a) {
    case Aggregation::kSum:
      return "sum";
    case Aggregation::kMean:
      return "mean";
    case Aggregation::kCount:
      return "count";
    case Aggregation::kValue:
      return "value";
  }
  return "";
}

namespace {

// "All natural disasters", "Total", "World": a label that may name a row of totals.
bool LooksLikeTotal(const std::string& label) {
  std::string l;
  for (char c : label) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "all" || l.rfind("all ", 0) == 0 || l == "total" || l.rfind("total ", 0) == 0 ||
         l == "grand total" || l == "overall" || l == "sum" || l == "world" || l == "totals";
}

// Whether a measure adds up across rows (sales: total per month) or is a level (price,
// temperature: average per month). Names decide; when they do not, the mean, which is never
// distorted by how many rows fall in a bucket.
Aggregation ChooseAggregation(const ColumnProfile& profile) {
  const ColumnSchema& column = profile.schema;
  const std::vector<std::string> name = NameWords(column.name);
  if (column.unit == table::Unit::kPercent) return Aggregation::kMean;
  // Rates and shares, by name or by range (fractions between 0 and 1, whose sum means
  // nothing), then levels: averaged, never added.
  if (table::NameSuggestsRate(column.name)) return Aggregation::kMean;
  if (column.type == table::ColumnType::kFloat && profile.min && profile.max && *profile.min >= 0 &&
      *profile.max <= 1) {
    return Aggregation::kMean;
  }
  if (NameHasWord(
          name, {"price",        "avg",      "average",   "mean",     "median",     "temp",
                 "score",        "rating",   "age",       "index",    "speed",      "lat",
                 "lon",          "lng",      "elevation", "altitude", "humidity",   "pressure",
                 "wind",         "per",      "density",   "weight",   "height",     "length",
                 "width",        "duration", "distance",  "mpg",      "horsepower", "displacement",
                 "acceleration", "year",     "level"})) {
    return Aggregation::kMean;
  }
  if (NameHasWord(
          name,
          {"sales",    "revenue",       "amount", "total",      "count",   "qty",      "quantity",
           "units",    "cost",          "profit", "spend",      "visits",  "views",    "clicks",
           "sessions", "orders",        "people", "population", "volume",  "income",   "expense",
           "budget",   "deaths",        "cases",  "passengers", "flights", "installs", "downloads",
           "users",    "precipitation", "sold",   "gross",      "net",     "value",    "number",
           "num",      "loss",          "fee",    "tax",        "payment", "donation", "births",
           "visitors"})) {
    return Aggregation::kSum;
  }
  return Aggregation::kMean;
}

// Buckets of `grain` between two bucket starts, both included.
int64_t BucketsBetween(int64_t first, int64_t last, TimeGrain grain, int64_t cap) {
  int64_t n = 1;
  for (int64_t t = first; t < last && n <= cap; t = NextBucket(t, grain)) ++n;
  return n;
}

// The grain of the story's time axis: months when the data spans 12 to 150 of them; for
// shorter spans weeks, days or hours (the coarsest with at least 8 buckets); for longer spans
// quarters, then years. Never finer than the data itself.
TimeGrain ChooseGrain(const std::vector<TimeCell>& cells, TimeGrain storage, int max_buckets) {
  // The data's own step (the median gap between its times) bounds the grain from below:
  // quarterly figures dated on the first of their quarter are quarters, not months with holes.
  // `storage` alone decides whether weeks can be made (from days or finer).
  TimeGrain floor = storage;
  if (cells.size() >= 3) {
    std::vector<double> gaps;
    for (size_t i = 1; i < cells.size(); ++i) {
      gaps.push_back(static_cast<double>(cells[i].start - cells[i - 1].start));
    }
    const double step_days = Median(gaps) / 86400;
    const TimeGrain step = step_days >= 360  ? TimeGrain::kYear
                           : step_days >= 88 ? TimeGrain::kQuarter
                           : step_days >= 28 ? TimeGrain::kMonth
                           : step_days >= 7  ? TimeGrain::kWeek
                           : step_days >= 1  ? TimeGrain::kDay
                                             : TimeGrain::kSecond;
    floor = std::max(floor, step);
  }
  auto buckets = [&](TimeGrain g) {
    return BucketsBetween(TruncateTime(cells.front().start, g), TruncateTime(cells.back().start, g),
                          g, max_buckets + 1);
  };
  auto usable = [&](TimeGrain g) {
    return g >= floor && !(g == TimeGrain::kWeek && storage > TimeGrain::kDay);
  };
  if (floor >= TimeGrain::kMonth) {
    for (TimeGrain g : {floor, TimeGrain::kQuarter, TimeGrain::kYear}) {
      if (usable(g) && buckets(g) <= max_buckets) return g;
    }
    return TimeGrain::kYear;
  }
  const int64_t months = buckets(TimeGrain::kMonth);
  if (months >= 12 && months <= max_buckets) return TimeGrain::kMonth;
  if (months > max_buckets) {
    return buckets(TimeGrain::kQuarter) <= max_buckets ? TimeGrain::kQuarter : TimeGrain::kYear;
  }
  for (TimeGrain g : {TimeGrain::kWeek, TimeGrain::kDay, TimeGrain::kHour}) {
    if (usable(g) && buckets(g) >= 8 && buckets(g) <= max_buckets) return g;
  }
  for (TimeGrain g : {TimeGrain::kHour, TimeGrain::kDay, TimeGrain::kWeek}) {
    if (usable(g) && buckets(g) <= max_buckets) return g;
  }
  return TimeGrain::kMonth;
}

}  // namespace

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2;
  return m;
}

double TwoSidedNormalP(double z) { return std::min(1.0, 2 * (1 - NormalCdf(std::fabs(z)))); }

Series BuildSeries(const std::vector<TimeCell>& cells, TimeGrain grain, const MeasureRef& measure) {
  Series s;
  s.grain = grain;
  struct Acc {
    int64_t n = 0;
    double sum = 0;
    double weighted_sum = 0, base = 0;  // a weighted rate's sums
    int64_t first = 0, last = 0;        // storage cells seen in the bucket
  };
  std::map<int64_t, Acc> buckets;
  for (const TimeCell& cell : cells) {
    int64_t n = measure.index < 0 ? cell.rows : cell.measures[measure.index].n;
    if (n == 0) continue;
    int64_t start = TruncateTime(cell.start, grain);
    auto [it, fresh] = buckets.try_emplace(start);
    Acc& a = it->second;
    if (fresh) a.first = cell.start;
    a.last = cell.start;
    a.n += n;
    a.sum += measure.index < 0 ? static_cast<double>(cell.rows) : cell.measures[measure.index].sum;
    if (measure.weighted >= 0) {
      a.weighted_sum += cell.measures[measure.weighted].sum;
      a.base += cell.measures[measure.weighted + 1].sum;
    }
  }
  if (buckets.empty()) return s;
  // The data's own step: the median gap between its time points. Monthly data stamped on the
  // 15th covers its months; daily data that ends on the 3rd does not cover its last month.
  std::vector<double> gaps;
  for (size_t i = 1; i < cells.size(); ++i) {
    gaps.push_back(static_cast<double>(cells[i].start - cells[i - 1].start));
  }
  const int64_t step = gaps.empty() ? 1 : std::max<int64_t>(1, std::llround(Median(gaps)));
  if (measure.aggregation != Aggregation::kMean && buckets.size() > 3) {
    auto covered = [&](int64_t bucket, int64_t from, int64_t to) {
      double length = static_cast<double>(NextBucket(bucket, grain) - bucket);
      return static_cast<double>(to - from) / length;
    };
    auto last = std::prev(buckets.end());
    if (covered(last->first, last->first, last->second.last + step) < 0.5) {
      s.caveat_facts.push_back(
          {FactName::kPartialLast, static_cast<double>(last->first), FactUnit::kTime, grain, ""});
      s.caveats.push_back("the last " + std::string(TimeGrainName(grain)) + " (" +
                          FormatBucket(last->first, grain) +
                          ") is only partly covered by the data and is left out");
      buckets.erase(last);
    }
    auto first = buckets.begin();
    if (covered(first->first, first->second.first - step + 1, NextBucket(first->first, grain)) <
        0.5) {
      s.caveat_facts.push_back(
          {FactName::kPartialFirst, static_cast<double>(first->first), FactUnit::kTime, grain, ""});
      s.caveats.push_back("the first " + std::string(TimeGrainName(grain)) + " (" +
                          FormatBucket(first->first, grain) +
                          ") is only partly covered by the data and is left out");
      buckets.erase(first);
    }
  }
  int64_t position = 0, expected = 0;
  int64_t t = buckets.begin()->first;
  for (const auto& [start, a] : buckets) {
    if (measure.weighted >= 0 && a.base <= 0) continue;  // no base: no weighted rate
    while (t < start) t = NextBucket(t, grain), ++position;
    s.starts.push_back(start);
    s.positions.push_back(static_cast<double>(position));
    if (measure.weighted >= 0) {
      s.values.push_back(a.weighted_sum / a.base);
    } else {
      s.values.push_back(
          measure.aggregation == Aggregation::kMean ? a.sum / static_cast<double>(a.n) : a.sum);
    }
    ++expected;
  }
  s.missing_buckets = position + 1 - expected;
  if (s.missing_buckets > 0) {
    s.caveat_facts.push_back(
        {FactName::kMissingBuckets, static_cast<double>(s.missing_buckets), FactUnit::kCount});
    s.caveats.push_back(std::to_string(s.missing_buckets) + " " +
                        std::string(TimeGrainName(grain)) + (s.missing_buckets == 1 ? "" : "s") +
                        " in the range have no data; the series skips them");
  }
  return s;
}

LineFit TheilSenFit(const std::vector<double>& x, const std::vector<double>& y) {
  LineFit fit;
  fit.slope = TheilSenSlope(x, y);
  std::vector<double> intercepts(y.size());
  for (size_t i = 0; i < y.size(); ++i) intercepts[i] = y[i] - fit.slope * x[i];
  fit.intercept = Median(intercepts);
  return fit;
}

LineFit LeastSquares(const std::vector<double>& x, const std::vector<double>& y) {
  CoMoments co;
  co.AddBatch(x.data(), y.data(), static_cast<int64_t>(x.size()));
  LineFit fit;
  if (co.m2x > 0) fit.slope = co.cxy / co.m2x;
  fit.intercept = co.mean_y - fit.slope * co.mean_x;
  return fit;
}

DetectorFamily::DetectorFamily(const InsightContext& context, InsightDraft* draft)
    : profile_(*context.profile),
      cube_(context.profile->cube),
      options_(*context.options),
      measures_(context.measures),
      total_category_(context.total_category),
      dimension_alias_(context.dimension_alias),
      outcomes_(context.outcomes),
      dimension_outcome_(context.dimension_outcome),
      sample_codes_(context.sample_codes),
      sample_labels_(context.sample_labels),
      has_time_(context.has_time),
      time_name_(context.time_name),
      time_caveat_(context.time_caveat),
      grain_(context.grain),
      long_dimension_(context.long_dimension),
      whole_(context.whole),
      whole_caveat_(context.whole_caveat),
      report_(draft->report),
      candidates_(draft->candidates),
      trend_of_(draft->trend_of),
      other_p_values_(draft->other_p_values) {}

double DetectorFamily::MeasureTotal(const MeasureRef& m) const {
  return m.profile && m.profile->sum ? *m.profile->sum : 0;
}

std::vector<std::pair<std::string, std::string>> DetectorFamily::SubspaceOf(
    const TimeSeriesCube& s) const {
  if (s.dimension < 0) return {};
  return {{Name(cube_.dimensions[s.dimension].column), s.category}};
}

std::string DetectorFamily::SeriesTitle(const MeasureRef& m) const {
  std::string what = m.index < 0 ? "rows" : m.name;
  if (m.aggregation == Aggregation::kValue) return what;
  if (m.weighted >= 0) return "average " + what + " (weighted by " + m.base + ")";
  if (m.aggregation == Aggregation::kMean) return "average " + what;
  if (m.aggregation == Aggregation::kSum) return "total " + what;
  return what;
}

size_t DetectorFamily::Add(Insight in) {
  // A weighted rate's average is said to be weighted, wherever it is compared.
  if (in.aggregation == "mean" && !in.columns.empty() &&
      in.type != InsightType::kOutcomeDifference) {  // that one compares plain means
    for (const MeasureRef& m : measures_) {
      if (m.weighted < 0 || m.name != in.columns[0]) continue;
      in.caveats.push_back(m.name + " is averaged weighted by " + m.base +
                           ": each group's rate is its total of " + m.name + " × " + m.base +
                           " over its total " + m.base);
      in.method += "; " + m.name + " weighted by " + m.base;
    }
  }
  candidates_.push_back(std::move(in));
  return candidates_.size() - 1;
}

namespace {

// Builds the context: the parts found in turn, each from those before.
class ContextBuilder {
 public:
  ContextBuilder(const Profile& profile, const InsightOptions& options, InsightReport* report)
      : profile_(profile), cube_(profile.cube), options_(options), report_(*report) {}

  InsightContext Build() {
    CodeSample();
    CollectOutcomes();
    CollectMeasures();
    FindTotalRows();
    ReportMeasures();
    FindDimensionAliases();
    SetAsideWeekdays();
    ChooseTime();
    InsightContext c;
    c.profile = &profile_;
    c.options = &options_;
    c.measures = std::move(measures_);
    c.total_category = std::move(total_category_);
    c.dimension_alias = std::move(dimension_alias_);
    c.outcomes = std::move(outcomes_);
    c.dimension_outcome = std::move(dimension_outcome_);
    c.sample_codes = std::move(sample_codes_);
    c.sample_labels = std::move(sample_labels_);
    c.has_time = has_time_;
    c.time_name = std::move(time_name_);
    c.time_caveat = std::move(time_caveat_);
    c.grain = grain_;
    c.long_dimension = long_dimension_;
    c.whole = std::move(whole_);
    c.whole_caveat = std::move(whole_caveat_);
    return c;
  }

 private:
  const ColumnSchema& Column(int c) const { return profile_.columns[c].schema; }
  const std::string& Name(int c) const { return Column(c).name; }

  void CodeSample() {
    const size_t dims = cube_.dimensions.size();
    const RowSample& sample = cube_.sample;
    sample_codes_.assign(dims, std::vector<int>(sample.labels.size(), -1));
    sample_labels_.assign(dims, {});
    for (size_t d = 0; d < dims; ++d) {
      std::unordered_map<std::string_view, int> codes;
      for (size_t r = 0; r < sample.labels.size(); ++r) {
        const std::string& label = sample.labels[r][d];
        if (label.empty()) continue;
        auto [it, fresh] = codes.try_emplace(label, static_cast<int>(codes.size()));
        if (fresh) sample_labels_[d].push_back(label);
        sample_codes_[d][r] = it->second;
      }
    }
  }

  // The outcomes: each the first dimensions and measures of the cube (CubePlan::outcomes),
  // with two labels, yes and no.
  void CollectOutcomes() {
    dimension_outcome_.assign(cube_.dimensions.size(), false);
    for (int o = 0; o < cube_.plan.outcomes; ++o) {
      const int c = cube_.plan.measures[o];
      const DimensionCube& dim = cube_.dimensions[o];
      OutcomeRef ref{{o, Name(c), Aggregation::kMean, &profile_.columns[c]}, o, "", "", 0, 0};
      bool other = false;
      for (const CategoryCell& cell : dim.categories) {
        if (cell.label == "1" || cell.label == "true") {
          ref.positive = cell.label, ref.positives = cell.rows;
        } else if (cell.label == "0" || cell.label == "false") {
          ref.negative = cell.label;
        } else {
          other = true;
        }
        ref.answered += cell.rows;
      }
      // Values besides yes and no (a column of 0s and 1s that later holds a 2): not a yes/no.
      if (other || dim.dropped || ref.positive.empty() || ref.negative.empty()) continue;
      dimension_outcome_[o] = true;
      report_.outcomes.push_back(
          {ref.measure.name, ref.positive, ref.negative,
           static_cast<double>(ref.positives) / static_cast<double>(ref.answered), ref.positives,
           ref.answered});
      outcomes_.push_back(std::move(ref));
    }
  }

  void CollectMeasures() {
    for (size_t m = cube_.plan.outcomes; m < cube_.plan.measures.size(); ++m) {
      int c = cube_.plan.measures[m];
      const ColumnProfile& p = profile_.columns[c];
      if (p.count == 0) continue;
      measures_.push_back({static_cast<int>(m), Name(c), ChooseAggregation(p), &p});
    }
    const CubePlan& plan = cube_.plan;
    for (size_t w = 0; w < plan.weighted_rates.size(); ++w) {
      const CubePlan::WeightedRate& rate = plan.weighted_rates[w];
      for (MeasureRef& m : measures_) {
        if (m.index != rate.rate || m.aggregation != Aggregation::kMean) continue;
        m.weighted = static_cast<int>(plan.measures.size() + 2 * w);
        m.base = Name(plan.measures[rate.base]);
      }
    }
    if (measures_.empty()) {
      report_.limitations.push_back(
          "No numeric measure was found, so the facts are about how rows are spread.");
    }
    // Columns the cube could not afford (a table both long and wide): said, with the first
    // few names.
    const std::vector<int>& left_out = cube_.plan.screened_out;
    if (!left_out.empty()) {
      std::string names;
      for (size_t i = 0; i < left_out.size() && i < 5; ++i) {
        names += (i ? ", " : "") + Name(left_out[i]);
      }
      if (left_out.size() > 5) names += " and " + std::to_string(left_out.size() - 5) + " more";
      report_.limitations.push_back(
          std::to_string(left_out.size()) +
          " columns were not compared group by group, because the table is too large to "
          "compare every pair of its columns; in the sample read first they went least with "
          "the others: " +
          names + ".");
    }
    // A measure in lockstep with an earlier one (|r| > 0.995: a price and its adjusted price)
    // would repeat every finding; it keeps only its correlation.
    // Only another measure counts: a series in lockstep with its year column is not an alias.
    for (const Correlation& r : profile_.correlations) {
      if (std::fabs(r.value) <= 0.995) continue;
      const bool of_a_measure = std::any_of(measures_.begin(), measures_.end(),
                                            [&](const MeasureRef& m) { return m.name == r.a; });
      if (!of_a_measure) continue;
      for (MeasureRef& m : measures_) {
        if (m.name == r.b) m.alias = true;
      }
    }
  }

  // Each measure with how it adds up and its total, without the rows of a category of totals
  // (they would count everything twice).
  void ReportMeasures() {
    for (const MeasureRef& m : measures_) {
      double total = m.profile->sum.value_or(0);
      for (size_t d = 0; d < total_category_.size(); ++d) {
        if (total_category_[d].empty()) continue;
        total = 0;
        for (const CategoryCell& c : cube_.dimensions[d].categories) {
          if (c.label != total_category_[d]) total += c.measures[m.index].sum;
        }
        break;
      }
      const bool stock = cube_.plan.time_column >= 0 && table::NameSuggestsStock(m.name);
      report_.measures.push_back(
          {m.name, std::string(AggregationName(m.aggregation)), total, m.profile->count, stock});
    }
  }

  // Dimensions whose categories map one to one onto each other's (a code and its name) would
  // repeat every segment finding: of each such pair, judged on the row sample, the one whose
  // labels read less like words (more digits and symbols) is set aside.
  // A column of weekday names that is the weekday of the time axis' dates says nothing the dates
  // do not: set aside, so that the weekly cycle (each weekday's total over the number of such
  // days in the period) is told, not its totals by weekday (five Saturdays in a month are not a
  // busier Saturday).
  void SetAsideWeekdays() {
    if (cube_.plan.time_column < 0 || cube_.grain > TimeGrain::kDay) return;
    const size_t time_slot = cube_.plan.measures.size();
    for (size_t d = 0; d < cube_.dimensions.size(); ++d) {
      if (dimension_alias_[d] || sample_labels_[d].size() < 5) continue;
      std::vector<int> weekday_of_code;
      for (const std::string& label : sample_labels_[d])
        weekday_of_code.push_back(WeekdayOfName(label));
      if (std::count(weekday_of_code.begin(), weekday_of_code.end(), 0) > 0) continue;
      int64_t rows = 0, same = 0;
      for (size_t r = 0; r < sample_codes_[d].size(); ++r) {
        const int code = sample_codes_[d][r];
        const auto& numbers = cube_.sample.numbers[r];
        if (code < 0 || numbers.size() <= time_slot || std::isnan(numbers[time_slot])) continue;
        ++rows;
        same += WeekdayOf(static_cast<int64_t>(numbers[time_slot])) == weekday_of_code[code];
      }
      if (rows >= 7 && same * 20 >= rows * 19) dimension_alias_[d] = true;
    }
  }

  // 1 (Monday) to 7 for "Mon", "monday", "Tues" …; 0 for anything else.
  static int WeekdayOfName(std::string_view label) {
    static constexpr std::string_view kNames[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                  "friday", "saturday", "sunday"};
    const std::string lower = AsciiLower(label);
    for (int i = 0; i < 7; ++i) {
      if (lower.size() >= 3 && kNames[i].substr(0, lower.size()) == lower) return i + 1;
    }
    return 0;
  }

  void FindDimensionAliases() {
    const size_t dims = cube_.dimensions.size();
    dimension_alias_.assign(dims, false);
    auto wordiness = [&](size_t d) {  // letters per character, plus a bonus for spaces
      double letters = 0, total = 0, spaced = 0;
      const auto& categories = cube_.dimensions[d].categories;
      for (const CategoryCell& c : categories) {
        for (char ch : c.label) {
          letters += std::isalpha(static_cast<unsigned char>(ch)) || ch == ' ';
          total += 1;
        }
        spaced += c.label.find(' ') != std::string::npos;
      }
      if (total == 0) return 0.0;
      return letters / total + 0.5 * spaced / static_cast<double>(categories.size());
    };
    for (size_t d = 1; d < dims; ++d) {
      for (size_t e = 0; e < d; ++e) {
        if (dimension_alias_[d] || dimension_alias_[e]) continue;
        if (cube_.dimensions[d].dropped || cube_.dimensions[e].dropped) continue;
        const size_t kd = sample_labels_[d].size(), ke = sample_labels_[e].size();
        if (kd != ke) continue;  // cannot map one to one
        // One to one: each category of d meets a single category of e, and the other way.
        std::vector<int> to_e(kd, -1), to_d(ke, -1);
        bool one_to_one = true;
        int seen = 0;
        for (size_t r = 0; r < sample_codes_[d].size() && one_to_one; ++r) {
          const int x = sample_codes_[d][r], y = sample_codes_[e][r];
          if (x < 0 || y < 0) continue;
          if (to_e[x] < 0 && to_d[y] < 0) {
            to_e[x] = y, to_d[y] = x, ++seen;
          } else {
            one_to_one = to_e[x] == y && to_d[y] == x;
          }
        }
        if (!one_to_one || seen <= 1) continue;
        // The one that reads less like words is set aside; on a tie, the one named as a code
        // ("Country Code" beside "Country Name"), else the later one.
        const double wd = wordiness(d), we = wordiness(e);
        auto code = [&](size_t x) {
          const std::vector<std::string> words = NameWords(Name(cube_.dimensions[x].column));
          return NameHasWord(words, {"code", "id", "abbr", "abbreviation", "iso"});
        };
        dimension_alias_[wd != we ? (we > wd ? d : e) : (code(e) && !code(d) ? e : d)] = true;
      }
    }
  }

  void FindTotalRows() {
    total_category_.assign(cube_.dimensions.size(), "");
    for (size_t d = 0; d < cube_.dimensions.size(); ++d) {
      const DimensionCube& dim = cube_.dimensions[d];
      if (dim.dropped || dim.categories.size() < 3) continue;
      for (const CategoryCell& c : dim.categories) {
        if (!LooksLikeTotal(c.label)) continue;
        for (const MeasureRef& m : measures_) {
          if (m.aggregation != Aggregation::kSum) continue;
          double others = 0;
          for (const CategoryCell& o : dim.categories) {
            if (&o != &c) others += o.measures[m.index].sum;
          }
          double mine = c.measures[m.index].sum;
          if (others > 0 && mine > 0 && std::fabs(mine - others) <= 0.25 * others) {
            total_category_[d] = c.label;
          }
        }
      }
    }
  }

  // The whole table's cells without the rows of a category of totals, when its series is kept.
  std::vector<TimeCell> WholeSeriesCells(std::string* caveat) const {
    std::vector<TimeCell> cells = cube_.series.front().cells;
    for (size_t d = 0; d < total_category_.size(); ++d) {
      if (total_category_[d].empty()) continue;
      const TimeSeriesCube* part = nullptr;
      for (const TimeSeriesCube& s : cube_.series) {
        if (s.dimension == static_cast<int>(d) && s.category == total_category_[d]) part = &s;
      }
      if (!part) continue;
      std::map<int64_t, const TimeCell*> by_start;
      for (const TimeCell& c : part->cells) by_start[c.start] = &c;
      for (TimeCell& c : cells) {
        auto it = by_start.find(c.start);
        if (it == by_start.end()) continue;
        c.rows -= it->second->rows;
        for (size_t m = 0; m < c.measures.size(); ++m) {
          c.measures[m].n -= it->second->measures[m].n;
          c.measures[m].sum -= it->second->measures[m].sum;
        }
      }
      *caveat = "the rows of \"" + total_category_[d] +
                "\" look like totals of the others and are left out";
      std::erase_if(cells, [](const TimeCell& c) { return c.rows <= 0; });
      break;
    }
    return cells;
  }

  // The time axis: its column, its grain, the whole table's series; the limitations when
  // there is none.
  void ChooseTime() {
    if (cube_.plan.time_column < 0) {
      report_.limitations.push_back(
          "No date or year column was found, so nothing was looked for over time.");
      return;
    }
    time_name_ = Name(cube_.plan.time_column);
    if (cube_.series.empty() || cube_.series.front().cells.empty()) {
      report_.limitations.push_back("The column " + time_name_ +
                                    " has no valid dates, so nothing was looked for over time.");
      return;
    }
    has_time_ = true;
    const std::vector<TimeCell>& whole = cube_.series.front().cells;
    // A column of years is a yearly axis, whatever the span: its values hold nothing finer;
    // with a column of its months or quarters beside it, nothing finer than those.
    TimeGrain storage = cube_.grain;
    if (cube_.plan.time_is_year) {
      storage = std::max(storage, cube_.plan.time_part_months == 1   ? TimeGrain::kMonth
                                  : cube_.plan.time_part_months == 3 ? TimeGrain::kQuarter
                                                                     : TimeGrain::kYear);
    }
    grain_ = ChooseGrain(whole, storage, options_.max_buckets);
    report_.time_column = time_name_;
    report_.grain = grain_;
    report_.time_start = TruncateTime(whole.front().start, grain_);
    report_.time_end = TruncateTime(whole.back().start, grain_);
    if (cube_.time_missing > 0) {
      time_caveat_ = std::to_string(cube_.time_missing) + " rows without a valid " + time_name_ +
                     " are not in the series";
    }

    // Long format: when one dimension names series (each of its categories has about one row
    // per time point), a level measure averaged over the whole table mixes unlike series, so
    // only its per-category series are read.
    long_dimension_ = FindSeriesDimension();
    whole_ = {-1, "", WholeSeriesCells(&whole_caveat_)};
  }

  int FindSeriesDimension() const {
    const int64_t cells = static_cast<int64_t>(cube_.series.front().cells.size());
    if (cells == 0 || profile_.rows < 2 * cells) return -1;  // about one row per time already
    for (size_t d = 0; d < cube_.dimensions.size(); ++d) {
      int64_t series_cells = 0;
      bool kept = false;
      for (size_t s = 1; s < cube_.series.size(); ++s) {
        if (cube_.series[s].dimension != static_cast<int>(d)) continue;
        kept = true;
        series_cells += static_cast<int64_t>(cube_.series[s].cells.size());
      }
      // Rows are (nearly) unique per (category, time): the category names a series.
      if (kept && series_cells * 10 >= profile_.rows * 9) return static_cast<int>(d);
    }
    return -1;
  }

  const Profile& profile_;
  const Cube& cube_;
  const InsightOptions& options_;
  InsightReport& report_;
  std::vector<MeasureRef> measures_;
  std::vector<std::string> total_category_;
  std::vector<bool> dimension_alias_;
  std::vector<OutcomeRef> outcomes_;
  std::vector<bool> dimension_outcome_;
  std::vector<std::vector<int>> sample_codes_;
  std::vector<std::vector<std::string>> sample_labels_;
  bool has_time_ = false;
  std::string time_name_;
  std::string time_caveat_;
  TimeGrain grain_ = TimeGrain::kMonth;
  int long_dimension_ = -1;
  TimeSeriesCube whole_;
  std::string whole_caveat_;
};

}  // namespace

InsightContext BuildInsightContext(const Profile& profile, const InsightOptions& options,
                                   InsightReport* report) {
  return ContextBuilder(profile, options, report).Build();
}

}  // namespace datastory::analysis::detect
