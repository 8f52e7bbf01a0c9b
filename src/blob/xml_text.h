// The text of named elements in an XML document (S3's answers: <Code>, <UploadId>, <ETag> …),
// read with expat. Private to the blob module.
#ifndef DATASTORY_BLOB_XML_TEXT_H_
#define DATASTORY_BLOB_XML_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

#include "datastory/result.h"

namespace datastory::blob {

// The text of every element named `element` (local name, any namespace), in document order.
// InvalidArgument when the document is not well-formed XML.
Result<std::vector<std::string>> XmlText(std::string_view document, std::string_view element);

}  // namespace datastory::blob

#endif  // DATASTORY_BLOB_XML_TEXT_H_
