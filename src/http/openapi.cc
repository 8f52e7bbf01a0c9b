// The OpenAPI 3 document served at /api/v1/openapi.json. The operations are listed here once;
// src/http/router_test.cc checks that they are exactly the routes AddApiRoutes adds.
#include <nlohmann/json.hpp>

#include "http/api.h"

namespace datastory::http {
namespace {

using nlohmann::json;

struct Operation {
  const char* method;
  const char* path;  // OpenAPI's form: {id}
  const char* summary;
  int success;
  bool authenticated;
};

constexpr Operation kOperations[] = {
    {"get", "/healthz", "The process is up", 200, false},
    {"get", "/readyz", "The database and the storage answer", 200, false},
    {"get", "/metrics", "Prometheus metrics", 200, false},
    {"get", "/api/v1/openapi.json", "This document", 200, false},
    {"post", "/api/v1/auth/register", "Create an account (and log in)", 201, false},
    {"post", "/api/v1/auth/login", "Log in: a session cookie", 200, false},
    {"post", "/api/v1/auth/logout", "Log out: the session ends", 204, true},
    {"get", "/api/v1/me", "The account and its usage", 200, true},
    {"delete", "/api/v1/me", "Delete the account with everything it owns", 204, true},
    {"get", "/api/v1/me/usage", "Stories this month against the tier's limits", 200, true},
    {"post", "/api/v1/me/password", "Change the password (every session ends)", 200, true},
    {"get", "/api/v1/me/sessions", "The live sessions", 200, true},
    {"delete", "/api/v1/me/sessions/{id}", "End a session", 204, true},
    {"post", "/api/v1/me/tokens", "Create an API token (shown once)", 201, true},
    {"get", "/api/v1/me/tokens", "The API tokens", 200, true},
    {"delete", "/api/v1/me/tokens/{id}", "Revoke an API token", 204, true},
    {"post", "/api/v1/uploads", "Upload a CSV: what was read comes back", 201, true},
    {"get", "/api/v1/uploads/{id}", "An upload and its preview", 200, true},
    {"post", "/api/v1/uploads/{id}/preview", "The preview again, with overrides", 200, true},
    {"delete", "/api/v1/uploads/{id}", "Delete an upload and its file", 204, true},
    {"post", "/api/v1/stories", "Start a story from an upload (or a CSV body)", 202, true},
    {"get", "/api/v1/stories", "The stories, newest first, by cursor", 200, true},
    {"get", "/api/v1/stories/{id}", "A story: the document of DESIGN.md §4", 200, true},
    {"patch", "/api/v1/stories/{id}", "Rename, share or unshare a story", 200, true},
    {"delete", "/api/v1/stories/{id}", "Delete a story", 204, true},
    {"get", "/api/v1/stories/{id}/export", "The story as html, md or json", 200, true},
    {"get", "/api/v1/stories/{id}/charts", "The story's charts drawn as SVG", 200, true},
    {"get", "/api/v1/jobs/{id}", "A story job's state", 200, true},
    {"post", "/api/v1/jobs/{id}/cancel", "Cancel a story job", 200, true},
    {"get", "/api/v1/jobs/{id}/events", "A job's progress as Server-Sent Events", 200, true},
    {"get", "/s/{token}", "A shared story's page", 200, false},
    {"get", "/api/v1/shared/{token}", "A shared story's document", 200, false},
    {"get", "/api/v1/shared/{token}/charts", "A shared story's charts drawn as SVG", 200, false},
};

}  // namespace

std::string OpenApiDocument() {
  json paths = json::object();
  for (const Operation& op : kOperations) {
    json responses = {{std::to_string(op.success), {{"description", "Success"}}},
                      {"default",
                       {{"description", "A problem (RFC 9457) with a stable code"},
                        {"content",
                         {{"application/problem+json",
                           {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}}}};
    json operation = {{"summary", op.summary}, {"responses", responses}};
    if (op.authenticated) {
      operation["security"] =
          json::array({{{"session", json::array()}}, {{"bearer", json::array()}}});
    }
    std::string path = op.path;
    json parameters = json::array();
    for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
      const std::string name = path.substr(at + 1, path.find('}', at) - at - 1);
      parameters.push_back(
          {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    if (!parameters.empty()) operation["parameters"] = parameters;
    paths[path][op.method] = operation;
  }
  json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "DataStory API"},
        {"version", "1"},
        {"description",
         "Upload a CSV, check what was read, and get its data story. docs/api.md "
         "has the details."}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "datastory_session"}}},
          {"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Problem",
           {{"type", "object"},
            {"properties",
             {{"type", {{"type", "string"}}},
              {"title", {{"type", "string"}}},
              {"status", {{"type", "integer"}}},
              {"detail", {{"type", "string"}}},
              {"code", {{"type", "string"}}}}}}}}}}}};
  return doc.dump(2);
}

}  // namespace datastory::http
