#include "render/svg.h"

#include <gtest/gtest.h>

namespace datastory::render {
namespace {

TEST(SvgTest, NiceTicks) {
  EXPECT_EQ(NiceTicks(0, 97, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(712, 2531, 5), (std::vector<double>{500, 1000, 1500, 2000, 2500, 3000}));
  EXPECT_EQ(NiceTicks(-0.3, 0.25, 5), (std::vector<double>{-0.4, -0.2, 0, 0.2, 0.4}));
  std::vector<double> flat = NiceTicks(5, 5, 5);  // a constant still gets an axis
  EXPECT_LT(flat.front(), 5);
  EXPECT_GT(flat.back(), 5);
  EXPECT_EQ(NiceTicks(NAN, 1, 5), (std::vector<double>{0, 1}));
}

TEST(SvgTest, EscapesText) {
  EXPECT_EQ(EscapeXml("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(EscapeXml(std::string("bell\x07") + "x"), "bell x");
}

TEST(SvgTest, DrawsEveryChartType) {
  story::Chart chart;
  chart.title = "T <&>";
  analysis::Evidence& e = chart.evidence;
  e.x = {0, 86400 * 31, 86400 * 60};
  e.y = {1, 3, 2};
  e.labels = {"a", "b", "c"};
  e.stack = {"x", "y"};
  e.grain = analysis::TimeGrain::kMonth;
  for (const char* type : {"line", "bar", "histogram", "scatter", "stacked_bar"}) {
    chart.type = type;
    if (chart.type == "stacked_bar") e.y = {0.5, 0.5, 0.2, 0.8, 1, 0};
    std::string svg = RenderChartSvg(chart);
    EXPECT_EQ(svg.rfind("<svg", 0), 0u) << type;
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << type;
    EXPECT_NE(svg.find("T &lt;&amp;&gt;"), std::string::npos) << type;
    EXPECT_EQ(svg.find("nan"), std::string::npos) << type << svg;
  }
}

// Every mark carries its value as a tooltip (<title>), escaped like any text.
TEST(SvgTest, MarksCarryTheirValues) {
  story::Chart chart;
  chart.title = "Revenue by region";
  analysis::Evidence& e = chart.evidence;
  e.labels = {"North <main>", "South"};
  e.y = {1200, 300};
  e.y_title = "revenue";
  chart.type = "bar";
  std::string svg = RenderChartSvg(chart);
  EXPECT_NE(svg.find("<title>North &lt;main&gt;: 1,200</title></rect>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>South: 300</title></rect>"), std::string::npos) << svg;

  chart.type = "line";
  e.x = {0, 86400 * 31};
  e.grain = analysis::TimeGrain::kMonth;
  svg = RenderChartSvg(chart);
  EXPECT_NE(svg.find("<title>Jan 1970: 1,200</title></circle>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>Feb 1970: 300</title></circle>"), std::string::npos) << svg;
}

}  // namespace
}  // namespace datastory::render
