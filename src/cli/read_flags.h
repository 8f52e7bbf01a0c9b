// The flags every command that reads a CSV accepts (--delimiter, --encoding, --no-header,
// --type, --threads, --limit …) and their translation into the pipeline's StoryRequest.
#ifndef DATASTORY_CLI_READ_FLAGS_H_
#define DATASTORY_CLI_READ_FLAGS_H_

#include <functional>
#include <string>
#include <vector>

#include "datastory/status.h"
#include "pipeline/pipeline.h"

namespace CLI {
class App;
}

namespace datastory::cli {

// A progress line on stderr ("reading 45% of 1.2 GB") while a large file is read, when stderr is
// a terminal; cleared when done.
class ProgressLine {
 public:
  // `file_bytes`: the size of what is read; small files finish before a line is worth reading.
  ProgressLine(const std::string& what, int64_t file_bytes);
  ~ProgressLine() { Finish(); }
  // Clears the line; call before printing anything else.
  void Finish();
  // "reading 45% of 1.2 GB".
  void Show(int percent);
  // For ReadOptions::progress: bytes read of the total. Null when no line will be shown.
  std::function<void(int64_t, int64_t)> Callback();

 private:
  std::string what_;
  int64_t file_bytes_;
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
Status BuildStoryRequest(const ReadFlags& flags, pipeline::StoryRequest* request);

}  // namespace datastory::cli

#endif  // DATASTORY_CLI_READ_FLAGS_H_
