#include "story/number_check.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <regex>

namespace datastory::story {
namespace {

using analysis::Fact;
using analysis::FactUnit;

// Half a unit of the last printed digit: "1.2M" → 0.05e6, "23" → 0.5.
double Tolerance(const std::string& digits, double scale) {
  size_t dot = digits.find('.');
  int decimals = dot == std::string::npos ? 0 : static_cast<int>(digits.size() - dot - 1);
  return 0.5 * std::pow(10.0, -decimals) * scale * (1 + 1e-9);
}

}  // namespace

// Numbers inside names and labels, read both as separate digit runs ("1" and "234") and as
// the text check reads them ("1,234").
void FactIndex::AddDigits(std::string_view text) {
  static const std::regex number(R"(\d[\d,]*(\.\d+)?)");
  std::string s(text);
  for (std::sregex_iterator it(s.begin(), s.end(), number), end; it != end; ++it) {
    std::string digits = it->str();
    size_t start = 0;
    while (start < digits.size()) {
      size_t comma = digits.find(',', start);
      std::string part =
          digits.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) values_.push_back(std::stod(part));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    if (!digits.empty()) values_.push_back(std::stod(digits));
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
  text = std::regex_replace(text, std::regex(R"(\[i\d+(, ?i\d+)*\])"), "");
  if (tiny_p_) text = std::regex_replace(text, std::regex(R"(p ?< ?0\.001)"), "");
  std::vector<std::string> untraced;
  static const std::regex fraction(R"(about (\d+) in (\d+))");
  std::smatch m;
  while (std::regex_search(text, m, fraction)) {
    double f = std::stod(m[1]) / std::stod(m[2]);
    bool ok = std::any_of(shares_.begin(), shares_.end(),
                          [&](double s) { return std::fabs(s - f) <= 0.03; });
    if (!ok) untraced.push_back(m.str());
    text = m.prefix().str() + " " + m.suffix().str();
  }
  static const std::regex number(
      R"((\d[\d,]*(?:\.\d+)?)(?:\s?(K|M|B|T|thousand|million|billion|trillion)\b)?%?)");
  for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it) {
    std::string digits = (*it)[1];
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    if (!digits.empty() && digits.back() == '.') digits.pop_back();
    if (digits.empty()) continue;
    const std::string suffix = (*it)[2];
    const double scale = suffix == "K" || suffix == "thousand"   ? 1e3
                         : suffix == "M" || suffix == "million"  ? 1e6
                         : suffix == "B" || suffix == "billion"  ? 1e9
                         : suffix == "T" || suffix == "trillion" ? 1e12
                                                                 : 1;
    const double printed = std::stod(digits) * scale;
    const double tolerance = Tolerance(digits, scale);
    bool ok = std::any_of(values_.begin(), values_.end(), [&](double v) {
      return std::fabs(std::fabs(v) - printed) <= tolerance + 1e-9 * std::fabs(v);
    });
    if (!ok) untraced.push_back(it->str());
  }
  return untraced;
}

}  // namespace datastory::story
