// The web UI's pages and actions, answered by UiService over a real SQLite
// run store: what a page shows, that everything from the store is escaped,
// and that no action happens without the token, a session, its CSRF value
// and a confirmation. (tests/ui/ui.spec.mjs drives the same pages in Chromium.)
#include <gtest/gtest.h>

#include "shipml/io/file.hpp"
#include "shipml/track/registry.hpp"
#include "shipml/ui/ui_service.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

// A request with its own storage for the views HttpRequest holds.
struct Request {
  std::string method = "GET", path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
  serve::HttpRequest view() const {
    serve::HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.body = body;
    for (const auto& [k, v] : headers) r.headers.emplace_back(k, v);
    return r;
  }
};

struct Answer {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return "";
  }
};

class Ui : public ::testing::Test {
 protected:
  void SetUp() override {
    store = RunStore::open(tmp.path().string());
    for (int i = 0; i < 3; ++i) {
      RunRecord r;
      r.experiment = i == 2 ? "<script>alert(1)</script>" : "churn";
      r.kind = "score";
      store->start(r);
      store->log_params(r.id, {{"estimator", i == 1 ? "logistic" : "hist_gbdt"},
                               {"max_leaves", std::to_string(15 + i)},
                               {"<b>bold</b>", "<img src=x onerror=alert(2)>"}});
      store->log_metrics(r.id, {{"roc_auc", 0.8 + 0.05 * i}});
      store->finish(r.id, "finished");
      ids.push_back(r.id);
    }
    write_file_atomic(tmp.file("model.txt"), "not a model");
  }

  Answer send(ui::UiService& service, Request request) {
    serve::HttpResponse response;
    service.handle(request.view(), serve::Peer{"127.0.0.1", 0}, response);
    return {response.status, response.body, response.headers};
  }
  Answer get(ui::UiService& service, const std::string& path, const std::string& query = "",
             const std::string& session = "") {
    Request r{"GET", path, query};
    if (!session.empty()) r.headers.emplace_back("cookie", "shipml_ui_session=" + session);
    return send(service, r);
  }
  Answer post(ui::UiService& service, const std::string& path, const std::string& body,
              const std::string& session = "") {
    Request r{"POST", path, "", body};
    if (!session.empty()) r.headers.emplace_back("cookie", "theme=dark; shipml_ui_session=" + session);
    return send(service, r);
  }
  // Signs in with `token`; the session id, or "" when refused.
  std::string sign_in(ui::UiService& service, const std::string& token) {
    const Answer a = post(service, "/login", "token=" + token + "&next=%2Fmodels");
    const std::string cookie = a.header("Set-Cookie");
    if (a.status != 303 || !cookie.starts_with("shipml_ui_session=")) return "";
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    EXPECT_EQ(a.header("Location"), "/models");
    return cookie.substr(18, cookie.find(';') - 18);
  }
  static std::string csrf_of(const std::string& page) {
    const std::string marker = "name=\"csrf\" value=\"";
    const auto at = page.find(marker);
    return at == std::string::npos ? "" : page.substr(at + marker.size(), 32);
  }

  TempDir tmp;
  std::unique_ptr<RunStore> store;
  std::vector<std::string> ids;
};

