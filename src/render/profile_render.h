// Rendering a Profile: the JSON of DESIGN.md §4 (statistics.distributions,
// statistics.correlations, alerts, dataset) and an aligned plain-text report for a terminal.
#ifndef DATASTORY_RENDER_PROFILE_RENDER_H_
#define DATASTORY_RENDER_PROFILE_RENDER_H_

#include <string>

#include "analysis/profile.h"

namespace datastory::render {

// Pretty-printed JSON, keys in camelCase. Invalid UTF-8 in values is replaced by U+FFFD.
std::string RenderProfileJson(const analysis::Profile& profile);

// A report a person can read: dataset line, one aligned row per column, correlations, alerts,
// diagnostics.
std::string RenderProfileText(const analysis::Profile& profile);

}  // namespace datastory::render

#endif  // DATASTORY_RENDER_PROFILE_RENDER_H_
