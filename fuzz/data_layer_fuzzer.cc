// libFuzzer target for the data layer's parsers of outside input: S3's XML answers (from the
// network), STORAGE_URL and DATABASE_URL (from the environment), and the Signature V4 URI
// encoding. Oracles: no crash or sanitizer report, and the encoding's invariants.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "blob/s3_blob_store.h"
#include "blob/sigv4.h"
#include "blob/xml_text.h"
#include "store/postgres_store.h"

namespace {

bool Unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void CheckEncoding(std::string_view input) {
  using datastory::blob::sigv4::UriEncode;
  for (bool keep_slash : {true, false}) {
    const std::string encoded = UriEncode(input, keep_slash);
    size_t decoded_length = 0;
    for (size_t i = 0; i < encoded.size(); ++i, ++decoded_length) {
      const char c = encoded[i];
      if (c == '%') {
        const auto hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'); };
        if (i + 2 >= encoded.size()) std::abort();
        if (!hex(encoded[i + 1]) || !hex(encoded[i + 2])) std::abort();
        i += 2;
      } else if (!Unreserved(c) && !(keep_slash && c == '/')) {
        std::abort();  // a byte that should have been encoded
      }
    }
    if (decoded_length != input.size()) std::abort();  // one output unit per input byte
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const char* element : {"Code", "Message", "UploadId", "ETag"}) {
    auto texts = datastory::blob::XmlText(input, element);
    if (texts.ok()) {
      for (const std::string& t : *texts) {
        if (t.size() > input.size() * 4 + 16) std::abort();  // text comes from the document
      }
    }
  }
  auto getenv = [](const char* name) -> const char* {
    return name[0] == 'A' ? "fuzz-key" : nullptr;  // the two AWS_ keys set, nothing else
  };
  auto s3 = datastory::blob::S3ConfigFromEnvironment(input, getenv);
  if (s3.ok() && (s3->bucket.empty() || input.substr(0, 5) != "s3://")) std::abort();
  auto pg = datastory::store::SplitPostgresUrl(input);
  // Ours are taken out; libpq's stay, with at most the five default bounds added.
  if (pg.ok() && pg->conninfo.size() > input.size() + 120) std::abort();
  CheckEncoding(input);
  return 0;
}
