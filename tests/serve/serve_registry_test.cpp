// `shipml serve` following the model registry: a stage or an alias that moves
// is picked up on SIGHUP and within a poll, and a reference that stops
// resolving keeps the last model serving.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>

#include "serve/server_process.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

// A registry store with two iris versions, 1 a decision stump and 2 a
// logistic regression, that commands and the server find through
// SHIPML_TRACKING_URI (set for the fixture's lifetime).
struct TwoIrisVersions {
  TempDir tmp;
  TwoIrisVersions() {
    ::setenv("SHIPML_TRACKING_URI", tmp.file("runs").c_str(), 1);
    const Dataset iris = read_dataset(data_path("iris.csv"), "species");
    Model first("decision_tree", {{"max_depth", "1"}}), second("logistic");
    first.fit(iris);
    second.fit(iris);
    first.save(tmp.file("first.shipml"));
    second.save(tmp.file("second.shipml"));
    for (const char* f : {"first", "second"})
      if (run_cli(std::string("registry register iris ") + tmp.file(std::string(f) + ".shipml")).exit_code != 0)
        throw std::runtime_error(std::string("could not register ") + f);
  }
  ~TwoIrisVersions() { ::unsetenv("SHIPML_TRACKING_URI"); }
  TwoIrisVersions(const TwoIrisVersions&) = delete;
  TwoIrisVersions& operator=(const TwoIrisVersions&) = delete;
};

// One row to score, in MLflow's dataframe_records form.
constexpr const char* kIrisRow =
    R"({"dataframe_records":[{"sepal_length_cm":6.3,"sepal_width_cm":3.3,"petal_length_cm":6.0,"petal_width_cm":2.5}]})";

TEST(ServeRegistry, ServesAStageAndFollowsItWhenItMoves) {
  const TwoIrisVersions registry;
  ASSERT_EQ(run_cli("registry promote iris 1 --stage production").exit_code, 0);

  ServerProcess server({"models:/iris/production", "--registry-poll", "1"});
  EXPECT_EQ(json::parse(server.get("/v2/models/iris").body)["versions"], json({"1"}));
  EXPECT_EQ(json::parse(server.get("/v2/models/iris").body)["parameters"]["estimator"], "decision_tree");
  ASSERT_EQ(run_cli("registry promote iris 2 --stage production").exit_code, 0);
  ASSERT_TRUE(server.wait_for_stderr("reloaded iris:2", 15)) << server.stderr_text();
  const json meta = json::parse(server.get("/v2/models/iris").body);
  EXPECT_EQ(meta["versions"], json({"2"}));
  EXPECT_EQ(meta["parameters"]["estimator"], "logistic");
  EXPECT_EQ(server.post("/invocations", kIrisRow).status, 200);
}

TEST(ServeRegistry, ServesAnAliasAndFollowsItWhenItMovesOrKeepsServingWhenItGoes) {
  const TwoIrisVersions registry;
  ASSERT_EQ(run_cli("registry alias iris champion 1").exit_code, 0);

  // Polling off in effect: each reload here is the SIGHUP's.
  ServerProcess server({"models:/iris@champion", "--registry-poll", "3600"});
  const json before = json::parse(server.get("/v2/models/iris").body);  // served as iris, not iris@champion
  EXPECT_EQ(before["versions"], json({"1"}));
  EXPECT_EQ(before["parameters"]["estimator"], "decision_tree");
  ASSERT_EQ(run_cli("registry alias iris champion 2").exit_code, 0);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_stderr("reloaded iris:2", 15)) << server.stderr_text();
  const json after = json::parse(server.get("/v2/models/iris").body);
  EXPECT_EQ(after["versions"], json({"2"}));
  EXPECT_EQ(after["parameters"]["estimator"], "logistic");
  const auto answered = server.post("/invocations", kIrisRow);
  EXPECT_EQ(answered.status, 200);

  // The alias removed: the reload fails, says so, and version 2 keeps answering.
  ASSERT_EQ(run_cli("registry unalias iris champion").exit_code, 0);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_stderr("reload of iris:(registry) failed, still serving the previous one", 15))
      << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("has no alias 'champion' (aliases: none)"), std::string::npos)
      << server.stderr_text();
  const auto still = server.post("/invocations", kIrisRow);
  EXPECT_EQ(still.status, 200);
  EXPECT_EQ(still.body, answered.body);
  EXPECT_EQ(json::parse(server.get("/v2/models/iris").body)["versions"], json({"2"}));
}

TEST(ServeRegistry, FollowsAnAliasThatMovesWithinAPoll) {
  const TwoIrisVersions registry;
  ASSERT_EQ(run_cli("registry alias iris champion 1").exit_code, 0);
  ServerProcess server({"models:/iris@champion", "--registry-poll", "1"});
  EXPECT_EQ(json::parse(server.get("/v2/models/iris").body)["versions"], json({"1"}));
  ASSERT_EQ(run_cli("registry alias iris champion 2").exit_code, 0);
  ASSERT_TRUE(server.wait_for_stderr("a registry stage or alias moved: reloading", 15)) << server.stderr_text();
  ASSERT_TRUE(server.wait_for_stderr("reloaded iris:2", 15)) << server.stderr_text();
  EXPECT_EQ(json::parse(server.get("/v2/models/iris").body)["parameters"]["estimator"], "logistic");
}

TEST(ServeRegistry, ACanaryFromTheRegistryIsServedAsTheCanaryBesideTheStage) {
  const TwoIrisVersions registry;
  ASSERT_EQ(run_cli("registry promote iris 1 --stage production").exit_code, 0);
  ASSERT_EQ(run_cli("registry alias iris challenger 2").exit_code, 0);

  // The share follows the reference's last ':'; the canary keeps its role's version.
  ServerProcess server({"models:/iris/production", "--canary", "iris=models:/iris@challenger:50%", "--shadow",
                        "iris=models:/iris@challenger", "--no-access-log"});
  const std::string& err = server.stderr_text(200);
  EXPECT_NE(err.find("model iris:canary = logistic classification from models:/iris@challenger, canary answering 50%"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("model iris:shadow = logistic classification"), std::string::npos) << err;
  EXPECT_EQ(json::parse(server.get("/v2/models/iris").body)["versions"], json({"1", "canary", "shadow"}));
  std::set<std::string> answered_by;
  for (int i = 0; i < 40; ++i) answered_by.insert(server.post("/invocations", kIrisRow).header("x-model-version"));
  EXPECT_EQ(answered_by, (std::set<std::string>{"1", "canary"}));
}

}  // namespace
}  // namespace shipml::test
