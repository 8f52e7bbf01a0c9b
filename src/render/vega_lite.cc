#include <cmath>

#include "render/json_parts.h"
#include "render/palette.h"

namespace datastory::render {
namespace {

using analysis::Evidence;
using nlohmann::ordered_json;

ordered_json Finite(double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr); }

ordered_json Range(std::initializer_list<const char*> colours) {
  ordered_json a = ordered_json::array();
  for (const char* c : colours) a.push_back(c);
  return a;
}

ordered_json Palette() {
  ordered_json a = ordered_json::array();
  for (const char* c : kCategorical) a.push_back(c);
  return a;
}

bool Highlighted(const Evidence& e, size_t i) {
  for (int h : e.highlight) {
    if (h == static_cast<int>(i)) return true;
  }
  return false;
}

// Marks in the base colour, the highlighted ones in the accent colour.
ordered_json HighlightColour() {
  return {{"field", "highlight"},
          {"type", "nominal"},
          {"scale", {{"domain", {false, true}}, {"range", Range({kBase, kAccent})}}},
          {"legend", nullptr}};
}

ordered_json LineSpec(const story::Chart& chart) {
  const Evidence& e = chart.evidence;
  ordered_json values = ordered_json::array();
  for (size_t i = 0; i < e.x.size(); ++i) {
    ordered_json row = {{"time", analysis::FormatBucketIso(static_cast<int64_t>(e.x[i]), e.grain)},
                        {"value", Finite(e.y[i])},
                        {"highlight", Highlighted(e, i)}};
    if (i < e.fit.size()) row["trend"] = Finite(e.fit[i]);
    values.push_back(row);
  }
  const bool years = e.grain == analysis::TimeGrain::kYear;
  ordered_json x = {{"field", "time"},
                    {"type", "temporal"},
                    {"title", e.x_title},
                    {"axis", {{"format", years ? "%Y" : "%b %Y"}}}};
  if (e.grain == analysis::TimeGrain::kDay || e.grain == analysis::TimeGrain::kWeek) {
    x["axis"]["format"] = "%b %d, %Y";
  }
  ordered_json y = {{"field", "value"}, {"type", "quantitative"}, {"title", e.y_title}};
  ordered_json layers = ordered_json::array();
  layers.push_back({{"mark", {{"type", "line"}, {"color", kBase}, {"point", e.x.size() <= 60}}},
                    {"encoding", {{"x", x}, {"y", y}}}});
  if (!e.fit.empty()) {
    layers.push_back(
        {{"mark", {{"type", "line"}, {"color", kMuted}, {"strokeDash", {6, 4}}}},
         {"encoding",
          {{"x", x},
           {"y", {{"field", "trend"}, {"type", "quantitative"}, {"title", e.y_title}}}}}});
  }
  if (!e.highlight.empty()) {
    layers.push_back(
        {{"transform", {{{"filter", "datum.highlight"}}}},
         {"mark", {{"type", "point"}, {"filled", true}, {"size", 90}, {"color", kAccent}}},
         {"encoding", {{"x", x}, {"y", y}}}});
  }
  if (e.marker) {
    layers.push_back(
        {{"data",
          {{"values",
            {{{"time", analysis::FormatBucketIso(static_cast<int64_t>(*e.marker), e.grain)}}}}}},
         {"mark", {{"type", "rule"}, {"color", kAccent}, {"strokeDash", {4, 3}}}},
         {"encoding", {{"x", {{"field", "time"}, {"type", "temporal"}}}}}});
  }
  ordered_json spec;
  spec["data"]["values"] = std::move(values);
  spec["layer"] = std::move(layers);
  return spec;
}

ordered_json BarSpec(const story::Chart& chart) {
  const Evidence& e = chart.evidence;
  ordered_json values = ordered_json::array();
  ordered_json order = ordered_json::array();
  for (size_t i = 0; i < e.labels.size(); ++i) {
    values.push_back(
        {{"category", e.labels[i]}, {"value", Finite(e.y[i])}, {"highlight", Highlighted(e, i)}});
    order.push_back(e.labels[i]);
  }
  return {
      {"data", {{"values", values}}},
      {"mark", {{"type", "bar"}}},
      {"encoding",
       {{"y", {{"field", "category"}, {"type", "nominal"}, {"title", e.x_title}, {"sort", order}}},
        {"x", {{"field", "value"}, {"type", "quantitative"}, {"title", e.y_title}}},
        {"color", HighlightColour()}}}};
}

ordered_json StackSpec(const story::Chart& chart) {
  const Evidence& e = chart.evidence;
  ordered_json values = ordered_json::array();
  const size_t parts = e.stack.size();
  for (size_t r = 0; r < e.labels.size(); ++r) {
    for (size_t p = 0; p < parts; ++p) {
      values.push_back({{"group", e.labels[r]},
                        {"part", e.stack[p]},
                        {"order", p},
                        {"share", Finite(e.y[r * parts + p])}});
    }
  }
  ordered_json domain = ordered_json::array();
  for (const std::string& s : e.stack) domain.push_back(s);
  ordered_json groups = ordered_json::array();
  for (const std::string& s : e.labels) groups.push_back(s);
  return {{"data", {{"values", values}}},
          {"mark", {{"type", "bar"}}},
          {"encoding",
           {{"y", {{"field", "group"}, {"type", "nominal"}, {"title", nullptr}, {"sort", groups}}},
            {"x",
             {{"field", "share"},
              {"type", "quantitative"},
              {"stack", "normalize"},
              {"title", e.y_title},
              {"axis", {{"format", ".0%"}}}}},
            {"color",
             {{"field", "part"},
              {"type", "nominal"},
              {"title", e.x_title},
              {"scale", {{"domain", domain}, {"range", Palette()}}}}},
            {"order", {{"field", "order"}, {"type", "quantitative"}}}}}};
}

ordered_json HistogramSpec(const story::Chart& chart) {
  const Evidence& e = chart.evidence;
  ordered_json values = ordered_json::array();
  for (size_t i = 0; i + 1 < e.x.size() && i < e.y.size(); ++i) {
    values.push_back({{"start", Finite(e.x[i])}, {"end", Finite(e.x[i + 1])}, {"rows", e.y[i]}});
  }
  return {{"data", {{"values", values}}},
          {"mark", {{"type", "bar"}, {"color", kBase}, {"binSpacing", 1}}},
          {"encoding",
           {{"x",
             {{"field", "start"},
              {"type", "quantitative"},
              {"title", e.x_title},
              {"bin", {{"binned", true}}}}},
            {"x2", {{"field", "end"}}},
            {"y", {{"field", "rows"}, {"type", "quantitative"}, {"title", e.y_title}}}}}};
}

ordered_json ScatterSpec(const story::Chart& chart) {
  const Evidence& e = chart.evidence;
  ordered_json values = ordered_json::array();
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < e.x.size(); ++i) {
    ordered_json point = ordered_json::object();
    point["x"] = Finite(e.x[i]);
    point["y"] = Finite(e.y[i]);
    values.push_back(std::move(point));
    lo = std::min(lo, e.x[i]);
    hi = std::max(hi, e.x[i]);
  }
  ordered_json x = {
      {"field", "x"}, {"type", "quantitative"}, {"title", e.x_title}, {"scale", {{"zero", false}}}};
  ordered_json y = {
      {"field", "y"}, {"type", "quantitative"}, {"title", e.y_title}, {"scale", {{"zero", false}}}};
  ordered_json layers = ordered_json::array();
  ordered_json points = {{"mark", {{"type", "point"}, {"color", kBase}, {"opacity", 0.6}}},
                         {"encoding", {{"x", x}, {"y", y}}}};
  points["data"]["values"] = std::move(values);
  layers.push_back(std::move(points));
  if (e.fit.size() == 2 && lo < hi) {
    ordered_json line = ordered_json::array();
    line.push_back({{"x", lo}, {"y", Finite(e.fit[1] + e.fit[0] * lo)}});
    line.push_back({{"x", hi}, {"y", Finite(e.fit[1] + e.fit[0] * hi)}});
    layers.push_back({{"data", {{"values", line}}},
                      {"mark", {{"type", "line"}, {"color", kAccent}}},
                      {"encoding", {{"x", x}, {"y", y}}}});
  }
  return {{"layer", layers}};
}

}  // namespace

ordered_json VegaLiteSpec(const story::Chart& chart) {
  ordered_json body;
  if (chart.type == "line") {
    body = LineSpec(chart);
  } else if (chart.type == "bar") {
    body = BarSpec(chart);
  } else if (chart.type == "stacked_bar") {
    body = StackSpec(chart);
  } else if (chart.type == "histogram") {
    body = HistogramSpec(chart);
  } else {
    body = ScatterSpec(chart);
  }
  ordered_json spec = {{"description", chart.title}, {"title", chart.title}, {"width", 560}};
  // Bars get a fixed step per category, so a long list grows the chart instead of crushing it.
  const bool discrete_y = chart.type == "bar" || chart.type == "stacked_bar";
  spec["height"] = discrete_y ? ordered_json{{"step", 22}} : ordered_json(280);
  for (auto& [key, value] : body.items()) spec[key] = std::move(value);
  return spec;
}

}  // namespace datastory::render
