// Where integration tests find the binary, the repository and the npm fixtures.
#ifndef DATASTORY_TESTS_TEST_PATHS_H_
#define DATASTORY_TESTS_TEST_PATHS_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace datastory::testing {

inline std::filesystem::path SourceDir() { return DS_SOURCE_DIR; }

// The npm fixtures; a missing one fails the test with the command that installs it.
inline std::filesystem::path NpmPackage(const std::string& name) {
  auto dir = SourceDir() / "tests" / "js" / "node_modules" / name;
  if (!std::filesystem::exists(dir)) {
    ADD_FAILURE() << dir << " is missing: run `make fixtures` (npm ci --prefix tests/js)";
  }
  return dir;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `args` (already shell-quoted) with the datastory binary, behind `prefix` (e.g. a
// command that changes the user) when given.
inline CommandResult RunDatastory(const std::string& args, const std::string& prefix = "") {
  CommandResult result;
  std::string command = prefix + std::string(DS_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string Quote(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace datastory::testing

#endif  // DATASTORY_TESTS_TEST_PATHS_H_
