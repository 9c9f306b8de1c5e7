#!/usr/bin/python3
"""One peer measurement for bench/trees.sh: scikit-learn or XGBoost on the same
train.csv / test.csv, printing the same JSON line as bench_fit_predict.

Usage: fit_predict_peers.py TRAIN TEST TARGET MODEL THREADS [name=value ...]
MODEL: sklearn_rf, sklearn_et, sklearn_hgb, xgboost, sklearn_knn, sklearn_logistic, sklearn_enet, sklearn_pipeline
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score


def memory_mb():
    rss = peak = 0.0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = float(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = float(line.split()[1]) / 1024
    return rss, peak


def value(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"true": True, "false": False, "none": None}.get(text, text)


def _knn(threads, **params):
    from sklearn.neighbors import KNeighborsClassifier
    return KNeighborsClassifier(n_jobs=threads, **params)


def _logistic(threads, **params):
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(**params)


def _elastic_net(threads, **params):
    from sklearn.linear_model import ElasticNet
    return ElasticNet(**params)


LINEAR_AND_NEIGHBOURS = {"sklearn_knn": _knn, "sklearn_logistic": _logistic, "sklearn_enet": _elastic_net}


def churn_pipeline(numeric, categorical):
    """bench/churn_pipeline.yaml in scikit-learn: impute and scale numbers, impute and one-hot categories."""
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    prepare = make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")), categorical))
    return make_pipeline(prepare, LogisticRegression(max_iter=1000))


def main():
    train_path, test_path, target, model_name, threads = sys.argv[1:6]
    params = dict(arg.split("=", 1) for arg in sys.argv[6:])
    params = {k: value(v) for k, v in params.items()}
    threads = int(threads)
    train, test = pd.read_csv(train_path), pd.read_csv(test_path)
    classification = train[target].dtype == object or train[target].nunique() <= 20
    X, Xt = train.drop(columns=[target]), test.drop(columns=[target])
    categorical = [c for c in X.columns if X[c].dtype == object]
    if classification:
        classes = sorted(pd.concat([train[target], test[target]]).astype(str).unique())
        y = train[target].astype(str).map({c: i for i, c in enumerate(classes)}).to_numpy()
        yt = test[target].astype(str).map({c: i for i, c in enumerate(classes)}).to_numpy()
    else:
        y, yt = train[target].to_numpy(), test[target].to_numpy()

    if model_name == "sklearn_pipeline":
        model = churn_pipeline([c for c in X.columns if c not in categorical], categorical)
    elif model_name in LINEAR_AND_NEIGHBOURS:
        # The same standardisation shipml's default encoding applies (numeric data).
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        factory = LINEAR_AND_NEIGHBOURS[model_name]
        est = factory(threads, **params)
        model = make_pipeline(StandardScaler(), est)
    elif model_name == "xgboost":
        import xgboost as xgb
        for c in categorical:
            cats = pd.api.types.CategoricalDtype(sorted(pd.concat([X[c], Xt[c]]).dropna().unique()))
            X[c], Xt[c] = X[c].astype(cats), Xt[c].astype(cats)
        cls = xgb.XGBClassifier if classification else xgb.XGBRegressor
        model = cls(tree_method="hist", enable_categorical=True, max_cat_to_onehot=1, n_jobs=threads, **params)
    else:
        from sklearn import ensemble
        from sklearn.compose import make_column_transformer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OrdinalEncoder
        kind = {"sklearn_rf": "RandomForest", "sklearn_et": "ExtraTrees", "sklearn_hgb": "HistGradientBoosting"}[model_name]
        cls = getattr(ensemble, kind + ("Classifier" if classification else "Regressor"))
        if kind == "HistGradientBoosting":
            est = cls(categorical_features=[X.columns.get_loc(c) for c in categorical] or None, **params)
        else:
            est = cls(n_jobs=threads, **params)
        # Categories as ordinal codes (unknown -> -1 for forests, NaN for HGB); a
        # missing category is a category of its own, as shipml's forests see it.
        for c in categorical:
            X[c], Xt[c] = X[c].fillna("__missing__"), Xt[c].fillna("__missing__")
        missing = np.nan if kind == "HistGradientBoosting" else -1
        encode = make_column_transformer(
            (OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=missing, encoded_missing_value=missing),
             categorical), remainder="passthrough")
        if kind != "HistGradientBoosting":
            X, Xt = X.fillna(-1), Xt.fillna(-1)  # scikit-learn 1.2 forests refuse NaN
        model = make_pipeline(encode, est) if categorical else est
        if categorical and kind == "HistGradientBoosting":
            est.set_params(categorical_features=list(range(len(categorical))))

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    loaded = memory_mb()[0]
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    peak = memory_mb()[1]
    start = time.perf_counter()
    if classification:
        proba = model.predict_proba(Xt)
    else:
        pred = model.predict(Xt)
    predict_s = time.perf_counter() - start
    # BENCH_PREDICT_REPEATS=n: as bench_fit_predict, the median of n more predictions of the same batch.
    again = []
    for _ in range(int(os.environ.get("BENCH_PREDICT_REPEATS", "0"))):
        start = time.perf_counter()
        model.predict_proba(Xt) if classification else model.predict(Xt)
        again.append(time.perf_counter() - start)
    out = {"tool": model_name, "fit_s": fit_s, "predict_s": predict_s, "data_mb": loaded, "train_peak_mb": peak,
           "train_extra_mb": peak - loaded}
    if again:
        out["predict_again_s"] = sorted(again)[len(again) // 2]
    if classification:
        out["accuracy"] = accuracy_score(yt, proba.argmax(axis=1))
        out["auc"] = roc_auc_score(yt, proba[:, 1]) if proba.shape[1] == 2 else roc_auc_score(
            yt, proba, multi_class="ovr", labels=list(range(proba.shape[1])))
    else:
        out["r2"] = r2_score(yt, pred)
    if model_name in ("sklearn_logistic", "sklearn_enet", "sklearn_pipeline"):
        from sklearn.metrics import log_loss, mean_squared_error
        out["train_loss"] = (log_loss(y, model.predict_proba(X)) if classification
                             else mean_squared_error(y, model.predict(X)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
