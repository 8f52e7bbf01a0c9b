// The insight detectors' shared parts, inside the analysis module: the context every detector
// family reads (built once from the profile, then never changed) and the draft the families add
// their candidates to. Each family has its own file: insight_time.cc (trends, change points,
// outliers, cycles), insight_segments.cc (groups), insight_correlations.cc (pairs of columns),
// insight_quality.cc (distributions and data quality), insight_outcomes.cc (an outcome's rate
// and what goes with it), insight_money.cc (losses and margins). insight.cc builds the context,
// runs the families, adds the caveats, tests and ranks. docs/insights.md describes the whole.
#ifndef DATASTORY_ANALYSIS_INSIGHT_DETECTORS_H_
#define DATASTORY_ANALYSIS_INSIGHT_DETECTORS_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/cube.h"
#include "analysis/insight.h"
#include "analysis/moments.h"
#include "analysis/profile.h"

namespace datastory::analysis::detect {

// How a measure is totalled over a group or a period. kValue: one row per group, so the
// group's value is the row's.
enum class Aggregation { kSum, kMean, kCount, kValue };
std::string_view AggregationName(Aggregation a);

// A measure of the cube, with what the detectors need to know about it.
struct MeasureRef {
  int index = -1;  // in the cube's measures; -1 = row counts
  std::string name;
  Aggregation aggregation = Aggregation::kCount;
  const ColumnProfile* profile = nullptr;
  bool alias = false;  // in lockstep with an earlier measure
  // A rate weighted by its base (CubePlan::weighted_rates): the cell position of its sum of
  // rate × base, followed by the base's sum; -1 when the rate is a plain mean.
  int weighted = -1;
  std::string base;  // the base's name
};

// A group's average of a measure from its cell's aggregates: Σ rate × base / Σ base for a
// weighted rate, else the mean. NaN when the group has no value (or no base).
inline double GroupMean(const std::vector<Aggregate>& cell, const MeasureRef& m) {
  if (m.weighted < 0) return cell[m.index].mean;
  const double base = cell[m.weighted + 1].sum;
  return base > 0 ? cell[m.weighted].sum / base : NAN;
}

// An outcome of the table (CubePlan::outcomes): a yes/no column named for what happened to each
// row. It is a dimension of the cube, and a measure of 1s and 0s whose mean in a group is the
// group's rate.
struct OutcomeRef {
  MeasureRef measure;
  int dimension = -1;              // its position among the cube's dimensions
  std::string positive, negative;  // the labels of yes and no
  int64_t positives = 0, answered = 0;
};

// A measure (or the row count) by time bucket.
struct Series {
  TimeGrain grain = TimeGrain::kMonth;
  std::vector<int64_t> starts;
  std::vector<double> positions;  // bucket ordinals from the first (gaps leave holes)
  std::vector<double> values;
  int64_t missing_buckets = 0;  // buckets between the first and last with no value
  std::vector<std::string> caveats;
  std::vector<Fact> caveat_facts;  // the numbers the caveats cite
};

// The measure (or row count) of `cells` by `grain`. Sums and counts leave out a first or last
// bucket that the data covers for less than half of its length (a partial month would look
// like a fall).
Series BuildSeries(const std::vector<TimeCell>& cells, TimeGrain grain, const MeasureRef& measure);

struct LineFit {
  double slope = 0, intercept = 0;
};
LineFit TheilSenFit(const std::vector<double>& x, const std::vector<double>& y);
LineFit LeastSquares(const std::vector<double>& x, const std::vector<double>& y);

// A group's aggregate as Moments (count, mean, squared deviations) for the tests that take them.
inline Moments MomentsOf(const Aggregate& a) {
  Moments m;
  m.n = a.n;
  m.mean = a.mean;
  m.m2 = a.m2;
  return m;
}

double Median(std::vector<double> v);
double TwoSidedNormalP(double z);

inline constexpr std::array<const char*, 12> kMonthNames = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
inline constexpr std::array<const char*, 7> kWeekdayNames = {"Mon", "Tue", "Wed", "Thu",
                                                             "Fri", "Sat", "Sun"};

// What every detector reads.
struct InsightContext {
  const Profile* profile = nullptr;
  const InsightOptions* options = nullptr;
  std::vector<MeasureRef> measures;     // the measures with values, in the cube's order
  std::vector<OutcomeRef> outcomes;     // not among the measures, nor compared as groups
  std::vector<bool> dimension_outcome;  // per dimension: an outcome's
  // The row sample's categories as codes, per dimension and sampled row (in order of first
  // appearance; -1 when missing), and each dimension's labels by code: pairs of dimensions are
  // compared on integers, not on strings.
  std::vector<std::vector<int>> sample_codes;
  std::vector<std::vector<std::string>> sample_labels;
  std::vector<std::string> total_category;  // per dimension: a category of totals, or empty
  std::vector<bool> dimension_alias;        // per dimension: one to one with an earlier one
  // The time axis: set when the table has a time column with valid dates.
  bool has_time = false;
  std::string time_name;
  std::string time_caveat;  // rows without a valid time, when there are some
  TimeGrain grain = TimeGrain::kMonth;
  int long_dimension = -1;  // a dimension that names series (long format), or -1
  TimeSeriesCube whole;     // the whole table, without rows of totals
  std::string whole_caveat;
};

// The context of `profile`; what the table cannot support (no measure, no time) goes to
// `report`'s limitations, and the time axis to its time fields.
InsightContext BuildInsightContext(const Profile& profile, const InsightOptions& options,
                                   InsightReport* report);

// What the families produce: candidates, before testing and ranking, and the report's
// statistics (trends, associations, limitations).
struct InsightDraft {
  InsightReport report;
  std::vector<Insight> candidates;
  std::vector<std::pair<size_t, size_t>> trend_of;  // (candidate, its trend statistic)
  // The p-values of tests that were run but whose effect was too small to make a candidate:
  // they count in the false-discovery control as much as the candidates do (screening by
  // effect size first, then adjusting only the survivors, would let chance through).
  std::vector<double> other_p_values;
};

// A family's base: the context's parts under short names, read-only, and the draft to add to.
class DetectorFamily {
 public:
  DetectorFamily(const InsightContext& context, InsightDraft* draft);

