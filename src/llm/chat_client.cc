#include "llm/chat_client.h"

#include <nlohmann/json.hpp>

#include "net/http_client.h"

namespace datastory::llm {
namespace {

using nlohmann::json;

class ChatClient final : public story::ChatModel {
 public:
  explicit ChatClient(ChatConfig config) : config_(std::move(config)) {}

  std::string name() const override { return config_.model; }

  Result<std::string> Complete(const std::string& system_prompt,
                               const std::string& user_prompt) override {
    json body = {{"model", config_.model},
                 {"temperature", 0},
                 {"messages",
                  {{{"role", "system"}, {"content", system_prompt}},
                   {{"role", "user"}, {"content", user_prompt}}}}};
    const std::string payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string url = config_.base_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/chat/completions";

    net::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers = {{"Content-Type", "application/json"}};
    if (!config_.api_key.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
    }
    request.body = payload;
    request.timeout_ms = int64_t{config_.timeout_seconds} * 1000;
    DS_ASSIGN_OR_RETURN(net::HttpResponse answer, http_.Send(request));
    if (answer.status != 200) {
      return Status::Unavailable(url + " answered HTTP " + std::to_string(answer.status) + ": " +
                                 answer.body.substr(0, 200));
    }
    const std::string& response = answer.body;
    json parsed = json::parse(response, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("choices") || !parsed["choices"].is_array() ||
        parsed["choices"].empty() || !parsed["choices"][0].contains("message") ||
        !parsed["choices"][0]["message"].contains("content") ||
        !parsed["choices"][0]["message"]["content"].is_string()) {
      return Status::Unavailable(url + " answered without choices[0].message.content");
    }
    return parsed["choices"][0]["message"]["content"].get<std::string>();
  }

 private:
  ChatConfig config_;
  net::HttpClient http_;
};

}  // namespace

Result<std::optional<ChatConfig>> ChatConfigFrom(
    const std::function<const char*(const char*)>& getenv) {
  auto Env = [&](const char* name) {
    const char* v = getenv(name);
    return std::string(v ? v : "");
  };
  ChatConfig config;
  config.base_url = Env("LLM_BASE_URL");
  if (config.base_url.empty()) return std::optional<ChatConfig>();
  if (config.base_url.rfind("http://", 0) != 0 && config.base_url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("LLM_BASE_URL must start with http:// or https://, got \"" +
                                   config.base_url + "\"");
  }
  config.api_key = Env("LLM_API_KEY");
  if (std::string model = Env("LLM_MODEL"); !model.empty()) config.model = model;
  if (std::string timeout = Env("LLM_TIMEOUT_SECONDS"); !timeout.empty()) {
    char* end = nullptr;
    const int64_t seconds = std::strtoll(timeout.c_str(), &end, 10);
    if (*end != '\0' || seconds < 1 || seconds > 600) {
      return Status::InvalidArgument(
          "LLM_TIMEOUT_SECONDS must be a whole number of seconds "
          "from 1 to 600, got \"" +
          timeout + "\"");
    }
    config.timeout_seconds = static_cast<int>(seconds);
  }
  return std::optional<ChatConfig>(std::move(config));
}

std::unique_ptr<story::ChatModel> MakeChatClient(ChatConfig config) {
  return std::make_unique<ChatClient>(std::move(config));
}

}  // namespace datastory::llm
