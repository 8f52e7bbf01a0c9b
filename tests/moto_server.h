// Test support: moto_server, the S3 peer the tests run against (installed by
// scripts/install-deps.sh), on a free loopback port with a bucket and an IAM user's keys.
#ifndef DATASTORY_TESTS_MOTO_SERVER_H_
#define DATASTORY_TESTS_MOTO_SERVER_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "blob/s3_blob_store.h"
#include "child_process.h"
#include "test_paths.h"

namespace datastory::testing {

inline constexpr const char* kBucket = "datastory-test";

inline std::string Capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

inline std::string ReferenceScript() {
  return "python3 " + Quote(SourceDir() / "tests" / "py" / "s3_reference.py");
}

// moto_server on a free loopback port, with Signature V4 checked from its fifth request on:
// the first four make the IAM user, its policy, its key and the bucket. (Without
// `check_signatures` it checks none: moto cannot check presigned URLs, see below.)
class MotoServer {
 public:
  explicit MotoServer(bool check_signatures = true)
      : port_(FreePort()),
        process_({"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port_)},
                 check_signatures ? std::vector<std::string>{"INITIAL_NO_AUTH_ACTION_COUNT=4"}
                                  : std::vector<std::string>{},
                 /*capture_stdout=*/false) {
    EXPECT_TRUE(process_.started())
        << "cannot start moto_server: install it with `pip install 'moto[server]'` "
           "(scripts/install-deps.sh does)";
    EXPECT_TRUE(WaitForPort(port_, std::chrono::seconds(30))) << "moto_server did not start";
    const std::string keys =
        Capture(ReferenceScript() + " setup " + endpoint() + " " + kBucket + " 2>&1");
    const size_t space = keys.find(' ');
    EXPECT_NE(space, std::string::npos) << "setting up moto failed: " << keys;
    if (space != std::string::npos) {
      credentials_ = {keys.substr(0, space), keys.substr(space + 1), ""};
    }
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const blob::sigv4::Credentials& credentials() const { return credentials_; }

  blob::S3Config Config(bool path_style = true) const {
    blob::S3Config config;
    config.bucket = kBucket;
    config.prefix = "blobs";
    config.path_style = path_style;
    // Virtual-hosted: <bucket>.localhost resolves to loopback.
    config.endpoint = path_style ? endpoint() : "http://localhost:" + std::to_string(port_);
    config.credentials = credentials_;
    return config;
  }

 private:
  int port_;
  ChildProcess process_;
  blob::sigv4::Credentials credentials_;
};

}  // namespace datastory::testing

#endif  // DATASTORY_TESTS_MOTO_SERVER_H_
