// The time family: for the whole table and each kept category, a trend (Mann-Kendall,
// Theil-Sen), shifts and turns (binary segmentation with Chow tests), a spike (robust z against
// the neighbours); and yearly, weekly or daily cycles (autocorrelation at the period).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/association.h"
#include "analysis/insight_detectors.h"
#include "analysis/trend.h"
#include "base/text.h"
#include "table/inference.h"

namespace datastory::analysis::detect {
namespace {

// Cycles of a series' own length: at most this many buckets long, and dominating the series
// (no trend or turn told) from this autocorrelation at the cycle's length.
constexpr size_t kMaxCycleLength = 200;
constexpr double kCycleDominates = 0.5;
constexpr double kCycleDominatesP = 1e-3;  // so that the cycle is told, whatever the FDR

// The calendar's own cycle at `grain`, in buckets: 12 months, 4 quarters, 7 days, 24 hours; 0
// for the other grains.
size_t CalendarPeriod(TimeGrain grain) {
  switch (grain) {
    case TimeGrain::kMonth:
      return 12;
    case TimeGrain::kQuarter:
      return 4;
    case TimeGrain::kDay:
      return 7;
    case TimeGrain::kHour:
      return 24;
    default:
      return 0;
  }
}

// How far a value is from what was expected of it, when that is a positive level: in percent,
// and as a ratio (which the text uses from 3 times on).
void AddDeviation(double actual, double expected, std::vector<Fact>* facts) {
  if (expected <= 0) return;
  facts->push_back(
      {FactName::kDeviationPct, (actual - expected) / expected * 100, FactUnit::kPercent});
  facts->push_back({FactName::kRatio, actual / expected, FactUnit::kRatio});
}

// A time's place in that cycle, from 0: its month, quarter, weekday (Monday first) or hour.
size_t CalendarPosition(int64_t t, TimeGrain grain) {
  return static_cast<size_t>(grain == TimeGrain::kMonth     ? MonthOf(t) - 1
                             : grain == TimeGrain::kQuarter ? QuarterOf(t) - 1
                             : grain == TimeGrain::kDay     ? WeekdayOf(t) - 1
                                                            : HourOf(t));
}

class TimeFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    if (!has_time_) return;
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
      if (!mixed && grain_ > TimeGrain::kDay) DetectHolidayDay(m);
    }
    // Per-category series of each dimension small enough to keep them.
    for (size_t s = 1; s < cube_.series.size(); ++s) {
      const TimeSeriesCube& series = cube_.series[s];
      const DimensionCube& dim = cube_.dimensions[series.dimension];
      if (total_category_[series.dimension] == series.category) continue;
      if (dimension_alias_[series.dimension]) continue;
      if (dimension_outcome_[series.dimension]) continue;
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

 private:
  // Where a series' change is measured from and to: its first and last whole calendar years
  // when it holds two or more at a finer grain (a year's total for a measure that adds up, its
  // average otherwise), else its first and last values. `level` is the mean size of what is
  // compared, for the base of a percentage.
  struct Endpoints {
    int64_t from = 0, to = 0;
    TimeGrain grain = TimeGrain::kDay;
    double first = 0, last = 0, level = 0;
  };
  Endpoints EndpointsOf(const Series& s, bool additive) const {
    Endpoints e{s.starts.front(), s.starts.back(), grain_, s.values.front(), s.values.back(), 0};
    for (double v : s.values) e.level += std::fabs(v);
    e.level /= static_cast<double>(s.values.size());
    const std::vector<std::pair<int64_t, double>> whole = WholeYears(s, additive);
    if (grain_ >= TimeGrain::kYear || whole.size() < 2) return e;
    e = {whole.front().first,  whole.back().first,  TimeGrain::kYear,
         whole.front().second, whole.back().second, 0};
    for (const auto& [start, v] : whole) e.level += std::fabs(v);
    e.level /= static_cast<double>(whole.size());
    return e;
  }

  // The series by whole calendar year: (year start, its total, or its average when not
  // additive), leaving out a partial first or last year. A yearly series is itself.
  std::vector<std::pair<int64_t, double>> WholeYears(const Series& s, bool additive) const {
    std::vector<std::pair<int64_t, double>> whole;
    if (grain_ >= TimeGrain::kYear) {
      for (size_t i = 0; i < s.starts.size(); ++i) whole.emplace_back(s.starts[i], s.values[i]);
      return whole;
    }
    struct Year {
      int64_t buckets = 0;
      double sum = 0;
    };
    std::map<int64_t, Year> years;  // by year start
    for (size_t i = 0; i < s.starts.size(); ++i) {
      Year& y = years[TruncateTime(s.starts[i], TimeGrain::kYear)];
      ++y.buckets;
      y.sum += s.values[i];
    }
    for (const auto& [start, y] : years) {
      const int64_t next = NextBucket(start, TimeGrain::kYear);
      int64_t expected = 0;
      for (int64_t t = start; t < next; t = NextBucket(t, grain_)) ++expected;
      if (y.buckets < expected) continue;  // a partial year is not compared
      whole.emplace_back(start, additive ? y.sum : y.sum / static_cast<double>(y.buckets));
    }
    return whole;
  }

  bool AnalyseSeries(const TimeSeriesCube& cube_series, const MeasureRef& m, double impact) {
    Series s = BuildSeries(cube_series.cells, grain_, m);
    // A level at a point in time (a population, a balance) adds up across the rows of one time,
    // not across the times of a bucket: a month of daily balances is their average.
    const bool stock = table::NameSuggestsStock(m.name);
    if (stock && m.aggregation != Aggregation::kMean && cube_.grain < grain_) {
      AverageLevels(cube_series.cells, m, &s);
    }
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
    // A percentage only from a base that is a real level: from near zero (or across it) any
    // change is thousands of percent and says nothing.
    double level = 0;
    for (double v : s.values) level += std::fabs(v);
    level /= static_cast<double>(n);
    auto percent = [&](double from, double to, double base_level) -> std::optional<double> {
      if (from > 0.1 * base_level && to >= 0) return (to - from) / from * 100;
      return std::nullopt;
    };
    const std::optional<double> fit_change = percent(fit_start, fit_end, level);
    stat.slope = fit.slope;
    stat.p_value = mk.p_value;
    stat.direction = mk.s > 0 && fit.slope > 0   ? Direction::kUp
                     : mk.s < 0 && fit.slope < 0 ? Direction::kDown
                                                 : Direction::kFlat;
    // The change the text states is the data's own, from its first to its last period (whole
    // years when there are two or more); one against the trend's direction is not stated.
    // A year of a level is its average too, not its sum over the months.
    const bool additive = m.aggregation != Aggregation::kMean && !stock;
    const Endpoints ends = EndpointsOf(s, additive);
    std::optional<double> change = percent(ends.first, ends.last, ends.level);
    if (change && ((stat.direction == Direction::kUp && *change <= 0) ||
                   (stat.direction == Direction::kDown && *change >= 0))) {
      change.reset();
    }
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
        in.facts.push_back({FactName::kRowsWithoutTime, static_cast<double>(cube_.time_missing),
                            FactUnit::kCount});
      }
      in.evidence = series_evidence;
      return in;
    };
    auto time_fact = [&](FactName name, int64_t t) {
      return Fact{name, static_cast<double>(t), FactUnit::kTime, grain_, ""};
    };

