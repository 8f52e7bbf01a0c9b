// Data-quality alerts, named as ydata-profiling names them, with its default thresholds
// (documented in docs/profile.md):
//   MISSING           share of missing values > 0.01 (per column)
//   CONSTANT          exactly one distinct value
//   UNIQUE            every value distinct (and more than one row)
//   HIGH_CARDINALITY  categorical column with more than 50 distinct values
//   SKEWED            |skewness| > 20
//   ZEROS             share of zeros > 0.01 (numeric)
//   INFINITE          share of infinite values > 0.01
//   IMBALANCE         1 - normalised entropy > 0.5 (categorical, boolean)
//   HIGH_CORRELATION  |Pearson r| > 0.9 (one alert per column: its strongest partner)
//   DUPLICATES        any duplicate rows
//   TYPE_DATE         a text column most of whose top values parse as dates
//   EMPTY             a column with no values at all
//   INVALID           values that do not parse as the column's type (ours; not in ydata)
#ifndef DATASTORY_ANALYSIS_ALERTS_H_
#define DATASTORY_ANALYSIS_ALERTS_H_

#include <vector>

#include "analysis/profile.h"

namespace datastory::analysis {

struct AlertThresholds {
  double missing_share = 0.01;
  double zeros_share = 0.01;
  double infinite_share = 0.01;
  double skewness = 20;
  int64_t cardinality = 50;
  double imbalance = 0.5;
  double correlation = 0.9;
};

// Alerts for `profile`, sorted by type then column (ydata's order).
std::vector<Alert> ComputeAlerts(const Profile& profile, const AlertThresholds& thresholds = {});

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_ALERTS_H_
