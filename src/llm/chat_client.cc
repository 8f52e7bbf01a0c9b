#include "llm/chat_client.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "llm/curl_api.h"

namespace datastory::llm {
namespace {

using nlohmann::json;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// RAII for the handle and header list of one request.
struct CurlRequest {
  explicit CurlRequest(const CurlApi& api) : api(api), curl(api.easy_init()) {}
  ~CurlRequest() {
    api.slist_free_all(headers);
    if (curl) api.easy_cleanup(curl);
  }
  const CurlApi& api;
  CURL* curl;
  curl_slist* headers = nullptr;
};

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

    DS_ASSIGN_OR_RETURN(const CurlApi* api, LoadCurl());
    CurlRequest request(*api);
    if (!request.curl) return Status::Internal("cannot start an HTTP request");
    request.headers = api->slist_append(request.headers, "Content-Type: application/json");
    std::string authorization;
    if (!config_.api_key.empty()) {
      authorization = "Authorization: Bearer " + config_.api_key;
      request.headers = api->slist_append(request.headers, authorization.c_str());
    }
    std::string response;
    CURL* c = request.curl;
    // Through a function pointer: the arguments must have exactly the types libcurl reads.
    using WriteCallback = size_t (*)(char*, size_t, size_t, void*);
    api->easy_setopt(c, CURLOPT_URL, url.c_str());
    api->easy_setopt(c, CURLOPT_HTTPHEADER, request.headers);
    api->easy_setopt(c, CURLOPT_POSTFIELDS, payload.data());
    // NOLINTNEXTLINE(google-runtime-int): libcurl's options take long
    api->easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    api->easy_setopt(c, CURLOPT_WRITEFUNCTION, static_cast<WriteCallback>(Append));
    api->easy_setopt(c, CURLOPT_WRITEDATA, static_cast<void*>(&response));
    // NOLINTNEXTLINE(google-runtime-int): libcurl's options take long
    api->easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout_seconds));
    api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode code = api->easy_perform(c);
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return Status::Unavailable("no answer within " + std::to_string(config_.timeout_seconds) +
                                 " s from " + url);
    }
    if (code != CURLE_OK) {
      return Status::Unavailable(url + ": " + api->easy_strerror(code));
    }
    long status = 0;  // NOLINT(google-runtime-int): what CURLINFO_RESPONSE_CODE writes
    api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      return Status::Unavailable(url + " answered HTTP " + std::to_string(status) + ": " +
                                 response.substr(0, 200));
    }
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
};

}  // namespace

Result<std::optional<ChatConfig>> ChatConfigFromEnvironment() {
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
