"""scikit-learn's (and XGBoost's) answers with sample_weight, for the weighted oracle tests.

weighted_cases(DATA_DIR, OUT_DIR) returns what sklearn_reference.py writes to
OUT_DIR/weighted.json: metric cases (truth, predictions, probabilities,
weights and scikit-learn's weighted metrics) and model cases (train and test
CSV files with a weight column "w", and scikit-learn's predictions after
fit(..., sample_weight=w)). Its own random generator, so the unweighted
cases' files and numbers do not move.
"""
import os

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from random_probabilities import random_probabilities  # beside this file

WEIGHT = "w"


def draw_weights(rng, n, zeros=True):
    """Non-uniform weights: some rows 0 (left out), most between 0.2 and 5."""
    w = rng.choice([0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0], size=n)
    if zeros:
        w[rng.random(n) < 0.08] = 0.0
    return w


def classification_metric_cases(rng):
    cases = []

    def add(name, y, p, proba, k, w):
        labels = list(range(k))
        exp = {
            "accuracy": skm.accuracy_score(y, p, sample_weight=w),
            "balanced_accuracy": skm.balanced_accuracy_score(y, p, sample_weight=w),
            "log_loss": skm.log_loss(y, proba, labels=labels, sample_weight=w),
        }
        for avg in ("macro", "weighted"):
            for metric, fn in (("precision", skm.precision_score), ("recall", skm.recall_score),
                               ("f1", skm.f1_score)):
                exp[f"{metric}_{avg}"] = fn(y, p, average=avg, zero_division=0, sample_weight=w)
        if k == 2:
            for metric, fn in (("precision", skm.precision_score), ("recall", skm.recall_score),
                               ("f1", skm.f1_score)):
                exp[metric] = fn(y, p, pos_label=1, zero_division=0, labels=[0, 1], sample_weight=w)
            exp["brier"] = skm.brier_score_loss(y, proba[:, 1], pos_label=1, sample_weight=w)
            exp["average_precision"] = skm.average_precision_score(y, proba[:, 1], sample_weight=w)
            exp["roc_auc"] = skm.roc_auc_score(y, proba[:, 1], sample_weight=w)
        else:
            exp["roc_auc"] = skm.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels,
                                               sample_weight=w)
        cases.append({"name": name, "n_classes": k, "y_true": y.tolist(), "y_pred": p.tolist(),
                      "proba": proba.tolist(), "weights": w.tolist(), "expected": exp})

    def random_case(name, n, k, ties=False, p_class=None):
        y, proba = random_probabilities(rng, n, k, ties, p_class)
        add(name, y, proba.argmax(axis=1), proba, k, draw_weights(rng, n))

    random_case("binary", 200, 2)
    random_case("binary_ties", 150, 2, ties=True)
    random_case("binary_imbalanced", 300, 2, p_class=[0.9, 0.1])
    random_case("multiclass", 240, 4)
    random_case("multiclass_ties", 120, 3, ties=True)
    return cases


def regression_metric_cases(rng):
    cases = []
    for name, n in (("noisy", 300), ("small", 12)):
        y = rng.normal(50, 10, size=n)
        p = y + rng.normal(0, 5, size=n)
        w = draw_weights(rng, n)
        cases.append({"name": name, "y_true": y.tolist(), "y_pred": p.tolist(), "weights": w.tolist(), "expected": {
            "r2": skm.r2_score(y, p, sample_weight=w), "mse": skm.mean_squared_error(y, p, sample_weight=w),
            "rmse": skm.mean_squared_error(y, p, sample_weight=w, squared=False),
            "mae": skm.mean_absolute_error(y, p, sample_weight=w),
            "mape": skm.mean_absolute_percentage_error(y, p, sample_weight=w)}})
    return cases


