#include "story/story.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "base/text.h"
#include "table/inference.h"
#include "table/value_parse.h"

namespace datastory::story {
namespace {

using analysis::AlertType;
using analysis::AlertTypeName;
using analysis::Direction;
using analysis::Evidence;
using analysis::Fact;
using analysis::FactName;
using analysis::Insight;
using analysis::InsightType;

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// A title from a file name: words capitalised, acronyms kept ("US"), a range of years or
// numbers written as one ("us-births-2000-2014.csv": "Us Births 2000–2014"; "US_births":
// "US Births").
std::string TitleFromFile(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (size_t dot = name.find_last_of('.'); dot != std::string::npos && dot > 0) {
    name.resize(dot);
  }
  std::string title;
  bool start = true;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    // 2000-2014: a range, written with an en dash.
    if (c == '-' && i > 0 && IsDigit(name[i - 1]) && i + 1 < name.size() && IsDigit(name[i + 1])) {
      title += "\u2013";
      start = false;
      continue;
    }
    if (c == '_' || c == '-' || c == '.') c = ' ';
    if (start && std::isalpha(static_cast<unsigned char>(c))) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    start = c == ' ';
    title += c;
  }
  return title.empty() ? "Data Analysis" : title + " Analysis";
}

// A column's name as words: "unit_price" and "unitPrice" read "unit price", a capitalised word
// is lowered ("Cost Other": "cost other") and an acronym kept ("US GDP").
std::string NameAsWords(const std::string& name) {
  std::string out;
  for (std::string& w : SplitWords(name, "_ -")) {
    const bool acronym = w.size() >= 2 && std::all_of(w.begin(), w.end(), [](char ch) {
                           return !std::islower(static_cast<unsigned char>(ch));
                         });
    if (!acronym) w = AsciiLower(w);
    out += (out.empty() ? "" : " ") + w;
  }
  return out.empty() ? name : out;
}

// The text with its first letter a capital.
std::string SentenceCase(std::string text) {
  if (!text.empty() && std::islower(static_cast<unsigned char>(text[0]))) {
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  }
  return text;
}

// An outcome's name as words, without a leading "is", "has", "was" or "did": "is_canceled" reads
// "canceled".
std::string OutcomeWords(const std::string& name) {
  std::string words = NameAsWords(name);
  for (std::string_view lead : {"is ", "has ", "was ", "did "}) {
    if (words.size() > lead.size() && words.starts_with(lead)) return words.substr(lead.size());
  }
  return words;
}

// "churn rate", "attrition rate", "default rate".
std::string RateName(const std::string& outcome) {
  std::string words = OutcomeWords(outcome);
  return words.ends_with(" rate") ? words : words + " rate";
}

// What a row is, from the name of the table's key: "customer_id" → "customers", "EmployeeNumber"
// → "employees"; "rows" when no key names it.
std::string RowNoun(const analysis::Profile& profile) {
  for (const analysis::ColumnProfile& c : profile.columns) {
    if (c.schema.role != table::Role::kIdentifier) continue;
    std::vector<std::string> words = NameWords(c.schema.name);
    std::erase_if(words, [](const std::string& w) {
      return w == "id" || w == "key" || w == "no" || w == "number" || w == "num" || w == "code" ||
             w == "uuid" || w == "guid";
    });
    if (words.empty()) continue;
    std::string noun;
    for (const std::string& w : words) noun += (noun.empty() ? "" : " ") + w;
    const char last = noun.back();
    if (last == 's') return noun;
    if (last == 'y' && noun.size() > 1 &&
        std::string_view("aeiou").find(noun[noun.size() - 2]) == std::string_view::npos) {
      return noun.substr(0, noun.size() - 1) + "ies";
    }
    return noun + "s";
  }
  return "rows";
}

// Key findings by audience: an executive gets the few that call for a decision, a technical
// reader everything that passed its tests.
int DefaultFindings(Audience audience) {
  switch (audience) {
    case Audience::kExecutive:
      return 3;
    case Audience::kTechnical:
      return 8;
    case Audience::kGeneral:
      return 5;
  }
  return 5;
}

// Two measures this close to each other are one measure told twice (a price with and without
// tax, revenue and units at a fixed price): structure, not a finding.
constexpr double kNearIdentity = 0.97;

// A group's change within this many percentage points, or this share, of the whole table's
// change is the whole's change again.
constexpr double kSameChangePoints = 5;
constexpr double kSameChangeShare = 0.1;

// A category's share of a total within this of its share of the rows is only its size.
constexpr double kSameShare = 0.1;

// Structure rather than findings: a near-identity, an even spread, a majority that is only a
// yes/no split or a category's size, a column that is constant or empty. They stay in the report
// (the insights, the statistics, the alerts) but never lead.
bool IsTrivia(const Insight& in) {
  if (in.type == InsightType::kEvenness) return true;
  // The whole table's margin is a figure of the summary's opening, not a finding.
  if (in.type == InsightType::kMargin && !in.FindFact(FactName::kHighest)) return true;
  if (in.type == InsightType::kMajority) {
    // Most of a yes/no split's rows are on one side: a statistic of the column, not a finding.
    const analysis::Fact* categories = in.FindFact(FactName::kCategories);
    if (in.aggregation == "count" && categories && categories->value <= 2) return true;
    // Most of a total where most of the rows are: the category is big, not different.
    const analysis::Fact* share = in.FindFact(FactName::kShare);
    const analysis::Fact* rows = in.FindFact(FactName::kRowShare);
    if (share && rows && std::fabs(share->value - rows->value) < kSameShare) return true;
  }
  if (in.type == InsightType::kCorrelation) {
    if (in.FindFact(FactName::kIdentity)) return true;  // a product and its factor
    // Two series that only trend together: their changes do not go together.
    if (analysis::OnlyTrendsTogether(in)) return true;
    const analysis::Fact* r = in.FindFact(FactName::kR);
    return r && std::fabs(r->value) >= kNearIdentity;
  }
  if (in.type == InsightType::kDataQuality) {
    const analysis::Fact* alert = in.FindFact(FactName::kAlert);
    return alert && (alert->label == AlertTypeName(AlertType::kConstant) ||
                     alert->label == AlertTypeName(AlertType::kEmpty));
  }
  return false;
}

// Whether two insights tell one fact: the same group standing out on the same measure, found
// by two detectors ("rain stands out on total precipitation", "rain accounts for 95% of it");
// the same spike in the whole table and in one of its groups.
bool SameFact(const Insight& a, const Insight& b) {
  // One spike seen in the whole table and again in the group it came from.
  const analysis::Fact* ta = a.FindFact(FactName::kAt);
  const analysis::Fact* tb = b.FindFact(FactName::kAt);
  if (a.type == InsightType::kOutlier && b.type == InsightType::kOutlier && ta && tb &&
      ta->value == tb->value && a.columns == b.columns) {
    return true;
  }
  // A group's trend that is the whole table's trend again (every region up about 110%, as the
  // total): the group only follows the whole.
  if (a.type == InsightType::kTrend && b.type == InsightType::kTrend && a.columns == b.columns &&
      a.aggregation == b.aggregation && a.subspace.empty() != b.subspace.empty()) {
    const analysis::Fact* pa = a.FindFact(FactName::kChangePct);
    const analysis::Fact* pb = b.FindFact(FactName::kChangePct);
    if (pa && pb &&
        std::fabs(pa->value - pb->value) <=
            std::max(kSameChangePoints,
                     kSameChangeShare * std::max(std::fabs(pa->value), std::fabs(pb->value)))) {
      return true;
    }
  }
  if (a.columns != b.columns || a.subspace != b.subspace || a.aggregation != b.aggregation) {
    return false;
  }
  const analysis::Fact* ca = a.FindFact(FactName::kCategory);
  const analysis::Fact* cb = b.FindFact(FactName::kCategory);
  if (ca && cb) return ca->label == cb->label;
  // A group that stands out on a measure's average, and the same measure's averages by group
  // with that group at the top or the bottom ("Philadelphia has the highest average discount",
  // "discount differs by city: Philadelphia averages 64.7%").
  const analysis::Fact* category = ca ? ca : cb;
  const Insight& by_group = ca ? b : a;
  const analysis::Fact* highest = by_group.FindFact(FactName::kHighest);
  const analysis::Fact* lowest = by_group.FindFact(FactName::kLowest);
  return category && a.aggregation == "mean" &&
         ((highest && highest->label == category->label) ||
          (lowest && lowest->label == category->label));
}

// A correlation between a part and its whole (profit and sales, when the report has the margin
// of one in the other): a part moves with its whole by construction.
bool PartWithItsWhole(const analysis::InsightReport& report, const Insight& in) {
  if (in.type != InsightType::kCorrelation || !in.FindFact(FactName::kR)) return false;
  for (const Insight& margin : report.insights) {
    if (margin.type != InsightType::kMargin) continue;
    const std::string& part = margin.columns[0];
    const std::string& whole = margin.columns[1];
    if ((in.columns[0] == part && in.columns[1] == whole) ||
        (in.columns[0] == whole && in.columns[1] == part)) {
      return true;
    }
  }
  return false;
}

// How much an insight matters to an audience, as a factor of its score. An executive decides
// on outcomes, losses, margins and where the money comes from (×1.5), not on the shape of a
// distribution or a data problem (×0.5); a general reader gets the plain findings first, the shape
// of a distribution and how two categories go together after (×0.5); a technical reader, everything
// as scored.
double AudienceWeight(const Insight& in, const analysis::Profile& profile, Audience audience) {
  if (audience == Audience::kTechnical) return 1;
  const bool two_dimensions = in.type == InsightType::kCorrelation && in.aggregation == "count";
  if (audience == Audience::kGeneral) {
    return in.type == InsightType::kDistribution || two_dimensions ? 0.5 : 1;
  }
  switch (in.type) {
    case InsightType::kOutcomeRate:
    case InsightType::kOutcomeByGroup:
    case InsightType::kLoss:
    case InsightType::kMargin:
      return 1.5;
    case InsightType::kDistribution:
    case InsightType::kDataQuality:
      return 0.5;
    default:
      break;
  }
  if (two_dimensions) return 0.5;
  // Where the money comes from (totals), rather than how big a sale is on average.
  const bool money =
      !in.columns.empty() && in.aggregation == "sum" &&
      StyleOf(profile, in.columns[0], Audience::kTechnical).unit == table::Unit::kCurrency;
  return money ? 1.5 : 1;
}

// What an insight measures, for telling findings about the same quantity apart: its measure,
// or for a margin the ratio of its part to its whole (profit per sales is not profit).
std::string Quantity(const Insight& in) {
  if (in.type == InsightType::kMargin && in.columns.size() >= 2) {
    return in.columns[0] + "/" + in.columns[1];
  }
  return in.columns[0];
}

// A diverse top-K: each round takes the best score, weighted for the audience
// (AudienceWeight), after a penalty for every chosen insight of the same type (×0.5) and about
// the same quantity (×0.7, or ×0.3 for the very same columns and subspace); at most one
// data-quality finding; no trivia (IsTrivia, PartWithItsWhole); one fact once (SameFact).
std::vector<int> ChooseInsights(const analysis::InsightReport& report,
                                const analysis::Profile& profile, Audience audience, int k) {
  std::vector<int> chosen;
  std::vector<bool> taken(report.insights.size(), false);
  while (static_cast<int>(chosen.size()) < k) {
    int best = -1;
    double best_score = 0;
    for (size_t i = 0; i < report.insights.size(); ++i) {
      if (taken[i] || IsTrivia(report.insights[i]) ||
          PartWithItsWhole(report, report.insights[i])) {
        continue;
      }
      const Insight& in = report.insights[i];
      double score = in.score * AudienceWeight(in, profile, audience);
      for (int c : chosen) {
        const Insight& other = report.insights[c];
        if (other.type == in.type) score *= 0.5;
        if (other.columns == in.columns && other.subspace == in.subspace) {
          score *= 0.3;  // the same slice of data told twice
        } else if (!other.columns.empty() && !in.columns.empty() &&
                   Quantity(other) == Quantity(in)) {
          score *= 0.7;
        }
        if (other.type == InsightType::kDataQuality && in.type == InsightType::kDataQuality) {
          score = 0;
        }
        if (SameFact(other, in)) score = 0;
      }
      if (score > best_score) best_score = score, best = static_cast<int>(i);
    }
    if (best < 0) break;
    taken[best] = true;
    chosen.push_back(best);
  }
  return chosen;
}

// Writes the sentences of one story: facts in, text out.
class Writer {
 public:
  Writer(const Story& story, Audience audience) : story_(story), audience_(audience) {}

