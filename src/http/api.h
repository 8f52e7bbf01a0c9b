// The routes of the JSON API under /api/v1/, the share links under /s/, and the operational
// endpoints (/healthz, /readyz, /metrics): each handler parses, calls a service, and answers.
// docs/api.md and /api/v1/openapi.json describe them; a test checks that the two agree.
#ifndef DATASTORY_HTTP_API_H_
#define DATASTORY_HTTP_API_H_

#include <functional>
#include <string>

#include "blob/blob_store.h"
#include "http/metrics.h"
#include "http/router.h"
#include "service/accounts.h"
#include "service/stories.h"
#include "store/store.h"

namespace datastory::http {

struct ApiContext {
  service::AccountService* accounts = nullptr;
  service::StoryService* stories = nullptr;
  store::Store* store = nullptr;  // /readyz and the metrics' gauges
  blob::BlobStore* blobs = nullptr;
  Metrics* metrics = nullptr;
  std::string public_url;  // share links, the same-origin check, Secure cookies
  bool secure_cookies = false;
  int uploads_per_hour = 30;  // per account; per address twice that
  // A job was enqueued (the in-process workers look at once).
  std::function<void()> on_enqueue;
};

// The session cookie's name: "__Host-datastory_session" behind HTTPS (bound to the host, sent
// over HTTPS only), "datastory_session" on plain HTTP.
std::string SessionCookieName(bool secure);

// Adds every route to `router`. `context`'s pointers must outlive the router.
void AddApiRoutes(Router& router, const ApiContext& context);

// The OpenAPI 3 document of the routes.
std::string OpenApiDocument();

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_API_H_
