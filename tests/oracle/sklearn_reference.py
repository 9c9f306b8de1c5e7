#!/usr/bin/python3
"""Computes scikit-learn's (and XGBoost's) answers for the oracle tests.

Usage: sklearn_reference.py DATA_DIR OUT_DIR

Writes OUT_DIR/metrics.json (metric cases with scikit-learn's values) and, per
model case, the train/test CSV files both sides use plus scikit-learn's
predictions on the test rows (OUT_DIR/models.json); calibration and decision
thresholds in OUT_DIR/calibration.json (calibration_reference.py); the same
with sample weights in OUT_DIR/weighted.json (weighted_reference.py). The C++
oracle tests read these and compare shipml's numbers.
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from random_probabilities import random_probabilities  # beside this file

warnings.filterwarnings("ignore")


def classification_cases(rng):
    cases = []

    def add(name, y_true, y_pred, proba, k):
        y_true, y_pred, proba = np.asarray(y_true), np.asarray(y_pred), np.asarray(proba, dtype=float)
        labels = list(range(k))
        exp = {
            "accuracy": skm.accuracy_score(y_true, y_pred),
            "balanced_accuracy": skm.balanced_accuracy_score(y_true, y_pred),
            "log_loss": skm.log_loss(y_true, proba, labels=labels),
        }
        for avg in ("macro", "weighted"):
            exp[f"precision_{avg}"] = skm.precision_score(y_true, y_pred, average=avg, zero_division=0)
            exp[f"recall_{avg}"] = skm.recall_score(y_true, y_pred, average=avg, zero_division=0)
            exp[f"f1_{avg}"] = skm.f1_score(y_true, y_pred, average=avg, zero_division=0)
        if k == 2:
            exp["precision"] = skm.precision_score(y_true, y_pred, pos_label=1, zero_division=0, labels=[0, 1])
            exp["recall"] = skm.recall_score(y_true, y_pred, pos_label=1, zero_division=0, labels=[0, 1])
            exp["f1"] = skm.f1_score(y_true, y_pred, pos_label=1, zero_division=0, labels=[0, 1])
            exp["brier"] = skm.brier_score_loss(y_true, proba[:, 1], pos_label=1)
            if 0 < y_true.sum() < len(y_true):  # both classes: the threshold curves are defined
                exp["average_precision"] = skm.average_precision_score(y_true, proba[:, 1])
                fpr, tpr, roc_thr = skm.roc_curve(y_true, proba[:, 1], drop_intermediate=False)
                precision, recall, pr_thr = skm.precision_recall_curve(y_true, proba[:, 1])
                curves = {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "roc_thresholds": roc_thr.tolist(),
                          "precision": precision.tolist(), "recall": recall.tolist(), "pr_thresholds": pr_thr.tolist()}
        try:
            exp["roc_auc"] = (skm.roc_auc_score(y_true, proba[:, 1]) if k == 2
                              else skm.roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=labels))
        except ValueError:
            exp["roc_auc"] = None  # scikit-learn refuses; shipml returns NaN
        cases.append({"name": name, "n_classes": k, "y_true": y_true.tolist(), "y_pred": y_pred.tolist(),
                      "proba": proba.tolist(), "expected": exp})
        if "average_precision" in exp:
            cases[-1]["curves"] = curves

    def random_case(name, n, k, ties=False, weights=None):
        y, p = random_probabilities(rng, n, k, ties, weights)
        add(name, y, p.argmax(axis=1), p, k)

    random_case("binary", 200, 2)
    random_case("binary_ties", 150, 2, ties=True)
    random_case("binary_imbalanced", 300, 2, weights=[0.92, 0.08])
    random_case("multiclass", 240, 4)
    random_case("multiclass_ties", 120, 3, ties=True)
    random_case("multiclass_rare", 400, 5, weights=[0.5, 0.3, 0.15, 0.04, 0.01])
    # Edge cases: a single class in y_true, predictions of a class never true,
    # perfect and all-wrong predictions, certain probabilities (log loss clipping).
    add("single_class_truth", [1] * 10, [1, 1, 0, 1, 1, 1, 1, 1, 0, 1], [[0.3, 0.7]] * 10, 2)
    add("never_predicted_positive", [0, 1, 0, 1, 0], [0] * 5, [[0.9, 0.1], [0.6, 0.4], [0.8, 0.2], [0.7, 0.3], [0.99, 0.01]], 2)
    add("perfect", [0, 1, 2, 1], [0, 1, 2, 1], np.eye(3)[[0, 1, 2, 1]], 3)
    add("all_wrong_certain", [0, 1, 0], [1, 0, 1], [[0, 1], [1, 0], [0, 1]], 2)
    add("class_absent_in_fold", [0, 0, 1, 1, 0], [0, 2, 1, 1, 0], [[.8, .1, .1], [.3, .3, .4], [.1, .8, .1], [.2, .7, .1], [.6, .2, .2]], 3)
    add("tiny", [1], [1], [[0.2, 0.8]], 2)
    return cases


def regression_cases(rng):
    cases = []

    def add(name, y, p):
        y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
        cases.append({"name": name, "y_true": y.tolist(), "y_pred": p.tolist(), "expected": {
            "r2": skm.r2_score(y, p), "mse": skm.mean_squared_error(y, p),
            "rmse": skm.mean_squared_error(y, p, squared=False), "mae": skm.mean_absolute_error(y, p),
            "mape": skm.mean_absolute_percentage_error(y, p)}})

    y = rng.normal(50, 10, size=300)
    add("noisy", y, y + rng.normal(0, 5, size=300))
    add("with_zero_truth", [0.0, 1.0, 2.0, 0.0], [0.5, 1.0, 1.5, -0.1])
    add("constant_truth_perfect", [3.0] * 5, [3.0] * 5)
    add("constant_truth_wrong", [3.0] * 5, [3.0, 3.0, 3.0, 3.0, 4.0])
    add("worse_than_mean", [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])
    return cases


def split_files(df, name, out_dir, rng, test_size=0.25):
    order = rng.permutation(len(df))
    n_test = int(np.ceil(test_size * len(df)))
    test, train = df.iloc[order[:n_test]], df.iloc[order[n_test:]]
    train_path, test_path = (os.path.join(out_dir, f"{name}_{part}.csv") for part in ("train", "test"))
    train.to_csv(train_path, index=False)
    test.to_csv(test_path, index=False)
    return train, test, train_path, test_path


def model_cases(data_dir, out_dir, rng):
    cases = []

    def case(name, dataset, target, shipml_estimator, params, sk_model, classifier, codes=False):
        df = pd.read_csv(os.path.join(data_dir, dataset))
        train, test, train_path, test_path = split_files(df, name, out_dir, rng)
        X_train, y_train = train.drop(columns=[target]), train[target]
        X_test, y_test = test.drop(columns=[target]), test[target]
        classes = sorted(y_train.unique())
        if codes:  # XGBoost wants class indices
            y_train, y_test = y_train.map(classes.index), y_test.map(classes.index)
        sk_model.fit(X_train, y_train)
        entry = {"name": name, "estimator": shipml_estimator, "params": params, "target": target,
                 "train": train_path, "test": test_path}
        if classifier:
            entry["classes"] = [str(c) for c in (classes if codes else sk_model.classes_)]
            entry["proba"] = sk_model.predict_proba(X_test).tolist()
            entry["accuracy"] = skm.accuracy_score(y_test, sk_model.predict(X_test))
        else:
            entry["predictions"] = sk_model.predict(X_test).tolist()
            entry["r2"] = skm.r2_score(y_test, sk_model.predict(X_test))
        cases.append(entry)

    case("linear_diabetes", "diabetes.csv", "progression", "linear", {}, LinearRegression(), False)
    case("ridge_concrete", "concrete.csv", "compressive_strength", "linear", {"alpha": "10"},
         make_pipeline(StandardScaler(), Ridge(alpha=10.0)), False)
    # The same objective as lbfgs, solved by scikit-learn's Newton solvers at a
    # tight tolerance: its lbfgs stops on scipy's relative-decrease test about
    # 2e-5 (in probability) short of the optimum, which is what shipml reaches.
    case("logistic_breast_cancer", "breast_cancer.csv", "diagnosis", "logistic", {"tol": "1e-9"},
         make_pipeline(StandardScaler(), LogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12,
                                                            max_iter=1000)), True)
    case("logistic_wine_multinomial", "wine.csv", "cultivar", "logistic", {"C": "0.5", "tol": "1e-9"},
         make_pipeline(StandardScaler(), LogisticRegression(C=0.5, solver="newton-cg", tol=1e-12,
                                                            max_iter=10000)), True)
    case("tree_stump_diabetes", "diabetes.csv", "progression", "decision_tree", {"max_depth": "2"},
         DecisionTreeRegressor(max_depth=2, random_state=0), False)
    # Coordinate descent to a tight duality gap on both sides: the same optimum.
    from sklearn.linear_model import ElasticNet, Lasso
    case("elastic_net_diabetes", "diabetes.csv", "progression", "elastic_net",
         {"alpha": "0.1", "l1_ratio": "0.5", "tol": "1e-12", "max_iter": "100000"},
         make_pipeline(StandardScaler(), ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-12, max_iter=100000)), False)
    case("lasso_concrete", "concrete.csv", "compressive_strength", "lasso", {"alpha": "0.5", "tol": "1e-12", "max_iter": "100000"},
         make_pipeline(StandardScaler(), Lasso(alpha=0.5, tol=1e-12, max_iter=100000)), False)
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    case("knn_breast_cancer", "breast_cancer.csv", "diagnosis", "knn", {"n_neighbors": "7"},
         make_pipeline(StandardScaler(), KNeighborsClassifier(7)), True)
    case("knn_distance_diabetes", "diabetes.csv", "progression", "knn", {"n_neighbors": "10", "weights": "distance"},
         make_pipeline(StandardScaler(), KNeighborsRegressor(10, weights="distance")), False)
    from sklearn.naive_bayes import GaussianNB
    case("gaussian_nb_wine", "wine.csv", "cultivar", "gaussian_nb", {},
         make_pipeline(StandardScaler(), GaussianNB(var_smoothing=0.1)), True)
    import xgboost as xgb
    case("xgboost_breast_cancer", "breast_cancer.csv", "diagnosis", "xgboost",
         {"n_estimators": "30", "max_depth": "3", "learning_rate": "0.2", "n_jobs": "1"},
         xgb.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.2, tree_method="hist", n_jobs=1), True,
         codes=True)
    return cases


def boosting_cases(data_dir):
    """XGBoost's 5-fold ROC AUC (hist, native categories, its defaults) on fixed folds."""
    import xgboost as xgb
    from sklearn.model_selection import StratifiedKFold

    cases = []
    for name, target in [("breast_cancer", "diagnosis"), ("churn", "churn"), ("credit_data", "Status")]:
        df = pd.read_csv(os.path.join(data_dir, f"{name}.csv"))
        y = pd.Categorical(df[target]).codes
        X = df.drop(columns=[target])
        for c in X.columns:
            if X[c].dtype == object:
                X[c] = X[c].astype("category")
        folds, aucs = [], []
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
            model = xgb.XGBClassifier(tree_method="hist", enable_categorical=True, max_cat_to_onehot=1, n_jobs=2,
                                      random_state=0)
            model.fit(X.iloc[train], y[train])
            aucs.append(skm.roc_auc_score(y[test], model.predict_proba(X.iloc[test])[:, 1]))
            folds.append(test.tolist())
        cases.append({"dataset": f"{name}.csv", "target": target, "test_folds": folds, "xgboost_auc": aucs})
    return cases