  // One sentence for the insight, starting with a capital.
  std::string Headline(const Insight& in) const { return SentenceCase(HeadlineText(in)); }
  std::string HeadlineText(const Insight& in) const;
  std::string Detail(const Insight& in) const;
  std::vector<Recommendation> Recommend(const std::vector<int>& chosen) const;
  std::string Summary(const std::vector<int>& chosen, const std::vector<Finding>& findings) const;
  // The headline's magnitude: the outcome's rate, then the main measure's total, its change
  // over the period and where most of it comes from; empty when the table has no outcome and
  // no measure adds up. Adds the insights it told to `told`.
  std::string Magnitude(std::vector<const Insight*>* told) const;
  // The outcome's rate and the group where it is highest; the main measure's total, change and
  // biggest part.
  std::string OutcomeMagnitude(std::vector<const Insight*>* told) const;
  std::string MeasureMagnitude(std::vector<const Insight*>* told) const;

 private:
  bool exec() const { return audience_ == Audience::kExecutive; }
  bool tech() const { return audience_ == Audience::kTechnical; }
  bool general() const { return audience_ == Audience::kGeneral; }

  NumberStyle Style(const Insight& in) const {
    if (in.columns.empty() || in.aggregation == "count") return {table::Unit::kNone, "", audience_};
    return StyleOf(story_.profile, in.columns[0], audience_);
  }
  std::string F(const Insight& in, FactName name) const {
    const Fact* f = in.FindFact(name);
    return f ? FormatFact(*f, Style(in)) : "?";
  }
  // A fact without its sign, for text that already says the direction ("fell by 4").
  std::string FAbs(const Insight& in, FactName name) const {
    const Fact* f = in.FindFact(name);
    if (!f) return "?";
    Fact positive = *f;
    positive.value = std::fabs(positive.value);
    return FormatFact(positive, Style(in));
  }
  double V(const Insight& in, FactName name) const {
    const Fact* f = in.FindFact(name);
    return f ? f->value : NAN;
  }
  bool Has(const Insight& in, FactName name) const { return in.FindFact(name) != nullptr; }