TEST_F(Ui, PagesShowEveryValueAsTextNeverAsMarkup) {
  ui::UiService service({tmp.path().string()});
  for (const Answer& a : {get(service, "/runs"), get(service, "/runs/" + ids[2]),
                          get(service, "/compare", "run=" + ids[0] + "&run=" + ids[2])}) {
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.body.find("<script>alert"), std::string::npos);
    EXPECT_EQ(a.body.find("<img src=x"), std::string::npos);
    EXPECT_EQ(a.body.find("<b>bold"), std::string::npos);
    EXPECT_NE(a.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  }
  EXPECT_NE(get(service, "/runs").body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(get(service, "/runs/" + ids[2]).body.find("&lt;img src=x onerror=alert(2)&gt;"), std::string::npos);
}

TEST_F(Ui, TheListFiltersSortsAndPages) {
  for (int i = 0; i < 120; ++i) {
    RunRecord r;
    r.experiment = "bulk";
    r.kind = "train";
    store->start(r);
    store->log_metrics(r.id, {{"roc_auc", i / 200.0}});
    store->finish(r.id, "finished");
  }
  ui::UiOptions options{tmp.path().string()};
  ui::UiService service(options);
  EXPECT_NE(get(service, "/runs").body.find("Runs 1–50 of 123"), std::string::npos);
  const Answer page3 = get(service, "/runs", "experiment=bulk&page=3");
  EXPECT_NE(page3.body.find("Runs 101–120 of 120"), std::string::npos) << page3.body;
  EXPECT_NE(page3.body.find("rel=\"prev\""), std::string::npos);
  EXPECT_EQ(page3.body.find("rel=\"next\""), std::string::npos);
  // A bare metric name, and the form's fields, become one filter.
  const Answer high = get(service, "/runs", "filter=roc_auc+%3E%3D+0.5&kind=train&sort=-metrics.roc_auc");
  EXPECT_NE(high.body.find("Runs 1–20 of 20"), std::string::npos) << high.body;
  EXPECT_LT(high.body.find(">0.5950<"), high.body.find(">0.5900<"));  // highest first
  EXPECT_NE(high.body.find("aria-sort=\"descending\""), std::string::npos);
  const Answer estimator = get(service, "/runs", "estimator=logistic");
  EXPECT_NE(estimator.body.find("Runs 1–1 of 1"), std::string::npos);
  const Answer bad = get(service, "/runs", "filter=roc_auc+%3E");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("expected FIELD OP VALUE"), std::string::npos) << bad.body;
}

TEST_F(Ui, ComparePicksTwoToTenRunsAndMarksWhatDiffers) {
  ui::UiService service({tmp.path().string()});
  const Answer two = get(service, "/compare", "run=" + ids[0] + "&run=" + ids[1]);
  EXPECT_EQ(two.status, 200);
  EXPECT_NE(two.body.find("2 of 3 parameters differ"), std::string::npos) << two.body;
  EXPECT_EQ(get(service, "/compare", "run=" + ids[0]).status, 400);
  EXPECT_EQ(get(service, "/compare", "run=" + ids[0] + "&run=nosuchrun").status, 404);
  EXPECT_EQ(get(service, "/runs/nosuchrun").status, 404);
}

TEST_F(Ui, ArtifactsComeOnlyFromWhatTheRunRecorded) {
  store->add_artifact(ids[0], "notes.txt", tmp.file("model.txt"));
  ui::UiService service({tmp.path().string()});
  const Answer file = get(service, "/runs/" + ids[0] + "/artifacts/notes.txt");
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.body, "not a model");
  EXPECT_EQ(file.header("Content-Disposition"), "attachment; filename=\"notes.txt\"");
  EXPECT_EQ(get(service, "/runs/" + ids[0] + "/artifacts/..%2F..%2Fruns.db").status, 404);
  EXPECT_EQ(get(service, "/runs/" + ids[0] + "/artifacts/other.txt").status, 404);
}

