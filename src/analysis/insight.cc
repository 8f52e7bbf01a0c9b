#include "analysis/insight.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/association.h"
#include "analysis/insight_detectors.h"
#include "analysis/trend.h"

namespace datastory::analysis {

std::string_view InsightTypeName(InsightType type) {
  static constexpr std::array<std::string_view, 15> kNames = {
      "trend",           "change_point",     "seasonality",        "outlier",      "correlation",
      "top_contributor", "majority",         "evenness",           "distribution", "data_quality",
      "outcome_rate",    "outcome_by_group", "outcome_difference", "loss",         "margin"};
  return kNames[static_cast<size_t>(type)];
}

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kNone:
      return "";
    case Direction::kUp:
      return "up";
    case Direction::kDown:
      return "down";
    case Direction::kFlat:
      return "flat";
  }
  return "";
}

std::string FactKey(const Fact& fact) {
  // In FactName's order.
  static constexpr std::array<std::string_view, 121> kNames = {
      "actual",
      "after",
      "alert",
      "answered",
      "at",
      "autocorrelation",
      "before",
      "buckets",
      "categories",
      "category",
      "categoryValue",
      "changePct",
      "changesP",
      "changesR",
      "cohensD",
      "confidence",
      "count",
      "cramersV",
      "cv",
      "cvThreshold",
      "cycle",
      "cycleLength",
      "deviationPct",
      "differencePct",
      "duplicateRows",
      "end",
      "erased",
      "eta",
      "expected",
      "f",
      "fallPct",
      "first",
      "fitChangePct",
      "fitEnd",
      "fitStart",
      "gains",
      "groups",
      "highest",
      "highestMargin",
      "highestMean",
      "highestRate",
      "highestRows",
      "holiday",
      "identity",
      "kurtosis",
      "largest",
      "largestShare",
      "last",
      "lastPeak",
      "lift",
      "loser1",
      "loser1Total",
      "loser2",
      "loser2Total",
      "loser3",
      "loser3Total",
      "loss",
      "lossGroups",
      "lowest",
      "lowestMargin",
      "lowestMean",
      "lowestRate",
      "lowestRows",
      "margin",
      "max",
      "mean",
      "median",
      "missingBuckets",
      "missingShare",
      "n",
      "negative",
      "negativeMean",
      "negativeRows",
      "othersMean",
      "p95",
      "partialFirst",
      "partialLast",
      "partTotal",
      "peak",
      "peakAt",
      "peakValue",
      "perDay",
      "period",
      "positive",
      "positiveMean",
      "positiveRows",
      "positives",
      "pValue",
      "r",
      "rate",
      "rateHigh",
      "rateLow",
      "ratio",
      "recordAt",
      "recordValue",
      "returned",
      "risePct",
      "rowShare",
      "rowsWithoutTime",
      "rSquared",
      "runnerUp",
      "runnerUpValue",
      "sameWeekday",
      "sampleRows",
      "share",
      "skewness",
      "slope",
      "slopeAfter",
      "slopeBefore",
      "smallest",
      "smallestShare",
      "spearman",
      "start",
      "tau",
      "threshold",
      "trough",
      "troughAt",
      "troughValue",
      "turned",
      "wholeTotal",
      "z",
  };
  static_assert(kNames.size() == static_cast<size_t>(FactName::kZ) + 1);
  std::string key(kNames[static_cast<size_t>(fact.name)]);
  if (fact.name == FactName::kMissingShare) key += ":" + fact.column;
  return key;
}

bool OnlyTrendsTogether(const Insight& in, double false_discovery_rate) {
  const Fact* r = in.FindFact(FactName::kR);
  const Fact* changes_r = in.FindFact(FactName::kChangesR);
  const Fact* changes_p = in.FindFact(FactName::kChangesP);
  if (!r || !changes_r || !changes_p) return false;
  return changes_p->value >= false_discovery_rate || (changes_r->value > 0) != (r->value > 0);
}