  static std::string Display(const std::string& name) { return NameAsWords(name); }
  std::string Col(const Insight& in, size_t i) const { return Display(in.columns[i]); }
  std::string LastCol(const Insight& in) const { return Display(in.columns.back()); }
  // A category as text; a boolean's "true"/"false" needs its column to mean anything ("Rows
  // with is_promo = false"; InlineCategory for the middle of a sentence).
  std::string Category(const Insight& in, FactName fact) const {
    std::string label = F(in, fact);
    if (IsYesNo(in.columns.back()))
      return "Rows where " + Display(in.columns.back()) + " is " + Answer(label);
    return label;
  }

  // A yes/no column's value as a reader says it: "yes" and "no" for 1/0 and true/false, except
  // to a technical reader, who sees the value as stored.
  std::string Answer(const std::string& label) const {
    if (tech()) return label;
    if (std::optional<bool> b = table::ParseYesNo(label)) return *b ? "yes" : "no";
    return label;
  }

  // A yes/no column: true/false, or 0/1 read as categories. Its values need its name.
  bool IsStock(const std::string& measure) const {
    for (const analysis::MeasureStatistic& m : story_.report.measures) {
      if (m.name == measure) return m.stock;
    }
    return false;
  }
  bool HasDimension() const {
    for (const analysis::ColumnProfile& c : story_.profile.columns) {
      if (c.schema.role == table::Role::kDimension) return true;
    }
    return false;
  }
  bool IsYesNo(const std::string& column) const {
    for (const analysis::ColumnProfile& c : story_.profile.columns) {
      if (c.schema.name == column) return table::IsYesNo(c.schema);
    }
    return false;
  }

  // The other groups of the insight's dimension: "the other region values", or for a general
  // reader "the others".
  std::string Others(const Insight& in) const {
    return general() ? "the others" : "the other " + LastCol(in) + " values";
  }

  std::string InlineCategory(const Insight& in, FactName fact) const {
    std::string text = Category(in, fact);
    if (text.rfind("Rows where", 0) == 0) text[0] = 'r';
    return text;
  }

  // "total revenue", "average price", "rows" — the measure as aggregated, with its subspace.
  std::string What(const Insight& in) const {
    std::string what;
    if (in.aggregation == "count" || in.columns.empty()) {
      what = "the number of rows";
    } else if (in.aggregation == "value") {
      what = Col(in, 0);
    } else if (in.aggregation == "sum") {
      // A level at a point in time (a population) adds up across groups, not within one.
      what = IsStock(in.columns[0]) && (!in.subspace.empty() || !HasDimension())
                 ? Col(in, 0)
                 : "total " + Col(in, 0);
    } else {
      what = "average " + Col(in, 0);
    }
    if (!in.subspace.empty()) {
      const auto& [dimension, category] = in.subspace[0];
      what += IsYesNo(dimension) ? " where " + Display(dimension) + " is " + Answer(category)
                                 : " for " + category;
    }
    return what;
  }
  static std::string Capital(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
  }
  std::string Share(const Insight& in, FactName name) const {
    const Fact* f = in.FindFact(name);
    return f ? ShareInWords(f->value, audience_) : "?";
  }

