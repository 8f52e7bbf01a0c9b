#include "csv/encoding.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace datastory::csv {

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8:
      return "utf-8";
    case Encoding::kUtf8Bom:
      return "utf-8-bom";
    case Encoding::kUtf16Le:
      return "utf-16le";
    case Encoding::kUtf16Be:
      return "utf-16be";
    case Encoding::kWindows1252:
      return "windows-1252";
    case Encoding::kLatin1:
      return "iso-8859-1";
  }
  return "unknown";
}

std::optional<Encoding> ParseEncodingName(std::string_view name) {
  std::string n;
  for (char c : name) {
    if (c != '-' && c != '_') n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (n == "utf8" || n == "ascii" || n == "usascii") return Encoding::kUtf8;
  if (n == "utf8bom" || n == "utf8sig") return Encoding::kUtf8Bom;
  if (n == "utf16le" || n == "utf16") return Encoding::kUtf16Le;
  if (n == "utf16be") return Encoding::kUtf16Be;
  if (n == "windows1252" || n == "cp1252") return Encoding::kWindows1252;
  if (n == "latin1" || n == "iso88591" || n == "l1") return Encoding::kLatin1;
  return std::nullopt;
}

size_t FindInvalidUtf8(std::string_view bytes, bool allow_truncated_tail) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // ASCII fast path: sixteen bytes at a time where SSE2 is there (every x86-64), then eight.
#if defined(__SSE2__)
    while (i + 16 <= n &&
           _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))) == 0) {
      i += 16;
    }
#endif
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t min_code;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, min_code = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, min_code = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, min_code = 0x10000;
    } else {
      return i;
    }
    if (i + len > n) return allow_truncated_tail ? std::string_view::npos : i;
    uint32_t code = c & (0x3F >> (len - 1));
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

Utf8Errors CountInvalidUtf8(std::string_view text) {
  Utf8Errors errors;
  size_t done = 0;
  while (done < text.size()) {
    size_t bad = FindInvalidUtf8(text.substr(done), /*allow_truncated_tail=*/false);
    if (bad == std::string_view::npos) break;
    if (errors.bytes == 0) errors.first = done + bad;
    ++errors.bytes;
    done += bad + 1;
  }
  return errors;
}

