"""scikit-learn's GridSearchCV on the same grid, folds and threads as `shipml search`.

Usage: /usr/bin/python3 bench/search_peers.py DATA.csv TARGET THREADS
Prints JSON: wall seconds, best params, best mean ROC AUC.
"""
import json
import sys
import time

import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

path, target, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = pd.read_csv(path)
y = data.pop(target)
text = [c for c in data.columns if data[c].dtype == object]
numbers = [c for c in data.columns if c not in text]
# Categories as codes, marked categorical: HistGradientBoosting's native handling, like shipml's.
encode = make_column_transformer((OrdinalEncoder(), text), ("passthrough", numbers))
model = make_pipeline(encode, HistGradientBoostingClassifier(
    categorical_features=list(range(len(text))), max_iter=100, early_stopping=False))
grid = {"histgradientboostingclassifier__learning_rate": [0.03, 0.1, 0.3],
        "histgradientboostingclassifier__max_leaf_nodes": [15, 31, 63, 127],
        "histgradientboostingclassifier__l2_regularization": [0.0, 1.0]}
start = time.perf_counter()
search = GridSearchCV(model, grid, scoring="roc_auc", cv=StratifiedKFold(5), n_jobs=threads).fit(data, y)
seconds = time.perf_counter() - start
best = {k.split("__")[1]: v for k, v in search.best_params_.items()}
print(json.dumps({"seconds": seconds, "best": best, "best_score": search.best_score_}))
