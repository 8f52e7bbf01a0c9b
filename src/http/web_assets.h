// The web UI's files (web/), embedded into the binary by the build (cmake/embed_web.cmake), so
// that the binary alone serves the UI, offline.
#ifndef DATASTORY_HTTP_WEB_ASSETS_H_
#define DATASTORY_HTTP_WEB_ASSETS_H_

#include <span>
#include <string_view>

namespace datastory::http {

struct WebAsset {
  std::string_view path;          // "/index.html", "/app.js": the path under web/
  std::string_view content_type;  // from the extension
  std::string_view body;
  std::string_view etag;  // quoted, from the content's SHA-256: it changes when the file does
};

// Every file, sorted by path.
std::span<const WebAsset> WebAssets();

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_WEB_ASSETS_H_
