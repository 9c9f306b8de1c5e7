#!/usr/bin/python3
"""XGBoost's own contributions (Booster.predict(pred_contribs=True)) for a shipml xgboost model.

usage: xgboost_pred_contribs.py MODEL.shipml DATA.csv OUT.json

The booster is read from the model file as docs/model-format.md lays it out (the
independent reader's functions in tests/model_format), the rows are conformed and
encoded as that reader does, and Python's xgboost computes the contributions: one
list per row of (features + 1) values per output group, the last the bias.
"""
import json, os, sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "model_format"))
import read_model_file as reader  # noqa: E402


def main(model_path, data_path, out_path):
    with open(model_path, "rb") as f:
        version, raw_header, raw_body = reader.read_frame(f.read())
    header = json.loads(raw_header.decode("utf-8"))
    if header["estimator"]["name"] != "xgboost":
        sys.exit(f"{model_path}: not an xgboost model")
    schema = reader.parse_fields(header["schema"])
    body = reader.Body(raw_body)
    encoder = reader.read_encoder(body, schema)     # §8.1, then the estimator state (§9.10)
    booster_json = body.str()
    booster = xgb.Booster()
    booster.load_model(bytearray(booster_json, "utf-8"))
    columns = reader.conform(schema, reader.read_csv(data_path))
    X = reader.encode(encoder, columns, len(columns[0][2]))
    types = ["c" if f["type"] == "categorical" else "q" for f in schema]
    data = xgb.DMatrix(X, missing=np.nan, feature_types=types, enable_categorical=True)
    contribs = booster.predict(data, pred_contribs=True)
    if contribs.ndim == 2:                          # one output group: (rows, features + 1)
        contribs = contribs[:, np.newaxis, :]
    with open(out_path, "w") as f:
        json.dump({"xgboost": xgb.__version__, "contribs": contribs.astype(np.float64).tolist()}, f)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    main(*sys.argv[1:])
