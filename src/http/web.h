// The web UI's routes: the page at "/" and the files it loads (web/, embedded at build time),
// each with an ETag, so that a browser asks again cheaply (304) and never keeps a stale file.
#ifndef DATASTORY_HTTP_WEB_H_
#define DATASTORY_HTTP_WEB_H_

#include "http/router.h"

namespace datastory::http {

// The page's Content-Security-Policy: scripts and styles from this server only, nothing
// inline, no frames, no other origins.
inline constexpr const char* kAppPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// Adds GET "/" (web/index.html) and GET "/<file>" for every other file of web/.
void AddWebRoutes(Router& router);

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_WEB_H_