namespace {

struct Magic {
  std::string_view bytes;
  std::string_view what;
};

constexpr Magic kBinaryMagics[] = {
    {"\x89PNG\r\n\x1a\n", "a PNG image"},
    {"PK\x03\x04", "a ZIP archive (an .xlsx or .docx file is one too)"},
    {"PK\x05\x06", "an empty ZIP archive"},
    {"\x1f\x8b", "a gzip-compressed file"},
    {"BZh", "a bzip2-compressed file"},
    {"\xfd"
     "7zXZ",
     "an xz-compressed file"},
    {"%PDF-", "a PDF document"},
    {"\xff\xd8\xff", "a JPEG image"},
    {"GIF8", "a GIF image"},
    {"SQLite format 3", "an SQLite database"},
    {"\x7f"
     "ELF",
     "an executable program"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office document (.xls)"},
    {"PAR1", "a Parquet file"},
};

// NUL bytes that text may hold, each alone, before the file is taken for binary data.
constexpr size_t kMaxLoneNuls = 8;

// Bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D have no character in Windows-1252.
bool IsUndefinedIn1252(unsigned char c) {
  return c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D;
}

}  // namespace

Result<EncodingGuess> DetectEncoding(std::string_view head, bool at_eof) {
  EncodingGuess guess;
  auto starts = [&](std::string_view prefix) { return head.substr(0, prefix.size()) == prefix; };
  if (starts("\xEF\xBB\xBF")) {
    guess.encoding = Encoding::kUtf8Bom;
    guess.bom_bytes = 3;
    guess.reason = "UTF-8 byte order mark";
    return guess;
  }
  if (starts("\xFF\xFE")) {
    guess.encoding = Encoding::kUtf16Le;
    guess.bom_bytes = 2;
    guess.reason = "UTF-16 little-endian byte order mark";
    return guess;
  }
  if (starts("\xFE\xFF")) {
    guess.encoding = Encoding::kUtf16Be;
    guess.bom_bytes = 2;
    guess.reason = "UTF-16 big-endian byte order mark";
    return guess;
  }
  for (const Magic& magic : kBinaryMagics) {
    if (starts(magic.bytes)) {
      return Status::InvalidArgument(std::string("this is ") + std::string(magic.what) +
                                     ", not a CSV text file");
    }
  }

  // UTF-16 without a BOM: every other byte is NUL for ASCII text.
  size_t probe = std::min<size_t>(head.size(), 4096) & ~size_t{1};
  if (probe >= 4) {
    size_t even_nul = 0, odd_nul = 0;
    for (size_t i = 0; i < probe; i += 2) {
      even_nul += head[i] == '\0';
      odd_nul += head[i + 1] == '\0';
    }
    size_t pairs = probe / 2;
    if (odd_nul * 10 >= pairs * 9 && even_nul * 10 <= pairs) {
      guess.encoding = Encoding::kUtf16Le;
      guess.reason = "NUL in every odd byte: UTF-16 little-endian without a byte order mark";
      return guess;
    }
    if (even_nul * 10 >= pairs * 9 && odd_nul * 10 <= pairs) {
      guess.encoding = Encoding::kUtf16Be;
      guess.reason = "NUL in every even byte: UTF-16 big-endian without a byte order mark";
      return guess;
    }
  }
  // A few lone NUL bytes are a fault in a text file, which the reader reports with their
  // offsets; a run of them, or many, is binary data.
  if (size_t nul = head.find('\0'); nul != std::string_view::npos) {
    size_t count = 0;
    bool run = false;
    for (size_t i = nul; i < head.size(); ++i) {
      if (head[i] != '\0') continue;
      ++count;
      run |= i + 1 < head.size() && head[i + 1] == '\0';
    }
    if (run || count > kMaxLoneNuls) {
      return Status::InvalidArgument("NUL byte at offset " + std::to_string(nul) + " (" +
                                     std::to_string(count) + (run ? ", in a run" : "") +
                                     "): this looks like a binary file, not CSV text");
    }
  }

  size_t bad = FindInvalidUtf8(head, /*allow_truncated_tail=*/!at_eof);
  if (bad == std::string_view::npos) {
    guess.encoding = Encoding::kUtf8;
    guess.reason = "valid UTF-8";
    return guess;
  }

  // Not UTF-8. Windows-1252 text has mostly ASCII, few high bytes, and no undefined ones, and few
  // control characters other than tab/CR/LF.
  size_t high = 0, control = 0, undefined = 0;
  for (unsigned char c : head) {
    if (c >= 0x80) ++high;
    if (c < 0x20 && c != '\t' && c != '\r' && c != '\n') ++control;
    if (IsUndefinedIn1252(c)) ++undefined;
  }
  // A few bytes that Windows-1252 leaves undefined in text that otherwise reads as it: Latin-1,
  // which has a character (a control) for every byte; counted with the controls.
  const bool looks_like_text =
      (control + undefined) * 100 <= head.size() && high * 100 <= head.size() * 30;
  if (!looks_like_text) {
    return Status::InvalidArgument("invalid UTF-8 at byte offset " + std::to_string(bad) +
                                   ", and the bytes are not Windows-1252 text either "
                                   "(binary data?); use --encoding to force one");
  }
  guess.encoding = undefined == 0 ? Encoding::kWindows1252 : Encoding::kLatin1;
  guess.reason = "not valid UTF-8 (first invalid byte at offset " + std::to_string(bad) +
                 (undefined == 0 ? "); read as Windows-1252"
                                 : "); read as Latin-1 (ISO-8859-1), since some bytes have no "
                                   "character in Windows-1252");
  return guess;
}

namespace {

// UTF-8 input: validates and passes bytes through, replacing invalid ones by U+FFFD.
class Utf8Decoder final : public Decoder {
 public:
  void Decode(std::string_view input, bool final, std::string* out) override {
    std::string joined;
    if (!carry_.empty()) {
      joined = carry_ + std::string(input);
      input = joined;
      carry_.clear();
    }
    while (!input.empty()) {
      size_t bad = FindInvalidUtf8(input, /*allow_truncated_tail=*/false);
      if (bad == std::string_view::npos) {
        out->append(input);
        return;
      }
      out->append(input.substr(0, bad));
      input.remove_prefix(bad);
      // A sequence cut by the end of this piece waits for the next one.
      if (!final && input.size() < 4 && FindInvalidUtf8(input, true) == std::string_view::npos) {
        carry_.assign(input);
        return;
      }
      out->append("\xEF\xBF\xBD");
      ++invalid_;
      input.remove_prefix(1);
    }
  }
  int64_t invalid_bytes() const override { return invalid_; }
  bool IsIdentity() const override { return true; }

