#include "net/curl_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace datastory::net {
namespace {

struct Loaded {
  CurlApi api{};
  std::string error;
};

Loaded Load() {
  Loaded out;
  void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    out.error = std::string("cannot load libcurl (install the libcurl4 package): ") + dlerror();
    return out;
  }
  bool ok = true;
  auto bind = [&](auto& fn, const char* name) {
    void* symbol = dlsym(lib, name);
    if (!symbol) ok = false;
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(symbol);
  };
  bind(out.api.easy_init, "curl_easy_init");
  bind(out.api.easy_cleanup, "curl_easy_cleanup");
  bind(out.api.easy_setopt, "curl_easy_setopt");
  bind(out.api.easy_perform, "curl_easy_perform");
  bind(out.api.easy_reset, "curl_easy_reset");
  bind(out.api.easy_getinfo, "curl_easy_getinfo");
  bind(out.api.easy_strerror, "curl_easy_strerror");
  bind(out.api.slist_append, "curl_slist_append");
  bind(out.api.slist_free_all, "curl_slist_free_all");
  CURLcode (*global_init)(long) = nullptr;  // NOLINT(google-runtime-int): libcurl's signature
  bind(global_init, "curl_global_init");
  if (!ok) {
    out.error = "libcurl.so.4 lacks a function DataStory needs";
    return out;
  }
  // The library stays loaded for the life of the process (never dlclose'd).
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) out.error = "curl_global_init failed";
  return out;
}

}  // namespace

Result<const CurlApi*> LoadCurl() {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = Load(); });
  if (!loaded.error.empty()) return Status::Unavailable(loaded.error);
  return &loaded.api;
}

}  // namespace datastory::net
