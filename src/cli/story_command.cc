#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/read_flags.h"
#include "config/config.h"
#include "csv/source.h"
#include "llm/chat_client.h"
#include "pipeline/pipeline.h"
#include "story/rephrase.h"

namespace datastory::cli {
namespace {

struct StoryFlags {
  ReadFlags read;
  std::string output;
  std::string format;
  std::string audience = "executive";
  std::string title;
  std::string time;
  bool no_llm = false;
};

// --format, else the output's extension, else Markdown (for a terminal).
std::string ChooseFormat(const StoryFlags& f) {
  if (!f.format.empty()) return f.format;
  auto ends_with = [&](std::string_view suffix) {
    return f.output.size() >= suffix.size() &&
           f.output.compare(f.output.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".html") || ends_with(".htm")) return "html";
  if (ends_with(".json")) return "json";
  return "md";
}

int RunStory(const StoryFlags& f) {
  pipeline::StoryRequest request;
  if (Status s = BuildStoryRequest(f.read, &request); !s.ok()) {
    std::fprintf(stderr, "datastory: %s\n", s.message().c_str());
    return kExitUsage;
  }
  request.title = f.title;
  request.time_column = f.time;
  request.audience = *pipeline::ParseAudience(f.audience);  // CLI11 checked the name
  const pipeline::Format format = *pipeline::ParseFormat(ChooseFormat(f));
  // A malformed LLM setting fails before any work, naming the variable.
  std::optional<llm::ChatConfig> chat;
  if (!f.no_llm) {
    auto env = config::Environment::Load(".");
    if (!env.ok()) {
      std::fprintf(stderr, "datastory: %s\n", env.status().message().c_str());
      return kExitConfig;
    }
    auto config = llm::ChatConfigFrom(env->Lookup());
    if (!config.ok()) {
      std::fprintf(stderr, "datastory: %s\n", config.status().message().c_str());
      return kExitConfig;
    }
    chat = std::move(config).value();
  }
  if (Status s = CheckOutputPath(f.output, f.read.path); !s.ok()) return ReportError(s);

  auto source = csv::OpenFile(f.read.path);
  if (!source.ok()) return ReportError(source.status());
  ProgressLine progress(f.read.path, (*source)->size());
  auto result = pipeline::MakeStory(**source, request, [&](pipeline::Stage stage, int percent) {
    // Reading is the part worth watching; the rest takes a moment.
    if (stage == pipeline::Stage::kParsing) progress.Show(percent * 100 / 70);
  });
  progress.Finish();
  if (!result.ok()) return ReportError(result.status());
  if (chat) {
    auto model = llm::MakeChatClient(*chat);
    story::RephraseNarratives(result->story, *model);
    for (const std::string& note : result->story.writer_notes) {
      std::fprintf(stderr, "datastory: %s\n", note.c_str());
    }
  }
  return WriteOutput(f.output, pipeline::Render(*result, format), f.read.path);
}

}  // namespace

void AddStoryCommand(CLI::App& app, std::function<int()>* run) {
  auto flags = std::make_shared<StoryFlags>();
  CLI::App* cmd = app.add_subcommand(
      "story", "A data story of a CSV file: summary, key findings with charts, recommendations");
  AddReadFlags(*cmd, flags->read);
  cmd->add_option("-o,--output", flags->output,
                  "Write to this file (format from its extension) instead of stdout");
  cmd->add_option("--format", flags->format, "html, md or json (default: from -o, else md)")
      ->check(CLI::IsMember({"html", "md", "json"}));
  cmd->add_option("--audience", flags->audience, "executive, technical or general")
      ->check(CLI::IsMember({"executive", "technical", "general"}));
  cmd->add_option("--title", flags->title, "The story's title (default: from the file name)");
  cmd->add_option("--time", flags->time, "The column to use as the time axis");
  cmd->add_flag("--no-llm", flags->no_llm,
                "Keep the built-in text even when LLM_BASE_URL names a model to rephrase it");
  cmd->callback([flags, run] { *run = [flags] { return RunStory(*flags); }; });
}

}  // namespace datastory::cli
