// libcurl, loaded with dlopen the first time it is needed. Linking it would load some thirty
// shared libraries (TLS, Kerberos, LDAP …) into every run of the binary, about 5 ms before main;
// most commands never speak HTTP, so only those that do pay for it.
#ifndef DATASTORY_NET_CURL_API_H_
#define DATASTORY_NET_CURL_API_H_

#include <curl/curl.h>

#include "datastory/result.h"

namespace datastory::net {

// The libcurl functions DataStory uses, with curl_global_init already called.
struct CurlApi {
  CURL* (*easy_init)();
  void (*easy_cleanup)(CURL*);
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  void (*easy_reset)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// Thread-safe; loads once. Fails, saying what to install, when libcurl cannot be loaded.
Result<const CurlApi*> LoadCurl();

}  // namespace datastory::net

#endif  // DATASTORY_NET_CURL_API_H_
