"""One model, every front door: a model fitted in Python predicts bit for bit
what `shipml predict` and a running `shipml serve` predict with its file, and
a model trained by the command line loads in Python and agrees."""
import json
import socket
import subprocess
import time
import urllib.request

import numpy as np
import pandas as pd
import pytest

import shipml

from conftest import CLI, cli, data_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """Starts `shipml serve FILE` on a free port; yields a function that posts JSON to it."""
    processes = []

    def start(model_file):
        port = free_port()
        process = subprocess.Popen([CLI, "serve", str(model_file), "--port", str(port), "--threads", "1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        processes.append(process)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.05)

        def post(path, body):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(),
                                             {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        return post

    yield start
    for p in processes:
        p.terminate()
        p.wait(timeout=10)


def cli_probabilities(model_file, data_file, tmp_path):
    out = tmp_path / "predictions.csv"
    cli("predict", "--model", model_file, "--data", data_file, "--proba", "--out", out)
    return pd.read_csv(out, float_precision="round_trip")


@pytest.mark.parametrize("estimator,params", [("hist_gbdt", {"learning_rate": 0.05}), ("logistic", {}),
                                              ("random_forest", {"n_estimators": 30})])
def test_a_model_fitted_in_python_predicts_the_same_through_the_cli_and_the_server(
        estimator, params, churn, tmp_path, server):
    model = shipml.Model(estimator, **params).fit(churn, target="churn")
    model_file = tmp_path / "churn.shipml"
    model.save(model_file)
    ours = model.predict_proba(churn)

    from_cli = cli_probabilities(model_file, data_path("churn.csv"), tmp_path)
    assert np.array_equal(from_cli[["proba_no", "proba_yes"]].to_numpy(), ours), "shipml predict differs"
    assert (from_cli["prediction"].to_numpy() == model.predict(churn)).all()

    post = server(model_file)
    features = churn.drop(columns="churn")
    inputs = [{"name": c, "shape": [len(features)],
               "datatype": "FP64" if features[c].dtype.kind == "f" or features[c].dtype.kind == "i" else "BYTES",
               "data": features[c].tolist()} for c in features.columns]
    answer = post("/v2/models/churn/infer", {"inputs": inputs})
    proba = next(o for o in answer["outputs"] if o["name"] == "predict_proba")
    assert np.array_equal(np.array(proba["data"]).reshape(proba["shape"]), ours), "shipml serve differs"
    labels = post("/invocations", {"dataframe_split": json.loads(features.head(50).to_json(orient="split"))})
    assert labels["predictions"] == model.predict(churn.head(50)).tolist()


def test_a_model_trained_by_the_cli_loads_in_python_and_agrees(tmp_path, credit):
    model_file = tmp_path / "credit.shipml"
    cli("train", "--data", data_path("credit_data.csv"), "--target", "Status", "-e", "hist_gbdt",
        "--set", "n_estimators=50", "--out", model_file, "-q", "--no-track")
    model = shipml.load(model_file)
    assert model.estimator == "hist_gbdt" and model.params["n_estimators"] == 50
    assert list(model.classes) == ["bad", "good"]
    from_cli = cli_probabilities(model_file, data_path("credit_data.csv"), tmp_path)
    assert np.array_equal(model.predict_proba(credit), from_cli[["proba_bad", "proba_good"]].to_numpy())
    assert (model.predict(credit) == from_cli["prediction"].to_numpy()).all()
    # The same file from a path, from pandas and from a NumPy row agree.
    assert np.array_equal(model.predict_proba(data_path("credit_data.csv")), model.predict_proba(credit))


def test_a_pipeline_fitted_in_python_serves_with_its_steps(credit, tmp_path, server):
    model = shipml.Model("logistic", steps=["imputer", {"one_hot": {"columns": ["Home", "Job"]}}, "standard_scaler"])
    model.fit(credit, target="Status")
    model_file = tmp_path / "pipe.shipml"
    model.save(model_file)
    assert shipml.inspect(model_file)["format_version"] == 2
    from_cli = cli_probabilities(model_file, data_path("credit_data.csv"), tmp_path)
    assert np.array_equal(from_cli[["proba_bad", "proba_good"]].to_numpy(), model.predict_proba(credit))
    post = server(model_file)
    rows = credit.drop(columns="Status").head(20)
    answer = post("/invocations", {"dataframe_split": json.loads(rows.to_json(orient="split"))})
    assert answer["predictions"] == model.predict(rows).tolist()
