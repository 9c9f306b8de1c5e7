"""The quality battery: shipml's learners with default parameters against
scikit-learn and XGBoost with theirs, by 5-fold cross-validation on the same
folds. Called by bench/quality.sh; run with Debian's /usr/bin/python3.

For every data set: the fold of every row is written once (build/quality/folds,
stratified for classes, seed 0) and reused by every tool. For each fold, shipml
is run as a user runs it (`shipml train` on the training rows' CSV, `shipml
predict` on the test rows' CSV); the peers are fitted in this process on the
same rows read with pandas. Every metric is computed here with
sklearn.metrics on the same test rows. Results: build/quality/results/NAME.json
per data set, build/quality/results.{json,csv} for all of them.
"""
import argparse
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
import xgboost
from sklearn.metrics import accuracy_score, log_loss, r2_score, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import DATASETS, FAMILY, learners_for, metric_for  # noqa: E402
from peers import PEERS, fit_predict, peers_for  # noqa: E402

FOLDS = 5
SEED = 0
FLAG_GAP = 0.005


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def read_frames(path, target, task):
    """The data as text (for shipml's CSVs, written back unchanged) and as pandas types (for the peers).
    Only empty fields are missing, as for shipml: a category 'NA' stays a category."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    typed = pd.read_csv(path, keep_default_na=False, na_values=[""],
                        dtype={target: str} if task != "regression" else None)
    return raw, typed


def fold_assignment(name, y, task, folds_dir):
    """Each row's fold, written once and reused, so every tool and every later run sees the same folds."""
    path = os.path.join(folds_dir, f"{name}.csv")
    if os.path.exists(path):
        folds = pd.read_csv(path)["fold"].to_numpy()
        if len(folds) == len(y):
            return folds
    splitter = (StratifiedKFold(FOLDS, shuffle=True, random_state=SEED) if task != "regression"
                else KFold(FOLDS, shuffle=True, random_state=SEED))
    folds = np.empty(len(y), dtype=int)
    with warnings.catch_warnings():  # "the least populated class has only N members": known, and wanted
        warnings.simplefilter("ignore")
        for k, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
            folds[test] = k
    os.makedirs(folds_dir, exist_ok=True)
    pd.DataFrame({"row": np.arange(len(y)), "fold": folds}).to_csv(path + ".tmp", index=False)
    os.replace(path + ".tmp", path)
    return folds


def score(task, y_true, pred, proba, classes, all_classes):
    if task == "regression":
        return {"r2": float(r2_score(y_true.to_numpy(dtype=float), np.asarray(pred, dtype=float)))}
    out = {"accuracy": float(accuracy_score(y_true.astype(str), np.asarray(pred).astype(str)))}
    # Probabilities in the order of all_classes; a class the model never saw gets 0.
    P = np.zeros((len(y_true), len(all_classes)))
    for j, c in enumerate(classes):
        P[:, all_classes.index(str(c))] = proba[:, j]
    if task == "binary":
        out["roc_auc"] = float(roc_auc_score(y_true == all_classes[1], P[:, 1]))
    else:
        P = P / np.maximum(P.sum(axis=1, keepdims=True), 1e-300)
        try:
            out["roc_auc_ovr"] = float(roc_auc_score(y_true, P, multi_class="ovr", average="macro",
                                                     labels=all_classes))
        except ValueError as e:
            out["roc_auc_ovr_error"] = str(e)
        out["log_loss"] = float(log_loss(y_true, np.clip(P, 1e-15, 1), labels=all_classes))
    return out


def shipml_params(shipml, learner, threads, cache={}):
    """--set threads=N where the learner declares a thread count (the same budget every peer gets)."""
    if learner not in cache:
        text = subprocess.run([shipml, "estimators", learner], capture_output=True, text=True).stdout
        names = {line.split("=")[0].strip() for line in text.splitlines() if "=" in line}
        cache[learner] = [f"{p}={threads}" for p in ("threads", "n_jobs") if p in names]
    return cache[learner]


def error_text(proc, what):
    lines = [l for l in (proc.stderr or "").splitlines() if l.strip()]
    msg = lines[-1].strip() if lines else (proc.stdout or "").strip()[-300:]
    return f"{what} exited {proc.returncode}: {msg}"


