// Uploads and stories: the platform's rules for files and the stories told from them, without
// HTTP.
//
// An upload is its own step: the file streams into the BlobStore (never whole in memory), is
// refused by its content, not its name, when it is not CSV text, and is refused before a byte is
// stored when it is larger than the tier allows; what was read from it comes back as a preview
// a person can check and correct. No story of the month is spent until a story is started from
// it, with the corrections, as a job (jobs/worker.h runs it).
//
// Failures carry a reason the API passes on as its error code: FILE_TOO_LARGE, NOT_CSV,
// EMPTY_FILE, PARSE_ERROR (and the read limits' reasons), INVALID_OPTIONS, QUOTA_EXCEEDED,
// IDEMPOTENCY_KEY_REUSED; another user's upload, job or story is NotFound.
#ifndef DATASTORY_SERVICE_STORIES_H_
#define DATASTORY_SERVICE_STORIES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob_store.h"
#include "pipeline/pipeline.h"
#include "service/accounts.h"
#include "service/document_cache.h"
#include "store/store.h"

namespace datastory::service {

inline constexpr const char* kFileTooLarge = "FILE_TOO_LARGE";
inline constexpr const char* kNotCsv = "NOT_CSV";
inline constexpr const char* kEmptyFile = "EMPTY_FILE";
inline constexpr const char* kInvalidOptions = "INVALID_OPTIONS";

// How a story should be told, as the API and the job row carry it (strings as people type
// them; checked by ParseStorySettings).
struct StorySettings {
  std::string audience = "executive";
  std::string title;
  std::map<std::string, std::string> types;  // column → kind
  std::string time_column;
  std::string delimiter;
  std::string encoding;
  std::optional<bool> header;
};

// The pipeline's request for these settings; InvalidArgument (INVALID_OPTIONS) naming the
// first setting that is wrong.
Result<pipeline::StoryRequest> ParseStorySettings(const StorySettings& settings);
// The job's options JSON ({"uploadId", "audienceLevel", "title", "overrides": {…}}) and back.
std::string StoryJobOptions(std::string_view upload_id, const StorySettings& settings);
struct StoryJobSpec {
  std::string upload_id;
  StorySettings settings;
};
Result<StoryJobSpec> ParseStoryJobOptions(std::string_view options_json);

// The preview as the API shows it (docs/api.md).
std::string PreviewJson(const pipeline::Preview& preview);

struct UploadRequest {
  std::string filename;
  std::string content_type = "text/csv";
  int64_t declared_size = -1;  // Content-Length, when the client sent one
  ChunkReader body;            // the bytes, read in pieces
};

struct UploadResult {
  store::UploadRecord upload;
  pipeline::Preview preview;
};

// A story as a reader gets it: the record, and its document shared rather than copied (the
// document is tens of KB; see DocumentCache).
struct StoryView {
  store::StoryRecord story;  // all but the document: document_json is "{}"
  std::shared_ptr<const std::string> document;
};

class StoryService {
 public:
  // `store` and `blobs` must outlive the service. Up to `document_cache_bytes` of story
  // documents are kept in memory. Thread-safe.
  StoryService(store::Store& store, blob::BlobStore& blobs,
               size_t document_cache_bytes = size_t{64} << 20);

  // Streams the file to storage and reads its preview, with `settings`' overrides if any.
  Result<UploadResult> Upload(const Principal& principal, UploadRequest request,
                              const StorySettings& settings = {});
  // The preview again, with other overrides (nothing is stored).
  Result<UploadResult> Preview(const Principal& principal, std::string_view upload_id,
                               const StorySettings& settings);
  Status DeleteUpload(const Principal& principal, std::string_view upload_id);

  // Starts a story job from an upload: the settings are checked first (INVALID_OPTIONS), then
  // one of the month's stories is reserved with the job.
  Result<store::Job> StartStory(const Principal& principal, std::string_view upload_id,
                                const StorySettings& settings, std::string_view idempotency_key);

  Result<store::Job> GetJob(const Principal& principal, std::string_view job_id);
  Result<store::Job> CancelJob(const Principal& principal, std::string_view job_id);

  Result<StoryView> GetStory(const Principal& principal, std::string_view story_id);
  Result<store::StoryPage> ListStories(const Principal& principal, std::string_view cursor,
                                       int limit);
  // A new title (1 to 200 characters; the stored document takes it too) or visibility.
  Result<store::StoryRecord> UpdateStory(const Principal& principal, std::string_view story_id,
                                         const store::StoryUpdate& update);
  // Deletes the story, and its upload and file when no other story was told from them.
  Status DeleteStory(const Principal& principal, std::string_view story_id);
  // The story in a format: "json" (the document), "html" or "md" (the pages kept with it).
  Result<std::string> Export(const Principal& principal, std::string_view story_id,
                             pipeline::Format format);
  // The story's charts drawn as SVG: [{id, svg}] (store::StoryRender::charts_json).
  Result<std::string> Charts(const Principal& principal, std::string_view story_id);
  // A public story by its share token, its page and its charts.
  Result<StoryView> GetShared(std::string_view share_token);
  Result<std::string> SharedPage(std::string_view share_token);
  Result<std::string> SharedCharts(std::string_view share_token);

 private:
  // The view of the story `head` names: its document from the cache, or read with `whole`.
  template <class ReadWhole>
  Result<StoryView> View(Result<store::StoryRecord> head, const ReadWhole& whole);

  store::Store& store_;
  blob::BlobStore& blobs_;
  DocumentCache documents_;
};

}  // namespace datastory::service

#endif  // DATASTORY_SERVICE_STORIES_H_
