// Rephrasing a story's narratives with a language model, safely. The model sees only the fact
// list and the built-in text; each section it writes is kept only when every number in it
// traces to a fact (story/number_check.h), and the built-in section stays otherwise. Errors and
// timeouts keep the built-in text too. What happened is recorded in Story::writer and
// Story::writer_notes, so a reader can see which text a model wrote.
#ifndef DATASTORY_STORY_REPHRASE_H_
#define DATASTORY_STORY_REPHRASE_H_

#include <string>

#include "datastory/result.h"
#include "story/story.h"

namespace datastory::story {

// The port to a chat model (an OpenAI-compatible endpoint in production, a stub in tests).
class ChatModel {
 public:
  virtual ~ChatModel() = default;
  // The model's answer to one system and one user message. Fails on transport errors,
  // timeouts and non-success answers, with a message saying which.
  virtual Result<std::string> Complete(const std::string& system_prompt,
                                       const std::string& user_prompt) = 0;
  virtual std::string name() const = 0;  // for Story::writer, e.g. "gpt-4o-mini"
};

// The messages sent: the instructions, and the facts with the built-in text as JSON.
std::string RephraseSystemPrompt(Audience audience);
std::string RephraseUserPrompt(const Story& story);

// Replaces the narratives of `story` with the model's where they are faithful.
void RephraseNarratives(Story& story, ChatModel& model);

}  // namespace datastory::story

#endif  // DATASTORY_STORY_REPHRASE_H_