    // A cycle of the series' own length (an ~11-year cycle in yearly data). A series it
    // dominates gets no trend, shift, turn or spike: its two ends say where the cycle stood.
    const size_t calendar = CalendarPeriod(grain_);
    Cycle cycle;
    if (s.missing_buckets * 10 <= static_cast<int64_t>(n)) {
      // The calendar's own cycle out first (each value less the mean of its month, weekday …),
      // so that a December high does not echo as a cycle of 60 months.
      std::vector<double> values = s.values;
      if (calendar > 0) {
        std::vector<double> sum(calendar, 0), count(calendar, 0);
        for (size_t i = 0; i < n; ++i) {
          sum[CalendarPosition(s.starts[i], grain_)] += values[i];
          count[CalendarPosition(s.starts[i], grain_)] += 1;
        }
        for (size_t i = 0; i < n; ++i) {
          const size_t p = CalendarPosition(s.starts[i], grain_);
          values[i] -= sum[p] / count[p];
        }
      }
      cycle = FindCycle(values, kMaxCycleLength, calendar);
    }
    if (cycle.length > 0 && cycle.p_value <= options_.false_discovery_rate) {
      Insight in = base(InsightType::kSeasonality);
      in.method =
          "autocorrelation of the detrended series peaking at the cycle's length, with the "
          "values half a cycle apart moving against each other; against white noise, "
          "Bonferroni over the lengths tried";
      in.p_value = cycle.p_value;
      in.strength = std::min(1.0, cycle.autocorrelation);
      in.value = static_cast<double>(cycle.length);
      // The last cycle's high and low.
      size_t high = n - cycle.length, low = high;
      for (size_t i = n - cycle.length; i < n; ++i) {
        if (s.values[i] > s.values[high]) high = i;
        if (s.values[i] < s.values[low]) low = i;
      }
      in.facts.insert(in.facts.end(),
                      {{FactName::kPeriod, static_cast<double>(cycle.length), FactUnit::kCount},
                       {FactName::kCycleLength, static_cast<double>(cycle.length), FactUnit::kCount,
                        grain_, ""},
                       time_fact(FactName::kLastPeak, s.starts[high]),
                       {FactName::kPeakValue, s.values[high], FactUnit::kMeasure},
                       time_fact(FactName::kTroughAt, s.starts[low]),
                       {FactName::kTroughValue, s.values[low], FactUnit::kMeasure},
                       {FactName::kAutocorrelation, cycle.autocorrelation, FactUnit::kCoefficient},
                       {FactName::kPValue, cycle.p_value, FactUnit::kPValue}});
      in.evidence.highlight = {static_cast<int>(high), static_cast<int>(low)};
      Add(std::move(in));
      report_.trends[trend_index].seasonal_period = static_cast<int>(cycle.length);
      if (cycle.autocorrelation >= kCycleDominates && cycle.p_value <= kCycleDominatesP) {
        return true;
      }
    }

