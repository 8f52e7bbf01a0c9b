#include "story/rephrase.h"

#include <nlohmann/json.hpp>

#include "story/number_check.h"

namespace datastory::story {
namespace {

using nlohmann::json;

// A model may wrap its JSON in a Markdown fence.
std::string StripFence(std::string text) {
  size_t open = text.find("```");
  if (open == std::string::npos) return text;
  size_t start = text.find('\n', open);
  size_t close = text.rfind("```");
  if (start == std::string::npos || close <= start) return text;
  return text.substr(start + 1, close - start - 1);
}

}  // namespace

std::string RephraseSystemPrompt(Audience audience) {
  return "You rewrite the narratives of a data story for a " + std::string(AudienceName(audience)) +
         " reader. Use only the facts you are given: do not add any number, date or claim that "
         "is not among them, do not say why something happened, and keep every [i<n>] "
         "reference. Answer with one JSON object with the string keys \"summary\", "
         "\"keyFindings\" and \"recommendations\"; in keyFindings and recommendations, one item "
         "per line, each line starting with \"- \".";
}

std::string RephraseUserPrompt(const Story& story) {
  json facts = json::array();
  for (size_t i = 0; i < story.report.insights.size(); ++i) {
    const analysis::Insight& in = story.report.insights[i];
    bool chosen = false;
    for (int c : story.chosen) chosen |= c == static_cast<int>(i);
    if (!chosen) continue;
    json f = {{"id", in.id},
              {"type", std::string(analysis::InsightTypeName(in.type))},
              {"statement", story.insight_texts[i]}};
    if (!in.caveats.empty()) f["caveats"] = in.caveats;
    facts.push_back(f);
  }
  json prompt = {{"title", story.title},
                 {"audience", std::string(AudienceName(story.audience))},
                 {"rows", story.profile.rows},
                 {"columns", story.profile.columns.size()},
                 {"facts", facts},
                 {"limitations", story.report.limitations},
                 {"narratives",
                  {{"summary", story.narratives.summary},
                   {"keyFindings", story.narratives.key_findings},
                   {"recommendations", story.narratives.recommendations}}}};
  return prompt.dump(1, ' ', false, json::error_handler_t::replace);
}

void RephraseNarratives(Story& story, ChatModel& model) {
  const std::string who = "the model " + model.name();
  auto answer = model.Complete(RephraseSystemPrompt(story.audience), RephraseUserPrompt(story));
  if (!answer.ok()) {
    story.writer_notes.push_back(who + " did not answer (" + answer.status().message() +
                                 "); the built-in text is used");
    return;
  }
  json parsed = json::parse(StripFence(*answer), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    story.writer_notes.push_back(who +
                                 " did not answer with the JSON object asked for; the "
                                 "built-in text is used");
    return;
  }
  const FactIndex facts(story);
  struct Section {
    const char* key;
    std::string* text;
  };
  Section sections[] = {{"summary", &story.narratives.summary},
                        {"keyFindings", &story.narratives.key_findings},
                        {"recommendations", &story.narratives.recommendations}};
  int kept = 0;
  for (Section& s : sections) {
    const json& value = parsed.contains(s.key) ? parsed[s.key] : json();
    if (!value.is_string() || value.get<std::string>().empty()) {
      story.writer_notes.push_back(std::string(s.key) + ": " + who +
                                   " gave no text; the built-in text is used");
      continue;
    }
    std::string text = value.get<std::string>();
    std::vector<std::string> untraced = facts.Untraced(text);
    if (!untraced.empty()) {
      std::string list;
      for (size_t i = 0; i < untraced.size() && i < 3; ++i) list += (i ? ", " : "") + untraced[i];
      std::string note = std::string(s.key) + ": " + who + " wrote ";
      note += list;
      note += ", which no fact supports; the built-in text is used";
      story.writer_notes.push_back(std::move(note));
      continue;
    }
    if (!text.empty() && text.back() != '\n' && s.text->back() == '\n') text += '\n';
    *s.text = std::move(text);
    ++kept;
  }
  if (kept > 0) story.writer = "built-in, rephrased by " + model.name();
}

}  // namespace datastory::story
