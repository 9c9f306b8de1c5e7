// The registry's aliases and history from the command line, end to end: the
// real `shipml` binary on a store in a temporary folder.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "track/tracked_cli.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

class RegistryCli : public TrackedCli {
 protected:
  void SetUp() override {
    const Dataset iris = read_dataset(data_path("iris.csv"), "species");
    Model a("logistic"), b("decision_tree", {{"max_depth", "1"}});
    a.fit(iris);
    b.fit(iris);
    a.save(tmp_.file("a.shipml"));
    b.save(tmp_.file("b.shipml"));
    for (const char* f : {"a", "b"}) {
      const auto r = shipml("registry register iris " + tmp_.file(std::string(f) + ".shipml"));
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
};

std::string os_user_name() {
  const passwd* pw = ::getpwuid(::getuid());
  const char* env = std::getenv("USER");
  return pw ? pw->pw_name : env ? env : "";
}

TEST_F(RegistryCli, AliasesAreSetShownMovedUsedAndRemoved) {
  const auto set = shipml("registry alias iris champion 1 --notes 'first try'");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out, "iris@champion is version 1 (new; models:/iris@champion)\n");
  const json shown = shipml_json("registry show iris --json");
  EXPECT_EQ(shown[0]["aliases"], json({"champion"}));
  EXPECT_EQ(shown[1]["aliases"], json::array());
  EXPECT_NE(shipml("registry show iris").out.find("iris version 1  stage none  registered"), std::string::npos);
  EXPECT_NE(shipml("registry show iris").out.find("aliases champion\n"), std::string::npos);

  const auto moved = shipml("registry alias iris champion 2");
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(moved.out, "iris@champion is version 2 (was version 1; models:/iris@champion)\n");
  ASSERT_EQ(shipml("registry alias iris challenger 1").exit_code, 0);
  const json listed = shipml_json("registry list --json");
  EXPECT_EQ(listed[0]["aliases"], json({{"challenger", 1}, {"champion", 2}}));
  const auto list = shipml("registry list");
  EXPECT_NE(list.out.find("latest 2  @challenger 1  @champion 2"), std::string::npos) << list.out;

  // models:/NAME@ALIAS works where a path does, and the prediction's run says which alias.
  const std::string iris = data_path("iris.csv");
  const auto by_alias = shipml("predict --model models:/iris@champion --data " + iris);
  const auto by_file = shipml("predict --model " + tmp_.file("b.shipml") + " --data " + iris);
  ASSERT_EQ(by_alias.exit_code, 0) << by_alias.err;
  EXPECT_EQ(by_alias.out, by_file.out);
  const json predict = shipml_json("runs list --json --filter 'params.registry_alias = champion'");
  ASSERT_EQ(predict.size(), 1u);
  EXPECT_EQ(predict[0]["params"]["registry_version"], "2");
  ASSERT_EQ(shipml("registry get iris@challenger --out " + tmp_.file("out.shipml")).exit_code, 0);
  EXPECT_EQ(read_file(tmp_.file("out.shipml")), read_file(tmp_.file("a.shipml")));

  const auto removed = shipml("registry unalias iris challenger");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "removed iris@challenger\n");
  EXPECT_EQ(shipml_json("registry list --json")[0]["aliases"], json({{"champion", 2}}));
}

TEST_F(RegistryCli, MistakesAreUsageErrorsThatSayWhatExists) {
  ASSERT_EQ(shipml("registry alias iris champion 1").exit_code, 0);
  const auto reserved = shipml("registry alias iris production 1");
  EXPECT_EQ(reserved.exit_code, 2);
  EXPECT_NE(reserved.err.find("alias 'production' must be a letter and then at most 63 letters"), std::string::npos)
      << reserved.err;
  const auto no_version = shipml("registry alias iris champion 9");
  EXPECT_EQ(no_version.exit_code, 2);
  EXPECT_NE(no_version.err.find("model 'iris' has no version 9 (it has versions 1 to 2)"), std::string::npos)
      << no_version.err;
  const auto no_alias = shipml("registry unalias iris champio");
  EXPECT_EQ(no_alias.exit_code, 2);
  EXPECT_NE(no_alias.err.find("model 'iris' has no alias 'champio' (aliases: champion)"), std::string::npos)
      << no_alias.err;
  const auto unknown_reference = shipml("predict --model models:/iris@champio --data " + data_path("iris.csv"));
  EXPECT_EQ(unknown_reference.exit_code, 2);
  EXPECT_NE(unknown_reference.err.find("has no alias 'champio' (aliases: champion)"), std::string::npos)
      << unknown_reference.err;
  const auto no_model = shipml("registry history churn");
  EXPECT_EQ(no_model.exit_code, 2);
  EXPECT_NE(no_model.err.find("no registered model 'churn' (registered: iris)"), std::string::npos) << no_model.err;
  // None of them changed anything.
  EXPECT_EQ(shipml_json("registry history iris --json").size(), 3u);
}

TEST_F(RegistryCli, HistoryListsEveryChangeNewestFirstWithTheUser) {
  ASSERT_EQ(shipml("registry promote iris 1 --stage production").exit_code, 0);
  ASSERT_EQ(shipml("registry promote iris 2 --stage production --notes 'better recall'").exit_code, 0);
  ASSERT_EQ(shipml("registry alias iris champion 2 --notes 'won the A/B test'").exit_code, 0);
  ASSERT_EQ(shipml("registry unalias iris champion").exit_code, 0);

  const json events = shipml_json("registry history iris --json");
  std::vector<std::string> seen;
  for (const json& e : events)
    seen.push_back(e["action"].get<std::string>() + " " + std::to_string(e["version"].get<int>()) + " " +
                   e["from"].get<std::string>() + "->" + e["to"].get<std::string>());
  EXPECT_EQ(seen, (std::vector<std::string>{"alias_removed 2 champion->", "alias_set 2 ->champion",
                                            "stage 2 none->production", "stage 1 production->archived",
                                            "stage 1 none->production", "registered 2 ->none", "registered 1 ->none"}));
  for (const json& e : events) {
    EXPECT_EQ(e["name"], "iris");
    EXPECT_EQ(e["actor"], os_user_name());  // the command line records who ran it
    EXPECT_TRUE(e["at"].get<std::string>().ends_with("Z")) << e["at"];
  }
  EXPECT_EQ(events[1]["notes"], "won the A/B test");
  EXPECT_EQ(events[2]["notes"], "better recall");

  EXPECT_EQ(shipml_json("registry history iris --json --limit 2").size(), 2u);
  EXPECT_EQ(shipml_json("registry history --json").size(), events.size());  // every model: iris is the only one
  const auto table = shipml("registry history iris");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  const std::string header = table.out.substr(0, table.out.find('\n'));
  for (const char* column : {"when (UTC)", "name", "version", "action", "from -> to", "actor", "notes"})
    EXPECT_NE(header.find(column), std::string::npos) << header;
  const std::size_t second_line = header.size() + 1;
  const std::string newest = table.out.substr(second_line, table.out.find('\n', second_line) - second_line);
  EXPECT_NE(newest.find("  iris  2        alias_removed  champion -> -  "), std::string::npos) << table.out;
  EXPECT_NE(newest.find("  " + os_user_name()), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("alias_set      - -> champion  "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("won the A/B test"), std::string::npos) << table.out;
}

}  // namespace
}  // namespace shipml::test
