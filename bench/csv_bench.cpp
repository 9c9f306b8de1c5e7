// CSV reading throughput on numeric data, the reader's hot path, on one thread
// and on two. Google Benchmark reports bytes per second; bench/run.sh prints it
// beside pandas.read_csv on the same file.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "shipml/core/random.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/io/file.hpp"

namespace {

// rows x cols of numbers like "0.48213", "-1.2e-3" and integers, as real exports have.
std::string numeric_csv(std::size_t rows, std::size_t cols) {
  shipml::Random rng(1);
  std::string out;
  for (std::size_t j = 0; j < cols; ++j) out += (j ? ",f" : "f") + std::to_string(j);
  out += '\n';
  char buf[32];
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < cols; ++j) {
      if (j) out += ',';
      const double v = rng.uniform() * 200 - 100;
      const int n = j % 4 == 0 ? std::snprintf(buf, sizeof buf, "%d", static_cast<int>(v))
                               : std::snprintf(buf, sizeof buf, "%.6g", v);
      out.append(buf, static_cast<std::size_t>(n));
    }
    out += '\n';
  }
  return out;
}

const std::string& input() {
  static const std::string text = [] {
    if (const char* path = std::getenv("SHIPML_BENCH_CSV")) return shipml::read_file(path);
    return numeric_csv(500000, 20);
  }();
  return text;
}

// The argument is CsvOptions::threads: 1, then 2 (bench/run.sh prints both).
void BM_ParseNumericCsv(benchmark::State& state) {
  const std::string& text = input();
  shipml::CsvOptions options;
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    shipml::Frame f = shipml::parse_csv(text, options);
    benchmark::DoNotOptimize(f);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseNumericCsv)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--write") {  // bench_csv --write FILE: the shared input for peers
    shipml::write_file_atomic(argv[2], numeric_csv(500000, 20));
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
}
