// Insights: typed facts about a table, each with the numbers it rests on, a significance, an
// impact and a score, found by DetectInsights from a Profile built with its Cube.
//
// What is looked for (docs/insights.md has the formulas and thresholds):
//   trend, change_point, seasonality and outlier on each measure over time, for the whole table
//   and for each category of each small dimension (long-format data such as symbol,date,price is
//   read as one series per symbol); correlation between measures (Pearson on every row, Spearman
//   on the row sample), between a dimension and a measure (correlation ratio) and between two
//   dimensions (Cramér's V); top_contributor, majority, evenness and category outlier over each
//   dimension × measure; distribution shape; data_quality from the profile's alerts; and for
//   each outcome (a yes/no column named for what happened to each row: churn, attrition), its
//   rate, the groups where it is highest and lowest, and the measures that differ with it;
//   the loss-makers of a measure with both signs (profit), and the margin of a measure that is
//   a part of another (profit within sales), overall and by group.
//
// Every candidate that rests on a hypothesis test has a p-value; the p-values of all candidates
// of a table are adjusted together (Benjamini-Hochberg) and only those with q <= the false
// discovery rate are kept. score = significance × impact × strength × type weight.
#ifndef DATASTORY_ANALYSIS_INSIGHT_H_
#define DATASTORY_ANALYSIS_INSIGHT_H_

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis/profile.h"
#include "analysis/time_grain.h"

namespace datastory::analysis {

enum class InsightType {
  kTrend,
  kChangePoint,
  kSeasonality,
  kOutlier,
  kCorrelation,
  kTopContributor,
  kMajority,
  kEvenness,
  kDistribution,
  kDataQuality,
  kOutcomeRate,        // how often the table's outcome (churn) happens
  kOutcomeByGroup,     // the groups where it happens most and least
  kOutcomeDifference,  // a measure that differs between rows with and without it
  kLoss,               // the groups whose total of a measure with both signs is negative
  kMargin,             // a part of a measure as a share of it (profit within sales)
};
std::string_view InsightTypeName(InsightType type);  // "trend", "change_point", …

// Which way an insight points: a trend or a shift up or down, a correlation positive or
// negative, a skew to the right (up) or left (down), a group above or below the others.
enum class Direction { kNone, kUp, kDown, kFlat };
std::string_view DirectionName(Direction d);  // "", "up", "down", "flat"

// How a number is to be read (and written for people).
enum class FactUnit {
  kMeasure,      // in the unit of the insight's measure (its currency, percent or none)
  kCount,        // rows, buckets, categories
  kShare,        // a fraction 0–1 (written as a percentage)
  kPercent,      // already in percent (a change of 23.0 means +23%)
  kTime,         // seconds since the epoch, a bucket of Fact::grain
  kRatio,        // "2.4 times"
  kCoefficient,  // r, ρ, τ, η, V, skewness
  kPValue,
};

// What a fact is. The narratives ask for facts by these names, so a misspelt name fails to
// compile instead of printing "?" to a reader. What each means, per insight type, is in
// docs/insights.md; FactKey gives the name the story JSON carries ("changePct").
enum class FactName : uint8_t {
  kActual,
  kAfter,
  kAlert,
  kAnswered,
  kAt,
  kAutocorrelation,
  kBefore,
  kBuckets,
  kCategories,
  kCategory,
  kCategoryValue,
  kChangePct,
  kChangesP,
  kChangesR,
  kCohensD,
  kConfidence,
  kCount,
  kCramersV,
  kCv,
  kCvThreshold,
  kCycle,
  kCycleLength,
  kDeviationPct,
  kDifferencePct,
  kDuplicateRows,
  kEnd,
  kErased,
  kEta,
  kExpected,
  kF,
  kFallPct,
  kFirst,
  kFitChangePct,
  kFitEnd,
  kFitStart,
  kGains,
  kGroups,
  kHighest,
  kHighestMargin,
  kHighestMean,
  kHighestRate,
  kHighestRows,
  kHoliday,
  kIdentity,
  kKurtosis,
  kLargest,
  kLargestShare,
  kLast,
  kLastPeak,
  kLift,
  kLoser1,
  kLoser1Total,
  kLoser2,
  kLoser2Total,
  kLoser3,
  kLoser3Total,
  kLoss,
  kLossGroups,
  kLowest,
  kLowestMargin,
  kLowestMean,
  kLowestRate,
  kLowestRows,
  kMargin,
  kMax,
  kMean,
  kMedian,
  kMissingBuckets,
  kMissingShare,
  kN,
  kNegative,
  kNegativeMean,
  kNegativeRows,
  kOthersMean,
  kP95,
  kPartialFirst,
  kPartialLast,
  kPartTotal,
  kPeak,
  kPeakAt,
  kPeakValue,
  kPerDay,
  kPeriod,
  kPositive,
  kPositiveMean,
  kPositiveRows,
  kPositives,
  kPValue,
  kR,
  kRate,
  kRateHigh,
  kRateLow,
  kRatio,
  kRecordAt,
  kRecordValue,
  kReturned,
  kRisePct,
  kRowShare,
  kRowsWithoutTime,
  kRSquared,
  kRunnerUp,
  kRunnerUpValue,
  kSameWeekday,
  kSampleRows,
  kShare,
  kSkewness,
  kSlope,
  kSlopeAfter,
  kSlopeBefore,
  kSmallest,
  kSmallestShare,
  kSpearman,
  kStart,
  kTau,
  kThreshold,
  kTrough,
  kTroughAt,
  kTroughValue,
  kTurned,
  kWholeTotal,
  kZ,
};

// A number an insight rests on. Narratives cite facts only, so every number a reader sees
// traces to one of these. A fact may instead carry a label (a category, a season position).
struct Fact {
  FactName name = FactName::kN;
  double value = NAN;
  FactUnit unit = FactUnit::kMeasure;
  TimeGrain grain = TimeGrain::kDay;  // for kTime
  std::string label;                  // for facts that name something instead
  std::string column;                 // kMissingShare: the column whose values are missing
};
// The fact's name in the story JSON: "changePct", "loser1Total", "missingShare:price".
std::string FactKey(const Fact& fact);

struct Insight;
// Whether a correlation between two series is only that both trend: tested on their changes
// from one period to the next (the facts changesR and changesP), the link does not pass at
// `false_discovery_rate`, or turns sign. False when the changes were not tested.
bool OnlyTrendsTogether(const Insight& in, double false_discovery_rate = 0.05);

// The data of the chart that shows an insight, aggregated and bounded in size.
struct Evidence {
  enum class Shape { kNone, kSeries, kBars, kStack, kHistogram, kScatter };
  Shape shape = Shape::kNone;
  std::string x_title, y_title;
  TimeGrain grain = TimeGrain::kDay;
  // kSeries: bucket starts and values (fit: the trend line at each x). kBars: labels and values.
  // kHistogram: x = bin edges (bins + 1), y = counts. kScatter: points (fit: slope, intercept).
  // kStack: labels = rows, stack = parts, y = shares row-major (rows × parts).
  std::vector<double> x, y, fit;
  std::vector<std::string> labels, stack;
  std::vector<int> highlight;    // indices into x (series) or labels (bars)
  std::optional<double> marker;  // a time to mark with a rule (change points)
};

struct Insight {
  std::string id;  // "i1", "i2" … in rank order
  InsightType type = InsightType::kTrend;
  std::vector<std::string> columns;                           // the measure first
  std::vector<std::pair<std::string, std::string>> subspace;  // (dimension, category) filters
  Direction direction = Direction::kNone;
  double value = 0;         // the headline number (see docs/insights.md per type)
  std::string aggregation;  // how the measure was aggregated: "sum", "mean" or "count" (rows)
  std::string method;       // the test or rule, for technical readers
  double p_value = NAN;     // NaN for descriptive facts (no test)
  double q_value = NAN;     // Benjamini-Hochberg adjusted
  double significance = 1;  // 1 - q, or 1 for descriptive facts
  double impact = 1;        // share of the data the insight is about, 0–1
  double strength = 0;      // effect size mapped to 0–1
  double score = 0;
  std::vector<Fact> facts;
  std::vector<std::string> caveats;  // data problems that may explain or weaken it
  Evidence evidence;