def search_cases(data_dir):
    """GridSearchCV over logistic regression's C (standardised inputs, as shipml's logistic) on fixed folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    df = pd.read_csv(os.path.join(data_dir, "breast_cancer.csv"))
    y = pd.Categorical(df["diagnosis"]).codes
    X = df.drop(columns=["diagnosis"])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=1).split(X, y))
    grid = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000, tol=1e-10))
    search = GridSearchCV(model, {"logisticregression__C": grid}, scoring="neg_log_loss", cv=folds).fit(X, y)
    return {"dataset": "breast_cancer.csv", "target": "diagnosis", "test_folds": [test.tolist() for _, test in folds],
            "C": grid, "mean_log_loss": (-search.cv_results_["mean_test_score"]).tolist(),
            "best_C": search.best_params_["logisticregression__C"]}


def selection_cases(data_dir):
    """Univariate tests, RFE, RFECV and sequential selection on breast_cancer (and diabetes for regression)."""
    from sklearn import feature_selection as fs
    from sklearn.model_selection import StratifiedKFold

    df = pd.read_csv(os.path.join(data_dir, "breast_cancer.csv"))
    y = pd.Categorical(df["diagnosis"]).codes
    X = df.drop(columns=["diagnosis"])
    F, F_p = fs.f_classif(X, y)
    chi, chi_p = fs.chi2(X, y)
    # Mutual information depends on the noise that breaks ties: five seeds give its spread.
    mi = [fs.mutual_info_classif(X, y, random_state=seed).tolist() for seed in range(5)]
    diabetes = pd.read_csv(os.path.join(data_dir, "diabetes.csv"))
    yd = diabetes["progression"].to_numpy()
    Xd = diabetes.drop(columns=["progression"])
    Fr, Fr_p = fs.f_regression(Xd, yd)
    mir = [fs.mutual_info_regression(Xd, yd, random_state=seed).tolist() for seed in range(5)]

    folds = list(StratifiedKFold(5, shuffle=True, random_state=1).split(X, y))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000, tol=1e-10))
    coef = "named_steps.logisticregression.coef_"
    rfe = fs.RFE(model, n_features_to_select=10, step=2, importance_getter=coef).fit(X, y)
    rfecv = fs.RFECV(model, step=3, cv=folds, scoring="neg_log_loss", importance_getter=coef).fit(X, y)
    sfs = fs.SequentialFeatureSelector(model, n_features_to_select=3, cv=folds, scoring="neg_log_loss").fit(X, y)
    return {
        "classification": {"dataset": "breast_cancer.csv", "target": "diagnosis", "features": list(X.columns),
                           "f": F.tolist(), "f_p": F_p.tolist(), "chi2": chi.tolist(), "chi2_p": chi_p.tolist(),
                           "mutual_info": mi},
        "regression": {"dataset": "diabetes.csv", "target": "progression", "features": list(Xd.columns),
                       "f": Fr.tolist(), "f_p": Fr_p.tolist(), "mutual_info": mir},
        "test_folds": [test.tolist() for _, test in folds],
        "rfe_ranking": rfe.ranking_.tolist(),
        "rfecv_n_features": int(rfecv.n_features_),
        "rfecv_mean_log_loss": (-rfecv.cv_results_["mean_test_score"]).tolist(),
        "sequential_selected": [c for c, keep in zip(X.columns, sfs.get_support()) if keep],
    }


def transformer_cases(data_dir):
    """Transformers on the same columns: each output column by name, missing as null."""
    from sklearn import preprocessing as pp
    from sklearn.impute import SimpleImputer

    def table(names, values):
        values = np.asarray(values, dtype=float)
        return {str(n): [None if np.isnan(v) else float(v) for v in values[:, j]] for j, n in enumerate(names)}

    penguins = pd.read_csv(os.path.join(data_dir, "penguins.csv"))
    numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    X = penguins[numeric]
    diabetes = pd.read_csv(os.path.join(data_dir, "diabetes.csv"))
    D = diabetes[["age", "bmi", "bp", "s5"]]
    churn = pd.read_csv(os.path.join(data_dir, "churn.csv"))
    categories = ["international_plan", "voice_mail_plan", "area_code"]
    cases = []

    def case(name, dataset, columns, step, params, model, data):
        model.fit(data)
        cases.append({"name": name, "dataset": dataset, "columns": columns, "transformer": step, "params": params,
                      "output": table(model.get_feature_names_out(), model.transform(data))})

    case("standard_scaler", "penguins.csv", numeric, "standard_scaler", {}, pp.StandardScaler(), X)
    case("minmax_scaler", "penguins.csv", numeric, "minmax_scaler", {"low": "-1", "high": "1"},
         pp.MinMaxScaler(feature_range=(-1, 1)), X)
    case("robust_scaler", "penguins.csv", numeric, "robust_scaler", {"quantile_low": "10", "quantile_high": "90"},
         pp.RobustScaler(quantile_range=(10, 90)), X)
    case("imputer", "penguins.csv", numeric, "imputer", {"strategy": "median", "add_indicator": "true"},
         SimpleImputer(strategy="median", add_indicator=True), X)
    case("binning_quantile", "diabetes.csv", list(D.columns), "binning", {"n_bins": "5"},
         pp.KBinsDiscretizer(n_bins=5, encode="ordinal", strategy="quantile"), D)
    case("binning_uniform", "diabetes.csv", list(D.columns), "binning", {"n_bins": "4", "strategy": "uniform"},
         pp.KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="uniform"), D)
    case("polynomial", "diabetes.csv", ["age", "bmi", "bp"], "polynomial", {},
         pp.PolynomialFeatures(2, include_bias=False), D[["age", "bmi", "bp"]])
    case("one_hot", "churn.csv", categories, "one_hot", {}, pp.OneHotEncoder(sparse=False),
         churn[categories].astype(str))
    return cases


def split_cases(rng):
    """Fold contents of scikit-learn's group and time splitters on data whose
    group sizes (GroupKFold) and times (TimeSeriesSplit) have no ties, so the
    folds do not depend on how numpy breaks them."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, TimeSeriesSplit

    def tests(splitter, n, y=None, groups=None):
        return [test.tolist() for _, test in splitter.split(np.zeros((n, 1)), y, groups)]

    def trains(splitter, n, y=None, groups=None):
        return [train.tolist() for train, _ in splitter.split(np.zeros((n, 1)), y, groups)]

    cases = {"group": [], "stratified_group": [], "time": []}
    for k, n_groups in ((3, 7), (5, 12), (4, 30)):
        sizes = rng.permutation(np.arange(1, n_groups + 1) * 3 + 1)  # distinct sizes
        groups = rng.permutation(np.repeat(np.arange(n_groups), sizes))
        cases["group"].append({"k": k, "groups": groups.tolist(),
                               "test": tests(GroupKFold(n_splits=k), len(groups), groups=groups)})
    for k, n_groups, n_classes in ((3, 15, 2), (5, 40, 3), (4, 25, 4)):
        sizes = rng.integers(1, 12, n_groups)
        groups = np.repeat(np.arange(n_groups), sizes)
        # Classes skewed within groups, one class rare, as real strata are.
        p = rng.dirichlet(np.ones(n_classes) * 0.7, n_groups)
        y = np.array([rng.choice(n_classes, p=p[g]) for g in groups])
        order = rng.permutation(len(groups))
        groups, y = groups[order], y[order]
        cases["stratified_group"].append({"k": k, "groups": groups.tolist(), "classes": y.tolist(),
                                          "test": tests(StratifiedGroupKFold(n_splits=k), len(y), y, groups)})
    for k, n, gap in ((3, 20, 0), (5, 101, 0), (4, 50, 3), (2, 9, 1)):
        splitter = TimeSeriesSplit(n_splits=k, gap=gap)
        cases["time"].append({"k": k, "n": n, "gap": gap, "train": trains(splitter, n), "test": tests(splitter, n)})
    return cases


