// An OpenAI-compatible chat-completions client (POST {base}/chat/completions), the production
// side of story::ChatModel. libcurl underneath; one request per Complete, no retries: the
// caller falls back to the built-in text instead of waiting longer.
#ifndef DATASTORY_LLM_CHAT_CLIENT_H_
#define DATASTORY_LLM_CHAT_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "datastory/result.h"
#include "story/rephrase.h"

namespace datastory::llm {

struct ChatConfig {
  std::string base_url;  // e.g. http://127.0.0.1:8000/v1
  std::string api_key;   // sent as a bearer token when set
  std::string model = "gpt-4o-mini";
  int timeout_seconds = 30;
};

// From LLM_BASE_URL, LLM_API_KEY, LLM_MODEL and LLM_TIMEOUT_SECONDS, read through `getenv`
// (config::Environment::Lookup). Empty when LLM_BASE_URL is unset; fails, naming the variable,
// when a value is malformed.
Result<std::optional<ChatConfig>> ChatConfigFrom(
    const std::function<const char*(const char*)>& getenv);

// Thread-compatible: one request at a time per instance.
std::unique_ptr<story::ChatModel> MakeChatClient(ChatConfig config);

}  // namespace datastory::llm

#endif  // DATASTORY_LLM_CHAT_CLIENT_H_