  // The fact called `name`, or nullptr.
  const Fact* FindFact(FactName name) const;
};

struct TrendStatistic {
  std::string measure, time, aggregation;
  std::string category;  // the series' subspace, "dimension = category", or empty
  TimeGrain grain = TimeGrain::kMonth;
  Direction direction = Direction::kFlat;  // kUp, kDown or kFlat
  std::optional<double> change_pct;
  double slope = 0;  // per bucket, Theil-Sen
  double p_value = 1;
  int buckets = 0;
  int seasonal_period = 0;  // 0 = none found
};

// A measure the detectors analysed, and how it adds up over rows.
struct MeasureStatistic {
  std::string name;
  std::string aggregation;  // "sum" (sales: a total means something) or "mean" (a price, a rate)
  double total = 0;         // the sum of its values
  int64_t count = 0;        // its values
  // A level at a point in time (population, a balance, inventory) in a table with a time axis:
  // its values add up across groups at one time, but their total over time means nothing.
  bool stock = false;
};

// An outcome of the table: a yes/no column named for what happened to each row (churn,
// attrition, survived), and how often it happened.
struct OutcomeStatistic {
  std::string name;
  std::string positive, negative;  // the labels of yes and no ("1"/"0", "true"/"false")
  double rate = 0;                 // positives / answered
  int64_t positives = 0;
  int64_t answered = 0;  // rows with a value
};

struct AssociationStatistic {
  std::string a, b;
  std::string method;  // "pearson", "spearman", "correlation_ratio", "cramers_v"
  double value = 0;
  int64_t n = 0;
  double p_value = 1;
  bool sampled = false;  // computed on the row sample
};

struct InsightOptions {
  double false_discovery_rate = 0.05;
  int max_bars = 12;             // categories drawn before the rest are folded
  int max_scatter_points = 400;  // points of a scatter plot, from the row sample
  int max_buckets = 150;         // the finest time grain with at most this many buckets is used
};

struct InsightReport {
  static constexpr int kMinTrendBuckets = 4;  // time buckets a trend needs

  std::vector<Insight> insights;           // the kept ones, best first
  std::vector<MeasureStatistic> measures;  // in the table's order
  std::vector<OutcomeStatistic> outcomes;  // in the table's order
  std::vector<TrendStatistic> trends;
  std::vector<AssociationStatistic> associations;
  std::vector<std::string> limitations;  // what could not be looked for, and why
  // How columns are defined by each other ("revenue = unit_price × units, row by row"):
  // structure, for technical readers, never a finding.
  std::vector<std::string> structure;
  // The time axis, when there is one: its column, the grain chosen and the first and last
  // bucket starts of the whole table's series.
  std::string time_column;
  TimeGrain grain = TimeGrain::kMonth;
  std::optional<int64_t> time_start, time_end;
  int tests = 0;     // hypothesis tests run, adjusted together
  int rejected = 0;  // candidates dropped by the false-discovery control
};

// Finds the insights of a profile built with ProfileOptions::build_cube. Deterministic: the
// same profile gives the same report.
InsightReport DetectInsights(const Profile& profile, const InsightOptions& options);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_INSIGHT_H_
