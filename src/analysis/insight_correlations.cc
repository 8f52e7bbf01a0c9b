// The correlation family: pairs of measures (Pearson with Spearman beside it, on the row
// sample) and pairs of dimensions (Cramér's V with its chi-squared test).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

#include "analysis/association.h"
#include "analysis/insight_detectors.h"
#include "analysis/trend.h"
#include "base/text.h"
#include "table/inference.h"
#include "table/value_parse.h"

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
    const std::vector<Pair> pairs = MeasurePairs();
    FindProducts(pairs);
    // With many pairs (a wide table), the weak ones are counted in the false-discovery control
    // without their Spearman coefficient, and with an exact p-value only when it could pass.
    // Of very many strong pairs (columns that are all versions of one another), only the
    // kMaxCandidates strongest become candidates; the rest are counted the same way.
    const bool many = pairs.size() > kManyPairs;
    std::vector<bool> candidate(pairs.size(), true);
    if (many) {
      std::vector<size_t> strong;
      for (size_t i = 0; i < pairs.size(); ++i) {
        if (std::fabs(pairs[i].value) >= 0.3) strong.push_back(i);
      }
      if (strong.size() > kMaxCandidates) {
        std::stable_sort(strong.begin(), strong.end(), [&](size_t x, size_t y) {
          return std::fabs(pairs[x].value) > std::fabs(pairs[y].value);
        });
        for (size_t i = kMaxCandidates; i < strong.size(); ++i) candidate[strong[i]] = false;
      }
    }
    for (size_t i = 0; i < pairs.size(); ++i) {
      const Pair& pair = pairs[i];
      const double value = pair.value;
      const bool weak = std::fabs(value) < 0.3;
      if ((weak && many) || !candidate[i]) {
        other_p_values_.push_back(CouldPass(value, pair.n) ? CorrelationPValue(value, pair.n) : 1);
        continue;
      }
      const Correlation r{measures_[pair.a].name, measures_[pair.b].name, "pearson", value, pair.n};
      const int a = pair.a, b = pair.b;
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
      if (weak) {
        other_p_values_.push_back(p);  // tested: it counts in the false-discovery control
        continue;
      }
      Insight in;
      in.type = InsightType::kCorrelation;
      in.columns = {r.a, r.b};
      in.direction = r.value > 0 ? Direction::kUp : Direction::kDown;
      in.method = "Pearson correlation with its t test";
      in.p_value = p;
      // Columns in lockstep are usually computed from each other: true, but rarely news.
      in.strength = std::fabs(r.value) > 0.98 ? std::fabs(r.value) / 5 : std::fabs(r.value);
      in.impact =
          profile_.rows > 0 ? static_cast<double>(r.n) / static_cast<double>(profile_.rows) : 0;
      in.value = r.value;
      in.facts = {{FactName::kR, r.value, FactUnit::kCoefficient},
                  {FactName::kRSquared, r.value * r.value, FactUnit::kShare},
                  {FactName::kN, static_cast<double>(r.n), FactUnit::kCount},
                  {FactName::kPValue, p, FactUnit::kPValue}};
      if (!std::isnan(rho.rho))
        in.facts.push_back({FactName::kSpearman, rho.rho, FactUnit::kCoefficient});
      if (std::fabs(r.value) > 0.98) {
        in.caveats.push_back(
            "the two columns move almost in lockstep: one may be computed from "
            "the other");
      }
      // Rows that are points in time: two series that both trend correlate whatever links
      // them, so the link is tested on their changes from one period to the next.
      if (RowsAreTimePoints()) {
        if (const std::optional<Pair> changes = ChangesCorrelation(ma, mb)) {
          const double changes_p = CorrelationPValue(changes->value, changes->n);
          in.facts.push_back({FactName::kChangesR, changes->value, FactUnit::kCoefficient});
          in.facts.push_back({FactName::kChangesP, changes_p, FactUnit::kPValue});
          if (OnlyTrendsTogether(in, options_.false_discovery_rate)) {
            in.strength /= 5;
            in.caveats.push_back("both change over time: from one " +
                                 std::string(TimeGrainName(grain_)) +
                                 " to the next they do not move together, so the link may be "
                                 "only that both trend");
          }
        }
      }
      // Two counts of years that have passed (age and years of experience) rise together by
      // construction: structure, said once, not a finding.
      if (r.value > 0 && table::NameSuggestsElapsedYears(r.a) &&
          table::NameSuggestsElapsedYears(r.b)) {
        const std::string text = r.a + " and " + r.b + " both count years that have passed";
        in.strength /= 5;
        in.facts.push_back({FactName::kIdentity, NAN, FactUnit::kCount, TimeGrain::kDay, text});
        in.caveats.push_back(text + ": they rise together by construction");
        report_.structure.push_back(text + ", so they rise together");
      }
      // A product and one of its factors (revenue and unit price) go together by construction.
      for (const Product& product : products_) {
        if ((product.of == a && (product.a == b || product.b == b)) ||
            (product.of == b && (product.a == a || product.b == a))) {
          in.strength /= 5;
          in.facts.push_back(
              {FactName::kIdentity, NAN, FactUnit::kCount, TimeGrain::kDay, product.text});
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
            {FactName::kSampleRows, static_cast<double>(sample.numbers.size()), FactUnit::kCount});
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
    TellSameGroups();
  }

 private:
  // Two measures (positions in measures_) and their Pearson r over every row.
  struct Pair {
    int a = 0, b = 0;
    double value = 0;
    int64_t n = 0;
  };

  // Every pair of measures when the row sample holds every row (a short table, however wide:
  // computed here, the profile's streaming pass need not keep half a million co-moments);
  // else the pairs the profile correlated over every row.
  std::vector<Pair> MeasurePairs() {
    std::vector<Pair> pairs;
    const RowSample& sample = cube_.sample;
    const bool whole = sample.population == static_cast<int64_t>(sample.numbers.size());
    if (!whole) {
      for (const Correlation& r : profile_.correlations) {
        const int a = MeasurePosition(r.a), b = MeasurePosition(r.b);
        if (a >= 0 && b >= 0) pairs.push_back({a, b, r.value, r.n});
      }
      return pairs;
    }
    const size_t n = measures_.size(), rows = sample.numbers.size();
    std::vector<std::vector<double>> columns(n, std::vector<double>(rows));
    for (size_t m = 0; m < n; ++m) {
      for (size_t r = 0; r < rows; ++r) columns[m][r] = sample.numbers[r][measures_[m].index];
    }
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = a + 1; b < n; ++b) {
        CoMoments co;
        co.AddBatch(columns[a].data(), columns[b].data(), static_cast<int64_t>(rows));
        const double r = co.Pearson();
        if (!std::isnan(r)) pairs.push_back({static_cast<int>(a), static_cast<int>(b), r, co.n});
      }
    }
    return pairs;
  }

  // Whether each row is a point in time: a time axis with about as many buckets as rows (a
  // yearly table of population and savings).
  bool RowsAreTimePoints() const {
    return has_time_ && !whole_.cells.empty() && profile_.rows > 0 &&
           static_cast<double>(whole_.cells.size()) >= 0.9 * static_cast<double>(profile_.rows);
  }

  // The correlation of two measures' changes from one bucket of the story's grain to the next,
  // over the whole table's series; nullopt with fewer than 5 changes.
  std::optional<Pair> ChangesCorrelation(const MeasureRef& a, const MeasureRef& b) {
    const Series& sa = SeriesOf(a);
    const Series& sb = SeriesOf(b);
    std::map<int64_t, double> b_at;  // b's value by bucket start
    for (size_t i = 0; i < sb.values.size(); ++i) b_at[sb.starts[i]] = sb.values[i];
    struct Point {
      double position, a, b;
    };
    std::vector<Point> points;  // the buckets where both have a value, in time order
    for (size_t i = 0; i < sa.values.size(); ++i) {
      auto it = b_at.find(sa.starts[i]);
      if (it != b_at.end()) points.push_back({sa.positions[i], sa.values[i], it->second});
    }
    std::vector<double> da, db;
    for (size_t i = 1; i < points.size(); ++i) {
      if (points[i].position != points[i - 1].position + 1) continue;  // a gap: no change
      da.push_back(points[i].a - points[i - 1].a);
      db.push_back(points[i].b - points[i - 1].b);
    }
    if (da.size() < 5) return std::nullopt;
    CoMoments co;
    co.AddBatch(da.data(), db.data(), static_cast<int64_t>(da.size()));
    const double r = co.Pearson();
    if (std::isnan(r)) return std::nullopt;
    return Pair{-1, -1, r, co.n};
  }

  // A measure's whole-table series at the story's grain, built once.
  const Series& SeriesOf(const MeasureRef& m) {
    auto [it, fresh] = series_.try_emplace(m.index);
    if (fresh) it->second = BuildSeries(whole_.cells, grain_, m);
    return it->second;
  }
  std::map<int, Series> series_;  // by measure index

  // Pairs of measures beyond which the weak ones (|r| < 0.3) are only counted (CouldPass).
  static constexpr size_t kManyPairs = 2000;
  // Strong pairs that become candidates, at most, in a table with many pairs.
  static constexpr size_t kMaxCandidates = 1000;
  // Partners of a measure checked as factors of a product: its most strongly linked ones.
  static constexpr size_t kMaxFactors = 12;

  // Whether a Pearson r over n pairs could pass the false-discovery control: its p-value is at
  // most the rate itself. One that cannot is counted with p = 1, which leaves every decision
  // and every q-value at or below the rate as they are (Benjamini-Hochberg never keeps a p
  // above the rate, and such values rank after all that are below it).
  bool CouldPass(double r, int64_t n) {
    if (n < 3) return false;
    auto [it, fresh] = critical_r_.try_emplace(n, 0.0);
    if (fresh) {
      const double df = static_cast<double>(n - 2);
      const double t = StudentTQuantile(1 - options_.false_discovery_rate / 2, df);
      it->second = t / std::sqrt(df + t * t);
    }
    return std::fabs(r) >= it->second;
  }
  std::unordered_map<int64_t, double> critical_r_;  // by n

  // A measure that is the product of two others in nearly every sampled row (revenue = unit
  // price × units), by positions in measures_.
  struct Product {
    int of = -1, a = -1, b = -1;
    std::string text;  // "revenue = unit_price × units"
  };

  // Within 1% (or a cent, for rounded money) in at least 95% of 30 or more sampled rows that
  // have all three values and are not all zero.
  static constexpr double kProductTolerance = 0.01;
  static constexpr double kMinProductShare = 0.95;
  static constexpr int64_t kMinProductRows = 30;

  // Only among measures linked to the product (|r| ≥ 0.3 over every row): a product moves with
  // its factors, and the check of every triple would cost measures³ × rows.
  void FindProducts(const std::vector<Pair>& pairs) {
    const RowSample& sample = cube_.sample;
    const int n = static_cast<int>(measures_.size());
    std::vector<std::vector<std::pair<double, int>>> by_strength(n);
    for (const Pair& r : pairs) {
      if (std::fabs(r.value) < 0.3) continue;
      by_strength[r.a].emplace_back(-std::fabs(r.value), r.b);
      by_strength[r.b].emplace_back(-std::fabs(r.value), r.a);
    }
    std::vector<std::vector<int>> linked(n);
    for (int m = 0; m < n; ++m) {
      std::sort(by_strength[m].begin(), by_strength[m].end());
      for (const auto& [strength, other] : by_strength[m]) linked[m].push_back(other);
    }
    for (int of = 0; of < n; ++of) {
      // The kMaxFactors most strongly linked, in measure order.
      if (linked[of].size() > kMaxFactors) linked[of].resize(kMaxFactors);
      std::sort(linked[of].begin(), linked[of].end());
      for (size_t i = 0; i < linked[of].size(); ++i) {
        for (size_t j = i + 1; j < linked[of].size(); ++j) {
          const int a = linked[of][i], b = linked[of][j];
          const int io = measures_[of].index, ia = measures_[a].index, ib = measures_[b].index;
          int64_t rows = 0, equal = 0;
          for (const std::vector<double>& row : sample.numbers) {
            const double x = row[io], y = row[ia] * row[ib];
            // A row of zeros fits any product (0 = 0 × 0): no evidence either way.
            if (std::isnan(x) || std::isnan(y) || (x == 0 && y == 0)) continue;
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

  int MeasurePosition(const std::string& name) {
    if (position_.empty()) {
      for (size_t i = 0; i < measures_.size(); ++i) {
        position_.emplace(measures_[i].name, static_cast<int>(i));
      }
    }
    auto it = position_.find(name);
    return it == position_.end() ? -1 : it->second;
  }

  std::unordered_map<std::string, int> position_;  // measures_ by name

  std::vector<Product> products_;

  // How one dimension relabels another, for the structure notes: two yes/no columns that are
  // each other's opposite (is_active and is_churned) or copies; a column nested in another
  // (each sub_category belongs to one category); or, when each goes with one of the other,
  // columns that name the same groups (kept in same_groups_ and told together). `table`
  // counts the sample's rows by label of a (rows) and b (columns).
  void Relabelling(int a, int b, const std::vector<std::string>& la,
                   const std::vector<std::string>& lb,
                   const std::vector<std::vector<double>>& table, bool sampled) {
    const std::string& na = Name(cube_.dimensions[a].column);
    const std::string& nb = Name(cube_.dimensions[b].column);
    if (table.size() == 2 && table[0].size() == 2) {
      const std::optional<bool> a0 = table::ParseYesNo(la[0]), a1 = table::ParseYesNo(la[1]);
      const std::optional<bool> b0 = table::ParseYesNo(lb[0]), b1 = table::ParseYesNo(lb[1]);
      if (a0 && a1 && b0 && b1 && *a0 != *a1 && *b0 != *b1) {
        const bool aligned = *a0 == *b0;  // label 0 of a and label 0 of b give the same answer
        const double same = aligned ? table[0][0] + table[1][1] : table[0][1] + table[1][0];
        const double opposite = aligned ? table[0][1] + table[1][0] : table[0][0] + table[1][1];
        const std::string rows = sampled ? " sampled row" : " row";
        const std::string how =
            std::min(same, opposite) == 0 ? " in every" + rows : " in nearly every" + rows;
        report_.structure.push_back(same > opposite
                                        ? na + " and " + nb + " give the same answer" + how
                                        : na + " is yes where " + nb + " is no" + how);
        return;
      }
    }
    // How nearly each label of one column (a row of the table, or a column of it) meets one
    // label of the other: the share of rows that fall in each label's most common partner.
    auto in_one = [](const std::vector<std::vector<double>>& t, bool by_row) {
      const size_t outer = by_row ? t.size() : t[0].size();
      const size_t inner = by_row ? t[0].size() : t.size();
      double modal = 0, total = 0;
      for (size_t i = 0; i < outer; ++i) {
        double most = 0;
        for (size_t j = 0; j < inner; ++j) {
          const double n = by_row ? t[i][j] : t[j][i];
          most = std::max(most, n);
          total += n;
        }
        modal += most;
      }
      return total > 0 ? modal / total : 0.0;
    };
    const double a_in_b = in_one(table, true), b_in_a = in_one(table, false);
    auto nested = [&](const std::string& part, const std::string& whole, double share) {
      report_.structure.push_back("each " + part + " belongs to one " + whole +
                                  (share < 1 ? ", with few exceptions" : ""));
    };
    if (a_in_b >= kNearlyAll && b_in_a >= kNearlyAll) {
      same_groups_.emplace_back(a, b);
    } else if (a_in_b >= kNearlyAll) {
      nested(na, nb, a_in_b);
    } else if (b_in_a >= kNearlyAll) {
      nested(nb, na, b_in_a);
    }
  }
  // Rows in the most common partner of their label, for one column to be read as nested in
  // another.
  static constexpr double kNearlyAll = 0.99;

  // Columns that name the same groups, one sentence for each set of them ("item_id,
  // common_name and scientific_name name the same groups").
  void TellSameGroups() {
    std::vector<int> set_of(cube_.dimensions.size());
    std::iota(set_of.begin(), set_of.end(), 0);
    auto root = [&](int d) {
      while (set_of[d] != d) d = set_of[d];
      return d;
    };
    for (const auto& [a, b] : same_groups_) set_of[root(b)] = root(a);
    std::map<int, std::vector<std::string>> sets;  // by root, in dimension order
    for (const auto& [a, b] : same_groups_) {
      for (int d : {a, b}) {
        std::vector<std::string>& names = sets[root(d)];
        const std::string& name = Name(cube_.dimensions[d].column);
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    for (const auto& [set, names] : sets) {
      std::string text;
      for (size_t i = 0; i < names.size(); ++i) {
        text += i == 0 ? "" : i + 1 == names.size() ? " and " : ", ";
        text += names[i];
      }
      report_.structure.push_back(text + " name the same groups");
    }
  }
  std::vector<std::pair<int, int>> same_groups_;  // dimension positions

  void CramersFact(int a, int b, bool sampled) {
    const std::vector<int>& xa = sample_codes_[a];
    const std::vector<int>& xb = sample_codes_[b];
    const RowSample& sample = cube_.sample;
    const size_t ca = sample_labels_[a].size(), cb = sample_labels_[b].size();
    if (ca < 2 || cb < 2 || ca > 50 || cb > 50) return;
    std::vector<std::vector<double>> counts(ca, std::vector<double>(cb, 0));
    for (size_t r = 0; r < xa.size(); ++r) {
      if (xa[r] >= 0 && xb[r] >= 0) counts[xa[r]][xb[r]] += 1;
    }
    // The table over the categories seen where both have a value, with their labels.
    std::vector<size_t> rows_seen, parts_seen;
    for (size_t i = 0; i < ca; ++i) {
      if (std::any_of(counts[i].begin(), counts[i].end(), [](double n) { return n > 0; })) {
        rows_seen.push_back(i);
      }
    }
    for (size_t j = 0; j < cb; ++j) {
      if (std::any_of(counts.begin(), counts.end(), [&](const auto& row) { return row[j] > 0; })) {
        parts_seen.push_back(j);
      }
    }
    if (rows_seen.size() < 2 || parts_seen.size() < 2) return;
    std::vector<std::vector<double>> table(rows_seen.size(),
                                           std::vector<double>(parts_seen.size()));
    std::vector<std::string> la, lb;
    for (size_t i = 0; i < rows_seen.size(); ++i) {
      la.push_back(sample_labels_[a][rows_seen[i]]);
      for (size_t j = 0; j < parts_seen.size(); ++j)
        table[i][j] = counts[rows_seen[i]][parts_seen[j]];
    }
    for (size_t j : parts_seen) lb.push_back(sample_labels_[b][j]);
    CramersV v = CramersVTest(table);
    const std::string& na = Name(cube_.dimensions[a].column);
    const std::string& nb = Name(cube_.dimensions[b].column);
    report_.associations.push_back({na, nb, "cramers_v", v.v_corrected, v.n, v.p_value, sampled});
    // Below 0.3 the link is weak; above 0.98 one column is a relabelling of the other, which
    // is structure (said once to technical readers), not a finding.
    if (v.v_corrected > 0.98) Relabelling(a, b, la, lb, table, sampled);
    if (v.v_corrected < 0.3 || v.v_corrected > 0.98) {
      other_p_values_.push_back(v.p_value);
      return;
    }
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
    in.facts = {{FactName::kCramersV, v.v_corrected, FactUnit::kCoefficient},
                {FactName::kN, static_cast<double>(v.n), FactUnit::kCount},
                {FactName::kPValue, v.p_value, FactUnit::kPValue}};
    if (sampled) {
      in.caveats.push_back("computed on a sample of " + std::to_string(sample.labels.size()) +
                           " rows");
      in.facts.push_back(
          {FactName::kSampleRows, static_cast<double>(sample.labels.size()), FactUnit::kCount});
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
