"""Batch scoring from Python and, under a memory limit, from the command line:
shipml.predict_batch writes what `shipml predict` writes and records the same
run, and a file larger than the memory the process may use scores with the
same predictions as the in-memory path."""
import os
import shutil
import subprocess

import pandas as pd
import pytest

import shipml
from conftest import CLI, cli, data_path


@pytest.fixture(scope="module")
def churn_model(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("model") / "churn.shipml")
    cli("-q", "train", "--data", data_path("churn.csv"), "--target", "churn", "-e", "hist_gbdt",
        "--set", "n_estimators=30", "-o", path)
    return path


def test_predict_batch_writes_what_the_command_line_writes(churn_model, tmp_path, store):
    ours = tmp_path / "python.csv"
    job = shipml.predict_batch(churn_model, data_path("churn.csv"), ours, id="state", proba=True, memory="64K")
    theirs = tmp_path / "cli.csv"
    cli("predict", "-m", churn_model, "--data", data_path("churn.csv"), "--id", "state", "--proba", "-o", theirs,
        "--no-track")
    assert ours.read_text() == theirs.read_text()
    assert job["rows"] == 5000
    assert job["output"]["location"] == str(ours)
    recorded = shipml.run(job["run_id"])
    assert recorded["kind"] == "predict"
    assert recorded["info"]["data"]["fingerprint"] == job["fingerprint"]
    assert recorded["metrics"]["rows"] == 5000


def test_a_fitted_model_scores_in_batches_as_it_predicts(churn, tmp_path):
    model = shipml.Model("logistic").fit(churn, target="churn")
    out = tmp_path / "scores.csv"
    shipml.predict_batch(model, data_path("churn.csv"), out, memory="64K", threads=2)
    assert list(pd.read_csv(out)["prediction"]) == list(model.predict(churn.drop(columns="churn")))


def test_a_database_table_reads_and_trains_as_its_csv_does(tmp_path, churn):
    db = f"sqlite:///{tmp_path}/shop.db"
    cli("copy", "--data", data_path("churn.csv"), "--out", db, "--out-table", "customers")
    pd.testing.assert_frame_equal(shipml.read(db, table="customers"), shipml.read_csv(data_path("churn.csv")))
    kansas = shipml.read(db, query="SELECT state, churn FROM customers WHERE state = 'KS'")
    assert list(kansas.columns) == ["state", "churn"] and len(kansas) == (churn["state"] == "KS").sum()
    features = churn.drop(columns="churn")
    from_table = shipml.Model("logistic").fit(db, table="customers", target="churn")
    from_csv = shipml.Model("logistic").fit(data_path("churn.csv"), target="churn")
    assert (from_table.predict_proba(features) == from_csv.predict_proba(features)).all()
    scored = shipml.Model("logistic").score(db, table="customers", target="churn", cv=3)
    assert scored.metrics["roc_auc"] > 0.7


def test_bad_input_leaves_no_output(churn_model, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = open(data_path("churn.csv")).read().splitlines()
    cells = lines[3000].split(",")
    cells[1] = "lots"
    lines[3000] = ",".join(cells)
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(shipml.DataError, match=r"bad.csv:3001:"):
        shipml.predict_batch(churn_model, bad, tmp_path / "scores.csv", memory="64K")
    assert sorted(os.listdir(tmp_path)) == ["bad.csv"]


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux) is not installed")
@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_a_file_larger_than_the_memory_limit_scores_with_the_in_memory_predictions(churn_model, tmp_path, form):
    # churn's 5,000 rows, as CSV or JSON lines, repeated to a file a fifth
    # larger than 300 MB, scored by a process whose address space (every
    # mapping, not only what it touches) is limited to 300 MB, so the file
    # cannot be held in memory.
    limit = 300 << 20
    source = data_path("churn.csv")
    if form == "jsonl":
        source = tmp_path / "churn.jsonl"
        cli("copy", "--data", data_path("churn.csv"), "--out", str(source))
    lines = open(source).read().splitlines(keepends=True)
    header, rows = (lines[0], lines[1:]) if form == "csv" else ("", lines)
    block = "".join(rows)
    repeats = limit * 6 // 5 // len(block) + 1
    big = tmp_path / f"big.{form}"
    with open(big, "w") as f:
        f.write(header)
        for _ in range(repeats):
            f.write(block)
    assert big.stat().st_size > limit
    out = tmp_path / "scores.csv"
    run = subprocess.run(["prlimit", f"--as={limit}", CLI, "predict", "-m", churn_model, "--data", str(big),
                          "--proba", "--memory", "32M", "--threads", "2", "-o", str(out), "--no-track"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # The in-memory path: Model.predict on the 5,000 rows at once.
    model = shipml.load(churn_model)
    features = pd.read_csv(data_path("churn.csv")).drop(columns="churn")
    expected = model.predict_proba(features)
    labels = model.predict(features)
    seen = 0
    for chunk in pd.read_csv(out, chunksize=len(rows), float_precision="round_trip"):
        assert list(chunk["prediction"]) == list(labels)
        for i, c in enumerate(model.classes):
            assert (chunk[f"proba_{c}"].to_numpy() == expected[:, i]).all()
        seen += 1
    assert seen == repeats