def timed(cmd, what, timeout):
    """Runs one shipml command: (seconds, None), or (None, the error as a user would read it)."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"{what} timed out after {timeout} s"
    if proc.returncode != 0:
        return None, error_text(proc, what)
    return time.perf_counter() - t0, None


def run_shipml(shipml, learner, task, target, fold_dir, threads, timeout):
    model = os.path.join(fold_dir, f"{learner}.shipml")
    pred = os.path.join(fold_dir, f"{learner}.pred.csv")
    cmd = [shipml, "train", "--data", os.path.join(fold_dir, "train.csv"), "-t", target, "-e", learner,
           "--task", "regression" if task == "regression" else "classification", "-o", model, "--no-track"]
    for p in shipml_params(shipml, learner, threads):
        cmd += ["--set", p]
    fit_s, error = timed(cmd, "shipml train", timeout)
    if error:
        return {"error": error}
    cmd = [shipml, "predict", "-m", model, "--data", os.path.join(fold_dir, "test.csv"), "-o", pred]
    if task != "regression":
        cmd.append("--proba")
    predict_s, error = timed(cmd, "shipml predict", timeout)
    if error:
        return {"error": error}
    out = pd.read_csv(pred, dtype={"prediction": str} if task != "regression" else None,
                      keep_default_na=False, na_values=[""])
    os.remove(model)
    os.remove(pred)
    if task == "regression":
        return {"pred": out["prediction"].to_numpy(dtype=float), "fit_s": fit_s, "predict_s": predict_s}
    cols = [c for c in out.columns if c.startswith("proba_")]
    return {"pred": out["prediction"].to_numpy(), "proba": out[cols].to_numpy(dtype=float),
            "classes": [c[len("proba_"):] for c in cols], "fit_s": fit_s, "predict_s": predict_s}


def run_peer(peer, task, X_train, y_train, X_test, threads):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pred, proba, classes = fit_predict(peer, task, X_train, y_train, X_test, threads)
        except Exception as e:  # a peer that fails is a result too
            return {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
    seconds = time.perf_counter() - t0
    kinds = sorted({w.category.__name__ for w in caught if not issubclass(w.category, (DeprecationWarning,
                                                                                       FutureWarning))})
    res = {"pred": pred, "proba": proba, "classes": classes, "fit_s": seconds, "predict_s": 0.0}
    if kinds:
        res["warnings"] = kinds
    return res


def summarise(task, folds):
    """Mean of each metric over the folds that ran; errors kept verbatim."""
    ok = [f for f in folds if "error" not in f]
    out = {"folds": folds}
    errors = sorted({f["error"] for f in folds if "error" in f})
    if errors:
        out["errors"] = errors
    if ok:
        for key in ok[0]:
            if isinstance(ok[0][key], float):
                vals = [f[key] for f in ok if key in f]
                out[key] = float(np.mean(vals))
                if key == metric_for(task):
                    out[key + "_std"] = float(np.std(vals))
        warns = sorted({w for f in ok for w in f.get("warnings", [])})
        if warns:
            out["warnings"] = warns
    return out


def run_dataset(name, args, shipml_meta, learners, peers_wanted):
    source, target, task, why = DATASETS[name]
    path = os.path.join(args.data_dir, f"{name}.csv")
    if not os.path.exists(path):
        path = os.path.join(args.out, "data", f"{name}.csv")
    raw, typed = read_frames(path, target, task)
    y = typed[target]
    X = typed.drop(columns=[target])
    folds = fold_assignment(name, y, task, os.path.join(args.out, "folds"))
    fold_hash = hashlib.sha256(folds.tobytes()).hexdigest()[:16]
    all_classes = None
    if task != "regression":
        all_classes = sorted(y.unique(), key=lambda s: (float(s), s) if _is_number(s) else (float("inf"), s))
    result_path = os.path.join(args.out, "results", f"{name}.json")
    previous = {}
    if os.path.exists(result_path):
        with open(result_path) as f:
            previous = json.load(f)
    tools = dict(previous.get("tools", {})) if previous.get("fold_hash") == fold_hash else {}

    # Peers are reused from an earlier run on the same folds and library versions unless --fresh-peers.
    same_libs = previous.get("peer_versions") == peer_versions()
    peer_list = [p for p in peers_for(task, {FAMILY[l] for l in learners}) if p in peers_wanted]
    todo_peers = [p for p in peer_list if args.fresh_peers or not same_libs or f"peer:{p}" not in tools]

    work = os.path.join(args.out, "work", name)
    per_fold = {}
    for k in range(FOLDS):
        test_rows = folds == k
        fold_dir = os.path.join(work, f"fold{k}")
        if learners:
            os.makedirs(fold_dir, exist_ok=True)
            raw[~test_rows].to_csv(os.path.join(fold_dir, "train.csv"), index=False)
            raw[test_rows].drop(columns=[target]).to_csv(os.path.join(fold_dir, "test.csv"), index=False)
        y_test = y[test_rows].reset_index(drop=True)
        for learner in learners:
            r = run_shipml(args.shipml, learner, task, target, fold_dir, args.threads, args.timeout)
            per_fold.setdefault(f"shipml:{learner}", []).append(_scored(task, r, y_test, all_classes))
        for peer in todo_peers:
            r = run_peer(peer, task, X[~test_rows], y[~test_rows], X[test_rows], args.threads)
            per_fold.setdefault(f"peer:{peer}", []).append(_scored(task, r, y_test, all_classes))
    shutil.rmtree(work, ignore_errors=True)

    metric = metric_for(task)
    for tool, folds_res in per_fold.items():
        tools[tool] = summarise(task, folds_res)
        s = tools[tool]
        shown = f"{metric} {s[metric]:.4f}" if metric in s else "ERROR " + "; ".join(s.get("errors", []))
        fit = sum(f.get("fit_s", 0) for f in folds_res)
        log(f"    {tool:<26} {shown}   ({fit:.1f} s fit, 5 folds)")
    doc = {"dataset": name, "source": source, "target": target, "task": task, "why": why,
           "rows": int(len(y)), "columns": int(X.shape[1]), "metric": metric, "fold_hash": fold_hash,
           "classes": all_classes, "shipml": shipml_meta if learners else previous.get("shipml", shipml_meta),
           "peer_versions": peer_versions(), "tools": tools}
    os.makedirs(os.path.dirname(result_path), exist_ok=True)
    with open(result_path + ".tmp", "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(result_path + ".tmp", result_path)
    return doc


def _is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _scored(task, r, y_test, all_classes):
    if "error" in r:
        return {"error": r["error"]}
    try:
        out = score(task, y_test, r["pred"], r.get("proba"), r.get("classes"), all_classes)
    except Exception as e:
        return {"error": f"scoring failed: {type(e).__name__}: {e}".splitlines()[0]}
    out["fit_s"] = round(r["fit_s"], 4)
    out["predict_s"] = round(r["predict_s"], 4)
    if "warnings" in r:
        out["warnings"] = r["warnings"]
    return out


def peer_versions():
    return {"sklearn": sklearn.__version__, "xgboost": xgboost.__version__, "python": platform.python_version()}


def shipml_meta(shipml):
    meta = {"binary": os.path.abspath(shipml)}
    meta["version"] = subprocess.run([shipml, "--version"], capture_output=True, text=True).stdout.strip()
    # The binary's checkout: build/<preset>/shipml lives two levels under it.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(shipml))))
    git = subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True)
    if git.returncode == 0:
        meta["commit"] = git.stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        meta["checkout"] = root + (" (with uncommitted changes)" if dirty else "")
    meta["binary_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(shipml)))
    return meta


def rows_for(doc):
    """One row per shipml learner: its score, its own algorithm's peer, its family's best peer, the gap."""
    task, metric = doc["task"], doc["metric"]
    tools = doc["tools"]
    rows = []
    for learner in learners_for(task):
        mine = tools.get(f"shipml:{learner}")
        if mine is None:
            continue
        family = FAMILY[learner]
        peers = [(p, tools[f"peer:{p}"]) for p in peers_for(task, {family}) if f"peer:{p}" in tools]
        scored = [(p, t[metric]) for p, t in peers if metric in t]
        best = max(scored, key=lambda pt: pt[1]) if scored else (None, float("nan"))
        same = next((p for p in PEERS if PEERS[p][3] == learner), None)
        same_score = tools.get(f"peer:{same}", {}).get(metric, float("nan"))
        ours = mine.get(metric, float("nan"))
        gap = ours - best[1]
        folds_below, gap_se = None, float("nan")
        if best[0] is not None and metric in mine:
            a = [f.get(metric) for f in mine["folds"]]
            b = [f.get(metric) for f in tools[f"peer:{best[0]}"]["folds"]]
            pairs = [(x, z) for x, z in zip(a, b) if x is not None and z is not None]
            folds_below = sum(1 for x, z in pairs if x < z)
            if len(pairs) > 1:  # standard error of the mean per-fold difference (folds are paired)
                gap_se = float(np.std([x - z for x, z in pairs], ddof=1) / np.sqrt(len(pairs)))
        row = {"dataset": doc["dataset"], "task": task, "metric": metric, "learner": learner, "family": family,
               "shipml": ours, "shipml_std": mine.get(metric + "_std", float("nan")),
               "same_peer": PEERS[same][2] if same else "", "same_peer_score": same_score,
               "best_peer": PEERS[best[0]][2] if best[0] else "", "best_peer_score": best[1],
               "gap": gap, "gap_se": gap_se, "folds_below": folds_below, "vs_same": ours - same_score,
               "flagged": bool(np.isnan(ours) or gap < -FLAG_GAP),
               "errors": mine.get("errors", []),
               "fit_s": sum(f.get("fit_s", 0) for f in mine["folds"])}
        if task == "multiclass":
            for extra in ("log_loss", "roc_auc_ovr"):
                row["shipml_" + extra] = mine.get(extra, float("nan"))
                row["best_peer_" + extra] = tools.get(f"peer:{best[0]}", {}).get(extra, float("nan"))
        rows.append(row)
    return rows


def peer_errors(doc):
    return [{"dataset": doc["dataset"], "tool": PEERS[t.split(":", 1)[1]][2], "errors": v["errors"]}
            for t, v in doc["tools"].items() if t.startswith("peer:") and v.get("errors")]


def fmt(x, width=8):
    if not isinstance(x, float) or np.isnan(x):
        return f"{'—':>{width}}"
    return f"{x:>{width}.4f}" if abs(x) < 1e4 else f"{x:>{width}.2g}"  # a diverged R² stays one column wide


def table(rows):
    out = io.StringIO()
    head = (f"{'dataset':<22} {'metric':<8} {'learner':<14} {'shipml':>8} {'same-algo peer':>15} "
            f"{'best peer of family':<29} {'best':>8} {'gap':>8} {'± se':>7} {'ratio':>6}  folds<")
    print(head, file=out)
    print("-" * len(head), file=out)
    last = None
    for r in rows:
        ds = r["dataset"] if r["dataset"] != last else ""
        last = r["dataset"]
        # shipml / best peer, only where both are positive (a ratio of negative R²s means nothing)
        ratio = (r["shipml"] / r["best_peer_score"] if r["shipml"] > 0 and r["best_peer_score"] > 0
                 else float("nan"))
        flag = "  <-- " + ("ERROR" if np.isnan(r["shipml"]) else "under") if r["flagged"] else ""
        ratio_s = f"{ratio:>6.3f}" if not np.isnan(ratio) else f"{'—':>6}"
        print(f"{ds:<22} {r['metric']:<8} {r['learner']:<14} {fmt(r['shipml'])} {fmt(r['same_peer_score'], 15)} "
              f"{r['best_peer']:<29} {fmt(r['best_peer_score'])} {fmt(r['gap'])} {fmt(r['gap_se'], 7)} {ratio_s}  "
              f"{'' if r['folds_below'] is None else str(r['folds_below']) + '/5':>5}{flag}", file=out)
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("datasets", nargs="*", help="data sets to run (default: all)")
    ap.add_argument("--shipml", required=True)
    ap.add_argument("--learners", default="", help="comma-separated shipml learners (default: all)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=900, help="seconds one shipml command may take")
    ap.add_argument("--fresh-peers", action="store_true", help="refit the peers even when results exist")
    ap.add_argument("--data-dir", default="data/quality")
    ap.add_argument("--out", default="build/quality")
    ap.add_argument("--aggregate-only", action="store_true",
                    help="run nothing: rebuild results.json/csv and the table from build/quality/results/")
    args = ap.parse_args()
    names = args.datasets or list(DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        sys.exit(f"quality: no data set named {', '.join(unknown)}; known: {', '.join(DATASETS)}")
    wanted = [l.strip() for l in args.learners.split(",") if l.strip()]
    bad = [l for l in wanted if l not in FAMILY]
    if bad:
        sys.exit(f"quality: no learner named {', '.join(bad)}; known: {', '.join(FAMILY)}")
    meta = shipml_meta(args.shipml)
    started = time.time()
    previous = {}
    if args.aggregate_only:
        names = []
        with open(os.path.join(args.out, "results.json")) as f:
            previous = json.load(f)
    for i, name in enumerate(names, 1):
        task = DATASETS[name][2]
        learners = [l for l in learners_for(task) if not wanted or l in wanted]
        if not learners:
            log(f"[{i}/{len(names)}] {name} ({task}): none of the learners asked for applies; skipped")
            continue
        families = {FAMILY[l] for l in learners}
        log(f"[{i}/{len(names)}] {name} ({task}): {len(learners)} shipml learners, peers of {', '.join(sorted(families))}")
        t0 = time.time()
        run_dataset(name, args, meta, learners, set(peers_for(task, families)))
        log(f"  {name} done in {time.time() - t0:.0f} s")
    elapsed = time.time() - started

    # Everything under results/, not only what ran now: a subset run updates its part of the whole.
    docs = []
    res_dir = os.path.join(args.out, "results")
    for n in DATASETS:
        p = os.path.join(res_dir, f"{n}.json")
        if os.path.exists(p):
            with open(p) as f:
                docs.append(json.load(f))
    rows = [r for d in docs for r in rows_for(d)]
    summary = {"generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "command": os.environ.get("QUALITY_COMMAND", " ".join(sys.argv)),
               "this_run_seconds": round(elapsed, 1), "this_run_datasets": names,
               "threads": args.threads, "folds": FOLDS, "seed": SEED, "flag_gap": FLAG_GAP,
               "shipml": meta, "peer_versions": peer_versions(),
               "datasets": [{k: d[k] for k in ("dataset", "source", "target", "task", "why", "rows", "columns",
                                               "metric", "shipml")} for d in docs],
               "rows": rows, "peer_errors": [e for d in docs for e in peer_errors(d)],
               "all_scores": {d["dataset"]: {t: {k: v for k, v in s.items() if k != "folds"}
                                             for t, s in d["tools"].items()} for d in docs}}
    if previous:  # the run these results came from, not this aggregation
        for key in ("generated", "command", "this_run_seconds", "this_run_datasets", "shipml"):
            summary[key] = previous[key]
        elapsed = previous["this_run_seconds"]
    with open(os.path.join(args.out, "results.json.tmp"), "w") as f:
        json.dump(summary, f, indent=1)
    os.replace(os.path.join(args.out, "results.json.tmp"), os.path.join(args.out, "results.json"))
    cols = ["dataset", "task", "metric", "learner", "family", "shipml", "shipml_std", "same_peer",
            "same_peer_score", "vs_same", "best_peer", "best_peer_score", "gap", "gap_se", "folds_below", "flagged", "errors"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["errors"] = frame["errors"].map(lambda e: " | ".join(e))
    frame.to_csv(os.path.join(args.out, "results.csv"), index=False, float_format="%.6g")
    print(table(rows))
    flagged = sorted((r for r in rows if r["flagged"]), key=lambda r: (not np.isnan(r["shipml"]), r["gap"]))
    print(f"{len(flagged)} of {len(rows)} (data set, learner) pairs more than {FLAG_GAP} under the family's best "
          f"peer or failing; this run took {elapsed / 60:.1f} min. Results: {args.out}/results.json, results.csv")
    for e in summary["peer_errors"]:
        print(f"peer error: {e['dataset']} {e['tool']}: {'; '.join(e['errors'])}")


if __name__ == "__main__":
    main()
