#include "analysis/insight.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/association.h"
#include "analysis/trend.h"
#include "base/text.h"

namespace datastory::analysis {

std::string_view InsightTypeName(InsightType type) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "trend",           "change_point", "seasonality", "outlier",      "correlation",
      "top_contributor", "majority",     "evenness",    "distribution", "data_quality"};
  return kNames[static_cast<size_t>(type)];
}

const Fact* Insight::FindFact(std::string_view name) const {
  for (const Fact& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace {

using table::ColumnSchema;

// kValue: one row per group, so the group's value is the row's.
enum class Aggregation { kSum, kMean, kCount, kValue };

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

// "All natural disasters", "Total", "World": a label that may name a row of totals.
bool LooksLikeTotal(const std::string& label) {
  std::string l;
  for (char c : label) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "all" || l.rfind("all ", 0) == 0 || l == "total" || l.rfind("total ", 0) == 0 ||
         l == "grand total" || l == "overall" || l == "sum" || l == "world" || l == "totals";
}

bool NameHas(const std::string& lower, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

// Whether a measure adds up across rows (sales: total per month) or is a level (price,
// temperature: average per month). Names decide; when they do not, the mean, which is never
// distorted by how many rows fall in a bucket.
Aggregation ChooseAggregation(const ColumnSchema& column) {
  const std::string name = AsciiLower(column.name);
  if (column.unit == table::Unit::kPercent) return Aggregation::kMean;
  if (NameHas(name,
              {"price",        "rate",         "ratio",    "pct",      "percent", "avg",
               "average",      "mean",         "median",   "temp",     "score",   "rating",
               "age",          "index",        "margin",   "speed",    "lat",     "lon",
               "elevation",    "altitude",     "humidity", "pressure", "wind",    "per_",
               "_per",         " per ",        "share",    "density",  "weight",  "height",
               "length",       "width",        "duration", "distance", "mpg",     "horsepower",
               "displacement", "acceleration", "year",     "level"})) {
    return Aggregation::kMean;
  }
  if (NameHas(name, {"sales",      "revenue", "amount",   "total",     "count",    "qty",
                     "quantity",   "units",   "cost",     "profit",    "spend",    "visits",
                     "views",      "clicks",  "sessions", "orders",    "people",   "population",
                     "volume",     "income",  "expense",  "budget",    "deaths",   "cases",
                     "passengers", "flights", "installs", "downloads", "users",    "precipitation",
                     "sold",       "gross",   "net",      "value",     "number",   "num_",
                     "loss",       "fee",     "tax",      "payment",   "donation", "births",
                     "visitors"})) {
    return Aggregation::kSum;
  }
  return Aggregation::kMean;
}

// A measure of the cube, with what the detectors need to know about it.
struct MeasureRef {
  int index = -1;  // in the cube's measures; -1 = row counts
  std::string name;
  Aggregation aggregation = Aggregation::kCount;
  const ColumnProfile* profile = nullptr;
  bool alias = false;  // in lockstep with an earlier measure
};

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), v.begin() + mid)) / 2;
  return m;
}

double TwoSidedNormalP(double z) { return std::min(1.0, 2 * (1 - NormalCdf(std::fabs(z)))); }

// ---------------------------------------------------------------------------------------------
// Time series.

struct Series {
  TimeGrain grain = TimeGrain::kMonth;
  std::vector<int64_t> starts;
  std::vector<double> positions;  // bucket ordinals from the first (gaps leave holes)
  std::vector<double> values;
  int64_t missing_buckets = 0;  // buckets between the first and last with no value
  std::vector<std::string> caveats;
  std::vector<Fact> caveat_facts;  // the numbers the caveats cite
};

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
  auto buckets = [&](TimeGrain g) {
    return BucketsBetween(TruncateTime(cells.front().start, g), TruncateTime(cells.back().start, g),
                          g, max_buckets + 1);
  };
  auto usable = [&](TimeGrain g) {
    return g >= storage && !(g == TimeGrain::kWeek && storage > TimeGrain::kDay);
  };
  if (storage >= TimeGrain::kMonth) {
    for (TimeGrain g : {storage, TimeGrain::kQuarter, TimeGrain::kYear}) {
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

// The measure (or row count) of `cells` by `grain`. Sums and counts leave out a first or last
// bucket that the data covers for less than half of its length (a partial month would look
// like a fall).
Series BuildSeries(const std::vector<TimeCell>& cells, TimeGrain grain, const MeasureRef& measure) {
  Series s;
  s.grain = grain;
  struct Acc {
    int64_t n = 0;
    double sum = 0;
    int64_t first = 0, last = 0;  // storage cells seen in the bucket
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
          {"partialLast", static_cast<double>(last->first), FactUnit::kTime, grain, ""});
      s.caveats.push_back("the last " + std::string(TimeGrainName(grain)) + " (" +
                          FormatBucket(last->first, grain) +
                          ") is only partly covered by the data and is left out");
      buckets.erase(last);
    }
    auto first = buckets.begin();
    if (covered(first->first, first->second.first - step + 1, NextBucket(first->first, grain)) <
        0.5) {
      s.caveat_facts.push_back(
          {"partialFirst", static_cast<double>(first->first), FactUnit::kTime, grain, ""});
      s.caveats.push_back("the first " + std::string(TimeGrainName(grain)) + " (" +
                          FormatBucket(first->first, grain) +
                          ") is only partly covered by the data and is left out");
      buckets.erase(first);
    }
  }
  int64_t position = 0, expected = 0;
  int64_t t = buckets.begin()->first;
  for (const auto& [start, a] : buckets) {
    while (t < start) t = NextBucket(t, grain), ++position;
    s.starts.push_back(start);
    s.positions.push_back(static_cast<double>(position));
    s.values.push_back(measure.aggregation == Aggregation::kMean ? a.sum / static_cast<double>(a.n)
                                                                 : a.sum);
    ++expected;
  }
  s.missing_buckets = position + 1 - expected;
  if (s.missing_buckets > 0) {
    s.caveat_facts.push_back(
        {"missingBuckets", static_cast<double>(s.missing_buckets), FactUnit::kCount});
    s.caveats.push_back(std::to_string(s.missing_buckets) + " " +
                        std::string(TimeGrainName(grain)) + (s.missing_buckets == 1 ? "" : "s") +
                        " in the range have no data; the series skips them");
  }
  return s;
}

struct LineFit {
  double slope = 0, intercept = 0;
};

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

// ---------------------------------------------------------------------------------------------
// The detector: one per profile.

constexpr std::array<const char*, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 7> kWeekdayNames = {"Mon", "Tue", "Wed", "Thu",
                                                      "Fri", "Sat", "Sun"};

class Detector {
 public:
  Detector(const Profile& profile, const InsightOptions& options)
      : profile_(profile), cube_(profile.cube), options_(options) {}

  InsightReport Run() {
    CollectMeasures();
    FindTotalRows();
    FindDimensionAliases();
    DetectTime();
    DetectSegments();
    DetectCorrelations();
    DetectDistributions();
    DetectDataQuality();
    AddCaveats();
    Rank();
    return std::move(report_);
  }

 private:
  const ColumnSchema& Column(int c) const { return profile_.columns[c].schema; }
  const std::string& Name(int c) const { return Column(c).name; }

