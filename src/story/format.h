// Numbers and dates written for people, for each audience. Every number in a narrative goes
// through these functions from a Fact, so the check that text matches facts can rely on their
// rounding rules (docs/insights.md lists them).
#ifndef DATASTORY_STORY_FORMAT_H_
#define DATASTORY_STORY_FORMAT_H_

#include <string>
#include <string_view>

#include "analysis/insight.h"
#include "table/schema.h"

namespace datastory::story {

enum class Audience { kExecutive, kTechnical, kGeneral };
std::string_view AudienceName(Audience audience);  // "executive", "technical", "general"

// How a measure's values are written: its unit and currency symbol.
struct NumberStyle {
  table::Unit unit = table::Unit::kNone;
  std::string currency_symbol;
  Audience audience = Audience::kExecutive;
  double scale = 1;  // values are written times this: 100 for a rate kept as 0–1, in percent
};

// A measure value: "$1.2M", "12,345", "3.14", "45.2%" (percent-unit measures). Executive and
// general readers get 2–3 significant digits with K/M/B past 10,000; technical readers 4.
std::string FormatMeasure(double value, const NumberStyle& style);
// A plain quantity with thousands separators: "12,345".
std::string FormatCount(double value);
// A share 0–1 as a percentage: "23%" ("23.4%" for technical readers; "0.4%" below 1%). A
// negative one (a margin) keeps its sign: "-12%".
std::string FormatShare(double share, Audience audience);
// A change in percent, without sign: "23%" (technical: "23.4%").
std::string FormatPercent(double percent, Audience audience);
// "2.4 times".
std::string FormatRatio(double ratio);
// A coefficient to 2 decimals (technical: 3): "0.84", "-0.31".
std::string FormatCoefficient(double value, Audience audience);
// "p < 0.001" or "p = 0.023".
std::string FormatPValue(double p);
// A share as words for general readers: "about 3 in 4", "about 1 in 5", or a percentage when no
// simple fraction is close.
std::string ShareInWords(double share, Audience audience);

// Any fact, by its unit.
std::string FormatFact(const analysis::Fact& fact, const NumberStyle& style);

}  // namespace datastory::story

#endif  // DATASTORY_STORY_FORMAT_H_
