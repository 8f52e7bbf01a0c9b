#include "config/dotenv.h"

#include "base/text.h"

namespace datastory::config {
namespace {

bool NameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool NameChar(char c) { return NameStart(c) || (c >= '0' && c <= '9'); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseDotEnv(std::string_view text,
                                                       std::string_view name) {
  std::map<std::string, std::string> out;
  int line_number = 0;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(EscapeControl(name) + ":" + std::to_string(line_number) + ": " +
                                   why);
  };
  size_t at = 0;
  while (at < text.size()) {
    ++line_number;
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(at, end - at));
    at = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "export " || line.substr(0, 7) == "export\t") {
      line = Trim(line.substr(7));
    }
    size_t n = 0;
    if (line.empty() || !NameStart(line[0])) return bad("expected NAME=value");
    while (n < line.size() && NameChar(line[n])) ++n;
    const std::string key(line.substr(0, n));
    std::string_view rest = Trim(line.substr(n));
    if (rest.empty() || rest.front() != '=') return bad("expected '=' after " + key);
    rest = Trim(rest.substr(1));
    std::string value;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
      const char quote = rest.front();
      size_t i = 1;
      bool closed = false;
      for (; i < rest.size(); ++i) {
        const char c = rest[i];
        if (c == quote) {
          closed = true;
          ++i;
          break;
        }
        if (quote == '"' && c == '\\' && i + 1 < rest.size()) {
          const char next = rest[++i];
          value += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
        } else {
          value += c;
        }
      }
      if (!closed) return bad("the value of " + key + " has no closing " + std::string(1, quote));
      std::string_view after = Trim(rest.substr(i));
      if (!after.empty() && after.front() != '#') {
        return bad("unexpected text after the quoted value of " + key);
      }
    } else {
      // Unquoted: up to a comment that follows a space.
      const size_t comment = rest.find(" #");
      value = std::string(Trim(rest.substr(0, comment)));
    }
    out[key] = std::move(value);
  }
  return out;
}

}  // namespace datastory::config
