"""scikit-learn 1.2 and XGBoost 1.7 with their default parameters, wrapped as a
user would wrap them: scikit-learn's estimators take no missing values (1.2)
and no text, so numeric columns are mean-imputed with a missing-indicator
column and categories imputed with a 'missing' level and one-hot encoded;
linear models and k-NN also get numeric columns standardised. The two
boosting libraries take missing values natively: HistGradientBoosting gets
categories ordinal-encoded and declared categorical (a column with more than
255 levels, more than it accepts, is left as ordinal codes), XGBoost gets
them one-hot encoded (its categorical support needs tree_method=hist, not
its default). Only threads and seeds are set: n_jobs=THREADS, random_state=0.
"""
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from xgboost import XGBClassifier, XGBRegressor

# peer: (family, tasks, display name, shipml learner it implements)
PEERS = {
    "sk_linear": ("linear", {"regression"}, "sklearn LinearRegression", "linear"),
    "sk_ridge": ("linear", {"regression"}, "sklearn Ridge", None),
    "sk_elastic_net": ("linear", {"regression"}, "sklearn ElasticNet", "elastic_net"),
    "sk_lasso": ("linear", {"regression"}, "sklearn Lasso", "lasso"),
    "sk_logistic": ("linear", {"binary", "multiclass"}, "sklearn LogisticRegression", "logistic"),
    "sk_decision_tree": ("tree", {"binary", "multiclass", "regression"}, "sklearn DecisionTree", "decision_tree"),
    "sk_random_forest": ("forest", {"binary", "multiclass", "regression"}, "sklearn RandomForest", "random_forest"),
    "sk_extra_trees": ("forest", {"binary", "multiclass", "regression"}, "sklearn ExtraTrees", "extra_trees"),
    "sk_hist_gbdt": ("boosting", {"binary", "multiclass", "regression"}, "sklearn HistGradientBoosting", "hist_gbdt"),
    "xgb": ("boosting", {"binary", "multiclass", "regression"}, "XGBoost (Python)", "xgboost"),
    "sk_knn": ("knn", {"binary", "multiclass", "regression"}, "sklearn KNeighbors", "knn"),
    "sk_gaussian_nb": ("naive_bayes", {"binary", "multiclass"}, "sklearn GaussianNB", "gaussian_nb"),
}


def peers_for(task, families):
    return [p for p, (fam, tasks, _, _) in PEERS.items() if task in tasks and fam in families]


def _columns(X):
    cat = [c for c in X.columns if X[c].dtype == object or X[c].dtype == bool]
    return cat, [c for c in X.columns if c not in cat]


def _one_hot():
    return Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                     ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False))])


def _imputed_one_hot(X, scale):
    cat, num = _columns(X)
    numeric = [("impute", SimpleImputer(add_indicator=True))] + ([("scale", StandardScaler())] if scale else [])
    return ColumnTransformer([("num", Pipeline(numeric), num), ("cat", _one_hot(), cat)])


def _estimator(peer, task, threads):
    classify = task != "regression"
    if peer == "sk_linear":
        return LinearRegression()
    if peer == "sk_ridge":
        return Ridge()
    if peer == "sk_elastic_net":
        return ElasticNet()
    if peer == "sk_lasso":
        return Lasso()
    if peer == "sk_logistic":
        return LogisticRegression()
    if peer == "sk_decision_tree":
        return (DecisionTreeClassifier if classify else DecisionTreeRegressor)(random_state=0)
    if peer == "sk_random_forest":
        return (RandomForestClassifier if classify else RandomForestRegressor)(n_jobs=threads, random_state=0)
    if peer == "sk_extra_trees":
        return (ExtraTreesClassifier if classify else ExtraTreesRegressor)(n_jobs=threads, random_state=0)
    if peer == "sk_knn":
        return (KNeighborsClassifier if classify else KNeighborsRegressor)(n_jobs=threads)
    if peer == "sk_gaussian_nb":
        return GaussianNB()
    raise KeyError(peer)


def make_model(peer, task, X, threads):
    """An unfitted model for X's columns (a pandas DataFrame: text columns are categories)."""
    classify = task != "regression"
    cat, num = _columns(X)
    if peer == "sk_hist_gbdt":
        native = [X[c].nunique() <= 255 for c in cat]
        prep = ColumnTransformer([
            ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                   encoded_missing_value=np.nan), cat),
            ("num", "passthrough", num)])
        mask = native + [False] * len(num)
        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return Pipeline([("prep", prep), ("model", cls(categorical_features=mask if any(mask) else None,
                                                        random_state=0))])
    if peer == "xgb":
        prep = ColumnTransformer([("cat", _one_hot(), cat), ("num", "passthrough", num)])
        model = XGBClassifier(n_jobs=threads) if classify else XGBRegressor(n_jobs=threads)
        return Pipeline([("prep", prep), ("model", model)])
    scale = peer in ("sk_linear", "sk_ridge", "sk_elastic_net", "sk_lasso", "sk_logistic", "sk_knn")
    return Pipeline([("prep", _imputed_one_hot(X, scale)), ("model", _estimator(peer, task, threads))])


def fit_predict(peer, task, X_train, y_train, X_test, threads):
    """Returns (predicted labels or values, probabilities or None, classes or None)."""
    model = make_model(peer, task, X_train, threads)
    if task == "regression":
        model.fit(X_train, y_train.to_numpy(dtype=float))
        return model.predict(X_test), None, None
    if peer == "xgb":  # XGBoost wants classes 0..K-1
        enc = LabelEncoder().fit(y_train)
        model.fit(X_train, enc.transform(y_train))
        proba = model.predict_proba(X_test)
        return enc.classes_[proba.argmax(axis=1)], proba, list(enc.classes_)
    model.fit(X_train, y_train)
    return model.predict(X_test), model.predict_proba(X_test), list(model.classes_)
