#include "shipml/model/model_file.hpp"
#include "shipml/preprocess/transformer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "support.hpp"

namespace shipml {
namespace {

std::string saved_bytes() {
  Model m("logistic");
  m.fit(test::synthetic(Task::classification, 60));
  return encode_model(m);
}

std::string load_error(const std::string& bytes) {
  try {
    decode_model(bytes, "m.shipml");
  } catch (const ModelError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ModelFile, HeaderDescribesTheModel) {
  const nlohmann::json h = read_model_header(saved_bytes(), "m.shipml");
  EXPECT_EQ(h["format"], "shipml-model");
  EXPECT_EQ(h["format_version"], 1);
  EXPECT_EQ(h["estimator"]["name"], "logistic");
  EXPECT_EQ(h["estimator"]["params"]["C"], "1");
  EXPECT_EQ(h["task"], "classification");
  EXPECT_EQ(h["classes"], (std::vector<std::string>{"high", "low", "mid"}));
  EXPECT_EQ(h["target"], "y");
  ASSERT_EQ(h["schema"].size(), 3u);
  EXPECT_EQ(h["schema"][2]["name"], "color");
  EXPECT_EQ(h["schema"][2]["categories"].size(), 4u);
  EXPECT_EQ(h["metadata"]["training"]["rows"], 60);
  EXPECT_EQ(h["metadata"]["training"]["fingerprint"].get<std::string>().size(), 16u);
}

TEST(ModelFile, EveryTruncationIsAOneLineError) {
  const std::string bytes = saved_bytes();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::string e = load_error(bytes.substr(0, n));
    ASSERT_EQ(e.rfind("m.shipml: ", 0), 0u) << n << ": " << e;
    ASSERT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_EQ(load_error(bytes.substr(0, 40)), "m.shipml: truncated model file (a section runs past the end)");
}

TEST(ModelFile, EveryFlippedByteIsDetected) {
  const std::string bytes = saved_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    ASSERT_NE(load_error(bad), "no error") << "byte " << i;
  }
}

TEST(ModelFile, ForeignFileIsRecognised) {
  EXPECT_EQ(load_error("PK\x03\x04 this is a zip"),
            "m.shipml: not a shipml model file (no shipml magic bytes at the start)");
  EXPECT_EQ(load_error(""), "m.shipml: not a shipml model file (no shipml magic bytes at the start)");
}

TEST(ModelFile, NewerFormatAsksForAnUpgrade) {
  std::string bytes = saved_bytes();
  bytes[8] = 9;  // the format version follows the 8 magic bytes
  EXPECT_EQ(load_error(bytes), "m.shipml: model format version 9 is newer than this shipml reads (3); upgrade shipml");
}

TEST(ModelFile, SaveIsAtomicAndLeavesNoTemporaryFiles) {
  test::TempDir tmp;
  Model m("linear");
  m.fit(test::synthetic(Task::regression, 50));
  m.save(tmp.file("a.shipml"));
  m.save(tmp.file("a.shipml"));  // overwrite in place
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(tmp.path())) ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_NO_THROW(Model::load(tmp.file("a.shipml")));
}

TEST(ModelFile, SavingAnUnfittedModelIsAnError) {
  test::TempDir tmp;
  EXPECT_THROW(Model("linear").save(tmp.file("x.shipml")), ModelError);
  EXPECT_FALSE(std::filesystem::exists(tmp.file("x.shipml")));
}

TEST(ModelFile, TheSameModelIsTheSameBytes) {
  // Every estimator: two fits of the same data and seed write the same body
  // (the header differs only in its creation time), so no leftover memory
  // (struct padding) reaches a file.
  for (const auto& info : estimators()) {
    const Task task = info.supports(Task::classification) ? Task::classification : Task::regression;
    const Dataset d = test::synthetic(task, 120);
    Model a(info.name), b(info.name);
    a.fit(d);
    b.fit(d);
    EXPECT_EQ(test::body_of(encode_model(a)), test::body_of(encode_model(b))) << info.name;
  }
}

TEST(ModelFile, MissingFileIsAFileError) { EXPECT_THROW(Model::load("/nonexistent/m.shipml"), FileError); }

// Golden files from each format version must keep loading and predicting the
// same, bit for bit. They are made by scripts/make-golden-models.sh and never
// regenerated: a new format version adds a new folder.
TEST(ModelFile, GoldenFilesOfEveryVersionStillPredictTheSame) {
  std::size_t checked = 0;
  for (const auto& version : std::filesystem::directory_iterator(test::source_path("tests/golden"))) {
    for (const auto& entry : std::filesystem::directory_iterator(version.path())) {
      if (entry.path().extension() != ".shipml") continue;
      const Model m = Model::load(entry.path().string());
      std::ifstream meta(std::filesystem::path(entry.path()).replace_extension(".data"));
      std::string data_file;
      std::getline(meta, data_file);
      // Data made for a golden file sits beside it; the rest is the bundled data.
      const auto beside = version.path() / data_file;
      const Frame input = read_csv(std::filesystem::exists(beside) ? beside.string() : test::data_path(data_file));
      const Frame expected = read_csv(std::filesystem::path(entry.path()).replace_extension(".expected.csv").string(),
                                      {.categorical = {"prediction"}});
      const Predictions p = m.predict(input);
      ASSERT_EQ(p.values.size(), expected.rows());
      for (std::size_t i = 0; i < p.values.size(); ++i) {
        ASSERT_EQ(p.label(i), expected.column("prediction").text(i)) << entry.path() << " row " << i;
        for (std::size_t c = 0; c < p.classes.size(); ++c)
          ASSERT_EQ(format_number(p.proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c))),
                    expected.column("proba_" + p.classes[c]).text(i));
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 3u);
}

}  // namespace
}  // namespace shipml

namespace shipml {
namespace {

// A new estimator must add golden files (scripts/make-golden-models.sh), so its
// fitted-state encoding is pinned from the first format version it ships in.
TEST(ModelFile, EveryRegisteredEstimatorAndTransformerHasAGoldenFile) {
  std::set<std::string> estimators_covered, transformers_covered;
  std::set<std::uint32_t> versions;
  for (const auto& folder : std::filesystem::directory_iterator(test::source_path("tests/golden")))
    for (const auto& entry : std::filesystem::directory_iterator(folder.path()))
      if (entry.path().extension() == ".shipml") {
        const auto header = read_model_header(read_file(entry.path().string()), entry.path().string());
        estimators_covered.insert(header["estimator"]["name"].get<std::string>());
        versions.insert(header["format_version"].get<std::uint32_t>());
        if (header.contains("pipeline"))
          for (const auto& step : header["pipeline"])
            transformers_covered.insert(step["transformer"].get<std::string>());
        // Files live in the folder of their format version.
        EXPECT_EQ(folder.path().filename().string(), "v" + std::to_string(header["format_version"].get<int>()))
            << entry.path();
      }
  for (const auto& e : estimators()) EXPECT_TRUE(estimators_covered.count(e.name)) << e.name << " has no golden file";
  for (const auto& t : transformers())
    EXPECT_TRUE(transformers_covered.count(t.name)) << t.name << " has no golden file";
  EXPECT_TRUE(versions.count(kModelFormatVersion)) << "no golden file of the current format version";
}

}  // namespace
}  // namespace shipml