def model_cases(data_dir, out_dir, rng):
    from sklearn.linear_model import ElasticNet, LinearRegression, LogisticRegression, Ridge
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier, RandomForestRegressor
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    import xgboost as xgb

    cases = []

    def case(name, dataset, target, estimator, params, sk_model, classifier, fit_param="sample_weight",
             drop=(), codes=False):
        df = pd.read_csv(os.path.join(data_dir, dataset)).drop(columns=list(drop))
        df[WEIGHT] = draw_weights(rng, len(df))
        order = rng.permutation(len(df))
        n_test = int(np.ceil(0.25 * len(df)))
        test, train = df.iloc[order[:n_test]], df.iloc[order[n_test:]]
        paths = [os.path.join(out_dir, f"weighted_{name}_{part}.csv") for part in ("train", "test")]
        train.to_csv(paths[0], index=False)
        test.to_csv(paths[1], index=False)
        X_train, y_train = train.drop(columns=[target, WEIGHT]), train[target]
        X_test, y_test = test.drop(columns=[target, WEIGHT]), test[target]
        classes = sorted(y_train.unique())
        if codes:  # XGBoost wants class indices
            y_train, y_test = y_train.map(classes.index), y_test.map(classes.index)
        sk_model.fit(X_train, y_train, **{fit_param: train[WEIGHT].to_numpy()})
        entry = {"name": name, "estimator": estimator, "params": params, "target": target, "weight": WEIGHT,
                 "train": paths[0], "test": paths[1]}
        w_test = test[WEIGHT].to_numpy()
        if classifier:
            entry["classes"] = [str(c) for c in (classes if codes else sk_model.classes_)]
            entry["proba"] = sk_model.predict_proba(X_test).tolist()
            entry["weighted_accuracy"] = skm.accuracy_score(y_test, sk_model.predict(X_test), sample_weight=w_test)
        else:
            entry["predictions"] = sk_model.predict(X_test).tolist()
            entry["weighted_r2"] = skm.r2_score(y_test, sk_model.predict(X_test), sample_weight=w_test)
        cases.append(entry)

    case("linear_diabetes", "diabetes.csv", "progression", "linear", {}, LinearRegression(), False)
    case("ridge_concrete", "concrete.csv", "compressive_strength", "linear", {"alpha": "10"},
         make_pipeline(StandardScaler(), Ridge(alpha=10.0)), False, "ridge__sample_weight")
    # As in the unweighted cases: Newton solvers at a tight tolerance reach the optimum lbfgs is stopped short of.
    case("logistic_breast_cancer", "breast_cancer.csv", "diagnosis", "logistic", {"tol": "1e-9"},
         make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000)),
         True, "logisticregression__sample_weight")
    case("logistic_wine_multinomial", "wine.csv", "cultivar", "logistic", {"C": "0.5", "tol": "1e-9"},
         make_pipeline(StandardScaler(), LogisticRegression(C=0.5, solver="newton-cg", tol=1e-12, max_iter=10000)),
         True, "logisticregression__sample_weight")
    case("elastic_net_diabetes", "diabetes.csv", "progression", "elastic_net",
         {"alpha": "0.1", "l1_ratio": "0.5", "tol": "1e-12", "max_iter": "100000"},
         make_pipeline(StandardScaler(), ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-12, max_iter=100000)), False,
         "elasticnet__sample_weight")
    case("lasso_concrete", "concrete.csv", "compressive_strength", "lasso",
         {"alpha": "0.5", "tol": "1e-12", "max_iter": "100000"},
         make_pipeline(StandardScaler(), ElasticNet(alpha=0.5, l1_ratio=1.0, tol=1e-12, max_iter=100000)), False,
         "elasticnet__sample_weight")
    case("tree_diabetes", "diabetes.csv", "progression", "decision_tree", {"max_depth": "3"},
         DecisionTreeRegressor(max_depth=3, random_state=0), False)
    case("tree_wine", "wine.csv", "cultivar", "decision_tree", {"max_depth": "3", "min_samples_leaf": "3"},
         DecisionTreeClassifier(max_depth=3, min_samples_leaf=3, random_state=0), True)
    # Forests without bootstrap, every feature at every split: each tree is the
    # weighted CART tree. shipml's forests bin their features; with fewer than
    # 255 distinct values a bin is a value and the cuts are scikit-learn's.
    case("forest_wine", "wine.csv", "cultivar", "random_forest",
         {"n_estimators": "3", "bootstrap": "false", "max_features": "all", "max_depth": "4"},
         RandomForestClassifier(n_estimators=3, bootstrap=False, max_features=None, max_depth=4, random_state=0),
         True)
    case("forest_diabetes", "diabetes.csv", "progression", "random_forest",
         {"n_estimators": "3", "bootstrap": "false", "max_features": "all", "max_depth": "4"},
         RandomForestRegressor(n_estimators=3, bootstrap=False, max_features=None, max_depth=4, random_state=0),
         False, drop=["s2"])  # s2 has more distinct values than bins
    case("gaussian_nb_wine", "wine.csv", "cultivar", "gaussian_nb", {},
         make_pipeline(StandardScaler(), GaussianNB(var_smoothing=0.1)), True, "gaussiannb__sample_weight")
    # One round with a vanishing learning rate: the probabilities are the
    # initial score's, the weighted share of each class.
    case("hist_gbdt_prior_breast_cancer", "breast_cancer.csv", "diagnosis", "hist_gbdt",
         {"n_estimators": "1", "learning_rate": "1e-12", "early_stopping": "false"},
         HistGradientBoostingClassifier(max_iter=1, learning_rate=1e-12, early_stopping=False), True)
    case("hist_gbdt_prior_wine", "wine.csv", "cultivar", "hist_gbdt",
         {"n_estimators": "1", "learning_rate": "1e-12", "early_stopping": "false"},
         HistGradientBoostingClassifier(max_iter=1, learning_rate=1e-12, early_stopping=False), True)
    case("xgboost_breast_cancer", "breast_cancer.csv", "diagnosis", "xgboost",
         {"n_estimators": "30", "max_depth": "3", "learning_rate": "0.2", "n_jobs": "1"},
         xgb.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.2, tree_method="hist", n_jobs=1), True,
         codes=True)
    return cases


def weighted_cases(data_dir, out_dir):
    rng = np.random.default_rng(20260517)
    return {"classification": classification_metric_cases(rng), "regression": regression_metric_cases(rng),
            "models": model_cases(data_dir, out_dir, rng)}
