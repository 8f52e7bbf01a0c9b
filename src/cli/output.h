// Writing a command's result: to stdout, or to a file replaced atomically (written beside it,
// then renamed), so a failed run never leaves half a file behind.
#ifndef DATASTORY_CLI_OUTPUT_H_
#define DATASTORY_CLI_OUTPUT_H_

#include <string>

namespace datastory::cli {

// `path` empty or "-" means stdout. Returns the exit code (kExitOk, or the error's, reported).
int WriteOutput(const std::string& path, const std::string& text);

}  // namespace datastory::cli

#endif  // DATASTORY_CLI_OUTPUT_H_
