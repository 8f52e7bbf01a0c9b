// The flags every command that reads a CSV accepts (--delimiter, --encoding, --no-header,
// --type, --threads …) and their translation into ProfileOptions.
#ifndef DATASTORY_CLI_READ_FLAGS_H_
#define DATASTORY_CLI_READ_FLAGS_H_

#include <functional>
#include <string>
#include <vector>

#include "analysis/profile.h"
#include "datastory/status.h"

namespace CLI {
class App;
}

namespace datastory::cli {

// A progress line on stderr ("reading 45% of 1.2 GB") while a large file is read, when stderr is
// a terminal; cleared when done.
class ProgressLine {
 public:
  explicit ProgressLine(const std::string& what);
  ~ProgressLine() { Finish(); }
  // Clears the line; call before printing anything else.
  void Finish();
  std::function<void(int64_t, int64_t)> Callback();

 private:
  std::string what_;
  bool enabled_;
  int last_percent_ = -1;
};

struct ReadFlags {
  std::string path;
  std::string delimiter;
  std::string quote;
  std::string encoding;
  bool no_header = false;
  std::vector<std::string> types;
  int threads = 0;
  int block_mib = 8;
  std::vector<std::string> limits;  // NAME=VALUE, see AddReadFlags
};

void AddReadFlags(CLI::App& command, ReadFlags& flags);

// Fails with InvalidArgument and a message naming the flag.
Status BuildReadOptions(const ReadFlags& flags, analysis::ProfileOptions* options);

}  // namespace datastory::cli

#endif  // DATASTORY_CLI_READ_FLAGS_H_
