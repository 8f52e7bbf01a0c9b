// The money family: the loss-makers of a measure with both signs (profit: the groups whose total
// is negative, and how much of what the others make they erase), and the margin of a measure
// that is a part of another (profit within sales, cost within revenue: the ratio of their
// totals, overall and by group). Totals come from the cube's exact sums; the row sample only
// decides whether one measure is a part of another.
#include <algorithm>
#include <array>
#include <cmath>

#include "analysis/insight_detectors.h"
#include "base/text.h"

namespace datastory::analysis::detect {
namespace {

// A part lies within its whole (|part| ≤ |whole|) in at least this share of the rows that have
// both: profit within sales, where a few returns may break the rule.
constexpr double kMinPartShare = 0.9;
// Margins by group are compared over groups with at least this many rows.
constexpr int64_t kMinMarginRows = 10;
// Groups' margins must spread by at least this much (5 percentage points) to be a finding.
constexpr double kMinMarginSpread = 0.05;
// Loss-makers named in the text and drawn, at most.
constexpr size_t kMaxLossGroups = 3;

class MoneyFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    for (const MeasureRef& m : measures_) {
      if (m.alias || m.aggregation != Aggregation::kSum) continue;
      if (m.profile->negatives > 0) {
        for (const DimensionCube& dim : cube_.dimensions) {
          if (Segment(dim)) LossFact(m, dim);
        }
      }
    }
    for (const MeasureRef& part : measures_) {
      for (const MeasureRef& whole : measures_) {
        if (&part == &whole || !PartOf(part, whole)) continue;
        MarginFact(part, whole, nullptr);
        for (const DimensionCube& dim : cube_.dimensions) {
          if (Segment(dim)) MarginFact(part, whole, &dim);
        }
      }
    }
  }

 private:
  bool Segment(const DimensionCube& dim) const {
    const int d = DimensionIndex(dim);
    return !dim.dropped && !dimension_alias_[d] && !dimension_outcome_[d] &&
           dim.categories.size() >= 2;
  }

  // Whether `part` is a part of `whole`: both added up, in one unit, the whole mostly positive
  // and larger in total, and the part within the whole in nearly every sampled row.
  bool PartOf(const MeasureRef& part, const MeasureRef& whole) const {
    if (part.alias || whole.alias || part.aggregation != Aggregation::kSum ||
        whole.aggregation != Aggregation::kSum) {
      return false;
    }
    if (part.profile->schema.unit != whole.profile->schema.unit) return false;
    // The whole is named as one (sales, revenue, a total): two sibling costs are not parts of
    // each other, however their sizes compare.
    if (!NameHasWord(NameWords(whole.name), {"sales", "revenue", "turnover", "income", "total",
                                             "gross", "amount", "spend", "billing"})) {
      return false;
    }
    const double part_total = MeasureTotal(part), whole_total = MeasureTotal(whole);
    if (whole_total <= 0 || std::fabs(part_total) >= whole_total) return false;
    // Judged on the sampled rows where the whole is positive, which must be most rows.
    int64_t both = 0, positive = 0, within = 0;
    for (const std::vector<double>& row : cube_.sample.numbers) {
      const double p = row[part.index], w = row[whole.index];
      if (std::isnan(p) || std::isnan(w)) continue;
      ++both;
      if (w <= 0) continue;
      ++positive;
      within += std::fabs(p) <= w;
    }
    return positive >= kMinMarginRows && 2 * positive >= both &&
           static_cast<double>(within) >= kMinPartShare * static_cast<double>(positive);
  }

