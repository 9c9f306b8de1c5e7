"""The Python stack a user would otherwise deploy: FastAPI + uvicorn + scikit-learn.

Trains the same kind of model as the shipml side on churn.csv (histogram gradient
boosting with 100 trees, or logistic regression, behind a one-hot encoder for the
text columns) and serves MLflow's /invocations with dataframe_split bodies.
Usage: /usr/bin/python3 -m uvicorn --app-dir bench serve_fastapi:app ...
with SHIPML_BENCH_DATA=data/churn.csv SHIPML_BENCH_MODEL=hist_gbdt|logistic.
"""
import os

import pandas as pd
from fastapi import FastAPI, Request
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

data = pd.read_csv(os.environ.get("SHIPML_BENCH_DATA", "data/churn.csv"))
y = data.pop("churn")
text = [c for c in data.columns if data[c].dtype == object]
numbers = [c for c in data.columns if c not in text]
learner = (HistGradientBoostingClassifier(max_iter=100, early_stopping=False)
           if os.environ.get("SHIPML_BENCH_MODEL", "hist_gbdt") == "hist_gbdt"
           else LogisticRegression(max_iter=1000))
model = make_pipeline(
    ColumnTransformer([("text", OneHotEncoder(handle_unknown="ignore", sparse_output=False), text),
                       ("numbers", StandardScaler(), numbers)]),
    learner)
model.fit(data, y)

app = FastAPI()


@app.post("/invocations")
async def invocations(request: Request):
    body = await request.json()
    split = body["dataframe_split"]
    frame = pd.DataFrame(split["data"], columns=split["columns"])
    return {"predictions": model.predict(frame).tolist()}
