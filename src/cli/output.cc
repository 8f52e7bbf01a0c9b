#include "cli/output.h"

#include <sys/stat.h>

#include <cstdio>

#include "base/file_io.h"
#include "base/text.h"
#include "cli/commands.h"

namespace datastory::cli {

Status CheckOutputPath(const std::string& path, const std::string& input_path) {
  if (path.empty() || path == "-") return Status::Ok();
  // Following links on both sides: writing the story over the data it was made from would
  // lose the data, however the two paths are spelt.
  struct stat out, in;
  if (::stat(path.c_str(), &out) != 0) return Status::Ok();  // a new file
  if (::stat(input_path.c_str(), &in) == 0 && out.st_dev == in.st_dev && out.st_ino == in.st_ino) {
    return Status::InvalidArgument(EscapeControl(path) +
                                   ": is the input file; choose another output (-o) path");
  }
  if (!S_ISREG(out.st_mode)) {
    return Status::InvalidArgument(EscapeControl(path) +
                                   ": is not a regular file (a folder, pipe or device); write to "
                                   "a file, or to standard output with -o -");
  }
  return Status::Ok();
}

int WriteOutput(const std::string& path, const std::string& text, const std::string& input_path) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitIoError;
  }
  if (Status s = CheckOutputPath(path, input_path); !s.ok()) return ReportError(s);
  auto written = WriteFileAtomically(path, ReadFromString(text));
  if (!written.ok()) {
    const int code = ReportError(written.status());
    return code == kExitNoPermission ? code : kExitCantCreate;
  }
  return kExitOk;
}

}  // namespace datastory::cli