  // The groups of `dim` whose total of `m` is negative, biggest loss first.
  void LossFact(const MeasureRef& m, const DimensionCube& dim) {
    struct Group {
      std::string label;
      double total;
    };
    std::vector<Group> losses;
    double gains = 0, lost = 0;
    const std::string& totals_row = total_category_[DimensionIndex(dim)];
    for (const CategoryCell& c : dim.categories) {
      const Aggregate& a = c.measures[m.index];
      if (a.n == 0 || c.label == totals_row) continue;
      if (a.sum < 0) {
        losses.push_back({c.label, a.sum});
        lost += a.sum;
      } else {
        gains += a.sum;
      }
    }
    if (losses.empty() || gains <= 0) return;
    std::sort(losses.begin(), losses.end(), [](const Group& a, const Group& b) {
      return a.total != b.total ? a.total < b.total : a.label < b.label;
    });
    const double erased = -lost / gains;
    Insight in;
    in.type = InsightType::kLoss;
    in.columns = {m.name, Name(dim.column)};
    in.aggregation = "sum";
    in.direction = Direction::kDown;
    in.method = "groups whose total is negative, against the total of the others";
    // A loss is what an owner wants to hear first: strong from the start, full once it erases
    // a tenth of what the others make.
    in.strength = std::min(1.0, 0.8 + 2 * erased);
    in.value = lost;
    in.facts = {
        {FactName::kLossGroups, static_cast<double>(losses.size()), FactUnit::kCount},
        {FactName::kLoss, lost, FactUnit::kMeasure},
        {FactName::kGains, gains, FactUnit::kMeasure},
        {FactName::kErased, erased, FactUnit::kShare},
        {FactName::kCategories, static_cast<double>(dim.categories.size()), FactUnit::kCount}};
    static constexpr std::array<std::pair<FactName, FactName>, 3> kLoserFacts = {
        {{FactName::kLoser1, FactName::kLoser1Total},
         {FactName::kLoser2, FactName::kLoser2Total},
         {FactName::kLoser3, FactName::kLoser3Total}}};
    static_assert(kLoserFacts.size() == kMaxLossGroups);
    for (size_t i = 0; i < losses.size() && i < kMaxLossGroups; ++i) {
      const auto [label_fact, total_fact] = kLoserFacts[i];
      in.facts.push_back({label_fact, NAN, FactUnit::kCount, TimeGrain::kDay, losses[i].label});
      in.facts.push_back({total_fact, losses[i].total, FactUnit::kMeasure});
    }
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = Name(dim.column);
    in.evidence.y_title = "total " + m.name;
    for (size_t i = 0; i < losses.size() && static_cast<int>(i) < options_.max_bars; ++i) {
      in.evidence.labels.push_back(losses[i].label);
      in.evidence.y.push_back(losses[i].total);
      in.evidence.highlight.push_back(static_cast<int>(i));
    }
    Add(std::move(in));
  }

  // The margin: total part / total whole, for the whole table (`dim` null) or by group.
  void MarginFact(const MeasureRef& part, const MeasureRef& whole, const DimensionCube* dim) {
    const double overall = MeasureTotal(part) / MeasureTotal(whole);
    Insight in;
    in.type = InsightType::kMargin;
    in.columns = {part.name, whole.name};
    in.aggregation = "sum";
    in.method = "ratio of the totals";
    in.value = overall;
    in.facts = {{FactName::kMargin, overall, FactUnit::kShare},
                {FactName::kPartTotal, MeasureTotal(part), FactUnit::kMeasure},
                {FactName::kWholeTotal, MeasureTotal(whole), FactUnit::kMeasure}};
    if (!dim) {
      in.strength = 0.5;  // told in the summary's opening; a finding only by group
      Add(std::move(in));
      return;
    }
    struct Group {
      std::string label;
      double margin;
      int64_t rows;
    };
    std::vector<Group> groups;
    const std::string& totals_row = total_category_[DimensionIndex(*dim)];
    for (const CategoryCell& c : dim->categories) {
      const Aggregate& p = c.measures[part.index];
      const Aggregate& w = c.measures[whole.index];
      if (c.rows < kMinMarginRows || w.sum <= 0 || c.label == totals_row) continue;
      groups.push_back({c.label, p.sum / w.sum, c.rows});
    }
    if (groups.size() < 2) return;
    std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
      return a.margin != b.margin ? a.margin > b.margin : a.label < b.label;
    });
    const double spread = groups.front().margin - groups.back().margin;
    if (spread < kMinMarginSpread) return;
    in.columns.push_back(Name(dim->column));
    in.direction = Direction::kUp;
    in.method = "ratio of the totals, by group";
    in.strength = std::min(1.0, 0.5 + spread);
    in.facts.push_back(
        {FactName::kHighest, NAN, FactUnit::kCount, TimeGrain::kDay, groups.front().label});
    in.facts.push_back({FactName::kHighestMargin, groups.front().margin, FactUnit::kShare});
    in.facts.push_back(
        {FactName::kLowest, NAN, FactUnit::kCount, TimeGrain::kDay, groups.back().label});
    in.facts.push_back({FactName::kLowestMargin, groups.back().margin, FactUnit::kShare});
    in.facts.push_back({FactName::kGroups, static_cast<double>(groups.size()), FactUnit::kCount});
    in.evidence.shape = Evidence::Shape::kBars;
    in.evidence.x_title = Name(dim->column);
    in.evidence.y_title = part.name + " margin";  // in percent of the whole
    for (size_t i = 0; i < groups.size() && static_cast<int>(i) < options_.max_bars; ++i) {
      in.evidence.labels.push_back(groups[i].label);
      in.evidence.y.push_back(groups[i].margin * 100);
    }
    in.evidence.highlight = {0, static_cast<int>(in.evidence.labels.size()) - 1};
    Add(std::move(in));
  }
};

}  // namespace

void DetectMoneyInsights(const InsightContext& context, InsightDraft* draft) {
  MoneyFamily(context, draft).Run();
}

}  // namespace datastory::analysis::detect