 private:
  std::string carry_;
  int64_t invalid_ = 0;
};

class IconvDecoder final : public Decoder {
 public:
  explicit IconvDecoder(iconv_t cd) : cd_(cd) {}
  ~IconvDecoder() override { iconv_close(cd_); }
  IconvDecoder(const IconvDecoder&) = delete;
  IconvDecoder& operator=(const IconvDecoder&) = delete;

  void Decode(std::string_view input, bool final, std::string* out) override {
    std::string joined;
    if (!carry_.empty()) {
      joined = carry_ + std::string(input);
      input = joined;
      carry_.clear();
    }
    char* in = const_cast<char*>(input.data());
    size_t in_left = input.size();
    char buffer[16384];
    while (in_left > 0) {
      char* o = buffer;
      size_t o_left = sizeof(buffer);
      size_t rc = iconv(cd_, &in, &in_left, &o, &o_left);
      out->append(buffer, o - buffer);
      if (rc != static_cast<size_t>(-1)) continue;
      if (errno == E2BIG) continue;
      if (errno == EINVAL && !final) {  // truncated character: keep for the next piece
        carry_.assign(in, in_left);
        return;
      }
      // Invalid (or truncated at the very end): one U+FFFD, skip one code unit.
      out->append("\xEF\xBF\xBD");
      ++invalid_;
      size_t skip = std::min(in_left, unit_);
      in += skip;
      in_left -= skip;
      iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    }
  }
  int64_t invalid_bytes() const override { return invalid_; }
  void set_unit(size_t unit) { unit_ = unit; }

 private:
  iconv_t cd_;
  std::string carry_;
  int64_t invalid_ = 0;
  size_t unit_ = 1;
};

}  // namespace

Result<std::unique_ptr<Decoder>> Decoder::Create(Encoding encoding) {
  const char* from = nullptr;
  size_t unit = 1;
  switch (encoding) {
    case Encoding::kUtf8:
    case Encoding::kUtf8Bom:
      return std::unique_ptr<Decoder>(std::make_unique<Utf8Decoder>());
    case Encoding::kUtf16Le:
      from = "UTF-16LE";
      unit = 2;
      break;
    case Encoding::kUtf16Be:
      from = "UTF-16BE";
      unit = 2;
      break;
    case Encoding::kWindows1252:
      from = "WINDOWS-1252";
      break;
    case Encoding::kLatin1:
      from = "ISO-8859-1";
      break;
  }
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // NOLINT(performance-no-int-to-ptr): iconv's API
    return Status::Unavailable(std::string("this system cannot convert from ") + from);
  }
  auto decoder = std::make_unique<IconvDecoder>(cd);
  decoder->set_unit(unit);
  return std::unique_ptr<Decoder>(std::move(decoder));
}

}  // namespace datastory::csv