    if (stat.direction != Direction::kFlat) {
      Insight in = base(InsightType::kTrend);
      in.direction = stat.direction;
      in.method = "Mann-Kendall test, Theil-Sen slope";
      in.p_value = mk.p_value;
      in.strength = std::fabs(mk.tau);
      in.value = change ? *change / 100 : fit.slope;
      in.facts.insert(
          in.facts.end(),
          {{FactName::kStart, static_cast<double>(ends.from), FactUnit::kTime, ends.grain, ""},
           {FactName::kEnd, static_cast<double>(ends.to), FactUnit::kTime, ends.grain, ""},
           {FactName::kFirst, ends.first, FactUnit::kMeasure},
           {FactName::kLast, ends.last, FactUnit::kMeasure},
           {FactName::kFitStart, fit_start, FactUnit::kMeasure},
           {FactName::kFitEnd, fit_end, FactUnit::kMeasure},
           {FactName::kSlope, fit.slope, FactUnit::kMeasure},
           {FactName::kTau, mk.tau, FactUnit::kCoefficient},
           {FactName::kPValue, mk.p_value, FactUnit::kPValue},
           {FactName::kBuckets, static_cast<double>(n), FactUnit::kCount}});
      if (change) in.facts.push_back({FactName::kChangePct, *change, FactUnit::kPercent});
      if (fit_change) {
        in.facts.push_back({FactName::kFitChangePct, *fit_change, FactUnit::kPercent});
      }
      for (size_t i = 0; i < n; ++i) {
        in.evidence.fit.push_back(fit.intercept + fit.slope * s.positions[i]);
      }
      trend_of_.emplace_back(Add(std::move(in)), trend_index);
    }

