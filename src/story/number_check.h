// The check that text says no number the data does not support: every number printed in a
// narrative must be, after the rounding it was printed with, a fact of the story (an insight's
// fact, a count of the dataset, a date of the time axis) or part of a name (a column, a category,
// the title). Used on whatever an LLM writes before it may replace the built-in text.
#ifndef DATASTORY_STORY_NUMBER_CHECK_H_
#define DATASTORY_STORY_NUMBER_CHECK_H_

#include <string>
#include <string_view>
#include <vector>

#include "story/story.h"

namespace datastory::story {

class FactIndex {
 public:
  explicit FactIndex(const Story& story);

  // The numbers in `text` that no fact supports, as printed ("25%", "1.3M", "about 1 in 2"), in
  // order. Understands thousands separators, K/M/B/T and the words thousand, million, billion,
  // "about n in d" fractions, "p < 0.001", and [i3] references (ignored). Digits inside the
  // story's names (a column "pm2.5", a category "Q3 2024", the title) are not numbers.
  std::vector<std::string> Untraced(std::string_view text) const;

 private:
  void AddDigits(std::string_view text);
  void AddName(const std::string& name);

  std::vector<double> values_;
  std::vector<std::string> names_;  // column names, categories, the title: text, not numbers
  std::vector<double> shares_;
  bool tiny_p_ = false;
};

}  // namespace datastory::story

#endif  // DATASTORY_STORY_NUMBER_CHECK_H_
