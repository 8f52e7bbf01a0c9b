#include "csv/encoding.h"

#include <gtest/gtest.h>

namespace datastory::csv {
namespace {

TEST(DetectEncodingTest, ByteOrderMarks) {
  EXPECT_EQ(DetectEncoding("\xEF\xBB\xBF"
                           "a,b\n",
                           true)
                ->encoding,
            Encoding::kUtf8Bom);
  EXPECT_EQ(DetectEncoding(std::string("\xFF\xFE"
                                       "a\0,\0",
                                       6),
                           true)
                ->encoding,
            Encoding::kUtf16Le);
  EXPECT_EQ(DetectEncoding(std::string("\xFE\xFF\0a\0,", 6), true)->encoding, Encoding::kUtf16Be);
}

TEST(DetectEncodingTest, Utf16WithoutBomFromNulPattern) {
  std::string le, be;
  for (char c : std::string("name,value\nx,1\n")) {
    le += c, le += '\0';
    be += '\0', be += c;
  }
  EXPECT_EQ(DetectEncoding(le, true)->encoding, Encoding::kUtf16Le);
  EXPECT_EQ(DetectEncoding(be, true)->encoding, Encoding::kUtf16Be);
}

TEST(DetectEncodingTest, Utf8AndWindows1252) {
  EXPECT_EQ(DetectEncoding("city\nM\xC3\xBCnchen\n", true)->encoding, Encoding::kUtf8);
  auto latin = DetectEncoding("city\nM\xFCnchen\nK\xF6ln\n", true);
  ASSERT_TRUE(latin.ok());
  EXPECT_EQ(latin->encoding, Encoding::kWindows1252);
  EXPECT_NE(latin->reason.find("offset 6"), std::string::npos) << latin->reason;
}

// A byte that Windows-1252 leaves undefined (0x81) in text that otherwise reads as it: Latin-1,
// which has a character for every byte, not a refusal.
TEST(DetectEncodingTest, BytesUndefinedInWindows1252AreLatin1) {
  std::string text = "name,city\n";
  for (int i = 0; i < 30; ++i) text += "Jos\xE9,M\xFCnchen\n";
  text += "caf\x81,K\xF6ln\n";
  auto latin = DetectEncoding(text, true);
  ASSERT_TRUE(latin.ok()) << latin.status().message();
  EXPECT_EQ(latin->encoding, Encoding::kLatin1);
  EXPECT_NE(latin->reason.find("Latin-1"), std::string::npos) << latin->reason;
  // Decoded byte for byte: 0x81 is U+0081, é is U+00E9.
  auto decoder = Decoder::Create(Encoding::kLatin1);
  ASSERT_TRUE(decoder.ok());
  std::string out;
  (*decoder)->Decode("caf\x81 \xE9", true, &out);
  EXPECT_EQ(out, "caf\xC2\x81 \xC3\xA9");
  EXPECT_EQ((*decoder)->invalid_bytes(), 0);
  EXPECT_EQ(EncodingName(Encoding::kLatin1), "iso-8859-1");
  EXPECT_EQ(ParseEncodingName("latin1"), Encoding::kLatin1);
  EXPECT_EQ(ParseEncodingName("cp1252"), Encoding::kWindows1252);
}

TEST(DetectEncodingTest, BinaryFilesAreRefusedByName) {
  auto png = DetectEncoding("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", true);
  ASSERT_FALSE(png.ok());
  EXPECT_NE(png.status().message().find("PNG image"), std::string::npos);
  auto zip = DetectEncoding("PK\x03\x04\x14\0\0\0", true);
  ASSERT_FALSE(zip.ok());
  EXPECT_NE(zip.status().message().find("ZIP"), std::string::npos);
  auto run = DetectEncoding(std::string("a,b\n1,\0\0\n", 9), true);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("NUL byte at offset 6 (2, in a run)"), std::string::npos);
}

// A lone NUL byte, or a few, in text is a fault of the file, not a sign of binary data (the
// reader reports each); many of them are binary data.
TEST(DetectEncodingTest, FewLoneNulBytesAreText) {
  auto lone = DetectEncoding(std::string("a,b\n1,\0\n2,x\0\n", 14), true);
  ASSERT_TRUE(lone.ok()) << lone.status().ToString();
  EXPECT_EQ(lone->encoding, Encoding::kUtf8);
  std::string many;
  for (int i = 0; i < 9; ++i) many += std::string("1,\0\n", 4);
  auto binary = DetectEncoding(many, true);
  ASSERT_FALSE(binary.ok());
  EXPECT_NE(binary.status().message().find("(9)"), std::string::npos);
}

TEST(DetectEncodingTest, GarbageIsNotText) {
  std::string junk;
  for (int i = 0; i < 256; ++i) junk += static_cast<char>(0x80 + (i * 37) % 128);
  auto r = DetectEncoding(junk, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid UTF-8 at byte offset 0"), std::string::npos);
}

TEST(FindInvalidUtf8Test, FindsFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("abc", false), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xC3", false), 2u);
  EXPECT_EQ(FindInvalidUtf8("ab\xC3", true), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("a\xED\xA0\x80", false), 1u);  // a UTF-16 surrogate
  EXPECT_EQ(FindInvalidUtf8("\xC0\x80", false), 0u);       // overlong
}

TEST(DecoderTest, TranscodesAcrossPieceBoundaries) {
  auto decoder = Decoder::Create(Encoding::kUtf16Le);
  ASSERT_TRUE(decoder.ok());
  std::string utf16 = std::string("\xFC\x00", 2) + std::string("b\x00", 2);  // "üb"
  std::string out;
  (*decoder)->Decode(utf16.substr(0, 1), false, &out);  // half a code unit
  (*decoder)->Decode(utf16.substr(1), true, &out);
  EXPECT_EQ(out,
            "\xC3\xBC"
            "b");

  auto cp1252 = Decoder::Create(Encoding::kWindows1252);
  out.clear();
  (*cp1252)->Decode("\x80 caf\xE9", true, &out);
  EXPECT_EQ(out, "\xE2\x82\xAC caf\xC3\xA9");  // € café
}

}  // namespace
}  // namespace datastory::csv
