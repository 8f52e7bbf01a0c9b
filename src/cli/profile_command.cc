#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>

#include "analysis/profile.h"
#include "cli/commands.h"
#include "cli/read_flags.h"
#include "csv/source.h"
#include "render/profile_render.h"

namespace datastory::cli {
namespace {

struct ProfileFlags {
  ReadFlags read;
  bool json = false;
  std::string output;
};

int RunProfile(const ProfileFlags& f) {
  analysis::ProfileOptions options;
  if (Status s = BuildReadOptions(f.read, &options); !s.ok()) {
    std::fprintf(stderr, "datastory: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto source = csv::OpenFile(f.read.path);
  if (!source.ok()) return ReportError(source.status());
  ProgressLine progress(f.read.path);
  options.read.progress = progress.Callback();
  auto profile = analysis::ProfileSource(**source, options);
  progress.Finish();
  if (!profile.ok()) return ReportError(profile.status());
  std::string text =
      f.json ? render::RenderProfileJson(*profile) : render::RenderProfileText(*profile);
  if (f.output.empty() || f.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  // Write beside the target and rename, so a failed run never leaves half a file.
  std::string temp = f.output + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return ReportError(Status::Unavailable(f.output + ": cannot write"));
    }
  }
  if (std::rename(temp.c_str(), f.output.c_str()) != 0) {
    std::remove(temp.c_str());
    return ReportError(Status::Unavailable(f.output + ": cannot write"));
  }
  return kExitOk;
}

}  // namespace

void AddProfileCommand(CLI::App& app, std::function<int()>* run) {
  auto flags = std::make_shared<ProfileFlags>();
  CLI::App* cmd =
      app.add_subcommand("profile", "Statistics, correlations and alerts of a CSV file");
  AddReadFlags(*cmd, flags->read);
  cmd->add_flag("--json", flags->json, "Print JSON (DESIGN.md §4 shapes) instead of a table");
  cmd->add_option("-o,--output", flags->output, "Write to this file instead of stdout");
  cmd->callback([flags, run] { *run = [flags] { return RunProfile(*flags); }; });
}

}  // namespace datastory::cli
