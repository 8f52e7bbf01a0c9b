// Writing a command's result: to stdout, or to a file replaced atomically (base/file_io.h), so
// a failed run never leaves half a file behind and never writes through a planted symlink.
#ifndef DATASTORY_CLI_OUTPUT_H_
#define DATASTORY_CLI_OUTPUT_H_

#include <string>

#include "datastory/status.h"

namespace datastory::cli {

// What WriteOutput would refuse, checked before any work: InvalidArgument for the input file
// itself (or a link to it) and for something that is not a regular file (a FIFO, a device).
Status CheckOutputPath(const std::string& path, const std::string& input_path);

// `path` empty or "-" means stdout. Refuses a path that is the input file itself (or a link to
// it) and one that is not a regular file (a FIFO, a device). Returns the exit code (kExitOk, or
// the error's, reported).
int WriteOutput(const std::string& path, const std::string& text, const std::string& input_path);

}  // namespace datastory::cli

#endif  // DATASTORY_CLI_OUTPUT_H_