TEST_F(Ui, AnActionNeedsTheTokenASessionItsCsrfValueAndAConfirmation) {
  ModelRegistry registry(*store);
  const std::string model = source_path("tests/golden/v3/calibrated_sigmoid_hist_gbdt_iris.shipml");
  ASSERT_TRUE(std::filesystem::exists(model)) << model;
  registry.register_file("iris", model);
  registry.register_file("iris", model);
  ui::UiOptions options{tmp.path().string()};
  options.token = "s3cret-token";
  ui::UiService service(options);
  const std::string promote = "model=iris&version=2&stage=production";

  EXPECT_EQ(post(service, "/actions/promote", promote).status, 401);  // no session
  EXPECT_EQ(sign_in(service, "wrong"), "");
  const std::string session = sign_in(service, "s3cret-token");
  ASSERT_FALSE(session.empty());
  EXPECT_EQ(post(service, "/actions/promote", promote, session).status, 403);  // no CSRF value
  EXPECT_EQ(post(service, "/actions/promote", promote + "&csrf=0123456789abcdef0123456789abcdef", session).status, 403);
  const std::string csrf = csrf_of(get(service, "/models/iris", "", session).body);
  ASSERT_EQ(csrf.size(), 32u);
  const Answer ask = post(service, "/actions/promote", promote + "&csrf=" + csrf, session);
  EXPECT_EQ(ask.status, 200);
  EXPECT_NE(ask.body.find("Move iris version 2 to production?"), std::string::npos) << ask.body;
  EXPECT_EQ(registry.get("iris/2").stage, "none");  // asked, not done
  const Answer done = post(service, "/actions/promote", promote + "&csrf=" + csrf + "&confirm=yes", session);
  EXPECT_EQ(done.status, 303);
  EXPECT_EQ(done.header("Location"), "/models/iris");
  EXPECT_EQ(registry.get("iris/2").stage, "production");
  ASSERT_FALSE(registry.history("iris").empty());
  EXPECT_EQ(registry.history("iris").front().actor, "ui (127.0.0.1)");

  // An alias, set and removed; a page from elsewhere is refused.
  post(service, "/actions/alias", "model=iris&version=1&alias=champion&confirm=yes&csrf=" + csrf, session);
  EXPECT_EQ(registry.get("iris@champion").version, 1);
  Request forged{"POST", "/actions/unalias", "", "model=iris&alias=champion&confirm=yes&csrf=" + csrf};
  forged.headers = {
      {"cookie", "shipml_ui_session=" + session}, {"origin", "http://evil.example"}, {"host", "127.0.0.1:5000"}};
  EXPECT_EQ(send(service, forged).status, 403);
  EXPECT_EQ(registry.get("iris@champion").version, 1);
  post(service, "/actions/unalias", "model=iris&alias=champion&confirm=yes&csrf=" + csrf, session);
  EXPECT_THROW(registry.get("iris@champion"), UsageError);

  // Delete a run; then sign out, and the session acts no more.
  EXPECT_EQ(post(service, "/actions/delete-run", "run=" + ids[0] + "&confirm=yes&csrf=" + csrf, session).status, 303);
  EXPECT_THROW(store->get(ids[0]), UsageError);
  EXPECT_EQ(post(service, "/logout", "csrf=" + csrf, session).status, 303);
  EXPECT_EQ(post(service, "/actions/delete-run", "run=" + ids[1] + "&confirm=yes&csrf=" + csrf, session).status, 401);
  EXPECT_NO_THROW(store->get(ids[1]));
}

TEST_F(Ui, ReadOnlyAndTokenlessUisActOnNothing) {
  for (const bool read_only : {true, false}) {
    ui::UiOptions options{tmp.path().string()};
    options.read_only = read_only;
    options.token = read_only ? "s3cret-token" : "";
    ui::UiService service(options);
    Request bearer{"POST", "/actions/delete-run", "", "run=" + ids[0] + "&confirm=yes"};
    bearer.headers = {{"authorization", "Bearer s3cret-token"}};
    const Answer a = send(service, bearer);
    EXPECT_EQ(a.status, 403);
    EXPECT_NE(a.body.find(read_only ? "--read-only" : "without --token-file"), std::string::npos) << a.body;
    EXPECT_EQ(sign_in(service, "s3cret-token"), "");
    EXPECT_NO_THROW(store->get(ids[0]));
    EXPECT_EQ(get(service, "/runs/" + ids[0]).body.find("Delete run"), std::string::npos);
  }
}

}  // namespace
}  // namespace shipml::test
