// Signature V4 against the examples AWS publishes in the S3 API reference ("Signature
// calculations for the Authorization header" and "Authenticating requests: using query
// parameters"), all with the documentation's example key at 2013-05-24T00:00:00Z.
#include "blob/sigv4.h"

#include <gtest/gtest.h>

namespace datastory::blob::sigv4 {
namespace {

constexpr int64_t kMay24_2013 = 1369353600;  // 20130524T000000Z
const Credentials kExampleKey = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 ""};
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string SignatureOf(const Request& signed_request) {
  for (const auto& [name, value] : signed_request.headers) {
    if (name == "Authorization") return value.substr(value.find("Signature=") + 10);
  }
  return "";
}

TEST(SigV4Test, GetObjectWithARange) {
  Request r{"GET", "examplebucket.s3.amazonaws.com", "/test.txt",
            {},    {{"Range", "bytes=0-9"}},         kEmptySha256};
  SignHeaders(r, kExampleKey, {}, kMay24_2013);
  EXPECT_EQ(SignatureOf(r), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(r.headers.back().second,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, PutObjectWithAnEncodedKey) {
  const std::string payload = "Welcome to Amazon S3.";
  EXPECT_EQ(Sha256Hex(payload), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  Request r{
      "PUT",
      "examplebucket.s3.amazonaws.com",
      "/" + UriEncode("test$file.text", true),
      {},
      {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      Sha256Hex(payload)};
  EXPECT_EQ(r.encoded_path, "/test%24file.text");
  SignHeaders(r, kExampleKey, {}, kMay24_2013);
  EXPECT_EQ(SignatureOf(r), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, GetBucketLifecycleAndListObjects) {
  Request lifecycle{"GET",       "examplebucket.s3.amazonaws.com", "/", {{"lifecycle", ""}}, {},
                    kEmptySha256};
  SignHeaders(lifecycle, kExampleKey, {}, kMay24_2013);
  EXPECT_EQ(SignatureOf(lifecycle),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  Request list{"GET", "examplebucket.s3.amazonaws.com",
               "/",   {{"prefix", "J"}, {"max-keys", "2"}},
               {},    kEmptySha256};
  SignHeaders(list, kExampleKey, {}, kMay24_2013);
  EXPECT_EQ(SignatureOf(list), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, ThePublishedPresignedUrl) {
  Request r{"GET", "examplebucket.s3.amazonaws.com", "/test.txt"};
  EXPECT_EQ("https://examplebucket.s3.amazonaws.com/test.txt?" +
                PresignQuery(r, kExampleKey, {}, kMay24_2013, 86400),
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4Test, EncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UriEncode("a-b_c.d~e/f g+h=é", true), "a-b_c.d~e/f%20g%2Bh%3D%C3%A9");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "x y"}, {"uploads", ""}}), "a=x%20y&b=2&uploads=");
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
}

}  // namespace
}  // namespace datastory::blob::sigv4
