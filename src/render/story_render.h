// Rendering a Story: the JSON contract of DESIGN.md §4, Markdown, and one self-contained HTML
// page (inline SVG charts, print-friendly CSS, no scripts, opens offline).
#ifndef DATASTORY_RENDER_STORY_RENDER_H_
#define DATASTORY_RENDER_STORY_RENDER_H_

#include <string>

#include "story/story.h"

namespace datastory::render {

// Pretty for people (the CLI's output); compact for storage and the API, half the bytes.
enum class JsonLayout { kPretty, kCompact };

// `processing_ms` is written as processingTime. Deterministic for a given story apart from it.
std::string RenderStoryJson(const story::Story& story, int64_t processing_ms,
                            JsonLayout layout = JsonLayout::kPretty);
std::string RenderStoryMarkdown(const story::Story& story);
std::string RenderStoryHtml(const story::Story& story);
// The charts drawn as SVG, for the web UI: [{"id": "c1", "svg": "<svg …>"}], compact.
std::string RenderStoryChartsJson(const story::Story& story);

}  // namespace datastory::render

#endif  // DATASTORY_RENDER_STORY_RENDER_H_