  const Story& story_;
  Audience audience_;
};

std::string Writer::HeadlineText(const Insight& in) const {
  const std::string what = What(in);
  switch (in.type) {
    case InsightType::kTrend: {
      const bool up = in.direction == Direction::kUp;
      std::string verb = general() ? (up ? "went up" : "went down") : (up ? "rose" : "fell");
      std::string span = " from " + F(in, FactName::kStart) + " to " + F(in, FactName::kEnd);
      if (Has(in, FactName::kChangePct)) {
        // The data's own change, from its first to its last period; the fitted line's beside
        // it for technical readers.
        std::string s = Capital(what) + " " + verb + (general() ? " by about " : " ") +
                        FAbs(in, FactName::kChangePct) + span;
        if (!exec()) s += ", from " + F(in, FactName::kFirst) + " to " + F(in, FactName::kLast);
        if (tech() && Has(in, FactName::kFitChangePct)) {
          s += " (the fitted line: " + F(in, FactName::kFitChangePct) + ")";
        }
        return s + ".";
      }
      std::string grain(analysis::TimeGrainName(in.evidence.grain));
      return Capital(what) + " " + verb + " by about " + FAbs(in, FactName::kSlope) + " per " +
             grain + span + ".";
    }
    case InsightType::kChangePoint: {
      if (Has(in, FactName::kPeakAt)) {
        // The largest turn of the yearly levels: a peak and its fall (and a record after it),
        // or a low and the rise after it.
        const std::string peak =
            F(in, FactName::kPeakAt) + " (about " + F(in, FactName::kPeakValue) + ")";
        const std::string low =
            F(in, FactName::kTroughAt) + " (about " + F(in, FactName::kTroughValue) + ")";
        if (Has(in, FactName::kFallPct)) {
          std::string s = Capital(what) + " peaked in " + peak + ", then fell " +
                          F(in, FactName::kFallPct) + " to " + low;
          if (Has(in, FactName::kRecordAt)) {
            s += ", and reached a new high in " + F(in, FactName::kRecordAt) + " (about " +
                 F(in, FactName::kRecordValue) + ")";
          }
          return s + ".";
        }
        return Capital(what) + " fell to a low in " + low + ", then rose " +
               F(in, FactName::kRisePct) + " to " + peak + ".";
      }
      if (Has(in, FactName::kReturned)) {
        // An excursion that came back: a spike of several periods, not a new level.
        const bool up = in.direction == Direction::kUp;
        return Capital(what) + (up ? " rose" : " fell") + " to about " + F(in, FactName::kAfter) +
               " from " + F(in, FactName::kAt) + " until " + F(in, FactName::kReturned) +
               ", then returned to its earlier level (about " + F(in, FactName::kBefore) + ").";
      }
      if (Has(in, FactName::kTurned)) {
        const bool up = in.direction == Direction::kUp;
        return Capital(what) + " turned around " + F(in, FactName::kAt) + ": " +
               (up ? "falling before, rising after" : "rising before, falling after") + " (about " +
               F(in, FactName::kBefore) + " on average before, " + F(in, FactName::kAfter) +
               " after).";
      }
      std::string s = Capital(what) + " shifted " +
                      (in.direction == Direction::kUp ? "up" : "down") + " around " +
                      F(in, FactName::kAt) + ": from about " + F(in, FactName::kBefore) + " to " +
                      F(in, FactName::kAfter) + " on average";
      if (Has(in, FactName::kChangePct)) {
        s += std::string(" (") + (in.direction == Direction::kUp ? "+" : "-") +
             F(in, FactName::kChangePct) + ")";
      }
      return s + ".";
    }
    case InsightType::kSeasonality: {
      if (Has(in, FactName::kCycleLength)) {
        // A cycle of the series' own length, not the calendar's.
        const std::string unit(analysis::TimeGrainName(in.FindFact(FactName::kCycleLength)->grain));
        return Capital(what) + " rises and falls in a cycle of about " +
               F(in, FactName::kCycleLength) + " " + unit + "s: the last high was in " +
               F(in, FactName::kLastPeak) + " (about " + F(in, FactName::kPeakValue) +
               "), the last low in " + F(in, FactName::kTroughAt) + " (about " +
               F(in, FactName::kTroughValue) + ").";
      }
      // Totals of months of unequal length are compared per day.
      const std::string per_day = V(in, FactName::kPerDay) == 1 ? " a day" : "";
      return Capital(what) + " follows a " + F(in, FactName::kCycle) + " cycle: highest in " +
             F(in, FactName::kPeak) + " (about " + F(in, FactName::kPeakValue) + per_day +
             ") and lowest in " + F(in, FactName::kTrough) + " (about " +
             F(in, FactName::kTroughValue) + per_day + ").";
    }
    case InsightType::kOutlier: {
      const bool up = in.direction == Direction::kUp;
      if (Has(in, FactName::kAt)) {
        const bool day = in.evidence.grain <= analysis::TimeGrain::kDay;  // "On Dec 25, 2023"
        std::string s = (day ? "On " : "In ") + F(in, FactName::kAt) + ", " + what + " was " +
                        F(in, FactName::kActual);
        // The reference: the neighbouring values, or the same weekday in the weeks around.
        const std::string around = Has(in, FactName::kSameWeekday)
                                       ? " the same weekday in the weeks around it"
                                       : " the values around it";
        if (Has(in, FactName::kRatio) && V(in, FactName::kRatio) >= 3) {
          s += ", " + F(in, FactName::kRatio) + around + " (about " + F(in, FactName::kExpected) +
               ")";
        } else if (Has(in, FactName::kDeviationPct)) {
          s += ", " + F(in, FactName::kDeviationPct) + (up ? " above" : " below") + around +
               " (about " + F(in, FactName::kExpected) + ")";
        } else {
          s += std::string(up ? ", above" : ", below") + around + " (about " +
               F(in, FactName::kExpected) + ")";
        }
        if (Has(in, FactName::kHoliday)) {
          s += ": it was " + F(in, FactName::kHoliday) + ", a holiday, which may explain it";
        }
        return s + ".";
      }
      return Category(in, FactName::kCategory) + " stands out on " + what + ": " +
             F(in, FactName::kCategoryValue) + " against about " + F(in, FactName::kOthersMean) +
             " for " + Others(in) + ".";
    }
    case InsightType::kCorrelation: {
      if (Has(in, FactName::kR)) {
        const bool positive = V(in, FactName::kR) > 0;
        std::string s = Capital(Col(in, 0)) + " and " + Col(in, 1);
        if (general()) {
          s +=
              positive ? " tend to rise and fall together" : " tend to move in opposite directions";
        } else {
          s += positive ? " move together" : " move in opposite directions";
          s += " (r = " + F(in, FactName::kR) + ")";
        }
        return s + ".";
      }
      if (Has(in, FactName::kEta)) {
        std::string s = Capital(Col(in, 0)) + " differs by " + Col(in, 1) + ": " +
                        Category(in, FactName::kHighest) + " averages " +
                        F(in, FactName::kHighestMean) + ", against " +
                        F(in, FactName::kLowestMean) + " for " + Category(in, FactName::kLowest);
        if (tech())
          s += " (η = " + F(in, FactName::kEta) + ")";  // Greek and statistics: technical only
        return s + ".";
      }
      std::string s = Capital(Col(in, 1)) + " and " + Col(in, 0) + " are linked: the mix of " +
                      Col(in, 0) + " differs across " + Col(in, 1);
      if (tech()) s += " (Cramér's V = " + F(in, FactName::kCramersV) + ")";
      return s + ".";
    }
    case InsightType::kTopContributor: {
      const std::string& dim = LastCol(in);
      if (in.aggregation == "count") {
        return Category(in, FactName::kCategory) + " is the most common " + dim + ": " +
               F(in, FactName::kCategoryValue) + " rows, " + Share(in, FactName::kShare) +
               " of all, " + F(in, FactName::kRatio) + " as many as " +
               Category(in, FactName::kRunnerUp) + ".";
      }
      if (in.aggregation == "value") {
        return Category(in, FactName::kCategory) + " has the highest " + Col(in, 0) + ": " +
               F(in, FactName::kCategoryValue) + ", " + F(in, FactName::kRatio) + " the next " +
               dim + ", " + Category(in, FactName::kRunnerUp) + ".";
      }
      if (in.aggregation == "sum") {
        return Category(in, FactName::kCategory) + " brings the most " + Col(in, 0) + ": " +
               F(in, FactName::kCategoryValue) + ", " + Share(in, FactName::kShare) +
               " of the total and " + F(in, FactName::kRatio) + " the next " + dim + ", " +
               Category(in, FactName::kRunnerUp) + ".";
      }
      return Category(in, FactName::kCategory) + " has the highest average " + Col(in, 0) + ": " +
             F(in, FactName::kCategoryValue) + ", " + F(in, FactName::kRatio) + " the next " + dim +
             ", " + Category(in, FactName::kRunnerUp) + ".";
    }
    case InsightType::kMajority: {
      const bool rows =
          Category(in, FactName::kCategory).rfind("Rows where", 0) == 0;  // plural subject
      std::string s = Category(in, FactName::kCategory) +
                      (in.aggregation == "count" ? (rows ? " make up " : " makes up ")
                                                 : (rows ? " account for " : " accounts for ")) +
                      Share(in, FactName::kShare) + " of " +
                      (in.aggregation == "count" ? "the rows" : what);
      if (V(in, FactName::kCategories) > 2) {
        s += ", across " + F(in, FactName::kCategories) + " " + LastCol(in) + " values";
      }
      return s + ".";
    }
    case InsightType::kEvenness: {
      std::string s = Capital(what) + " is spread evenly across the " +
                      F(in, FactName::kCategories) + " " + LastCol(in) + " values: each holds ";
      const std::string low = F(in, FactName::kSmallestShare),
                        high = F(in, FactName::kLargestShare);
      return s + (low == high ? "about " + low : "between " + low + " and " + high) + ".";
    }
    case InsightType::kDistribution: {
      const bool right = in.direction == Direction::kUp;
      return Capital(Col(in, 0)) + " is skewed: a few " + (right ? "large" : "small") +
             " values pull the average (" + F(in, FactName::kMean) + ") " +
             (right ? "above" : "below") + " the typical value (median " +
             F(in, FactName::kMedian) + ").";
    }
    case InsightType::kDataQuality: {
      const std::string alert = F(in, FactName::kAlert);
      const std::string column = in.columns.empty() ? "" : Col(in, 0);
      if (alert == AlertTypeName(AlertType::kMissing))
        return F(in, FactName::kShare) + " of " + column + " values are missing.";
      if (alert == AlertTypeName(AlertType::kInfinite))
        return F(in, FactName::kShare) + " of " + column + " values are infinite.";
      if (alert == AlertTypeName(AlertType::kDuplicates)) {
        const bool one = V(in, FactName::kCount) == 1;
        return F(in, FactName::kCount) + (one ? " row (" : " rows (") + F(in, FactName::kShare) +
               (one ? ") is an exact copy of another row." : ") are exact copies of other rows.");
      }
      if (alert == AlertTypeName(AlertType::kInvalid)) {
        return F(in, FactName::kCount) + " " + column +
               " values could not be read and were left out.";
      }
      if (alert == AlertTypeName(AlertType::kConstant))
        return column + " has the same value in every row.";
      if (alert == AlertTypeName(AlertType::kEmpty)) return column + " has no values at all.";
      return column + ": " + alert;
    }
    case InsightType::kOutcomeRate: {
      std::string s = Capital(RateName(in.columns[0])) + " is " + Share(in, FactName::kRate) +
                      ": " + F(in, FactName::kPositives) + " of " + F(in, FactName::kAnswered) +
                      " " + RowNoun(story_.profile);
      // "95%" traces to the fact "confidence".
      if (tech())
        s += " (95% interval " + F(in, FactName::kRateLow) + " to " + F(in, FactName::kRateHigh) +
             ")";
      return s + ".";
    }
    case InsightType::kOutcomeByGroup: {
      std::string s = Capital(RateName(in.columns[0])) + " differs by " + LastCol(in) + ": " +
                      F(in, FactName::kHighestRate) + " for " +
                      InlineCategory(in, FactName::kHighest);
      if (Has(in, FactName::kLift) && V(in, FactName::kLift) >= 1.1) {
        s += ", " + F(in, FactName::kLift) + " the overall " + F(in, FactName::kRate);
      }
      s += ", against " + F(in, FactName::kLowestRate) + " for " +
           InlineCategory(in, FactName::kLowest);
      if (tech()) s += " (Cramér's V = " + F(in, FactName::kCramersV) + ")";
      return s + ".";
    }
    case InsightType::kOutcomeDifference: {
      const std::string outcome = OutcomeWords(in.columns[1]);
      std::string s =
          Capital(Col(in, 0)) + " is " + (in.direction == Direction::kUp ? "higher" : "lower") +
          " where " + outcome + " is " + Answer(F(in, FactName::kPositive)) + ": " +
          F(in, FactName::kPositiveMean) + " on average, against " +
          F(in, FactName::kNegativeMean) + " where it is " + Answer(F(in, FactName::kNegative));
      std::vector<std::string> notes;
      if (Has(in, FactName::kDifferencePct)) {
        notes.push_back((in.direction == Direction::kUp ? "+" : "-") +
                        FAbs(in, FactName::kDifferencePct));
      }
      if (tech()) notes.push_back("Cohen's d = " + F(in, FactName::kCohensD));
      for (size_t i = 0; i < notes.size(); ++i) s += (i ? "; " : " (") + notes[i];
      return s + (notes.empty() ? "." : ").");
    }
    case InsightType::kLoss: {
      const std::string measure = Col(in, 0);
      std::string s;
      if (V(in, FactName::kLossGroups) == 1) {
        s = Category(in, FactName::kLoser1) + " makes a loss: total " + measure + " of " +
            F(in, FactName::kLoser1Total) + ", erasing " + Share(in, FactName::kErased) +
            " of the " + F(in, FactName::kGains) + " " + Others(in) + " make";
      } else {
        s = F(in, FactName::kLossGroups) + " " + LastCol(in) + " values make a loss in total " +
            measure + ": " + InlineCategory(in, FactName::kLoser1) + " (" +
            F(in, FactName::kLoser1Total) + "), " + InlineCategory(in, FactName::kLoser2) + " (" +
            F(in, FactName::kLoser2Total) + ")";
        if (Has(in, FactName::kLoser3)) {
          s += V(in, FactName::kLossGroups) > 3 ? ", " : " and ";
          s += InlineCategory(in, FactName::kLoser3) + " (" + F(in, FactName::kLoser3Total) + ")";
          if (V(in, FactName::kLossGroups) > 3) s += " and others";
        }
        s += "; together they erase " + Share(in, FactName::kErased) + " of the " +
             F(in, FactName::kGains) + " the others make";
      }
      return s + ".";
    }
    case InsightType::kMargin: {
      if (!Has(in, FactName::kHighest)) {
        return Capital(Col(in, 0)) + " is " + Share(in, FactName::kMargin) + " of " + Col(in, 1) +
               " (" + F(in, FactName::kPartTotal) + " of " + F(in, FactName::kWholeTotal) + ").";
      }
      return Capital(Col(in, 0)) + " margin differs by " + LastCol(in) + ": " +
             F(in, FactName::kHighestMargin) + " of " + Col(in, 1) + " for " +
             InlineCategory(in, FactName::kHighest) + ", against " +
             F(in, FactName::kLowestMargin) + " for " + InlineCategory(in, FactName::kLowest) +
             " (" + F(in, FactName::kMargin) + " overall).";
    }
  }
  return "";
}

std::string Writer::Detail(const Insight& in) const {
  if (!tech()) return "";
  std::string s = "Method: " + in.method;
  if (!std::isnan(in.p_value)) s += "; " + F(in, FactName::kPValue);
  if (Has(in, FactName::kTau)) s += ", Kendall τ = " + F(in, FactName::kTau);
  if (Has(in, FactName::kSpearman)) s += ", Spearman ρ = " + F(in, FactName::kSpearman);
  if (Has(in, FactName::kN)) s += ", n = " + F(in, FactName::kN);
  if (Has(in, FactName::kSkewness)) s += ", skewness = " + F(in, FactName::kSkewness);
  s += ".";
  for (const std::string& c : in.caveats) s += " Caveat: " + c + ".";
  return s;
}

std::vector<Recommendation> Writer::Recommend(const std::vector<int>& chosen) const {
  std::vector<Recommendation> out;
  std::set<std::string> seen;
  for (int index : chosen) {
    const Insight& in = story_.report.insights[index];
    const std::string what = What(in);
    std::string text;
    switch (in.type) {
      case InsightType::kTrend:
        text = in.direction == Direction::kDown
                   ? "Find out what is behind the fall in " + what + " since " +
                         F(in, FactName::kStart) + " before planning on the current level."
               : Has(in, FactName::kChangePct)
                   ? Capital(what) + " rose " + FAbs(in, FactName::kChangePct) + " from " +
                         F(in, FactName::kStart) + " to " + F(in, FactName::kEnd) +
                         ": check whether the rise can be sustained before planning "
                         "capacity for it."
                   : "Check whether the rise in " + what +
                         " can be sustained, and plan capacity for it if so.";
        break;
      case InsightType::kChangePoint:
        text = Has(in, FactName::kFallPct)
                   ? "Find out what drove the fall in " + what + " from " +
                         F(in, FactName::kPeakAt) + " to " + F(in, FactName::kTroughAt) +
                         (Has(in, FactName::kRecordAt)
                              ? ", and what brought it back, so that the next fall is seen early."
                              : ": it has not come back to its high.")
               : Has(in, FactName::kRisePct)
                   ? "Find out what turned " + what + " around after " +
                         F(in, FactName::kTroughAt) + ", and whether it can go on."
               : Has(in, FactName::kReturned)
                   ? "Find out what happened from " + F(in, FactName::kAt) + " until " +
                         F(in, FactName::kReturned) + ", when " + what +
                         " left its usual level: if it can happen again, plan for it."
                   : "Look at what changed around " + F(in, FactName::kAt) + ": " + what +
                         " moved to a new " + "level then, and the reason is not in this data.";
        break;
      case InsightType::kSeasonality:
        if (Has(in, FactName::kCycleLength)) {
          text = "Plan for the next turn of the cycle of " + what + " (about " +
                 F(in, FactName::kCycleLength) + " " +
                 std::string(analysis::TimeGrainName(in.FindFact(FactName::kCycleLength)->grain)) +
                 "s long), rather than for its latest direction.";
          break;
        }
        text = "Plan around the " + F(in, FactName::kCycle) + " cycle of " + what +
               ": prepare for " + F(in, FactName::kPeak) + " and use " + F(in, FactName::kTrough) +
               " for slack.";
        break;
      case InsightType::kOutlier:
        text = Has(in, FactName::kHoliday)
                   ? "Plan for " + F(in, FactName::kHoliday) + ": " + what + " on " +
                         F(in, FactName::kAt) + " was far from the days around it."
               : Has(in, FactName::kAt)
                   ? "Confirm the value of " + what + " in " + F(in, FactName::kAt) +
                         " is right before drawing conclusions from it."
                   : "Look into " + InlineCategory(in, FactName::kCategory) + ": it is far from " +
                         Others(in) + " on " + what + ".";
        break;
      case InsightType::kCorrelation:
        if (Has(in, FactName::kR)) {
          text = "Before planning on the link between " + Col(in, 0) + " and " + Col(in, 1) +
                 (general() ? "" : " (r = " + F(in, FactName::kR) + ")") +
                 ", test whether a change in " + Col(in, 1) + " moves " + Col(in, 0) +
                 ": the data shows they go together, not why.";
        } else if (Has(in, FactName::kEta)) {
          text = "Plan " + Col(in, 0) + " by " + Col(in, 1) +
                 " rather than as one figure: " + InlineCategory(in, FactName::kHighest) +
                 " averages " + F(in, FactName::kHighestMean) + ", against " +
                 F(in, FactName::kLowestMean) + " for " + InlineCategory(in, FactName::kLowest) +
                 ".";
        } else {
          text = "Read " + Col(in, 0) + " within each " + Col(in, 1) + ": its mix differs across " +
                 "them, so a figure over all " + Col(in, 1) + " values hides it.";
        }
        break;
      case InsightType::kTopContributor:
        text = in.aggregation == "mean" || in.aggregation == "value"
                   ? "Look at what sets " + InlineCategory(in, FactName::kCategory) + " apart on " +
                         What(in) + " before treating " +
                         (general() ? "them all" : "all " + LastCol(in) + " values") + " alike."
                   : "Protect " + InlineCategory(in, FactName::kCategory) + ", the largest " +
                         LastCol(in) +
                         (Has(in, FactName::kShare)
                              ? " (" + Share(in, FactName::kShare) + " of " + What(in) + ")"
                              : std::string()) +
                         ", and watch how much depends on it.";
        break;
      case InsightType::kMajority:
        text = "Weigh the dependence on " + InlineCategory(in, FactName::kCategory) + " (" +
               Share(in, FactName::kShare) + " of " + what + "): a change there moves the whole.";
        break;
      case InsightType::kEvenness:
        text = "No " + LastCol(in) + " stands out on " + what +
               ": act on the whole rather than on one group.";
        break;
      case InsightType::kDistribution:
        text = "Report the median of " + Col(in, 0) + " (" + F(in, FactName::kMedian) +
               ") beside the average: a few extreme values move the average.";
        break;
      case InsightType::kDataQuality:
        text = "Fix the data before relying on it: " + Headline(in);
        text[text.size() - 1] = '.';
        break;
      case InsightType::kOutcomeRate:
        break;  // the rate is the headline; what to do is in what goes with it
      case InsightType::kOutcomeByGroup:
        text = "Start with " + InlineCategory(in, FactName::kHighest) + ": the " +
               RateName(in.columns[0]) + " there is " + F(in, FactName::kHighestRate) +
               " against " + F(in, FactName::kRate) +
               " overall. Find out what differs there, and check in the next period whether the "
               "gap holds.";
        break;
      case InsightType::kLoss:
        text = "Review " + InlineCategory(in, FactName::kLoser1) + ": its total " + Col(in, 0) +
               " is " + F(in, FactName::kLoser1Total) +
               ". Check its prices, discounts and costs against " +
               (general() ? "the ones" : "the " + LastCol(in) + " values") + " that make money.";
        break;
      case InsightType::kMargin:
        if (Has(in, FactName::kLowest)) {
          text = "Find out why " + InlineCategory(in, FactName::kLowest) + " keeps " +
                 F(in, FactName::kLowestMargin) + " of its " + Col(in, 1) + " as " + Col(in, 0) +
                 ", against " + F(in, FactName::kHighestMargin) + " for " +
                 InlineCategory(in, FactName::kHighest) +
                 ": compare their prices, discounts and costs, and check the gap again next "
                 "period.";
        }
        break;
      case InsightType::kOutcomeDifference:
        text = "Look at " + Col(in, 0) + " where " + OutcomeWords(in.columns[1]) + " is " +
               Answer(F(in, FactName::kPositive)) + " (" + F(in, FactName::kPositiveMean) +
               " on average, against " + F(in, FactName::kNegativeMean) +
               "): check whether the difference comes before the " + OutcomeWords(in.columns[1]) +
               ", so that it can warn of it, or after.";
        break;
    }
    // One recommendation per kind of finding about the same thing (a majority of revenue and
    // of units is one dependence).
    std::string key = std::string(analysis::InsightTypeName(in.type));
    if (const Fact* f = in.FindFact(FactName::kCategory)) key += "|" + f->label;
    if (in.type == InsightType::kCorrelation) key += "|" + in.columns[0] + "|" + in.columns[1];
    if (in.type == InsightType::kTrend || in.type == InsightType::kChangePoint) key += "|" + text;
    if (text.empty() || !seen.insert(key).second) continue;
    out.push_back({text, {in.id}});
    if (out.size() >= 5) break;
  }
  return out;
}

// The measure a reader of the table cares most about: a money measure that adds up, else the
// first measure that adds up; none when nothing adds up (prices, rates, temperatures have no
// total to lead with).
// Whether a measure's total over the whole table means something: it adds up, and it is not a
// level at a point in time counted over many times (a yearly table's population).
bool HasTotal(const analysis::MeasureStatistic& m) {
  return m.aggregation == "sum" && m.count > 0 && !m.stock;
}

const analysis::MeasureStatistic* MainMeasure(const Story& story) {
  const analysis::MeasureStatistic* first = nullptr;
  for (const analysis::MeasureStatistic& m : story.report.measures) {
    if (!HasTotal(m)) continue;
    if (!first) first = &m;
    if (StyleOf(story.profile, m.name, Audience::kTechnical).unit == table::Unit::kCurrency) {
      return &m;
    }
  }
  return first;
}

// The whole table's margin of a part within `whole` (profit within sales), or nullptr.
const Insight* WholeTableMargin(const analysis::InsightReport& report, const std::string& whole) {
  for (const Insight& in : report.insights) {
    if (in.type == InsightType::kMargin && in.columns.size() == 2 && in.columns[1] == whole) {
      return &in;
    }
  }
  return nullptr;
}

// The outcomes' rates, then up to three figures in all with the measures that add up, the main
// one first; and the rows.
std::vector<KeyFigure> KeyFigures(const Story& story) {
  std::vector<KeyFigure> figures;
  for (const analysis::OutcomeStatistic& o : story.report.outcomes) {
    figures.push_back(
        {SentenceCase(RateName(o.name)), o.rate, FormatShare(o.rate, story.audience)});
  }
  const analysis::MeasureStatistic* main = MainMeasure(story);
  auto add = [&](const analysis::MeasureStatistic& m) {
    figures.push_back({SentenceCase("total " + NameAsWords(m.name)), m.total,
                       FormatMeasure(m.total, StyleOf(story.profile, m.name, story.audience))});
  };
  if (main && figures.size() < 3) {
    add(*main);
    if (const Insight* in = WholeTableMargin(story.report, main->name)) {
      const double margin = in->FindFact(FactName::kMargin)->value;
      figures.push_back({SentenceCase(NameAsWords(in->columns[0]) + " margin"), margin,
                         FormatShare(margin, story.audience)});
    }
  }
  for (const analysis::MeasureStatistic& m : story.report.measures) {
    if (figures.size() >= 3) break;
    if (&m != main && HasTotal(m)) add(m);
  }
  // A level's figure is where it stands at the end (its whole-table trend's last period), not
  // a sum over the times.
  for (const analysis::MeasureStatistic& m : story.report.measures) {
    if (figures.size() >= 3 || !m.stock) continue;
    for (const Insight& in : story.report.insights) {
      if (in.type != InsightType::kTrend || !in.subspace.empty() || in.columns.empty() ||
          in.columns[0] != m.name) {
        continue;
      }
      const analysis::Fact* end = in.FindFact(FactName::kEnd);
      const analysis::Fact* last = in.FindFact(FactName::kLast);
      if (!end || !last) break;
      figures.push_back(
          {SentenceCase(NameAsWords(m.name) + " in " +
                        analysis::FormatBucket(static_cast<int64_t>(end->value), end->grain)),
           last->value,
           FormatMeasure(last->value, StyleOf(story.profile, m.name, story.audience))});
      break;
    }
  }
  const auto rows = static_cast<double>(story.profile.rows);
  figures.push_back({"Rows", rows, FormatCount(rows)});
  return figures;
}

std::string Writer::Magnitude(std::vector<const Insight*>* told) const {
  std::string s = OutcomeMagnitude(told);
  const std::string measure = MeasureMagnitude(told);
  if (!measure.empty()) s += (s.empty() ? "" : " ") + measure;
  return s;
}

std::string Writer::OutcomeMagnitude(std::vector<const Insight*>* told) const {
  if (story_.report.outcomes.empty()) return "";
  const std::string& name = story_.report.outcomes.front().name;
  const Insight* rate = nullptr;
  const Insight* group = nullptr;  // the best-ranked group finding
  for (const Insight& in : story_.report.insights) {
    if (in.columns.empty() || in.columns[0] != name) continue;
    if (in.type == InsightType::kOutcomeRate && !rate) rate = &in;
    if (in.type == InsightType::kOutcomeByGroup && !group) group = &in;
  }
  if (!rate) return "";
  std::string s = Capital(RateName(name)) + ": " + Share(*rate, FactName::kRate) + " (" +
                  F(*rate, FactName::kPositives) + " of " + F(*rate, FactName::kAnswered) + " " +
                  RowNoun(story_.profile) + ")";
  told->push_back(rate);
  if (group) {
    s += "; highest for " + InlineCategory(*group, FactName::kHighest) + " (" +
         F(*group, FactName::kHighestRate) + ")";
    told->push_back(group);
  }
  return s + ".";
}

std::string Writer::MeasureMagnitude(std::vector<const Insight*>* told) const {
  const analysis::MeasureStatistic* main = MainMeasure(story_);
  if (!main) return "";
  const NumberStyle style = StyleOf(story_.profile, main->name, audience_);
  std::string s = "Total " + Display(main->name) + ": " + FormatMeasure(main->total, style);
  auto whole_table = [&](const Insight& in) {
    return !in.columns.empty() && in.columns[0] == main->name && in.subspace.empty() &&
           in.aggregation == "sum";
  };
  if (const Insight* in = WholeTableMargin(story_.report, main->name)) {
    s += "; " + Col(*in, 0) + " " + F(*in, FactName::kPartTotal) + ", a margin of " +
         Share(*in, FactName::kMargin);
    told->push_back(in);
  }
  for (const Insight& in : story_.report.insights) {
    if (in.type != InsightType::kTrend || !whole_table(in) || !Has(in, FactName::kChangePct))
      continue;
    const bool up = in.direction == Direction::kUp;
    s += std::string(up ? (general() ? ", going up by about " : ", up ")
                        : (general() ? ", going down by about " : ", down ")) +
         FAbs(in, FactName::kChangePct) + " from " + F(in, FactName::kStart) + " to " +
         F(in, FactName::kEnd);
    told->push_back(&in);
    break;
  }
  for (const Insight& in : story_.report.insights) {
    if ((in.type != InsightType::kTopContributor && in.type != InsightType::kMajority) ||
        !whole_table(in) || !Has(in, FactName::kShare) || IsTrivia(in)) {
      continue;
    }
    const std::string who = InlineCategory(in, FactName::kCategory);
    const bool plural = who.rfind("rows where", 0) == 0;
    s +=
        "; " + who + (plural ? " bring " : " brings ") + "the most, " + Share(in, FactName::kShare);
    // Whatever else is said of that category's part of the measure is the same fact again.
    const analysis::Fact* category = in.FindFact(FactName::kCategory);
    for (const Insight& other : story_.report.insights) {
      const analysis::Fact* c = other.FindFact(FactName::kCategory);
      if (whole_table(other) && c && category && c->label == category->label) {
        told->push_back(&other);
      }
    }
    break;
  }
  return s + ".";
}

std::string Writer::Summary(const std::vector<int>& chosen,
                            const std::vector<Finding>& findings) const {
  const analysis::Profile& p = story_.profile;
  auto count = [](size_t n, const char* one, const char* many) {
    return FormatCount(static_cast<double>(n)) + " " + (n == 1 ? one : many);
  };
  std::string s = story_.title + ": " + count(static_cast<size_t>(p.rows), "row", "rows") +
                  " and " + count(p.columns.size(), "column", "columns");
  const analysis::InsightReport& r = story_.report;
  if (r.time_start && r.time_end) {
    s += *r.time_start == *r.time_end ? ", all in " + analysis::FormatBucket(*r.time_start, r.grain)
                                      : ", " + analysis::FormatBucket(*r.time_start, r.grain) +
                                            " to " + analysis::FormatBucket(*r.time_end, r.grain);
  }
  s += ".";
  std::vector<const Insight*> told;
  const std::string magnitude = Magnitude(&told);
  if (!magnitude.empty()) s += " " + magnitude;
  if (chosen.empty() && !story_.report.insights.empty()) {
    s += general() ? " Nothing in it stands out beyond how its columns are built."
                   : " What passed the checks is structure (how the columns are defined, an "
                     "even spread, a constant column), not a finding.";
  } else if (chosen.empty()) {
    s += general() ? " Nothing in it stands out clearly enough to report as a finding."
                   : " No pattern in it passed the significance checks, so no finding is "
                     "reported.";
  } else {
    // The findings the magnitude did not tell already: one fact is said once.
    std::vector<const Finding*> rest;
    for (size_t i = 0; i < findings.size() && i < chosen.size(); ++i) {
      const Insight* in = &story_.report.insights[chosen[i]];
      if (std::find(told.begin(), told.end(), in) == told.end()) rest.push_back(&findings[i]);
    }
    if (!rest.empty()) {
      s += general() ? " The main thing to know: " : " The main finding: ";
      // The headline stays as written: it may start with a name ("China", "GOOG").
      s += rest.front()->headline;
      if (rest.size() > 1 && !general()) s += " Also: " + rest[1]->headline;
    }
  }
  if (tech()) {
    s +=
        " " + FormatCount(story_.report.tests) +
        (story_.report.tests == 1 ? " hypothesis test was run; " : " hypothesis tests were run; ") +
        FormatCount(story_.report.rejected) +
        " candidates did not pass the false-discovery control (Benjamini-Hochberg).";
  }
  for (const std::string& limit : story_.report.limitations) s += " " + limit;
  if (tech()) {
    for (const std::string& structure : story_.report.structure) {
      s += " Structure, not a finding: " + structure + ".";
    }
  }
  // Few rows for many columns (a questionnaire of 54 people and a thousand questions): say how
  // little such a table can support.
  const size_t columns = p.columns.size();
  if (columns >= 10 && p.rows < static_cast<int64_t>(2 * columns)) {
    s += " With " + count(static_cast<size_t>(p.rows), "row", "rows") + " for " +
         count(columns, "column", "columns") +
         ", this table can support few conclusions: with so few rows for each column, a pattern "
         "may be chance.";
  }
  return s;
}

std::string ChartType(Evidence::Shape shape) {
  switch (shape) {
    case Evidence::Shape::kSeries:
      return "line";
    case Evidence::Shape::kBars:
      return "bar";
    case Evidence::Shape::kStack:
      return "stacked_bar";
    case Evidence::Shape::kHistogram:
      return "histogram";
    case Evidence::Shape::kScatter:
      return "scatter";
    case Evidence::Shape::kNone:
      break;
  }
  return "";
}

std::string ChartTitle(const Insight& in) {
  const Evidence& e = in.evidence;
  const std::string x_title = NameAsWords(e.x_title), y_title = NameAsWords(e.y_title);
  std::string subspace = in.subspace.empty() ? ""
                                             : " (" + NameAsWords(in.subspace[0].first) + " = " +
                                                   in.subspace[0].second + ")";
  switch (e.shape) {
    case Evidence::Shape::kSeries:
      return y_title + subspace + " by " + std::string(analysis::TimeGrainName(e.grain));
    case Evidence::Shape::kBars:
      return y_title + " by " + x_title;
    case Evidence::Shape::kStack:
      return y_title + (e.labels.size() > 1 ? " within each " + x_title : "");
    case Evidence::Shape::kHistogram:
      return "Distribution of " + x_title;
    case Evidence::Shape::kScatter:
      return y_title + " against " + x_title;
    case Evidence::Shape::kNone:
      break;
  }
  return "";
}

}  // namespace

