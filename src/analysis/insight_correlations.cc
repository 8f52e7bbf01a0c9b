// The correlation family: pairs of measures (Pearson with Spearman beside it, on the row
// sample) and pairs of dimensions (Cramér's V with its chi-squared test).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/association.h"
#include "analysis/insight_detectors.h"
#include "analysis/trend.h"
#include "base/text.h"

namespace datastory::analysis::detect {
namespace {

class CorrelationFamily : public DetectorFamily {
 public:
  using DetectorFamily::DetectorFamily;

  void Run() {
    const RowSample& sample = cube_.sample;
    const bool sampled = sample.population > static_cast<int64_t>(sample.numbers.size());
    auto sample_column = [&](int measure_index) {
      std::vector<double> v;
      for (const auto& row : sample.numbers) v.push_back(row[measure_index]);
      return v;
    };
    FindProducts();
    for (const Correlation& r : profile_.correlations) {
      int a = MeasurePosition(r.a), b = MeasurePosition(r.b);
      if (a < 0 || b < 0) continue;
      const MeasureRef& ma = measures_[a];
      const MeasureRef& mb = measures_[b];
      double p = CorrelationPValue(r.value, r.n);
      report_.associations.push_back({r.a, r.b, "pearson", r.value, r.n, p, false});
      std::vector<double> xa = sample_column(ma.index), xb = sample_column(mb.index);
      RankCorrelation rho = SpearmanCorrelation(xa, xb);
      if (!std::isnan(rho.rho)) {
        report_.associations.push_back(
            {r.a, r.b, "spearman", rho.rho, rho.n, CorrelationPValue(rho.rho, rho.n), sampled});
      }
      if (std::fabs(r.value) < 0.3) continue;
      Insight in;
      in.type = InsightType::kCorrelation;
      in.columns = {r.a, r.b};
      in.direction = r.value > 0 ? "up" : "down";
      in.method = "Pearson correlation with its t test";
      in.p_value = p;
      // Columns in lockstep are usually computed from each other: true, but rarely news.
      in.strength = std::fabs(r.value) > 0.98 ? std::fabs(r.value) / 5 : std::fabs(r.value);
      in.impact =
          profile_.rows > 0 ? static_cast<double>(r.n) / static_cast<double>(profile_.rows) : 0;
      in.value = r.value;
      in.facts = {{"r", r.value, FactUnit::kCoefficient},
                  {"rSquared", r.value * r.value, FactUnit::kShare},
                  {"n", static_cast<double>(r.n), FactUnit::kCount},
                  {"pValue", p, FactUnit::kPValue}};
      if (!std::isnan(rho.rho)) in.facts.push_back({"spearman", rho.rho, FactUnit::kCoefficient});
      if (std::fabs(r.value) > 0.98) {
        in.caveats.push_back(
            "the two columns move almost in lockstep: one may be computed from "
            "the other");
      }
      // A product and one of its factors (revenue and unit price) go together by construction.
      for (const Product& product : products_) {
        if ((product.of == a && (product.a == b || product.b == b)) ||
            (product.of == b && (product.a == a || product.b == a))) {
          in.strength /= 5;
          in.facts.push_back({"identity", NAN, FactUnit::kCount, TimeGrain::kDay, product.text});
          in.caveats.push_back(product.text + ": the link is how the data is defined");
        }
      }
      // The scatter: the first sampled points with both values, and the least-squares line.
      in.evidence.shape = Evidence::Shape::kScatter;
      in.evidence.x_title = r.b;
      in.evidence.y_title = r.a;
      for (size_t i = 0; i < xa.size(); ++i) {
        if (std::isnan(xa[i]) || std::isnan(xb[i])) continue;
        if (static_cast<int>(in.evidence.x.size()) >= options_.max_scatter_points) break;
        in.evidence.x.push_back(xb[i]);
        in.evidence.y.push_back(xa[i]);
      }
      LineFit line = LeastSquares(in.evidence.x, in.evidence.y);
      in.evidence.fit = {line.slope, line.intercept};
      if (sampled) {
        in.caveats.push_back("the chart and the Spearman coefficient use a sample of " +
                             std::to_string(sample.numbers.size()) + " rows");
        in.facts.push_back(
            {"sampleRows", static_cast<double>(sample.numbers.size()), FactUnit::kCount});
      }
      Add(std::move(in));
    }

    // Two dimensions: Cramér's V from the sample's contingency table.
    const size_t dims = cube_.plan.dimensions.size();
    for (size_t a = 0; a < dims; ++a) {
      for (size_t b = a + 1; b < dims; ++b) {
        if (cube_.dimensions[a].dropped || cube_.dimensions[b].dropped) continue;
        // An outcome's link to a dimension is its rate by group (insight_outcomes.cc).
        if (dimension_outcome_[a] || dimension_outcome_[b]) continue;
        CramersFact(static_cast<int>(a), static_cast<int>(b), sampled);
      }
    }
  }

 private:
  // A measure that is the product of two others in nearly every sampled row (revenue = unit
  // price × units), by positions in measures_.
  struct Product {
    int of = -1, a = -1, b = -1;
    std::string text;  // "revenue = unit_price × units"
  };

  // Within 1% (or a cent, for rounded money) in at least 95% of 30 or more sampled rows that
  // have all three values.
  static constexpr double kProductTolerance = 0.01;
  static constexpr double kMinProductShare = 0.95;
  static constexpr int64_t kMinProductRows = 30;

