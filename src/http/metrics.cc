#include "http/metrics.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace datastory::http {
namespace {

// A label value as Prometheus's text format wants it.
std::string Escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Metrics::Record(const AccessRecord& r) {
  std::lock_guard lock(mu_);
  requests_[{r.route, r.status}]++;
  Latency& l = latency_[r.route];
  size_t b = 0;
  while (b < std::size(kBuckets) && r.seconds > kBuckets[b]) ++b;
  l.counts[b]++;
  l.sum += r.seconds;
  l.count++;
}

void Metrics::AddUploadBytes(int64_t bytes) {
  std::lock_guard lock(mu_);
  upload_bytes_ += bytes;
}

void Metrics::SetGauge(const std::string& name, const std::string& labels, double value) {
  std::lock_guard lock(mu_);
  gauges_[{name, labels}] = value;
}

std::string Metrics::Text() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP datastory_http_requests_total Requests answered, by route and status.\n";
  out += "# TYPE datastory_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out += "datastory_http_requests_total{route=\"" + Escaped(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(count) + "\n";
  }
  out += "# HELP datastory_http_request_duration_seconds Time to answer, by route.\n";
  out += "# TYPE datastory_http_request_duration_seconds histogram\n";
  for (const auto& [route, l] : latency_) {
    int64_t cumulative = 0;
    const std::string label = "route=\"" + Escaped(route) + "\"";
    for (size_t b = 0; b <= std::size(kBuckets); ++b) {
      cumulative += l.counts[b];
      const std::string le = b < std::size(kBuckets) ? Number(kBuckets[b]) : "+Inf";
      out += "datastory_http_request_duration_seconds_bucket{" + label + ",le=\"" + le + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "datastory_http_request_duration_seconds_sum{" + label + "} " + Number(l.sum) + "\n";
    out += "datastory_http_request_duration_seconds_count{" + label + "} " +
           std::to_string(l.count) + "\n";
  }
  out += "# HELP datastory_upload_bytes_total Bytes received in uploads.\n";
  out += "# TYPE datastory_upload_bytes_total counter\n";
  out += "datastory_upload_bytes_total " + std::to_string(upload_bytes_) + "\n";
  std::string last;
  for (const auto& [key, value] : gauges_) {
    if (key.first != last) {
      out += "# TYPE " + key.first + " gauge\n";
      last = key.first;
    }
    out +=
        key.first + (key.second.empty() ? "" : "{" + key.second + "}") + " " + Number(value) + "\n";
  }
  return out;
}

std::string AccessLogLine(const AccessRecord& r, int64_t unix_millis) {
  const nlohmann::json line = {
      {"time", unix_millis},    {"request_id", r.request_id}, {"ip", r.remote_ip},
      {"method", r.method},     {"route", r.route},           {"status", r.status},
      {"ms", r.seconds * 1000}, {"bytes_in", r.bytes_in},     {"bytes_out", r.bytes_out}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace datastory::http