std::string Story::file_name() const {
  const std::string& path = profile.source_name;
  return path.substr(path.find_last_of('/') + 1);
}

NumberStyle StyleOf(const analysis::Profile& profile, const std::string& name, Audience audience) {
  for (const analysis::ColumnProfile& c : profile.columns) {
    if (c.schema.name != name) continue;
    // A rate kept as 0–1 (a discount of 0.2) is written as a percentage (20%).
    if (c.schema.unit == table::Unit::kNone && c.min && c.max && *c.min >= 0 && *c.max <= 1 &&
        table::NameSuggestsRate(name)) {
      return {table::Unit::kPercent, "", audience, 100};
    }
    return {c.schema.unit, c.schema.currency_symbol, audience};
  }
  return {table::Unit::kNone, "", audience};
}

Story BuildStory(analysis::Profile profile, const StoryOptions& options) {
  Story story;
  story.title = options.title.empty() ? TitleFromFile(profile.source_name) : options.title;
  story.audience = options.audience;
  story.report = analysis::DetectInsights(profile, options.insights);
  story.profile = std::move(profile);
  int k = options.max_findings > 0 ? options.max_findings : DefaultFindings(options.audience);
  story.chosen = ChooseInsights(story.report, story.profile, options.audience, k);
  if (options.on_step) options.on_step(StoryStep::kCharting);

  Writer writer(story, options.audience);
  for (const Insight& in : story.report.insights) {
    story.insight_texts.push_back(writer.Headline(in));
  }
  for (int index : story.chosen) {
    const Insight& in = story.report.insights[index];
    Finding f;
    f.insight_id = in.id;
    f.headline = writer.Headline(in);
    f.detail = writer.Detail(in);
    std::string type = ChartType(in.evidence.shape);
    if (!type.empty()) {
      Chart chart;
      chart.id = "c" + std::to_string(story.charts.size() + 1);
      chart.insight_id = in.id;
      chart.type = type;
      chart.title = ChartTitle(in);
      chart.title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(chart.title[0])));
      chart.y_style = in.aggregation == "count" || in.columns.empty() ||
                              in.evidence.shape == Evidence::Shape::kStack
                          ? NumberStyle{table::Unit::kNone, "", options.audience}
                          : StyleOf(story.profile, in.columns[0], options.audience);
      if (in.type == InsightType::kOutcomeByGroup || in.type == InsightType::kMargin) {
        // rates and margins, drawn in percent
        chart.y_style = {table::Unit::kPercent, "", options.audience};
      }
      chart.evidence = in.evidence;
      f.chart_id = chart.id;
      story.charts.push_back(std::move(chart));
    }
    story.findings.push_back(std::move(f));
  }
  if (options.on_step) options.on_step(StoryStep::kWriting);
  story.recommendations = writer.Recommend(story.chosen);

  story.key_figures = KeyFigures(story);
  story.narratives.summary = writer.Summary(story.chosen, story.findings);
  // Insight ids ([i3]) tie a sentence to its statistics: for technical readers only.
  const bool ids = options.audience == Audience::kTechnical;
  for (const Finding& f : story.findings) {
    story.narratives.key_findings += "- " + f.headline;
    if (!f.detail.empty()) story.narratives.key_findings += " " + f.detail;
    story.narratives.key_findings += ids ? " [" + f.insight_id + "]\n" : "\n";
  }
  if (story.findings.empty()) {
    story.narratives.key_findings =
        "- No finding passed the checks: nothing in the data stands out clearly enough.\n";
  }
  for (const Recommendation& r : story.recommendations) {
    story.narratives.recommendations += "- " + r.text;
    if (ids) {
      story.narratives.recommendations += " [";
      for (size_t i = 0; i < r.insight_ids.size(); ++i) {
        story.narratives.recommendations += (i ? ", " : "") + r.insight_ids[i];
      }
      story.narratives.recommendations += "]";
    }
    story.narratives.recommendations += "\n";
  }
  if (story.recommendations.empty()) {
    story.narratives.recommendations =
        "- No recommendation: no finding is strong enough to act on. More rows, a longer period "
        "or a date column would let more be tested.\n";
  }
  return story;
}

}  // namespace datastory::story
