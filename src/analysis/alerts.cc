#include "analysis/alerts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "table/value_parse.h"

namespace datastory::analysis {

std::string_view AlertTypeName(AlertType type) {
  switch (type) {
    case AlertType::kConstant:
      return "CONSTANT";
    case AlertType::kDuplicates:
      return "DUPLICATES";
    case AlertType::kEmpty:
      return "EMPTY";
    case AlertType::kHighCardinality:
      return "HIGH_CARDINALITY";
    case AlertType::kHighCorrelation:
      return "HIGH_CORRELATION";
    case AlertType::kImbalance:
      return "IMBALANCE";
    case AlertType::kInfinite:
      return "INFINITE";
    case AlertType::kInvalid:
      return "INVALID";
    case AlertType::kMissing:
      return "MISSING";
    case AlertType::kSkewed:
      return "SKEWED";
    case AlertType::kTypeDate:
      return "TYPE_DATE";
    case AlertType::kUnique:
      return "UNIQUE";
    case AlertType::kZeros:
      return "ZEROS";
  }
  return "";
}

namespace {

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", share * 100);
  return buf;
}

}  // namespace

std::vector<Alert> ComputeAlerts(const Profile& p, const AlertThresholds& t) {
  std::vector<Alert> alerts;
  const double rows = static_cast<double>(p.rows);
  for (const ColumnProfile& c : p.columns) {
    const std::string& name = c.schema.name;
    double missing = rows > 0 ? c.missing / rows : 0;
    if (c.count == 0 && c.invalid == 0) {
      alerts.push_back({AlertType::kEmpty, name, 1.0, name + " has no values"});
      continue;
    }
    if (missing > t.missing_share) {
      alerts.push_back({AlertType::kMissing, name, missing,
                        name + " has " + std::to_string(c.missing) + " (" + Percent(missing) +
                            ") missing values"});
    }
    if (c.distinct == 1 && c.distinct_exact) {
      alerts.push_back({AlertType::kConstant, name, 1.0, name + " has a constant value"});
    }
    if (c.distinct_exact && c.distinct == c.count && c.count > 1 && c.missing == 0) {
      alerts.push_back({AlertType::kUnique, name, 1.0, name + " has unique values"});
    }
    if (c.schema.type == table::ColumnType::kCategorical && c.distinct > t.cardinality) {
      alerts.push_back(
          {AlertType::kHighCardinality, name, static_cast<double>(c.distinct),
           name + " has a high cardinality: " + std::to_string(c.distinct) + " distinct values"});
    }
    // A yes/no column (0/1) is answers, not a distribution: a rare answer is not skew, and
    // its 0s are "no", not zeros.
    const bool yes_no = table::IsYesNo(c.schema);
    if (c.skewness && std::fabs(*c.skewness) > t.skewness && !yes_no) {
      alerts.push_back({AlertType::kSkewed, name, *c.skewness, name + " is highly skewed"});
    }
    if (table::IsNumeric(c.schema.type) && c.count > 0 && !yes_no) {
      double zeros = static_cast<double>(c.zeros) / c.count;
      if (zeros > t.zeros_share) {
        alerts.push_back(
            {AlertType::kZeros, name, zeros,
             name + " has " + std::to_string(c.zeros) + " (" + Percent(zeros) + ") zeros"});
      }
      double infinite = static_cast<double>(c.infinite) / c.count;
      if (infinite > t.infinite_share) {
        alerts.push_back({AlertType::kInfinite, name, infinite,
                          name + " has " + Percent(infinite) + " infinite values"});
      }
    }
    if (c.imbalance && *c.imbalance > t.imbalance && c.distinct > 1) {
      alerts.push_back({AlertType::kImbalance, name, *c.imbalance, name + " is highly imbalanced"});
    }
    if (table::IsString(c.schema.type) && !c.top_values.empty()) {
      int dates = 0;
      for (const TopValue& v : c.top_values) {
        for (auto order : {table::DateOrder::kYmd, table::DateOrder::kMdy, table::DateOrder::kDmy,
                           table::DateOrder::kMonthDY, table::DateOrder::kDMonthY}) {
          if (table::ParseDate(v.value, order)) {
            ++dates;
            break;
          }
        }
      }
      if (dates * 2 > static_cast<int>(c.top_values.size())) {
        alerts.push_back(
            {AlertType::kTypeDate, name, 1.0, name + " holds text that looks like dates"});
      }
    }
    if (c.invalid > 0) {
      alerts.push_back({AlertType::kInvalid, name, static_cast<double>(c.invalid),
                        name + " has " + std::to_string(c.invalid) + " values that are not " +
                            std::string(table::ColumnTypeName(c.schema.type))});
    }
  }
  // One alert per column, for its strongest partner (in the order the pairs come): a table of
  // a thousand columns that all move together would otherwise raise half a million.
  std::vector<const Correlation*> strongest;  // per alerted column, in order of first alert
  std::map<std::string_view, size_t> alerted;
  for (const Correlation& r : p.correlations) {
    if (!(std::fabs(r.value) > t.correlation)) continue;
    auto [it, fresh] = alerted.try_emplace(r.a, strongest.size());
    if (fresh) {
      strongest.push_back(&r);
    } else if (std::fabs(r.value) > std::fabs(strongest[it->second]->value)) {
      strongest[it->second] = &r;
    }
  }
  for (const Correlation* r : strongest) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f", r->value);
    alerts.push_back({AlertType::kHighCorrelation, r->a, r->value,
                      r->a + " is highly correlated with " + r->b + " (r = " + buf + ")"});
  }
  if (p.duplicate_rows > 0) {
    alerts.push_back({AlertType::kDuplicates, "", static_cast<double>(p.duplicate_rows),
                      "the dataset has " + std::to_string(p.duplicate_rows) +
                          (p.duplicates_exact ? "" : " (estimated)") + " duplicate rows"});
  }
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const Alert& a, const Alert& b) { return a.type < b.type; });  // by name
  return alerts;
}

}  // namespace datastory::analysis
