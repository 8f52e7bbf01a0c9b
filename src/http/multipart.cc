#include "http/multipart.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace datastory::http {
namespace {

constexpr size_t kPiece = 64 << 10;
constexpr size_t kMaxHeaderLine = 8 << 10;
constexpr size_t kMaxHeaders = 16 << 10;
constexpr size_t kMaxSkipped = 1 << 20;  // form fields before the file

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("the multipart body is malformed: " + why)
      .WithReason("INVALID_REQUEST");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of parameter `name` in `form-data; name="file"; filename="a.csv"`.
std::string Parameter(std::string_view header, std::string_view name) {
  size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    const size_t eq = header.find('=', at);
    if (eq == std::string_view::npos) return "";
    std::string key = Lower(header.substr(at, eq - at));
    while (!key.empty() && key.back() == ' ') key.pop_back();
    size_t v = eq + 1;
    std::string value;
    if (v < header.size() && header[v] == '"') {
      for (++v; v < header.size() && header[v] != '"'; ++v) {
        if (header[v] == '\\' && v + 1 < header.size()) ++v;
        value += header[v];
      }
    } else {
      const size_t end = header.find(';', v);
      value = std::string(header.substr(v, end == std::string_view::npos ? end : end - v));
      while (!value.empty() && value.back() == ' ') value.pop_back();
    }
    if (key == name) return value;
  }
  return "";
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  const std::string lower = Lower(content_type);
  if (lower.rfind("multipart/form-data", 0) != 0) {
    return Status::InvalidArgument("expected multipart/form-data").WithReason("INVALID_REQUEST");
  }
  std::string boundary = Parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 70 ||
      boundary.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument("the multipart boundary is missing or malformed")
        .WithReason("INVALID_REQUEST");
  }
  return boundary;
}

MultipartReader::MultipartReader(ChunkReader body, std::string boundary, std::string field)
    : body_(std::move(body)),
      delimiter_("\r\n--" + boundary),
      field_(std::move(field)),
      buffer_("\r\n") {}  // so that the first boundary reads like the others

Status MultipartReader::Fill(size_t want) {
  while (buffer_.size() - start_ < want && !body_ended_) {
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
    const size_t old = buffer_.size();
    buffer_.resize(old + kPiece);
    auto n = body_(buffer_.data() + old, kPiece);
    if (!n.ok()) {
      buffer_.resize(old);
      return n.status();
    }
    buffer_.resize(old + *n);
    if (*n == 0) body_ended_ = true;
  }
  return Status::Ok();
}

Result<std::string> MultipartReader::ReadLine() {
  for (;;) {
    const size_t end = buffer_.find("\r\n", start_);
    if (end != std::string::npos) {
      std::string line = buffer_.substr(start_, end - start_);
      start_ = end + 2;
      return line;
    }
    if (buffer_.size() - start_ > kMaxHeaderLine) return Malformed("a part header is too long");
    if (body_ended_) return Malformed("the body ends inside a part's headers");
    DS_RETURN_IF_ERROR(Fill(buffer_.size() - start_ + 1));
  }
}

Status MultipartReader::Open() {
  size_t skipped = 0;
  for (;;) {
    // The next delimiter, dropping what comes before it.
    for (;;) {
      const size_t at = buffer_.find(delimiter_, start_);
      if (at != std::string::npos) {
        skipped += at - start_;
        start_ = at + delimiter_.size();
        break;
      }
      if (body_ended_) {
        return Status::InvalidArgument("the form has no \"" + field_ + "\" file field")
            .WithReason("NO_FILE_FIELD");
      }
      const size_t keep = delimiter_.size() - 1;
      if (buffer_.size() - start_ > keep) {
        skipped += buffer_.size() - start_ - keep;
        start_ = buffer_.size() - keep;
      }
      if (skipped > kMaxSkipped) return Malformed("more than 1 MiB before the file field");
      DS_RETURN_IF_ERROR(Fill(buffer_.size() - start_ + kPiece));
    }
    DS_RETURN_IF_ERROR(Fill(2));
    if (buffer_.compare(start_, 2, "--") == 0) {
      return Status::InvalidArgument("the form has no \"" + field_ + "\" file field")
          .WithReason("NO_FILE_FIELD");
    }
    DS_RETURN_IF_ERROR(ReadLine().status());  // the rest of the boundary line (padding)
    std::string name;
    size_t header_bytes = 0;
    filename_.clear();
    content_type_.clear();
    for (;;) {
      DS_ASSIGN_OR_RETURN(std::string line, ReadLine());
      if (line.empty()) break;
      header_bytes += line.size();
      if (header_bytes > kMaxHeaders) return Malformed("a part's headers are too long");
      const size_t colon = line.find(':');
      if (colon == std::string::npos) return Malformed("a part header without ':'");
      const std::string key = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (key == "content-disposition") {
        name = Parameter(value, "name");
        filename_ = Parameter(value, "filename");
      } else if (key == "content-type") {
        content_type_ = value;
      }
    }
    if (name == field_) return Status::Ok();
  }
}

Result<size_t> MultipartReader::Read(char* buffer, size_t capacity) {
  if (part_ended_ || capacity == 0) return size_t{0};
  DS_RETURN_IF_ERROR(Fill(delimiter_.size() + kPiece));
  const size_t at = buffer_.find(delimiter_, start_);
  size_t safe;
  if (at != std::string::npos) {
    safe = at - start_;
    if (safe == 0) {
      part_ended_ = true;
      return size_t{0};
    }
  } else {
    if (body_ended_) return Malformed("the body ends without its closing boundary");
    // A delimiter may begin in the last bytes: keep them until more arrives. (Fill asked for
    // more than a delimiter's length, so some bytes are always safe here.)
    const size_t keep = delimiter_.size() - 1;
    const size_t held = buffer_.size() - start_;
    safe = held > keep ? held - keep : 0;
  }
  const size_t n = std::min(safe, capacity);
  std::memcpy(buffer, buffer_.data() + start_, n);
  start_ += n;
  return n;
}

}  // namespace datastory::http
