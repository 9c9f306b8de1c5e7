// shipml ui in a real browser: Debian's Chromium driven by playwright-core
// (never a downloaded browser), over a run store made by the real CLI. A
// person browses, filters, sorts, opens a run, compares two, signs in,
// promotes a version and sets an alias, and sees the history; a read-only UI
// and a wrong token change nothing; a run named with HTML markup shows as text.
// Usage: node ui_browser.mjs SHIPML_CLI DATA_DIR WORK_DIR
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  console.error("playwright-core is missing: run scripts/install-deps.sh (it runs npm ci in tests/ui)");
  process.exit(1);
}

const [cli, data, work] = process.argv.slice(2).map((p) => path.resolve(p));
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
const shots = path.join(work, "screenshots");
fs.mkdirSync(shots);
const env = { ...process.env, SHIPML_TRACKING: "on", SHIPML_TRACKING_URI: path.join(work, "runs") };
delete env.SHIPML_EXPERIMENT;
const shipml = (...args) => execFileSync(cli, ["-q", ...args], { cwd: work, env, stdio: ["ignore", "pipe", "pipe"] }).toString();

// A store with real runs: training, cross-validated scores, a comparison, a
// run whose experiment is HTML markup, and two registered versions.
const churn = path.join(data, "churn.csv");
shipml("train", "--data", churn, "--target", "churn", "-e", "hist_gbdt", "--set", "n_estimators=30",
       "--set", "early_stopping=true", "-o", "gbdt.shipml");
shipml("train", "--data", churn, "--target", "churn", "-e", "logistic", "-o", "logistic.shipml");
shipml("score", "--data", churn, "--target", "churn", "-e", "logistic", "--cv", "3");
shipml("score", "--data", churn, "--target", "churn", "-e", "hist_gbdt", "--set", "n_estimators=30", "--cv", "3");
shipml("score", "--data", churn, "--target", "churn", "-e", "gaussian_nb", "--cv", "3",
       "--experiment", "<script>alert(1)</script>");
shipml("registry", "register", "churn", "logistic.shipml");
shipml("registry", "register", "churn", "gbdt.shipml");
const token = "correct-horse-battery";
fs.writeFileSync(path.join(work, "token"), token + "\n");

// Starts `shipml ui` on a free port; resolves to its address.
function startUi(...flags) {
  const child = spawn(cli, ["ui", "--port", "0", "--store", path.join(work, "runs"), ...flags], { env });
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stderr.on("data", (chunk) => {
      seen += chunk;
      const m = seen.match(/shipml ui: (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`shipml ui exited (${code}): ${seen}`)));
    setTimeout(() => reject(new Error(`shipml ui did not start: ${seen}`)), 30000);
  });
}

const ui = await startUi("--token-file", path.join(work, "token"));
const readOnly = await startUi("--token-file", path.join(work, "token"), "--read-only");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const failures = [];
const step = async (name, body) => {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures.push(name);
    console.log(`FAIL ${name}\n${e.stack}`);
  }
};