  void CollectMeasures() {
    for (size_t m = 0; m < cube_.plan.measures.size(); ++m) {
      int c = cube_.plan.measures[m];
      const ColumnProfile& p = profile_.columns[c];
      if (p.count == 0) continue;
      measures_.push_back({static_cast<int>(m), Name(c), ChooseAggregation(p.schema), &p});
    }
    if (measures_.empty()) {
      report_.limitations.push_back(
          "No numeric measure was found, so the facts are about how rows are spread.");
    }
    // A measure in lockstep with an earlier one (|r| > 0.995: a price and its adjusted price)
    // would repeat every finding; it keeps only its correlation.
    for (const Correlation& r : profile_.correlations) {
      if (std::fabs(r.value) <= 0.995) continue;
      for (MeasureRef& m : measures_) {
        if (m.name == r.b) m.alias = true;
      }
    }
  }

  // Dimensions whose categories map one to one onto each other's (a code and its name) would
  // repeat every segment finding: of each such pair, judged on the row sample, the one whose
  // labels read less like words (more digits and symbols) is set aside.
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
    const RowSample& sample = cube_.sample;
    for (size_t d = 1; d < dims; ++d) {
      for (size_t e = 0; e < d; ++e) {
        if (dimension_alias_[d] || dimension_alias_[e]) continue;
        if (cube_.dimensions[d].dropped || cube_.dimensions[e].dropped) continue;
        std::set<std::string> a, b;
        std::set<std::pair<std::string, std::string>> pairs;
        for (const auto& row : sample.labels) {
          if (row[d].empty() || row[e].empty()) continue;
          a.insert(row[d]);
          b.insert(row[e]);
          pairs.emplace(row[d], row[e]);
        }
        if (a.size() <= 1 || a.size() != b.size() || pairs.size() != a.size()) continue;
        dimension_alias_[wordiness(e) > wordiness(d) ? d : e] = true;
      }
    }
  }

  int DimensionIndex(const DimensionCube& dim) const {
    return static_cast<int>(&dim - cube_.dimensions.data());
  }

  // A category whose rows are the totals of the others ("All natural disasters" beside each
  // kind of disaster): its label says so and, for some summed measure, it holds about as much
  // as all the other categories together. Such rows would be counted twice.
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

  // ---- time -----------------------------------------------------------------------------------

  void DetectTime() {
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
    const std::vector<TimeCell>& whole = cube_.series.front().cells;
    grain_ = ChooseGrain(whole, cube_.grain, options_.max_buckets);
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

    std::vector<MeasureRef> series_measures;
    for (const MeasureRef& m : measures_) {
      if (!m.alias) series_measures.push_back(m);
    }
    if (measures_.empty()) series_measures.push_back({-1, "rows", Aggregation::kCount, nullptr});
    bool any = false;
    for (const MeasureRef& m : series_measures) {
      bool mixed = long_dimension_ >= 0 && m.aggregation == Aggregation::kMean;
      if (!mixed) any |= AnalyseSeries(whole_, m, 1.0);
      if (m.index >= 0 && !mixed) DetectSeasonality(m);
    }
    // Per-category series of each dimension small enough to keep them.
    for (size_t s = 1; s < cube_.series.size(); ++s) {
      const TimeSeriesCube& series = cube_.series[s];
      const DimensionCube& dim = cube_.dimensions[series.dimension];
      if (total_category_[series.dimension] == series.category) continue;
      if (dimension_alias_[series.dimension]) continue;
      int64_t rows = 0;
      for (const CategoryCell& c : dim.categories) {
        if (c.label == series.category) rows = c.rows;
      }
      for (const MeasureRef& m : series_measures) {
        double share = static_cast<double>(rows) / static_cast<double>(profile_.rows);
        if (m.index >= 0 && m.aggregation == Aggregation::kSum) {
          double total = MeasureTotal(m);
          for (const CategoryCell& c : dim.categories) {
            if (c.label == series.category && total > 0) share = c.measures[m.index].sum / total;
          }
        }
        // In long format each series stands alone; otherwise a category's series is a drill-down
        // whose weight is its share.
        double impact = series.dimension == long_dimension_ ? std::max(share, 0.5) : share;
        any |= AnalyseSeries(series, m, std::clamp(impact, 0.0, 1.0));
      }
    }
    if (!any) {
      report_.limitations.push_back(
          "The data covers too few " + std::string(TimeGrainName(grain_)) +
          "s for a trend (at least " + std::to_string(InsightReport::kMinTrendBuckets) +
          " are needed).");
    }
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

  double MeasureTotal(const MeasureRef& m) const {
    return m.profile && m.profile->sum ? *m.profile->sum : 0;
  }

  std::vector<std::pair<std::string, std::string>> SubspaceOf(const TimeSeriesCube& s) const {
    if (s.dimension < 0) return {};
    return {{Name(cube_.dimensions[s.dimension].column), s.category}};
  }

  std::string SeriesTitle(const MeasureRef& m) const {
    std::string what = m.index < 0 ? "rows" : m.name;
    if (m.aggregation == Aggregation::kValue) return what;
    if (m.aggregation == Aggregation::kMean) return "average " + what;
    if (m.aggregation == Aggregation::kSum) return "total " + what;
    return what;
  }

  // Trend, change point and outlier of one series. Returns whether it had enough buckets.
  bool AnalyseSeries(const TimeSeriesCube& cube_series, const MeasureRef& m, double impact) {
    Series s = BuildSeries(cube_series.cells, grain_, m);
    const size_t n = s.values.size();
    TrendStatistic stat;
    stat.measure = m.index < 0 ? "rows" : m.name;
    stat.time = time_name_;
    stat.aggregation = std::string(AggregationName(m.aggregation));
    stat.grain = grain_;
    stat.buckets = static_cast<int>(n);
    if (cube_series.dimension >= 0) {
      stat.category =
          Name(cube_.dimensions[cube_series.dimension].column) + " = " + cube_series.category;
    }
    if (n < static_cast<size_t>(InsightReport::kMinTrendBuckets)) {
      if (cube_series.dimension < 0) report_.trends.push_back(stat);
      return false;
    }
    MannKendall mk = MannKendallTest(s.values);
    LineFit fit = TheilSenFit(s.positions, s.values);
    const double fit_start = fit.intercept + fit.slope * s.positions.front();
    const double fit_end = fit.intercept + fit.slope * s.positions.back();
    std::optional<double> change;
    // A percentage only from a base that is a real level: from near zero (or across it) any
    // change is thousands of percent and says nothing.
    double level = 0;
    for (double v : s.values) level += std::fabs(v);
    level /= static_cast<double>(n);
    if (fit_start > 0.1 * level && fit_end >= 0) {
      change = (fit_end - fit_start) / fit_start * 100;
    }
    stat.slope = fit.slope;
    stat.p_value = mk.p_value;
    stat.direction = mk.s > 0 && fit.slope > 0 ? "up" : mk.s < 0 && fit.slope < 0 ? "down" : "flat";
    stat.change_pct = change;
    const size_t trend_index = report_.trends.size();
    report_.trends.push_back(stat);

    Evidence series_evidence;
    series_evidence.shape = Evidence::Shape::kSeries;
    series_evidence.grain = grain_;
    series_evidence.x_title = time_name_;
    series_evidence.y_title = SeriesTitle(m);
    for (size_t i = 0; i < n; ++i) {
      series_evidence.x.push_back(static_cast<double>(s.starts[i]));
      series_evidence.y.push_back(s.values[i]);
    }
    auto base = [&](InsightType type) {
      Insight in;
      in.type = type;
      if (m.index >= 0) in.columns.push_back(m.name);
      in.columns.push_back(time_name_);
      in.subspace = SubspaceOf(cube_series);
      in.aggregation = std::string(AggregationName(m.aggregation));
      in.impact = impact;
      in.caveats = s.caveats;
      in.facts = s.caveat_facts;
      if (cube_series.dimension < 0 && !whole_caveat_.empty()) in.caveats.push_back(whole_caveat_);
      if (!time_caveat_.empty()) {
        in.caveats.push_back(time_caveat_);
        in.facts.push_back(
            {"rowsWithoutTime", static_cast<double>(cube_.time_missing), FactUnit::kCount});
      }
      in.evidence = series_evidence;
      return in;
    };
    auto time_fact = [&](std::string name, int64_t t) {
      return Fact{std::move(name), static_cast<double>(t), FactUnit::kTime, grain_, ""};
    };

    if (stat.direction != "flat") {
      Insight in = base(InsightType::kTrend);
      in.direction = stat.direction;
      in.method = "Mann-Kendall test, Theil-Sen slope";
      in.p_value = mk.p_value;
      in.strength = std::fabs(mk.tau);
      in.value = change ? *change / 100 : fit.slope;
      in.facts.insert(in.facts.end(), {time_fact("start", s.starts.front()),
                                       time_fact("end", s.starts.back()),
                                       {"first", s.values.front(), FactUnit::kMeasure},
                                       {"last", s.values.back(), FactUnit::kMeasure},
                                       {"fitStart", fit_start, FactUnit::kMeasure},
                                       {"fitEnd", fit_end, FactUnit::kMeasure},
                                       {"slope", fit.slope, FactUnit::kMeasure},
                                       {"tau", mk.tau, FactUnit::kCoefficient},
                                       {"pValue", mk.p_value, FactUnit::kPValue},
                                       {"buckets", static_cast<double>(n), FactUnit::kCount}});
      if (change) in.facts.push_back({"changePct", *change, FactUnit::kPercent});
      for (size_t i = 0; i < n; ++i) {
        in.evidence.fit.push_back(fit.intercept + fit.slope * s.positions[i]);
      }
      trend_of_.emplace_back(Add(std::move(in)), trend_index);
    }

    // Shifts in level and turns of the trend, by binary segmentation: the best split of the
    // series, then of each side while the split is significant, up to three.
    level = std::max(level, 1e-12);
    std::vector<std::pair<size_t, size_t>> segments = {{0, n}};
    int found = 0;
    while (!segments.empty() && found < 3) {
      auto [from, to] = segments.back();
      segments.pop_back();
      std::vector<double> y(s.values.begin() + from, s.values.begin() + to);
      ChangePoint cp = FindChangePoint(y, std::max<size_t>(3, n / 10));
      if (cp.index == 0 || cp.p_value > options_.false_discovery_rate) continue;
      const size_t at = from + cp.index;
      segments.push_back({from, at});
      segments.push_back({at, to});
      std::vector<double> xb(s.positions.begin() + from, s.positions.begin() + at);
      std::vector<double> yb(s.values.begin() + from, s.values.begin() + at);
      std::vector<double> xa(s.positions.begin() + at, s.positions.begin() + to);
      std::vector<double> ya(s.values.begin() + at, s.values.begin() + to);
      LineFit before = LeastSquares(xb, yb), after = LeastSquares(xa, ya);
      // Material when the level moves by 10% of the series' typical size, or when the trend
      // turns (rising to falling or back) by as much on each side.
      const double shift = (cp.after_mean - cp.before_mean) / level;
      const bool turned = std::fabs(shift) < 0.1 && (before.slope > 0) != (after.slope > 0) &&
                          std::fabs(before.slope) * static_cast<double>(xb.size()) >= 0.1 * level &&
                          std::fabs(after.slope) * static_cast<double>(xa.size()) >= 0.1 * level;
      if (std::fabs(shift) < 0.1 && !turned) continue;
      ++found;
      Insight in = base(InsightType::kChangePoint);
      in.direction = turned ? (after.slope > 0 ? "up" : "down")
                            : (cp.after_mean > cp.before_mean ? "up" : "down");
      in.method =
          "Chow test (two lines against one) over every split, Bonferroni-adjusted; "
          "binary segmentation";
      in.p_value = cp.p_value;
      in.strength = std::min(1.0, std::max(std::fabs(shift), turned ? 0.5 : 0.0));
      in.value = shift;
      in.facts.insert(in.facts.end(), {time_fact("at", s.starts[at]),
                                       time_fact("start", s.starts[from]),
                                       time_fact("end", s.starts[to - 1]),
                                       {"before", cp.before_mean, FactUnit::kMeasure},
                                       {"after", cp.after_mean, FactUnit::kMeasure},
                                       {"slopeBefore", before.slope, FactUnit::kMeasure},
                                       {"slopeAfter", after.slope, FactUnit::kMeasure},
                                       {"f", cp.f, FactUnit::kCoefficient},
                                       {"pValue", cp.p_value, FactUnit::kPValue}});
      if (turned) in.facts.push_back({"turned", 1, FactUnit::kCount});
      if (cp.before_mean > 0 && cp.after_mean >= 0) {
        in.facts.push_back({"changePct", (cp.after_mean - cp.before_mean) / cp.before_mean * 100,
                            FactUnit::kPercent});
      }
      in.evidence.marker = static_cast<double>(s.starts[at]);
      Add(std::move(in));
    }

    // A spike: the point furthest from the median of its neighbours (three on each side), by a
    // robust z-score (MAD of those differences) of at least 5, and at least 20% away. The
    // neighbours, not the trend line, are the reference, so a curved trend is not an outlier.
    // The bar is high because the MAD of a short series is itself noisy.
    if (n >= 8) {
      std::vector<double> expected(n), residuals(n);
      for (size_t i = 0; i < n; ++i) {
        std::vector<double> around;
        for (size_t j = i >= 3 ? i - 3 : 0; j < std::min(n, i + 4); ++j) {
          if (j != i) around.push_back(s.values[j]);
        }
        expected[i] = Median(around);
        residuals[i] = s.values[i] - expected[i];
      }
      double med = Median(residuals);
      std::vector<double> deviations(n);
      for (size_t i = 0; i < n; ++i) deviations[i] = std::fabs(residuals[i] - med);
      double mad = Median(deviations);
      if (mad > 0) {
        size_t worst = 0;
        for (size_t i = 1; i < n; ++i) {
          if (deviations[i] > deviations[worst]) worst = i;
        }
        double z = 0.6745 * (residuals[worst] - med) / mad;
        double relative = std::fabs(residuals[worst]) / std::max(std::fabs(expected[worst]), 1e-12);
        if (std::fabs(z) >= 5 && relative >= 0.2) {
          Insight in = base(InsightType::kOutlier);
          in.direction = z > 0 ? "up" : "down";
          in.method =
              "robust z-score (median absolute deviation) against the median of the "
              "neighbouring values, Bonferroni-adjusted";
          in.p_value = std::min(1.0, TwoSidedNormalP(z) * static_cast<double>(n));
          in.strength = std::min(1.0, std::fabs(z) / 10);
          in.value = s.values[worst];
          in.facts.insert(in.facts.end(), {time_fact("at", s.starts[worst]),
                                           {"actual", s.values[worst], FactUnit::kMeasure},
                                           {"expected", expected[worst], FactUnit::kMeasure},
                                           {"z", z, FactUnit::kCoefficient},
                                           {"pValue", in.p_value, FactUnit::kPValue}});
          if (expected[worst] > 0) {
            in.facts.push_back(
                {"deviationPct", residuals[worst] / expected[worst] * 100, FactUnit::kPercent});
            in.facts.push_back({"ratio", s.values[worst] / expected[worst], FactUnit::kRatio});
          }
          in.evidence.highlight.push_back(static_cast<int>(worst));
          Add(std::move(in));
        }
      }
    }
    return true;
  }

  // A yearly, weekly or daily cycle: the autocorrelation of the detrended series at the period,
  // tested against white noise (Bartlett: r √n is standard normal).
  void DetectSeasonality(const MeasureRef& m) {
    struct Candidate {
      TimeGrain grain;
      int period;
      size_t min_values;
      const char* cycle;
    };
    static constexpr std::array<Candidate, 4> kCandidates = {{
        {TimeGrain::kMonth, 12, 24, "yearly"},
        {TimeGrain::kQuarter, 4, 12, "yearly"},
        {TimeGrain::kDay, 7, 28, "weekly"},
        {TimeGrain::kHour, 24, 72, "daily"},
    }};
    const std::vector<TimeCell>& cells = whole_.cells;
    bool yearly_tried = false;
    for (const Candidate& c : kCandidates) {
      if (c.grain < cube_.grain) continue;
      if (c.period == 4 && yearly_tried) continue;
      Series s = BuildSeries(cells, c.grain, m);
      if (s.values.size() < c.min_values ||
          s.missing_buckets * 10 > static_cast<int64_t>(s.values.size())) {
        continue;
      }
      if (c.period == 12) yearly_tried = true;
      // Long daily or hourly series: the most recent 2,000 values are plenty for the ACF.
      size_t from = s.values.size() > 2000 ? s.values.size() - 2000 : 0;
      std::vector<double> x(s.positions.begin() + from, s.positions.end());
      std::vector<double> y(s.values.begin() + from, s.values.end());
      LineFit fit = LeastSquares(x, y);
      std::vector<double> detrended(y.size());
      for (size_t i = 0; i < y.size(); ++i) {
        detrended[i] = y[i] - (fit.intercept + fit.slope * x[i]);
      }
      // A cycle shows as a peak of the autocorrelation at the period. A smooth series without
      // one (tomorrow is like today) has high autocorrelation at every short lag, decaying: no
      // peak, so it is not taken for a cycle.
      double r = Autocorrelation(detrended, c.period);
      double before = Autocorrelation(detrended, c.period - 1);
      double after = Autocorrelation(detrended, c.period + 1);
      if (r < 0.2 || r - (before + after) / 2 < 0.05 || r < before || r < after) continue;
      double z = r * std::sqrt(static_cast<double>(y.size()));
      // The profile of the cycle: the mean by position (month of year, weekday, hour).
      std::vector<double> sum(c.period, 0), count(c.period, 0);
      for (size_t i = from; i < s.values.size(); ++i) {
        int64_t t = s.starts[i];
        int pos = c.grain == TimeGrain::kMonth     ? MonthOf(t) - 1
                  : c.grain == TimeGrain::kQuarter ? QuarterOf(t) - 1
                  : c.grain == TimeGrain::kDay     ? WeekdayOf(t) - 1
                                                   : HourOf(t);
        sum[pos] += s.values[i];
        count[pos] += 1;
      }
      Insight in;
      in.type = InsightType::kSeasonality;
      in.columns = {m.name, time_name_};
      in.aggregation = std::string(AggregationName(m.aggregation));
      in.method = "autocorrelation peak at the period of the detrended series, against white noise";
      in.p_value = 1 - NormalCdf(z);
      in.strength = std::min(1.0, r);
      in.value = c.period;
      in.caveats = s.caveats;
      std::vector<Fact> caveat_facts = s.caveat_facts;
      in.evidence.shape = Evidence::Shape::kBars;
      in.evidence.x_title = c.grain == TimeGrain::kMonth     ? "month"
                            : c.grain == TimeGrain::kQuarter ? "quarter"
                            : c.grain == TimeGrain::kDay     ? "weekday"
                                                             : "hour";
      in.evidence.y_title = SeriesTitle(m) + " (mean per " + in.evidence.x_title + ")";
      int peak = -1, trough = -1;
      for (int p = 0; p < c.period; ++p) {
        if (count[p] == 0) continue;
        double mean = sum[p] / count[p];
        std::string label = c.grain == TimeGrain::kMonth     ? kMonthNames[p]
                            : c.grain == TimeGrain::kQuarter ? "Q" + std::to_string(p + 1)
                            : c.grain == TimeGrain::kDay     ? kWeekdayNames[p]
                                                             : std::to_string(p) + ":00";
        in.evidence.labels.push_back(label);
        in.evidence.y.push_back(mean);
        int index = static_cast<int>(in.evidence.y.size()) - 1;
        if (peak < 0 || mean > in.evidence.y[peak]) peak = index;
        if (trough < 0 || mean < in.evidence.y[trough]) trough = index;
      }
      if (peak < 0 || peak == trough) continue;
      in.evidence.highlight = {peak, trough};
      in.facts = {{"period", static_cast<double>(c.period), FactUnit::kCount},
                  {"cycle", NAN, FactUnit::kCount, c.grain, c.cycle},
                  {"peak", NAN, FactUnit::kCount, c.grain, in.evidence.labels[peak]},
                  {"trough", NAN, FactUnit::kCount, c.grain, in.evidence.labels[trough]},
                  {"peakValue", in.evidence.y[peak], FactUnit::kMeasure},
                  {"troughValue", in.evidence.y[trough], FactUnit::kMeasure},
                  {"autocorrelation", r, FactUnit::kCoefficient},
                  {"pValue", in.p_value, FactUnit::kPValue}};
      in.facts.insert(in.facts.end(), caveat_facts.begin(), caveat_facts.end());
      for (auto& [index, trend] : trend_of_) {
        (void)index;
        TrendStatistic& t = report_.trends[trend];
        if (t.measure == m.name && t.category.empty()) t.seasonal_period = c.period;
      }
      Add(std::move(in));
    }
  }

  // ---- segments -------------------------------------------------------------------------------

  void DetectSegments() {
    if (cube_.plan.dimensions.empty()) {
      report_.limitations.push_back("No categorical column was found, so no groups were compared.");
      return;
    }
    for (const DimensionCube& dim : cube_.dimensions) {
      if (dim.dropped || dim.categories.size() < 2) continue;
      if (dimension_alias_[DimensionIndex(dim)]) continue;
      // Row counts per category, then each measure.
      SegmentFacts(dim, {-1, "rows", Aggregation::kCount, nullptr});
      for (const MeasureRef& m : measures_) {
        if (m.alias) continue;
        SegmentFacts(dim, m);
        CorrelationRatioFact(dim, m);
      }
    }
  }

  void SegmentFacts(const DimensionCube& dim, const MeasureRef& measure) {
    const std::string& dim_name = Name(dim.column);
    const int d = DimensionIndex(dim);
    // Row counts say something only when categories repeat: a dimension with a value per row
    // (a list of countries, a lookup table) has nothing to count.
    if (measure.index < 0 && profile_.rows < 5 * static_cast<int64_t>(dim.categories.size())) {
      return;
    }
    // One row per category: the "average" or "total" of a category is just its value.
    bool single = true;
    for (const CategoryCell& c : dim.categories) single &= c.rows <= 1;
    MeasureRef m = measure;
    if (single && m.index >= 0) m.aggregation = Aggregation::kValue;
    struct Value {
      std::string label;
      double value;
    };
    std::vector<Value> values;
    double total = 0;
    for (const CategoryCell& c : dim.categories) {
      if (total_category_[d] == c.label) continue;  // a row of totals, not a category
      double v;
      if (m.index < 0) {
        v = static_cast<double>(c.rows);
      } else {
        const Aggregate& a = c.measures[m.index];
        if (a.n == 0) continue;
        // An average of one or two rows is an observation, not a property of the group.
        if (m.aggregation == Aggregation::kMean && a.n < 3) continue;
        v = m.aggregation == Aggregation::kMean ? a.mean : a.sum;
      }
      values.push_back({c.label, v});
      total += v;
    }
    std::sort(values.begin(), values.end(), [](const Value& a, const Value& b) {
      return a.value != b.value ? a.value > b.value : a.label < b.label;
    });
    const size_t k = values.size();
    if (k < 2) return;
    const bool additive =
        m.aggregation == Aggregation::kSum || m.aggregation == Aggregation::kCount;
    const bool all_positive = values.back().value > 0;
    const double row_weight = m.index < 0 ? 0.6 : 1.0;  // row counts matter less than measures

    auto bars = [&](const std::vector<int>& highlight) {
      Evidence e;
      e.shape = Evidence::Shape::kBars;
      e.x_title = dim_name;
      e.y_title = SeriesTitle(m);
      size_t shown = std::min<size_t>(k, options_.max_bars);
      for (size_t i = 0; i < shown; ++i) {
        e.labels.push_back(values[i].label);
        e.y.push_back(values[i].value);
      }
      if (shown < k && additive) {
        double rest = 0;
        for (size_t i = shown; i < k; ++i) rest += values[i].value;
        e.labels.push_back("Other (" + std::to_string(k - shown) + ")");
        e.y.push_back(rest);
      }
      for (int h : highlight) {
        if (h < static_cast<int>(shown)) e.highlight.push_back(h);
      }
      return e;
    };
    auto base = [&](InsightType type) {
      Insight in;
      in.type = type;
      if (m.index >= 0) in.columns.push_back(m.name);
      in.columns.push_back(dim_name);
      in.aggregation = std::string(AggregationName(m.aggregation));
      in.impact = row_weight;
      if (!total_category_[d].empty()) {
        in.caveats.push_back("the rows of \"" + total_category_[d] +
                             "\" look like totals of the others and are left out");
      }
      return in;
    };
    auto share_facts = [&](Insight& in, size_t i) {
      in.facts.push_back({"category", NAN, FactUnit::kCount, TimeGrain::kDay, values[i].label});
      in.facts.push_back(
          {"categoryValue", values[i].value, m.index < 0 ? FactUnit::kCount : FactUnit::kMeasure});
      if (additive && total > 0) {
        in.facts.push_back({"share", values[i].value / total, FactUnit::kShare});
      }
      in.facts.push_back({"categories", static_cast<double>(k), FactUnit::kCount});
    };

    // Outstanding No. 1 (Top-K Insights): fit a power law to the values without the top one;
    // the top is outstanding when its residual is improbable among the others' residuals.
    bool top_found = false;
    if (k >= 4 && all_positive) {
      std::vector<double> lx, ly;
      for (size_t i = 1; i < k; ++i) {
        lx.push_back(std::log(static_cast<double>(i + 1)));
        ly.push_back(std::log(values[i].value));
      }
      LineFit law = LeastSquares(lx, ly);
      std::vector<double> residuals;
      for (size_t i = 1; i < k; ++i) {
        residuals.push_back(
            values[i].value -
            std::exp(law.intercept + law.slope * std::log(static_cast<double>(i + 1))));
      }
      Moments rm;
      rm.AddBatch(residuals.data(), static_cast<int64_t>(residuals.size()));
      double sd = rm.n > 1 ? std::sqrt(rm.m2 / static_cast<double>(rm.n - 1)) : 0;
      double top_residual = values[0].value - std::exp(law.intercept);
      double ratio = values[0].value / values[1].value;
      if (sd > 0 && top_residual > rm.mean && ratio >= 1.2) {
        double z = (top_residual - rm.mean) / sd;
        Insight in = base(InsightType::kTopContributor);
        in.method = "outstanding No. 1 against a power-law fit of the others";
        in.p_value = 1 - NormalCdf(z);
        in.strength = std::min(1.0, (ratio - 1) / 2);
        in.value = additive && total > 0 ? values[0].value / total : values[0].value;
        share_facts(in, 0);
        in.facts.push_back({"runnerUp", NAN, FactUnit::kCount, TimeGrain::kDay, values[1].label});
        in.facts.push_back({"runnerUpValue", values[1].value,
                            m.index < 0 ? FactUnit::kCount : FactUnit::kMeasure});
        in.facts.push_back({"ratio", ratio, FactUnit::kRatio});
        in.facts.push_back({"pValue", in.p_value, FactUnit::kPValue});
        in.evidence = bars({0});
        Add(std::move(in));
        top_found = true;
      }
    }

    // Majority: one category holds at least 60% of the total.
    if (additive && total > 0 && values[0].value / total >= 0.6 && values[0].value < total) {
      Insight in = base(InsightType::kMajority);
      in.method = "largest share of the total >= 60%";
      in.facts.push_back({"threshold", 0.6, FactUnit::kShare});
      in.strength = values[0].value / total;
      in.value = values[0].value / total;
      share_facts(in, 0);
      in.evidence.shape = Evidence::Shape::kStack;
      in.evidence.x_title = dim_name;
      in.evidence.y_title = "share of " + SeriesTitle(m);
      in.evidence.labels = {SeriesTitle(m)};
      double rest = total;
      for (size_t i = 0; i < k && i < 5; ++i) {
        in.evidence.stack.push_back(values[i].label);
        in.evidence.y.push_back(values[i].value / total);
        rest -= values[i].value;
      }
      if (k > 5) {
        in.evidence.stack.push_back("Other (" + std::to_string(k - 5) + ")");
        in.evidence.y.push_back(rest / total);
      }
      in.evidence.highlight = {0};
      Add(std::move(in));
    }

    // Evenness: every category holds about the same (coefficient of variation < 0.15).
    if (additive && k >= 3 && total > 0) {
      Moments mv;
      for (const Value& v : values) mv.AddBatch(&v.value, 1);
      double mean = mv.mean;
      double cv = mean > 0 ? std::sqrt(mv.m2 / static_cast<double>(k)) / mean : INFINITY;
      if (cv < 0.15) {
        Insight in = base(InsightType::kEvenness);
        in.method = "coefficient of variation across categories < 0.15";
        in.strength = 1 - cv / 0.15;
        in.value = cv;
        in.facts = {{"categories", static_cast<double>(k), FactUnit::kCount},
                    {"cv", cv, FactUnit::kCoefficient},
                    {"cvThreshold", 0.15, FactUnit::kCoefficient},
                    {"smallestShare", values.back().value / total, FactUnit::kShare},
                    {"largestShare", values.front().value / total, FactUnit::kShare},
                    {"smallest", NAN, FactUnit::kCount, TimeGrain::kDay, values.back().label},
                    {"largest", NAN, FactUnit::kCount, TimeGrain::kDay, values.front().label}};
        in.evidence = bars({});
        Add(std::move(in));
      }
    }

    // A category far outside the others (IQR fences), other than an outstanding top.
    if (k >= 5) {
      std::vector<double> sorted;
      sorted.reserve(k);
      for (const Value& v : values) sorted.push_back(v.value);
      std::sort(sorted.begin(), sorted.end());
      auto quantile = [&](double q) {
        double pos = q * static_cast<double>(k - 1);
        size_t lo = static_cast<size_t>(pos);
        size_t hi = std::min(lo + 1, k - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
      };
      double q1 = quantile(0.25), q3 = quantile(0.75), iqr = q3 - q1;
      size_t worst = k;
      double worst_distance = 0;
      for (size_t i = 0; i < k; ++i) {
        if (i == 0 && top_found) continue;
        double v = values[i].value;
        double distance = v > q3 + 1.5 * iqr ? v - q3 : v < q1 - 1.5 * iqr ? q1 - v : 0;
        if (iqr > 0 && distance / iqr > worst_distance) worst_distance = distance / iqr, worst = i;
      }
      if (worst < k) {
        Moments others;
        for (size_t i = 0; i < k; ++i) {
          if (i != worst) others.AddBatch(&values[i].value, 1);
        }
        double sd = others.n > 1 ? std::sqrt(others.m2 / static_cast<double>(others.n - 1)) : 0;
        if (sd > 0) {
          double z = (values[worst].value - others.mean) / sd;
          Insight in = base(InsightType::kOutlier);
          in.direction = z > 0 ? "up" : "down";
          in.method =
              "outside the IQR fences; z-score against the other categories, "
              "Bonferroni-adjusted";
          in.p_value = std::min(1.0, TwoSidedNormalP(z) * static_cast<double>(k));
          in.strength = std::min(1.0, std::fabs(z) / 10);
          in.value = values[worst].value;
          share_facts(in, worst);
          in.facts.push_back(
              {"othersMean", others.mean, m.index < 0 ? FactUnit::kCount : FactUnit::kMeasure});
          in.facts.push_back({"z", z, FactUnit::kCoefficient});
          in.facts.push_back({"pValue", in.p_value, FactUnit::kPValue});
          in.evidence = bars({static_cast<int>(worst)});
          Add(std::move(in));
        }
      }
    }
  }

  // How much of a measure's variation the categories of a dimension explain (η).
  void CorrelationRatioFact(const DimensionCube& dim, const MeasureRef& m) {
    std::vector<Moments> groups;
    struct Mean {
      std::string label;
      double mean;
      int64_t n;
    };
    std::vector<Mean> means;
    for (const CategoryCell& c : dim.categories) {
      const Aggregate& a = c.measures[m.index];
      if (a.n == 0 || total_category_[DimensionIndex(dim)] == c.label) continue;
      Moments g;
      g.n = a.n;
      g.mean = a.mean;
      g.m2 = a.m2;
      groups.push_back(g);
      means.push_back({c.label, a.mean, a.n});
    }
    if (groups.size() < 2) return;
    CorrelationRatio eta = CorrelationRatioTest(groups);
    const bool lookup = eta.eta > 0.95;  // the category all but fixes the value (a price list)
    int64_t n = 0;
    for (const Moments& g : groups) n += g.n;
    report_.associations.push_back(
        {m.name, Name(dim.column), "correlation_ratio", eta.eta, n, eta.p_value, false});
    if (eta.eta < 0.3) return;
    std::sort(means.begin(), means.end(), [](const Mean& a, const Mean& b) {
      return a.mean != b.mean ? a.mean > b.mean : a.label < b.label;
    });
    Insight in;
    in.type = InsightType::kCorrelation;
    in.columns = {m.name, Name(dim.column)};
    in.aggregation = "mean";
    in.method = "correlation ratio (η) with its one-way ANOVA F test";
    in.p_value = eta.p_value;
    in.strength = lookup ? eta.eta / 5 : eta.eta;
    if (lookup) {
      in.caveats.push_back(m.name + " is almost fixed for each " + Name(dim.column) +
                           ": this may be how the data is defined rather than a finding");
    }
    in.value = eta.eta;
    in.facts = {{"eta", eta.eta, FactUnit::kCoefficient},
                {"pValue", eta.p_value, FactUnit::kPValue},
                {"n", static_cast<double>(n), FactUnit::kCount},
                {"highest", NAN, FactUnit::kCount, TimeGrain::kDay, means.front().label},
                {"highestMean", means.front().mean, FactUnit::kMeasure},
                {"lowest", NAN, FactUnit::kCount, TimeGrain::kDay, means.back().label},
                {"lowestMean", means.back().mean, FactUnit::kMeasure}};
    if (means.back().mean > 0) {
      in.facts.push_back({"ratio", means.front().mean / means.back().mean, FactUnit::kRatio});
    }
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = Name(dim.column);
    in.evidence.y_title = "average " + m.name;
    for (size_t i = 0; i < means.size() && i < static_cast<size_t>(options_.max_bars); ++i) {
      in.evidence.labels.push_back(means[i].label);
      in.evidence.y.push_back(means[i].mean);
    }
    in.evidence.highlight = {0};
    Add(std::move(in));
  }

  // ---- correlations ---------------------------------------------------------------------------

  int MeasurePosition(const std::string& name) const {
    for (size_t i = 0; i < measures_.size(); ++i) {
      if (measures_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  void DetectCorrelations() {
    const RowSample& sample = cube_.sample;
    const bool sampled = sample.population > static_cast<int64_t>(sample.numbers.size());
    auto sample_column = [&](int measure_index) {
      std::vector<double> v;
      for (const auto& row : sample.numbers) v.push_back(row[measure_index]);
      return v;
    };
    for (const Correlation& r : profile_.correlations) {
      int a = MeasurePosition(r.a), b = MeasurePosition(r.b);
      if (a < 0 || b < 0) continue;
      const MeasureRef& ma = measures_[a];
      const MeasureRef& mb = measures_[b];
      double p = CorrelationPValue(r.value, r.n);
      report_.associations.push_back({r.a, r.b, "pearson", r.value, r.n, p, false});
      std::vector<double> xa = sample_column(ma.index), xb = sample_column(mb.index);
      RankCorrelation rho = SpearmanCorrelation(xa, xb);
      if (!std::isnan(rho.rho)) {
        report_.associations.push_back(
            {r.a, r.b, "spearman", rho.rho, rho.n, CorrelationPValue(rho.rho, rho.n), sampled});
      }
      if (std::fabs(r.value) < 0.3) continue;
      Insight in;
      in.type = InsightType::kCorrelation;
      in.columns = {r.a, r.b};
      in.direction = r.value > 0 ? "up" : "down";
      in.method = "Pearson correlation with its t test";
      in.p_value = p;
      // Columns in lockstep are usually computed from each other: true, but rarely news.
      in.strength = std::fabs(r.value) > 0.98 ? std::fabs(r.value) / 5 : std::fabs(r.value);
      in.impact =
          profile_.rows > 0 ? static_cast<double>(r.n) / static_cast<double>(profile_.rows) : 0;
      in.value = r.value;
      in.facts = {{"r", r.value, FactUnit::kCoefficient},
                  {"rSquared", r.value * r.value, FactUnit::kShare},
                  {"n", static_cast<double>(r.n), FactUnit::kCount},
                  {"pValue", p, FactUnit::kPValue}};
      if (!std::isnan(rho.rho)) in.facts.push_back({"spearman", rho.rho, FactUnit::kCoefficient});
      if (std::fabs(r.value) > 0.98) {
        in.caveats.push_back(
            "the two columns move almost in lockstep: one may be computed from "
            "the other");
      }
      // The scatter: the first sampled points with both values, and the least-squares line.
      in.evidence.shape = Evidence::Shape::kScatter;
      in.evidence.x_title = r.b;
      in.evidence.y_title = r.a;
      for (size_t i = 0; i < xa.size(); ++i) {
        if (std::isnan(xa[i]) || std::isnan(xb[i])) continue;
        if (static_cast<int>(in.evidence.x.size()) >= options_.max_scatter_points) break;
        in.evidence.x.push_back(xb[i]);
        in.evidence.y.push_back(xa[i]);
      }
      LineFit line = LeastSquares(in.evidence.x, in.evidence.y);
      in.evidence.fit = {line.slope, line.intercept};
      if (sampled) {
        in.caveats.push_back("the chart and the Spearman coefficient use a sample of " +
                             std::to_string(sample.numbers.size()) + " rows");
        in.facts.push_back(
            {"sampleRows", static_cast<double>(sample.numbers.size()), FactUnit::kCount});
      }
      Add(std::move(in));
    }

    // Two dimensions: Cramér's V from the sample's contingency table.
    const size_t dims = cube_.plan.dimensions.size();
    for (size_t a = 0; a < dims; ++a) {
      for (size_t b = a + 1; b < dims; ++b) {
        if (cube_.dimensions[a].dropped || cube_.dimensions[b].dropped) continue;
        CramersFact(static_cast<int>(a), static_cast<int>(b), sampled);
      }
    }
  }

  void CramersFact(int a, int b, bool sampled) {
    const RowSample& sample = cube_.sample;
    std::map<std::string, int> ia, ib;
    std::vector<std::string> la, lb;
    for (const auto& row : sample.labels) {
      if (row[a].empty() || row[b].empty()) continue;
      if (ia.try_emplace(row[a], static_cast<int>(la.size())).second) la.push_back(row[a]);
      if (ib.try_emplace(row[b], static_cast<int>(lb.size())).second) lb.push_back(row[b]);
    }
    if (la.size() < 2 || lb.size() < 2 || la.size() > 50 || lb.size() > 50) return;
    std::vector<std::vector<double>> table(la.size(), std::vector<double>(lb.size(), 0));
    for (const auto& row : sample.labels) {
      if (row[a].empty() || row[b].empty()) continue;
      table[ia[row[a]]][ib[row[b]]] += 1;
    }
    CramersV v = CramersVTest(table);
    const std::string& na = Name(cube_.dimensions[a].column);
    const std::string& nb = Name(cube_.dimensions[b].column);
    report_.associations.push_back({na, nb, "cramers_v", v.v_corrected, v.n, v.p_value, sampled});
    // Below 0.3 the link is weak; above 0.98 one column is a relabelling of the other.
    if (v.v_corrected < 0.3 || v.v_corrected > 0.98) return;
    Insight in;
    in.type = InsightType::kCorrelation;
    in.columns = {nb, na};
    in.aggregation = "count";
    in.method = "Cramér's V (bias-corrected) with the chi-square test";
    in.p_value = v.p_value;
    // Near 1, each value of one column belongs to one value of the other (a city and its
    // state, a name and its code): the columns describe the same thing.
    in.strength = v.v_corrected > 0.95 ? v.v_corrected / 5 : v.v_corrected;
    if (v.v_corrected > 0.95) {
      in.caveats.push_back("each " + na + " goes with one " + nb +
                           ": the two columns may describe the same thing");
    }
    in.impact = 0.8;
    in.value = v.v_corrected;
    in.facts = {{"cramersV", v.v_corrected, FactUnit::kCoefficient},
                {"n", static_cast<double>(v.n), FactUnit::kCount},
                {"pValue", v.p_value, FactUnit::kPValue}};
    if (sampled) {
      in.caveats.push_back("computed on a sample of " + std::to_string(sample.labels.size()) +
                           " rows");
      in.facts.push_back(
          {"sampleRows", static_cast<double>(sample.labels.size()), FactUnit::kCount});
    }
    // The stack: for the largest categories of a, the shares of b's largest categories.
    std::vector<size_t> rows_order(la.size()), parts_order(lb.size());
    std::vector<double> row_total(la.size(), 0), part_total(lb.size(), 0);
    for (size_t i = 0; i < la.size(); ++i) {
      for (size_t j = 0; j < lb.size(); ++j) {
        row_total[i] += table[i][j], part_total[j] += table[i][j];
      }
    }
    std::iota(rows_order.begin(), rows_order.end(), 0);
    std::iota(parts_order.begin(), parts_order.end(), 0);
    std::sort(rows_order.begin(), rows_order.end(), [&](size_t x, size_t y) {
      return row_total[x] != row_total[y] ? row_total[x] > row_total[y] : la[x] < la[y];
    });
    std::sort(parts_order.begin(), parts_order.end(), [&](size_t x, size_t y) {
      return part_total[x] != part_total[y] ? part_total[x] > part_total[y] : lb[x] < lb[y];
    });
    const size_t rows = std::min<size_t>(rows_order.size(), 8);
    const size_t parts = std::min<size_t>(parts_order.size(), 6);
    in.evidence.shape = Evidence::Shape::kStack;
    in.evidence.x_title = na;
    in.evidence.y_title = "share of rows by " + nb;
    for (size_t j = 0; j < parts; ++j) in.evidence.stack.push_back(lb[parts_order[j]]);
    if (parts < parts_order.size()) in.evidence.stack.push_back("Other");
    for (size_t i = 0; i < rows; ++i) {
      size_t r = rows_order[i];
      in.evidence.labels.push_back(la[r]);
      double rest = row_total[r];
      for (size_t j = 0; j < parts; ++j) {
        double share = table[r][parts_order[j]] / row_total[r];
        in.evidence.y.push_back(share);
        rest -= table[r][parts_order[j]];
      }
      if (parts < parts_order.size()) in.evidence.y.push_back(rest / row_total[r]);
    }
    Add(std::move(in));
  }

  // ---- distributions and data quality ---------------------------------------------------------

  void DetectDistributions() {
    for (const MeasureRef& m : measures_) {
      const ColumnProfile& p = *m.profile;
      if (p.count < 30 || !p.skewness || !p.mean || !p.median) continue;
      double skew = *p.skewness;
      if (std::fabs(skew) < 1) continue;
      const double n = static_cast<double>(p.count);
      double se = std::sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)));
      Insight in;
      in.type = InsightType::kDistribution;
      in.columns = {m.name};
      in.direction = skew > 0 ? "up" : "down";
      in.method = "sample skewness with its standard error";
      in.p_value = TwoSidedNormalP(skew / se);
      in.strength = std::min(1.0, std::fabs(skew) / 4);
      in.impact = 0.6;
      in.value = skew;
      in.facts = {{"skewness", skew, FactUnit::kCoefficient},
                  {"mean", *p.mean, FactUnit::kMeasure},
                  {"median", *p.median, FactUnit::kMeasure},
                  {"pValue", in.p_value, FactUnit::kPValue},
                  {"n", n, FactUnit::kCount}};
      if (p.kurtosis) in.facts.push_back({"kurtosis", *p.kurtosis, FactUnit::kCoefficient});
      if (p.p95) in.facts.push_back({"p95", *p.p95, FactUnit::kMeasure});
      if (p.max) in.facts.push_back({"max", *p.max, FactUnit::kMeasure});
      in.evidence.shape = Evidence::Shape::kHistogram;
      in.evidence.x_title = m.name;
      in.evidence.y_title = "rows";
      in.evidence.x = p.histogram.edges;
      for (int64_t c : p.histogram.counts) in.evidence.y.push_back(static_cast<double>(c));
      if (in.evidence.x.size() != in.evidence.y.size() + 1) {
        in.evidence.shape = Evidence::Shape::kNone;
      }
      Add(std::move(in));
    }
  }

  void DetectDataQuality() {
    const double rows = static_cast<double>(profile_.rows);
    for (const Alert& a : profile_.alerts) {
      Insight in;
      in.type = InsightType::kDataQuality;
      in.method = "profile alert " + a.type + " (ydata-profiling's rule)";
      in.strength = 1;
      in.facts.push_back({"alert", NAN, FactUnit::kCount, TimeGrain::kDay, a.type});
      if (a.type == "MISSING" || a.type == "INFINITE") {
        in.impact = a.value;
        in.value = a.value;
        in.facts.push_back({"share", a.value, FactUnit::kShare});
      } else if (a.type == "DUPLICATES" || a.type == "INVALID") {
        in.impact = rows > 0 ? std::min(1.0, a.value / rows) : 0;
        in.value = a.value;
        in.facts.push_back({"count", a.value, FactUnit::kCount});
        in.facts.push_back({"share", in.impact, FactUnit::kShare});
      } else if (a.type == "CONSTANT" || a.type == "EMPTY") {
        in.impact = 0.3;
        in.value = 1;
      } else {
        continue;  // the others (SKEWED, ZEROS, HIGH_CORRELATION …) describe data, not faults
      }
      if (!a.column.empty()) in.columns.push_back(a.column);
      Add(std::move(in));
    }
  }

  // ---- caveats and ranking --------------------------------------------------------------------

  void AddCaveats() {
    std::map<std::string, double> missing_share;
    for (const Alert& a : profile_.alerts) {
      if (a.type == "MISSING") missing_share[a.column] = a.value;
    }
    std::string duplicates;
    if (profile_.duplicate_rows > 0) {
      duplicates = std::to_string(profile_.duplicate_rows) +
                   " rows are exact duplicates of earlier rows and are counted again";
    }
    for (Insight& in : candidates_) {
      if (in.type == InsightType::kDataQuality) continue;
      if (!duplicates.empty() && in.type != InsightType::kDistribution) {
        in.caveats.push_back(duplicates);
        in.facts.push_back(
            {"duplicateRows", static_cast<double>(profile_.duplicate_rows), FactUnit::kCount});
      }
      for (const std::string& column : in.columns) {
        auto it = missing_share.find(column);
        if (it != missing_share.end()) {
          char buf[96];
          std::snprintf(buf, sizeof(buf), "%.0f%% of ", it->second * 100);
          in.caveats.push_back(buf + column + " values are missing");
          in.facts.push_back({"missingShare:" + column, it->second, FactUnit::kShare});
        }
      }
    }
  }

  size_t Add(Insight in) {
    candidates_.push_back(std::move(in));
    return candidates_.size() - 1;
  }

  void Rank() {
    std::vector<double> p;
    std::vector<size_t> tested;
    for (size_t i = 0; i < candidates_.size(); ++i) {
      if (!std::isnan(candidates_[i].p_value)) {
        p.push_back(candidates_[i].p_value), tested.push_back(i);
      }
    }
    std::vector<double> q = BenjaminiHochberg(p);
    for (size_t k = 0; k < tested.size(); ++k) candidates_[tested[k]].q_value = q[k];
    report_.tests = static_cast<int>(tested.size());
    for (Insight& in : candidates_) {
      if (!std::isnan(in.q_value) && in.q_value > options_.false_discovery_rate) {
        ++report_.rejected;
        continue;
      }
      in.significance = std::isnan(in.q_value) ? 1 : 1 - in.q_value;
      double weight = in.type == InsightType::kDataQuality    ? 0.6
                      : in.type == InsightType::kDistribution ? 0.6
                      : in.type == InsightType::kEvenness     ? 0.5
                                                              : 1.0;
      in.score = in.significance * in.impact * in.strength * weight;
      report_.insights.push_back(std::move(in));
    }
    auto key = [](const Insight& in) {
      std::string k(InsightTypeName(in.type));
      for (const auto& c : in.columns) k += "\x1f" + c;
      for (const auto& [d, c] : in.subspace) k.append("\x1e").append(d).append("=").append(c);
      return k;
    };
    std::stable_sort(report_.insights.begin(), report_.insights.end(),
                     [&](const Insight& a, const Insight& b) {
                       if (a.score != b.score) return a.score > b.score;
                       return key(a) < key(b);
                     });
    for (size_t i = 0; i < report_.insights.size(); ++i) {
      report_.insights[i].id = "i" + std::to_string(i + 1);
    }
  }

  const Profile& profile_;
  const Cube& cube_;
  const InsightOptions& options_;
  InsightReport report_;
  std::vector<MeasureRef> measures_;
  std::vector<Insight> candidates_;
  std::vector<std::pair<size_t, size_t>> trend_of_;  // (candidate, trend statistic)
  std::string time_name_;
  std::string time_caveat_;
  TimeGrain grain_ = TimeGrain::kMonth;
  int long_dimension_ = -1;
  std::vector<std::string> total_category_;  // per dimension: a category of totals, or empty
  std::vector<bool> dimension_alias_;        // per dimension: one to one with an earlier one
  TimeSeriesCube whole_;                     // the whole table, without rows of totals
  std::string whole_caveat_;
};

}  // namespace

InsightReport DetectInsights(const Profile& profile, const InsightOptions& options) {
  return Detector(profile, options).Run();
}

}  // namespace datastory::analysis
