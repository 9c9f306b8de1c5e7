"""The Python module at run time: the GIL released for long work and
predictions (threads get the same answers), Ctrl-C stopping a fit with
KeyboardInterrupt and no damage, progress on a terminal and none in a pipe,
and no memory kept by repeated fits and predictions."""
import os
import pty
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import psutil

import shipml

from conftest import counted_during, data_path


def test_eight_threads_predicting_at_once_get_the_same_answers(churn):
    model = shipml.Model("hist_gbdt", n_estimators=50).fit(churn, target="churn")
    rows = [churn.iloc[i:i + 37] for i in range(0, 1850, 37)]
    expected = [model.predict_proba(r) for r in rows]
    got = [[None] * len(rows) for _ in range(8)]

    def work(t):
        for k in range(3):
            for i in np.random.default_rng(t * 10 + k).permutation(len(rows)):
                got[t][i] = model.predict_proba(rows[i])
    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for answers in got:
        for a, e in zip(answers, expected):
            assert np.array_equal(a, e)


def test_refitting_while_other_threads_predict_is_safe(churn):
    """A fit builds a new model and swaps it in: a prediction meanwhile gets the old or the new one, whole."""
    model = shipml.Model("hist_gbdt", n_estimators=20).fit(churn, target="churn")
    rows = churn.head(50)
    answers = {model.predict_proba(rows).tobytes()}
    seen, stop, errors = set(), threading.Event(), []

    def predict():
        try:
            while not stop.is_set():
                seen.add(model.predict_proba(rows).tobytes())
        except Exception as e:  # pragma: no cover - what the test looks for
            errors.append(e)
    threads = [threading.Thread(target=predict) for _ in range(4)]
    for t in threads:
        t.start()
    for seed in range(8):
        model.fit(churn.sample(frac=0.5, random_state=seed), target="churn")  # other rows: another model
        answers.add(model.predict_proba(rows).tobytes())
    stop.set()
    for t in threads:
        t.join()
    assert not errors and seen <= answers and len(seen) > 1


