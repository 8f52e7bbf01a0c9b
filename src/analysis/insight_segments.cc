// The segment family: for each dimension and measure (and the row counts), an outstanding
// No. 1, a majority, an even spread, the spread between groups (correlation ratio with its F
// test).
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

namespace datastory::analysis::detect {
namespace {

class SegmentFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    if (cube_.plan.dimensions.empty()) {
      report_.limitations.push_back("No categorical column was found, so no groups were compared.");
      return;
    }
    for (const DimensionCube& dim : cube_.dimensions) {
      if (dim.dropped || dim.categories.size() < 2) continue;
      if (dimension_alias_[DimensionIndex(dim)]) continue;
      // An outcome's groups are its rate (insight_outcomes.cc): "rows with churn = false
      // account for 82% of charges" is never the finding.
      if (dimension_outcome_[DimensionIndex(dim)]) continue;
      // Row counts per category, then each measure.
      SegmentFacts(dim, {-1, "rows", Aggregation::kCount, nullptr});
      for (const MeasureRef& m : measures_) {
        if (m.alias) continue;
        SegmentFacts(dim, m);
        CorrelationRatioFact(dim, m);
      }
    }
  }

 private:
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
      int64_t rows;
    };
    std::vector<Value> values;
    double total = 0;
    int64_t total_rows = 0;
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
        v = m.aggregation == Aggregation::kMean ? GroupMean(c.measures, m) : a.sum;
        if (std::isnan(v)) continue;
      }
      values.push_back({c.label, v, c.rows});
      total += v;
      total_rows += c.rows;
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
      in.facts.push_back(
          {FactName::kCategory, NAN, FactUnit::kCount, TimeGrain::kDay, values[i].label});
      in.facts.push_back({FactName::kCategoryValue, values[i].value,
                          m.index < 0 ? FactUnit::kCount : FactUnit::kMeasure});
      if (additive && total > 0) {
        in.facts.push_back({FactName::kShare, values[i].value / total, FactUnit::kShare});
      }
      in.facts.push_back({FactName::kCategories, static_cast<double>(k), FactUnit::kCount});
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
        in.facts.push_back(
            {FactName::kRunnerUp, NAN, FactUnit::kCount, TimeGrain::kDay, values[1].label});
        in.facts.push_back({FactName::kRunnerUpValue, values[1].value,
                            m.index < 0 ? FactUnit::kCount : FactUnit::kMeasure});
        in.facts.push_back({FactName::kRatio, ratio, FactUnit::kRatio});
        in.facts.push_back({FactName::kPValue, in.p_value, FactUnit::kPValue});
        in.evidence = bars({0});
        Add(std::move(in));
        top_found = true;
      }
    }

    // Majority: one category holds at least 60% of the total.
    // Only over parts of one sign: a share of a total that has losses in it is no share.
    const bool no_losses = values.back().value >= 0 && total > 0;
    if (additive && no_losses && values[0].value / total >= 0.6 && values[0].value < total) {
      Insight in = base(InsightType::kMajority);
      in.method = "largest share of the total >= 60%";
      in.facts.push_back({FactName::kThreshold, 0.6, FactUnit::kShare});
      // Its share of the rows: a share of a total that is only the share of the rows says
      // nothing about the category (story::IsTrivia).
      if (m.index >= 0 && total_rows > 0) {
        in.facts.push_back({FactName::kRowShare,
                            static_cast<double>(values[0].rows) / static_cast<double>(total_rows),
                            FactUnit::kShare});
      }
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
    if (additive && no_losses && k >= 3) {
      Moments mv;
      for (const Value& v : values) mv.AddBatch(&v.value, 1);
      double mean = mv.mean;
      double cv = mean > 0 ? std::sqrt(mv.m2 / static_cast<double>(k)) / mean : INFINITY;
      if (cv < 0.15) {
        Insight in = base(InsightType::kEvenness);
        in.method = "coefficient of variation across categories < 0.15";
        in.strength = 1 - cv / 0.15;
        in.value = cv;
        in.facts = {
            {FactName::kCategories, static_cast<double>(k), FactUnit::kCount},
            {FactName::kCv, cv, FactUnit::kCoefficient},
            {FactName::kCvThreshold, 0.15, FactUnit::kCoefficient},
            {FactName::kSmallestShare, values.back().value / total, FactUnit::kShare},
            {FactName::kLargestShare, values.front().value / total, FactUnit::kShare},
            {FactName::kSmallest, NAN, FactUnit::kCount, TimeGrain::kDay, values.back().label},
            {FactName::kLargest, NAN, FactUnit::kCount, TimeGrain::kDay, values.front().label}};
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
          in.direction = z > 0 ? Direction::kUp : Direction::kDown;
          in.method =
              "outside the IQR fences; z-score against the other categories, "
              "Bonferroni-adjusted";
          in.p_value = std::min(1.0, TwoSidedNormalP(z) * static_cast<double>(k));
          in.strength = std::min(1.0, std::fabs(z) / 10);
          in.value = values[worst].value;
          share_facts(in, worst);
          in.facts.push_back({FactName::kOthersMean, others.mean,
                              m.index < 0 ? FactUnit::kCount : FactUnit::kMeasure});
          in.facts.push_back({FactName::kZ, z, FactUnit::kCoefficient});
          in.facts.push_back({FactName::kPValue, in.p_value, FactUnit::kPValue});
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
      groups.push_back(MomentsOf(a));
      const double mean = GroupMean(c.measures, m);
      if (!std::isnan(mean)) means.push_back({c.label, mean, a.n});
    }
    if (groups.size() < 2 || means.size() < 2) return;
    CorrelationRatio eta = CorrelationRatioTest(groups);
    const bool lookup = eta.eta > 0.95;  // the category all but fixes the value (a price list)
    int64_t n = 0;
    for (const Moments& g : groups) n += g.n;
    report_.associations.push_back(
        {m.name, Name(dim.column), "correlation_ratio", eta.eta, n, eta.p_value, false});
    if (eta.eta < 0.3) {
      other_p_values_.push_back(eta.p_value);  // tested, too weak to tell
      return;
    }
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
    in.facts = {{FactName::kEta, eta.eta, FactUnit::kCoefficient},
                {FactName::kPValue, eta.p_value, FactUnit::kPValue},
                {FactName::kN, static_cast<double>(n), FactUnit::kCount},
                {FactName::kHighest, NAN, FactUnit::kCount, TimeGrain::kDay, means.front().label},
                {FactName::kHighestMean, means.front().mean, FactUnit::kMeasure},
                {FactName::kLowest, NAN, FactUnit::kCount, TimeGrain::kDay, means.back().label},
                {FactName::kLowestMean, means.back().mean, FactUnit::kMeasure}};
    if (means.back().mean > 0) {
      in.facts.push_back(
          {FactName::kRatio, means.front().mean / means.back().mean, FactUnit::kRatio});
    }
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = Name(dim.column);
    // Group means, whatever the measure's own aggregation; a rate's weighted by its base.
    in.evidence.y_title = m.weighted >= 0 ? SeriesTitle(m) : "average " + m.name;
    for (size_t i = 0; i < means.size() && i < static_cast<size_t>(options_.max_bars); ++i) {
      in.evidence.labels.push_back(means[i].label);
      in.evidence.y.push_back(means[i].mean);
    }
    in.evidence.highlight = {0};
    Add(std::move(in));
  }
};

}  // namespace

void DetectSegmentInsights(const InsightContext& context, InsightDraft* draft) {
  SegmentFamily(context, draft).Run();
}

}  // namespace datastory::analysis::detect