try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  // Script errors, and console errors other than the status of a page the
  // test asked for (a refusal is a 403 page, as it should be).
  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: .* (401|403) /.test(m.text())) consoleErrors.push(m.text());
  });
  const texts = async (selector) => (await page.locator(selector).allInnerTexts()).map((t) => t.trim());
  // Follows a link or submits a form, and waits until the new page has loaded
  // whole: a click returns once the new page starts to arrive, and a run's page
  // (its charts are inline SVG) may still be parsing when the test reads it.
  const follow = async (locator) => {
    await locator.click();
    await page.waitForLoadState("load");
  };

  await step("the runs list shows the store's runs, markup as text", async () => {
    await page.goto(`${ui.url}/runs`);
    assert.match(await page.locator("#count").innerText(), /^Runs 1–5 of 5$/);
    await page.getByRole("cell", { name: "<script>alert(1)</script>" }).waitFor();
    assert.deepEqual(dialogs, []);
    await page.screenshot({ path: path.join(shots, "runs.png"), fullPage: true });
  });

  await step("filter by kind and by a metric", async () => {
    await page.selectOption("select[name=kind]", "score");
    await follow(page.getByRole("button", { name: "Apply" }));
    assert.match(await page.locator("#count").innerText(), /of 3$/);
    assert.deepEqual([...new Set(await texts("table.runs tbody td:nth-child(4)"))], ["score"]);
    await page.fill("input[name=filter]", "roc_auc > 0.85");
    await follow(page.getByRole("button", { name: "Apply" }));
    const aucColumn = (await texts("table.runs thead th")).indexOf("roc_auc") + 1;
    const aucs = (await texts(`table.runs tbody td:nth-child(${aucColumn})`)).map(Number);
    assert.ok(aucs.length >= 1 && aucs.every((v) => v > 0.85), `roc_auc ${aucs}`);
  });

  await step("sort by a metric, both ways", async () => {
    await page.goto(`${ui.url}/runs?kind=score`);
    await follow(page.getByRole("link", { name: "roc_auc" }));
    const column = (await texts("table.runs thead th")).findIndex((t) => t.startsWith("roc_auc")) + 1;
    const up = (await texts(`table.runs tbody td:nth-child(${column})`)).map(Number);
    assert.deepEqual(up, [...up].sort((a, b) => a - b));
    await follow(page.getByRole("link", { name: /roc_auc/ }));
    const down = (await texts(`table.runs tbody td:nth-child(${column})`)).map(Number);
    assert.deepEqual(down, [...up].reverse());
    assert.equal(await page.locator("th a.sorted").getAttribute("aria-sort"), "descending");
  });

  await step("a run shows its metrics, folds and charts", async () => {
    await page.goto(`${ui.url}/runs?kind=score&estimator=logistic`);
    await follow(page.locator("table.runs tbody tr").first().locator("td:nth-child(2) a"));
    await page.getByRole("heading", { name: "Metrics" }).waitFor();
    assert.ok((await page.locator("figure svg").count()) >= 3, "charts drawn as SVG");
    assert.match(await page.locator("main").innerText(), /roc_auc/);
    await page.screenshot({ path: path.join(shots, "run.png"), fullPage: true });
  });

  await step("a training run shows its validation loss per round as a chart", async () => {
    await page.goto(`${ui.url}/runs?kind=train&estimator=hist_gbdt`);
    await follow(page.locator("table.runs tbody tr").first().locator("td:nth-child(2) a"));
    await page.getByRole("heading", { name: "Learning curves" }).waitFor();
    assert.match(await page.locator("figcaption").first().innerText(), /validation_loss per round/);
    assert.match(await page.locator("main").innerText(), /model\.shipml/);  // its artifact, to download
  });

  await step("compare two runs: differing parameters marked, curves overlaid", async () => {
    await page.goto(`${ui.url}/runs?kind=score`);
    const compare = page.locator("#compare");
    assert.equal(await compare.isDisabled(), true);
    const boxes = page.locator("table.runs input[type=checkbox]");
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    assert.equal(await compare.innerText(), "Compare 2 selected");
    await follow(compare);
    await page.getByRole("heading", { name: "Compare 2 runs" }).waitFor();
    assert.ok((await page.locator("tr.differs").count()) >= 1);
    await page.getByRole("heading", { name: "Curves" }).waitFor();
    assert.equal(await page.locator("figure svg").count(), 2);
    await page.screenshot({ path: path.join(shots, "compare.png"), fullPage: true });
  });

  await step("a wrong token is refused", async () => {
    await page.goto(`${ui.url}/models/churn`);
    assert.equal(await page.getByRole("button", { name: "Move" }).count(), 0);
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.fill("input[name=token]", "not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Wrong token" }).waitFor();
  });

  await step("promote a version and set an alias, confirmed, into the history", async () => {
    await page.goto(`${ui.url}/login?next=/models/churn`);
    await page.fill("input[name=token]", token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/models\/churn$/);
    const v2 = page.locator("tr#v2");
    await v2.locator("select[name=stage]").selectOption("production");
    await v2.getByRole("button", { name: "Move" }).click();
    assert.match(await page.locator(".question").innerText(), /Move churn version 2 to production\?/);
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/models\/churn$/);
    assert.equal(await page.locator("tr#v2 .stage").innerText(), "production");
    const v1 = page.locator("tr#v1");
    await v1.locator("input[name=alias]").fill("champion");
    await v1.getByRole("button", { name: "Set alias" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(/\/models\/churn$/);
    assert.match(await page.locator("tr#v1").innerText(), /@champion/);
    const history = await page.locator("#history").innerText();
    assert.match(history, /stage none → production/);
    assert.match(history, /alias @champion/);
    assert.match(history, /ui \(127\.0\.0\.1\)/);
    await page.screenshot({ path: path.join(shots, "model.png"), fullPage: true });
  });

  await step("a read-only UI shows no actions and refuses a forged one", async () => {
    const other = await browser.newPage();
    await other.goto(`${readOnly.url}/models/churn`);
    assert.equal(await other.getByRole("button", { name: "Move" }).count(), 0);
    assert.match(await other.locator("header").innerText(), /read-only/);
    // The pages' own policy (script-src 'self', no connect-src) stops scripts
    // from posting; a client outside the page, with the right token, still may not.
    const forged = await other.request.post(`${readOnly.url}/actions/promote`, {
      headers: { Authorization: `Bearer ${token}` },
      form: { model: "churn", version: "1", stage: "archived", confirm: "yes" },
    });
    assert.equal(forged.status(), 403);
    assert.match(await forged.text(), /--read-only/);
    await other.close();
  });

  await step("an action without a session is refused", async () => {
    const fresh = await browser.newPage();
    await fresh.goto(`${ui.url}/runs`);
    const refused = await fresh.request.post(`${ui.url}/actions/delete-run`, { form: { run: "latest", confirm: "yes" } });
    assert.equal(refused.status(), 401);
    const wrong = await fresh.request.post(`${ui.url}/actions/delete-run`, {
      headers: { Authorization: "Bearer not-the-token" }, form: { run: "latest", confirm: "yes" } });
    assert.equal(wrong.status(), 401);
    await fresh.goto(`${ui.url}/runs`);
    assert.match(await fresh.locator("#count").innerText(), /^Runs 1–5 of 5$/);  // nothing was deleted
    await fresh.close();
  });

  await step("no page wrote an error to the console and no dialog opened", async () => {
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(dialogs, []);
  });
} finally {
  await browser.close();
  ui.child.kill("SIGTERM");
  readOnly.child.kill("SIGTERM");
}
// What the UI set is what the CLI finds: the alias names version 1's file.
await step("the CLI resolves the alias set in the browser", async () => {
  shipml("registry", "get", "churn@champion", "-o", path.join(work, "champion.shipml"));
  assert.ok(fs.readFileSync(path.join(work, "champion.shipml")).equals(fs.readFileSync(path.join(work, "logistic.shipml"))));
});
if (failures.length) {
  console.log(`${failures.length} step(s) failed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log(`screenshots in ${shots}`);
