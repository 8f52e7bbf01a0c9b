// The outcome family: for each outcome of the table (a yes/no column named for what happened to
// each row: churn, attrition, survived), how often it happened, the groups where it happens
// most and least (with the lift and a chi-square test), and the measures that differ between
// the rows where it happened and the others (Welch's t test, Cohen's d). Every number comes
// from the cube's exact counts and moments, never from the row sample.
#include <algorithm>
#include <cmath>

#include "analysis/association.h"
#include "analysis/insight_detectors.h"

namespace datastory::analysis::detect {
namespace {

// A group's rate needs this many rows with an answer to be compared: 3 of 5 is an anecdote.
constexpr int64_t kMinGroupRows = 10;
// Cramér's V (here √(χ²/n), a 2 × k table) from which a dimension goes with the outcome:
// Cohen's "small" effect for a contingency table.
constexpr double kMinOutcomeAssociation = 0.1;
// |Cohen's d| from which a measure differs between the two outcomes: Cohen's "small" effect.
constexpr double kMinMeanDifference = 0.2;
// The z of a 95% interval.
constexpr double kZ95 = 1.959963984540054;

// Wilson's score interval for a rate of `k` in `n` at 95%: it stays within 0–1 and is right for
// rare outcomes, where the normal approximation is not.
std::pair<double, double> WilsonInterval(double k, double n) {
  const double p = k / n, z2 = kZ95 * kZ95;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = kZ95 * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

class OutcomeFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    for (const OutcomeRef& outcome : outcomes_) {
      RateFact(outcome);
      for (const DimensionCube& dim : cube_.dimensions) {
        const int d = DimensionIndex(dim);
        if (dim.dropped || dimension_alias_[d] || dimension_outcome_[d]) continue;
        ByGroupFact(outcome, dim);
      }
      for (const MeasureRef& m : measures_) {
        if (!m.alias) DifferenceFact(outcome, m);
      }
    }
  }

 private:
  double Rate(const OutcomeRef& o) const {
    return static_cast<double>(o.positives) / static_cast<double>(o.answered);
  }

  // How often it happened: descriptive, and the headline of the table.
  void RateFact(const OutcomeRef& o) {
    const double rate = Rate(o);
    const auto [low, high] =
        WilsonInterval(static_cast<double>(o.positives), static_cast<double>(o.answered));
    Insight in;
    in.type = InsightType::kOutcomeRate;
    in.columns = {o.measure.name};
    in.aggregation = "count";
    in.method = "share of rows with an answer; Wilson score interval at 95%";
    in.value = rate;
    in.strength = 1;  // the outcome is what the table is about
    in.facts = {{FactName::kRate, rate, FactUnit::kShare},
                {FactName::kPositives, static_cast<double>(o.positives), FactUnit::kCount},
                {FactName::kAnswered, static_cast<double>(o.answered), FactUnit::kCount},
                {FactName::kConfidence, 0.95, FactUnit::kShare},
                {FactName::kRateLow, low, FactUnit::kShare},
                {FactName::kRateHigh, high, FactUnit::kShare},
                {FactName::kPositive, NAN, FactUnit::kCount, TimeGrain::kDay, o.positive},
                {FactName::kNegative, NAN, FactUnit::kCount, TimeGrain::kDay, o.negative}};
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = o.measure.name;
    in.evidence.y_title = "rows";
    in.evidence.labels = {o.positive, o.negative};
    in.evidence.y = {static_cast<double>(o.positives),
                     static_cast<double>(o.answered - o.positives)};
    in.evidence.highlight = {0};
    Add(std::move(in));
  }

