#include "story/number_check.h"

#include <algorithm>
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

void FactIndex::AddDigits(std::string_view text) {
  static const std::regex number(R"(\d+(\.\d+)?)");
  std::string s(text);
  for (std::sregex_iterator it(s.begin(), s.end(), number), end; it != end; ++it) {
    values_.push_back(std::stod(it->str()));
  }
}

FactIndex::FactIndex(const Story& story) {
  const analysis::InsightReport& report = story.report;
  for (const analysis::Insight& in : report.insights) {
    for (const Fact& f : in.facts) {
      if (!f.label.empty()) {
        AddDigits(f.label);
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
    for (const std::string& c : in.columns) AddDigits(c);
    for (const auto& [dimension, category] : in.subspace) {
      AddDigits(dimension);
      AddDigits(category);
    }
  }
  values_.push_back(static_cast<double>(story.profile.rows));
  values_.push_back(static_cast<double>(story.profile.columns.size()));
  values_.push_back(report.tests);
  values_.push_back(report.rejected);
  if (report.time_start && report.time_end) {
    for (int64_t t : {*report.time_start, *report.time_end}) {
      AddDigits(analysis::FormatBucket(t, report.grain));
      AddDigits(analysis::FormatBucketIso(t, report.grain));
    }
  }
  for (const analysis::ColumnProfile& c : story.profile.columns) AddDigits(c.schema.name);
  AddDigits(story.title);
  AddDigits(story.file_name());
}

std::vector<std::string> FactIndex::Untraced(std::string_view input) const {
  std::string text(input);
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
