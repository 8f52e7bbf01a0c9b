#include "blob/xml_text.h"

#include <expat.h>

#include <memory>

namespace datastory::blob {
namespace {

struct Collector {
  std::string_view element;
  int depth_inside = 0;  // > 0 while inside a matching element
  std::string current;
  std::vector<std::string> found;
};

std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  // With namespace processing, names arrive as "<uri>|<local>".
  if (size_t bar = n.rfind('|'); bar != std::string_view::npos) n.remove_prefix(bar + 1);
  return n;
}

void OnStart(void* data, const XML_Char* name, const XML_Char**) {
  auto* c = static_cast<Collector*>(data);
  if (c->depth_inside > 0) {
    ++c->depth_inside;
  } else if (LocalName(name) == c->element) {
    c->depth_inside = 1;
    c->current.clear();
  }
}

void OnEnd(void* data, const XML_Char*) {
  auto* c = static_cast<Collector*>(data);
  if (c->depth_inside > 0 && --c->depth_inside == 0) c->found.push_back(std::move(c->current));
}

void OnText(void* data, const XML_Char* text, int length) {
  auto* c = static_cast<Collector*>(data);
  if (c->depth_inside > 0) c->current.append(text, static_cast<size_t>(length));
}

}  // namespace

Result<std::vector<std::string>> XmlText(std::string_view document, std::string_view element) {
  // S3 keeps a slow CompleteMultipartUpload alive by sending spaces before the document, which
  // would put the XML declaration off the start.
  while (!document.empty() && (document.front() == ' ' || document.front() == '\n' ||
                               document.front() == '\r' || document.front() == '\t')) {
    document.remove_prefix(1);
  }
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
      XML_ParserCreateNS(nullptr, '|'), XML_ParserFree);
  if (!parser) return Status::Internal("cannot create an XML parser");
  Collector collector{element};
  XML_SetUserData(parser.get(), &collector);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  if (XML_Parse(parser.get(), document.data(), static_cast<int>(document.size()), 1) ==
      XML_STATUS_ERROR) {
    return Status::InvalidArgument(std::string("not well-formed XML: ") +
                                   XML_ErrorString(XML_GetErrorCode(parser.get())) + " at line " +
                                   std::to_string(XML_GetCurrentLineNumber(parser.get())));
  }
  return std::move(collector.found);
}

}  // namespace datastory::blob