const Fact* Insight::FindFact(FactName name) const {
  for (const Fact& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace {

using detect::InsightDraft;

// Caveats every finding carries: duplicate rows, and the missing share of each of its columns.
void AddCaveats(const Profile& profile, InsightDraft* draft) {
  std::vector<Insight>& candidates = draft->candidates;
  std::map<std::string, double> missing_share;
  for (const Alert& a : profile.alerts) {
    if (a.type == AlertType::kMissing) missing_share[a.column] = a.value;
  }
  std::string duplicates;
  if (profile.duplicate_rows > 0) {
    duplicates = std::to_string(profile.duplicate_rows) +
                 " rows are exact duplicates of earlier rows and are counted again";
  }
  for (Insight& in : candidates) {
    if (in.type == InsightType::kDataQuality) continue;
    if (!duplicates.empty() && in.type != InsightType::kDistribution) {
      in.caveats.push_back(duplicates);
      in.facts.push_back({FactName::kDuplicateRows, static_cast<double>(profile.duplicate_rows),
                          FactUnit::kCount});
    }
    for (const std::string& column : in.columns) {
      auto it = missing_share.find(column);
      if (it != missing_share.end()) {
        char buf[96];
        std::snprintf(buf, sizeof(buf), "%.0f%% of ", it->second * 100);
        in.caveats.push_back(buf + column + " values are missing");
        Fact share{FactName::kMissingShare, it->second, FactUnit::kShare};
        share.column = column;
        in.facts.push_back(std::move(share));
      }
    }
  }
}

// How much a type of finding counts in the ranking: data problems and shapes of distributions
// less than patterns; an even spread less still; what goes with an outcome just below its rate,
// which is the headline.
double TypeWeight(InsightType type) {
  switch (type) {
    case InsightType::kDataQuality:
    case InsightType::kDistribution:
      return 0.6;
    case InsightType::kEvenness:
      return 0.5;
    case InsightType::kOutcomeByGroup:
    case InsightType::kOutcomeDifference:
      return 0.9;
    default:
      return 1.0;
  }
}

constexpr size_t kMaxInsights = 200;

// The report lists the kMaxAssociations strongest associations (by |value|; ties in the order
// found): a table of a thousand columns has half a million pairs.
constexpr size_t kMaxAssociations = 500;
void KeepStrongestAssociations(InsightReport* report) {
  std::vector<AssociationStatistic>& all = report->associations;
  if (all.size() <= kMaxAssociations) return;
  std::vector<size_t> order(all.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::fabs(all[a].value) > std::fabs(all[b].value);
  });
  std::vector<AssociationStatistic> kept;
  kept.reserve(kMaxAssociations);
  for (size_t i = 0; i < kMaxAssociations; ++i) kept.push_back(std::move(all[order[i]]));
  all = std::move(kept);
}

// Tests every candidate together (Benjamini-Hochberg over all of them), drops what does not
// pass, scores and orders the rest, and numbers them.
InsightReport Rank(const InsightOptions& options, InsightDraft* draft) {
  std::vector<Insight>& candidates = draft->candidates;
  InsightReport& report = draft->report;
  std::vector<double> p;
  std::vector<size_t> tested;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!std::isnan(candidates[i].p_value)) {
      p.push_back(candidates[i].p_value), tested.push_back(i);
    }
  }
  // Every test run counts, candidate or not.
  p.insert(p.end(), draft->other_p_values.begin(), draft->other_p_values.end());
  std::vector<double> q = BenjaminiHochberg(p);
  for (size_t k = 0; k < tested.size(); ++k) candidates[tested[k]].q_value = q[k];
  report.tests = static_cast<int>(p.size());
  for (Insight& in : candidates) {
    if (!std::isnan(in.q_value) && in.q_value > options.false_discovery_rate) {
      ++report.rejected;
      continue;
    }
    in.significance = std::isnan(in.q_value) ? 1 : 1 - in.q_value;
    in.score = in.significance * in.impact * in.strength * TypeWeight(in.type);
    report.insights.push_back(std::move(in));
  }
  auto key = [](const Insight& in) {
    std::string k(InsightTypeName(in.type));
    for (const auto& c : in.columns) k += "\x1f" + c;
    for (const auto& [d, c] : in.subspace) k.append("\x1e").append(d).append("=").append(c);
    return k;
  };
  std::stable_sort(report.insights.begin(), report.insights.end(),
                   [&](const Insight& a, const Insight& b) {
                     if (a.score != b.score) return a.score > b.score;
                     return key(a) < key(b);
                   });
  // A story tells a handful; the report keeps the best kMaxInsights (a table whose thousand
  // columns all move together would otherwise list a thousand correlations).
  if (report.insights.size() > kMaxInsights) report.insights.resize(kMaxInsights);
  for (size_t i = 0; i < report.insights.size(); ++i) {
    report.insights[i].id = "i" + std::to_string(i + 1);
  }
  return std::move(report);
}

}  // namespace

InsightReport DetectInsights(const Profile& profile, const InsightOptions& options) {
  InsightDraft draft;
  const detect::InsightContext context =
      detect::BuildInsightContext(profile, options, &draft.report);
  detect::DetectTimeInsights(context, &draft);
  detect::DetectSegmentInsights(context, &draft);
  detect::DetectCorrelationInsights(context, &draft);
  detect::DetectDistributionInsights(context, &draft);
  detect::DetectQualityInsights(context, &draft);
  detect::DetectOutcomeInsights(context, &draft);
  detect::DetectMoneyInsights(context, &draft);
  AddCaveats(profile, &draft);
  KeepStrongestAssociations(&draft.report);
  return Rank(options, &draft);
}

}  // namespace datastory::analysis
