// The same rows as plain CSV, gzip- and zstd-compressed CSV and JSON lines
// (plain and compressed) read to the same frame and train the same model,
// bit for bit: only the file's name, which the model records as its training
// source, and the time it was made differ.
#include <gtest/gtest.h>

#include "shipml/model/model_file.hpp"
#include "shipml/sources/open.hpp"
#include "support.hpp"

namespace shipml {
namespace {

std::string model_bytes(const Dataset& data) {
  Model m("hist_gbdt", {{"n_estimators", "15"}});
  m.fit(data);
  m.metadata()["created"] = "";
  m.metadata()["training"]["source"] = "";
  m.metadata()["training"]["fit_seconds"] = 0;
  return encode_model(m);
}

TEST(FileFormats, CompressedCsvAndJsonLinesTrainTheModelPlainCsvTrains) {
  test::TempDir tmp;
  const std::string csv = test::data_path("churn.csv");
  const Frame rows = read_csv(csv);
  const std::string expected = model_bytes(read_dataset(SourceSpec{csv}, "churn"));
  for (const std::string name :
       {"churn.csv.gz", "churn.csv.zst", "churn.jsonl", "churn.jsonl.gz", "churn.ndjson.zst"}) {
    const std::string path = tmp.file(name);
    const auto sink = open_sink({path});
    sink->write(rows);
    sink->commit();
    const Dataset d = read_dataset(SourceSpec{path}, "churn");
    EXPECT_EQ(d.fingerprint(), read_dataset(SourceSpec{csv}, "churn").fingerprint()) << name;
    EXPECT_TRUE(model_bytes(d) == expected) << name << ": the model differs from the plain CSV's";
  }
}

}  // namespace
}  // namespace shipml
