// Our own SVG drawing of a story's charts, for the HTML page (no script, opens offline, prints).
// Axes get "nice" ticks (1, 2, 5 × 10^k) and date labels at bucket boundaries, spaced so they do
// not collide; category labels sit one per row; colours are the Okabe-Ito palette.
#ifndef DATASTORY_RENDER_SVG_H_
#define DATASTORY_RENDER_SVG_H_

#include <string>
#include <string_view>
#include <vector>

#include "story/story.h"

namespace datastory::render {

// An <svg> element (no XML prolog) for `chart`, `width` pixels wide.
std::string RenderChartSvg(const story::Chart& chart, int width = 640);

// Round tick values covering [lo, hi]: about `count` of them, a step of 1, 2 or 5 × 10^k.
std::vector<double> NiceTicks(double lo, double hi, int count);

// Text escaped for XML and HTML content and attributes.
std::string EscapeXml(std::string_view text);

}  // namespace datastory::render

#endif  // DATASTORY_RENDER_SVG_H_
