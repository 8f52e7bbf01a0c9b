#include "http/web.h"

#include <string>

#include "http/web_assets.h"

namespace datastory::http {
namespace {

Response Serve(const WebAsset& asset, const Request& req) {
  Response res;
  // Revalidated on every use: the ETag makes that a 304 without a body.
  res.headers = {{"Cache-Control", "no-cache"}, {"ETag", std::string(asset.etag)}};
  if (asset.path == "/index.html")
    res.headers.emplace_back("Content-Security-Policy", kAppPagePolicy);
  const std::string_view asked = req.Header("if-none-match");
  if (!asked.empty() && (asked == asset.etag || asked == "*")) {
    res.status = 304;
    return res;
  }
  res.status = 200;
  res.headers.emplace_back("Content-Type", std::string(asset.content_type));
  res.tail = asset.body;  // static bytes: sent without a copy, nothing to keep alive
  return res;
}

}  // namespace

void AddWebRoutes(Router& router) {
  for (const WebAsset& asset : WebAssets()) {
    auto handler = [&asset](Request& req) { return Serve(asset, req); };
    if (asset.path == "/index.html") router.Get("/", Auth::kPublic, handler);
    router.Get(std::string(asset.path), Auth::kPublic, handler);
  }
}

}  // namespace datastory::http
