#!/usr/bin/python3
"""Opens shipml's HTML reports in headless Chromium, as a colleague would open them.

Usage: check_reports.py SHIPML_BINARY DATA_DIR

Records a binary, a multiclass, a regression and a search run with --report,
then loads each page from disk in headless Chromium and checks that it logs no
console message, needs nothing from outside the file, and shows every chart
that applies to its task as an inline SVG in the rendered DOM.
"""
import os
import re
import subprocess
import sys
import tempfile

CHROMIUM = "/usr/bin/chromium"


def shipml(binary, work, *args):
    env = dict(os.environ, SHIPML_TRACKING="on", SHIPML_TRACKING_URI=os.path.join(work, "runs"))
    subprocess.run([binary, *args, "-q"], cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)


def open_in_chromium(page, work):
    """The DOM after rendering, and what the page logged to the console."""
    result = subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + os.path.join(work, "profile"),
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", "file://" + page],
        capture_output=True, text=True, timeout=120)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    return result.stdout, console


def check(page, expected_charts, work):
    html = open(page, encoding="utf-8").read()
    problems = []
    # Self-contained: no scripts, no external images, styles or fonts.
    for pattern in (r"<script", r"<img", r"<link", r"src=\"http", r"url\(http", r"@import"):
        if re.search(pattern, html):
            problems.append(f"depends on something outside the file ({pattern})")
    dom, console = open_in_chromium(page, work)
    problems += [f"console: {line}" for line in console]
    if "<main>" not in dom:
        problems.append("the page did not render (no <main> in the DOM)")
    figures = dict(re.findall(r'<figure id="chart-([a-z_]+)">(.*?)</figure>', dom, re.S))
    for chart in expected_charts:
        if chart not in figures:
            problems.append(f"chart '{chart}' is missing")
        elif "<svg" not in figures[chart] or "<path" not in figures[chart]:
            problems.append(f"chart '{chart}' has no drawing")
    return problems, len(figures)


def main():
    binary, data = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        os.symlink(data, os.path.join(work, "data"))
        # The check itself must be able to fail: a page that logs to the console.
        bad = os.path.join(work, "bad.html")
        with open(bad, "w") as f:
            f.write('<html><body><main></main><script>console.error("broken")</script></body></html>')
        if not check(bad, [], work)[0]:
            print("FAIL: a page with a console error passed the check")
            return 1

        shipml(binary, work, "score", "--data", "data/churn.csv", "-t", "churn", "-e", "hist_gbdt", "--cv", "3",
               "--report", "binary.html")
        shipml(binary, work, "compare", "--data", "data/penguins.csv", "-t", "species", "-e", "logistic", "-e",
               "random_forest", "--cv", "3", "--refit", "best.shipml", "--report", "multiclass.html")
        shipml(binary, work, "score", "--data", "data/ames.csv", "-t", "Sale_Price", "-e", "hist_gbdt",
               "--report", "regression.html")
        shipml(binary, work, "search", "--data", "data/iris.csv", "-t", "species", "-e", "decision_tree",
               "--grid", "max_depth=2,4", "--cv", "3", "--out", "search", "--report", "search.html")
        pages = {
            "binary.html": ["roc", "pr", "confusion", "confusion_normalized", "calibration", "proba", "gains", "lift",
                            "missing", "correlation"],
            "multiclass.html": ["roc", "pr", "confusion", "confusion_normalized", "calibration", "proba", "importance",
                                "missing", "correlation", "summary", "pdp"],
            "regression.html": ["prediction_error", "residuals", "missing", "correlation"],
            "search.html": ["importance", "missing", "correlation", "summary", "pdp"],
        }
        for page, charts in pages.items():
            problems, shown = check(os.path.join(work, page), charts, work)
            html = open(os.path.join(work, page), encoding="utf-8").read()
            for section in ("Metrics", "Parameters", "Data", "Input schema"):
                if f"<h2>{section}</h2>" not in html and not (page == "search.html" and section == "Metrics"):
                    problems.append(f"section '{section}' is missing")
            if page == "multiclass.html" and "<h2>Leaderboard</h2>" not in html:
                problems.append("the comparison's leaderboard is missing")
            if page in ("multiclass.html", "search.html") and "<h2>Explanations</h2>" not in html:
                problems.append("the refit model's explanations are missing")
            if page == "search.html" and "<h2>Search results</h2>" not in html:
                problems.append("the search results are missing")
            for p in problems:
                print(f"FAIL {page}: {p}")
            failures += len(problems)
            print(f"{page}: {shown} charts rendered in Chromium" + ("" if problems else ", no console messages"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
