"""Charts and reports from Python: the same pictures `shipml plot` and
`shipml report` draw, inline in a notebook (SVG) and saved as PNG or PDF."""
import os
import re

import pytest

import shipml

from conftest import cli, data_path


def test_every_chart_kind_draws_from_what_it_needs(credit, diabetes):
    scored = shipml.score("logistic", credit, target="Status", cv=3)
    model = shipml.Model("hist_gbdt", n_estimators=30).fit(credit, target="Status")
    regression = shipml.score("linear", diabetes, target="progression")
    made = {}
    for kind in shipml.chart_kinds().index:
        if kind in ("residuals", "prediction_error"):
            chart = regression.plot(kind)
        elif kind in ("importance",):
            chart = model.plot(kind)
        elif kind == "permutation":
            chart = model.plot(kind, credit.head(500))
        elif kind == "learning_curve":
            chart = shipml.plot(kind, estimator="logistic", data=credit, target="Status", cv=3)
        elif kind == "validation_curve":
            chart = shipml.plot(kind, estimator="logistic", data=credit, target="Status", param="C", values=[0.1, 1, 10], cv=3)
        elif kind in ("missing", "correlation"):
            chart = shipml.plot(kind, data=credit, target="Status")
        elif kind == "pdp":
            chart = model.plot(kind, credit.head(300), feature="Income")
        elif kind in ("summary", "dependence", "waterfall"):
            # The model explained on the rows given (the explanation engine's contributions).
            chart = model.plot(kind, credit.head(50), feature="Income", row=3)
        else:
            chart = scored.plot(kind)
        made[kind] = chart
        svg = chart._repr_svg_()
        assert svg.startswith("<svg") and chart.title, kind
    assert made["roc"].title == "ROC curve"
    assert made["pdp"].title == "Partial dependence on Income"
    assert made["summary"].title == "Contributions to the predictions"
    assert made["dependence"].title == "Dependence on Income"
    assert made["waterfall"].title == "Contributions to one prediction"
    assert made["waterfall"]._core.subtitle.startswith("the 4th of 50 rows")  # row counts from 0, as iloc
    assert made["confusion"].kind == "confusion"


def test_charts_shown_in_one_notebook_have_ids_of_their_own(credit):
    scored = shipml.score("logistic", credit, target="Status")
    first, second = scored.plot("roc")._repr_svg_(), scored.plot("pr")._repr_svg_()
    ids = [set(re.findall(r'id="([^"]+)"', svg)) for svg in (first, second)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    for svg, own in zip((first, second), ids):  # every reference points inside its own chart
        assert set(re.findall(r'href="#([^"]+)"', svg)) <= own


def test_charts_save_as_svg_png_and_pdf(credit, tmp_path):
    chart = shipml.score("logistic", credit, target="Status").plot("roc")
    assert open(chart.save(tmp_path / "roc.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert open(chart.save(tmp_path / "roc.pdf"), "rb").read(5) == b"%PDF-"
    titled = open(chart.save(tmp_path / "roc.svg", title="Churn model", width=400)).read()
    assert 'width="400' in titled and titled != chart.svg(width=400)
    with pytest.raises(shipml.UsageError, match=r"unknown image format '\.gif'"):
        chart.save(tmp_path / "roc.gif")
    with pytest.raises(shipml.FileError, match="nowhere/roc.png: cannot write"):
        chart.save(tmp_path / "nowhere" / "roc.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roc.pdf", "roc.png", "roc.svg"]  # no temporary left


def test_saved_charts_and_reports_can_be_read_as_the_command_lines_files_can(credit, store, tmp_path):
    scored = shipml.score("logistic", credit, target="Status", cv=3)
    cli("plot", "roc", "--run", scored.run_id, "--out", tmp_path / "cli.png")
    cli("report", "--run", scored.run_id, "--out", tmp_path / "cli.html")
    mode = (tmp_path / "cli.png").stat().st_mode
    assert mode & 0o044 and (tmp_path / "cli.html").stat().st_mode == mode  # readable by others, as umask allows
    assert os.stat(scored.plot("roc").save(tmp_path / "roc.png")).st_mode == mode
    assert os.stat(shipml.report(scored.run_id, tmp_path / "r.html")).st_mode == mode


def test_a_chart_of_a_run_is_the_chart_shipml_plot_draws(credit, store, tmp_path):
    scored = shipml.score("logistic", credit, target="Status", cv=3)
    ours = shipml.plot("calibration", run=scored.run_id).svg()
    cli("plot", "calibration", "--run", scored.run_id, "--out", tmp_path / "c.svg")
    assert ours == (tmp_path / "c.svg").read_text()  # byte for byte, whatever the process drew before
    assert shipml.plot("roc", run="latest").svg() == scored.plot("roc").svg()


def test_reports_are_the_command_lines_pages(credit, store, tmp_path):
    scored = shipml.score("hist_gbdt", credit, target="Status", cv=3)
    html = shipml.report(scored.run_id)
    assert html._repr_html_().startswith("<!DOCTYPE html>") and html.count("<svg") >= 4
    path = shipml.report(scored.run_id, tmp_path / "r.html")
    cli("report", "--run", scored.run_id, "--out", tmp_path / "cli.html")
    assert open(path).read() == (tmp_path / "cli.html").read_text()


def test_a_report_explains_the_runs_model_as_the_command_line_does(store, tmp_path):
    cli("train", "-q", "--data", data_path("diabetes.csv"), "-t", "progression", "-e", "linear",
        "--out", tmp_path / "d.shipml")
    html = str(shipml.report("latest", explain_rows=40))
    assert "<h2>Explanations</h2>" in html and "linear contributions of 40 rows" in html
    cli("report", "--run", "latest", "--explain-rows", "40", "--out", tmp_path / "cli.html")
    assert html == (tmp_path / "cli.html").read_text()
    assert "Explanations" not in str(shipml.report("latest", explain_rows=0))
    for bad in (-1, 2.5, True, 100001):
        with pytest.raises(shipml.UsageError, match="explain_rows must be a whole number from 0 to 100000"):
            shipml.report("latest", explain_rows=bad)


def test_missing_inputs_and_unknown_kinds_are_clear(credit):
    with pytest.raises(shipml.UsageError, match="the roc chart needs held-out predictions"):
        shipml.plot("roc")
    with pytest.raises(shipml.UsageError, match="the learning_curve chart fits models: give estimator="):
        shipml.plot("learning_curve", data=credit, target="Status")
    with pytest.raises(shipml.UsageError, match=r"unknown chart 'pie' \(charts: roc, pr, "):
        shipml.plot("pie", data=credit)
