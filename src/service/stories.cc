#include "service/stories.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "csv/encoding.h"
#include "table/inference.h"

namespace datastory::service {
namespace {

using nlohmann::json;

// The start of an upload kept for its preview: the sniffer's sample.
constexpr size_t kPreviewBytes = size_t{2} << 20;
// What DetectEncoding needs to tell text from a binary file.
constexpr size_t kHeadCheckBytes = 64 << 10;

Status Invalid(const Status& s) {
  return Status::InvalidArgument(s.message()).WithReason(kInvalidOptions);
}

Status TooLarge(int64_t limit) {
  return Status::ResourceExhausted("the file is larger than your plan's limit of " +
                                   std::to_string(limit >> 20) + " MiB")
      .WithReason(kFileTooLarge);
}

std::string DelimiterText(char d) { return std::string(1, d); }

// A json string from any bytes: invalid UTF-8 is shown as U+FFFD rather than refused.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

Result<pipeline::StoryRequest> ParseStorySettings(const StorySettings& s) {
  pipeline::StoryRequest request;
  auto audience = pipeline::ParseAudience(s.audience);
  if (!audience.ok()) return Invalid(audience.status());
  request.audience = *audience;
  if (s.title.size() > 200) {
    return Status::InvalidArgument("title: at most 200 characters").WithReason(kInvalidOptions);
  }
  request.title = s.title;
  request.time_column = s.time_column;
  for (const auto& [column, kind] : s.types) {
    auto type = pipeline::ParseColumnType(kind);
    if (!type.ok()) return Invalid(type.status());
    request.types[column] = *type;
  }
  if (!s.delimiter.empty()) {
    auto d = pipeline::ParseDelimiter(s.delimiter);
    if (!d.ok()) return Invalid(d.status());
    request.dialect.delimiter = *d;
  }
  if (!s.encoding.empty()) {
    auto e = pipeline::ParseEncoding(s.encoding);
    if (!e.ok()) return Invalid(e.status());
    request.dialect.encoding = *e;
  }
  request.dialect.header = s.header;
  return request;
}

std::string StoryJobOptions(std::string_view upload_id, const StorySettings& s) {
  json overrides = {{"types", s.types}};
  if (!s.time_column.empty()) overrides["time"] = s.time_column;
  if (!s.delimiter.empty()) overrides["delimiter"] = s.delimiter;
  if (!s.encoding.empty()) overrides["encoding"] = s.encoding;
  if (s.header) overrides["header"] = *s.header;
  return Dump({{"uploadId", upload_id},
               {"audienceLevel", s.audience},
               {"title", s.title},
               {"overrides", overrides}});
}

Result<StoryJobSpec> ParseStoryJobOptions(std::string_view options_json) {
  const json j = json::parse(options_json, nullptr, /*allow_exceptions=*/false);
  auto bad = [] { return Status::InvalidArgument("the job's options are not a story's"); };
  if (!j.is_object() || !j.contains("uploadId") || !j["uploadId"].is_string()) return bad();
  StoryJobSpec spec;
  spec.upload_id = j["uploadId"].get<std::string>();
  if (j.contains("audienceLevel") && j["audienceLevel"].is_string()) {
    spec.settings.audience = j["audienceLevel"].get<std::string>();
  }
  if (j.contains("title") && j["title"].is_string()) spec.settings.title = j["title"];
  if (j.contains("overrides") && j["overrides"].is_object()) {
    const json& o = j["overrides"];
    if (o.contains("types") && o["types"].is_object()) {
      for (const auto& [column, kind] : o["types"].items()) {
        if (kind.is_string()) spec.settings.types[column] = kind.get<std::string>();
      }
    }
    if (o.contains("time") && o["time"].is_string()) spec.settings.time_column = o["time"];
    if (o.contains("delimiter") && o["delimiter"].is_string()) {
      spec.settings.delimiter = o["delimiter"];
    }
    if (o.contains("encoding") && o["encoding"].is_string()) spec.settings.encoding = o["encoding"];
    if (o.contains("header") && o["header"].is_boolean())
      spec.settings.header = o["header"].get<bool>();
  }
  return spec;
}

std::string PreviewJson(const pipeline::Preview& p) {
  json columns = json::array();
  for (const table::ColumnSchema& c : p.columns) {
    json col = {{"name", c.name},
                {"type", table::ColumnTypeName(c.type)},
                {"role", table::RoleName(c.role)},
                {"reason", c.reason}};
    if (c.unit != table::Unit::kNone) col["unit"] = table::UnitName(c.unit);
    columns.push_back(std::move(col));
  }
  json problems = json::array();
  for (const csv::Diagnostic& d : p.problems) {
    problems.push_back(
        {{"line", d.line}, {"code", csv::DiagnosticKindName(d.kind)}, {"detail", d.message}});
  }
  return Dump({{"encoding", csv::EncodingName(p.dialect.encoding)},
               {"encodingReason", p.encoding_reason},
               {"delimiter", DelimiterText(p.dialect.delimiter)},
               {"quote", p.dialect.quote ? DelimiterText(p.dialect.quote) : ""},
               {"lineEnding", csv::LineEndingName(p.dialect.line_ending)},
               {"header", p.dialect.header},
               {"headerReason", p.header_reason},
               {"skippedLines", p.dialect.skipped_lines},
               {"columns", columns},
               {"rows", p.rows},
               {"rowsRead", p.rows_read},
               {"rowEstimate", p.row_estimate},
               {"rowCountExact", p.whole_file_read},
               {"problems", problems}});
}

StoryService::StoryService(store::Store& store, blob::BlobStore& blobs, size_t document_cache_bytes)
    : store_(store), blobs_(blobs), documents_(document_cache_bytes) {}

Result<UploadResult> StoryService::Upload(const Principal& principal, UploadRequest request,
                                          const StorySettings& settings) {
  DS_ASSIGN_OR_RETURN(pipeline::StoryRequest read, ParseStorySettings(settings));
  const int64_t limit = principal.user.limits.max_upload_bytes;
  if (limit >= 0 && request.declared_size > limit) return TooLarge(limit);
  if (request.filename.empty()) request.filename = "upload.csv";

  // The blob store pulls the body through this reader: it counts, stops past the limit, keeps
  // the start for the preview, and refuses what is not text as soon as it can tell.
  int64_t total = 0;
  std::string head;
  bool checked = false;
  auto reader = [&](char* buffer, size_t capacity) -> Result<size_t> {
    DS_ASSIGN_OR_RETURN(size_t n, request.body(buffer, capacity));
    total += static_cast<int64_t>(n);
    if (limit >= 0 && total > limit) return TooLarge(limit);
    if (head.size() < kPreviewBytes) head.append(buffer, std::min(n, kPreviewBytes - head.size()));
    if (!checked && (head.size() >= kHeadCheckBytes || n == 0)) {
      checked = true;
      if (head.empty()) {
        return Status::InvalidArgument("the file is empty").WithReason(kEmptyFile);
      }
      auto text = csv::DetectEncoding(std::string_view(head).substr(0, kHeadCheckBytes), n == 0);
      if (!text.ok()) {
        return Status::InvalidArgument(request.filename + ": " + text.status().message())
            .WithReason(kNotCsv);
      }
    }
    return n;
  };
  const std::string key = blob::GenerateUploadKey(principal.user.id);
  DS_ASSIGN_OR_RETURN(
      blob::BlobInfo stored,
      blobs_.UploadStream(key, reader, {request.content_type, {"upload"}, request.filename}));

  auto source = csv::PrefixSource(std::move(head), total, request.filename);
  auto preview = pipeline::MakePreview(*source, read);
  if (!preview.ok()) {
    static_cast<void>(blobs_.Remove(key));  // not a table: nothing kept
    return preview.status();
  }
  store::UploadRecord record{
      "",          principal.user.id,     key, request.filename, request.content_type,
      stored.size, PreviewJson(*preview), 0};
  auto saved = store_.CreateUpload(record);
  if (!saved.ok()) {
    static_cast<void>(blobs_.Remove(key));
    return saved.status();
  }
  return UploadResult{std::move(saved).value(), std::move(preview).value()};
}

Result<UploadResult> StoryService::Preview(const Principal& principal, std::string_view upload_id,
                                           const StorySettings& settings) {
  DS_ASSIGN_OR_RETURN(pipeline::StoryRequest read, ParseStorySettings(settings));
  DS_ASSIGN_OR_RETURN(store::UploadRecord upload, store_.GetUpload(principal.user.id, upload_id));
  std::string head;
  const Status enough = Status::Cancelled("enough for a preview");
  Status s = blobs_.DownloadStream(upload.storage_key, [&](std::string_view piece) {
    head.append(piece.substr(0, kPreviewBytes - head.size()));
    return head.size() >= kPreviewBytes ? enough : Status::Ok();
  });
  if (!s.ok() && s.code() != StatusCode::kCancelled) return s;
  auto source = csv::PrefixSource(std::move(head), upload.size, upload.original_filename);
  DS_ASSIGN_OR_RETURN(pipeline::Preview preview, pipeline::MakePreview(*source, read));
  return UploadResult{std::move(upload), std::move(preview)};
}

Status StoryService::DeleteUpload(const Principal& principal, std::string_view upload_id) {
  DS_ASSIGN_OR_RETURN(store::UploadRecord upload,
                      store_.DeleteUpload(principal.user.id, upload_id));
  Status s = blobs_.Remove(upload.storage_key);
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

Result<store::Job> StoryService::StartStory(const Principal& principal, std::string_view upload_id,
                                            const StorySettings& settings,
                                            std::string_view idempotency_key) {
  DS_RETURN_IF_ERROR(ParseStorySettings(settings).status());
  DS_RETURN_IF_ERROR(store_.GetUpload(principal.user.id, upload_id).status());
  if (idempotency_key.size() > 255) {
    return Status::InvalidArgument("Idempotency-Key: at most 255 characters")
        .WithReason("INVALID_REQUEST");
  }
  store::NewJob job;
  job.user_id = principal.user.id;
  job.options_json = StoryJobOptions(upload_id, settings);
  job.idempotency_key = std::string(idempotency_key);
  return store_.EnqueueJob(job);
}

Result<store::Job> StoryService::GetJob(const Principal& principal, std::string_view job_id) {
  return store_.GetJob(principal.user.id, job_id);
}

Result<store::Job> StoryService::CancelJob(const Principal& principal, std::string_view job_id) {
  return store_.CancelJob(principal.user.id, job_id);
}

template <class ReadWhole>
Result<StoryView> StoryService::View(Result<store::StoryRecord> head, const ReadWhole& whole) {
  if (!head.ok()) return head.status();
  StoryView view{std::move(head).value(), nullptr};
  view.document = documents_.Find(view.story.id, view.story.updated_at);
  if (view.document) return view;
  // Not kept (or an older version): the whole story, which may be newer than the head.
  DS_ASSIGN_OR_RETURN(view.story, whole());
  view.document =
      documents_.Put(view.story.id, view.story.updated_at, std::move(view.story.document_json));
  view.story.document_json = "{}";
  return view;
}

Result<StoryView> StoryService::GetStory(const Principal& principal, std::string_view story_id) {
  const std::string& owner = principal.user.id;
  return View(store_.GetStory(owner, story_id, store::StoryParts::kHead),
              [&] { return store_.GetStory(owner, story_id, store::StoryParts::kWhole); });
}

Result<store::StoryPage> StoryService::ListStories(const Principal& principal,
                                                   std::string_view cursor, int limit) {
  return store_.ListStories(principal.user.id, cursor, limit);
}

Result<store::StoryRecord> StoryService::UpdateStory(const Principal& principal,
                                                     std::string_view story_id,
                                                     const store::StoryUpdate& update) {
  if (update.title && (update.title->empty() || update.title->size() > 200)) {
    return Status::InvalidArgument("title: 1 to 200 characters").WithReason("INVALID_REQUEST");
  }
  store::StoryUpdate change = update;
  if (update.title && !update.document_json) {  // the document carries the title too
    DS_ASSIGN_OR_RETURN(StoryView story, GetStory(principal, story_id));
    json doc = json::parse(*story.document, nullptr, false);
    if (doc.is_object()) {
      doc["title"] = *update.title;
      change.document_json = Dump(doc);
    }
  }
  return store_.UpdateStory(principal.user.id, story_id, change);
}

Status StoryService::DeleteStory(const Principal& principal, std::string_view story_id) {
  DS_ASSIGN_OR_RETURN(store::DeletedStory deleted, store_.DeleteStory(principal.user.id, story_id));
  documents_.Erase(story_id);
  if (deleted.freed_storage_key.empty()) return Status::Ok();
  // The rows are gone; a file that cannot be removed now is only space, and the answer says so.
  Status s = blobs_.Remove(deleted.freed_storage_key);
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

Result<std::string> StoryService::Export(const Principal& principal, std::string_view story_id,
                                         pipeline::Format format) {
  if (format == pipeline::Format::kJson || format == pipeline::Format::kCompactJson) {
    DS_ASSIGN_OR_RETURN(StoryView story, GetStory(principal, story_id));
    return *story.document;
  }
  DS_ASSIGN_OR_RETURN(store::StoryRender render,
                      store_.GetStoryRender(principal.user.id, story_id));
  return format == pipeline::Format::kHtml ? render.html : render.markdown;
}

Result<std::string> StoryService::Charts(const Principal& principal, std::string_view story_id) {
  DS_ASSIGN_OR_RETURN(store::StoryRender render,
                      store_.GetStoryRender(principal.user.id, story_id));
  return std::move(render.charts_json);
}

Result<std::string> StoryService::SharedCharts(std::string_view share_token) {
  DS_ASSIGN_OR_RETURN(store::StoryRecord story,
                      store_.GetSharedStory(share_token, store::StoryParts::kHead));
  DS_ASSIGN_OR_RETURN(store::StoryRender render, store_.GetStoryRender(story.user_id, story.id));
  return std::move(render.charts_json);
}

Result<StoryView> StoryService::GetShared(std::string_view share_token) {
  return View(store_.GetSharedStory(share_token, store::StoryParts::kHead),
              [&] { return store_.GetSharedStory(share_token, store::StoryParts::kWhole); });
}

Result<std::string> StoryService::SharedPage(std::string_view share_token) {
  DS_ASSIGN_OR_RETURN(store::StoryRecord story,
                      store_.GetSharedStory(share_token, store::StoryParts::kHead));
  DS_ASSIGN_OR_RETURN(store::StoryRender render, store_.GetStoryRender(story.user_id, story.id));
  return render.html;
}

}  // namespace datastory::service