    // Peaks, lows and records of the yearly levels: "peaked in 2006, fell 30% to 2011, then
    // reached a record in 2014". Told, a turn of the trend below is not told again.
    const bool turn_told = AddTurn(s, additive, base);

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
      if (turned && turn_told) continue;
      // The level this segment came from, when an earlier split made it: a move back to it is
      // the end of an excursion already told, not a shift of its own.
      if (!turned && from > 0) {
        double earlier = 0;
        for (size_t i = 0; i < from; ++i) earlier += s.values[i];
        earlier /= static_cast<double>(from);
        if (std::fabs(cp.after_mean - earlier) < 0.1 * level &&
            std::fabs(cp.before_mean - earlier) >= 0.1 * level) {
          continue;
        }
      }
      if (!turned) {
        // A shift is a step to a new level that persists. A smooth decline has no step where its
        // two lines meet; an excursion that returns (a few high months) is a spike, not a shift:
        // its last values are back nearer the old level than the new one.
        const double x_at = s.positions[at];
        const double step =
            (after.intercept + after.slope * x_at) - (before.intercept + before.slope * x_at);
        const size_t tail = std::max<size_t>(1, ya.size() / 3);
        double tail_mean = 0;
        for (size_t i = ya.size() - tail; i < ya.size(); ++i) tail_mean += ya[i];
        tail_mean /= static_cast<double>(tail);
        const bool persists =
            std::fabs(tail_mean - cp.after_mean) < std::fabs(tail_mean - cp.before_mean);
        if (std::fabs(step) / level < 0.1) continue;
        // A curve (growth by a steady percentage) splits into two lines that miss each other
        // too, but its values were already heading there: the last values before the split sit
        // off their line towards the new level by half the step or more. A real step comes
        // from values that sat on their line.
        const size_t last = std::max<size_t>(2, yb.size() / 5);
        double drift = 0;
        for (size_t i = yb.size() - last; i < yb.size(); ++i) {
          drift += yb[i] - (before.intercept + before.slope * xb[i]);
        }
        drift /= static_cast<double>(last);
        if ((drift > 0) == (step > 0) && std::fabs(drift) >= 0.5 * std::fabs(step)) continue;
        if (!persists) {
          // An excursion: the level moved and came back. Where it came back is the best split
          // of what follows; it is told once, as an excursion, with both ends.
          ChangePoint back = FindChangePoint(ya, std::max<size_t>(2, ya.size() / 10));
          if (back.index == 0) continue;
          const size_t returned = at + back.index;
          double excursion = 0, after_return = 0;
          for (size_t i = at; i < returned; ++i) excursion += s.values[i];
          for (size_t i = returned; i < to; ++i) after_return += s.values[i];
          excursion /= static_cast<double>(returned - at);
          after_return /= static_cast<double>(to - returned);
          if (std::fabs(after_return - cp.before_mean) >= 0.1 * level) continue;
          ++found;
          Insight in = base(InsightType::kChangePoint);
          in.direction = excursion > cp.before_mean ? Direction::kUp : Direction::kDown;
          in.method =
              "Chow test (two lines against one) over every split, Bonferroni-adjusted; the "
              "return found as the best split of what follows";
          in.p_value = cp.p_value;
          in.strength = std::min(1.0, std::fabs(excursion - cp.before_mean) / level);
          in.value = (excursion - cp.before_mean) / level;
          in.facts.insert(in.facts.end(), {time_fact(FactName::kAt, s.starts[at]),
                                           time_fact(FactName::kReturned, s.starts[returned]),
                                           time_fact(FactName::kStart, s.starts[from]),
                                           time_fact(FactName::kEnd, s.starts[to - 1]),
                                           {FactName::kBefore, cp.before_mean, FactUnit::kMeasure},
                                           {FactName::kAfter, excursion, FactUnit::kMeasure},
                                           {FactName::kF, cp.f, FactUnit::kCoefficient},
                                           {FactName::kPValue, cp.p_value, FactUnit::kPValue}});
          in.evidence.marker = static_cast<double>(s.starts[at]);
          Add(std::move(in));
          // What follows the return is a segment of its own; the excursion is not split again.
          segments.pop_back();
          segments.push_back({returned, to});
          continue;
        }
      }
      ++found;
      Insight in = base(InsightType::kChangePoint);
      in.direction = turned ? (after.slope > 0 ? Direction::kUp : Direction::kDown)
                            : (cp.after_mean > cp.before_mean ? Direction::kUp : Direction::kDown);
      in.method =
          "Chow test (two lines against one) over every split, Bonferroni-adjusted; "
          "binary segmentation";
      in.p_value = cp.p_value;
      in.strength = std::min(1.0, std::max(std::fabs(shift), turned ? 0.5 : 0.0));
      in.value = shift;
      in.facts.insert(in.facts.end(), {time_fact(FactName::kAt, s.starts[at]),
                                       time_fact(FactName::kStart, s.starts[from]),
                                       time_fact(FactName::kEnd, s.starts[to - 1]),
                                       {FactName::kBefore, cp.before_mean, FactUnit::kMeasure},
                                       {FactName::kAfter, cp.after_mean, FactUnit::kMeasure},
                                       {FactName::kSlopeBefore, before.slope, FactUnit::kMeasure},
                                       {FactName::kSlopeAfter, after.slope, FactUnit::kMeasure},
                                       {FactName::kF, cp.f, FactUnit::kCoefficient},
                                       {FactName::kPValue, cp.p_value, FactUnit::kPValue}});
      if (turned) in.facts.push_back({FactName::kTurned, 1, FactUnit::kCount});
      if (cp.before_mean > 0 && cp.after_mean >= 0) {
        in.facts.push_back({FactName::kChangePct,
                            (cp.after_mean - cp.before_mean) / cp.before_mean * 100,
                            FactUnit::kPercent});
      }
      in.evidence.marker = static_cast<double>(s.starts[at]);
      // The two levels drawn on the chart, when the shift splits the whole series.
      if (!turned && from == 0 && to == n) {
        in.evidence.fit.clear();
        for (size_t i = 0; i < n; ++i) {
          in.evidence.fit.push_back(i < at ? cp.before_mean : cp.after_mean);
        }
      }
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
        if (std::fabs(z) >= 5 && relative >= 0.2 && !LikeItsSeason(s, worst)) {
          Insight in = base(InsightType::kOutlier);
          in.direction = z > 0 ? Direction::kUp : Direction::kDown;
          in.method =
              "robust z-score (median absolute deviation) against the median of the "
              "neighbouring values, Bonferroni-adjusted";
          in.p_value = std::min(1.0, TwoSidedNormalP(z) * static_cast<double>(n));
          in.strength = std::min(1.0, std::fabs(z) / 10);
          in.value = s.values[worst];
          in.facts.insert(in.facts.end(),
                          {time_fact(FactName::kAt, s.starts[worst]),
                           {FactName::kActual, s.values[worst], FactUnit::kMeasure},
                           {FactName::kExpected, expected[worst], FactUnit::kMeasure},
                           {FactName::kZ, z, FactUnit::kCoefficient},
                           {FactName::kPValue, in.p_value, FactUnit::kPValue}});
          AddDeviation(s.values[worst], expected[worst], &in.facts);
          // A day far from its neighbours may be a holiday: the text says which.
          if (grain_ == TimeGrain::kDay) {
            const std::string_view holiday = HolidayOn(s.starts[worst]);
            if (!holiday.empty()) {
              in.facts.push_back(
                  {FactName::kHoliday, NAN, FactUnit::kCount, grain_, std::string(holiday)});
            }
          }
          in.evidence.highlight.push_back(static_cast<int>(worst));
          Add(std::move(in));
        }
      }
    }
    return true;
  }

  // A level's series at the story's grain from its finer cells: the total at each time the data
  // has, averaged over the times in each bucket (BuildSeries would add them up).
  void AverageLevels(const std::vector<TimeCell>& cells, const MeasureRef& m, Series* s) const {
    const Series fine = BuildSeries(cells, cube_.grain, m);
    std::map<int64_t, std::pair<double, int64_t>> by_bucket;  // sum and count of fine totals
    for (size_t i = 0; i < fine.starts.size(); ++i) {
      auto& [sum, count] = by_bucket[TruncateTime(fine.starts[i], grain_)];
      sum += fine.values[i];
      ++count;
    }
    for (size_t i = 0; i < s->starts.size(); ++i) {
      auto it = by_bucket.find(s->starts[i]);
      if (it != by_bucket.end() && it->second.second > 0) {
        s->values[i] = it->second.first / static_cast<double>(it->second.second);
      }
    }
  }

  // The largest turn of a series' yearly levels (FindTurn), as a change point with its peak,
  // its low and, after a peak's fall, a record; charted by year. Returns whether one was added.
  template <typename MakeInsight>
  bool AddTurn(const Series& s, bool additive, const MakeInsight& base) {
    if (s.missing_buckets * 10 > static_cast<int64_t>(s.values.size())) return false;
    const std::vector<std::pair<int64_t, double>> years = WholeYears(s, additive);
    std::vector<double> levels;
    for (const auto& [start, v] : years) levels.push_back(v);
    const Turn turn = FindTurn(levels);
    if (!turn.found) return false;
    // The turn is a main feature of the series: over two years or more, from a low that is a
    // real level (a fall to near nothing, and a rise of thousands of percent from it, say
    // little), and across half the range of its levels, or a fall of 20% or more from a high
    // that a new high followed (a crash and its recovery). A wiggle of a long decline is none.
    const auto [lowest, highest] = std::minmax_element(levels.begin(), levels.end());
    const double mean =
        std::accumulate(levels.begin(), levels.end(), 0.0) / static_cast<double>(levels.size());
    const double from = levels[turn.extreme], to = levels[turn.reversal];
    const bool wide = std::fabs(to - from) >= 0.5 * (*highest - *lowest);
    const bool recovered_crash = turn.peak && turn.record > 0 && turn.move >= 0.2;
    if (turn.reversal - turn.extreme < 2 || std::min(from, to) < 0.2 * mean ||
        (!wide && !recovered_crash)) {
      return false;
    }
    Insight in = base(InsightType::kChangePoint);
    in.direction = turn.peak ? Direction::kDown : Direction::kUp;
    in.method = "the largest fall from a high (or rise from a low) of the yearly levels";
    in.strength = std::min(1.0, turn.move);
    in.value = turn.peak ? -turn.move : turn.move;
    auto year = [&](FactName name, size_t i) {
      return Fact{name, static_cast<double>(years[i].first), FactUnit::kTime, TimeGrain::kYear, ""};
    };
    const size_t high = turn.peak ? turn.extreme : turn.reversal;
    const size_t low = turn.peak ? turn.reversal : turn.extreme;
    in.facts.insert(in.facts.end(), {year(FactName::kPeakAt, high),
                                     {FactName::kPeakValue, levels[high], FactUnit::kMeasure},
                                     year(FactName::kTroughAt, low),
                                     {FactName::kTroughValue, levels[low], FactUnit::kMeasure},
                                     {turn.peak ? FactName::kFallPct : FactName::kRisePct,
                                      turn.move * 100, FactUnit::kPercent}});
    if (turn.record > 0) {
      in.facts.push_back(year(FactName::kRecordAt, turn.record));
      in.facts.push_back({FactName::kRecordValue, levels[turn.record], FactUnit::kMeasure});
    }
    // The chart: the yearly levels, the peak and the low marked.
    Evidence& e = in.evidence;
    e.x.clear();
    e.y.clear();
    e.fit.clear();
    e.grain = TimeGrain::kYear;
    for (const auto& [start, v] : years) {
      e.x.push_back(static_cast<double>(start));
      e.y.push_back(v);
    }
    e.highlight = {static_cast<int>(high), static_cast<int>(low)};
    if (turn.record > 0) e.highlight.push_back(static_cast<int>(turn.record));
    Add(std::move(in));
    return true;
  }

  // A holiday on which the whole table's daily value is far from the same weekday in the weeks
  // around it (robust z of at least 5 and 20% away), when the story is told at a coarser grain
  // than days: a weekly or monthly series hides a Christmas that a daily one shows. The same
  // weekday is the reference, so the weekly cycle is not taken for a holiday. Only for a
  // measure at zero on at most 5% of the days.
  void DetectHolidayDay(const MeasureRef& m) {
    if (cube_.grain > TimeGrain::kDay) return;
    Series s = BuildSeries(whole_.cells, TimeGrain::kDay, m);
    const size_t n = s.values.size();
    if (n < 28) return;
    // Activity that happens every day (sales, orders, visits): few days at zero or below. A
    // measure mostly at zero with bursts (rain) has days far from the others on any date.
    const auto idle =
        std::count_if(s.values.begin(), s.values.end(), [](double v) { return v <= 0; });
    if (idle * 20 > static_cast<std::ptrdiff_t>(n)) return;
    std::map<int64_t, size_t> index_of;
    for (size_t i = 0; i < n; ++i) index_of[s.starts[i]] = i;
    // The same weekday before and after, each side on its own too: a day at a step of the
    // level (the first of a busy month) is far from one side only.
    std::vector<double> expected(n, NAN), before(n, NAN), after(n, NAN), residuals;
    for (size_t i = 0; i < n; ++i) {
      std::vector<double> earlier, later;
      for (int64_t weeks : {1, 2, 3}) {
        auto it = index_of.find(s.starts[i] - weeks * 7 * 86400);
        if (it != index_of.end()) earlier.push_back(s.values[it->second]);
        it = index_of.find(s.starts[i] + weeks * 7 * 86400);
        if (it != index_of.end()) later.push_back(s.values[it->second]);
      }
      if (earlier.size() + later.size() < 3) continue;
      std::vector<double> both = earlier;
      both.insert(both.end(), later.begin(), later.end());
      expected[i] = Median(both);
      if (!earlier.empty()) before[i] = Median(earlier);
      if (!later.empty()) after[i] = Median(later);
      residuals.push_back(s.values[i] - expected[i]);
    }
    if (residuals.size() < 14) return;
    const double med = Median(residuals);
    std::vector<double> deviations;
    for (double r : residuals) deviations.push_back(std::fabs(r - med));
    const double mad = Median(deviations);
    if (mad <= 0) return;
    size_t worst = n;
    double worst_z = 0;
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(expected[i]) || HolidayOn(s.starts[i]).empty()) continue;
      const double z = 0.6745 * (s.values[i] - expected[i] - med) / mad;
      // 20% away from the weeks before and from the weeks after, the same way.
      auto away = [&](double reference) {
        if (std::isnan(reference)) return true;
        const double relative = (s.values[i] - reference) / std::max(std::fabs(reference), 1e-12);
        return std::fabs(relative) >= 0.2 && (relative > 0) == (z > 0);
      };
      if (std::fabs(z) >= 5 && away(expected[i]) && away(before[i]) && away(after[i]) &&
          std::fabs(z) > std::fabs(worst_z)) {
        worst = i;
        worst_z = z;
      }
    }
    if (worst == n) return;
    Insight in;
    in.type = InsightType::kOutlier;
    if (m.index >= 0) in.columns.push_back(m.name);
    in.columns.push_back(time_name_);
    in.aggregation = std::string(AggregationName(m.aggregation));
    in.direction = worst_z > 0 ? Direction::kUp : Direction::kDown;
    in.method =
        "robust z-score (median absolute deviation) of a holiday against the same weekday in "
        "the three weeks on each side, Bonferroni-adjusted over the days";
    in.p_value = std::min(1.0, TwoSidedNormalP(worst_z) * static_cast<double>(n));
    in.strength = std::min(1.0, std::fabs(worst_z) / 10);
    in.value = s.values[worst];
    in.caveats = s.caveats;
    in.facts = {
        {FactName::kAt, static_cast<double>(s.starts[worst]), FactUnit::kTime, TimeGrain::kDay, ""},
        {FactName::kActual, s.values[worst], FactUnit::kMeasure},
        {FactName::kExpected, expected[worst], FactUnit::kMeasure},
        {FactName::kZ, worst_z, FactUnit::kCoefficient},
        {FactName::kPValue, in.p_value, FactUnit::kPValue},
        {FactName::kHoliday, NAN, FactUnit::kCount, TimeGrain::kDay,
         std::string(HolidayOn(s.starts[worst]))},
        {FactName::kSameWeekday, 1, FactUnit::kCount}};
    AddDeviation(s.values[worst], expected[worst], &in.facts);
    in.facts.insert(in.facts.end(), s.caveat_facts.begin(), s.caveat_facts.end());
    Evidence& e = in.evidence;
    e.shape = Evidence::Shape::kSeries;
    e.grain = TimeGrain::kDay;
    e.x_title = time_name_;
    e.y_title = SeriesTitle(m);
    for (size_t i = 0; i < n; ++i) {
      e.x.push_back(static_cast<double>(s.starts[i]));
      e.y.push_back(s.values[i]);
    }
    e.highlight = {static_cast<int>(worst)};
    Add(std::move(in));
  }

  // How much a series jumps from one value to the next, relative to its size: the mean squared
  // step over the mean square. 0 for a constant series.
  static double Roughness(const std::vector<double>& v) {
    double steps = 0, squares = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      squares += v[i] * v[i];
      if (i > 0) steps += (v[i] - v[i - 1]) * (v[i] - v[i - 1]);
    }
    if (v.size() < 2 || squares == 0) return 0;
    return (steps / static_cast<double>(v.size() - 1)) / (squares / static_cast<double>(v.size()));
  }

  // Whether a month's (or quarter's, or day's) value is within 20% of the median of the same
  // month in the series' other years (the same weekday in its other weeks), two or more of
  // them: every December high, or every Friday's, is the season, not a spike.
  bool LikeItsSeason(const Series& s, size_t i) const {
    if (grain_ != TimeGrain::kMonth && grain_ != TimeGrain::kQuarter && grain_ != TimeGrain::kDay) {
      return false;
    }
    const size_t place = CalendarPosition(s.starts[i], grain_);
    std::vector<double> same;
    for (size_t j = 0; j < s.values.size(); ++j) {
      if (j != i && CalendarPosition(s.starts[j], grain_) == place) same.push_back(s.values[j]);
    }
    if (same.size() < 2) return false;
    const double season = Median(same);
    return std::fabs(s.values[i] - season) < 0.2 * std::fabs(season);
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
      // The totals of months and quarters are compared per day when they follow the length of
      // the month (sales, births: February is short, not low), which shows as a smoother
      // series per day than as it is.
      bool per_day = false;
      if ((c.grain == TimeGrain::kMonth || c.grain == TimeGrain::kQuarter) &&
          m.aggregation != Aggregation::kMean) {
        std::vector<double> daily(s.values.size());
        for (size_t i = 0; i < s.values.size(); ++i) {
          daily[i] = s.values[i] /
                     (static_cast<double>(NextBucket(s.starts[i], c.grain) - s.starts[i]) / 86400);
        }
        if (Roughness(daily) < Roughness(s.values)) {
          s.values = std::move(daily);
          per_day = true;
        }
      }
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
      auto position = [&](int64_t t) { return CalendarPosition(t, c.grain); };
      for (size_t i = from; i < s.values.size(); ++i) {
        sum[position(s.starts[i])] += s.values[i];
        count[position(s.starts[i])] += 1;
      }
      // A total by weekday (or hour) is over every such day of the period, a day without rows
      // counting as none: the period's count of Mondays, not the Mondays that had rows.
      if ((c.grain == TimeGrain::kDay || c.grain == TimeGrain::kHour) &&
          m.aggregation != Aggregation::kMean && !per_day) {
        std::fill(count.begin(), count.end(), 0);
        for (int64_t t = s.starts[from]; t <= s.starts.back(); t = NextBucket(t, c.grain)) {
          count[position(t)] += 1;
        }
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
      in.evidence.y_title =
          SeriesTitle(m) + (per_day ? " per day" : "") + " (mean per " + in.evidence.x_title + ")";
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
      in.facts = {{FactName::kPeriod, static_cast<double>(c.period), FactUnit::kCount},
                  {FactName::kCycle, NAN, FactUnit::kCount, c.grain, c.cycle},
                  {FactName::kPeak, NAN, FactUnit::kCount, c.grain, in.evidence.labels[peak]},
                  {FactName::kTrough, NAN, FactUnit::kCount, c.grain, in.evidence.labels[trough]},
                  {FactName::kPeakValue, in.evidence.y[peak], FactUnit::kMeasure},
                  {FactName::kTroughValue, in.evidence.y[trough], FactUnit::kMeasure},
                  {FactName::kAutocorrelation, r, FactUnit::kCoefficient},
                  {FactName::kPerDay, per_day ? 1.0 : 0.0, FactUnit::kCount},
                  {FactName::kPValue, in.p_value, FactUnit::kPValue}};
      in.facts.insert(in.facts.end(), caveat_facts.begin(), caveat_facts.end());
      for (auto& [index, trend] : trend_of_) {
        (void)index;
        TrendStatistic& t = report_.trends[trend];
        if (t.measure == m.name && t.category.empty()) t.seasonal_period = c.period;
      }
      Add(std::move(in));
    }
  }
};

}  // namespace

void DetectTimeInsights(const InsightContext& context, InsightDraft* draft) {
  TimeFamily(context, draft).Run();
}

}  // namespace datastory::analysis::detect
