#include "cli/output.h"

#include <cstdio>
#include <fstream>

#include "cli/commands.h"

namespace datastory::cli {

int WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitIoError;
  }
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return ReportError(Status::Unavailable(path + ": cannot write"));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return ReportError(Status::Unavailable(path + ": cannot write"));
  }
  return kExitOk;
}

}  // namespace datastory::cli