 protected:
  const table::ColumnSchema& Column(int c) const { return profile_.columns[c].schema; }
  const std::string& Name(int c) const { return Column(c).name; }
  int DimensionIndex(const DimensionCube& dim) const {
    return static_cast<int>(&dim - cube_.dimensions.data());
  }
  double MeasureTotal(const MeasureRef& m) const;
  std::vector<std::pair<std::string, std::string>> SubspaceOf(const TimeSeriesCube& s) const;
  std::string SeriesTitle(const MeasureRef& m) const;
  size_t Add(Insight in);

  const Profile& profile_;
  const Cube& cube_;
  const InsightOptions& options_;
  const std::vector<MeasureRef>& measures_;
  const std::vector<std::string>& total_category_;
  const std::vector<bool>& dimension_alias_;
  const std::vector<OutcomeRef>& outcomes_;
  const std::vector<bool>& dimension_outcome_;
  const std::vector<std::vector<int>>& sample_codes_;
  const std::vector<std::vector<std::string>>& sample_labels_;
  const bool has_time_;
  const std::string& time_name_;
  const std::string& time_caveat_;
  const TimeGrain grain_;
  const int long_dimension_;
  const TimeSeriesCube& whole_;
  const std::string& whole_caveat_;
  InsightReport& report_;
  std::vector<Insight>& candidates_;
  std::vector<std::pair<size_t, size_t>>& trend_of_;
  std::vector<double>& other_p_values_;
};

// The families.
void DetectTimeInsights(const InsightContext& context, InsightDraft* draft);
void DetectSegmentInsights(const InsightContext& context, InsightDraft* draft);
void DetectCorrelationInsights(const InsightContext& context, InsightDraft* draft);
void DetectDistributionInsights(const InsightContext& context, InsightDraft* draft);
void DetectQualityInsights(const InsightContext& context, InsightDraft* draft);
void DetectOutcomeInsights(const InsightContext& context, InsightDraft* draft);
void DetectMoneyInsights(const InsightContext& context, InsightDraft* draft);

}  // namespace datastory::analysis::detect

#endif  // DATASTORY_ANALYSIS_INSIGHT_DETECTORS_H_
