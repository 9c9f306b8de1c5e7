#pragma once
/// \file
/// What the server counts, exposed at GET /metrics in Prometheus' text format:
/// requests by model, variant (primary or canary), endpoint and status; latency histograms; rows predicted;
/// requests in flight; and each model's version and load time. Every event loop
/// writes to its own shard, so counting never makes two loops wait for each other.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/serve/model_repository.hpp"

namespace shipml::serve {

/// What the server counts, in one shard per event loop, shown in Prometheus' text format.
class SHIPML_API ServerMetrics {
 public:
  /// Upper bounds (seconds) of the latency histogram's buckets.
  static constexpr std::array<double, 14> kBuckets = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,    0.025,  0.05,    0.1,    0.25,  1,      5};

  /// Counters for `loops` event loops.
  explicit ServerMetrics(int loops);

  /// Counts one request answered on `loop`: model and its variant ("primary",
  /// "canary"; empty for no model), endpoint, status, latency and rows predicted.
  void record(int loop, const std::string& model, const char* variant, const char* endpoint, int status, double seconds,
              std::size_t rows);
  /// Counts a failed reload of `model`.
  void reload_failed(const std::string& model);
  /// Requests being answered now.
  std::atomic<int>& in_flight() { return in_flight_; }

  /// The text exposition format (version 0.0.4).
  std::string render(const ModelRepository& models) const;

 private:
  struct Series {
    std::map<int, std::uint64_t> by_status;
    std::array<std::uint64_t, kBuckets.size() + 1> buckets{};  // the last one is +Inf
    double seconds = 0;
    std::uint64_t count = 0, rows = 0;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // (model, variant, endpoint)
  struct Shard {
    std::mutex mutex;
    std::map<Key, Series> series;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<int> in_flight_{0};
  mutable std::mutex reload_mutex_;
  std::map<std::string, std::uint64_t> reload_failures_;
};

}  // namespace shipml::serve
