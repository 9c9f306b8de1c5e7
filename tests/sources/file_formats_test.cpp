// The same rows as plain CSV, gzip- and zstd-compressed CSV and JSON lines
// (plain and compressed) read to the same frame and train the same model,
// bit for bit: only the file's name, which the model records as its training
// source, and the time it was made differ.
#include <gtest/gtest.h>

#include <cstring>

#include "shipml/model/model_file.hpp"
#include "shipml/sources/open.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// A model file's header without what differs between two fits of the same
// rows (when and from which file), and its body, byte for byte
// (docs/model-format.md: magic, version, header length, header, body, checksum).
std::pair<nlohmann::json, std::string> model_file(const Dataset& data) {
  Model m("hist_gbdt", {{"n_estimators", "15"}});
  m.fit(data);
  const std::string bytes = encode_model(m);
  nlohmann::json header = read_model_header(bytes, "model");
  header.erase("created");
  header["metadata"].erase("created");
  header["metadata"]["training"].erase("source");
  header["metadata"]["training"].erase("fit_seconds");
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data() + 12, sizeof length);
  return {header, bytes.substr(20 + length, bytes.size() - 20 - length - 8)};  // not the checksum
}

TEST(FileFormats, CompressedCsvAndJsonLinesTrainTheModelPlainCsvTrains) {
  test::TempDir tmp;
  const std::string csv = test::data_path("churn.csv");
  const Frame rows = read_csv(csv);
  const auto [header, body] = model_file(read_dataset(SourceSpec{csv}, "churn"));
  for (const std::string name :
       {"churn.csv.gz", "churn.csv.zst", "churn.jsonl", "churn.jsonl.gz", "churn.ndjson.zst"}) {
    const std::string path = tmp.file(name);
    const auto sink = open_sink({path});
    sink->write(rows);
    sink->commit();
    const Dataset d = read_dataset(SourceSpec{path}, "churn");
    EXPECT_EQ(d.fingerprint(), read_dataset(SourceSpec{csv}, "churn").fingerprint()) << name;
    const auto [other_header, other_body] = model_file(d);
    EXPECT_EQ(other_header, header) << name;
    EXPECT_TRUE(other_body == body) << name << ": the model's body differs from the plain CSV's";
  }
}

}  // namespace
}  // namespace shipml
