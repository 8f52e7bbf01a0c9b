// JSON pieces shared by the renderers (private to render/: it brings in nlohmann/json).
#ifndef DATASTORY_RENDER_JSON_PARTS_H_
#define DATASTORY_RENDER_JSON_PARTS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "analysis/profile.h"
#include "story/story.h"

namespace datastory::render {

// The profile as DESIGN.md §4 names its parts: dataset, columns, statistics.{distributions,
// correlations}, alerts, diagnostics, processingTime. `with_correlations` false leaves the
// correlations out (a story lists its own, and a wide table's profile has half a million).
nlohmann::ordered_json ProfileJson(const analysis::Profile& profile, bool with_correlations = true);

// A Vega-Lite spec (v5/v6 grammar) that draws `chart`, its data inline.
nlohmann::ordered_json VegaLiteSpec(const story::Chart& chart);

// Pretty-printed, invalid UTF-8 replaced by U+FFFD, newline at the end.
std::string DumpJson(const nlohmann::ordered_json& json);

}  // namespace datastory::render

#endif  // DATASTORY_RENDER_JSON_PARTS_H_
