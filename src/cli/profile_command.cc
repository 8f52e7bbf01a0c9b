#include <CLI/CLI.hpp>
#include <cstdio>

#include "analysis/profile.h"
#include "cli/commands.h"
#include "cli/output.h"
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
  pipeline::StoryRequest request;
  if (Status s = BuildStoryRequest(f.read, &request); !s.ok()) {
    std::fprintf(stderr, "datastory: %s\n", s.message().c_str());
    return kExitUsage;
  }
  analysis::ProfileOptions options = pipeline::ProfileOptionsFor(request);
  if (Status s = CheckOutputPath(f.output, f.read.path); !s.ok()) return ReportError(s);
  auto source = csv::OpenFile(f.read.path);
  if (!source.ok()) return ReportError(source.status());
  ProgressLine progress(f.read.path, (*source)->size());
  options.read.progress = progress.Callback();
  auto profile = analysis::ProfileSource(**source, options);
  progress.Finish();
  if (!profile.ok()) return ReportError(profile.status());
  std::string text =
      f.json ? render::RenderProfileJson(*profile) : render::RenderProfileText(*profile);
  return WriteOutput(f.output, text, f.read.path);
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
