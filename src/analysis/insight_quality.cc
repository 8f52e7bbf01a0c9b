// The distribution family (a skewed measure, with its standard error) and the data quality
// family (the profile's alerts that are faults: missing, infinite, duplicate, invalid, constant,
// empty).
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

class DistributionFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    for (const MeasureRef& m : measures_) {
      const ColumnProfile& p = *m.profile;
      if (p.count < 30 || !p.skewness || !p.mean || !p.median) continue;
      // Two values (a yes/no column written 0/1): its "skew" is only how rare one answer is.
      if (p.distinct <= 2) continue;
      double skew = *p.skewness;
      if (std::fabs(skew) < 1) continue;
      const double n = static_cast<double>(p.count);
      double se = std::sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)));
      Insight in;
      in.type = InsightType::kDistribution;
      in.columns = {m.name};
      in.direction = skew > 0 ? Direction::kUp : Direction::kDown;
      in.method = "sample skewness with its standard error";
      in.p_value = TwoSidedNormalP(skew / se);
      in.strength = std::min(1.0, std::fabs(skew) / 4);
      in.impact = 0.6;
      in.value = skew;
      in.facts = {{FactName::kSkewness, skew, FactUnit::kCoefficient},
                  {FactName::kMean, *p.mean, FactUnit::kMeasure},
                  {FactName::kMedian, *p.median, FactUnit::kMeasure},
                  {FactName::kPValue, in.p_value, FactUnit::kPValue},
                  {FactName::kN, n, FactUnit::kCount}};
      if (p.kurtosis)
        in.facts.push_back({FactName::kKurtosis, *p.kurtosis, FactUnit::kCoefficient});
      if (p.p95) in.facts.push_back({FactName::kP95, *p.p95, FactUnit::kMeasure});
      if (p.max) in.facts.push_back({FactName::kMax, *p.max, FactUnit::kMeasure});
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

 private:
};

class QualityFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    const double rows = static_cast<double>(profile_.rows);
    for (const Alert& a : profile_.alerts) {
      Insight in;
      in.type = InsightType::kDataQuality;
      const std::string name(AlertTypeName(a.type));
      in.method = "profile alert " + name + " (ydata-profiling's rule)";
      in.strength = 1;
      in.facts.push_back({FactName::kAlert, NAN, FactUnit::kCount, TimeGrain::kDay, name});
      if (a.type == AlertType::kMissing || a.type == AlertType::kInfinite) {
        in.impact = a.value;
        in.value = a.value;
        in.facts.push_back({FactName::kShare, a.value, FactUnit::kShare});
      } else if (a.type == AlertType::kDuplicates || a.type == AlertType::kInvalid) {
        in.impact = rows > 0 ? std::min(1.0, a.value / rows) : 0;
        in.value = a.value;
        in.facts.push_back({FactName::kCount, a.value, FactUnit::kCount});
        in.facts.push_back({FactName::kShare, in.impact, FactUnit::kShare});
      } else if (a.type == AlertType::kConstant || a.type == AlertType::kEmpty) {
        in.impact = 0.3;
        in.value = 1;
      } else {
        continue;  // the others (SKEWED, ZEROS, HIGH_CORRELATION …) describe data, not faults
      }
      if (!a.column.empty()) in.columns.push_back(a.column);
      Add(std::move(in));
    }
  }

 private:
};

}  // namespace

void DetectDistributionInsights(const InsightContext& context, InsightDraft* draft) {
  DistributionFamily(context, draft).Run();
}

void DetectQualityInsights(const InsightContext& context, InsightDraft* draft) {
  QualityFamily(context, draft).Run();
}

}  // namespace datastory::analysis::detect
