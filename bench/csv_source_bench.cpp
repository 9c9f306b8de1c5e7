// Block-by-block reading of a CSV source (what batch scoring does): next_block
// on this thread, decode on all cores, for a plain and a zstd file.
// Usage: bench_csv_source FILE.csv [BLOCK_BYTES]  (FILE.csv.zst is written beside it)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "shipml/core/parallel.hpp"
#include "shipml/io/byte_stream.hpp"
#include "shipml/io/data_source.hpp"

namespace {

// Seconds to read every block of `path`, decoding a batch of blocks at a time in parallel.
// Every column numeric, as a model's schema declares numeric features.
double read_blocks(const std::string& path, const std::vector<std::string>& columns, std::size_t bytes,
                   std::size_t& rows) {
  const auto start = std::chrono::steady_clock::now();
  shipml::SourceSpec spec;
  spec.location = path;
  spec.read.numeric = columns;
  auto source = shipml::open_file_source(spec);
  rows = 0;
  const std::size_t batch = 2 * static_cast<std::size_t>(shipml::default_threads());
  for (bool more = true; more;) {
    std::vector<shipml::SourceBlock> blocks;
    while (blocks.size() < batch) {
      auto block = source->next_block(bytes);
      if (!block) {
        more = false;
        break;
      }
      blocks.push_back(std::move(*block));
    }
    std::vector<std::size_t> counts(blocks.size());
    shipml::parallel_for(blocks.size(), 0, [&](std::size_t i) { counts[i] = blocks[i].decode().rows(); });
    for (const auto n : counts) rows += n;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_csv_source FILE.csv [BLOCK_BYTES]\n");
    return 2;
  }
  const std::string plain = argv[1], zst = plain + ".zst";
  const std::size_t bytes = argc > 2 ? std::stoul(argv[2]) : std::size_t{4} << 20;
  const std::string text = shipml::read_text(plain);
  std::vector<std::string> columns;  // the header's names
  for (std::size_t at = 0, end = text.find('\n'); at < end;) {
    const std::size_t comma = std::min(text.find(',', at), end);
    columns.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  {
    shipml::AtomicFileWriter out(zst, shipml::Compression::zstd);
    out.write(text);
    out.commit();
  }
  for (const auto& path : {plain, zst}) {
    std::size_t rows = 0;
    double best = 1e30;
    for (int run = 0; run < 3; ++run) best = std::min(best, read_blocks(path, columns, bytes, rows));
    std::printf("%-40s %8zu rows  %7.1f MB/s of CSV  %9.0f rows/s\n", path.c_str(), rows, text.size() / best / 1e6,
                rows / best);
  }
}
