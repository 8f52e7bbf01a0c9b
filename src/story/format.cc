#include "story/format.h"

#include <cmath>
#include <cstdio>

namespace datastory::story {

std::string_view AudienceName(Audience audience) {
  switch (audience) {
    case Audience::kExecutive:
      return "executive";
    case Audience::kTechnical:
      return "technical";
    case Audience::kGeneral:
      return "general";
  }
  return "executive";
}

namespace {

// Thousands separators for an integer string (with optional sign).
std::string Group(std::string digits) {
  size_t start = digits[0] == '-' ? 1 : 0;
  size_t dot = digits.find('.');
  size_t end = dot == std::string::npos ? digits.size() : dot;
  for (int i = static_cast<int>(end) - 3; i > static_cast<int>(start); i -= 3) {
    digits.insert(static_cast<size_t>(i), ",");
  }
  return digits;
}

// `value` to `significant` digits, without trailing zeros after the point.
std::string Significant(double value, int significant) {
  if (value == 0) return "0";
  int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  int decimals = std::max(0, significant - 1 - magnitude);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return Group(s);
}

}  // namespace

std::string FormatMeasure(double value, const NumberStyle& style) {
  if (std::isnan(value)) return "n/a";
  value *= style.scale;
  if (std::isinf(value)) return value > 0 ? "infinity" : "minus infinity";
  const int digits = style.audience == Audience::kTechnical ? 4 : 3;
  const double a = std::fabs(value);
  std::string body;
  if (a >= 1e4) {
    static constexpr struct {
      double scale;
      const char* suffix;
    } kScales[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}};
    for (const auto& s : kScales) {
      if (a >= s.scale) {
        body = Significant(value / s.scale, digits) + s.suffix;
        break;
      }
    }
  } else if (a >= 100) {
    // Whole numbers for readers; technical readers keep 4 significant digits.
    body = style.audience == Audience::kTechnical ? Significant(value, std::max(digits, 4))
                                                  : Significant(std::round(value), 5);
  } else {
    body = Significant(value, digits);
  }
  if (style.unit == table::Unit::kPercent) return body + "%";
  if (style.unit == table::Unit::kCurrency && !style.currency_symbol.empty()) {
    if (!body.empty() && body[0] == '-') return "-" + style.currency_symbol + body.substr(1);
    return style.currency_symbol + body;
  }
  return body;
}

std::string FormatCount(double value) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.0f", value);
  return Group(buf);
}

std::string FormatShare(double share, Audience audience) {
  // A negative share (a margin below zero) keeps its sign.
  if (share < 0) return "-" + FormatShare(-share, audience);
  // A share that is not all (or not none) is never written as 100% (or 0%): more decimals.
  std::string text = FormatPercent(share * 100, audience);
  for (int decimals = 1; decimals <= 3; ++decimals) {
    bool all = share < 1 && (text == "100%" || text == "100.0%" || text.rfind("100.", 0) == 0);
    bool none = share > 0 && text.find_first_not_of("0.%") == std::string::npos;
    if (!all && !none) break;
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.*f%%", decimals + 1, share * 100);
    text = buf;
  }
  return text;
}

std::string FormatPercent(double percent, Audience audience) {
  double a = std::fabs(percent);
  char buf[64];
  if (audience == Audience::kTechnical || a < 1) {
    std::snprintf(buf, sizeof(buf), "%.1f", a);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0f", a);
  }
  return Group(buf) + "%";
}

std::string FormatRatio(double ratio) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), ratio >= 10 ? "%.0f times" : "%.1f times", ratio);
  return buf;
}

std::string FormatCoefficient(double value, Audience audience) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), audience == Audience::kTechnical ? "%.3f" : "%.2f", value);
  std::string s = buf;
  if (s == "-0.00" || s == "-0.000") s = s.substr(1);
  return s;
}

std::string FormatPValue(double p) {
  if (p < 0.001) return "p < 0.001";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "p = %.3f", p);
  return buf;
}

std::string ShareInWords(double share, Audience audience) {
  if (audience == Audience::kGeneral) {
    // The simplest fraction n/d (d <= 10) within 2 points of the share.
    for (int d = 2; d <= 10; ++d) {
      int n = static_cast<int>(std::lround(share * d));
      if (n <= 0 || n >= d) continue;
      if (std::fabs(static_cast<double>(n) / d - share) <= 0.02) {
        if (d == 2 && n == 1) return "about half";
        return "about " + std::to_string(n) + " in " + std::to_string(d);
      }
    }
  }
  return FormatShare(share, audience);
}

std::string FormatFact(const analysis::Fact& fact, const NumberStyle& style) {
  using analysis::FactUnit;
  if (!fact.label.empty()) return fact.label;
  switch (fact.unit) {
    case FactUnit::kMeasure:
      return FormatMeasure(fact.value, style);
    case FactUnit::kCount:
      return FormatCount(fact.value);
    case FactUnit::kShare:
      return FormatShare(fact.value, style.audience);
    case FactUnit::kPercent:
      return FormatPercent(fact.value, style.audience);
    case FactUnit::kTime:
      return analysis::FormatBucket(static_cast<int64_t>(fact.value), fact.grain);
    case FactUnit::kRatio:
      return FormatRatio(fact.value);
    case FactUnit::kCoefficient:
      return FormatCoefficient(fact.value, style.audience);
    case FactUnit::kPValue:
      return FormatPValue(fact.value);
  }
  return "";
}

}  // namespace datastory::story
