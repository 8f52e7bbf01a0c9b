// Prometheus metrics of the server: requests by route and status, a latency histogram by
// route, upload bytes, and gauges set from outside (jobs by state, the queue's depth). Served
// as the text format at /metrics. Thread-safe.
#ifndef DATASTORY_HTTP_METRICS_H_
#define DATASTORY_HTTP_METRICS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/server.h"

namespace datastory::http {

class Metrics {
 public:
  void Record(const AccessRecord& request);
  void AddUploadBytes(int64_t bytes);
  // A gauge's value, e.g. ("datastory_jobs", "state=\"queued\"", 3).
  void SetGauge(const std::string& name, const std::string& labels, double value);
  std::string Text() const;

 private:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                        0.25,  0.5,    1,     2.5,  5,     10};
  struct Latency {
    std::vector<int64_t> counts = std::vector<int64_t>(std::size(kBuckets) + 1);
    double sum = 0;
    int64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;  // (route, status) → count
  std::map<std::string, Latency> latency_;                   // route → histogram
  int64_t upload_bytes_ = 0;
  std::map<std::pair<std::string, std::string>, double> gauges_;
};

// The access log's line for a request: one JSON object, no newline.
std::string AccessLogLine(const AccessRecord& request, int64_t unix_millis);

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_METRICS_H_