  void FindProducts() {
    const RowSample& sample = cube_.sample;
    const int n = static_cast<int>(measures_.size());
    for (int of = 0; of < n; ++of) {
      for (int a = 0; a < n; ++a) {
        for (int b = a + 1; b < n; ++b) {
          if (a == of || b == of) continue;
          const int io = measures_[of].index, ia = measures_[a].index, ib = measures_[b].index;
          int64_t rows = 0, equal = 0;
          for (const std::vector<double>& row : sample.numbers) {
            const double x = row[io], y = row[ia] * row[ib];
            if (std::isnan(x) || std::isnan(y)) continue;
            ++rows;
            equal += std::fabs(x - y) <= kProductTolerance * std::max(std::fabs(x), 1.0);
          }
          if (rows < kMinProductRows ||
              static_cast<double>(equal) < kMinProductShare * static_cast<double>(rows)) {
            continue;
          }
          const std::string text =
              measures_[of].name + " = " + measures_[a].name + " \u00d7 " + measures_[b].name;
          products_.push_back({of, a, b, text});
          report_.structure.push_back(text + ", row by row");
        }
      }
    }
  }

  int MeasurePosition(const std::string& name) const {
    for (size_t i = 0; i < measures_.size(); ++i) {
      if (measures_[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }

  std::vector<Product> products_;

  void CramersFact(int a, int b, bool sampled) {
    const RowSample& sample = cube_.sample;
    std::map<std::string, int> ia, ib;
    std::vector<std::string> la, lb;
    for (const auto& row : sample.labels) {
      if (row[a].empty() || row[b].empty()) continue;
      if (ia.try_emplace(row[a], static_cast<int>(la.size())).second) la.push_back(row[a]);
      if (ib.try_emplace(row[b], static_cast<int>(lb.size())).second) lb.push_back(row[b]);
    }
    if (la.size() < 2 || lb.size() < 2 || la.size() > 50 || lb.size() > 50) return;
    std::vector<std::vector<double>> table(la.size(), std::vector<double>(lb.size(), 0));
    for (const auto& row : sample.labels) {
      if (row[a].empty() || row[b].empty()) continue;
      table[ia[row[a]]][ib[row[b]]] += 1;
    }
    CramersV v = CramersVTest(table);
    const std::string& na = Name(cube_.dimensions[a].column);
    const std::string& nb = Name(cube_.dimensions[b].column);
    report_.associations.push_back({na, nb, "cramers_v", v.v_corrected, v.n, v.p_value, sampled});
    // Below 0.3 the link is weak; above 0.98 one column is a relabelling of the other.
    if (v.v_corrected < 0.3 || v.v_corrected > 0.98) return;
    Insight in;
    in.type = InsightType::kCorrelation;
    in.columns = {nb, na};
    in.aggregation = "count";
    in.method = "Cramér's V (bias-corrected) with the chi-square test";
    in.p_value = v.p_value;
    // Near 1, each value of one column belongs to one value of the other (a city and its
    // state, a name and its code): the columns describe the same thing.
    in.strength = v.v_corrected > 0.95 ? v.v_corrected / 5 : v.v_corrected;
    if (v.v_corrected > 0.95) {
      in.caveats.push_back("each " + na + " goes with one " + nb +
                           ": the two columns may describe the same thing");
    }
    in.impact = 0.8;
    in.value = v.v_corrected;
    in.facts = {{"cramersV", v.v_corrected, FactUnit::kCoefficient},
                {"n", static_cast<double>(v.n), FactUnit::kCount},
                {"pValue", v.p_value, FactUnit::kPValue}};
    if (sampled) {
      in.caveats.push_back("computed on a sample of " + std::to_string(sample.labels.size()) +
                           " rows");
      in.facts.push_back(
          {"sampleRows", static_cast<double>(sample.labels.size()), FactUnit::kCount});
    }
    // The stack: for the largest categories of a, the shares of b's largest categories.
    std::vector<size_t> rows_order(la.size()), parts_order(lb.size());
    std::vector<double> row_total(la.size(), 0), part_total(lb.size(), 0);
    for (size_t i = 0; i < la.size(); ++i) {
      for (size_t j = 0; j < lb.size(); ++j) {
        row_total[i] += table[i][j], part_total[j] += table[i][j];
      }
    }
    std::iota(rows_order.begin(), rows_order.end(), 0);
    std::iota(parts_order.begin(), parts_order.end(), 0);
    std::sort(rows_order.begin(), rows_order.end(), [&](size_t x, size_t y) {
      return row_total[x] != row_total[y] ? row_total[x] > row_total[y] : la[x] < la[y];
    });
    std::sort(parts_order.begin(), parts_order.end(), [&](size_t x, size_t y) {
      return part_total[x] != part_total[y] ? part_total[x] > part_total[y] : lb[x] < lb[y];
    });
    const size_t rows = std::min<size_t>(rows_order.size(), 8);
    const size_t parts = std::min<size_t>(parts_order.size(), 6);
    in.evidence.shape = Evidence::Shape::kStack;
    in.evidence.x_title = na;
    in.evidence.y_title = "share of rows by " + nb;
    for (size_t j = 0; j < parts; ++j) in.evidence.stack.push_back(lb[parts_order[j]]);
    if (parts < parts_order.size()) in.evidence.stack.push_back("Other");
    for (size_t i = 0; i < rows; ++i) {
      size_t r = rows_order[i];
      in.evidence.labels.push_back(la[r]);
      double rest = row_total[r];
      for (size_t j = 0; j < parts; ++j) {
        double share = table[r][parts_order[j]] / row_total[r];
        in.evidence.y.push_back(share);
        rest -= table[r][parts_order[j]];
      }
      if (parts < parts_order.size()) in.evidence.y.push_back(rest / row_total[r]);
    }
    Add(std::move(in));
  }
};

}  // namespace

void DetectCorrelationInsights(const InsightContext& context, InsightDraft* draft) {
  CorrelationFamily(context, draft).Run();
}

}  // namespace datastory::analysis::detect
