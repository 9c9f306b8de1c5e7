// A closed-loop gRPC load generator for `shipml serve --grpc-port`, the gRPC
// counterpart of `wrk -t1 -cN`: one client thread, N channels (each its own
// TCP connection) with one ModelInfer outstanding on each, for S seconds.
// Prints what bench/serve.sh's wrk summary prints:
//   requests/s p50_ms p99_ms failed_calls 0
// Usage: bench_grpc_load PORT MODEL CSV TARGET [ROWS=1] [CONNECTIONS=16] [SECONDS=10] [raw|typed]
#include <grpc_predict_v2.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "shipml/io/csv.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// The first `rows` rows of the CSV, without the target, as one tensor per
// column: FP64 or BYTES, typed contents or raw_input_contents.
inference::ModelInferRequest make_request(const std::string& model, const std::string& csv, const std::string& target,
                                          std::size_t rows, bool raw) {
  const shipml::Frame all = shipml::read_csv(csv).without(target);
  inference::ModelInferRequest r;
  r.set_model_name(model);
  for (const auto& c : all.columns()) {
    auto* t = r.add_inputs();
    t->set_name(c.name());
    t->set_datatype(c.is_numeric() ? "FP64" : "BYTES");
    t->add_shape(static_cast<std::int64_t>(rows));
    std::string bytes;
    for (std::size_t i = 0; i < rows; ++i) {
      if (c.is_numeric()) {
        const double v = c.values()[i];
        if (raw) bytes.append(reinterpret_cast<const char*>(&v), 8);
        else t->mutable_contents()->add_fp64_contents(v);
      } else {
        const std::string s = c.text(i);
        const auto n = static_cast<std::uint32_t>(s.size());
        if (raw) bytes.append(reinterpret_cast<const char*>(&n), 4).append(s);
        else t->mutable_contents()->add_bytes_contents(s);
      }
    }
    if (raw) r.add_raw_input_contents(bytes);
  }
  return r;
}

// One outstanding call.
struct Call {
  std::unique_ptr<grpc::ClientContext> context;
  inference::ModelInferResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<inference::ModelInferResponse>> reader;
  Clock::time_point start;
  std::size_t channel = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: bench_grpc_load PORT MODEL CSV TARGET [ROWS=1] [CONNECTIONS=16] [SECONDS=10] [raw|typed]\n";
    return 2;
  }
  const std::string address = std::string("127.0.0.1:") + argv[1];
  const std::size_t rows = argc > 5 ? std::stoul(argv[5]) : 1;
  const std::size_t connections = argc > 6 ? std::stoul(argv[6]) : 16;
  const double seconds = argc > 7 ? std::stod(argv[7]) : 10;
  const bool raw = argc <= 8 || std::string(argv[8]) != "typed";
  const inference::ModelInferRequest request = make_request(argv[2], argv[3], argv[4], rows, raw);

  std::vector<std::unique_ptr<inference::GRPCInferenceService::Stub>> stubs;
  for (std::size_t i = 0; i < connections; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own, as wrk's are
    args.SetInt("shipml.bench_channel", static_cast<int>(i));
    stubs.push_back(inference::GRPCInferenceService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
  }
  grpc::CompletionQueue queue;
  std::vector<Call> calls(connections);
  auto start_call = [&](Call& call) {
    call.context = std::make_unique<grpc::ClientContext>();
    call.response.Clear();
    call.start = Clock::now();
    call.reader = stubs[call.channel]->AsyncModelInfer(call.context.get(), request, &queue);
    call.reader->Finish(&call.response, &call.status, &call);
  };
  // A warm-up second (connections, allocators), not counted.
  for (int pass = 0; pass < 2; ++pass) {
    const double length = pass == 0 ? std::min(1.0, seconds) : seconds;
    std::vector<double> latencies;
    std::size_t failed = 0;
    const auto begin = Clock::now();
    const auto end = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(length));
    for (std::size_t i = 0; i < connections; ++i) {
      calls[i].channel = i;
      start_call(calls[i]);
    }
    std::size_t outstanding = connections;
    void* tag = nullptr;
    bool ok = false;
    while (outstanding > 0 && queue.Next(&tag, &ok)) {
      Call& call = *static_cast<Call*>(tag);
      const auto now = Clock::now();
      latencies.push_back(std::chrono::duration<double, std::milli>(now - call.start).count());
      if (!ok || !call.status.ok()) {
        if (failed++ == 0) std::cerr << "failed call: " << call.status.error_message() << '\n';
      }
      if (now < end) start_call(call);
      else --outstanding;
    }
    if (pass == 0) continue;
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    std::sort(latencies.begin(), latencies.end());
    auto quantile = [&](double q) {
      return latencies.empty() ? 0.0
                               : latencies[static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1))];
    };
    std::printf("%.0f %.3f %.3f %zu 0\n", static_cast<double>(latencies.size()) / elapsed, quantile(0.5),
                quantile(0.99), failed);
  }
  queue.Shutdown();
  return 0;
}
