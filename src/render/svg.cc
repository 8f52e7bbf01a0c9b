#include "render/svg.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "render/palette.h"

namespace datastory::render {
namespace {

using analysis::Evidence;

// A generous width for `text` at 12px: capitals and digits are wider than the average.
double TextWidth(const std::string& text) {
  double w = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    w += std::isupper(c) || std::isdigit(c) ? 8.5 : c == ' ' ? 3.5 : 7;
  }
  return w;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

std::string Truncate(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return s.substr(0, cut) + "…";
}

struct Scale {
  double d0 = 0, d1 = 1, r0 = 0, r1 = 1;
  double operator()(double v) const {
    return d1 == d0 ? (r0 + r1) / 2 : r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  }
};

class Svg {
 public:
  Svg(int width, int height, const std::string& title) : width_(width), height_(height) {
    out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) +
           " " + std::to_string(height) + "\" width=\"" + std::to_string(width) + "\" height=\"" +
           std::to_string(height) + "\" role=\"img\" aria-label=\"" + EscapeXml(title) +
           "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" "
           "font-size=\"12\">\n<title>" +
           EscapeXml(title) + "</title>\n";
  }
  void Line(double x1, double y1, double x2, double y2, const char* colour, double width = 1,
            const char* dash = nullptr) {
    out_ += "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" +
            Num(y2) + "\" stroke=\"" + colour + "\" stroke-width=\"" + Num(width) + "\"" +
            (dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : "") + "/>\n";
  }
  // A mark with a `tip` carries it as its <title>: the browser shows it as the mark's tooltip,
  // with no script.
  void Rect(double x, double y, double w, double h, const char* colour,
            const std::string& tip = "") {
    out_ += "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(std::max(0.0, w)) +
            "\" height=\"" + Num(std::max(0.0, h)) + "\" fill=\"" + colour + "\"";
    EndMark("rect", tip);
  }
  void Circle(double x, double y, double r, const char* colour, double opacity = 1,
              const std::string& tip = "") {
    out_ += "<circle cx=\"" + Num(x) + "\" cy=\"" + Num(y) + "\" r=\"" + Num(r) + "\" fill=\"" +
            colour + "\"" + (opacity < 1 ? " fill-opacity=\"" + Num(opacity) + "\"" : "");
    EndMark("circle", tip);
  }
  void Text(double x, double y, const std::string& text, const char* anchor = "start",
            const char* colour = "#333333", bool bold = false) {
    out_ += "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + anchor +
            "\" fill=\"" + colour + "\"" + (bold ? " font-weight=\"600\"" : "") + ">" +
            EscapeXml(text) + "</text>\n";
  }
  void Path(const std::vector<std::pair<double, double>>& points, const char* colour, double width,
            const char* dash = nullptr) {
    if (points.empty()) return;
    std::string d;
    for (size_t i = 0; i < points.size(); ++i) {
      d += (i ? " L" : "M") + Num(points[i].first) + " " + Num(points[i].second);
    }
    out_ += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"" +
            Num(width) + "\" stroke-linejoin=\"round\"" +
            (dash ? std::string(" stroke-dasharray=\"") + dash + "\"" : "") + "/>\n";
  }
  std::string Finish() { return out_ + "</svg>\n"; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  void EndMark(const char* element, const std::string& tip) {
    if (tip.empty()) {
      out_ += "/>\n";
    } else {
      out_ += "><title>" + EscapeXml(tip) + "</title></" + element + ">\n";
    }
  }

  int width_, height_;
  std::string out_;
};

// Labels along a horizontal axis, left to right: a label is drawn only when it clears the one
// before it and stays inside [min_x, max_x], so labels never collide or spill out.
class AxisLabels {
 public:
  AxisLabels(Svg& svg, double y, double min_x, double max_x)
      : svg_(svg), y_(y), min_x_(min_x), max_x_(max_x) {}
  // Returns whether the label was drawn.
  bool Add(double x, const std::string& text) {
    double half = TextWidth(text) / 2;
    if (x - half < min_x_ || x + half > max_x_ || x - half < last_right_ + 6) return false;
    svg_.Text(x, y_, text, "middle", "#555555");
    last_right_ = x + half;
    return true;
  }

