#include "spread_jobs.hpp"

#include <algorithm>
#include <exception>
#include <map>

#include "shipml/core/binary.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml {
namespace {

void put_matrix(BinaryWriter& w, const Matrix& m) {
  w.u64(static_cast<std::uint64_t>(m.rows()));
  w.u64(static_cast<std::uint64_t>(m.cols()));
  w.array(std::vector<double>(m.data(), m.data() + m.size()));
}

Matrix get_matrix(BinaryReader& r) {
  const auto rows = static_cast<Eigen::Index>(r.u64()), cols = static_cast<Eigen::Index>(r.u64());
  const std::vector<double> values = r.array<double>();
  if (static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) != values.size())
    BinaryReader::fail("a fold's matrix has the wrong number of values");
  Matrix m(rows, cols);
  std::copy(values.begin(), values.end(), m.data());
  return m;
}

}  // namespace

std::string number_bytes(double value) {
  BinaryWriter w;
  w.f64(value);
  return w.data();
}

double number_from_bytes(const std::string& bytes) {
  BinaryReader r(bytes);
  return r.f64();
}

std::string fold_bytes(const FoldResult& f) {
  BinaryWriter w;
  w.u64(f.train_rows);
  w.u64(f.test_rows);
  w.f64(f.fit_seconds);
  w.f64(f.predict_seconds);
  w.u64(f.metrics.size());
  for (const auto& [name, value] : f.metrics) {
    w.text(name);
    w.f64(value);
  }
  w.array(f.rows);
  w.u8(static_cast<std::uint8_t>(f.held_out.task));
  w.i64(f.held_out.n_classes);
  w.array(f.held_out.truth);
  w.array(f.held_out.predicted);
  put_matrix(w, f.held_out.proba);
  w.array(f.held_out.weights);
  put_matrix(w, f.uncalibrated);
  return w.data();
}

FoldResult fold_from_bytes(const std::string& bytes) {
  BinaryReader r(bytes);
  FoldResult f;
  f.train_rows = r.u64();
  f.test_rows = r.u64();
  f.fit_seconds = r.f64();
  f.predict_seconds = r.f64();
  for (std::uint64_t i = 0, n = r.count(16); i < n; ++i) {
    std::string name = r.text();
    f.metrics[std::move(name)] = r.f64();
  }
  f.rows = r.array<std::size_t>();
  f.held_out.task = static_cast<Task>(r.u8());
  f.held_out.n_classes = static_cast<int>(r.i64());
  f.held_out.truth = r.array<double>();
  f.held_out.predicted = r.array<double>();
  f.held_out.proba = get_matrix(r);
  f.held_out.weights = r.array<double>();
  f.uncalibrated = get_matrix(r);
  return f;
}

bool any_rank(bool yes) {
  Communicator& ranks = world();
  if (ranks.size() == 1) return yes;
  std::uint64_t count = yes ? 1 : 0;
  ranks.sum(std::span<std::uint64_t>(&count, 1));
  return count > 0;
}

void spread_jobs(std::size_t n, int threads, const JobResults& jobs) {
  Communicator& ranks = world();
  if (ranks.size() == 1) return parallel_for(n, threads, jobs.run);
  const auto size = static_cast<std::size_t>(ranks.size()), rank = static_cast<std::size_t>(ranks.rank());
  const std::size_t mine = n > rank ? (n - rank + size - 1) / size : 0;
  // This rank's share; a failure is not thrown yet: the others must hear of it.
  std::string error;
  try {
    parallel_for(mine, threads, [&](std::size_t k) { jobs.run(rank + k * size); });
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "a job failed";
  } catch (...) {
    error = "a job failed with an unknown exception";
  }
  BinaryWriter out;
  out.text(error);
  if (error.empty())
    for (std::size_t k = 0; k < mine; ++k) out.text(jobs.save(rank + k * size));
  const std::vector<std::string> all = ranks.all_gather(out.data());
  for (std::size_t r = 0; r < all.size(); ++r) {
    BinaryReader in(all[r]);
    const std::string failed = in.text();
    if (!failed.empty())
      throw DistributedError("rank " + std::to_string(r) + " of " + std::to_string(size) + ": " + failed);
  }
  // Every rank's results, in job order.
  std::vector<BinaryReader> readers;
  for (const std::string& bytes : all) {
    readers.emplace_back(bytes);
    readers.back().text();
  }
  for (std::size_t job = 0; job < n; ++job) {
    const std::size_t r = job % size;
    const std::string bytes = readers[r].text();
    if (r != rank) jobs.load(job, bytes);
  }
}

}  // namespace shipml