def main():
    data_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20261127)
    with open(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump({"classification": classification_cases(rng), "regression": regression_cases(rng)}, f)
    with open(os.path.join(out_dir, "models.json"), "w") as f:
        json.dump(model_cases(data_dir, out_dir, rng), f)
    with open(os.path.join(out_dir, "boosting.json"), "w") as f:
        json.dump(boosting_cases(data_dir), f)
    with open(os.path.join(out_dir, "search.json"), "w") as f:
        json.dump(search_cases(data_dir), f)
    with open(os.path.join(out_dir, "transformers.json"), "w") as f:
        json.dump(transformer_cases(data_dir), f)
    with open(os.path.join(out_dir, "selection.json"), "w") as f:
        json.dump(selection_cases(data_dir), f)
    with open(os.path.join(out_dir, "splits.json"), "w") as f:
        json.dump(split_cases(rng), f)
    from weighted_reference import weighted_cases  # beside this file; its own generator
    with open(os.path.join(out_dir, "weighted.json"), "w") as f:
        json.dump(weighted_cases(data_dir, out_dir), f)
    from calibration_reference import calibration_cases, threshold_cases  # beside this file
    with open(os.path.join(out_dir, "calibration.json"), "w") as f:
        json.dump({"calibration": calibration_cases(data_dir, out_dir),
                   "threshold": threshold_cases(data_dir, out_dir)}, f)
    print(f"scikit-learn and XGBoost reference written to {out_dir}")


if __name__ == "__main__":
    main()
