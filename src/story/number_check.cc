#include "story/number_check.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace datastory::story {
namespace {

using analysis::Fact;
using analysis::FactUnit;

// Hand-written scanners rather than std::regex: libstdc++'s regex recurses once per character
// matched, so a long run of digits in a column name would overflow the stack.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The end of the number that starts at `at` (a digit), read as \d[\d,]*(\.\d+)?.
size_t NumberEnd(std::string_view s, size_t at) {
  size_t j = at;
  while (j < s.size() && (IsDigit(s[j]) || s[j] == ',')) ++j;
  if (j + 1 < s.size() && s[j] == '.' && IsDigit(s[j + 1])) {
    ++j;
    while (j < s.size() && IsDigit(s[j])) ++j;
  }
  return j;
}

// The value of digits with an optional fraction, never throwing: a run too long for a double
// is infinite, which no fact equals.
double ParseDigits(std::string_view digits) {
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) return HUGE_VAL;
  return ec == std::errc() ? value : NAN;
}

// The length of an unbroken run of digits at `at` (0 when there is none).
size_t DigitsAt(std::string_view s, size_t at) {
  size_t j = at;
  while (j < s.size() && IsDigit(s[j])) ++j;
  return j - at;
}

// Half a unit of the last printed digit: "1.2M" → 0.05e6, "23" → 0.5.
double Tolerance(const std::string& digits, double scale) {
  size_t dot = digits.find('.');
  int decimals = dot == std::string::npos ? 0 : static_cast<int>(digits.size() - dot - 1);
  return 0.5 * std::pow(10.0, -decimals) * scale * (1 + 1e-9);
}

// The end of an insight reference "[i3]" or "[i3, i7]" at `at`, or npos.
size_t ReferenceEnd(std::string_view s, size_t at) {
  if (s.substr(at, 2) != "[i") return std::string_view::npos;
  size_t j = at + 2;
  for (;;) {
    const size_t n = DigitsAt(s, j);
    if (n == 0) return std::string_view::npos;
    j += n;
    if (j < s.size() && s[j] == ']') return j + 1;
    if (j >= s.size() || s[j] != ',') return std::string_view::npos;
    ++j;
    if (j < s.size() && s[j] == ' ') ++j;
    if (j >= s.size() || s[j] != 'i') return std::string_view::npos;
    ++j;
  }
}

// The end of "p < 0.001" (spaces optional) at `at`, or npos.
size_t TinyPEnd(std::string_view s, size_t at) {
  if (s[at] != 'p') return std::string_view::npos;
  size_t j = at + 1;
  if (j < s.size() && s[j] == ' ') ++j;
  if (j >= s.size() || s[j] != '<') return std::string_view::npos;
  ++j;
  if (j < s.size() && s[j] == ' ') ++j;
  return s.substr(j, 5) == "0.001" ? j + 5 : std::string_view::npos;
}

// Removes every match of `end_of` (a scanner as above) from `text`.
template <class Scanner>
std::string RemoveAll(const std::string& text, Scanner end_of) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t end = end_of(text, i);
    if (end == std::string_view::npos) {
      out += text[i++];
    } else {
      i = end;
    }
  }
  return out;
}

// A scale word after a number: K, M, B, T or thousand … trillion, ending a word.
struct ScaleWord {
  std::string_view word;
  double scale;
};
constexpr ScaleWord kScales[] = {{"K", 1e3},       {"M", 1e6},        {"B", 1e9},
                                 {"T", 1e12},      {"thousand", 1e3}, {"million", 1e6},
                                 {"billion", 1e9}, {"trillion", 1e12}};

// The scale word at `at` and its end, when one stands there.
const ScaleWord* ScaleAt(std::string_view s, size_t at, size_t* end) {
  for (const ScaleWord& w : kScales) {
    if (s.substr(at, w.word.size()) != w.word) continue;
    const size_t after = at + w.word.size();
    if (after < s.size() && IsWordChar(s[after])) continue;
    *end = after;
    return &w;
  }
  return nullptr;
}

}  // namespace

// Numbers inside names and labels, read both as separate digit runs ("1" and "234") and as
// the text check reads them ("1,234").
void FactIndex::AddDigits(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (!IsDigit(text[i])) {
      ++i;
      continue;
    }
    const size_t end = NumberEnd(text, i);
    const std::string_view match = text.substr(i, end - i);
    std::string joined;
    size_t start = 0;
    while (start < match.size()) {
      const size_t comma = match.find(',', start);
      const std::string_view part = match.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (!part.empty()) values_.push_back(ParseDigits(part));
      joined += part;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (!joined.empty()) values_.push_back(ParseDigits(joined));
    i = end;
  }
}