  // The rate in each group of `dim`: the groups with the highest and lowest rates, tested
  // together by the chi-square test of the 2 × k table of the groups with enough rows.
  void ByGroupFact(const OutcomeRef& o, const DimensionCube& dim) {
    struct Group {
      std::string label;
      double rate;
      int64_t rows;
    };
    std::vector<Group> groups;
    std::vector<std::vector<double>> table(2);
    int64_t tested_rows = 0;
    const std::string& total = total_category_[DimensionIndex(dim)];
    for (const CategoryCell& c : dim.categories) {
      const Aggregate& a = c.measures[o.measure.index];
      if (a.n < kMinGroupRows || c.label == total) continue;
      groups.push_back({c.label, a.sum / static_cast<double>(a.n), a.n});
      table[0].push_back(a.sum);
      table[1].push_back(static_cast<double>(a.n) - a.sum);
      tested_rows += a.n;
    }
    if (groups.size() < 2) return;
    const CramersV test = CramersVTest(table);
    if (test.v < kMinOutcomeAssociation) {
      other_p_values_.push_back(test.p_value);  // tested, too weak to tell
      return;
    }
    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
      return a.rate != b.rate ? a.rate > b.rate : a.label < b.label;
    });
    const Group& top = groups.front();
    const Group& bottom = groups.back();
    const double rate = Rate(o);
    Insight in;
    in.type = InsightType::kOutcomeByGroup;
    in.columns = {o.measure.name, Name(dim.column)};
    in.aggregation = "mean";
    in.direction = Direction::kUp;
    in.method = "rate by group; chi-square test of independence, Cramér's V";
    in.p_value = test.p_value;
    in.strength = std::min(1.0, 2 * test.v);
    in.impact = static_cast<double>(tested_rows) / static_cast<double>(o.answered);
    in.value = top.rate;
    in.facts = {{FactName::kHighest, NAN, FactUnit::kCount, TimeGrain::kDay, top.label},
                {FactName::kHighestRate, top.rate, FactUnit::kShare},
                {FactName::kHighestRows, static_cast<double>(top.rows), FactUnit::kCount},
                {FactName::kLowest, NAN, FactUnit::kCount, TimeGrain::kDay, bottom.label},
                {FactName::kLowestRate, bottom.rate, FactUnit::kShare},
                {FactName::kLowestRows, static_cast<double>(bottom.rows), FactUnit::kCount},
                {FactName::kRate, rate, FactUnit::kShare},
                {FactName::kGroups, static_cast<double>(groups.size()), FactUnit::kCount},
                {FactName::kCramersV, test.v, FactUnit::kCoefficient},
                {FactName::kN, static_cast<double>(test.n), FactUnit::kCount},
                {FactName::kPValue, test.p_value, FactUnit::kPValue}};
    if (rate > 0) in.facts.push_back({FactName::kLift, top.rate / rate, FactUnit::kRatio});
    if (bottom.rate > 0)
      in.facts.push_back({FactName::kRatio, top.rate / bottom.rate, FactUnit::kRatio});
    // The chart: each group's rate in percent, most first.
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = Name(dim.column);
    in.evidence.y_title = o.measure.name + " rate";  // in percent
    for (size_t i = 0; i < groups.size() && static_cast<int>(i) < options_.max_bars; ++i) {
      in.evidence.labels.push_back(groups[i].label);
      in.evidence.y.push_back(groups[i].rate * 100);
    }
    in.evidence.highlight = {0};
    Add(std::move(in));
  }

  // A measure's mean where the outcome happened against where it did not.
  void DifferenceFact(const OutcomeRef& o, const MeasureRef& m) {
    const DimensionCube& dim = cube_.dimensions[o.dimension];
    const Aggregate* yes = nullptr;
    const Aggregate* no = nullptr;
    for (const CategoryCell& c : dim.categories) {
      if (c.label == o.positive) yes = &c.measures[m.index];
      if (c.label == o.negative) no = &c.measures[m.index];
    }
    if (!yes || !no || yes->n < kMinGroupRows || no->n < kMinGroupRows) return;
    const MeanDifference test = WelchTest(MomentsOf(*yes), MomentsOf(*no));
    if (std::fabs(test.cohens_d) < kMinMeanDifference) {
      other_p_values_.push_back(test.p_value);
      return;
    }
    Insight in;
    in.type = InsightType::kOutcomeDifference;
    in.columns = {m.name, o.measure.name};
    in.aggregation = "mean";
    in.direction = test.difference > 0 ? Direction::kUp : Direction::kDown;
    in.method = "Welch's t test of the means; Cohen's d";
    in.p_value = test.p_value;
    in.strength = std::min(1.0, std::fabs(test.cohens_d));
    in.value = test.difference;
    in.facts = {{FactName::kPositiveMean, yes->mean, FactUnit::kMeasure},
                {FactName::kNegativeMean, no->mean, FactUnit::kMeasure},
                {FactName::kPositiveRows, static_cast<double>(yes->n), FactUnit::kCount},
                {FactName::kNegativeRows, static_cast<double>(no->n), FactUnit::kCount},
                {FactName::kPositive, NAN, FactUnit::kCount, TimeGrain::kDay, o.positive},
                {FactName::kNegative, NAN, FactUnit::kCount, TimeGrain::kDay, o.negative},
                {FactName::kCohensD, test.cohens_d, FactUnit::kCoefficient},
                {FactName::kPValue, test.p_value, FactUnit::kPValue}};
    // Relative to the others' mean, when both are of one sign (a change from -2 to 3 is not
    // a percentage).
    if (no->mean != 0 && (yes->mean > 0) == (no->mean > 0)) {
      in.facts.push_back({FactName::kDifferencePct,
                          (yes->mean - no->mean) / std::fabs(no->mean) * 100, FactUnit::kPercent});
    }
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = o.measure.name;
    in.evidence.y_title = "average " + m.name;
    in.evidence.labels = {o.positive, o.negative};
    in.evidence.y = {yes->mean, no->mean};
    in.evidence.highlight = {0};
    Add(std::move(in));
  }
};

}  // namespace

void DetectOutcomeInsights(const InsightContext& context, InsightDraft* draft) {
  OutcomeFamily(context, draft).Run();
}

}  // namespace datastory::analysis::detect