def test_a_daemon_thread_inside_shipml_at_exit_ends_quietly():
    script = textwrap.dedent("""
        import sys, threading, time, shipml
        model = shipml.Model("hist_gbdt", n_estimators=10).fit(sys.argv[1], target="churn")
        threading.Thread(target=lambda: shipml.Model("hist_gbdt", n_estimators=100000, early_stopping=False)
                         .fit(sys.argv[1], target="churn"), daemon=True).start()
        def predict():
            while True:
                model.predict_proba(sys.argv[1])
        threading.Thread(target=predict, daemon=True).start()
        time.sleep(1)
        print("exiting")
    """)
    ran = subprocess.run([sys.executable, "-c", script, data_path("churn.csv")], capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0 and ran.stdout.strip() == "exiting", ran.stderr


def test_the_gil_is_released_while_fitting():
    # A Python thread keeps counting while shipml fits on another.
    model = shipml.Model("random_forest", n_estimators=60)
    import pandas as pd
    df = pd.read_csv(data_path("churn.csv"))
    took, ticks = counted_during(lambda: model.fit(df, target="churn"))
    assert took > 0.05 and ticks >= 3


SCRIPT = textwrap.dedent("""
    import os, sys, time
    import shipml
    model = shipml.Model("hist_gbdt", n_estimators=100000, early_stopping=False, learning_rate=0.001)
    print("fitting", flush=True)
    try:
        model.fit(sys.argv[1], target="churn")
        print("finished")
    except KeyboardInterrupt:
        print("interrupted", time.time(), flush=True)
    print("fitted" if model.fitted else "unfitted")
    model = shipml.Model("hist_gbdt", n_estimators=5).fit(sys.argv[1], target="churn")
    print("again", model.fitted)
""")


def test_ctrl_c_stops_a_fit_with_keyboard_interrupt_and_no_damage(tmp_path):
    env = dict(os.environ, SHIPML_TRACKING="on", SHIPML_TRACKING_URI=str(tmp_path / "runs"))
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, data_path("churn.csv")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout.readline().strip() == "fitting"
    time.sleep(1.5)
    sent = time.time()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    lines = out.split()
    assert lines[0] == "interrupted", err
    assert float(lines[1]) - sent < 1.0  # stopped within a boosting round or two
    assert lines[2:] == ["unfitted", "again", "True"]
    runs = shipml.runs(store=str(tmp_path / "runs"))
    assert sorted(runs["status"]) == ["finished", "interrupted"]
    assert "stopped by Ctrl-C" in runs.loc[runs["status"] == "interrupted", "error"].item()


PROGRESS = textwrap.dedent("""
    import sys, shipml
    shipml.Model("hist_gbdt", n_estimators=400, early_stopping=False).fit(sys.argv[1], target="churn")
    print("done")
""")


ITERATIVE = textwrap.dedent("""
    import sys, threading, time
    import numpy as np, shipml
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300_000, 30)); y = X[:, 0] + rng.normal(size=300_000) > 0
    other = {}
    def elsewhere():  # a fit on another thread: Ctrl-C is not meant for it
        try:
            shipml.Model("hist_gbdt", n_estimators=300, early_stopping=False).fit(X[:50_000], y[:50_000])
            other["result"] = "finished"
        except BaseException as e:
            other["result"] = type(e).__name__
    thread = threading.Thread(target=elsewhere)
    thread.start()
    model = shipml.Model("logistic", max_iter=100000, tol=1e-300)
    print("fitting", flush=True)
    try:
        model.fit(X, y)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    thread.join()
    print("fitted" if model.fitted else "unfitted", other["result"])
""")


def test_ctrl_c_stops_a_solver_and_only_the_work_of_the_thread_it_reached():
    process = subprocess.Popen([sys.executable, "-c", ITERATIVE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "fitting"
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert out.split() == ["interrupted", "unfitted", "finished"], err


def test_progress_shows_on_a_terminal_and_not_in_a_pipe():
    piped = subprocess.run([sys.executable, "-c", PROGRESS, data_path("churn.csv")], capture_output=True, text=True)
    assert piped.stdout.strip() == "done" and piped.stderr == ""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", PROGRESS, data_path("churn.csv")], stdout=subprocess.PIPE,
                               stderr=terminal, text=True)
    os.close(terminal)
    shown = b""
    while process.poll() is None or select.select([controller], [], [], 0.1)[0]:
        if select.select([controller], [], [], 0.1)[0]:
            try:
                shown += os.read(controller, 65536)
            except OSError:
                break
    os.close(controller)
    assert process.wait() == 0
    assert b"hist_gbdt [" in shown and b"/400" in shown


def test_a_search_shows_one_bar_that_ends_finished_with_its_refit(churn):
    """The refit of the best belongs to the search: the observer sees the search's
    bar the whole time (never the refit's own), and its end."""
    seen = []
    shipml._core.set_progress_hook(lambda label, done, total, elapsed, note: seen.append((label, done, total, note)))
    try:
        shipml.search(shipml.Model("hist_gbdt", n_estimators=600, early_stopping=False), churn.head(2000),
                      target="churn", cv=2, grid={"max_leaves": [7, 15]})
    finally:
        shipml._core.set_progress_hook(shipml._progress._draw)
    labels = {label for label, *_ in seen[:-1]}
    assert labels == {"search hist_gbdt"} and {total for _, _, total, _ in seen[:-1]} == {4}, seen
    assert seen[-1] == (None, 0, 0, "finished")
    assert any("refitting it on all rows" in note for *_, note in seen), seen


def test_repeated_fits_and_predictions_keep_no_memory(credit):
    data = credit.sample(400, random_state=0)
    rss = psutil.Process().memory_info
    marks = []
    for i in range(1000):
        model = shipml.Model("hist_gbdt", n_estimators=10) if i % 2 else shipml.Model("logistic")
        model.fit(data, target="Status")
        model.predict_proba(data)
        model.predict(data.head(1))
        if i in (199, 999):
            marks.append(rss().rss)
    grown = marks[1] - marks[0]
    assert grown < 8 * 2**20, f"800 more fits and predictions kept {grown / 2**20:.1f} MB"