void FactIndex::AddName(const std::string& name) {
  AddDigits(name);
  // Only names mixing digits and letters hide numbers ("pm2.5", "23T"); a name that is a
  // number ("2015") is one, and its value was added above.
  const bool digit = name.find_first_of("0123456789") != std::string::npos;
  const bool letter =
      std::any_of(name.begin(), name.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
  if (!digit || !letter) return;
  names_.push_back(name);
  std::string spaced = name;  // as the writer shows column names: "unit_price" → "unit price"
  std::replace(spaced.begin(), spaced.end(), '_', ' ');
  if (spaced != name) names_.push_back(spaced);
}

FactIndex::FactIndex(const Story& story) {
  const analysis::InsightReport& report = story.report;
  for (const analysis::Insight& in : report.insights) {
    // A rate kept as 0–1 is written in percent (StyleOf): its measure facts, times 100.
    const double scale =
        in.columns.empty() ? 1 : StyleOf(story.profile, in.columns[0], Audience::kTechnical).scale;
    for (const Fact& f : in.facts) {
      if (!f.label.empty()) {
        AddName(f.label);
        continue;
      }
      if (f.unit == FactUnit::kTime) {
        const auto seconds = static_cast<int64_t>(f.value);
        AddDigits(analysis::FormatBucket(seconds, f.grain));
        AddDigits(analysis::FormatBucketIso(seconds, f.grain));
        continue;
      }
      if (std::isnan(f.value)) continue;
      values_.push_back(f.value);
      values_.push_back(std::fabs(f.value));
      if (f.unit == FactUnit::kMeasure && scale != 1) {
        values_.push_back(f.value * scale);
        values_.push_back(std::fabs(f.value * scale));
      }
      if (f.unit == FactUnit::kShare) {
        values_.push_back(f.value * 100);
        shares_.push_back(f.value);
      }
      if (f.unit == FactUnit::kPValue && f.value < 0.001) tiny_p_ = true;
    }
    for (const std::string& c : in.columns) AddName(c);
    for (const auto& [dimension, category] : in.subspace) {
      AddName(dimension);
      AddName(category);
    }
  }
  for (const analysis::MeasureStatistic& m : report.measures) values_.push_back(m.total);
  values_.push_back(static_cast<double>(story.profile.rows));
  values_.push_back(static_cast<double>(story.profile.columns.size()));
  values_.push_back(report.tests);
  values_.push_back(report.rejected);
  values_.push_back(analysis::InsightReport::kMinTrendBuckets);
  if (report.time_start && report.time_end) {
    for (int64_t t : {*report.time_start, *report.time_end}) {
      AddDigits(analysis::FormatBucket(t, report.grain));
      AddDigits(analysis::FormatBucketIso(t, report.grain));
    }
  }
  for (const analysis::ColumnProfile& c : story.profile.columns) AddName(c.schema.name);
  AddName(story.title);
  AddName(story.file_name());
  // Longest first, so "Q3 2024 target" goes before "Q3".
  std::sort(names_.begin(), names_.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
}

std::vector<std::string> FactIndex::Untraced(std::string_view input) const {
  std::string text(input);
  // Names are blanked out where they stand as words (not inside a longer word or number).
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (const std::string& name : names_) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
      size_t end = at + name.size();
      if ((at > 0 && word_char(text[at - 1])) || (end < text.size() && word_char(text[end]))) {
        continue;
      }
      text.replace(at, name.size(), " ");
    }
  }
  text = RemoveAll(text, ReferenceEnd);
  if (tiny_p_) text = RemoveAll(text, TinyPEnd);
  std::vector<std::string> untraced;
  // "about 1 in 3": a share, checked as one.
  for (size_t at = text.find("about "); at != std::string::npos; at = text.find("about ", at)) {
    const size_t numerator = at + 6, n = DigitsAt(text, numerator);
    const size_t in = numerator + n;
    const size_t denominator = in + 4, d = n > 0 ? DigitsAt(text, denominator) : 0;
    if (n == 0 || text.compare(in, 4, " in ") != 0 || d == 0) {
      at += 6;
      continue;
    }
    const double f = ParseDigits(std::string_view(text).substr(numerator, n)) /
                     ParseDigits(std::string_view(text).substr(denominator, d));
    const bool ok = std::any_of(shares_.begin(), shares_.end(),
                                [&](double s) { return std::fabs(s - f) <= 0.03; });
    if (!ok) untraced.push_back(text.substr(at, denominator + d - at));
    text.replace(at, denominator + d - at, " ");
  }
  for (size_t i = 0; i < text.size();) {
    if (!IsDigit(text[i])) {
      ++i;
      continue;
    }
    const size_t number_end = NumberEnd(text, i);
    std::string digits = text.substr(i, number_end - i);
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    size_t end = number_end;
    double scale = 1;
    size_t word_end = 0;
    const ScaleWord* word = nullptr;
    if (number_end < text.size() && std::isspace(static_cast<unsigned char>(text[number_end]))) {
      word = ScaleAt(text, number_end + 1, &word_end);
    }
    if (!word) word = ScaleAt(text, number_end, &word_end);
    if (word) {
      scale = word->scale;
      end = word_end;
    }
    if (end < text.size() && text[end] == '%') ++end;
    const std::string printed_text = text.substr(i, end - i);
    i = end;
    if (digits.empty()) continue;
    const double printed = ParseDigits(digits) * scale;
    const double tolerance = Tolerance(digits, scale);
    const bool ok = std::any_of(values_.begin(), values_.end(), [&](double v) {
      return std::fabs(std::fabs(v) - printed) <= tolerance + 1e-9 * std::fabs(v);
    });
    if (!ok) untraced.push_back(printed_text);
  }
  return untraced;
}

}  // namespace datastory::story
