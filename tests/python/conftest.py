"""Shared fixtures of the Python tests: the bundled data, the release shipml
binary (for round trips with the command line and the server), and a run
store of each test's own. Runs are off unless a test records into its store."""
import os
import shutil
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

SOURCE = os.environ.get("SHIPML_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
CLI = os.environ.get("SHIPML_CLI", os.path.join(SOURCE, "build", "release", "shipml"))


def data_path(name: str) -> str:
    return os.path.join(SOURCE, "data", name)


@pytest.fixture(scope="session")
def churn() -> pd.DataFrame:
    return pd.read_csv(data_path("churn.csv"))


@pytest.fixture(scope="session")
def credit() -> pd.DataFrame:
    return pd.read_csv(data_path("credit_data.csv"))


@pytest.fixture(scope="session")
def breast_cancer() -> pd.DataFrame:
    return pd.read_csv(data_path("breast_cancer.csv"))


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    return pd.read_csv(data_path("diabetes.csv"))


@pytest.fixture(scope="session")
def iris() -> pd.DataFrame:
    return pd.read_csv(data_path("iris.csv"))


@pytest.fixture
def store(tmp_path, monkeypatch):
    """Runs recorded into this test's own store, as the command line would record them."""
    path = str(tmp_path / "runs")
    monkeypatch.setenv("SHIPML_TRACKING", "on")
    monkeypatch.setenv("SHIPML_TRACKING_URI", path)
    return path


def cli(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    """The shipml command line, as a user runs it."""
    result = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"shipml {' '.join(map(str, args))} exited {result.returncode}: {result.stderr}")
    return result


def counted_during(work) -> tuple:
    """(seconds `work` took, ticks a Python thread counted meanwhile, every 5 ms):
    the thread counts only while the GIL is free, so while shipml holds it the count stops."""
    done, ticks = threading.Event(), []

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)
    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    try:
        work()
    finally:
        took = time.perf_counter() - start
        done.set()
        counter.join()
    return took, sum(t > start for t in ticks)