 private:
  Svg& svg_;
  double y_, min_x_, max_x_;
  double last_right_ = -1e18;
};

std::string Tick(double v, const story::NumberStyle& style) {
  story::NumberStyle s = style;
  s.audience = story::Audience::kExecutive;
  return story::FormatMeasure(v, s);
}

// A vertical value axis with grid lines, from the ticks of [lo, hi].
Scale ValueAxisY(Svg& svg, double lo, double hi, double top, double bottom, double left,
                 double right, const story::NumberStyle& style, const std::string& title) {
  std::vector<double> ticks = NiceTicks(lo, hi, 5);
  Scale y{ticks.front(), ticks.back(), bottom, top};
  for (double t : ticks) {
    svg.Line(left, y(t), right, y(t), "#e5e5e5");
    svg.Text(left - 6, y(t) + 4, Tick(t, style), "end", "#555555");
  }
  svg.Text(left - 6, top - 10, title, "start", "#555555");
  return y;
}

std::string LineChart(const story::Chart& chart, int width) {
  const Evidence& e = chart.evidence;
  const int height = 300;
  Svg svg(width, height, chart.title);
  const double left = 70, right = width - 20, top = 28, bottom = height - 36;
  double lo = INFINITY, hi = -INFINITY;
  for (double v : e.y) lo = std::min(lo, v), hi = std::max(hi, v);
  for (double v : e.fit) lo = std::min(lo, v), hi = std::max(hi, v);
  if (e.x.empty()) return svg.Finish();
  Scale y = ValueAxisY(svg, lo, hi, top, bottom, left, right, chart.y_style, e.y_title);
  Scale x{e.x.front(), e.x.back(), left + 6, right - 6};
  // Date labels at bucket starts, evenly stepped, each drawn only where it clears the last.
  const std::string sample = analysis::FormatBucket(static_cast<int64_t>(e.x.front()), e.grain);
  const double label_width = TextWidth(sample) + 16;
  const size_t fit = std::max<size_t>(1, static_cast<size_t>((right - left) / label_width));
  const size_t step = std::max<size_t>(1, (e.x.size() + fit - 1) / fit);
  svg.Line(left, bottom, right, bottom, "#999999");
  AxisLabels labels(svg, bottom + 20, 0, width);
  for (size_t i = 0; i < e.x.size(); i += step) {
    if (labels.Add(x(e.x[i]), analysis::FormatBucket(static_cast<int64_t>(e.x[i]), e.grain))) {
      svg.Line(x(e.x[i]), bottom, x(e.x[i]), bottom + 4, "#999999");
    }
  }
  if (e.marker) {
    svg.Line(x(*e.marker), top, x(*e.marker), bottom, kAccent, 1.5, "4 3");
  }
  std::vector<std::pair<double, double>> points, trend;
  for (size_t i = 0; i < e.x.size(); ++i) {
    points.emplace_back(x(e.x[i]), y(e.y[i]));
    if (i < e.fit.size()) trend.emplace_back(x(e.x[i]), y(e.fit[i]));
  }
  svg.Path(trend, kMuted, 1.5, "6 4");
  svg.Path(points, kBase, 2);
  // Each point with its value as a tooltip: drawn up to 60 points, invisible beyond (up to
  // 500: past that a point is narrower than a pointer).
  if (e.x.size() <= 500) {
    for (size_t i = 0; i < points.size(); ++i) {
      const std::string tip = analysis::FormatBucket(static_cast<int64_t>(e.x[i]), e.grain) + ": " +
                              Tick(e.y[i], chart.y_style);
      svg.Circle(points[i].first, points[i].second, e.x.size() <= 60 ? 2.5 : 3, kBase,
                 e.x.size() <= 60 ? 1 : 0, tip);
    }
  }
  for (int h : e.highlight) {
    if (h >= 0 && static_cast<size_t>(h) < points.size()) {
      svg.Circle(points[h].first, points[h].second, 6, kAccent);
    }
  }
  return svg.Finish();
}

std::string BarChart(const story::Chart& chart, int width) {
  const Evidence& e = chart.evidence;
  const int row = 24;
  const int height = 40 + row * static_cast<int>(e.labels.size()) + 24;
  Svg svg(width, height, chart.title);
  double longest = 0;
  for (const std::string& l : e.labels) longest = std::max(longest, TextWidth(Truncate(l, 28)));
  const double left = 16 + longest, right = width - 70;
  const double top = 28;
  double lo = 0, hi = 0;
  for (double v : e.y) lo = std::min(lo, v), hi = std::max(hi, v);
  std::vector<double> ticks = NiceTicks(lo, hi, 4);
  Scale x{ticks.front(), ticks.back(), left, right};
  const double bottom = top + row * static_cast<double>(e.labels.size());
  AxisLabels labels(svg, bottom + 16, 0, width);
  for (double t : ticks) {
    svg.Line(x(t), top, x(t), bottom, "#eeeeee");
    labels.Add(x(t), Tick(t, chart.y_style));
  }
  svg.Text(left, top - 10, e.y_title, "start", "#555555");
  for (size_t i = 0; i < e.labels.size(); ++i) {
    bool lit =
        std::find(e.highlight.begin(), e.highlight.end(), static_cast<int>(i)) != e.highlight.end();
    double y0 = top + row * static_cast<double>(i) + 4;
    double x0 = x(std::min(0.0, e.y[i])), x1 = x(std::max(0.0, e.y[i]));
    svg.Rect(x0, y0, x1 - x0, row - 8, lit ? kAccent : kBase,
             e.labels[i] + ": " + Tick(e.y[i], chart.y_style));
    svg.Text(left - 6, y0 + 12, Truncate(e.labels[i], 28), "end", "#333333", lit);
    svg.Text(x1 + 4, y0 + 12, Tick(e.y[i], chart.y_style), "start", "#555555");
  }
  svg.Line(x(0), top, x(0), bottom, "#999999");
  return svg.Finish();
}

std::string StackChart(const story::Chart& chart, int width) {
  const Evidence& e = chart.evidence;
  const size_t parts = e.stack.size();
  // Legend rows first: entries wrap at the width.
  std::vector<std::pair<double, int>> legend;  // x, row
  double lx = 12;
  int lrow = 0;
  for (const std::string& s : e.stack) {
    double w = 20 + TextWidth(Truncate(s, 24)) + 14;
    if (lx + w > width - 12 && lx > 12) lx = 12, ++lrow;
    legend.emplace_back(lx, lrow);
    lx += w;
  }
  const int row = 26;
  const double top = 22.0 + 18 * (lrow + 1) + 8;
  const int height = static_cast<int>(top) + row * static_cast<int>(e.labels.size()) + 28;
  Svg svg(width, height, chart.title);
  for (size_t p = 0; p < parts; ++p) {
    double y = 18 + 18.0 * legend[p].second;
    svg.Rect(legend[p].first, y - 10, 12, 12, kCategorical[p % kCategorical.size()]);
    svg.Text(legend[p].first + 18, y, Truncate(e.stack[p], 24));
  }
  double longest = 0;
  for (const std::string& l : e.labels) longest = std::max(longest, TextWidth(Truncate(l, 28)));
  const double left = 16 + longest, right = width - 24;
  Scale x{0, 1, left, right};
  for (size_t r = 0; r < e.labels.size(); ++r) {
    double y0 = top + row * static_cast<double>(r) + 4;
    double at = 0;
    for (size_t p = 0; p < parts; ++p) {
      double share = e.y[r * parts + p];
      if (!(share > 0)) continue;
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%.0f%%", share * 100);
      svg.Rect(x(at), y0, x(at + share) - x(at), row - 8, kCategorical[p % kCategorical.size()],
               (e.labels[r].empty() ? "" : e.labels[r] + ", ") + e.stack[p] + ": " + buf);
      if (x(at + share) - x(at) > 34) {
        svg.Text((x(at) + x(at + share)) / 2, y0 + 13, buf, "middle",
                 p % kCategorical.size() == 6 ? "#333333" : "#ffffff");
      }
      at += share;
    }
    if (e.labels.size() > 1 || !e.labels[r].empty()) {
      svg.Text(left - 6, y0 + 13, Truncate(e.labels[r], 28), "end");
    }
  }
  const double bottom = top + row * static_cast<double>(e.labels.size());
  AxisLabels labels(svg, bottom + 16, 0, width);
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%.0f%%", t * 100);
    labels.Add(x(t), buf);
  }
  return svg.Finish();
}

std::string Histogram(const story::Chart& chart, int width) {
  const Evidence& e = chart.evidence;
  const int height = 280;
  Svg svg(width, height, chart.title);
  const double left = 60, right = width - 20, top = 28, bottom = height - 42;
  if (e.x.size() < 2) return svg.Finish();
  double hi = 0;
  for (double c : e.y) hi = std::max(hi, c);
  story::NumberStyle counts;
  Scale y = ValueAxisY(svg, 0, hi, top, bottom, left, right, counts, e.y_title);
  std::vector<double> ticks = NiceTicks(e.x.front(), e.x.back(), 6);
  Scale x{e.x.front(), e.x.back(), left, right};
  AxisLabels labels(svg, bottom + 20, left - 20, width);
  for (double t : ticks) {
    if (t < e.x.front() || t > e.x.back()) continue;
    labels.Add(x(t), Tick(t, chart.y_style));
  }
  for (size_t i = 0; i + 1 < e.x.size() && i < e.y.size(); ++i) {
    svg.Rect(x(e.x[i]) + 0.5, y(e.y[i]), x(e.x[i + 1]) - x(e.x[i]) - 1, bottom - y(e.y[i]), kBase,
             Tick(e.x[i], chart.y_style) + " to " + Tick(e.x[i + 1], chart.y_style) + ": " +
                 story::FormatCount(e.y[i]) + (e.y[i] == 1 ? " row" : " rows"));
  }
  svg.Line(left, bottom, right, bottom, "#999999");
  svg.Text((left + right) / 2, bottom + 34, e.x_title, "middle", "#555555");
  return svg.Finish();
}

std::string Scatter(const story::Chart& chart, int width) {
  const Evidence& e = chart.evidence;
  const int height = 320;
  Svg svg(width, height, chart.title);
  const double left = 70, right = width - 20, top = 28, bottom = height - 42;
  if (e.x.empty()) return svg.Finish();
  auto [xlo, xhi] = std::minmax_element(e.x.begin(), e.x.end());
  auto [ylo, yhi] = std::minmax_element(e.y.begin(), e.y.end());
  story::NumberStyle plain;
  Scale y = ValueAxisY(svg, *ylo, *yhi, top, bottom, left, right, plain, e.y_title);
  std::vector<double> ticks = NiceTicks(*xlo, *xhi, 6);
  Scale x{ticks.front(), ticks.back(), left, right};
  AxisLabels labels(svg, bottom + 20, left - 20, width);
  for (double t : ticks) labels.Add(x(t), Tick(t, plain));
  svg.Line(left, bottom, right, bottom, "#999999");
  svg.Text((left + right) / 2, bottom + 34, e.x_title, "middle", "#555555");
  for (size_t i = 0; i < e.x.size(); ++i) {
    svg.Circle(
        x(e.x[i]), y(e.y[i]), 3, kBase, 0.55,
        e.x_title + " " + Tick(e.x[i], plain) + ", " + e.y_title + " " + Tick(e.y[i], plain));
  }
  if (e.fit.size() == 2) {
    double a = ticks.front(), b = ticks.back();
    double ya = e.fit[1] + e.fit[0] * a, yb = e.fit[1] + e.fit[0] * b;
    // Clip the fit line to the plot's value range.
    double vlo = y.d0, vhi = y.d1;
    auto clip = [&](double& px, double& py, double qx, double qy) {
      if (py < vlo || py > vhi) {
        double target = py < vlo ? vlo : vhi;
        if (qy != py) px = px + (target - py) / (qy - py) * (qx - px);
        py = target;
      }
    };
    clip(a, ya, b, yb);
    clip(b, yb, a, ya);
    svg.Line(x(a), y(ya), x(b), y(yb), kAccent, 2);
  }
  return svg.Finish();
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int count) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  double raw = (hi - lo) / std::max(1, count);
  double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  // Whole multiples of the step, by index: a running sum would drift.
  const auto first = static_cast<int64_t>(std::floor(lo / step));
  const auto last = static_cast<int64_t>(std::ceil(hi / step));
  std::vector<double> ticks;
  for (int64_t k = first; k <= last; ++k) {
    ticks.push_back(k == 0 ? 0 : static_cast<double>(k) * step);
  }
  return ticks;
}

std::string EscapeXml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string RenderChartSvg(const story::Chart& chart, int width) {
  if (chart.type == "line") return LineChart(chart, width);
  if (chart.type == "bar") return BarChart(chart, width);
  if (chart.type == "stacked_bar") return StackChart(chart, width);
  if (chart.type == "histogram") return Histogram(chart, width);
  return Scatter(chart, width);
}

}  // namespace datastory::render
